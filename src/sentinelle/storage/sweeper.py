"""The sweepers: time (retention) and capacity (free space), with two-phase deletion (S7–S10).

A sweep goes through the catalogue in windows of segment end times, oldest first, each
window holding about `batch` segments of all the cameras swept (so that each database page is
rewritten about once, as rows are stored in recording order). Per window: phase 1 in one
transaction — lock the cameras' chain heads in camera order (holds being placed and segments
being catalogued wait for them, and they for those), read the holds, decide each candidate
with `is_deletable`, mark the chosen segments `deleting` by runs of their chains, write the
register lines (one per contiguous run of a chain and reason) and one journal entry; phase 2
unlink the files — the segments, their derived files and their copies kept elsewhere
(`layout.unlink_copies`: playback's masked re-encodings), so that no copy outlives its
footage, whatever destroyed it (retention, a released hold, capacity); phase 3 remove the rows
and complete the register lines written in phase 1. A crash between phases is finished by
`finish_interrupted`, copies included.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import groupby

from sqlalchemy.orm import Session

from sentinelle.audit.models import Actor, AuditAction, EntryDraft
from sentinelle.audit.service import record
from sentinelle.runtime import Runtime
from sentinelle.storage import layout, policy, repository
from sentinelle.storage.models import DestructionReason, Span, Sweep
from sentinelle.storage.repository import CameraRetention, Candidate, ChainRange
from sentinelle.storage.tables import DestructionRow

log = logging.getLogger(__name__)
BATCH = 100_000  # segments per window of the time sweep
CAPACITY_BATCH = 2_000  # the capacity sweep stops as soon as enough space is free
ACTOR = Actor.system("storage")


@dataclass
class SweepReport:
    sweep: Sweep
    segments: int = 0
    bytes: int = 0
    register_lines: int = 0
    cameras: set[str] = field(default_factory=set)
    shortfall_bytes: int = 0  # capacity sweep: space it could not free lawfully


Chosen = list[tuple[Candidate, DestructionReason]]
Cameras = dict[int, CameraRetention]


@dataclass(frozen=True, slots=True)
class Run:
    """Consecutive chain positions of one camera destroyed for one reason: a register line."""

    camera_id: int
    reason: DestructionReason
    segments: list[Candidate]

    @property
    def bytes(self) -> int:
        return sum(row.bytes for row in self.segments)

    @property
    def range(self) -> ChainRange:
        return self.camera_id, self.segments[0].chain_seq, self.segments[-1].chain_seq


@dataclass(frozen=True, slots=True)
class Window:
    """The segments of `cameras` whose end is in (`after`, `upto`]: one batch of a sweep."""

    cameras: Cameras
    after: datetime | None
    upto: datetime


def sweep_time(rt: Runtime, batch: int = BATCH) -> SweepReport:
    """Destroy every segment past its camera's retention (and not held)."""
    report = SweepReport(Sweep.TIME)
    finish_interrupted(rt)
    with rt.db.read() as s:
        cameras = repository.retention_of_cameras(s)
    now = rt.now()
    for cutoff, group in _by_cutoff(cameras, now).items():
        after: datetime | None = None
        while after != cutoff:
            window = _next_window(rt, group, after, cutoff, batch)
            _destroy(rt, window, now, report)
            after = window.upto
    return report


def _by_cutoff(cameras: Iterable[CameraRetention], now: datetime) -> dict[datetime, Cameras]:
    """Cameras grouped by the instant before which their footage is past retention."""
    groups: dict[datetime, Cameras] = defaultdict(dict)
    for camera in cameras:
        cutoff = now - policy.effective_retention_days(camera.terms) * policy.DAY
        groups[cutoff][camera.camera_id] = camera
    return groups


def _next_window(
    rt: Runtime, cameras: Cameras, after: datetime | None, ended_before: datetime, batch: int
) -> Window:
    with rt.db.read() as s:
        return Window(cameras, after, repository.window_end(s, after, ended_before, batch))


def sweep_all(rt: Runtime) -> tuple[SweepReport, SweepReport]:
    """Both sweepers, the time sweeper first, on the real volume."""
    data_dir = rt.settings.resolved_data_dir
    wanted = layout.wanted_free_bytes(data_dir, rt.settings.storage_min_free_percent)
    timed = sweep_time(rt)
    return timed, sweep_capacity(rt, lambda: layout.free_bytes(data_dir), wanted)


def sweep_capacity(
    rt: Runtime, free_bytes: Callable[[], int], wanted_free: int, batch: int = CAPACITY_BATCH
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
    floor = now - policy.DAY  # no authorisation's minimum is shorter than a day
    after: datetime | None = None
    while need > 0 and after != floor:
        window = _next_window(rt, cameras, after, floor, batch)
        need -= _destroy(rt, window, now, report, need)
        after = window.upto
    if need > 0:
        report.shortfall_bytes = need
        _journal(rt, AuditAction.STORAGE_SPACE_EXHAUSTED, {"shortfall_bytes": need})
        log.error("storage: cannot free %d more bytes without breaking retention or holds", need)
    return report


def _destroy(
    rt: Runtime, window: Window, now: datetime, report: SweepReport, need: int | None = None
) -> int:
    """The three phases on one window, oldest first and only up to `need` bytes when given;
    the bytes destroyed."""
    with rt.db.write() as s:
        repository.lock_chains(s, sorted(window.cameras))
        chosen = _decide(s, window, now, report.sweep)
        if need is not None:
            chosen = chosen[: _enough(chosen, need)]
        runs = _runs(chosen)
        line_ids = _phase_one(s, window.cameras, runs, now, report) if runs else []
    _phases_two_three(rt, runs, line_ids)
    return sum(row.bytes for row, _ in chosen)


def _enough(chosen: Chosen, need: int) -> int:
    total = 0
    for i, (row, _) in enumerate(chosen):
        total += row.bytes
        if total >= need:
            return i + 1
    return len(chosen)


def _decide(s: Session, window: Window, now: datetime, sweep: Sweep) -> Chosen:
    """Apply `is_deletable` to each candidate of the window (its chains being locked), oldest
    end first."""
    active, released = repository.hold_spans(s)
    chosen: Chosen = []
    ids = list(window.cameras)
    for row in repository.candidates(s, ids, window.after, window.upto):
        decision = policy.is_deletable(
            Span(row.start_at, row.end_at),
            window.cameras[row.camera_id].terms,
            active[row.camera_id],
            released[row.camera_id],
            now,
            sweep,
        )
        if decision.deletable and decision.reason is not None:
            chosen.append((row, decision.reason))
    return chosen


def _runs(chosen: Chosen) -> list[Run]:
    """Split into runs of consecutive chain positions of a camera with one reason."""
    runs: list[Run] = []
    for row, reason in sorted(chosen, key=lambda c: (c[0].camera_id, c[0].chain_seq)):
        last = runs[-1] if runs else None
        if (
            last is not None
            and last.camera_id == row.camera_id
            and last.reason is reason
            and last.segments[-1].chain_seq == row.chain_seq - 1
        ):
            last.segments.append(row)
        else:
            runs.append(Run(row.camera_id, reason, [row]))
    return runs


def _phase_one(
    s: Session, cameras: Cameras, runs: list[Run], now: datetime, report: SweepReport
) -> list[int]:
    """Mark `deleting`, write the register lines and the journal entry (in the caller's
    transaction); the ids of the register lines."""
    repository.mark_deleting(s, [run.range for run in runs])
    lines = [_register_line(cameras[run.camera_id], run, now) for run in runs]
    s.add_all(lines)
    s.flush()
    record(s, _journal_entry(report.sweep, cameras, runs), now)
    for run in runs:
        report.segments += len(run.segments)
        report.bytes += run.bytes
        report.cameras.add(cameras[run.camera_id].code)
    report.register_lines += len(lines)
    return [line.id for line in lines]


def _register_line(camera: CameraRetention, run: Run, now: datetime) -> DestructionRow:
    first, last = run.segments[0], run.segments[-1]
    return DestructionRow(
        camera_id=camera.camera_id,
        camera_code=camera.code,
        start_at=first.start_at,
        end_at=last.end_at,
        segments=len(run.segments),
        bytes=run.bytes,
        reason=run.reason,
        destroyed_at=now,
        first_seq=first.chain_seq,
        last_seq=last.chain_seq,
        last_hash=last.chain_hash,
        completed=False,
    )


def _journal_entry(sweep: Sweep, cameras: Cameras, runs: list[Run]) -> EntryDraft:
    """One entry for the window, with per camera its code, segments, bytes and time range (the
    register holds the detail of each run). `runs` are in camera order."""
    per_camera = [
        _camera_detail(cameras[camera_id].code, list(of_camera))
        for camera_id, of_camera in groupby(runs, key=lambda run: run.camera_id)
    ]
    details = {
        "sweep": sweep,
        "segments": sum(len(run.segments) for run in runs),
        "bytes": sum(run.bytes for run in runs),
        "register_lines": len(runs),
        "cameras": per_camera,
    }
    return EntryDraft(ACTOR, AuditAction.FOOTAGE_DESTROYED, "storage", str(sweep), details=details)


def _camera_detail(code: str, runs: list[Run]) -> dict[str, object]:
    return {
        "code": code,
        "segments": sum(len(run.segments) for run in runs),
        "bytes": sum(run.bytes for run in runs),
        "from": runs[0].segments[0].start_at.isoformat(),
        "to": runs[-1].segments[-1].end_at.isoformat(),
    }


def _phases_two_three(rt: Runtime, runs: Sequence[Run], line_ids: Sequence[int]) -> None:
    if not runs:
        return
    _unlink(rt, [(row.camera_id, row.id, row.path) for run in runs for row in run.segments])
    with rt.db.write() as s:
        repository.remove_runs(s, [run.range for run in runs])
        repository.complete_lines(s, line_ids)


def _unlink(rt: Runtime, segments: Sequence[tuple[int | None, int, str]]) -> None:
    """Phase 2 for these (camera id, segment id, path): the segment files and their derived
    files, one directory at a time, then their copies kept elsewhere."""
    data_dir = rt.settings.resolved_data_dir
    root = layout.recordings_root(data_dir)
    by_directory: dict[str, list[str]] = defaultdict(list)
    for _, _, rel in segments:
        directory, _, name = rel.rpartition("/")
        by_directory[directory].append(name)
    for directory, names in by_directory.items():
        layout.unlink_segments(root / directory, names)
    owned = [(camera, segment) for camera, segment, _ in segments if camera is not None]
    copies = layout.unlink_copies(data_dir, owned)
    if copies:
        log.info("storage: %d copy(ies) of destroyed segments removed", len(copies))


def finish_interrupted(rt: Runtime) -> int:
    """Complete deletions a crash interrupted after phase 1 (files, then rows, then register
    lines); the number of segments finished."""
    finished = 0
    while True:
        with rt.db.read() as s:
            pending = repository.deleting_segments(s)
        if not pending:
            break
        _unlink(rt, [(_camera_of(path), segment_id, path) for segment_id, path in pending])
        with rt.db.write() as s:
            repository.remove_segments(s, [segment_id for segment_id, _ in pending])
            repository.complete_destructions(s)
        finished += len(pending)
    return finished


def _camera_of(path: str) -> int | None:
    """The camera of a catalogue path (`layout.relative_path`: it begins with the camera id)."""
    head = path.split("/", 1)[0]
    return int(head) if head.isdigit() else None


def _journal(rt: Runtime, action: AuditAction, details: dict[str, object]) -> None:
    with rt.db.write() as s:
        record(s, EntryDraft(ACTOR, action, "storage", "", details=details), rt.now())
