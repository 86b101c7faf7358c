"""Settings: one pydantic-settings tree read from `SENTINELLE_*` variables, refusing unsafe values.

Nothing here touches the disk except `Settings.prepare()`, which creates the data directory and
checks the permissions of what it finds there.
"""

from __future__ import annotations

import ipaddress
import stat
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from sentinelle.core.errors import ConfigurationError

DEFAULT_PORT = 8640
_ALLOWED_DB_SCHEMES = ("sqlite", "postgresql")
_LOOPBACK_NAMES = {"localhost", "ip6-localhost"}


class Settings(BaseSettings):
    """Every setting of a Sentinelle process. Paths are resolved to absolute ones."""

    model_config = SettingsConfigDict(env_prefix="SENTINELLE_", extra="forbid", frozen=True)

    data_dir: Path = Field(default_factory=lambda: Path.cwd() / "sentinelle-data")
    database_url: str | None = None
    host: str = "127.0.0.1"
    port: int = Field(default=DEFAULT_PORT, ge=1, le=65535)
    secret_key_file: Path | None = None
    site_timezone: str = "Europe/Paris"
    site_name: str = Field(default="Centre de supervision urbain", min_length=1, max_length=200)
    cookie_secure: bool = False
    session_idle_minutes: int = Field(default=30, ge=5, le=240)
    session_max_hours: int = Field(default=12, ge=1, le=24)
    lockout_threshold: int = Field(default=5, ge=3, le=10)
    lockout_minutes: int = Field(default=15, ge=5, le=1440)
    sweep_interval_seconds: int = Field(default=60, ge=5, le=900)
    storage_min_free_percent: float = Field(default=5.0, ge=0.5, le=50.0)
    ingest_workers: int = Field(default=1, ge=1, le=64)
    mask_audit_interval_seconds: float = Field(default=60.0, ge=1.0, le=3600.0)
    map_tile_url: str | None = Field(
        default=None,
        max_length=500,
        description="tile server template, e.g. https://tiles.example/{z}/{x}/{y}.png",
    )
    map_tiles_dir: Path | None = Field(
        default=None, description="local tile tree {z}/{x}/{y}.png (or .jpg, .webp)"
    )
    map_attribution: str = Field(default="", max_length=300)

    @model_validator(mode="after")
    def _check_consistency(self) -> Settings:
        if self.database_url is not None:
            scheme = self.database_url.split(":", 1)[0].split("+", 1)[0]
            if scheme not in _ALLOWED_DB_SCHEMES:
                msg = f"SENTINELLE_DATABASE_URL must be sqlite:/// or postgresql://, not {scheme}:"
                raise ValueError(msg)
        try:
            ZoneInfo(self.site_timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            msg = f"SENTINELLE_SITE_TIMEZONE {self.site_timezone!r} is not a known time zone"
            raise ValueError(msg) from exc
        _check_map_tiles(self.map_tile_url, self.map_tiles_dir)
        if not self.cookie_secure and not _is_loopback(self.host):
            msg = (
                f"refusing to listen on {self.host} without TLS: session cookies would travel "
                "in clear. Put Sentinelle behind an HTTPS reverse proxy and set "
                "SENTINELLE_COOKIE_SECURE=true, or listen on 127.0.0.1."
            )
            raise ValueError(msg)
        return self

    @property
    def resolved_data_dir(self) -> Path:
        return self.data_dir.expanduser().resolve()

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.resolved_data_dir / 'sentinelle.db'}"

    @property
    def resolved_secret_key_file(self) -> Path:
        if self.secret_key_file is not None:
            return self.secret_key_file.expanduser().resolve()
        return self.resolved_data_dir / "secret.key"

    @property
    def timezone(self) -> ZoneInfo:
        return ZoneInfo(self.site_timezone)

    def prepare(self) -> None:
        """Create the data directory (mode 0700) and refuse unsafe permissions on it."""
        data_dir = self.resolved_data_dir
        data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        if data_dir.stat().st_mode & stat.S_IWOTH:
            raise ConfigurationError(
                "unsafe_data_dir",
                f"data directory {data_dir} is writable by every user; run chmod o-w on it",
            )


def load_settings(**overrides: Any) -> Settings:
    """Read settings from the environment (and explicit overrides), as a ConfigurationError."""
    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'settings'}: {err['msg']}"
            for err in exc.errors()
        )
        raise ConfigurationError("invalid_settings", f"invalid settings: {problems}") from exc


def _check_map_tiles(url: str | None, folder: Path | None) -> None:
    """The map's background comes from one place: a tile server or a local tile tree."""
    if url is not None and folder is not None:
        msg = "set SENTINELLE_MAP_TILE_URL or SENTINELLE_MAP_TILES_DIR, not both"
        raise ValueError(msg)
    if url is None:
        return
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        msg = "SENTINELLE_MAP_TILE_URL must be an http(s):// address"
        raise ValueError(msg)
    missing = [p for p in ("{z}", "{x}", "{y}") if p not in url]
    if missing:
        msg = f"SENTINELLE_MAP_TILE_URL must contain {', '.join(missing)}"
        raise ValueError(msg)


def _is_loopback(host: str) -> bool:
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
