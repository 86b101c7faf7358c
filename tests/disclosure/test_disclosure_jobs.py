"""Disclosure jobs: the source is checked against its export's manifest (D3), nothing
half-written stays (D5), an interrupted job starts again, a tampered package is caught."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from sentinelle.audit.models import Actor
from sentinelle.audit.tables import AuditEntryRow
from sentinelle.disclosure import jobs, package, service
from sentinelle.disclosure.models import DisclosureStatus, PlanInput
from sentinelle.disclosure.tables import DisclosureRow
from sentinelle.runtime import Runtime
from sentinelle.workers import disclosures as runner
from tests.disclosure.conftest import AGENT, Exported, request, run_jobs


def _entries(rt: Runtime, action: str) -> list[AuditEntryRow]:
    with rt.db.read() as s:
        rows = s.execute(sa.select(AuditEntryRow).where(AuditEntryRow.action == action))
        return list(rows.scalars())


def _set_status(rt: Runtime, disclosure_id: int, status: DisclosureStatus) -> None:
    with rt.db.write() as s:
        row = s.get(DisclosureRow, disclosure_id)
        assert row is not None
        row.status = status


def _reviewed(rt: Runtime, exported: Exported) -> DisclosureRow:
    row = request(rt, exported)
    assert run_jobs(rt) == 1
    plan = PlanInput.model_validate({"manual": [{"id": "a", "first_frame": 0, "last_frame": 5,
                                                 "box": [0.1, 0.1, 0.2, 0.2]}]})  # fmt: skip
    service.do_save_plan(rt, AGENT, row.id, plan, 0)
    return service.do_request_render(rt, AGENT, row.id, "remise")


def test_a_source_changed_since_its_export_is_refused(rt: Runtime, exported: Exported) -> None:
    row = request(rt, exported)
    source = Path(exported.export.package_path) / exported.file
    data = bytearray(source.read_bytes())
    data[-100] ^= 0xFF
    source.write_bytes(bytes(data))
    assert run_jobs(rt) == 1
    failed = service.get_disclosure(rt, row.id)
    assert (failed.status, failed.error_code) == ("failed", "disclosure_source_integrity")
    (entry,) = _entries(rt, "disclosure.failed")
    assert entry.target_id == row.reference
    assert not (Path(failed.work_dir) / service.ANALYSIS_FILE).exists()


def test_the_render_checks_the_source_again_and_leaves_nothing(
    rt: Runtime, exported: Exported
) -> None:
    row = _reviewed(rt, exported)
    source = Path(exported.export.package_path) / exported.file
    source.write_bytes(source.read_bytes()[:-10])
    assert run_jobs(rt) == 1
    failed = service.get_disclosure(rt, row.id)
    assert failed.error_code == "disclosure_source_integrity"
    out = service.disclosures_dir(rt)
    assert not (out / row.reference).exists()
    assert not (out / (row.reference + ".partial")).exists()


def test_jobs_interrupted_by_a_restart_start_again(rt: Runtime, exported: Exported) -> None:
    row = request(rt, exported)
    _set_status(rt, row.id, DisclosureStatus.ANALYSING)  # as a killed runner leaves it
    assert jobs.end_interrupted(rt) == [row.reference]
    assert service.get_disclosure(rt, row.id).status == "queued"
    assert run_jobs(rt) == 1
    service.do_save_plan(rt, AGENT, row.id, PlanInput(), 0)
    service.do_request_render(rt, AGENT, row.id, "remise")
    _set_status(rt, row.id, DisclosureStatus.RENDERING)
    partial = service.disclosures_dir(rt) / (row.reference + ".partial")
    partial.mkdir(parents=True)
    (partial / "video.mp4").write_bytes(b"half")
    assert jobs.end_interrupted(rt) == [row.reference]
    assert not partial.exists()
    assert run_jobs(rt) == 1
    assert service.get_disclosure(rt, row.id).status == "done"


def test_a_cancelled_running_job_stops_at_its_next_progress(
    rt: Runtime, exported: Exported
) -> None:
    row = request(rt, exported)
    assert jobs.claim_next(rt) == row.id
    service.do_cancel(rt, AGENT, row.id, "demande retirée")
    assert service.get_disclosure(rt, row.id).status == "analysing"  # the job ends it
    ended = jobs.run(rt, row.id)
    assert ended.status == "cancelled"
    assert len(_entries(rt, "disclosure.cancelled")) == 1


def test_a_tampered_package_fails_verification(rt: Runtime, exported: Exported) -> None:
    row = _reviewed(rt, exported)
    assert run_jobs(rt) == 1
    done = service.get_disclosure(rt, row.id)
    folder = Path(done.package_path)
    assert package.verify(folder).ok
    video = folder / package.video_name(done.source_file)
    video.write_bytes(video.read_bytes() + b"x")
    codes = [code for _, code, _ in package.verify(folder).problems]
    assert "file_hash_mismatch" in codes
    log = folder / package.LOG_FILE
    log.write_bytes(log.read_bytes().replace(b"Mme Dupont", b"M. Durand"))
    assert "signature_invalid" in [code for _, code, _ in package.verify(folder).problems]


def test_a_render_cancelled_at_its_last_moment_leaves_nothing(
    rt: Runtime, exported: Exported, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cancelled after the package was sealed but before the job recorded it: the package is
    removed, the disclosure ends cancelled, journalled once, by whoever cancelled, with
    their reason — never `completed`."""
    row = _reviewed(rt, exported)
    real_make = package.make
    other = Actor.cli("agent.martin")

    def make_then_cancel(*args: Any, **kwargs: Any) -> package.Made:
        made = real_make(*args, **kwargs)
        assert made.path.is_dir()
        service.do_cancel(rt, other, row.id, "mauvais fichier")
        return made

    monkeypatch.setattr(jobs.package, "make", make_then_cancel)
    assert run_jobs(rt) == 1
    ended = service.get_disclosure(rt, row.id)
    assert (ended.status, ended.package_path) == ("cancelled", "")
    assert not (service.disclosures_dir(rt) / row.reference).exists()
    (entry,) = _entries(rt, "disclosure.cancelled")
    assert (entry.actor_name, entry.reason) == ("agent.martin", "mauvais fichier")
    assert _entries(rt, "disclosure.completed") == []


def test_a_package_sealed_before_a_crash_is_removed_and_made_again(
    rt: Runtime, exported: Exported
) -> None:
    row = _reviewed(rt, exported)
    _set_status(rt, row.id, DisclosureStatus.RENDERING)
    sealed = service.disclosures_dir(rt) / row.reference  # renamed, then the process died
    sealed.mkdir(parents=True)
    (sealed / "redaction-log.json").write_bytes(b"{}")
    assert jobs.end_interrupted(rt) == [row.reference]
    assert not sealed.exists()
    assert run_jobs(rt) == 1
    done = service.get_disclosure(rt, row.id)
    assert done.status == "done", done.error_message
    assert package.verify(Path(done.package_path)).ok


def test_a_job_whose_process_crashes_fails_and_is_journalled(
    rt: Runtime, exported: Exported
) -> None:
    """Native code (detectors, codecs) may crash: under `serve` the job's own process dies,
    the job fails with its code, and it is not queued again at the next start."""
    row = request(rt, exported)
    assert jobs.claim_next(rt) == row.id
    segfault = [sys.executable, "-c", "import os, signal; os.kill(os.getpid(), signal.SIGSEGV)"]
    ended = runner.run_isolated(rt, row.id, segfault)
    assert (ended.status, ended.error_code) == ("failed", "disclosure_worker_crashed")
    assert "signal 11" in ended.error_message
    assert len(_entries(rt, "disclosure.failed")) == 1
    assert jobs.end_interrupted(rt) == []


def test_a_job_runs_in_its_own_process(rt: Runtime, exported: Exported) -> None:
    row = request(rt, exported)
    assert jobs.claim_next(rt) == row.id
    ended = runner.run_isolated(rt, row.id)  # `sentinelle worker disclosure-job ID`
    assert (ended.status, ended.frames) == ("review", 60), ended.error_message
