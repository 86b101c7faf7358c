"""A masked copy never outlives its footage (privacy, CSI L252-3): the masked re-encodings of
flagged segments that playback keeps (`privacy-cache/`) are destroyed by the same sweep pass
that destroys their segments — retention, a released hold, capacity, or a deletion finished
after a crash — and the destruction register still says what was destroyed."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
import sqlalchemy as sa

from sentinelle.audit.models import Actor
from sentinelle.core.clock import FakeClock
from sentinelle.ingest.clips import write_clip
from sentinelle.playback import masking
from sentinelle.privacy import audit_service
from sentinelle.privacy import service as privacy_service
from sentinelle.privacy.audit import check_frame
from sentinelle.privacy.audit_service import AuditTrigger
from sentinelle.privacy.geometry import rasterize
from sentinelle.privacy.models import MaskPolygon, MaskSetInput
from sentinelle.registry.tables import CameraRow
from sentinelle.runtime import Runtime
from sentinelle.storage import layout, repository, sweeper
from sentinelle.storage.models import HoldGround, HoldInput, HoldItemInput
from sentinelle.storage.service import do_place_hold, do_release_hold
from sentinelle.storage.tables import DestructionRow
from tests import factories as f
from tests.support.footage import record_clip

ADMIN = Actor.cli("admin.martin")
W, H = 320, 240
WINDOW = (0.1, 0.1, 0.4, 0.5)
SEGMENT = timedelta(seconds=2)


@pytest.fixture(scope="module")
def lost_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """4 s of a detailed scene whose camera-side mask over WINDOW is lost from the start."""
    folder = tmp_path_factory.mktemp("masked-copies")
    return write_clip(
        folder / "lost.mp4", 4, fps=10, gop_seconds=2, masks=[WINDOW], masks_lost_at=0
    )


def _points() -> list[tuple[float, float]]:
    x0, y0, x1, y1 = WINDOW
    return [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]


def _window() -> npt.NDArray[np.bool_]:
    raster = rasterize([_points()], W, H)
    return np.frombuffer(raster.to_bytes(1), np.uint8).reshape(H, W).astype(bool)


@dataclass
class Footage:
    camera: CameraRow
    segment_ids: list[int]
    copies: list[Path]


def _flagged_footage(
    rt: Runtime, clock: FakeClock, camera: CameraRow, clip: Path, at: datetime
) -> Footage:
    """`camera` in camera mode recorded `clip` at `at` (2 s segments), all of it flagged by a
    failed audit; each segment's masked copy made as playback makes it."""
    now = clock.now()
    clock.set(at - timedelta(minutes=5))
    polygons = [MaskPolygon(name="fenêtres", points=_points())]
    masks = MaskSetInput(polygons=polygons, reason="logements")
    privacy_service.do_set_masks(rt, ADMIN, camera.id, masks)
    segments = record_clip(rt, camera.id, clip, at, SEGMENT)
    clock.set(at + timedelta(seconds=5))
    luma = np.random.default_rng(1).integers(0, 255, (H, W), dtype=np.uint8)
    result = check_frame(luma, None, [("fenêtres", _window())])  # the scene: it fails
    audit_service.do_record_audit(
        rt, camera.id, at + timedelta(seconds=1), AuditTrigger.PERIODIC, result, 1
    )
    audit_service.close_flags(rt, camera.id, at + timedelta(seconds=4))
    clock.set(now)
    root = layout.recordings_root(rt.settings.resolved_data_dir)
    ids, copies = [], []
    for segment in segments:
        with rt.db.read() as s:
            query = sa.text("SELECT id FROM segments WHERE path = :p")
            segment_id = int(s.execute(query, {"p": segment.path}).scalar_one())
        copy = masking.served_file(rt, camera.id, segment_id, root / segment.path, None)
        assert copy != root / segment.path  # flagged: a masked copy, kept
        assert copy.exists()
        ids.append(segment_id)
        copies.append(copy)
    return Footage(camera, ids, copies)


def _register(rt: Runtime) -> list[tuple[str, int, str, bool, datetime, datetime]]:
    with rt.db.read() as s:
        rows = s.execute(sa.select(DestructionRow).order_by(DestructionRow.id)).scalars()
        return [
            (r.camera_code, r.segments, r.reason, r.completed, r.start_at, r.end_at) for r in rows
        ]


def _destroyed_entries(rt: Runtime) -> list[dict[str, object]]:
    with rt.db.read() as s:
        rows = s.execute(
            sa.text("SELECT details FROM audit_entries WHERE action = 'storage.footage_destroyed'")
        )
        return [json.loads(r[0]) if isinstance(r[0], str) else r[0] for r in rows]


def test_the_retention_sweep_destroys_the_masked_copies_with_their_segments(
    rt: Runtime, clock: FakeClock, lost_clip: Path
) -> None:
    _, _, (cam, other) = f.town(rt)
    old = _flagged_footage(rt, clock, cam, lost_clip, clock.now() - timedelta(days=15))
    young = _flagged_footage(rt, clock, other, lost_clip, clock.now() - timedelta(days=2))
    assert len(old.copies) == 2

    report = sweeper.sweep_time(rt)

    assert report.segments == 2
    assert not any(copy.exists() for copy in old.copies)  # the same pass
    assert all(copy.exists() for copy in young.copies)  # footage still kept: so is its copy
    ((code, segments, reason, completed, start, _),) = _register(rt)
    assert (code, segments, reason, completed) == ("CAM-001", 2, "retention_expiry", True)
    assert start == clock.now() - timedelta(days=15)
    (entry,) = _destroyed_entries(rt)
    assert entry["segments"] == 2


def test_a_released_hold_then_the_sweep_destroy_the_copies(
    rt: Runtime, clock: FakeClock, lost_clip: Path
) -> None:
    _, _, (cam, _) = f.town(rt)
    start = clock.now() - timedelta(days=20)
    held = _flagged_footage(rt, clock, cam, lost_clip, start)
    hold = do_place_hold(
        rt,
        f.ADMIN,
        HoldInput(
            ground=HoldGround.JUDICIAL_INVESTIGATION,
            procedure_number="PV 2026/451",
            authority="OPJ Martin",
            reason="réquisition",
            items=[HoldItemInput(camera_id=cam.id, start=start, end=start + timedelta(seconds=4))],
        ),
    )
    assert sweeper.sweep_time(rt).segments == 0
    assert all(copy.exists() for copy in held.copies)  # held footage keeps its copies
    do_release_hold(rt, f.ADMIN, hold.id, "classement sans suite")
    assert sweeper.sweep_time(rt).segments == 2
    assert not any(copy.exists() for copy in held.copies)
    assert [r[:4] for r in _register(rt)] == [("CAM-001", 2, "hold_release", True)]


def test_the_capacity_sweep_destroys_the_copies(
    rt: Runtime, clock: FakeClock, lost_clip: Path
) -> None:
    _, _, (cam, _) = f.town(rt)
    # younger than the camera's retention (14 days), older than the authorisation's minimum
    footage = _flagged_footage(rt, clock, cam, lost_clip, clock.now() - timedelta(days=10))
    report = sweeper.sweep_capacity(rt, free_bytes=lambda: 0, wanted_free=10**9)
    assert report.segments == 2
    assert not any(copy.exists() for copy in footage.copies)
    assert [r[:4] for r in _register(rt)] == [("CAM-001", 2, "capacity", True)]


def test_a_deletion_finished_after_a_crash_destroys_the_copies(
    rt: Runtime, clock: FakeClock, lost_clip: Path
) -> None:
    _, _, (cam, _) = f.town(rt)
    footage = _flagged_footage(rt, clock, cam, lost_clip, clock.now() - timedelta(days=15))
    with rt.db.read() as s:
        seqs = list(s.execute(sa.text("SELECT chain_seq FROM segments ORDER BY chain_seq")))
    with rt.db.write() as s:  # as if a crash happened right after phase 1
        repository.mark_deleting(s, [(cam.id, seqs[0][0], seqs[-1][0])])
    assert sweeper.finish_interrupted(rt) == 2
    assert not any(copy.exists() for copy in footage.copies)


def test_a_copy_made_while_its_segment_is_destroyed_is_not_kept(
    rt: Runtime, clock: FakeClock, lost_clip: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Playback re-encodes a segment the sweep marks `deleting` meanwhile (after its phase 2
    looked for copies): the maker removes its copy and serves nothing."""
    _, _, (cam, _) = f.town(rt)
    footage = _flagged_footage(rt, clock, cam, lost_clip, clock.now() - timedelta(days=15))
    for copy in footage.copies:
        copy.unlink()
    segment_id = footage.segment_ids[0]
    root = layout.recordings_root(rt.settings.resolved_data_dir)
    with rt.db.read() as s:
        path = s.execute(
            sa.text("SELECT path FROM segments WHERE id = :i"), {"i": segment_id}
        ).scalar_one()
    make = masking._make

    def make_then_destroy(*args: object) -> None:
        make(*args)  # type: ignore[arg-type]
        with rt.db.write() as s:
            s.execute(
                sa.text("UPDATE segments SET state = 'deleting' WHERE id = :i"), {"i": segment_id}
            )

    monkeypatch.setattr(masking, "_make", make_then_destroy)
    with pytest.raises(masking.MaskingFailed):
        masking.served_file(rt, cam.id, segment_id, root / path, None)
    assert not footage.copies[0].exists()
    assert list(footage.copies[0].parent.glob(f"{segment_id}-*")) == []
