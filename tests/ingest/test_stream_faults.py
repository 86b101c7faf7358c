"""Faults of the stream itself: parameters changing mid-stream, timestamps jumping, corrupt
data, no keyframe for a long time, a 'camera' that answers garbage. In every case nothing
already recorded is lost, segments never overlap (S5), and the event is reported."""

from __future__ import annotations

import itertools
import socket
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import av
import pytest

from sentinelle.core.clock import FakeClock
from sentinelle.ingest.clips import write_clip
from sentinelle.ingest.events import EventKind, GapReason
from sentinelle.ingest.writer import FinishedSegment
from sentinelle.runtime import Runtime
from sentinelle.storage import layout
from sentinelle.storage.check import check
from tests import factories as f
from tests.ingest.recorder import Recorder
from tests.support.streams import joined, to_ts, with_garbage

TEN = timedelta(seconds=10)


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("faults")
    small = write_clip(folder / "small.mp4", 20, width=320, height=240)
    large = write_clip(folder / "large.mp4", 20, width=640, height=480, shade=90)
    sparse = write_clip(folder / "sparse.mp4", 40, gop_seconds=32)
    return {
        "changed": joined(folder / "changed.ts", (small, 0.0), (large, 20.0)),
        "back": joined(folder / "back.ts", (small, 0.0), (small, 5.0)),
        "forward": joined(folder / "forward.ts", (small, 0.0), (small, 3600.0)),
        "garbage": with_garbage(to_ts(small, folder / "s.ts"), folder / "g.ts", 0.5, 20_000),
        "sparse": to_ts(sparse, folder / "sparse.ts"),
    }


def _assert_contiguous(segments: list[FinishedSegment]) -> None:
    """No overlap, no hole between the segments of one connection (S5)."""
    for before, after in itertools.pairwise(segments):
        assert before.end <= after.start
        assert (after.start - before.end) <= timedelta(milliseconds=200)


def _record(rt: Runtime, clock: FakeClock, clip: Path) -> Recorder:
    _, _, (cam, _) = f.town(rt)
    return Recorder(rt, clock, cam.id, str(clip), target=TEN).run()


def test_a_change_of_resolution_cuts_the_segment_and_describes_the_new_stream(
    rt: Runtime, clock: FakeClock, clips: dict[str, Path]
) -> None:
    rec = _record(rt, clock, clips["changed"])
    assert [(s.width, s.height) for s in rec.segments] == [(320, 240)] * 2 + [(640, 480)] * 2
    assert rec.seconds() == [10.0, 10.0, 10.0, 10.0]
    changed = [e for e in rec.events if e.kind is EventKind.STREAM_CHANGED]
    assert len(changed) == 1
    assert "320×240 → 640×480" in changed[0].detail
    _assert_contiguous(rec.segments)
    root = layout.recordings_root(rt.settings.resolved_data_dir)
    with av.open(str(root / rec.segments[2].path)) as stored:
        frame = next(stored.decode(video=0))
        assert (frame.width, frame.height) == (640, 480)
        assert stored.streams.video[0].codec_context.height == 480
    assert check(rt, rehash=True).ok


@pytest.mark.parametrize("which", ["back", "forward"])
def test_a_timestamp_jump_reanchors_without_overlap_or_loss(
    rt: Runtime, clock: FakeClock, clips: dict[str, Path], which: str
) -> None:
    rec = _record(rt, clock, clips[which])
    jumps = [e for e in rec.events if e.kind is EventKind.TIMESTAMP_JUMP]
    assert len(jumps) == 1
    assert (
        ("-14.900 s" in jumps[0].detail) if which == "back" else ("+3580.100 s" in jumps[0].detail)
    )
    assert rec.seconds() == [10.0, 10.0, 10.0, 10.0]  # all 40 s, none dropped or stretched
    _assert_contiguous(rec.segments)
    assert check(rt, rehash=True).ok


def test_corrupt_data_is_skipped_and_recording_goes_on(
    rt: Runtime, clock: FakeClock, clips: dict[str, Path]
) -> None:
    rec = _record(rt, clock, clips["garbage"])
    assert rec.kinds()[:2] == [EventKind.CONNECTED, EventKind.CORRUPT_DATA]
    assert sum(rec.seconds()) >= 15.0  # 20 s clip, about 2 s of it destroyed by the garbage
    assert rec.segments[-1].end - rec.segments[0].start >= timedelta(seconds=18)
    assert check(rt, rehash=True).ok


def test_a_stream_without_keyframes_is_reported_and_still_recorded(
    rt: Runtime, clock: FakeClock, clips: dict[str, Path]
) -> None:
    rec = _record(rt, clock, clips["sparse"])
    late = [e for e in rec.events if e.kind is EventKind.NO_KEYFRAME]
    assert len(late) == 1
    assert rec.seconds() == [32.0, 8.0]  # cut at the first keyframe after 32 s: nothing lost
    assert rec.segments[0].keyframes_ms == (0,)


@pytest.fixture
def garbage_camera() -> Iterator[str]:
    """A TCP server that answers every connection with garbage instead of RTSP."""
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]

    def answer() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            with conn:
                conn.sendall(b"\x17\x03garbage, not RTSP\r\n\r\n" * 50)

    threading.Thread(target=answer, daemon=True).start()
    yield f"rtsp://127.0.0.1:{port}/stream"
    server.close()


def test_a_camera_answering_garbage_never_delays_another(
    rt: Runtime, clock: FakeClock, clips: dict[str, Path], garbage_camera: str
) -> None:
    _, _, (cam, other) = f.town(rt)
    bad = Recorder(rt, clock, other.id, garbage_camera, events_wanted=2)
    good = Recorder(rt, clock, cam.id, str(clips["changed"]), target=TEN)
    bad.thread.start()
    good.run()
    bad.thread.join(timeout=30)
    assert len(good.segments) == 4
    assert bad.segments == []
    failures = [e for e in bad.events if e.kind is EventKind.DISCONNECTED]
    assert [e.reason for e in failures] == [GapReason.UNREACHABLE] * 2
