"""Sub-streams: opened by the ingest worker on demand for live view (one session per camera,
not recorded), shared by its viewers, closed a while after the last one; `sub` without a
sub-stream is the main stream."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from sentinelle.ingest.clips import write_clip
from sentinelle.ingest.live_server import LiveServer
from sentinelle.ingest.livewire import Frame, FrameKind, StreamChoice, init_codec, socket_path
from sentinelle.ingest.worker import IngestWorker
from sentinelle.runtime import Runtime
from sentinelle.storage import layout
from tests import factories as f
from tests.ingest.test_live_muxer import _probe
from tests.support.live import FeedReader
from tests.support.rtsp import rtsp_server


@pytest.fixture(scope="module")
def rtsp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("rtsp")
    main = write_clip(folder / "main.mp4", 60, fps=10, gop_seconds=1)
    sub = write_clip(folder / "sub.mp4", 60, width=176, height=144, fps=10, gop_seconds=1)
    with rtsp_server({"main": main, "sub": sub}) as base:
        yield base


@pytest.fixture
def worker(rt: Runtime, rtsp: str) -> Iterator[tuple[IngestWorker, LiveServer]]:
    auth = f.authorisation(rt)
    zone = f.zone(rt, auth.id)
    urls = {"main_stream_url": f"{rtsp}/main"}
    f.camera(rt, zone.id, "CAM-001", **urls, sub_stream_url=f"{rtsp}/sub")
    f.camera(rt, zone.id, "CAM-002", **urls)
    ingest = IngestWorker(rt)
    ingest.sub_linger = 0.5
    server = LiveServer(
        socket_path(rt.settings.resolved_data_dir, 0), ingest.live_fanout, ingest.release_live
    )
    ingest.start()
    server.start()
    yield ingest, server
    server.close()
    ingest.stop_all()


def _size(frames: list[Frame], tmp_path: Path) -> tuple[object, object]:
    assert frames[0].kind is FrameKind.INIT
    _, init = init_codec(frames[0].payload)
    path = tmp_path / "sub.mp4"
    path.write_bytes(init + b"".join(fr.payload for fr in frames[1:]))
    probed = _probe(path)
    return probed["width"], probed["height"]


def test_the_sub_stream_is_opened_once_on_demand_and_closed_after_its_viewers(
    rt: Runtime, worker: tuple[IngestWorker, LiveServer], tmp_path: Path
) -> None:
    ingest, server = worker
    cam1, cam2 = sorted(ingest.sessions)
    assert ingest.subs == {}
    first = FeedReader(server.path, cam1, StreamChoice.SUB)
    second = FeedReader(server.path, cam1, StreamChoice.SUB)
    assert _size(first.frames(6), tmp_path) == (176, 144)
    assert _size(second.frames(4), tmp_path) == (176, 144)
    assert list(ingest.subs) == [cam1]  # one sub-stream session for both viewers
    first.close()
    second.close()
    _wait(lambda: not ingest.subs)
    fallback = FeedReader(server.path, cam2, StreamChoice.SUB)
    assert _size(fallback.frames(4), tmp_path) == (320, 240)  # no sub-stream: the main one
    assert ingest.subs == {}
    fallback.close()
    recordings = layout.recordings_root(rt.settings.resolved_data_dir)
    assert all("sub" not in p.name for p in recordings.rglob("*"))


def _wait(condition: Callable[[], bool], seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)
