"""Playback errors with their stable codes."""

from __future__ import annotations

from datetime import datetime

from sentinelle.core.errors import Forbidden, InvalidInput, NotFound


def reason_required() -> InvalidInput:
    return InvalidInput(
        "reason_required", "say why the footage is accessed (a reason or a requisition number)"
    )


def invalid_range(start: datetime, end: datetime) -> InvalidInput:
    return InvalidInput(
        "invalid_range",
        "the period must end after it starts",
        {"from": start.isoformat(), "to": end.isoformat()},
    )


def range_in_future(start: datetime) -> InvalidInput:
    return InvalidInput(
        "range_in_future", "the period starts in the future", {"from": start.isoformat()}
    )


def range_too_long(hours: float) -> InvalidInput:
    return InvalidInput(
        "range_too_long", f"a playback covers at most {hours:g} hours", {"max_hours": hours}
    )


def instant_in_future(at: datetime) -> InvalidInput:
    return InvalidInput(
        "instant_in_future", "this instant is in the future", {"at": at.isoformat()}
    )


def invalid_grant() -> NotFound:
    return NotFound("invalid_grant", "no such playback grant (altered or malformed)")


def grant_expired(expired_at: datetime) -> Forbidden:
    return Forbidden(
        "grant_expired",
        "this playback grant has expired; open the playback again",
        {"expired_at": expired_at.isoformat()},
    )


def grant_not_yours() -> Forbidden:
    return Forbidden("grant_not_yours", "this playback grant was given to another user")


def camera_not_in_grant(camera_id: int) -> Forbidden:
    return Forbidden(
        "camera_not_in_grant",
        "this camera is not part of this playback",
        {"camera_id": camera_id},
    )


def segment_not_found(segment_id: int) -> NotFound:
    return NotFound(
        "segment_not_found", f"no segment {segment_id} in this playback", {"segment_id": segment_id}
    )


def footage_destroyed(segment_id: int) -> NotFound:
    return NotFound(
        "footage_destroyed",
        "this footage has been destroyed (retention or capacity)",
        {"segment_id": segment_id},
    )


def segment_file_missing(segment_id: int) -> NotFound:
    return NotFound(
        "segment_file_missing",
        "the file of this segment is missing; run `sentinelle storage check`",
        {"segment_id": segment_id},
    )


def no_footage(camera_id: int, at: datetime) -> NotFound:
    return NotFound(
        "no_footage",
        "no recorded footage of this camera at this instant (the last minute is available "
        "once its segment ends)",
        {"camera_id": camera_id, "at": at.isoformat()},
    )


def undecodable_footage(segment_id: int, problem: str) -> NotFound:
    return NotFound(
        "undecodable_footage",
        f"no picture could be decoded at this instant: {problem}",
        {"segment_id": segment_id},
    )
