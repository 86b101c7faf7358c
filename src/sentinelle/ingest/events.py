"""Camera health events: what a session saw happen to its stream (invariant S13).

A `disconnected` event opens a gap and names why (`GapReason`); the next `connected` event of
the camera closes it. The other kinds are facts about a stream that keeps being recorded.
Events are emitted by sessions and the worker, buffered in memory, and persisted by the
worker in `camera_events` (they wait while the database is unavailable).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

DETAIL_MAX = 500


class EventKind(StrEnum):
    """Every kind of camera event. Values are stable: they are stored and served."""

    CONNECTED = "connected"  # packets flow: a gap, if any, ends
    DISCONNECTED = "disconnected"  # a gap begins; `reason` says why
    STOPPED = "stopped"  # recording stopped on purpose (shutdown, left lawful service)
    WITHDRAWN = "withdrawn"  # left lawful service (rule 1): not recorded until `connected`
    STREAM_CHANGED = "stream_changed"  # codec parameters changed: the segment was cut
    TIMESTAMP_JUMP = "timestamp_jump"  # the stream's clock jumped: re-anchored, segment cut
    NO_KEYFRAME = "no_keyframe"  # no keyframe for too long (misconfigured GOP)
    CORRUPT_DATA = "corrupt_data"  # unreadable data skipped; the stream went on
    STORAGE_ERROR = "storage_error"  # the segment could not be written (disk full, read-only)
    RECOVERED = "recovered"  # a partial segment left by a crash was recovered
    NONCONFORMING = "nonconforming"  # stored resolution or frame rate below the 2007 standard
    CONFORMING = "conforming"  # back to conformity
    MASK_AUDIT_FAILED = "mask_audit_failed"  # detail seen inside a camera's own privacy mask
    MASK_UNVERIFIED = "mask_unverified"  # no conclusive mask audit for hours (privacy)
    # server-mode burn-in of privacy masks (ingest.burnin): frames are dropped, never leaked
    PRIVACY_BURNIN_FAILED = "privacy_burnin_failed"  # decoder, encoder or masks failed: a gap
    PRIVACY_ENCODER_OVERLOAD = "privacy_encoder_overload"  # behind real time: frames dropped
    PRIVACY_MASKS_APPLIED = "privacy_masks_applied"  # a new mask version burnt in (an IDR)


class GapReason(StrEnum):
    """Why a camera stopped being recorded (the reason of a `disconnected` event)."""

    UNREACHABLE = "unreachable"  # could not connect
    LOST = "lost"  # connection lost or unreadable stream
    STALLED = "stalled"  # no packet within the stall time-out
    END_OF_STREAM = "end_of_stream"  # the source ended (file sources loop)
    STORAGE = "storage"  # the writer failed (disk full, read-only data directory)


@dataclass(frozen=True, slots=True)
class SessionEvent:
    camera_id: int
    kind: EventKind
    at: datetime
    detail: str = ""
    reason: GapReason | None = None
