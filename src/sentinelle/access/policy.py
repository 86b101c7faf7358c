"""Pure access decisions: password policy, lockout, habilitation status, camera scope."""

from __future__ import annotations

import re
import string
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sentinelle.access import errors
from sentinelle.access.models import (
    ROLE_PERMISSIONS,
    SCOPED_ROLES,
    CameraScope,
    HabilitationStatus,
    Principal,
    Role,
)

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 128
PASSPHRASE_LENGTH = 16
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
_COMMON = frozenset(
    {
        "motdepasse123",
        "password1234",
        "azertyuiop12",
        "123456789012",
        "qwertyuiop12",
        "sentinelle123",
        "administrateur",
        "bonjour123456",
        "soleil123456",
        "marseille2024",
    }
)


def check_username(username: str) -> str:
    """Normalise (lowercase) and validate a username."""
    normalised = username.strip().lower()
    if not _USERNAME.match(normalised):
        raise errors.invalid_username(username)
    return normalised


def check_password(password: str, username: str) -> None:
    """ANSSI-style policy: long enough, not trivially guessable, several character classes."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise errors.weak_password(f"at least {MIN_PASSWORD_LENGTH} characters are required")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise errors.weak_password(f"at most {MAX_PASSWORD_LENGTH} characters")
    lowered = password.lower()
    if username and username.lower() in lowered:
        raise errors.weak_password("it contains the username")
    if lowered in _COMMON or len(set(password)) < 5:
        raise errors.weak_password("it is too common or too repetitive")
    classes = sum(
        any(c in group for c in password)
        for group in (string.ascii_lowercase, string.ascii_uppercase, string.digits)
    ) + any(not c.isalnum() for c in password)
    if classes < 3 and len(password) < PASSPHRASE_LENGTH:
        raise errors.weak_password(
            "mix three of: lowercase, uppercase, digits, symbols "
            f"(or use a passphrase of {PASSPHRASE_LENGTH}+ characters)"
        )


@dataclass(frozen=True, slots=True)
class LockoutState:
    failed_logins: int
    locked_until: datetime | None


def after_failed_login(
    failed_logins: int, now: datetime, threshold: int, lock_minutes: int
) -> LockoutState:
    """One more failure: lock for `lock_minutes` when the threshold is reached."""
    count = failed_logins + 1
    if count >= threshold:
        return LockoutState(0, now + timedelta(minutes=lock_minutes))
    return LockoutState(count, None)


def is_locked(locked_until: datetime | None, now: datetime) -> bool:
    return locked_until is not None and now < locked_until


@dataclass(frozen=True, slots=True)
class HabilitationFacts:
    """What the policy needs to know about one habilitation."""

    designated_on: date
    expires_on: date
    sworn: bool
    revoked: bool
    all_cameras: bool
    group_ids: frozenset[int]


def habilitation_status(h: HabilitationFacts, today: date) -> HabilitationStatus:
    if h.revoked:
        return HabilitationStatus.REVOKED
    if not h.sworn:
        return HabilitationStatus.NOT_SWORN
    if today < h.designated_on:
        return HabilitationStatus.NOT_YET_VALID
    if today > h.expires_on:
        return HabilitationStatus.EXPIRED
    return HabilitationStatus.VALID


def video_scope(habilitations: Iterable[HabilitationFacts], today: date) -> CameraScope:
    """Union of the scopes of the valid habilitations; nothing when none is valid."""
    scope = CameraScope.nothing()
    for h in habilitations:
        if habilitation_status(h, today) is HabilitationStatus.VALID:
            scope = scope.union(CameraScope(h.all_cameras, h.group_ids))
    return scope


def principal_for(
    user_id: int,
    username: str,
    role: Role,
    habilitations: Iterable[HabilitationFacts],
    today: date,
) -> Principal:
    """Build the principal: role permissions, video scope from habilitations, registry scope."""
    scope = video_scope(habilitations, today)
    registry_scope = scope if role in SCOPED_ROLES else CameraScope.everything()
    return Principal(
        user_id=user_id,
        username=username,
        role=role,
        permissions=ROLE_PERMISSIONS[role],
        video_scope=scope,
        registry_scope=registry_scope,
    )


def session_alive(
    last_seen_at: datetime, expires_at: datetime, now: datetime, idle: timedelta
) -> bool:
    """A session lives until its absolute expiry, and dies after `idle` without use."""
    return now < expires_at and now - last_seen_at < idle
