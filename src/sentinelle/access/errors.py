"""Access errors with their stable codes."""

from __future__ import annotations

from sentinelle.core.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    RuleViolation,
    Unauthenticated,
)


def invalid_credentials() -> Unauthenticated:
    return Unauthenticated("invalid_credentials", "wrong username or password")


def account_locked(minutes: int) -> Forbidden:
    return Forbidden(
        "account_locked",
        "account locked after repeated failed logins; try again later or ask an administrator",
        {"retry_after_minutes": minutes},
    )


def account_disabled() -> Forbidden:
    return Forbidden("account_disabled", "this account is disabled")


def invalid_mfa_code() -> Unauthenticated:
    return Unauthenticated("invalid_mfa_code", "the one-time code is wrong or expired")


def challenge_invalid() -> Unauthenticated:
    return Unauthenticated("login_challenge_invalid", "the login step expired; log in again")


def not_authenticated() -> Unauthenticated:
    return Unauthenticated("not_authenticated", "log in first (session missing or expired)")


def permission_denied(permission: str) -> Forbidden:
    return Forbidden(
        "permission_denied", f"your role does not grant {permission}", {"permission": permission}
    )


def habilitation_required() -> Forbidden:
    return Forbidden(
        "habilitation_required",
        "access to video needs a valid habilitation (designated, sworn, not expired)",
    )


def camera_out_of_scope(camera_id: int) -> Forbidden:
    return Forbidden(
        "camera_out_of_scope", "this camera is outside your habilitation", {"camera_id": camera_id}
    )


def csrf_failed() -> Forbidden:
    return Forbidden("csrf_failed", "missing or wrong X-CSRF-Token header for this session")


def weak_password(reason: str) -> InvalidInput:
    return InvalidInput("weak_password", f"password refused: {reason}")


def username_taken(username: str) -> Conflict:
    return Conflict("username_taken", f"username {username!r} already exists")


def invalid_username(username: str) -> InvalidInput:
    return InvalidInput(
        "invalid_username",
        "usernames are 3-64 characters: lowercase letters, digits, '.', '-' or '_'",
        {"username": username},
    )


def user_not_found(ref: object) -> NotFound:
    return NotFound("user_not_found", f"no user {ref}")


def habilitation_not_found(ref: int) -> NotFound:
    return NotFound("habilitation_not_found", f"no habilitation {ref}")


def invalid_habilitation(message: str) -> InvalidInput:
    return InvalidInput("invalid_habilitation", message)


def token_not_found(ref: int) -> NotFound:
    return NotFound("token_not_found", f"no API token {ref}")


def self_administration(what: str) -> RuleViolation:
    return RuleViolation(
        "self_administration_forbidden", f"you cannot {what}; ask another administrator"
    )
