from __future__ import annotations

import json
import threading
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from sentinelle.core.clock import FakeClock
from sentinelle.core.errors import Conflict, NotFound
from sentinelle.runtime import Runtime
from sentinelle.storage import layout, repository, sweeper
from sentinelle.storage.check import check
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
        repository.mark_deleting(s, [(cam.id, rows[0].chain_seq, rows[0].chain_seq)])
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


def _lines(rt: Runtime) -> list[tuple[int, int, int, str, bool]]:
    with rt.db.read() as s:
        rows = s.execute(
            sa.text(
                "SELECT camera_id, first_seq, last_seq, last_hash, completed FROM destructions "
                "ORDER BY camera_id, first_seq"
            )
        )
        return [tuple(r) for r in rows]  # type: ignore[misc]


def _destroyed_details(rt: Runtime) -> list[dict[str, object]]:
    with rt.db.read() as s:
        texts = s.execute(
            sa.text("SELECT details FROM audit_entries WHERE action = 'storage.footage_destroyed'")
        ).scalars()
        return [json.loads(text) for text in texts]


def test_sweep_in_several_windows_around_a_hold(rt: Runtime, clock: FakeClock) -> None:
    _, _, (cam, other) = f.town(rt)
    start = clock.now() - timedelta(days=15)
    rows = day_of_segments(rt, cam.id, start, 12)
    others = day_of_segments(rt, other.id, start, 12)
    _hold(rt, cam.id, rows[4].start_at, rows[5].end_at)
    held_thumb = file_of(rt, rows[4]).with_suffix(".jpg")
    thumbs = [file_of(rt, r).with_suffix(".jpg") for r in (rows[0], rows[11], others[6])]
    for path in [held_thumb, *thumbs]:
        path.write_bytes(b"thumb")
    report = sweeper.sweep_time(rt, batch=5)
    assert (report.segments, _active(rt)) == (22, 2)
    assert all(file_of(rt, r).exists() for r in rows[4:6])
    assert held_thumb.exists()
    gone = rows[:4] + rows[6:] + others
    assert not any(file_of(rt, r).exists() for r in gone)
    assert not any(p.exists() for p in thumbs)
    hashes = {(r.camera_id, r.chain_seq): r.chain_hash for r in rows + others}
    covered = []
    for camera_id, first, last, last_hash, completed in _lines(rt):
        assert completed
        assert last_hash == hashes[(camera_id, last)]
        covered += [(camera_id, seq) for seq in range(first, last + 1)]
    assert sorted(covered) == sorted((r.camera_id, r.chain_seq) for r in gone)
    details = _destroyed_details(rt)
    assert len(details) > 1  # one entry per window, each with its cameras
    assert sum(int(d["segments"]) for d in details) == 22  # type: ignore[call-overload]
    assert report.register_lines == len(_lines(rt))
    assert check(rt, rehash=True).ok


def test_deletion_interrupted_after_phase_one_is_finished(
    rt: Runtime, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, _, (cam, _) = f.town(rt)
    rows = day_of_segments(rt, cam.id, clock.now() - timedelta(days=15), 10)

    def crash(*_: object) -> None:
        raise RuntimeError("power cut")

    monkeypatch.setattr(sweeper, "_unlink", crash)
    with pytest.raises(RuntimeError):
        sweeper.sweep_time(rt)
    assert _register(rt) == [("CAM-001", 10, "retention_expiry", False)]
    monkeypatch.undo()
    assert sweeper.finish_interrupted(rt) == 10
    assert not any(file_of(rt, r).exists() for r in rows)
    assert _active(rt) == 0
    assert _register(rt) == [("CAM-001", 10, "retention_expiry", True)]


@pytest.mark.parametrize("count", [2, layout.LIST_FROM + 2])
def test_unlink_segments_removes_only_the_named_and_their_derived(
    tmp_path: Path, count: int
) -> None:
    names = [f"20261101T0{i:02d}000000000Z.mp4" for i in range(count + 1)]
    for name in names:
        (tmp_path / name).write_bytes(b"x")
    for name in (names[0], names[-1]):
        for suffix in layout.DERIVED_SUFFIXES:
            (tmp_path / name).with_suffix(suffix).write_bytes(b"d")
    layout.unlink_segments(tmp_path, [*names[:-1], "gone-already.mp4"])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        (tmp_path / names[-1]).with_suffix(s).name for s in (".mp4", *layout.DERIVED_SUFFIXES)
    )
