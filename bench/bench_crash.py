"""Crash benchmark (issue 3): seconds of video lost when the ingest worker is killed (SIGKILL).

One camera, fed by the loopback RTSP server of the tests (`tests/support/rtsp_server.py`)
with the generated 1080p25 clip of `bench_ingest` (about 4 Mbit/s, keyframe every 2 s). For
each kill: a fresh server (one shared mount, so every client receives the same frames at the
same time); a reference receiver in this process (PyAV, RTP over TCP) notes the wall-clock
arrival of every frame and its slice digest; then the real `python -m sentinelle worker
ingest` starts on the benchmark's data directory (SQLite catalogue, the camera's URL updated
through the registry service), and so do the two ffmpeg baselines. Once the worker has
opened its segment (`.part` file), a random delay uniform in [`--min-delay`, `--max-delay`]
passes, then the worker and both ffmpeg processes get SIGKILL at the same instant K. Then
`recover_all` (what the worker runs at its start, S6) truncates and catalogues the partial
segment.

Loss, ours, two ways:
* catalogued: K minus the recovered segment's `end` (its instants are the session's anchor
  plus stream time, S5), the definition of the issue;
* measured: K minus the arrival, at the reference receiver, of the last frame the recovered
  file holds (frames identified by slice digest): independent of the session's anchor.

Baselines, killed at the same K, recording the same mount:
* `ffmpeg -rtsp_transport tcp -i URL -c copy -f segment -segment_time 60 -reset_timestamps 1
  out%03d.mp4` (plain MP4: `moov` is written at the end of a segment);
* the same with `-segment_format_options movflags=+frag_keyframe+empty_moov` (fragmented:
  one fragment per keyframe, every 2 s with this clip; written through the AVIO buffer).
Their loss is K minus the arrival of the last frame readable in their file; when nothing is
readable, K minus the moment their file appeared (what they had recorded since).

Run:  flock /tmp/sentinelle-bench.lock .venv/bin/python -m bench.bench_crash [--kills 20]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import statistics
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import av
import av.error

from bench.bench_ingest import (
    ACTOR,
    RESULTS_DIR,
    ROOT,
    clean_env,
    clip_facts,
    clip_path,
    frame_digests,
    load_average,
    open_site,
    register_cameras,
    rtsp_server,
    slice_digest,
    versions,
    worker_command,
)
from bench.common import code_state
from sentinelle.ingest.recovery import recover_all
from sentinelle.registry import service as registry
from sentinelle.registry.models import CameraChanges
from sentinelle.runtime import Runtime
from sentinelle.storage import layout
from sentinelle.storage.check import check

FFMPEG_FRAG = ["-segment_format_options", "movflags=+frag_keyframe+empty_moov"]


# --- the reference receiver ------------------------------------------------------------------


@dataclass
class Reference:
    """Receives the stream and notes (arrival wall time, slice digest) of each frame."""

    url: str
    frames: list[tuple[float, bytes]] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None

    def start(self) -> None:
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        options = {"rtsp_transport": "tcp"}
        with av.open(self.url, options=options, timeout=(10, 10)) as source:
            stream = source.streams.video[0]
            for packet in source.demux(stream):
                if self.stop.is_set():
                    break
                if packet.size:
                    self.frames.append((time.time(), slice_digest(bytes(packet))))

    def close(self) -> None:
        self.stop.set()
        if self.thread is not None:
            self.thread.join(15)

    def last_arrival(self, digests: Sequence[bytes]) -> float | None:
        """Arrival of the last of `digests` that the reference received (a torn last frame
        of a file matches nothing)."""
        arrivals = {d: at for at, d in self.frames}
        return next((arrivals[d] for d in reversed(digests) if d in arrivals), None)

    def received_before(self, instant: float) -> int:
        return sum(1 for at, _ in self.frames if at <= instant)


# --- one kill --------------------------------------------------------------------------------


@dataclass
class Kill:
    index: int
    delay_s: float  # from the segment's .part appearing to the kill
    at: str
    kept_s: float = 0.0  # duration of the recovered segment
    lost_catalogued_s: float = 0.0
    lost_measured_s: float | None = None
    lost_frames: int | None = None
    ffmpeg_plain_lost_s: float | None = None
    ffmpeg_plain_kept_frames: int = 0
    ffmpeg_frag_lost_s: float | None = None
    ffmpeg_frag_kept_frames: int = 0


def first_seen(checks: dict[str, Callable[[], bool]], timeout: float = 30.0) -> dict[str, float]:
    """The wall time at which each check first held (all polled together every 20 ms)."""
    seen: dict[str, float] = {}
    deadline = time.monotonic() + timeout
    while len(seen) < len(checks):
        for name, holds in checks.items():
            if name not in seen and holds():
                seen[name] = time.time()
        if time.monotonic() > deadline:
            raise RuntimeError(f"not seen after {timeout:.0f} s: {set(checks) - set(seen)}")
        time.sleep(0.02)
    return seen


def _any_part(root: Path) -> bool:
    return root.exists() and next(iter(root.rglob("*" + layout.PART_SUFFIX)), None) is not None


def spawn_ffmpeg(url: str, out: Path, extra: Sequence[str]) -> subprocess.Popen[bytes]:
    out.mkdir(parents=True)
    cmd = ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-rtsp_transport", "tcp"]
    cmd += ["-i", url, "-c", "copy", "-f", "segment", "-segment_time", "60"]
    cmd += ["-reset_timestamps", "1", *extra, str(out / "out%03d.mp4")]
    return subprocess.Popen(cmd, stdin=subprocess.DEVNULL)  # noqa: S603


def one_kill(
    index: int, rt: Runtime, camera_id: int, clip: Path, work: Path, rnd: random.Random, args: Any
) -> Kill:
    """Record, kill everything at a random instant, recover, measure what was lost."""
    data_dir = rt.settings.resolved_data_dir
    root = layout.recordings_root(data_dir)
    out = work / f"kill-{index:02d}"
    with rtsp_server({"cam": clip}) as server:
        url = f"{server.base}/cam"
        registry.do_update_camera(rt, ACTOR, camera_id, CameraChanges(main_stream_url=url))
        reference = Reference(url)
        reference.start()
        procs = {
            "plain": spawn_ffmpeg(url, out / "plain", []),
            "frag": spawn_ffmpeg(url, out / "frag", FFMPEG_FRAG),
        }
        log = (work / f"worker-{index:02d}.log").open("w")
        cmd = worker_command(data_dir)
        worker = subprocess.Popen(cmd, stderr=log, env=clean_env(), cwd=ROOT)  # noqa: S603
        checks: dict[str, Callable[[], bool]] = {"ours": lambda: _any_part(root)}
        for name in procs:
            checks[name] = (out / name / "out000.mp4").exists
        try:
            seen = first_seen(checks)
            opened = seen["ours"]
            delay = rnd.uniform(args.min_delay, args.max_delay)
            time.sleep(max(0.0, opened + delay - time.time()))
            killed = time.time()
            for proc in (worker, *procs.values()):
                os.kill(proc.pid, signal.SIGKILL)
        finally:
            for proc in (worker, *procs.values()):
                proc.kill()
                proc.wait()
            time.sleep(0.5)  # frames in flight reach the reference
            reference.close()
    at = datetime.fromtimestamp(killed, UTC)
    kill = Kill(index, delay, at.strftime("%H:%M:%S.%f")[:-3])
    _measure_ours(kill, rt, root, reference, killed)
    for name in procs:
        _measure_ffmpeg(kill, name, out / name / "out000.mp4", reference, killed, seen[name])
    return kill


def _measure_ours(kill: Kill, rt: Runtime, root: Path, ref: Reference, killed: float) -> None:
    recovered = recover_all(rt)
    if len(recovered) != 1:
        raise RuntimeError(f"expected one partial segment, recovery found {len(recovered)}")
    segment = recovered[0].segment
    if segment is None:  # nothing complete: everything since the segment began is lost
        name = recovered[0].part.name.removesuffix(layout.PART_SUFFIX).removesuffix(".mp4")
        began = datetime.strptime(name, "%Y%m%dT%H%M%S%fZ").replace(tzinfo=UTC)
        kill.lost_catalogued_s = killed - began.timestamp()
        return
    kill.kept_s = (segment.end - segment.start).total_seconds()
    kill.lost_catalogued_s = killed - segment.end.timestamp()
    digests = frame_digests(root / segment.path)
    last = ref.last_arrival(digests)
    if last is not None:
        kill.lost_measured_s = killed - last
        kill.lost_frames = sum(1 for at, _ in ref.frames if last < at <= killed)


def _measure_ffmpeg(
    kill: Kill, name: str, path: Path, ref: Reference, killed: float, appeared: float
) -> None:
    digests = frame_digests(path) if path.exists() else []
    last = ref.last_arrival(digests)
    lost = killed - (last if last is not None else appeared)
    setattr(kill, f"ffmpeg_{name}_lost_s", lost)
    setattr(kill, f"ffmpeg_{name}_kept_frames", len(digests))


# --- report ----------------------------------------------------------------------------------


def summary(values: Sequence[float | None]) -> str:
    known = [v for v in values if v is not None]
    if not known:
        return "n/a"
    return f"{min(known):.2f} / {statistics.median(known):.2f} / {max(known):.2f}"


def print_tables(kills: Sequence[Kill], target: float) -> None:
    print(
        "\n| Kill | delay in segment (s) | at (UTC) | ours kept (s) | ours lost, catalogued (s) "
        "| ours lost, measured (s) | frames lost | ffmpeg plain MP4 lost (s) "
        "| ffmpeg fragmented lost (s) |"
    )
    print("|---:|---:|---|---:|---:|---:|---:|---:|---:|")
    for k in kills:
        measured = "n/a" if k.lost_measured_s is None else f"{k.lost_measured_s:.2f}"
        print(
            f"| {k.index} | {k.delay_s:.1f} | {k.at} | {k.kept_s:.2f} | "
            f"{k.lost_catalogued_s:.2f} | {measured} | {k.lost_frames} | "
            f"{k.ffmpeg_plain_lost_s:.2f} | {k.ffmpeg_frag_lost_s:.2f} |"
        )
    measured = [k.lost_measured_s for k in kills]
    over = sum(1 for v in measured if v is None or v > target)
    print("\n| Seconds lost per SIGKILL, min / median / max | value |")
    print("|---|---:|")
    rows = {
        "ours, measured (reference receiver)": f"**{summary(measured)}**",
        "ours, catalogued (K − recovered end)": summary([k.lost_catalogued_s for k in kills]),
        "baseline: ffmpeg segment, plain MP4": summary([k.ffmpeg_plain_lost_s for k in kills]),
        "baseline: ffmpeg segment, fragmented MP4": summary([k.ffmpeg_frag_lost_s for k in kills]),
    }
    for label, value in rows.items():
        print(f"| {label} | {value} |")
    print(f"| kills over the {target:.1f} s target (ours, measured) | {over} of {len(kills)} |")


def write_json(info: dict[str, Any], kills: Sequence[Kill]) -> Path:
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"crash-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    data = {"info": info, "kills": [asdict(k) for k in kills]}
    path.write_text(json.dumps(data, indent=1) + "\n")
    return path


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("--kills", type=int, default=20)
    p.add_argument("--min-delay", type=float, default=1.0, help="s after the segment opened")
    p.add_argument("--max-delay", type=float, default=25.0, help="s after the segment opened")
    p.add_argument("--target", type=float, default=1.0, help="s lost per kill at most")
    p.add_argument("--seed", type=int, default=4)
    p.add_argument("--quick", action="store_true", help="smoke run: 3 kills within 6 s")
    p.add_argument("--no-json", action="store_true", help="do not write bench/results/*.json")
    args = p.parse_args(argv)
    if args.quick:
        args.kills, args.max_delay = 3, 6.0
    return args


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    clip = clip_path(int(args.max_delay + 45) // 10 * 10)
    facts = clip_facts(clip)
    info: dict[str, Any] = {"versions": versions(), "args": vars(args), "clip": asdict(facts)}
    info["code"] = code_state("ingest")
    info |= {"started": datetime.now(UTC).isoformat(timespec="seconds"), "load": load_average()}
    print(json.dumps(info, indent=1), flush=True)
    rnd = random.Random(args.seed)
    kills = []
    with tempfile.TemporaryDirectory(prefix="sentinelle-bench-crash-") as tmp:
        rt = open_site(Path(tmp) / "data")
        (camera_id,) = register_cameras(rt, ["rtsp://127.0.0.1:9/none"])
        for i in range(args.kills):
            kills.append(one_kill(i + 1, rt, camera_id, clip, Path(tmp), rnd, args))
            print(json.dumps(asdict(kills[-1])), flush=True)
        report = check(rt, rehash=True)
        info |= {"check_ok": report.ok, "segments": report.segments, "load_end": load_average()}
        info["code_end"] = code_state("ingest")
        rt.close()
    print(f"\nstorage check after recovery: ok={info['check_ok']}, segments={info['segments']}")
    print_tables(kills, args.target)
    if not args.no_json:
        print(f"\nresults written to {write_json(info, kills)}")


if __name__ == "__main__":
    main()
