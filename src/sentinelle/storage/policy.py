"""Pure storage decisions: the one `is_deletable` policy (invariants S7–S9) and the segment
chain rule (S4)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime, timedelta

from sentinelle.storage.models import (
    Decision,
    DestructionReason,
    RetentionTerms,
    Span,
    Sweep,
)

DAY = timedelta(days=1)


def effective_retention_days(terms: RetentionTerms) -> int:
    """The camera's retention clamped into its authorisation's bounds."""
    low = terms.minimum_days or 1
    return max(low, min(terms.retention_days, terms.maximum_days))


def minimum_days(terms: RetentionTerms) -> int:
    return terms.minimum_days or 1


def is_deletable(
    segment: Span,
    terms: RetentionTerms,
    active_holds: Iterable[Span],
    released_holds: Iterable[Span],
    now: datetime,
    sweep: Sweep,
) -> Decision:
    """May this segment be destroyed now by `sweep`? The only place this is decided.

    - never while it overlaps an active legal hold;
    - the time sweep destroys it once its end is older than the effective retention;
    - the capacity sweep may destroy it earlier, but never before the minimum retention.
    """
    if any(segment.overlaps(hold) for hold in active_holds):
        return Decision(False, None, "under a legal hold")
    age = now - segment.end
    if sweep is Sweep.TIME:
        if age < effective_retention_days(terms) * DAY:
            return Decision(False, None, "within its retention period")
        was_held = any(segment.overlaps(hold) for hold in released_holds)
        reason = DestructionReason.HOLD_RELEASE if was_held else DestructionReason.RETENTION_EXPIRY
        return Decision(True, reason, "retention period over")
    if age < minimum_days(terms) * DAY:
        return Decision(False, None, "within the authorisation's minimum retention")
    return Decision(True, DestructionReason.CAPACITY, "oldest footage, storage full")


def chain_hash(
    prev_hash: str,
    sha256: str,
    camera_id: int,
    start: datetime,
    end: datetime,
    size: int,
    mask: tuple[int, str] | None = None,
) -> str:
    """Link of a segment in its camera's chain (S4). A segment the server masked (burn-in)
    also binds its mask version and digest (`mask`), so that the catalogue cannot be edited
    to pass camera-mode footage off as masked; other segments' links are as before."""
    text = f"{prev_hash}|{sha256}|{camera_id}|{start.isoformat()}|{end.isoformat()}|{size}"
    if mask is not None:
        text += f"|mask={mask[0]}:{mask[1]}"
    return hashlib.sha256(text.encode()).hexdigest()


def mask_of(version: int | None, digest: str | None) -> tuple[int, str] | None:
    """The `mask` part of a segment's link: its burnt-in version and digest, if any."""
    return None if version is None else (version, digest or "")
