"""Anonymisation benchmark (issue 6, item 6): throughput of the analysis (decode, HOG people
and Haar faces, tracking) and of the render (decode, hide, encode H.264) against ffmpeg doing
the decoding / the decoding and encoding of the same file, in the same run; and the recall,
precision and subject figures on the generated clips.

Footage: `tests.support.people_clip.write_people_clip` — a static façade and pavement with fine
noise, four walkers (the subject crossing a third party, one entering and leaving, one
standing with a face), sizes scaled to the picture; 720p25 and 1080p25, `--seconds` long
(H.264 CRF 18 veryfast, a keyframe a second). Cached in the temp dir.

Measured, `--repeats` times alternating, per resolution:
* analysis: `analyse(clip)` (stride 1, working width 640) in this process; CPU seconds
  (`time.process_time`, all threads) and wall seconds; figures: frames/s, × real time (video
  seconds per wall second) and CPU seconds per second of video;
  baseline: `ffmpeg -v error -nostdin -i clip -f null -` (decoding only), CPU of
  the child (`RUSAGE_CHILDREN`) and wall; the ratio is ours / ffmpeg in CPU s per video s;
* render: `render(clip, out, analysis, keep={subject})` (libx264 `PRESET`, `CRF`), CPU and
  wall; baseline: `ffmpeg -i clip -c:v libx264 -preset <same> -crf <same> -f mp4 out`
  (decoding and encoding the same frames, nothing hidden), CPU of the child;
* quality: `score_plan` on the analysis with the subject kept — one click (the track best
  holding the subject in frame 5), and an agent keeping every track that is mostly the
  subject (`subject_tracks`) — recall, area and region precision, subject visible
  (definitions in `tests/support/people_clip.py`), per resolution and for the acceptance
  test's 960×540 10 fps 6 s clip.

Run:  flock /tmp/sentinelle-bench.lock .venv/bin/python -m bench.bench_anonymise \
          [--seconds 10] [--repeats 1] [--sizes 720p25,1080p25]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.support.people_clip import (
    PeopleClip,
    pick_subject,
    score_plan,
    subject_tracks,
    write_people_clip,
)

from bench.bench_ingest import load_average
from bench.common import code_state, cpu_model
from sentinelle.privacy.anonymise.analysis import analyse
from sentinelle.privacy.anonymise.models import Analysis, RedactionPlan
from sentinelle.privacy.anonymise.render import CRF, PRESET, render

CLIP_DIR = Path(tempfile.gettempdir()) / "sentinelle-bench-anonymise"
SIZES = {"720p25": (1280, 720), "1080p25": (1920, 1080)}
FPS = 25


def clip_for(name: str, seconds: int) -> PeopleClip:
    """The generated clip of that size (written again each run: the ground truth is in it)."""
    CLIP_DIR.mkdir(exist_ok=True)
    width, height = SIZES[name]
    path = CLIP_DIR / f"people-{name}-{seconds}s.mp4"
    return write_people_clip(path, width=width, height=height, fps=FPS, seconds=seconds)


def measured(work: Callable[[], Any]) -> tuple[float, float, Any]:
    """CPU seconds of this process, wall seconds, and the result of `work()`."""
    cpu, wall = time.process_time(), time.perf_counter()
    result = work()
    return time.process_time() - cpu, time.perf_counter() - wall, result


def run_ffmpeg(args: list[str]) -> tuple[float, float]:
    """CPU seconds (user + system) and wall seconds of one ffmpeg run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = time.perf_counter()
    subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-y", *args], check=True)  # noqa: S603, S607
    wall = time.perf_counter() - wall
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), wall


def one_round(clip: PeopleClip, out: Path, base_out: Path) -> tuple[dict[str, float], Analysis]:
    """One alternation: our analysis, ffmpeg decoding, our render, ffmpeg decode + x264."""
    row: dict[str, float] = {}
    row["a_cpu"], row["a_wall"], analysis = measured(lambda: analyse(clip.path))
    row["d_cpu"], row["d_wall"] = run_ffmpeg(["-i", str(clip.path), "-f", "null", "-"])
    plan = RedactionPlan(keep=frozenset({pick_subject(clip, analysis, 5)}))
    row["r_cpu"], row["r_wall"], _ = measured(lambda: render(clip.path, out, analysis, plan))
    encode = ["-i", str(clip.path), "-c:v", "libx264", "-preset", PRESET, "-crf", str(CRF)]
    row["e_cpu"], row["e_wall"] = run_ffmpeg([*encode, "-f", "mp4", str(base_out)])
    return row, analysis


def bench_size(name: str, seconds: int, repeats: int) -> dict[str, Any]:
    """Analysis and render of one clip, each against its ffmpeg baseline, and its scores."""
    clip = clip_for(name, seconds)
    rows: list[dict[str, float]] = []
    for _ in range(repeats):
        row, analysis = one_round(
            clip, CLIP_DIR / f"ours-{name}.mp4", CLIP_DIR / f"ffmpeg-{name}.mp4"
        )
        rows.append(row)
        print(f"{name}: {json.dumps({k: round(v, 2) for k, v in row.items()})}")
    med = {k: statistics.median(r[k] for r in rows) for k in rows[0]}
    plan = RedactionPlan(keep=frozenset({pick_subject(clip, analysis, 5)}))
    scores = score_plan(clip, analysis, plan).as_dict()
    agent = RedactionPlan(keep=subject_tracks(clip, analysis))
    scores_agent = score_plan(clip, analysis, agent).as_dict() | {"kept": sorted(agent.keep)}
    tracks = len(analysis.tracks)
    return {
        "name": name,
        "frames": clip.frames,
        "seconds": seconds,
        "tracks": tracks,
        "agent": scores_agent,
        **med,
        "scores": scores,
    }


def acceptance_scores() -> dict[str, Any]:
    """The figures of the acceptance test's clip (960×540, 10 fps, 6 s)."""
    CLIP_DIR.mkdir(exist_ok=True)
    clip = write_people_clip(CLIP_DIR / "acceptance.mp4")
    analysis = analyse(clip.path)
    plan = RedactionPlan(keep=frozenset({pick_subject(clip, analysis, 5)}))
    return score_plan(clip, analysis, plan).as_dict()


def report(results: list[dict[str, Any]]) -> None:
    """The tables of docs/benchmarks.md."""
    print("| video | analysis fps | × real time | CPU s/video s | ffmpeg decode CPU s/s | ratio |")
    print("|---|---:|---:|---:|---:|---:|")
    for r in results:
        s = r["seconds"]
        print(
            f"| {r['name']} | {r['frames'] / r['a_wall']:.1f} | {s / r['a_wall']:.2f} | "
            f"{r['a_cpu'] / s:.2f} | {r['d_cpu'] / s:.3f} | {r['a_cpu'] / r['d_cpu']:.1f} |"
        )
    print("| video | render fps | × real time | CPU s/video s | ffmpeg dec+x264 CPU s/s | ratio |")
    print("|---|---:|---:|---:|---:|---:|")
    for r in results:
        s = r["seconds"]
        print(
            f"| {r['name']} | {r['frames'] / r['r_wall']:.1f} | {s / r['r_wall']:.2f} | "
            f"{r['r_cpu'] / s:.2f} | {r['e_cpu'] / s:.2f} | {r['r_cpu'] / r['e_cpu']:.2f} |"
        )
    for r in results:
        print(f"scores {r['name']} ({r['tracks']} tracks), one click: {json.dumps(r['scores'])}")
        print(f"scores {r['name']}, every subject track kept: {json.dumps(r['agent'])}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--sizes", default="720p25,1080p25")
    args = parser.parse_args()
    state = code_state("privacy/anonymise") | {"cpu": cpu_model(), "load": load_average()}
    print(json.dumps(state | {"preset": PRESET, "crf": CRF}))
    print(f"acceptance clip: {json.dumps(acceptance_scores())}")
    results = [bench_size(n, args.seconds, args.repeats) for n in args.sizes.split(",")]
    print(f"load average after: {load_average()}")
    report(results)


if __name__ == "__main__":
    main()
