"""The sweepers: time (retention) and capacity (free space), with two-phase deletion (S7–S10).

Per camera and batch: phase 1 in one transaction — lock the camera's chain head (holds being
placed wait for it, and it waits for them), read its holds, decide each candidate with
`is_deletable`, mark the chosen segments `deleting` and write the register lines (one per
contiguous run of the chain and reason) and the journal entry; phase 2 unlink the files;
phase 3 remove the rows. A crash between phases is finished by `finish_interrupted`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from sentinelle.audit.models import Actor, AuditAction, EntryDraft
from sentinelle.audit.service import record
from sentinelle.runtime import Runtime
from sentinelle.storage import layout, policy, repository
from sentinelle.storage.models import DestructionReason, Span, Sweep
from sentinelle.storage.repository import CameraRetention
from sentinelle.storage.tables import DestructionRow, SegmentRow

log = logging.getLogger(__name__)
BATCH = 2_000
ACTOR = Actor.system("storage")


@dataclass
class SweepReport:
    sweep: Sweep
    segments: int = 0
    bytes: int = 0
    register_lines: int = 0
    cameras: set[str] = field(default_factory=set)
    shortfall_bytes: int = 0  # capacity sweep: space it could not free lawfully


Chosen = list[tuple[SegmentRow, DestructionReason]]


def sweep_time(rt: Runtime, batch: int = BATCH) -> SweepReport:
    """Destroy every segment past its camera's retention (and not held)."""
    report = SweepReport(Sweep.TIME)
    finish_interrupted(rt)
    with rt.db.read() as s:
        cameras = repository.retention_of_cameras(s)
    now = rt.now()
    for camera in cameras:
        cutoff = now - policy.effective_retention_days(camera.terms) * policy.DAY
        after_seq = 0
        while True:
            with rt.db.write() as s:
                rows, chosen = _decide(s, camera, cutoff, after_seq, batch, now, Sweep.TIME)
                if chosen:
                    _phase_one(s, camera, chosen, now, report)
            _phases_two_three(rt, [row for row, _ in chosen])
            if len(rows) < batch:
                break
            after_seq = rows[-1].chain_seq
    return report


def sweep_all(rt: Runtime) -> tuple[SweepReport, SweepReport]:
    """Both sweepers, the time sweeper first, on the real volume."""
    data_dir = rt.settings.resolved_data_dir
    wanted = layout.wanted_free_bytes(data_dir, rt.settings.storage_min_free_percent)
    timed = sweep_time(rt)
    return timed, sweep_capacity(rt, lambda: layout.free_bytes(data_dir), wanted)


def sweep_capacity(
    rt: Runtime, free_bytes: Callable[[], int], wanted_free: int, batch: int = BATCH
) -> SweepReport:
    """When free space is under `wanted_free`, destroy the oldest lawful footage until it is
    not; say so loudly when the law leaves nothing more to destroy."""
    report = SweepReport(Sweep.CAPACITY)
    free = free_bytes()
    if free >= wanted_free:
        return report
    _journal(rt, AuditAction.STORAGE_SPACE_LOW, {"free_bytes": free, "wanted": wanted_free})
    log.warning("storage: %d bytes free, %d wanted: destroying oldest footage", free, wanted_free)
    with rt.db.read() as s:
        cameras = {c.camera_id: c for c in repository.retention_of_cameras(s)}
    need, now = wanted_free - free, rt.now()
    while need > 0:
        with rt.db.read() as s:
            oldest = repository.oldest_candidates(s, now - policy.DAY, batch)
        freed = _destroy_oldest(rt, cameras, oldest, need, now, report)
        need -= freed
        if freed == 0 or len(oldest) < batch:
            break
    if need > 0:
        report.shortfall_bytes = need
        _journal(rt, AuditAction.STORAGE_SPACE_EXHAUSTED, {"shortfall_bytes": need})
        log.error("storage: cannot free %d more bytes without breaking retention or holds", need)
    return report


def _destroy_oldest(
    rt: Runtime,
    cameras: dict[int, CameraRetention],
    oldest: Sequence[SegmentRow],
    need: int,
    now: datetime,
    report: SweepReport,
) -> int:
    freed = 0
    by_camera: dict[int, list[SegmentRow]] = {}
    for row in oldest:
        by_camera.setdefault(row.camera_id, []).append(row)
    for camera_id, rows in by_camera.items():
        if freed >= need:
            break
        camera = cameras[camera_id]
        last = rows[-1]
        with rt.db.write() as s:
            _, chosen = _decide(
                s, camera, last.end_at, rows[0].chain_seq - 1, len(rows), now, Sweep.CAPACITY
            )
            chosen = chosen[: _enough(chosen, need - freed)]
            if chosen:
                _phase_one(s, camera, chosen, now, report)
        _phases_two_three(rt, [row for row, _ in chosen])
        freed += sum(row.bytes for row, _ in chosen)
    return freed


def _enough(chosen: Chosen, need: int) -> int:
    total = 0
    for i, (row, _) in enumerate(chosen):
        total += row.bytes
        if total >= need:
            return i + 1
    return len(chosen)


def _decide(
    s: Session,
    camera: CameraRetention,
    ended_before: datetime,
    after_seq: int,
    batch: int,
    now: datetime,
    sweep: Sweep,
) -> tuple[list[SegmentRow], Chosen]:
    """Lock the camera's chain, then apply `is_deletable` to its candidates."""
    repository.lock_chain(s, camera.camera_id)
    active, released = repository.hold_spans(s, camera.camera_id)
    rows = repository.candidates(s, camera.camera_id, ended_before, after_seq, batch)
    chosen: Chosen = []
    for row in rows:
        decision = policy.is_deletable(
            Span(row.start_at, row.end_at),
            camera.terms,
            active[camera.camera_id],
            released[camera.camera_id],
            now,
            sweep,
        )
        if decision.deletable and decision.reason is not None:
            chosen.append((row, decision.reason))
    return rows, chosen


def _phase_one(
    s: Session, camera: CameraRetention, chosen: Chosen, now: datetime, report: SweepReport
) -> None:
    """Mark `deleting`, write the register lines and the journal entry (one transaction)."""
    repository.mark_deleting(s, [row.id for row, _ in chosen])
    runs = _runs(chosen)
    for run, reason in runs:
        s.add(
            DestructionRow(
                camera_id=camera.camera_id,
                camera_code=camera.code,
                start_at=run[0].start_at,
                end_at=run[-1].end_at,
                segments=len(run),
                bytes=sum(r.bytes for r in run),
                reason=reason,
                destroyed_at=now,
                first_seq=run[0].chain_seq,
                last_seq=run[-1].chain_seq,
                last_hash=run[-1].chain_hash,
                completed=False,
            )
        )
    size = sum(row.bytes for row, _ in chosen)
    details = {
        "code": camera.code,
        "segments": len(chosen),
        "bytes": size,
        "sweep": report.sweep,
        "from": chosen[0][0].start_at.isoformat(),
        "to": chosen[-1][0].end_at.isoformat(),
    }
    record(
        s,
        EntryDraft(
            ACTOR,
            AuditAction.FOOTAGE_DESTROYED,
            "camera",
            str(camera.camera_id),
            camera_id=camera.camera_id,
            details=details,
        ),
        now,
    )
    report.segments += len(chosen)
    report.bytes += size
    report.register_lines += len(runs)
    report.cameras.add(camera.code)


def _runs(chosen: Chosen) -> list[tuple[list[SegmentRow], DestructionReason]]:
    """Split into runs of consecutive chain positions with one reason (one register line each)."""
    runs: list[tuple[list[SegmentRow], DestructionReason]] = []
    for row, reason in chosen:
        if runs and runs[-1][1] is reason and runs[-1][0][-1].chain_seq == row.chain_seq - 1:
            runs[-1][0].append(row)
        else:
            runs.append(([row], reason))
    return runs


def _phases_two_three(rt: Runtime, rows: Sequence[SegmentRow]) -> None:
    if not rows:
        return
    _unlink(rt, [row.path for row in rows])
    with rt.db.write() as s:
        repository.remove_segments(s, [row.id for row in rows])
        repository.complete_destructions(s)


def _unlink(rt: Runtime, paths: Sequence[str]) -> None:
    root = layout.recordings_root(rt.settings.resolved_data_dir)
    directories: set[Path] = set()
    for rel in paths:
        path = root / rel
        layout.unlink_with_derived(path)
        directories.add(path.parent)
    for directory in directories:
        if directory.exists():
            layout.fsync_dir(directory)


def finish_interrupted(rt: Runtime) -> int:
    """Complete deletions a crash interrupted after phase 1 (files, then rows)."""
    with rt.db.read() as s:
        pending = repository.deleting_segments(s)
    if pending:
        _unlink(rt, [path for _, path in pending])
        with rt.db.write() as s:
            repository.remove_segments(s, [segment_id for segment_id, _ in pending])
            repository.complete_destructions(s)
    return len(pending)


def _journal(rt: Runtime, action: AuditAction, details: dict[str, object]) -> None:
    with rt.db.write() as s:
        record(s, EntryDraft(ACTOR, action, "storage", "", details=details), rt.now())
