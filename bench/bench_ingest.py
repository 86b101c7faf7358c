"""Ingest benchmark (issue 3): CPU cost of recording N RTSP cameras, against ffmpeg.

Cameras: a generated 1080p25 H.264 clip (libx264 through PyAV, about 4 Mbit/s under a 1 s
VBV buffer, noisy picture, a keyframe every 2 s, no B-frames; cached in the temp dir), served
N times (one mount, hence one GStreamer pipeline, per camera) by the loopback RTSP server of
the tests (`tests/support/rtsp_server.py` under Debian's /usr/bin/python3), at real time, RTP
over TCP.

Ours: the real `python -m sentinelle --data-dir D worker ingest` on a fresh data directory
(SQLite catalogue `D/sentinelle.db`, migrated; one authorisation, one zone and N cameras in
service created through the registry services, their stream URLs pointing at the server).
It runs one `CameraSession` thread per camera: PyAV demux, `SegmentWriter` (fragmented MP4,
fsync, rename, SHA-256) and the catalogue. Baseline: one `ffmpeg -rtsp_transport tcp -i URL
-c copy -f segment -segment_time 60 -reset_timestamps 1 out%03d.mp4` per camera. Each side
gets a fresh server (each clip starts at its first frame), waits until every camera has
started a file, lets `--settle` seconds pass, then measures `--measure` seconds: the CPU time
(utime + stime from /proc/PID/stat, all threads) of the worker process, of the sum of the
ffmpeg processes, and of the RTSP server, separately. Figure: CPU seconds per camera per
second of video; ratio ours / ffmpeg.

Lost packets: once a side is stopped (SIGTERM/SIGINT: segments are finished), every recorded
file is demuxed and each frame identified by a digest of its H.264 slice NAL units (types 1
and 5; parameter sets and SEI excluded, as RTP packetisation re-frames them). A camera's
frames, through all its segments in order, must be consecutive frames of the clip: a frame
missing from the sequence or one whose slices differ from the clip's (a lost RTP packet
truncates or drops a slice) counts as lost. The tail lag (stop instant minus the end of the
last recorded frame, ours) shows whether the recorder kept up with real time.

Run:  flock /tmp/sentinelle-bench.lock .venv/bin/python -m bench.bench_ingest [--cameras 1 16 64]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import sqlalchemy as sa

from bench.common import code_state
from sentinelle.audit.models import Actor
from sentinelle.core.settings import Settings
from sentinelle.migrations.runner import upgrade
from sentinelle.registry import service as registry
from sentinelle.registry.models import (
    AuthorisationInput,
    CameraInput,
    CameraKind,
    CameraStatus,
    FieldOfView,
    Placement,
    Purpose,
    ZoneInput,
)
from sentinelle.runtime import Runtime
from sentinelle.storage import layout

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = Path(__file__).parent / "results"
SERVER = ROOT / "tests" / "support" / "rtsp_server.py"
DEBIAN_PYTHON = "/usr/bin/python3"  # has GStreamer's bindings (scripts/test-deps)
CLIP_DIR = Path(tempfile.gettempdir()) / "sentinelle-bench-clips"
WIDTH, HEIGHT, FPS, GOP_SECONDS = 1920, 1080, 25, 2
BITRATE = 4_000_000
CLK_TCK = os.sysconf("SC_CLK_TCK")
ACTOR = Actor.cli("bench")
SLICE_TYPES = frozenset({1, 5})

# --- the clip --------------------------------------------------------------------------------


def clip_path(seconds: int, bitrate: int = BITRATE) -> Path:
    """The cached clip of `seconds` (generated on first use)."""
    path = CLIP_DIR / f"clip-{HEIGHT}p{FPS}-{bitrate // 1000}k-g{GOP_SECONDS}-{seconds}s.mp4"
    if not path.exists():
        CLIP_DIR.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".tmp.mp4")
        began = time.perf_counter()
        _encode(partial, seconds, bitrate)
        partial.rename(path)
        print(f"generated {path} in {time.perf_counter() - began:.0f} s", flush=True)
    return path


def _encode(path: Path, seconds: int, bitrate: int) -> None:
    """Noise shifted at random each frame (little to predict), x264 ultrafast, ABR + VBV."""
    pool = random.Random(7).randbytes(WIDTH * HEIGHT * 2)
    chroma = b"\x80" * (WIDTH // 2 * HEIGHT // 2)
    rnd = random.Random(11)
    with av.open(str(path), "w", format="mp4") as out:
        stream = out.add_stream("libx264", rate=FPS)
        stream.width, stream.height, stream.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        ctx = stream.codec_context
        ctx.time_base = Fraction(1, FPS)
        ctx.bit_rate = bitrate
        gop = str(FPS * GOP_SECONDS)
        ctx.options = {
            "g": gop,
            "keyint_min": gop,
            "bf": "0",
            "sc_threshold": "0",
            "preset": "ultrafast",
            "maxrate": str(bitrate),
            "bufsize": str(bitrate),
        }
        for i in range(seconds * FPS):
            frame = av.VideoFrame(WIDTH, HEIGHT, "yuv420p")
            offset = rnd.randrange(WIDTH * HEIGHT)
            frame.planes[0].update(pool[offset : offset + WIDTH * HEIGHT])
            for plane in frame.planes[1:]:
                plane.update(chroma)
            frame.pts = i
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))


@dataclass(frozen=True, slots=True)
class ClipFacts:
    path: str
    seconds: float
    frames: int
    mbit_s: float
    keyframe_interval_s: float
    b_frames: bool


def slice_digest(data: bytes) -> bytes:
    """Digest of the slice NAL units (types 1, 5) of an H.264 access unit, in MP4 (4-byte
    lengths) or Annex-B framing."""
    h = hashlib.blake2b(digest_size=16)
    for nal in _nal_units(data):
        if nal and nal[0] & 0x1F in SLICE_TYPES:
            h.update(nal)
    return h.digest()


def _nal_units(data: bytes) -> list[bytes]:
    """NAL units of an access unit: 4-byte length prefixes if they tile the packet exactly,
    Annex-B start codes otherwise."""
    units, offset = [], 0
    while offset + 4 <= len(data):
        size = int.from_bytes(data[offset : offset + 4], "big")
        units.append(data[offset + 4 : offset + 4 + size])
        offset += 4 + size
    if offset == len(data):
        return units
    return [chunk.rstrip(b"\x00") for chunk in data.split(b"\x00\x00\x01") if chunk]


def frame_digests(path: Path) -> list[bytes]:
    """The slice digest of every packet of a recorded or generated file, in order."""
    out: list[bytes] = []
    try:
        with av.open(str(path)) as container:
            for packet in container.demux(container.streams.video[0]):
                if packet.size:
                    out.append(slice_digest(bytes(packet)))
    except (av.error.FFmpegError, IndexError):
        pass  # unreadable (no moov) or truncated: what could be read
    return out


def clip_facts(path: Path) -> ClipFacts:
    """Measured bitrate, GOP and B-frames of the clip."""
    sizes, keys, reorder = 0, [], False
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        frames = 0
        for packet in container.demux(stream):
            if not packet.size:
                continue
            sizes += packet.size
            reorder |= packet.pts != packet.dts
            if packet.is_keyframe:
                keys.append(frames)
            frames += 1
    seconds = frames / FPS
    interval = (keys[-1] - keys[0]) / max(1, len(keys) - 1) / FPS
    return ClipFacts(str(path), seconds, frames, sizes * 8 / seconds / 1e6, interval, reorder)


# --- processes and CPU ---------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process (all its threads), seconds; 0 if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def system_busy() -> tuple[float, float]:
    """(busy, total) jiffies of the whole machine, from /proc/stat."""
    values = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return float(sum(values) - idle), float(sum(values))


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True, slots=True)
class Server:
    base: str
    pid: int


@contextmanager
def rtsp_server(mounts: dict[str, Path]) -> Iterator[Server]:
    """tests/support/rtsp_server.py serving each clip at rtsp://127.0.0.1:PORT/NAME."""
    port = free_port()
    args = [DEBIAN_PYTHON, str(SERVER), str(port), *(f"{n}={p}" for n, p in mounts.items())]
    with subprocess.Popen(args, stdout=subprocess.PIPE, text=True) as proc:  # noqa: S603
        assert proc.stdout is not None  # noqa: S101
        line = proc.stdout.readline()
        if line.strip() != "READY":
            raise RuntimeError(f"RTSP server did not start: {line!r}")
        try:
            yield Server(f"rtsp://127.0.0.1:{port}", proc.pid)
        finally:
            proc.terminate()
            proc.wait(10)


def clean_env() -> dict[str, str]:
    """The environment without SENTINELLE_* settings (the data dir is given explicitly)."""
    return {k: v for k, v in os.environ.items() if not k.startswith("SENTINELLE_")}


# --- a site with N cameras -----------------------------------------------------------------


def open_site(data_dir: Path) -> Runtime:
    """A runtime on a fresh SQLite data directory, migrated."""
    rt = Runtime.open(Settings(data_dir=data_dir))
    upgrade(rt.db.engine)
    return rt


def register_cameras(rt: Runtime, urls: Sequence[str]) -> list[int]:
    """One valid authorisation, one zone, a camera in service per URL; their ids."""
    issued = datetime.now(UTC).date() - timedelta(days=30)
    auth = registry.do_create_authorisation(
        rt,
        ACTOR,
        AuthorisationInput(
            reference="2026/BENCH/0001",
            prefecture="Préfecture de la Drôme",
            issued_on=issued,
            purposes=[Purpose.PERSONS_AND_PROPERTY],
            retention_max_days=30,
            retention_min_days=1,
            recipients=["Commissariat"],
        ),
    )
    zone = registry.do_create_zone(rt, ACTOR, ZoneInput(authorisation_id=auth.id, name="Banc"))
    return [_camera(rt, zone.id, i, url) for i, url in enumerate(urls)]


def _camera(rt: Runtime, zone_id: int, index: int, url: str) -> int:
    code = f"BENCH-{index:03d}"
    row = registry.do_create_camera(
        rt,
        ACTOR,
        CameraInput(
            code=code,
            name=f"Caméra {code}",
            zone_id=zone_id,
            kind=CameraKind.FIXED,
            placement=Placement.PUBLIC_ROAD,
            field_of_view=FieldOfView.NARROW,
            main_stream_url=url,
            retention_days=14,
            status=CameraStatus.IN_SERVICE,
        ),
    )
    return int(row.id)


def worker_command(data_dir: Path, variant: str = "ours") -> list[str]:
    """`python -m sentinelle worker ingest`, or a diagnostic variant of it (VARIANTS)."""
    tail = ["--data-dir", str(data_dir), "worker", "ingest"]
    if variant == "ours":
        return [sys.executable, "-m", "sentinelle", *tail]
    return [sys.executable, "-c", VARIANT_LAUNCHER, variant, *tail]


# Diagnostic variants (not what Sentinelle runs): the same worker with one thing changed in
# the process, to see what a cost is due to.
VARIANTS = {
    "no-timeout": "av.open without `timeout` (PyAV's interrupt callback, which takes the GIL)",
    "no-flush": "writer without `flush_packets=1` (fragments written through AVIO's buffer)",
}
VARIANT_LAUNCHER = """
import sys
import av
import sentinelle.ingest.writer as writer
variant = sys.argv.pop(1)
if variant == "no-timeout":
    real_open = av.open
    def no_timeout(*args, **kwargs):
        kwargs.pop("timeout", None)
        return real_open(*args, **kwargs)
    av.open = no_timeout
elif variant == "no-flush":
    writer.MUXER_OPTIONS = {k: v for k, v in writer.MUXER_OPTIONS.items() if k != "flush_packets"}
else:
    raise SystemExit(f"unknown variant {variant}")
from sentinelle.cli.main import app
app(prog_name="sentinelle")
"""


def wait_for_files(pattern_root: Path, pattern: str, count: int, timeout: float) -> float:
    """Wait until `count` files match; returns the seconds waited (raises on time-out)."""
    began = time.monotonic()
    while time.monotonic() - began < timeout:
        if sum(1 for _ in pattern_root.rglob(pattern)) >= count:
            return time.monotonic() - began
        time.sleep(0.2)
    found = sum(1 for _ in pattern_root.rglob(pattern))
    raise RuntimeError(f"only {found}/{count} files {pattern} after {timeout:.0f} s")


# --- one side of a measure -----------------------------------------------------------------


@dataclass
class Side:
    name: str
    cameras: int
    measured_s: float
    cpu_s: float
    server_cpu_s: float
    machine_busy_pct: float
    connect_s: float
    load: str
    started_at: str
    cpu_per_camera: float = 0.0  # CPU seconds per camera per second of video
    server_per_camera: float = 0.0
    frames: int = 0
    frames_lost: int = 0
    cameras_checked: int = 0
    max_tail_lag_s: float | None = None  # SIGTERM instant minus the last recorded frame's end
    stop_s: float = 0.0  # from SIGTERM to the worker's exit (segments finalised)
    segments: int = 0


def measure(
    name: str, pids: Sequence[int], server: Server, cameras: int, settle: float, seconds: float
) -> Side:
    """Sample CPU of `pids` and of the server over `seconds`, after `settle`."""
    time.sleep(settle)
    started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    cpu0, srv0, busy0 = sum(map(cpu_seconds, pids)), cpu_seconds(server.pid), system_busy()
    t0 = time.monotonic()
    time.sleep(seconds)
    cpu1, srv1, busy1 = sum(map(cpu_seconds, pids)), cpu_seconds(server.pid), system_busy()
    elapsed = time.monotonic() - t0
    busy = 100 * (busy1[0] - busy0[0]) / max(1.0, busy1[1] - busy0[1])
    side = Side(
        name, cameras, elapsed, cpu1 - cpu0, srv1 - srv0, busy, 0.0, load_average(), started
    )
    side.cpu_per_camera = side.cpu_s / (cameras * elapsed)
    side.server_per_camera = side.server_cpu_s / (cameras * elapsed)
    return side


def run_ours(
    clip: Path, cameras: int, args: argparse.Namespace, workdir: Path, variant: str = "ours"
) -> Side:
    """The ingest worker recording `cameras` streams; measured, stopped, then checked."""
    data_dir = workdir / f"{variant}-{cameras}"
    mounts = {f"cam{i}": clip for i in range(cameras)}
    with rtsp_server(mounts) as server:
        rt = open_site(data_dir)
        ids = register_cameras(rt, [f"{server.base}/cam{i}" for i in range(cameras)])
        root = layout.recordings_root(data_dir)
        log = (workdir / f"{variant}-{cameras}.log").open("w")
        cmd = worker_command(data_dir, variant)
        with subprocess.Popen(cmd, stderr=log, env=clean_env(), cwd=ROOT) as worker:  # noqa: S603
            try:
                connect = wait_for_files(root, "*.part", cameras, args.connect_timeout)
                side = measure(variant, [worker.pid], server, cameras, args.settle, args.measure)
            finally:
                stopped = datetime.now(UTC)  # sessions stop at their next packet
                worker.send_signal(signal.SIGTERM)
                worker.wait(120)
            side.stop_s = (datetime.now(UTC) - stopped).total_seconds()
        side.connect_s = connect
    if args.check_loss:
        check_ours(side, rt, ids, root, clip, stopped)
    rt.close()
    return side


def run_ffmpeg(clip: Path, cameras: int, args: argparse.Namespace, workdir: Path) -> Side:
    """One `ffmpeg -c copy -f segment` per camera; measured, stopped, then checked."""
    out = workdir / f"ffmpeg-{cameras}"
    mounts = {f"cam{i}": clip for i in range(cameras)}
    with rtsp_server(mounts) as server:
        procs = [_spawn_ffmpeg(f"{server.base}/cam{i}", out / f"cam{i}") for i in range(cameras)]
        try:
            connect = wait_for_files(out, "out000.mp4", cameras, args.connect_timeout)
            pids = [p.pid for p in procs]
            side = measure("ffmpeg", pids, server, cameras, args.settle, args.measure)
        finally:
            for proc in procs:
                proc.send_signal(signal.SIGINT)
            for proc in procs:
                proc.wait(60)
        side.connect_s = connect
    if args.check_loss:
        check_files(
            side, clip, [sorted((out / f"cam{i}").glob("out*.mp4")) for i in range(cameras)]
        )
    return side


def _spawn_ffmpeg(url: str, out: Path) -> subprocess.Popen[bytes]:
    out.mkdir(parents=True)
    cmd = ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "warning", "-rtsp_transport"]
    cmd += ["tcp", "-i", url, "-c", "copy", "-f", "segment", "-segment_time", "60"]
    cmd += ["-reset_timestamps", "1", str(out / "out%03d.mp4")]
    log = (out / "ffmpeg.log").open("w")
    return subprocess.Popen(cmd, stdout=log, stderr=log, stdin=subprocess.DEVNULL)  # noqa: S603


# --- the loss check ------------------------------------------------------------------------


def check_ours(
    side: Side, rt: Runtime, ids: Sequence[int], root: Path, clip: Path, stopped: datetime
) -> None:
    """Frames of the catalogued segments, per camera in order, against the clip."""
    with rt.db.read() as s:
        rows = s.execute(
            sa.text("SELECT camera_id, path, end_at FROM segments ORDER BY camera_id, start_at")
        ).all()
    per_camera: dict[int, list[Path]] = {i: [] for i in ids}
    ends: dict[int, datetime] = {}
    for camera_id, path, end_at in rows:
        per_camera[int(camera_id)].append(root / path)
        ends[int(camera_id)] = _aware(end_at)
    side.segments = len(rows)
    check_files(side, clip, list(per_camera.values()))
    if ends:
        side.max_tail_lag_s = max((stopped - end).total_seconds() for end in ends.values())


def _aware(value: datetime | str) -> datetime:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def check_files(side: Side, clip: Path, cameras: Sequence[Sequence[Path]]) -> None:
    """Count frames and lost frames of each camera's files against the clip's frames."""
    reference = frame_digests(clip)
    position = {d: i for i, d in enumerate(reference)}
    for files in cameras:
        recorded = [d for f in files for d in frame_digests(f)]
        side.frames += len(recorded)
        side.frames_lost += _lost(recorded, reference, position)
        side.cameras_checked += 1 if recorded else 0


def _lost(recorded: Sequence[bytes], reference: Sequence[bytes], position: dict[bytes, int]) -> int:
    """Frames of the clip missing between the first and last recorded ones, or corrupted."""
    start = next((position[d] for d in recorded if d in position), None)
    if start is None:
        return len(recorded)
    index, lost = start, 0
    for digest in recorded:
        where = position.get(digest)
        if where is None:
            lost += 1  # a corrupted frame (slices differ from the clip's)
            index += 1
            continue
        lost += max(0, where - index)  # frames skipped
        index = where + 1
    return lost


# --- report ----------------------------------------------------------------------------------


def versions() -> dict[str, str]:
    ffmpeg = subprocess.run(["ffmpeg", "-version"], capture_output=True, text=True, check=True)  # noqa: S607
    gst = subprocess.run(  # noqa: S603
        [DEBIAN_PYTHON, "-c", _GST_VERSION], capture_output=True, text=True, check=True
    )
    return {
        "python": platform.python_version(),
        "pyav": av.__version__,
        "libavformat (PyAV)": ".".join(map(str, av.library_versions["libavformat"])),
        "ffmpeg": ffmpeg.stdout.split("\n", 1)[0].split()[2],
        "gstreamer": gst.stdout.strip(),
        "kernel": platform.release(),
        "cpus": str(os.cpu_count()),
    }


_GST_VERSION = (
    "import gi; gi.require_version('Gst', '1.0'); from gi.repository import Gst; "
    "Gst.init(None); print(Gst.version_string())"
)


def print_tables(clip: ClipFacts, pairs: Sequence[tuple[Side, Side]]) -> None:
    print(
        f"\nClip: {clip.frames} frames, {clip.seconds:.0f} s, {WIDTH}x{HEIGHT} {FPS} fps, "
        f"{clip.mbit_s:.2f} Mbit/s, keyframe every {clip.keyframe_interval_s:.1f} s, "
        f"B-frames: {'yes' if clip.b_frames else 'no'}\n"
    )
    print(_row(INGEST_HEADER))
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for ours, base in pairs:
        print(
            f"| {ours.cameras} | **{ours.cpu_per_camera * 1000:.1f}** | "
            f"{base.cpu_per_camera * 1000:.1f} | {ours.cpu_per_camera / base.cpu_per_camera:.2f} | "
            f"{ours.server_per_camera * 1000:.1f} / {base.server_per_camera * 1000:.1f} | "
            f"{ours.machine_busy_pct:.0f} % / {base.machine_busy_pct:.0f} % | "
            f"{ours.load} / {base.load} |"
        )
    print("\n" + _row(LOSS_HEADER))
    print("|---:|---|---:|---:|---:|---:|---:|---:|---|")
    for ours, base in pairs:
        for side in (ours, base):
            lag = "" if side.max_tail_lag_s is None else f"{side.max_tail_lag_s:.2f}"
            print(
                f"| {side.cameras} | {side.name} | {side.measured_s:.1f} | {side.frames} | "
                f"{side.frames_lost} | {side.segments or ''} | {lag} | {side.stop_s:.1f} | "
                f"{side.started_at} |"
            )


def print_variants(extra: Sequence[tuple[Side, Side]]) -> None:
    """Diagnostic variants against the ffmpeg baseline of the same camera count."""
    print("\n" + _row(("Cameras", "variant", "worker CPU (ms)", "ffmpeg (ms)", "ratio", "lost")))
    print("|---:|---|---:|---:|---:|---:|")
    for side, base in extra:
        print(
            f"| {side.cameras} | {side.name} | {side.cpu_per_camera * 1000:.1f} | "
            f"{base.cpu_per_camera * 1000:.1f} | "
            f"{side.cpu_per_camera / base.cpu_per_camera:.2f} | {side.frames_lost} |"
        )


INGEST_HEADER = (
    "Cameras",
    "ours: worker CPU (ms per camera per s of video)",
    "ffmpeg (ms)",
    "ratio ours / ffmpeg",
    "RTSP server (ms per camera, ours / ffmpeg runs)",
    "machine busy (ours / ffmpeg)",
    "load average at end (ours / ffmpeg)",
)
LOSS_HEADER = (
    "Cameras",
    "side",
    "measured s",
    "frames recorded (whole run)",
    "frames lost",
    "segments",
    "tail lag s",
    "SIGTERM to exit s",
    "started",
)


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def write_json(info: dict[str, Any], pairs: Sequence[tuple[Side, Side]], clip: ClipFacts) -> Path:
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"ingest-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    data = {
        "info": info,
        "clip": asdict(clip),
        "runs": [{"ours": asdict(o), "ffmpeg": asdict(b)} for o, b in pairs],
    }
    path.write_text(json.dumps(data, indent=1) + "\n")
    return path


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("--cameras", type=int, nargs="+", default=[1, 16, 64])
    p.add_argument("--settle", type=float, default=10.0, help="s after all cameras started")
    p.add_argument("--measure", type=float, default=60.0, help="s of CPU measurement")
    p.add_argument("--connect-timeout", type=float, default=60.0)
    p.add_argument(
        "--variants",
        nargs="*",
        default=[],
        choices=sorted(VARIANTS),
        help="diagnostic variants of the worker, measured after ours: "
        + "; ".join(f"{k}: {v}" for k, v in VARIANTS.items()),
    )
    p.add_argument("--no-check-loss", dest="check_loss", action="store_false")
    p.add_argument("--quick", action="store_true", help="smoke run: 1 and 4 cameras, 10 s")
    p.add_argument("--no-json", action="store_true", help="do not write bench/results/*.json")
    args = p.parse_args(argv)
    if args.quick:
        args.cameras, args.settle, args.measure = [1, 4], 3.0, 10.0
    return args


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    seconds = int(args.connect_timeout / 2 + args.settle + args.measure + 30)
    clip = clip_path(max(40, (seconds + 9) // 10 * 10))
    facts = clip_facts(clip)
    info = {"versions": versions(), "args": vars(args), "load_before": load_average()}
    info["code"] = code_state("ingest")
    info["started"] = datetime.now(UTC).isoformat(timespec="seconds")
    print(json.dumps(info, indent=1), flush=True)
    pairs: list[tuple[Side, Side]] = []
    extra: list[tuple[Side, Side]] = []
    with tempfile.TemporaryDirectory(prefix="sentinelle-bench-ingest-") as tmp:
        for n in args.cameras:
            ours = run_ours(clip, n, args, Path(tmp))
            base = run_ffmpeg(clip, n, args, Path(tmp))
            pairs.append((ours, base))
            print(json.dumps({"ours": asdict(ours), "ffmpeg": asdict(base)}), flush=True)
            for variant in args.variants:
                extra.append((run_ours(clip, n, args, Path(tmp), variant), base))
                print(json.dumps(asdict(extra[-1][0])), flush=True)
    info["code_end"] = code_state("ingest")
    print_tables(facts, pairs)
    if extra:
        print_variants(extra)
    if not args.no_json:
        print(f"\nresults written to {write_json(info, pairs + extra, facts)}")


if __name__ == "__main__":
    main()
