"""Camera stream URLs: validation, redaction for display, sealing of credentials at rest."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from sentinelle.core.sitekey import SecretBox
from sentinelle.registry import errors

STREAM_PURPOSE = "camera-stream-urls"
NETWORK_SCHEMES = frozenset({"rtsp", "rtsps", "http", "https"})
ALLOWED_SCHEMES = NETWORK_SCHEMES | {"file"}
MAX_URL_LENGTH = 1000


@dataclass(frozen=True, slots=True)
class SealedUrl:
    redacted: str  # shown in the console and logs: never holds a password
    sealed: str  # the full URL, encrypted with the site key


# Query parameters that carry credentials in cameras' URLs (Dahua, Axis, Hikvision…).
_SECRET_PARAMS = re.compile(r"user|login|pass|pwd|token|auth|key|sig|secret|cred", re.IGNORECASE)


def redact(url: str) -> str:
    """The URL without credentials: user info and credential-like query values become ***."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if parts.username is not None or parts.password is not None:
        host = parts.hostname or ""
        if ":" in host:
            host = f"[{host}]"
        netloc = f"***@{host}" + (f":{parts.port}" if parts.port else "")
    query = "&".join(_redact_param(p) for p in parts.query.split("&")) if parts.query else ""
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def _redact_param(param: str) -> str:
    name, sep, _ = param.partition("=")
    return f"{name}=***" if sep and _SECRET_PARAMS.search(name) else param


def validate(role: str, url: str) -> str:
    """Return the stripped URL, or raise `invalid_stream_url` saying what is wrong."""
    url = url.strip()
    if not url:
        raise errors.invalid_stream_url(role, "empty")
    if len(url) > MAX_URL_LENGTH or any(c.isspace() or ord(c) < 32 for c in url):
        raise errors.invalid_stream_url(role, "too long or contains spaces/control characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise errors.invalid_stream_url(role, f"malformed ({exc})") from exc
    if parts.scheme not in ALLOWED_SCHEMES:
        allowed = ", ".join(sorted(ALLOWED_SCHEMES))
        raise errors.invalid_stream_url(role, f"scheme must be one of {allowed}")
    if parts.scheme in NETWORK_SCHEMES and not parts.hostname:
        raise errors.invalid_stream_url(role, "no host")
    if parts.scheme == "file" and not parts.path.startswith("/"):
        raise errors.invalid_stream_url(role, "file URLs need an absolute path")
    if port == 0:
        raise errors.invalid_stream_url(role, "port 0")
    return url


def seal(box: SecretBox, role: str, url: str) -> SealedUrl:
    clean = validate(role, url)
    return SealedUrl(redacted=redact(clean), sealed=box.seal(clean))
