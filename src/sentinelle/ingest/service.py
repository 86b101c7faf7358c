"""Ingest use cases outside the sessions: persisting and reading camera health events."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sentinelle.ingest import repository
from sentinelle.ingest.events import SessionEvent
from sentinelle.runtime import Runtime


def record_events(rt: Runtime, events: Sequence[SessionEvent]) -> None:
    """Persist events in one transaction (raises if the database is unavailable)."""
    with rt.db.write() as s:
        repository.add_events(s, events)


def camera_events(
    rt: Runtime, camera_id: int, start: datetime, end: datetime, limit: int = 1_000
) -> list[SessionEvent]:
    """A camera's health events in [start, end), oldest first."""
    with rt.db.read() as s:
        return repository.events_between(s, camera_id, start, end, limit)
