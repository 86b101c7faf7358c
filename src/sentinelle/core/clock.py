"""Time source. Code asks an injected `Clock` for the time; tests move a `FakeClock`.

Inside Sentinelle every instant is an aware UTC `datetime`; local time (the site's time zone)
appears only at the edges: console, reports, and calendar dates fixed by law (an authorisation
expires at the end of a day in the site's time zone).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo


class Clock(Protocol):
    """Anything that tells the current instant (aware, UTC)."""

    def now(self) -> datetime: ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FakeClock:
    """A clock tests set and move by hand."""

    def __init__(self, start: datetime) -> None:
        self._now = ensure_utc(start)

    def now(self) -> datetime:
        return self._now

    def set(self, instant: datetime) -> None:
        self._now = ensure_utc(instant)

    def advance(self, delta: timedelta) -> None:
        self._now += delta


def ensure_utc(instant: datetime) -> datetime:
    """Return `instant` in UTC; refuse naive datetimes, which are bugs inside Sentinelle."""
    if instant.tzinfo is None:
        msg = "naive datetime: Sentinelle only handles aware instants"
        raise ValueError(msg)
    return instant.astimezone(UTC)


def local_date(instant: datetime, tz: ZoneInfo) -> date:
    """The calendar date of `instant` in the site's time zone."""
    return ensure_utc(instant).astimezone(tz).date()


def to_micros(instant: datetime) -> int:
    """Microseconds since the Unix epoch, the journal's engine-neutral time representation."""
    delta = ensure_utc(instant) - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_micros(micros: int) -> datetime:
    """Inverse of `to_micros`."""
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=micros)
