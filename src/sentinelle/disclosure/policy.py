"""Pure decisions of the disclosure use cases."""

from __future__ import annotations

from datetime import datetime, timedelta

from sentinelle.disclosure.models import DisclosureStatus

VIEW_ENTRY_EVERY = timedelta(minutes=15)  # one journal entry per viewer per quarter hour


def needs_view_entry(last: datetime | None, now: datetime) -> bool:
    """Whether showing review frames to a viewer is journalled again (D1): the first look,
    then at most once per `VIEW_ENTRY_EVERY` of continued review."""
    return last is None or now - last >= VIEW_ENTRY_EVERY


def cancellable(status: str) -> bool:
    return status not in {
        DisclosureStatus.DONE,
        DisclosureStatus.FAILED,
        DisclosureStatus.CANCELLED,
    }
