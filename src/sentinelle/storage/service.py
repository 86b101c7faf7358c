"""Storage use cases: catalogue a finished segment (S3 step 5), place and release legal holds.
Each owns its transaction and writes its journal entry in it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sentinelle.audit.models import Actor, AuditAction, EntryDraft
from sentinelle.audit.service import record
from sentinelle.core.clock import ensure_utc
from sentinelle.core.errors import InvalidInput
from sentinelle.registry import repository as registry_repository
from sentinelle.runtime import Runtime
from sentinelle.storage import errors, policy, repository
from sentinelle.storage.models import HoldInput, SegmentState
from sentinelle.storage.tables import HoldItemRow, LegalHoldRow, SegmentRow


@dataclass(frozen=True, slots=True)
class NewSegment:
    """What the segment writer knows of a finished, fsynced, hashed segment file."""

    camera_id: int
    start: datetime
    end: datetime
    path: str  # relative to the recordings root
    size: int
    codec: str
    width: int
    height: int
    fps: float
    keyframes_ms: tuple[int, ...]
    sha256: str
    recovered: bool = False
    mask_version: int | None = None  # server mode: the privacy mask version burnt in
    mask_digest: str | None = None


def do_catalogue_segment(rt: Runtime, new: NewSegment) -> SegmentRow:
    """Insert the segment's row and extend its camera's chain, in one transaction."""
    start, end = ensure_utc(new.start), ensure_utc(new.end)
    if end <= start or new.size <= 0 or len(new.sha256) != 64:
        raise errors.invalid_segment(f"{new.path}: empty, reversed or unhashed segment")
    with rt.db.write() as s:
        last_seq, last_hash = repository.lock_chain(s, new.camera_id)
        mask = policy.mask_of(new.mask_version, new.mask_digest)
        digest = policy.chain_hash(last_hash, new.sha256, new.camera_id, start, end, new.size, mask)
        row = SegmentRow(
            camera_id=new.camera_id,
            start_at=start,
            end_at=end,
            path=new.path,
            bytes=new.size,
            codec=new.codec,
            width=new.width,
            height=new.height,
            fps=new.fps,
            keyframes_ms=list(new.keyframes_ms),
            sha256=new.sha256,
            chain_seq=last_seq + 1,
            chain_hash=digest,
            state=SegmentState.ACTIVE,
            recovered=new.recovered,
            mask_version=new.mask_version,
            mask_digest=new.mask_digest,
            created_at=rt.now(),
        )
        s.add(row)
        s.flush()
        repository.move_chain(s, new.camera_id, row.chain_seq, digest)
    return row


def do_place_hold(rt: Runtime, actor: Actor, data: HoldInput) -> LegalHoldRow:
    """Freeze footage for a procedure: it is excluded from every sweeper until released."""
    now = rt.now()
    with rt.db.write() as s:
        for camera_id in sorted({item.camera_id for item in data.items}):
            registry_repository.get_camera(s, camera_id)
            repository.lock_chain(s, camera_id)  # a sweep of this camera waits for the hold
        hold = LegalHoldRow(
            ground=data.ground,
            procedure_number=data.procedure_number,
            authority=data.authority,
            reason=data.reason,
            until=data.until,
            placed_by=actor.name,
            placed_at=now,
            release_reason="",
            items=[
                HoldItemRow(camera_id=i.camera_id, start_at=i.start, end_at=i.end)
                for i in data.items
            ],
        )
        s.add(hold)
        s.flush()
        record(
            s,
            EntryDraft(
                actor,
                AuditAction.HOLD_PLACED,
                "legal_hold",
                str(hold.id),
                reason=data.reason,
                details=data.model_dump(mode="json", exclude={"reason"}),
            ),
            now,
        )
    return hold


def do_release_hold(rt: Runtime, actor: Actor, hold_id: int, reason: str) -> LegalHoldRow:
    """Release a hold; footage past its retention is destroyed at the next sweep."""
    if not reason.strip():
        raise InvalidInput("reason_required", "say why the hold is released (e.g. closing order)")
    now = rt.now()
    with rt.db.write() as s:
        hold = repository.get_hold(s, hold_id)
        if hold.released_at is not None:
            raise errors.hold_already_released(hold_id)
        hold.released_at = now
        hold.released_by = actor.name
        hold.release_reason = reason.strip()
        record(
            s,
            EntryDraft(
                actor,
                AuditAction.HOLD_RELEASED,
                "legal_hold",
                str(hold.id),
                reason=reason.strip(),
                details={"procedure_number": hold.procedure_number},
            ),
            now,
        )
    return hold
