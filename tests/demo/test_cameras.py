"""The demo's simulated cameras: real GStreamer pipelines served over RTSP, recorded by the
real ingest path (CameraSession over RTSP/TCP), with the wall clock moving in the picture."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import av
import pytest

from sentinelle.core.clock import SystemClock
from sentinelle.demo import cameras, town, walkers
from sentinelle.ingest.clips import write_clip
from sentinelle.ingest.session import CameraSession, EventKind, SessionConfig, SessionEvent
from sentinelle.ingest.writer import FinishedSegment
from sentinelle.privacy.anonymise.analysis import analyse
from sentinelle.privacy.anonymise.models import TrackKind
from sentinelle.registry import repository
from sentinelle.runtime import Runtime
from tests.support.rtsp import free_port


@pytest.fixture(scope="module")
def live() -> Iterator[cameras.CameraServer]:
    server = cameras.start(town.camera_names(), port=free_port())
    yield server
    server.stop()


def _clock_text(frame: av.VideoFrame) -> bytes:
    """The bright pixels (the clock's white digits) of the top-left corner, as a mask: the
    scene under the clock's dark box never reaches this luma."""
    luma = frame.planes[0]
    data = bytes(luma)
    rows = frame.height // 8
    return bytes(
        data[y * luma.line_size + x] > 200
        for y in range(0, rows, 2)
        for x in range(0, frame.width // 2, 2)
    )


def _frames_one_second_apart(source: av.container.InputContainer) -> tuple[av.VideoFrame, ...]:
    first = None
    for frame in source.decode(video=0):
        if frame.time is None:
            continue  # the very first picture of an RTSP session may have no timestamp
        if first is None:
            first = frame
        elif frame.time - first.time >= 1:
            return first, frame
    raise AssertionError("less than a second of video")


def test_a_camera_streams_h264_at_4cif_with_the_clock_moving(live: cameras.CameraServer) -> None:
    with av.open(live.url("VSR-001"), options={"rtsp_transport": "tcp"}, timeout=10) as source:
        stream = source.streams.video[0]
        assert stream.codec_context.name == "h264"
        before, after = _frames_one_second_apart(source)
    assert (before.width, before.height) == (cameras.WIDTH, cameras.HEIGHT)
    assert any(_clock_text(before)), "no clock drawn in the top-left corner"
    assert _clock_text(before) != _clock_text(after), "the clock did not move in one second"


def test_a_camera_has_a_cif_sub_stream(live: cameras.CameraServer) -> None:
    url = cameras.sub_stream_url(live.port, "VSR-002")
    with av.open(url, options={"rtsp_transport": "tcp"}, timeout=10) as source:
        frame = next(f for f in source.decode(video=0) if f.time is not None)
    assert (frame.width, frame.height) == (cameras.SUB_WIDTH, cameras.SUB_HEIGHT) == (352, 288)


def test_the_cameras_point_at_their_main_and_sub_streams(rt: Runtime) -> None:
    town.seed(rt)
    changed = town.point_cameras(rt, town.live_urls(8600), town.live_sub_urls(8600))
    assert sorted(changed) == sorted(town.camera_names())
    assert town.point_cameras(rt, town.live_urls(8600), town.live_sub_urls(8600)) == []
    with rt.db.read() as s:
        row = repository.find_camera(s, "VSR-001")
        assert row is not None
        assert row.sub_url_redacted == "rtsp://127.0.0.1:8600/vsr-001-sub"


def test_the_ingest_path_records_a_live_camera(live: cameras.CameraServer, tmp_path: Path) -> None:
    segments: list[FinishedSegment] = []
    events: list[SessionEvent] = []
    session = CameraSession(
        SessionConfig(1, live.url("VSR-004"), tmp_path),
        SystemClock(),
        segments.append,
        events.append,
    )
    stop = threading.Event()
    thread = threading.Thread(target=session.run, args=(stop,))
    thread.start()
    time.sleep(4)
    stop.set()
    thread.join(timeout=20)
    assert events[0].kind is EventKind.CONNECTED
    [segment] = segments
    assert (segment.codec, segment.width, segment.height) == ("h264", 704, 576)
    assert segment.fps == pytest.approx(12.5, abs=0.5)
    assert segment.keyframes_ms[0] == 0
    with av.open(str(tmp_path / segment.path)) as recorded:
        before, after = _frames_one_second_apart(recorded)
    assert _clock_text(before) != _clock_text(after)


def test_every_camera_is_a_distinct_scene(live: cameras.CameraServer) -> None:
    codes = ("VSR-001", "VSR-002", "VSR-003", "VSR-005", "VSR-007")
    with ThreadPoolExecutor(len(codes)) as pool:  # each waits for its first key frame
        pictures = set(pool.map(lambda code: _lower_half(live.url(code)), codes))
    assert len(pictures) == len(codes)


def _lower_half(url: str) -> bytes:
    with av.open(url, options={"rtsp_transport": "tcp"}, timeout=10) as source:
        frame = next(source.decode(video=0))
        luma = frame.planes[0]
        return bytes(luma)[frame.height // 2 * luma.line_size :]


def test_a_taken_port_is_reported(live: cameras.CameraServer) -> None:
    with pytest.raises(cameras.CamerasUnavailable, match="cannot listen"):
        cameras.start({"VSR-001": "Mairie"}, port=live.port)


def test_the_server_does_not_outlive_the_demo() -> None:
    """Killed without a chance to clean up (SIGKILL), the demo leaves no camera server."""
    code = (
        "from sentinelle.demo import cameras\n"
        f"s = cameras.start({{'VSR-001': 'Mairie'}}, port={free_port()})\n"
        "print(s.process.pid, flush=True)\n"
        "import time; time.sleep(60)\n"
    )
    with subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True) as demo:
        assert demo.stdout is not None
        child = int(demo.stdout.readline())
        assert _alive(child)
        os.kill(demo.pid, signal.SIGKILL)
        demo.wait()
    deadline = time.monotonic() + 5
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(child)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_the_seeded_cameras_point_at_the_live_server(rt: Runtime) -> None:
    town.seed(rt)
    with rt.db.read() as s:
        urls = {code: repository.find_camera(s, code) for code in town.camera_names()}
        assert {c: row.main_url_redacted for c, row in urls.items() if row} == {
            code: f"rtsp://127.0.0.1:8554/{code.lower()}" for code in town.camera_names()
        }


def test_without_gstreamer_the_demo_records_clips(
    rt: Runtime, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    town.seed(rt)
    monkeypatch.setattr(cameras, "DEBIAN_PYTHON", "/nonexistent/python3")
    monkeypatch.setattr(town, "write_clip", lambda path, _s, **kw: write_clip(path, 1, **kw))
    assert town.start_sources(rt, free_port()) is None
    assert "generated clips instead" in caplog.text
    with rt.db.read() as s:
        row = repository.find_camera(s, "VSR-003")
        assert row is not None
        assert row.main_url_redacted.startswith("file://")
        assert row.main_url_redacted.endswith("/demo-clips/vsr-003.mp4")
        assert row.sub_url_redacted is None  # live view of `sub` shows the clip


def test_the_street_camera_shows_people_the_detector_finds(tmp_path: Path) -> None:
    """The demo's « Rue du Marché » plays the walkers' loop behind its clock (and its
    sub-stream too), so that a disclosure made in the demo has third parties to hide."""
    frames = walkers.street_frames(tmp_path / "street", cameras.WIDTH, cameras.HEIGHT)
    street = {town.STREET_CAMERA: "Rue du Marché"}
    server = cameras.start(street, port=free_port(), scenes={town.STREET_CAMERA: frames})
    try:
        clip = tmp_path / "street.mp4"
        with av.open(server.url(town.STREET_CAMERA), options={"rtsp_transport": "tcp"},
                     timeout=10) as source, av.open(str(clip), "w") as out:  # fmt: skip
            video = source.streams.video[0]
            assert (video.codec_context.width, video.codec_context.height) == (704, 576)
            copy = out.add_stream_from_template(video)
            for n, packet in enumerate(source.demux(video)):
                if packet.dts is None:
                    continue
                packet.stream = copy
                out.mux(packet)
                if n > 40:  # about 3 s
                    break
        sub = cameras.sub_stream_url(server.port, town.STREET_CAMERA)
        with av.open(sub, options={"rtsp_transport": "tcp"}, timeout=10) as source:
            frame = next(source.decode(video=0))
            assert (frame.width, frame.height) == (cameras.SUB_WIDTH, cameras.SUB_HEIGHT)
    finally:
        server.stop()
    people = [t for t in analyse(clip).tracks if t.kind == TrackKind.PERSON]
    assert len(people) >= 2


def test_the_street_loop_has_no_seam() -> None:
    first = walkers.street_frame(352, 288, 0)
    assert (walkers.street_frame(352, 288, walkers.LOOP_FRAMES) == first).all()
    assert not (walkers.street_frame(352, 288, 1) == first).all()  # they walk
