"""The demo town's simulated cameras: live H.264 streams served over RTSP on loopback by
GStreamer (`cameras_server.py`, a child process run by Debian's /usr/bin/python3), recorded by
the ingest worker exactly as it records a real camera.

Each camera is a distinct moving scene with the site's local date and time and the camera's
code and name drawn into the picture. The stream is what a municipal camera typically sends:
4CIF PAL (704×576) at 12.5 images per second, H.264 constant bitrate 1.5 Mbit/s, a key frame
every 2 seconds, no B-frames (x264 `ultrafast`, one thread per camera; the encoder pads to the
constant bitrate, as a camera set to CBR does, since the synthetic scenes are simpler than a
street). Measured on 2 shared vCPUs (GStreamer 1.22, libx264 164, Debian 12), the eight
pipelines cost 28 % of one core at this size and rate, against 50 % at 25 images/s, and
63 % / 117 % in 720p at 12.5 / 25 images/s; in the running demo the server (seven cameras
recorded) used 27 % of one core and the ingest worker 3 %, which leaves the CPUs to the API
and the recorder.
"""

from __future__ import annotations

import json
import logging
import os
import selectors
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sentinelle.demo.walkers import FRAME_NAME

log = logging.getLogger(__name__)

SERVER_SCRIPT = Path(__file__).with_name("cameras_server.py")
DEBIAN_PYTHON = "/usr/bin/python3"  # the interpreter that has GStreamer's Python bindings
DEFAULT_PORT = 8554  # the usual unprivileged RTSP port
WIDTH, HEIGHT = 704, 576
SUB_WIDTH, SUB_HEIGHT = 352, 288  # each camera's sub-stream (CIF), for live view in a grid
SUB_BITRATE_KBPS = 384
FRAMERATE = "25/2"  # 12.5 images per second
BITRATE_KBPS = 1536
GOP_FRAMES = 25  # 2 seconds
START_TIMEOUT = 15.0

# Each camera's scene: properties of GStreamer's videotestsrc (all of them move).
SCENES: dict[str, str] = {
    "VSR-001": "pattern=ball motion=wavy background-color=0xff22313f foreground-color=0xffe8a33a",
    "VSR-002": "pattern=smpte75 horizontal-speed=2",
    "VSR-003": "pattern=zone-plate kx2=20 ky2=20 kt2=2",
    "VSR-004": "pattern=ball motion=sweep background-color=0xff17352a foreground-color=0xfff0f0f0",
    "VSR-005": "pattern=bar horizontal-speed=4 background-color=0xff1c2836 "
    "foreground-color=0xffd8c060",
    "VSR-006": "pattern=ball motion=hsweep background-color=0xff303030 foreground-color=0xffe6e6e6",
    "VSR-007": "pattern=colors horizontal-speed=2",
    "VSR-008": "pattern=chroma-zone-plate kx2=20 ky2=20 kt2=3",
}
_DEFAULT_SCENE = "pattern=ball motion=wavy"


class CamerasUnavailable(Exception):
    """The simulated cameras could not start (GStreamer missing, port taken, ...)."""


def mount(code: str) -> str:
    return code.lower()


def sub_mount(code: str) -> str:
    return f"{mount(code)}-sub"


def stream_url(port: int, code: str) -> str:
    return f"rtsp://127.0.0.1:{port}/{mount(code)}"


def sub_stream_url(port: int, code: str) -> str:
    return f"rtsp://127.0.0.1:{port}/{sub_mount(code)}"


def pipeline(
    code: str,
    name: str,
    width: int = WIDTH,
    height: int = HEIGHT,
    bitrate_kbps: int = BITRATE_KBPS,
    frames: Path | None = None,
) -> str:
    """The gst-launch description of one camera stream, ending in the RTP payloader `pay0`.
    The server starts a stream's encoder when its first client connects. With `frames` (a
    folder of `walkers.FRAME_NAME` JPEGs), the scene is that loop instead of a test pattern."""
    size = height // 29  # font size (points) proportional to the picture
    clock = (
        'clockoverlay time-format="%d/%m/%Y %H:%M:%S" halignment=left valignment=top '
        f'shaded-background=true shading-value=170 font-desc="DejaVu Sans Mono Bold {size}"'
    )
    label = (
        f'textoverlay text="{_quoted(code)}  {_quoted(name)}" halignment=left '
        "valignment=bottom shaded-background=true shading-value=170 "
        f'font-desc="DejaVu Sans Bold {size - 3}"'
    )
    encoder = (
        f"x264enc tune=zerolatency speed-preset=ultrafast threads=1 bitrate={bitrate_kbps} "
        f"vbv-buf-capacity=1000 option-string=nal-hrd=cbr key-int-max={GOP_FRAMES} bframes=0"
    )
    return (
        f"{_source(code, frames)} "
        f"! video/x-raw,format=I420,width={width},height={height},framerate={FRAMERATE} "
        f"! {clock} ! {label} ! {encoder} "
        "! rtph264pay name=pay0 pt=96"  # x264 repeats SPS/PPS before each key frame
    )


def _source(code: str, frames: Path | None) -> str:
    if frames is None:
        return f"videotestsrc is-live=true {SCENES.get(code, _DEFAULT_SCENE)}"
    location = _quoted(str(frames / FRAME_NAME))
    return (
        f'multifilesrc location="{location}" loop=true '
        f'caps="image/jpeg,framerate=(fraction){FRAMERATE}" ! jpegdec ! videoconvert ! videoscale'
    )


def _quoted(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


@dataclass
class CameraServer:
    """The running child process serving the simulated cameras."""

    process: subprocess.Popen[str]
    port: int

    def url(self, code: str) -> str:
        return stream_url(self.port, code)

    def stop(self, timeout: float = 10.0) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()


def start(
    cameras: dict[str, str],
    port: int = DEFAULT_PORT,
    timezone: str = "Europe/Paris",
    timeout: float = START_TIMEOUT,
    scenes: dict[str, Path] | None = None,
) -> CameraServer:
    """Serve each camera (code → name) at rtsp://127.0.0.1:PORT/<code in lower case>, the
    clock in `timezone`; a camera in `scenes` (code → folder of JPEG frames) shows that loop.
    Raises CamerasUnavailable if the server does not come up."""
    scenes = scenes or {}
    if not Path(DEBIAN_PYTHON).exists():
        raise CamerasUnavailable(f"{DEBIAN_PYTHON} (with GStreamer's bindings) is missing")
    spec = {
        "port": port,
        "parent": os.getpid(),
        "mounts": {
            **{
                mount(code): pipeline(code, name, frames=scenes.get(code))
                for code, name in cameras.items()
            },
            **{
                sub_mount(code): pipeline(
                    code, name, SUB_WIDTH, SUB_HEIGHT, SUB_BITRATE_KBPS, scenes.get(code)
                )
                for code, name in cameras.items()
            },
        },
    }
    process = subprocess.Popen(  # noqa: S603 - our own script, run by a fixed interpreter
        [DEBIAN_PYTHON, str(SERVER_SCRIPT)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,  # one line: READY, or ERROR and why
        text=True,
        env={**os.environ, "TZ": timezone},
        start_new_session=True,  # Ctrl-C reaches the demo, which stops it after the recorder
    )
    server = CameraServer(process, port)
    assert process.stdin is not None  # noqa: S101 - set by stdin=PIPE
    process.stdin.write(json.dumps(spec))
    process.stdin.close()
    answer = _first_line(process, timeout)
    if answer == "READY":
        return server
    server.stop()
    if not answer:
        answer = f"the camera server did not start within {timeout:g} s (see its messages)"
    raise CamerasUnavailable(answer.removeprefix("ERROR").strip(" :"))


def _first_line(process: subprocess.Popen[str], timeout: float) -> str:
    assert process.stdout is not None  # noqa: S101 - set by stdout=PIPE
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        if selector.select(timeout):
            return process.stdout.readline().strip()
    return ""
