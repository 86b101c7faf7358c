from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from sentinelle.core.clock import FakeClock
from sentinelle.core.errors import Conflict, NotFound
from sentinelle.runtime import Runtime
from sentinelle.storage import layout, repository, sweeper
from sentinelle.storage.models import HoldGround, HoldInput, HoldItemInput, SegmentState
from sentinelle.storage.service import do_place_hold, do_release_hold
from tests import factories as f
from tests.storage.helpers import day_of_segments, file_of, segment


def _register(rt: Runtime) -> list[tuple[str, int, str, bool]]:
    with rt.db.read() as s:
        rows = s.execute(
            sa.text("SELECT camera_code, segments, reason, completed FROM destructions ORDER BY id")
        )
        return [tuple(r) for r in rows]  # type: ignore[misc]


def _active(rt: Runtime) -> int:
    with rt.db.read() as s:
        return int(s.execute(sa.text("SELECT count(*) FROM segments")).scalar_one())


def _hold(rt: Runtime, camera_id: int, start, end) -> int:  # type: ignore[no-untyped-def]
    hold = do_place_hold(
        rt,
        f.ADMIN,
        HoldInput(
            ground=HoldGround.JUDICIAL_INVESTIGATION,
            procedure_number="PV 2026/451",
            authority="OPJ Martin",
            reason="réquisition",
            items=[HoldItemInput(camera_id=camera_id, start=start, end=end)],
        ),
    )
    return hold.id


def test_time_sweep_destroys_past_retention_with_register_and_files(
    rt: Runtime, clock: FakeClock
) -> None:
    _, _, (cam, other) = f.town(rt)
    old = day_of_segments(rt, cam.id, clock.now() - timedelta(days=15), 5)
    young = day_of_segments(rt, cam.id, clock.now() - timedelta(days=2), 3)
    derived = file_of(rt, old[0]).with_suffix(".jpg")
    derived.write_bytes(b"thumb")
    report = sweeper.sweep_time(rt)
    assert (report.segments, report.register_lines) == (5, 1)
    assert _register(rt) == [("CAM-001", 5, "retention_expiry", True)]
    assert not any(file_of(rt, r).exists() for r in old)
    assert not derived.exists()
    assert all(file_of(rt, r).exists() for r in young)
    assert _active(rt) == 3
    assert sweeper.sweep_time(rt).segments == 0  # nothing more, nothing twice
    del other


def test_held_footage_survives_until_release(rt: Runtime, clock: FakeClock) -> None:
    _, _, (cam, _) = f.town(rt)
    rows = day_of_segments(rt, cam.id, clock.now() - timedelta(days=20), 6)
    hold_id = _hold(rt, cam.id, rows[2].start_at, rows[3].end_at)
    report = sweeper.sweep_time(rt)
    assert report.segments == 4
    assert [r[1:3] for r in _register(rt)] == [(2, "retention_expiry"), (2, "retention_expiry")]
    assert _active(rt) == 2
    do_release_hold(rt, f.ADMIN, hold_id, "classement sans suite")
    assert sweeper.sweep_time(rt).segments == 2
    assert _register(rt)[-1][1:3] == (2, "hold_release")
    with pytest.raises(Conflict):
        do_release_hold(rt, f.ADMIN, hold_id, "again")


def test_capacity_sweep_frees_oldest_but_never_before_minimum(
    rt: Runtime, clock: FakeClock
) -> None:
    _, _, (cam, other) = f.town(rt)
    older = day_of_segments(rt, cam.id, clock.now() - timedelta(days=10), 3)
    recent = day_of_segments(rt, other.id, clock.now() - timedelta(days=3), 3)  # < 7-day minimum
    report = sweeper.sweep_capacity(rt, free_bytes=lambda: 0, wanted_free=2 * 2048)
    assert report.segments == 2
    assert not file_of(rt, older[0]).exists()
    assert file_of(rt, older[2]).exists()
    report = sweeper.sweep_capacity(rt, free_bytes=lambda: 0, wanted_free=10 * 2048)
    assert report.segments == 1
    assert report.shortfall_bytes == 9 * 2048
    assert all(file_of(rt, r).exists() for r in recent)
    with rt.db.read() as s:
        actions = s.execute(sa.text("SELECT action FROM audit_entries")).scalars().all()
    assert "storage.space_exhausted" in actions
    assert sweeper.sweep_capacity(rt, free_bytes=lambda: 10**12, wanted_free=1).segments == 0


def test_interrupted_deletion_is_finished(rt: Runtime, clock: FakeClock) -> None:
    _, _, (cam, _) = f.town(rt)
    rows = day_of_segments(rt, cam.id, clock.now() - timedelta(days=15), 2)
    with rt.db.write() as s:  # as if a crash happened right after phase 1
        repository.mark_deleting(s, [rows[0].id])
    assert sweeper.finish_interrupted(rt) == 1
    assert not file_of(rt, rows[0]).exists()
    assert _active(rt) == 1


def test_two_sweepers_racing_destroy_each_segment_once(rt: Runtime, clock: FakeClock) -> None:
    _, _, (cam, other) = f.town(rt)
    day_of_segments(rt, cam.id, clock.now() - timedelta(days=16), 20)
    day_of_segments(rt, other.id, clock.now() - timedelta(days=16), 20)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            sweeper.sweep_time(rt, batch=7)
        except BaseException as exc:  # noqa: BLE001 - reported to the main thread
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert _active(rt) == 0
    assert sum(line[1] for line in _register(rt)) == 40


def test_hold_on_unknown_camera_is_refused(rt: Runtime, clock: FakeClock) -> None:
    with pytest.raises(NotFound):
        _hold(rt, 999, clock.now() - timedelta(hours=1), clock.now())


def test_segments_chain_per_camera(rt: Runtime, clock: FakeClock) -> None:
    _, _, (cam, other) = f.town(rt)
    a = segment(rt, cam.id, clock.now())
    b = segment(rt, other.id, clock.now())
    c = segment(rt, cam.id, clock.now() + timedelta(minutes=1))
    assert (a.chain_seq, b.chain_seq, c.chain_seq) == (1, 1, 2)
    assert a.state == SegmentState.ACTIVE
    assert layout.relative_path(cam.id, clock.now()).startswith(f"{cam.id}/2026/11/22/")


def test_segments_between_includes_the_one_overlapping_the_start(
    rt: Runtime, clock: FakeClock
) -> None:
    _, _, (cam, _) = f.town(rt)
    rows = day_of_segments(rt, cam.id, clock.now() - timedelta(hours=1), 5)
    with rt.db.read() as s:
        found = repository.segments_between(
            s, cam.id, rows[1].start_at + timedelta(seconds=30), rows[3].start_at
        )
        none = repository.segments_between(
            s, cam.id, rows[0].start_at - timedelta(hours=2), rows[0].start_at
        )
    assert [r.id for r in found] == [rows[1].id, rows[2].id]
    assert none == []
