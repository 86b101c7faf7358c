from __future__ import annotations

import os
from pathlib import Path

import pytest

from sentinelle.core.errors import ConfigurationError, Unavailable
from sentinelle.core.settings import Settings, load_settings
from sentinelle.core.sitekey import SecretBox, load_or_create_secret


def test_defaults_put_sqlite_and_secret_in_the_data_dir(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path / "d")
    assert settings.resolved_database_url == f"sqlite:///{tmp_path / 'd' / 'sentinelle.db'}"
    assert settings.resolved_secret_key_file == tmp_path / "d" / "secret.key"
    assert settings.host == "127.0.0.1"


def test_environment_prefix_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SENTINELLE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SENTINELLE_PORT", "9123")
    settings = load_settings()
    assert settings.resolved_data_dir == tmp_path
    assert settings.port == 9123


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        ({"database_url": "mysql://root@localhost/x"}, "sqlite:/// or postgresql://"),
        ({"host": "0.0.0.0"}, "without TLS"),  # noqa: S104 - the unsafe value under test
        ({"site_timezone": "Europe/Atlantis"}, "not a known time zone"),
        ({"port": 70000}, "port"),
        ({"lockout_threshold": 50}, "lockout_threshold"),
        ({"session_idle_minutes": 10_000}, "session_idle_minutes"),
    ],
)
def test_unsafe_values_are_refused(overrides: dict[str, object], fragment: str) -> None:
    with pytest.raises(ConfigurationError) as err:
        load_settings(**overrides)
    assert err.value.code == "invalid_settings"
    assert fragment in err.value.message


def test_remote_bind_is_allowed_behind_tls() -> None:
    settings = load_settings(host="0.0.0.0", cookie_secure=True)  # noqa: S104
    assert settings.cookie_secure


def test_world_writable_data_dir_is_refused(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    data.chmod(0o777)
    with pytest.raises(ConfigurationError) as err:
        Settings(data_dir=data).prepare()
    assert err.value.code == "unsafe_data_dir"


def test_secret_key_is_created_private_and_reused(tmp_path: Path) -> None:
    path = tmp_path / "k" / "secret.key"
    first = load_or_create_secret(path)
    assert len(first) == 32
    assert os.stat(path).st_mode & 0o777 == 0o600
    assert load_or_create_secret(path) == first


def test_readable_secret_key_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "secret.key"
    load_or_create_secret(path)
    path.chmod(0o644)
    with pytest.raises(ConfigurationError) as err:
        load_or_create_secret(path)
    assert err.value.code == "unsafe_secret_key_file"


def test_corrupt_secret_key_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "secret.key"
    path.write_text("not base64 !!\n")
    path.chmod(0o600)
    with pytest.raises(ConfigurationError) as err:
        load_or_create_secret(path)
    assert err.value.code == "corrupt_secret_key_file"


def test_sealed_box_round_trips_and_is_bound_to_key_and_purpose() -> None:
    key, other = b"k" * 32, b"o" * 32
    sealed = SecretBox(key, "streams").seal("rtsp://u:p@h/1")
    assert "p@h" not in sealed
    assert SecretBox(key, "streams").open(sealed) == "rtsp://u:p@h/1"
    for box in (SecretBox(other, "streams"), SecretBox(key, "totp")):
        with pytest.raises(Unavailable):
            box.open(sealed)
