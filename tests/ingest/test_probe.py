"""Testing a stream before registering its camera, against a real RTSP server on loopback
(GStreamer) serving generated clips: properties, real frame rate, 2007 conformity, the
keyframe preview, and each refusal with its stable code."""

from __future__ import annotations

import io
import socket
import threading
from collections.abc import Iterator

import av
import pytest

from sentinelle.core.errors import SentinelleError
from sentinelle.ingest import probe, stills
from sentinelle.ingest.clips import write_clip
from sentinelle.registry.models import FieldOfView
from sentinelle.storage import conformity
from tests.support.rtsp import free_port, rtsp_server


@pytest.fixture(scope="module")
def rtsp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("probe")
    good = write_clip(folder / "good.mp4", 60, width=704, height=576, fps=12, gop_seconds=1)
    low = write_clip(folder / "low.mp4", 60, width=320, height=240, fps=5, gop_seconds=1)
    with rtsp_server({"good": good, "low": low}) as base:
        yield base


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A TCP port that accepts connections and never answers (a hung camera)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


def _code(url: str, **kw: float) -> SentinelleError:
    with pytest.raises(SentinelleError) as caught:
        probe.probe(url, preview=False, **kw)
    return caught.value


def test_a_conforming_stream_gives_its_properties_and_a_keyframe(rtsp: str) -> None:
    facts = probe.probe(f"{rtsp}/good", preview=True)
    assert (facts.codec, facts.width, facts.height) == ("h264", 704, 576)
    assert facts.fps == pytest.approx(12, abs=0.5)
    assert facts.frames_measured >= 2
    result = conformity.assess(facts.width, facts.height, facts.fps, FieldOfView.NARROW, True)
    assert result.ok, result.problems
    assert facts.jpeg is not None
    assert facts.jpeg[:2] == b"\xff\xd8"
    with av.open(io.BytesIO(facts.jpeg)) as image:
        frame = next(image.decode(video=0))
        assert (frame.width, frame.height) == (704, 576)


def test_a_low_resolution_slow_stream_does_not_conform(rtsp: str) -> None:
    facts = probe.probe(f"{rtsp}/low", preview=False)
    assert (facts.width, facts.height) == (320, 240)
    assert facts.fps == pytest.approx(5, abs=0.5)
    assert facts.jpeg is None  # not asked: never encoded
    result = conformity.assess(facts.width, facts.height, facts.fps, FieldOfView.WIDE, False)
    assert not result.ok
    assert result.problems == (
        "resolution 320×240 below 352×288",
        f"frame rate {facts.fps:.1f} fps below 6 fps",
    )


def test_a_dead_address_is_unreachable_without_leaking_credentials() -> None:
    error = _code(f"rtsp://admin:s3cret-pass@127.0.0.1:{free_port()}/main")
    assert error.code == "probe_unreachable"
    assert "s3cret" not in error.message
    assert "***@127.0.0.1" in error.message


def test_an_unknown_mount_is_unreachable(rtsp: str) -> None:
    assert _code(f"{rtsp}/nothing-here").code == "probe_unreachable"


def test_a_camera_that_never_answers_times_out(silent_port: int) -> None:
    error = _code(f"rtsp://127.0.0.1:{silent_port}/main", timeout=1.5)
    assert error.code == "probe_timeout"
    assert error.details == {"timeout_seconds": 1.5}


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.7/video.mjpg",
        "https://10.0.0.7/live",
        "file:///etc/passwd",
        "ftp://10.0.0.7/a.mp4",
        "10.0.0.7:554/main",
    ],
)
def test_other_schemes_are_refused_before_any_connection(url: str) -> None:
    error = _code(url)
    assert error.code == "probe_scheme_not_allowed"


def test_a_malformed_rtsp_url_is_refused() -> None:
    assert _code("rtsp:///no-host").code == "invalid_stream_url"


def test_unsupported_codec_and_missing_video_have_their_codes() -> None:
    assert probe.unsupported_codec("mjpeg").code == "probe_unsupported_codec"
    assert probe.no_video().code == "probe_no_video"


def test_the_check_keeps_rtsps() -> None:
    assert probe.check_url("  rtsps://cam.example:322/s1 ") == "rtsps://cam.example:322/s1"


@pytest.mark.parametrize(
    "spelt",
    [
        "rtsp://cam.example:554/live/main",
        "rtsp://u:p@CAM.example./live/main",
        "rtsp://cam.example/live//main/",
        "rtsps://cam.example:554/live/./x/../main?token=1",
        "rtsp://cam.example/Live/%6Dain",
    ],
)
def test_a_stream_is_recognised_however_its_url_is_spelt(spelt: str) -> None:
    assert stills.stream_key(spelt) == stills.stream_key("rtsp://cam.example/live/main")


def test_ip_spellings_and_ports_are_compared_as_numbers() -> None:
    assert stills.stream_key("rtsp://[0:0::1]/a") == stills.stream_key("rtsp://[::1]:554/a")
    assert stills.stream_key("rtsp://10.0.0.7:8554/a") != stills.stream_key("rtsp://10.0.0.7/a")
    assert stills.stream_key("rtsp://10.0.0.7/a") != stills.stream_key("rtsp://10.0.0.8/a")
    assert stills.stream_key("rtsp://10.0.0.7/a") != stills.stream_key("rtsp://10.0.0.7/b")
    assert stills.stream_key("file:///srv/a.mp4") is None
