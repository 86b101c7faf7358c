"""Playback grants: the token that names an opened (and journalled) playback in its URLs.

A grant says which user may fetch which cameras over which period, until when; it is signed
with HMAC-SHA-256 under a key derived from the site secret (HKDF, info
`sentinelle/playback-grant`), so nobody can widen it, and it needs no table. It is not a
bearer credential on its own: the routes that take one also require the logged-in user to be
the grant's, still allowed to play back footage of the camera.

Token: `base64url(payload) "." base64url(mac)`, payload
`1:<user id>:<camera ids joined by '-'>:<from µs>:<to µs>:<expiry µs>` (Unix microseconds).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from sentinelle.core.clock import from_micros, to_micros
from sentinelle.playback import errors

GRANT_LIFETIME = timedelta(hours=4)
_INFO = b"sentinelle/playback-grant"
_VERSION = "1"


@dataclass(frozen=True, slots=True)
class Grant:
    user_id: int
    camera_ids: tuple[int, ...]
    start: datetime
    end: datetime
    expires_at: datetime

    def covers(self, camera_id: int) -> bool:
        return camera_id in self.camera_ids


def grant_key(site_secret: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(site_secret)


def issue(site_secret: bytes, grant: Grant) -> str:
    """The URL-safe token of `grant`."""
    payload = ":".join(
        [
            _VERSION,
            str(grant.user_id),
            "-".join(str(c) for c in grant.camera_ids),
            str(to_micros(grant.start)),
            str(to_micros(grant.end)),
            str(to_micros(grant.expires_at)),
        ]
    ).encode("ascii")
    mac = hmac.new(grant_key(site_secret), payload, hashlib.sha256).digest()
    return f"{_b64(payload)}.{_b64(mac)}"


def read(site_secret: bytes, token: str, now: datetime) -> Grant:
    """The grant a token carries; refuses altered, malformed and expired tokens."""
    payload = _verified_payload(site_secret, token)
    try:
        version, user, cameras, start, end, expiry = payload.decode("ascii").split(":")
        if version != _VERSION:
            raise ValueError(version)
        grant = Grant(
            int(user),
            tuple(int(c) for c in cameras.split("-")),
            from_micros(int(start)),
            from_micros(int(end)),
            from_micros(int(expiry)),
        )
    except ValueError as exc:  # signed by us, so only a change of format gets here
        raise errors.invalid_grant() from exc
    if now >= grant.expires_at:
        raise errors.grant_expired(grant.expires_at)
    return grant


def _verified_payload(site_secret: bytes, token: str) -> bytes:
    encoded, _, mac = token.partition(".")
    try:
        payload, given = _unb64(encoded), _unb64(mac)
    except (binascii.Error, ValueError) as exc:
        raise errors.invalid_grant() from exc
    expected = hmac.new(grant_key(site_secret), payload, hashlib.sha256).digest()
    if not hmac.compare_digest(expected, given):
        raise errors.invalid_grant()
    return payload


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text.encode("ascii") + b"=" * (-len(text) % 4))
