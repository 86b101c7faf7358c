"""Masked exports (privacy, issue 6 item 4) on real recorded segments: footage recorded in
camera mode during a flagged period leaves re-encoded with the masks burnt in, the rest is
copied losslessly, the manifest says which part was re-encoded and why, the package verifies."""

from __future__ import annotations

import json
import subprocess
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import av
import numpy as np
import numpy.typing as npt
import pytest

from sentinelle.audit.models import Actor
from sentinelle.core.clock import FakeClock
from sentinelle.core.errors import SentinelleError
from sentinelle.evidence import privacy, verifier
from sentinelle.ingest.clips import write_clip
from sentinelle.ingest.writer import FinishedSegment
from sentinelle.privacy import audit_service
from sentinelle.privacy import service as privacy_service
from sentinelle.privacy.audit import Verdict, check_frame
from sentinelle.privacy.audit_service import AuditTrigger
from sentinelle.privacy.geometry import rasterize
from sentinelle.privacy.models import MaskPolygon, MaskSetInput
from sentinelle.runtime import Runtime
from sentinelle.storage import layout
from sentinelle.storage import repository as storage_repo
from tests import factories as f
from tests.conftest import START
from tests.evidence.conftest import export
from tests.support.footage import record_clip

ADMIN = Actor.cli("admin.martin")
W, H = 320, 240
WINDOW = (0.1, 0.1, 0.4, 0.5)  # normalised x0, y0, x1, y1
SEGMENT = timedelta(seconds=10)


def _points(box: tuple[float, float, float, float]) -> list[tuple[float, float]]:
    x0, y0, x1, y1 = box
    return [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]


def _inside() -> npt.NDArray[np.bool_]:
    raster = rasterize([_points(WINDOW)], W, H)
    return np.frombuffer(raster.to_bytes(1), np.uint8).reshape(H, W).astype(bool)


@pytest.fixture(scope="module")
def lost_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """30 s of a detailed scene whose camera-side mask over WINDOW is lost from the start."""
    folder = tmp_path_factory.mktemp("masked-export")
    return write_clip(
        folder / "lost.mp4", 30, fps=10, gop_seconds=2, masks=[WINDOW], masks_lost_at=0
    )


def _camera(rt: Runtime, clock: FakeClock, clip: Path) -> tuple[int, list[FinishedSegment]]:
    """CAM-001 in camera mode with one polygon, recording 09:00:00–09:00:30 in 10 s segments."""
    _, _, cameras = f.town(rt)
    camera = cameras[0].id
    masks = MaskSetInput(
        polygons=[MaskPolygon(name="fenêtres", points=_points(WINDOW))], reason="logements"
    )
    clock.set(START - timedelta(minutes=5))
    privacy_service.do_set_masks(rt, ADMIN, camera, masks)
    segments = record_clip(rt, camera, clip, START, target=SEGMENT)
    clock.set(START + timedelta(hours=1))
    return camera, segments


def _audit(rt: Runtime, camera: int, at: datetime, verdict: Verdict) -> None:
    luma = np.random.default_rng(1).integers(0, 255, (H, W), dtype=np.uint8)
    if verdict is Verdict.PASS:
        luma[_inside()] = 16
    result = check_frame(luma, None, [("fenêtres", _inside())])
    assert result.verdict is verdict
    audit_service.do_record_audit(rt, camera, at, AuditTrigger.PERIODIC, result, 1)


def _flag(rt: Runtime, camera: int) -> None:
    """A pass at 12 s, a failure at 15 s, the burn-in from 18 s: footage 12–18 s is flagged."""
    _audit(rt, camera, START + timedelta(seconds=12), Verdict.PASS)
    _audit(rt, camera, START + timedelta(seconds=15), Verdict.FAIL)
    assert audit_service.close_flags(rt, camera, START + timedelta(seconds=18)) == 1


def _packets(path: Path) -> list[bytes]:
    with av.open(str(path)) as container:
        return [bytes(p) for p in container.demux(container.streams.video[0]) if p.size]


def _window_std(path: Path) -> list[float]:
    """The luma deviation inside the window, eroded by 2 pixels, for each frame."""
    inside = _inside()
    core = inside[2:-2, 2:-2] & inside[:-4, 2:-2] & inside[4:, 2:-2]
    core &= inside[2:-2, :-4] & inside[2:-2, 4:]
    with av.open(str(path)) as container:
        return [
            float(frame.to_ndarray()[:H, :W][2:-2, 2:-2][core].std())
            for frame in container.decode(container.streams.video[0])
        ]


def _manifest(package: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((package / "manifest.json").read_text())
    return loaded


def test_flagged_footage_is_exported_masked_and_the_rest_losslessly(
    rt: Runtime, clock: FakeClock, lost_clip: Path, tmp_path: Path
) -> None:
    camera, segments = _camera(rt, clock, lost_clip)
    assert len(segments) == 3
    _flag(rt, camera)
    row = export(rt, [camera], START, START + timedelta(seconds=30), tmp_path / "out")
    assert row.status == "done", row.error
    package = Path(row.package_path)
    items = _manifest(package)["items"]
    assert [("privacy" in i) for i in items] == [False, True, False]
    root = layout.recordings_root(rt.settings.resolved_data_dir)
    sources = [root / s.path for s in segments]

    # outside the flag: the segments' own bytes, sample for sample; the window shows detail
    for item, source in ((items[0], sources[0]), (items[2], sources[2])):
        assert _packets(package / item["file"]) == _packets(source)
        assert min(_window_std(package / item["file"])) > 15
    # inside: re-encoded, same size and frame count, keyframes where the source had them
    masked = package / items[1]["file"]
    stds = _window_std(masked)
    assert len(stds) == 100
    assert max(stds) < 4.0
    assert _packets(masked) != _packets(sources[1])
    with av.open(str(masked)) as out, av.open(str(sources[1])) as src:
        assert (out.streams.video[0].width, out.streams.video[0].height) == (W, H)
        keys = [p.is_keyframe for p in out.demux(out.streams.video[0]) if p.size]
        assert keys == [p.is_keyframe for p in src.demux(src.streams.video[0]) if p.size]


def test_the_manifest_states_the_reencoding_and_the_package_verifies(
    rt: Runtime, clock: FakeClock, lost_clip: Path, tmp_path: Path
) -> None:
    camera, segments = _camera(rt, clock, lost_clip)
    _flag(rt, camera)
    row = export(rt, [camera], START, START + timedelta(seconds=30), tmp_path / "out")
    package = Path(row.package_path)
    item = _manifest(package)["items"][1]
    stated = item["privacy"]
    (flag,) = audit_service.flags(rt, camera)
    version = privacy_service.masks_at(rt, camera, START + timedelta(seconds=15))
    assert stated["reencoded"] is True
    assert stated["legal_basis"] == "CSI L251-3"
    assert stated["statement"] == privacy.STATEMENT
    assert (stated["file"], stated["sha256"]) == (item["file"], item["sha256"])
    (part,) = stated["parts"]
    assert part["source"]["sha256"] == segments[1].sha256
    assert part["source"]["included"] is False
    assert part["masks"] == [{"version": version.version, "digest": version.digest}]
    assert part["flags"] == [
        {
            "id": flag.id,
            "from": "2026-11-22T09:00:12.000000Z",  # the last passing audit
            "to": "2026-11-22T09:00:18.000000Z",  # the burn-in's start
            "reason": flag.reason,
            "audit_id": flag.audit_id,
        }
    ]
    assert "fenêtres" in flag.reason
    assert item["segments"][0]["sha256"] == segments[1].sha256  # the chain of custody
    report = (package / "rapport" / "rapport.html").read_text()
    assert report.count("ré-encodé pour la protection de la vie privée (CSI L251-3)") == 1
    verified = subprocess.run(
        [".venv/bin/sentinelle", "export", "verify", str(package)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr


def test_an_export_without_flags_is_a_lossless_copy_as_before(
    rt: Runtime, clock: FakeClock, lost_clip: Path, tmp_path: Path
) -> None:
    camera, segments = _camera(rt, clock, lost_clip)
    row = export(rt, [camera], START, START + timedelta(seconds=30), tmp_path / "out")
    package = Path(row.package_path)
    manifest = _manifest(package)
    (item,) = manifest["items"]
    assert "privacy" not in item
    assert "privacy" not in json.dumps(manifest)
    root = layout.recordings_root(rt.settings.resolved_data_dir)
    expected = [p for s in segments for p in _packets(root / s.path)]
    assert _packets(package / item["file"]) == expected


def test_a_server_mode_segment_overlapping_a_flag_is_copied_as_it_is(
    rt: Runtime, clock: FakeClock, lost_clip: Path
) -> None:
    camera, _segments = _camera(rt, clock, lost_clip)
    _flag(rt, camera)
    (flag,) = audit_service.flags(rt, camera)
    rows = _rows(rt, camera)
    assert privacy.flagged(rows[1], [flag]) == (flag,)
    assert privacy.flagged(rows[0], [flag]) == ()
    assert privacy.flagged(rows[2], [flag]) == ()
    rows[1].mask_version = 2  # burnt in by the server: already masked
    assert privacy.flagged(rows[1], [flag]) == ()


def _rows(rt: Runtime, camera: int) -> list[Any]:
    with rt.db.read() as s:
        found = storage_repo.segments_between(s, camera, START, START + timedelta(seconds=30))
        s.expunge_all()
        return list(found)


def test_the_verifier_refuses_a_privacy_statement_naming_another_source(
    rt: Runtime, clock: FakeClock, lost_clip: Path, tmp_path: Path
) -> None:
    camera, _ = _camera(rt, clock, lost_clip)
    _flag(rt, camera)
    row = export(rt, [camera], START, START + timedelta(seconds=30), tmp_path / "out")
    manifest = _manifest(Path(row.package_path))
    item = manifest["items"][1]
    assert verifier._check_privacy(item) == []
    item["privacy"]["parts"][0]["source"]["sha256"] = "0" * 64
    (problem,) = verifier._check_privacy(item)
    assert problem.code == "manifest_invalid"
    assert "ré-encodage" in problem.message


def test_a_flagged_segment_that_cannot_be_masked_fails_the_export(
    rt: Runtime, clock: FakeClock, lost_clip: Path
) -> None:
    camera, _ = _camera(rt, clock, lost_clip)
    _flag(rt, camera)
    rows = _rows(rt, camera)
    mask = privacy.masker(rt, camera)
    assert mask(rows[0], memoryview(b"not read: outside the flag")) is None
    with pytest.raises(SentinelleError) as refused:
        mask(rows[1], memoryview(b"\0\0\0\x08free" + b"x" * 64))
    assert refused.value.code == "privacy_reencode_failed"


RIGHT = (0.6, 0.5, 0.9, 0.9)


def test_each_frame_is_masked_with_the_version_in_force_at_its_instant(
    rt: Runtime, clock: FakeClock, lost_clip: Path, tmp_path: Path
) -> None:
    camera, _ = _camera(rt, clock, lost_clip)
    switch = START + timedelta(seconds=14)  # inside the flagged segment 10–20 s
    clock.set(switch)
    polygons = [
        MaskPolygon(name="fenêtres", points=_points(WINDOW)),
        MaskPolygon(name="balcon", points=_points(RIGHT)),
    ]
    privacy_service.do_set_masks(
        rt, ADMIN, camera, MaskSetInput(polygons=polygons, reason="balcon")
    )
    clock.set(START + timedelta(hours=1))
    _flag(rt, camera)
    row = export(
        rt, [camera], START + timedelta(seconds=10), START + timedelta(seconds=20), tmp_path
    )
    package = Path(row.package_path)
    (item,) = _manifest(package)["items"]
    before = privacy_service.masks_at(rt, camera, switch - timedelta(seconds=1))
    after = privacy_service.masks_at(rt, camera, switch)
    assert after.version == before.version + 1
    assert item["privacy"]["parts"][0]["masks"] == [
        {"version": v.version, "digest": v.digest} for v in (before, after)
    ]
    right = rasterize([_points(RIGHT)], W, H)
    inside = np.frombuffer(right.to_bytes(1), np.uint8).reshape(H, W).astype(bool)
    core = inside[2:-2, 2:-2] & inside[:-4, 2:-2] & inside[4:, 2:-2]
    with av.open(str(package / item["file"])) as container:
        stds = [
            float(f.to_ndarray()[:H, :W][2:-2, 2:-2][core].std())
            for f in container.decode(container.streams.video[0])
        ]
    assert len(stds) == 100
    assert min(stds[:40]) > 15  # 10–14 s: version 1 does not hide the balcony
    assert max(stds[40:]) < 4.0  # from 14 s: version 2 does
    assert max(_window_std(package / item["file"])) < 4.0  # the window, always
