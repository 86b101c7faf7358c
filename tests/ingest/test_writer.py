from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import av
import numpy as np
import pytest

from sentinelle.ingest.clips import write_clip
from sentinelle.ingest.writer import FinishedSegment
from sentinelle.runtime import Runtime
from sentinelle.storage import layout
from sentinelle.storage.check import check
from tests import factories as f
from tests.support.footage import record_clip

ANCHOR = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_clip(tmp_path_factory.mktemp("clips") / "clip.mp4", 130, fps=10, gop_seconds=2)


def _record(rt: Runtime, camera_id: int, clip: Path) -> list[FinishedSegment]:
    return record_clip(rt, camera_id, clip, ANCHOR)


def test_segments_cut_on_keyframes_at_the_target(rt: Runtime, clip: Path) -> None:
    _, _, (cam, _) = f.town(rt)
    done = _record(rt, cam.id, clip)
    assert [(s.start - ANCHOR).seconds for s in done] == [0, 60, 120]
    assert [(s.end - s.start).seconds for s in done] == [60, 60, 10]
    assert all(s.keyframes_ms[0] == 0 and s.fps == 10.0 for s in done)
    assert (done[0].codec, done[0].width, done[0].height) == ("h264", 320, 240)
    report = check(rt, rehash=True)
    assert (report.ok, report.segments) == (True, 3)


def test_segments_are_fragmented_and_lossless(rt: Runtime, clip: Path) -> None:
    _, _, (cam, _) = f.town(rt)
    done = _record(rt, cam.id, clip)
    root = layout.recordings_root(rt.settings.resolved_data_dir)
    data = (root / done[0].path).read_bytes()
    assert data.count(b"moof") >= 59  # a fragment about every second (crash loss ≤ ~1 s)
    with av.open(str(clip)) as source:
        original = [bytes(p) for p in source.demux(source.streams.video[0]) if p.size]
    copied: list[bytes] = []
    for seg in done:
        with av.open(str(root / seg.path)) as out:
            copied += [bytes(p) for p in out.demux(out.streams.video[0]) if p.size]
    assert copied == original  # every packet, bit for bit
    assert not list(root.rglob("*.part"))


def _bframe_clip(path: Path, frames: int = 40, fps: int = 10) -> Path:
    """A clip whose encoder uses B-frames (packets in decode order, not presentation order),
    as some cameras' H.264 main profile does."""
    with av.open(str(path), "w", format="mp4") as out:
        stream = out.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = 320, 240, "yuv420p"
        stream.options = {"bf": "2", "g": str(fps), "preset": "veryfast"}
        for n in range(frames):
            frame = av.VideoFrame.from_ndarray(
                np.full((240, 320, 3), (n * 6) % 255, np.uint8), format="rgb24"
            )
            frame.pts = n
            out.mux(stream.encode(frame))
        out.mux(stream.encode())
    return path


def test_a_segment_with_b_frames_ends_after_its_last_presented_frame(
    rt: Runtime, tmp_path: Path
) -> None:
    _, _, (cam, _) = f.town(rt)
    clip = _bframe_clip(tmp_path / "bframes.mp4")
    with av.open(str(clip)) as source:
        pts = [p.pts for p in source.demux(source.streams.video[0]) if p.pts is not None]
    assert pts != sorted(pts), "the clip really has B-frames"
    (done,) = _record(rt, cam.id, clip)
    assert (done.end - done.start).total_seconds() == pytest.approx(4.0)  # 40 frames at 10 fps
    assert done.fps == pytest.approx(10.0)
