"""The disclosure jobs run by the job runner: the analysis (detectors and tracker over every
frame of the source) and the render (the redacted file, its signed log, the package). A job
interrupted by a restart is queued again from the start: both are deterministic functions of
the source file and the saved plan, and nothing half-written is ever kept (D5)."""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from sentinelle.audit.models import Actor, ActorKind, AuditAction
from sentinelle.audit.service import record
from sentinelle.core.errors import SentinelleError, Unavailable
from sentinelle.disclosure import errors, package, source
from sentinelle.disclosure.models import DisclosureStatus
from sentinelle.disclosure.service import (
    ANALYSIS_FILE,
    analysis_of,
    disclosures_dir,
    entry,
    get_disclosure,
    plan_of,
)
from sentinelle.disclosure.tables import DisclosureRow
from sentinelle.evidence import service as evidence
from sentinelle.evidence.package import PackageWriter
from sentinelle.evidence.signing import load_signer
from sentinelle.privacy.anonymise import analysis, serial
from sentinelle.runtime import Runtime

log = logging.getLogger(__name__)
_PROGRESS_EVERY = 1.0  # seconds between progress writes (and cancellation checks)
_NEXT = {
    DisclosureStatus.QUEUED: DisclosureStatus.ANALYSING,
    DisclosureStatus.RENDER_QUEUED: DisclosureStatus.RENDERING,
}


@dataclass
class _Progress:
    """Writes progress at most every `_PROGRESS_EVERY` seconds; raises `Cancelled` when asked."""

    rt: Runtime
    disclosure_id: int
    last: float = 0.0

    def __call__(self, fraction: float) -> None:
        now = time.monotonic()
        if now - self.last < _PROGRESS_EVERY:
            return
        self.last = now
        with self.rt.db.write() as s:
            row = s.get(DisclosureRow, self.disclosure_id)
            assert row is not None  # noqa: S101 - disclosures are never deleted
            row.progress = min(max(fraction, 0.0), 0.99)
            cancelled = row.cancel_requested
        if cancelled:
            raise errors.Cancelled


def claim_next(rt: Runtime, disclosure_id: int | None = None) -> int | None:
    """The oldest disclosure waiting for a job (analysis or render), now marked running by
    this caller; None when there is none."""
    stmt = sa.select(DisclosureRow).where(DisclosureRow.status.in_(list(_NEXT)))
    if disclosure_id is not None:
        stmt = stmt.where(DisclosureRow.id == disclosure_id)
    with rt.db.write() as s:
        row = s.execute(
            stmt.order_by(DisclosureRow.id).limit(1).with_for_update(skip_locked=True)
        ).scalar_one_or_none()
        if row is None:
            return None
        row.status = _NEXT[DisclosureStatus(row.status)]
        row.progress = 0.0
        return row.id


def run(rt: Runtime, disclosure_id: int) -> DisclosureRow:
    """Run a claimed job; whatever happens its outcome is written (and journalled when it
    ends the disclosure). Returns the disclosure as the job left it."""
    row = get_disclosure(rt, disclosure_id)
    try:
        if row.status == DisclosureStatus.ANALYSING:
            _analyse(rt, row)
        else:
            _render(rt, row)
    except errors.Cancelled:
        _ended(rt, row.id, DisclosureStatus.CANCELLED, None)
    except SentinelleError as exc:
        _ended(rt, row.id, DisclosureStatus.FAILED, exc)
    except Exception as exc:
        log.exception("disclosure %s failed unexpectedly", row.reference)
        error = Unavailable("disclosure_internal_error", f"internal error: {type(exc).__name__}")
        _ended(rt, row.id, DisclosureStatus.FAILED, error)
    return get_disclosure(rt, disclosure_id)


def crashed(rt: Runtime, disclosure_id: int, returncode: int) -> DisclosureRow:
    """After a job's child process exited: a job it left running failed
    (`disclosure_worker_crashed`, journalled, its files removed). The disclosure as it is."""
    row = get_disclosure(rt, disclosure_id)
    if row.status in {DisclosureStatus.ANALYSING, DisclosureStatus.RENDERING}:
        how = f"signal {-returncode}" if returncode < 0 else f"exit status {returncode}"
        error = Unavailable(
            "disclosure_worker_crashed",
            f"the job's process ended abnormally ({how}); nothing of it was kept: check the"
            " source file, then ask again",
        )
        _ended(rt, disclosure_id, DisclosureStatus.FAILED, error)
    return get_disclosure(rt, disclosure_id)


def _source_path(rt: Runtime, row: DisclosureRow) -> Path:
    """The exported file, checked against its export's manifest (D3)."""
    path = Path(evidence.get_export(rt, row.export_id).package_path) / row.source_file
    source.check(path, row.source_file, row.source_sha256)
    return path


def _analyse(rt: Runtime, row: DisclosureRow) -> None:
    result = analysis.analyse(_source_path(rt, row), on_progress=_Progress(rt, row.id))
    target = Path(row.work_dir) / ANALYSIS_FILE
    _write_atomic(target, json.dumps(serial.analysis_to_json(result)).encode())
    with rt.db.write() as s:
        live = s.get(DisclosureRow, row.id)
        assert live is not None  # noqa: S101
        if live.cancel_requested:
            raise errors.Cancelled
        facts = result.facts
        live.status, live.analysed_at, live.progress = DisclosureStatus.REVIEW, rt.now(), 1.0
        live.frames, live.fps, live.width, live.height = (
            facts.frames,
            facts.fps,
            facts.width,
            facts.height,
        )
        live.tracks = len(result.tracks)


def _render(rt: Runtime, row: DisclosureRow) -> None:
    src = _source_path(rt, row)
    made = package.make(
        rt,
        row,
        src,
        analysis_of(row),
        plan_of(row),
        load_signer(rt),
        _Progress(rt, row.id),
    )
    now = rt.now()
    with rt.db.write() as s:
        live = s.get(DisclosureRow, row.id)
        assert live is not None  # noqa: S101
        if live.cancel_requested:  # cancelled while the package was sealed: it never leaves
            raise errors.Cancelled
        live.status, live.finished_at, live.progress = DisclosureStatus.DONE, now, 1.0
        live.package_path = str(made.path)
        live.output_sha256, live.log_sha256, live.bytes = (
            made.output_sha256,
            made.log_sha256,
            made.bytes,
        )
        details = {"output_sha256": made.output_sha256, "log_sha256": made.log_sha256}
        action = AuditAction.DISCLOSURE_COMPLETED
        record(s, entry(_renderer(live), live, action, live.reason, details), now)


def _renderer(row: DisclosureRow) -> Actor:
    if row.render_requested_by_kind:
        kind = ActorKind(row.render_requested_by_kind)
        return Actor(kind, row.render_requested_by_name, row.render_requested_by_id)
    return Actor(ActorKind(row.requested_by_kind), row.requested_by_name, row.requested_by_id)


def _ended(
    rt: Runtime, disclosure_id: int, status: DisclosureStatus, error: SentinelleError | None
) -> None:
    """End a job that did not complete: whatever package it wrote (partial, or sealed just
    before a failure or a cancellation) is removed, never left untracked. A failure is
    journalled; a cancellation was, by whoever asked for it (`service.do_cancel`)."""
    now = rt.now()
    with rt.db.write() as s:
        row = s.get(DisclosureRow, disclosure_id)
        assert row is not None  # noqa: S101
        row.status, row.finished_at = status, now
        if error is not None:
            row.error_code, row.error_message = error.code, error.message[:2000]
            reason = f"{error.code}: {error.message}"[:2000]
            record(s, entry(_renderer(row), row, AuditAction.DISCLOSURE_FAILED, reason), now)
        reference = row.reference
    _remove_package(rt, reference)


def _remove_package(rt: Runtime, reference: str) -> None:
    PackageWriter.remove_partial(disclosures_dir(rt), reference)
    shutil.rmtree(disclosures_dir(rt) / reference, ignore_errors=True)


def end_interrupted(rt: Runtime) -> list[str]:
    """Queue again the jobs a dead process left running (run at the start of the only job
    runner), removing a partial package. Their references."""
    running = [DisclosureStatus.ANALYSING, DisclosureStatus.RENDERING]
    with rt.db.write() as s:
        stuck = list(
            s.execute(sa.select(DisclosureRow).where(DisclosureRow.status.in_(running))).scalars()
        )
        for row in stuck:
            row.status = (
                DisclosureStatus.QUEUED
                if row.status == DisclosureStatus.ANALYSING
                else DisclosureStatus.RENDER_QUEUED
            )
            row.progress = 0.0
        references = [row.reference for row in stuck]
    for reference in references:
        _remove_package(rt, reference)  # a render killed after sealing never recorded it
    return references


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    with partial.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    partial.replace(path)
