"""Flagged footage is played back and photographed masked (privacy, issue 6 item 4): a
camera-mode segment overlapping a mask flag is served re-encoded with the masks in force
(cached once per segment and versions), never as recorded; the rest as recorded."""

from __future__ import annotations

import io
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import av
import numpy as np
import numpy.typing as npt
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from sentinelle.access.models import Role
from sentinelle.audit.models import Actor
from sentinelle.core.clock import FakeClock
from sentinelle.ingest.clips import write_clip
from sentinelle.ingest.writer import FinishedSegment
from sentinelle.playback import masking
from sentinelle.privacy import audit_service
from sentinelle.privacy import service as privacy_service
from sentinelle.privacy.audit import Verdict, check_frame
from sentinelle.privacy.audit_service import AuditTrigger
from sentinelle.privacy.geometry import rasterize
from sentinelle.privacy.models import MaskPolygon, MaskSetInput
from sentinelle.runtime import Runtime
from sentinelle.storage import layout
from tests.api.conftest import Town
from tests.playback.conftest import FIRST, NOW, SEGMENT
from tests.support.footage import record_clip

ADMIN = Actor.cli("admin.martin")
AGENT = Role.REQUISITION_AGENT
W, H = 320, 240
WINDOW = (0.1, 0.1, 0.4, 0.5)


def _points() -> list[tuple[float, float]]:
    x0, y0, x1, y1 = WINDOW
    return [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]


def _core() -> npt.NDArray[np.bool_]:
    """The window's pixels, eroded by 2 (the encoder's ringing along the border)."""
    raster = rasterize([_points()], W, H)
    inside = np.frombuffer(raster.to_bytes(1), np.uint8).reshape(H, W).astype(bool)
    core = np.zeros_like(inside)
    core[2:-2, 2:-2] = inside[:-4, 2:-2] & inside[4:, 2:-2] & inside[2:-2, :-4] & inside[2:-2, 4:]
    return core & inside


@pytest.fixture(scope="module")
def lost_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """20 s of a detailed scene whose camera-side mask over WINDOW is lost from the start."""
    folder = tmp_path_factory.mktemp("masked-playback")
    return write_clip(
        folder / "lost.mp4", 20, fps=10, gop_seconds=2, masks=[WINDOW], masks_lost_at=0
    )


class Flagged:
    """CAM in camera mode recorded FIRST..+20 s in 6 s segments; footage +7..+10 s flagged."""

    def __init__(self, rt: Runtime, clock: FakeClock, clip: Path) -> None:
        self.rt, self.town = rt, Town(rt)
        self.cam = self.town.in_scope.id
        polygons = [MaskPolygon(name="fenêtres", points=_points())]
        clock.set(FIRST - timedelta(minutes=5))
        privacy_service.do_set_masks(
            rt, ADMIN, self.cam, MaskSetInput(polygons=polygons, reason="logements")
        )
        self.segments = record_clip(rt, self.cam, clip, FIRST, SEGMENT)
        clock.set(NOW)
        self._audit(FIRST + timedelta(seconds=7), Verdict.PASS)
        self._audit(FIRST + timedelta(seconds=9), Verdict.FAIL)
        audit_service.close_flags(rt, self.cam, FIRST + timedelta(seconds=10))

    def _audit(self, at: datetime, verdict: Verdict) -> None:
        luma = np.random.default_rng(1).integers(0, 255, (H, W), dtype=np.uint8)
        if verdict is Verdict.PASS:
            luma[_core()] = 16
        result = check_frame(luma, None, [("fenêtres", _core())])
        audit_service.do_record_audit(self.rt, self.cam, at, AuditTrigger.PERIODIC, result, 1)

    def file(self, segment: FinishedSegment) -> Path:
        return layout.recordings_root(self.rt.settings.resolved_data_dir) / segment.path


@pytest.fixture
def flagged(rt: Runtime, clock: FakeClock, lost_clip: Path) -> Flagged:
    return Flagged(rt, clock, lost_clip)


def _window_stds(data: bytes) -> list[float]:
    core = _core()
    with av.open(io.BytesIO(data)) as container:
        return [
            float(f.to_ndarray(format="gray")[core].std())
            for f in container.decode(container.streams.video[0])
        ]


def _open(client: TestClient, site: Flagged) -> dict[str, Any]:
    body = {
        "camera_ids": [site.cam],
        "from": FIRST.isoformat(),
        "to": (FIRST + timedelta(seconds=20)).isoformat(),
        "reason": "PV 2026/004512",
    }
    response = client.post("/api/playback", json=body, headers=site.town.headers(AGENT))
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_a_flagged_segment_is_played_back_masked_and_the_others_as_recorded(
    client: TestClient, flagged: Flagged
) -> None:
    opened = _open(client, flagged)
    headers = flagged.town.headers(AGENT)
    playlist = client.get(opened["cameras"][0]["playlist_url"], headers=headers).text
    ids = [int(i) for i in re.findall(r"^\.\./segments/(\d+)$", playlist, re.MULTILINE)]
    sizes = [int(r.split("@")[0]) for r in re.findall(r"^#EXT-X-BYTERANGE:(\S+)", playlist, re.M)]
    inits = [int(i) for i in re.findall(r'BYTERANGE="(\d+)@0"', playlist)]
    assert len(ids) == len(flagged.segments) == len(inits) == 4
    for n, (segment_id, segment) in enumerate(zip(ids, flagged.segments, strict=True)):
        url = f"/api/playback/{opened['grant']}/segments/{segment_id}"
        served = client.get(url, headers=headers)
        assert served.status_code == 200, served.text
        recorded = flagged.file(segment).read_bytes()
        stds = _window_stds(served.content)
        if n == 1:  # 6–12 s overlaps the flag 7–10 s
            assert served.content != recorded
            assert max(stds) < 4.0
            assert len(stds) == 60
            assert inits[n] + sizes[n] == len(served.content)  # the playlist names the masked file
            cached = flagged.rt.settings.resolved_data_dir / "privacy-cache" / str(flagged.cam)
            assert (cached / f"{segment_id}-v1.mp4").read_bytes() == served.content
        else:
            assert served.content == recorded
            assert min(stds) > 15


def test_snapshots_of_flagged_footage_are_masked(client: TestClient, flagged: Flagged) -> None:
    core = _core()
    headers = flagged.town.headers(Role.OPERATOR)
    url = f"/api/cameras/{flagged.cam}/snapshot"
    for offset, masked in ((3.0, False), (8.0, True), (11.9, True), (13.0, False)):
        body = {
            "at": (FIRST + timedelta(seconds=offset)).isoformat(),
            "format": "png",
            "reason": "PV",
        }
        shot = client.post(url, json=body, headers=headers)
        assert shot.status_code == 200, shot.text
        with av.open(io.BytesIO(shot.content)) as container:
            luma = next(container.decode(video=0)).to_ndarray(format="gray")
        std = float(luma[core].std())
        assert (std < 4.0) if masked else (std > 15), (offset, std)


def test_a_flagged_segment_that_cannot_be_reencoded_is_never_served(
    flagged: Flagged, tmp_path: Path
) -> None:
    rt = flagged.rt
    segment_id = _id(rt, flagged.segments[1])
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"\0\0\0\x08free" + b"x" * 100)
    with pytest.raises(masking.MaskingFailed):
        masking.served_file(rt, flagged.cam, segment_id, broken, None)
    recorded = flagged.file(flagged.segments[0])
    first = _id(rt, flagged.segments[0])
    assert masking.served_file(rt, flagged.cam, first, recorded, None) == recorded


def _id(rt: Runtime, segment: FinishedSegment) -> int:
    with rt.db.read() as s:
        query = sa.text("SELECT id FROM segments WHERE path = :p")
        return int(s.execute(query, {"p": segment.path}).scalar_one())


def test_a_masked_copy_does_not_outlive_its_footage(flagged: Flagged) -> None:
    rt, segment = flagged.rt, flagged.segments[1]
    segment_id = _id(rt, segment)
    cached = masking.served_file(rt, flagged.cam, segment_id, flagged.file(segment), None)
    assert cached.parent.name == str(flagged.cam)
    assert masking.prune(rt, cached.parent) == []  # still active: kept
    with rt.db.write() as s:
        s.execute(
            sa.text("UPDATE segments SET state = 'deleting' WHERE id = :i"), {"i": segment_id}
        )
    assert masking.prune(rt, cached.parent) == [cached]
    assert not cached.exists()
