"""Live grants: the short-lived token that names an opened (and journalled) live view of one
camera in its WebSocket URL.

Signed with HMAC-SHA-256 under a key derived from the site secret (HKDF, info
`sentinelle/live-grant`, so a playback grant is never a live one and the other way round). It
is not a bearer credential on its own: the WebSocket also authenticates its user, who must be
the grant's and still allowed to watch the camera. It carries the reason given when the view
was opened, for the journal entry of its end.

Token: `base64url(payload) "." base64url(mac)`, payload
`L1:<user id>:<camera id>:<opened µs>:<expiry µs>:<base64url(reason)>`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from datetime import datetime, timedelta

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from sentinelle.core.clock import from_micros, to_micros
from sentinelle.live import errors
from sentinelle.live.models import LiveGrant

GRANT_LIFETIME = timedelta(minutes=2)  # time to open (or reopen) the WebSocket
_INFO = b"sentinelle/live-grant"
_VERSION = "L1"


def _key(site_secret: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(site_secret)


def issue(site_secret: bytes, grant: LiveGrant, reason: str) -> str:
    payload = ":".join(
        [
            _VERSION,
            str(grant.user_id),
            str(grant.camera_id),
            str(to_micros(grant.started_at)),
            str(to_micros(grant.expires_at)),
            _b64(reason.encode()),
        ]
    ).encode("ascii")
    mac = hmac.new(_key(site_secret), payload, hashlib.sha256).digest()
    return f"{_b64(payload)}.{_b64(mac)}"


def read(site_secret: bytes, token: str, now: datetime) -> tuple[LiveGrant, str]:
    """The grant and reason a token carries; refuses altered, malformed and expired tokens."""
    encoded, _, mac = token.partition(".")
    try:
        payload, given = _unb64(encoded), _unb64(mac)
    except (binascii.Error, ValueError, UnicodeEncodeError) as exc:
        raise errors.invalid_grant() from exc
    expected = hmac.new(_key(site_secret), payload, hashlib.sha256).digest()
    if not hmac.compare_digest(expected, given):
        raise errors.invalid_grant()
    try:
        version, user, camera, opened, expiry, reason = payload.decode("ascii").split(":")
        if version != _VERSION:
            raise ValueError(version)
        grant = LiveGrant(
            int(user), int(camera), from_micros(int(opened)), from_micros(int(expiry))
        )
        text = _unb64(reason).decode()
    except ValueError as exc:  # signed by us, so only a change of format gets here
        raise errors.invalid_grant() from exc
    if now >= grant.expires_at:
        raise errors.grant_expired(grant.expires_at)
    return grant, text


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text.encode("ascii") + b"=" * (-len(text) % 4))
