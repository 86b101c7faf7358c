"""Burn-in benchmark (issue 6): CPU per camera of the server-mode privacy burn-in against
ffmpeg doing the same work, in the same run.

Footage: the generated 1080p25 clip of `bench_ingest` (noise shifted at random each frame,
x264 ultrafast, about 4 Mbit/s, a keyframe every 2 s), cut to `--seconds`; the 720p25 clip is
that one scaled by ffmpeg (same content, libx264 ultrafast, 2.5 Mbit/s, same GOP). Both cached
in the temp dir.

Masks: three opaque windows (rectangles, 15 % of the picture together), the same normalised
polygons at both sizes.

Measured, `--repeats` times alternating, per resolution:
* ours: `ingest.burnin.BurnIn` over the clip's packets, demuxed by PyAV in this process —
  decode, fill the three polygons on the YUV planes, encode with the encoder it chooses
  (libx264 `PRESET`, zerolatency, no B-frames, keyframes where the camera's are); CPU seconds
  of this process (all threads, `time.process_time`) around the loop; no real-time bound
  (`backlog_max` infinite: the machine's capacity is measured, nothing is dropped);
* baseline: `ffmpeg -i clip -vf drawbox=…:t=fill ×3 -c:v libx264 -preset <same> -tune
  zerolatency -bf 0 -g <gop> -f null -`: decode, fill the same three rectangles (drawbox on
  the YUV planes; the pixels are exactly those of our rasterisation of a rectangle), encode;
  CPU seconds of the child (`RUSAGE_CHILDREN`).
Figure: CPU seconds per second of video (= cores per camera), the median of the repeats, the
ratio ours / baseline (target <= 1.0) and cameras per core = 1 / (CPU per camera). Also: the
encoder the burn-in chose, the machine, its load average before and after.

Run:  flock /tmp/sentinelle-bench.lock .venv/bin/python -m bench.bench_burnin \
          [--seconds 10] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import time
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from pathlib import Path

import av

from bench.bench_ingest import CLIP_DIR, FPS, GOP_SECONDS, clip_path, load_average
from bench.common import code_state, cpu_model
from sentinelle.ingest.burnin import PRESET, BurnIn
from sentinelle.privacy.models import (
    CameraMasks,
    Enforcement,
    MaskFill,
    MaskMode,
    MaskVersion,
    Polygon,
)

# Three windows of a façade: 15 % of the picture together (normalised x0, y0, x1, y1).
WINDOWS = ((0.10, 0.10, 0.35, 0.30), (0.45, 0.10, 0.70, 0.30), (0.10, 0.45, 0.35, 0.65))
SIZES = {"720p25": (1280, 720), "1080p25": (1920, 1080)}


def clip_for(name: str, seconds: int) -> Path:
    """The clip of that resolution (the 1080p clip of bench_ingest, or it scaled)."""
    full = clip_path(seconds)
    if name == "1080p25":
        return full
    width, height = SIZES[name]
    path = CLIP_DIR / f"clip-{height}p{FPS}-g{GOP_SECONDS}-{seconds}s.mp4"
    if not path.exists():
        gop = str(FPS * GOP_SECONDS)
        args = ["ffmpeg", "-v", "error", "-y", "-i", str(full), "-vf", f"scale={width}:{height}"]
        args += ["-c:v", "libx264", "-preset", "ultrafast", "-b:v", "2500k", "-g", gop]
        args += ["-keyint_min", gop, "-sc_threshold", "0", "-bf", "0", str(path)]
        subprocess.run(  # noqa: S603 - fixed arguments
            args,
            check=True,
        )
    return path


def masks() -> CameraMasks:
    polygons = tuple(
        Polygon(f"fenêtre {i}", ((x0, y0), (x1, y0), (x1, y1), (x0, y1)), None, MaskFill.OPAQUE)
        for i, (x0, y0, x1, y1) in enumerate(WINDOWS, 1)
    )
    version = MaskVersion(1, 1, polygons, MaskMode.SERVER, "bench", None, "bench", None, "0" * 64)
    return CameraMasks(1, "fixed", version, None, MaskMode.SERVER, Enforcement.BURN_IN, ())


def run_ours(clip: Path) -> tuple[float, int, str]:
    """CPU seconds of the burn-in over the clip, packets out, the encoder chosen."""
    given, events = masks(), list[str]()
    anchor = datetime.now(UTC)
    began = time.process_time()
    produced = 0
    with av.open(str(clip)) as source:
        stream = source.streams.video[0]
        stage = BurnIn(
            stream,
            lambda: given,
            lambda kind, detail: events.append(kind),
            backlog_max=float("inf"),
        )  # capacity, not real time: no overload dropping
        tb = float(stream.time_base or Fraction(1, 90_000))
        for packet in source.demux(stream):
            if packet.pts is None:
                continue
            at = anchor + timedelta(seconds=packet.pts * tb)
            produced += len(stage.push(packet, at, timedelta(seconds=(packet.duration or 0) * tb)))
    spent = time.process_time() - began
    if events:
        raise SystemExit(f"the burn-in reported {events}")
    return spent, produced, stage.encoder_name or "?"


def drawboxes(width: int, height: int) -> str:
    """drawbox filters filling the pixels our rasterisation gives each rectangle: columns
    [round(x0·W), round(x1·W)), rows likewise (pixel centres inside)."""
    boxes = []
    for x0, y0, x1, y1 in WINDOWS:
        left, top = round(x0 * width), round(y0 * height)
        w, h = round(x1 * width) - left, round(y1 * height) - top
        boxes.append(f"drawbox=x={left}:y={top}:w={w}:h={h}:color=black:t=fill")
    return ",".join(boxes)


def run_ffmpeg(clip: Path, width: int, height: int) -> float:
    """CPU seconds of ffmpeg decoding, filling and encoding the clip (user + system)."""
    gop = str(FPS * GOP_SECONDS)
    args = ["ffmpeg", "-v", "error", "-nostdin", "-i", str(clip), "-vf", drawboxes(width, height)]
    args += ["-c:v", "libx264", "-preset", PRESET, "-tune", "zerolatency", "-bf", "0"]
    args += ["-g", gop, "-f", "null", "-"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(args, check=True)  # noqa: S603 - fixed arguments
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(json.dumps({**code_state("ingest"), "cpu": cpu_model(), "load": load_average()}))
    rows = []
    for name, (width, height) in SIZES.items():
        clip = clip_for(name, args.seconds)
        ours, theirs, encoder = [], [], "?"
        for _ in range(args.repeats):
            spent, produced, encoder = run_ours(clip)
            ours.append(spent / args.seconds)
            theirs.append(run_ffmpeg(clip, width, height) / args.seconds)
            print(
                f"{name}: ours {ours[-1]:.3f}, ffmpeg {theirs[-1]:.3f} CPU s/s ({produced} packets)"
            )
        mine, base = statistics.median(ours), statistics.median(theirs)
        rows.append((name, mine, base, encoder))
    print(f"load average after: {load_average()}")
    print("| video | burn-in CPU s/s | ffmpeg CPU s/s | ratio | cameras per core | encoder |")
    print("|---|---|---|---|---|---|")
    for name, mine, base, encoder in rows:
        print(
            f"| {name} | {mine:.3f} | {base:.3f} | {mine / base:.2f} | {1 / mine:.2f} | {encoder} |"
        )


if __name__ == "__main__":
    main()
