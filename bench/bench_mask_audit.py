"""Mask audit benchmark (issue 6): CPU cost of one audit of a camera's own masks, as a share
of a core at one check a minute, against ffmpeg decoding the same keyframe.

Footage: a clip of `sentinelle.ingest.clips.write_clip` with three opaque camera masks (a
detailed noisy scene elsewhere), 25 fps, a keyframe every 2 s, at 1080p and at 720p, and at
360p (a sub-stream: a camera with one is audited on both streams, the costs add up).

Ours, per audit, in this process (CPU time of the process, `time.process_time`, all threads):
subscribe to a camera fan-out like the sampler, the camera session publishing the GOP's last
packets then the keyframe, `MaskAuditor._keyframe` (waits for the keyframe and decodes it with
a decoder of its own, closed after), the polygons' rasters (cached per size, as in the
sampler: computed once before timing) and `privacy.audit.check_frame` on three polygons. Not
counted: storing the result (one SQLite/PostgreSQL insert a minute). Median of `--repeats`.

Baseline: `ffmpeg -i clip -frames:v 1 -f null -` (decodes the first keyframe to raw), CPU
time of the child (`RUSAGE_CHILDREN`), process start included — what a script calling ffmpeg
once a minute would cost. Median of `--repeats`.

Figures: CPU ms per audit; % of a core per camera at one audit a minute (CPU s / 60 × 100;
target < 0.1 %); ratio ours / ffmpeg.

Run:  flock /tmp/sentinelle-bench.lock .venv/bin/python -m bench.bench_mask_audit
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import av

from bench.common import code_state
from sentinelle.ingest.clips import write_clip
from sentinelle.ingest.fanout import FanOut, Subscription
from sentinelle.ingest.mask_audit import MaskAuditor, _Audited, _planes
from sentinelle.ingest.session import LivePacket
from sentinelle.privacy import audit
from sentinelle.privacy.audit import Verdict
from sentinelle.privacy.models import MaskMode, MaskVersion, Polygon

RECTS = [(0.05, 0.1, 0.3, 0.45), (0.6, 0.05, 0.85, 0.3), (0.4, 0.6, 0.7, 0.95)]
# 360p: a typical sub-stream, audited too (each audit checks the main stream, then the sub).
SIZES = {"360p (sub)": (640, 360), "720p": (1280, 720), "1080p": (1920, 1080)}
TAIL = 10  # packets published before the keyframe (the sampler subscribes mid-GOP)


def _version() -> MaskVersion:
    polygons = tuple(
        Polygon(f"fenêtres {i}", ((x0, y0), (x1, y0), (x1, y1), (x0, y1)))
        for i, (x0, y0, x1, y1) in enumerate(RECTS)
    )
    return MaskVersion(1, 1, polygons, MaskMode.CAMERA, "bench", None, "", None, "")


def _packets(clip: Path) -> tuple[list[Any], bytes | None]:
    """The clip's first keyframe after TAIL inter packets, with them, and the extradata."""
    with av.open(str(clip)) as source:
        stream = source.streams.video[0]
        extradata = stream.codec_context.extradata
        packets = [p for p in source.demux(stream) if p.dts is not None]
    key = next(i for i, p in enumerate(packets) if p.is_keyframe and i > TAIL)
    return packets[key - TAIL : key + 1], extradata


class _Camera(FanOut[LivePacket]):
    """A camera session's fan-out that publishes the GOP's tail and the keyframe as soon as
    the sampler subscribes (publishing to the sampler is part of the audit's cost)."""

    def __init__(self, packets: list[Any], extradata: bytes | None) -> None:
        super().__init__()
        self.packets, self.extradata = packets, extradata

    def subscribe(self, depth: int = 256) -> Subscription[LivePacket]:
        sub = super().subscribe(depth)
        now = datetime.now(UTC)
        for packet in self.packets:
            self.publish(LivePacket(1, now, packet, self.extradata))
        return sub


def _ours(clip: Path, repeats: int) -> tuple[list[float], str]:
    fanout = _Camera(*_packets(clip))
    auditor = MaskAuditor(None, lambda _: fanout, lambda _: None, 60.0)  # type: ignore[arg-type]
    audited = _Audited(1, _version())
    with av.open(str(clip)) as source:  # the rasters, cached per size as in the sampler
        auditor._rasters(audited, next(source.decode(video=0)))
    times: list[float] = []
    verdict = ""
    for _ in range(repeats):
        start = time.process_time()
        sample = auditor._keyframe(audited)
        if sample is None:
            raise SystemExit("no keyframe reached the sampler")
        frame = sample[1]
        result = audit.check_frame(*_planes(frame), auditor._rasters(audited, frame))
        times.append(time.process_time() - start)
        verdict = str(result.verdict)
    return times, verdict


def _ffmpeg(clip: Path, repeats: int) -> list[float]:
    times: list[float] = []
    for _ in range(repeats):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        command = ["ffmpeg", "-v", "error", "-i", str(clip), "-frames:v", "1", "-f", "null", "-"]
        subprocess.run(command, check=True)  # noqa: S603 - fixed arguments
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        times.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    print(json.dumps({**code_state("privacy"), "load": list(_load())}))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, (width, height) in SIZES.items():
            clip = write_clip(
                Path(tmp) / f"{width}x{height}.mp4",
                args.seconds,
                width=width,
                height=height,
                fps=25,
                masks=RECTS,
            )
            ours, verdict = _ours(clip, args.repeats)
            base = _ffmpeg(clip, args.repeats)
            if verdict != Verdict.PASS:
                raise SystemExit(f"the audit of a masked clip gave {verdict}")
            mine, theirs = statistics.median(ours), statistics.median(base)
            rows.append(
                {
                    "video": name,
                    "audit_cpu_ms": round(mine * 1000, 2),
                    "ffmpeg_cpu_ms": round(theirs * 1000, 2),
                    "ratio": round(mine / theirs, 3) if theirs else None,
                    "core_percent_at_1_per_min": round(mine / 60 * 100, 4),
                    "verdict": verdict,
                }
            )
            print(json.dumps(rows[-1]))
    print(json.dumps({"load_after": list(_load())}))


def _load() -> tuple[float, float, float]:
    return os.getloadavg()


if __name__ == "__main__":
    main()
