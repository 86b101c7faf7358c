"""Pure decisions of playback: what a valid reason and a valid period are."""

from __future__ import annotations

from datetime import datetime, timedelta

from sentinelle.playback import errors
from sentinelle.playback.models import LONGEST_PLAYBACK


def check_reason(reason: str) -> str:
    """Every access to video states why (E1): a blank reason is refused."""
    cleaned = reason.strip()
    if not cleaned:
        raise errors.reason_required()
    return cleaned


def check_range(
    start: datetime, end: datetime, now: datetime, longest: timedelta = LONGEST_PLAYBACK
) -> None:
    """A period ends after it starts, does not start in the future, and is not too long."""
    if end <= start:
        raise errors.invalid_range(start, end)
    if start > now:
        raise errors.range_in_future(start)
    if end - start > longest:
        raise errors.range_too_long(longest.total_seconds() / 3600)


def check_instant(at: datetime, now: datetime) -> None:
    if at > now:
        raise errors.instant_in_future(at)
