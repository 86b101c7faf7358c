"""Live-view errors with their stable codes."""

from __future__ import annotations

from datetime import datetime

from sentinelle.core.errors import Forbidden, InvalidInput, RuleViolation, Unavailable


def reason_required() -> InvalidInput:
    return InvalidInput("reason_required", "external viewers say why they watch the cameras")


def camera_not_lawful(camera_id: int) -> RuleViolation:
    return RuleViolation(
        "camera_not_lawful",
        "this camera is not in service under a valid authorisation: it is not shown",
        {"camera_id": camera_id},
    )


def invalid_grant() -> Forbidden:
    return Forbidden("invalid_grant", "this live grant is not valid")


def grant_expired(at: datetime) -> Forbidden:
    return Forbidden("grant_expired", "this live grant has expired", {"expired_at": at.isoformat()})


def grant_not_yours() -> Forbidden:
    return Forbidden("grant_not_yours", "this live grant was issued to another user")


def feed_unavailable(camera_id: int, detail: str) -> Unavailable:
    return Unavailable(
        "live_unavailable", f"no live feed for this camera: {detail}", {"camera_id": camera_id}
    )
