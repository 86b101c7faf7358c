"""Live view (issue 5) in the browser: packet arrival in the ingest worker → presentation of the
frame made of it by the console's player, in Debian's headless Chromium.

The setup of bench_live (its functions, imported): the 1080p25 ~4 Mbit/s clip looped by the
loopback GStreamer RTSP server, a real `sentinelle worker ingest` process, a real API process
serving the built console. Four cameras of that clip, each with a 640×360 25 fps sub-stream
(a second clip on the same server), so that the wall's grid plays sub-streams as it does in
service. Playwright drives the real console: the operator logs in (password; operators need
no second factor), opens the wall, puts the four cameras on a 4-tile grid (sub-streams), then
maximises the first (main stream, 1080p).

The page asks for the player's latency probe (`window.__sentinelleTiming`, web/src/live/
latency.ts): for each presented frame, requestVideoFrameCallback's `expectedDisplayTime` minus
the worker's arrival instant in the frame header, on the same machine's clock. Same-run
baseline: one Python WebSocket viewer of the first camera's main stream (bench_live's viewer),
arrival → receipt; and the probe's own arrival → receipt in the page. Their difference with the
presentation figure is the browser's cost (MSE buffering, decoding, compositing).

    .venv/bin/python -m bench.bench_live_browser            # 20 s per phase
    .venv/bin/python -m bench.bench_live_browser --seconds 8  # quick check
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect
from tests.support.browser import chromium

from bench.bench_ingest import (
    CLIP_DIR,
    clean_env,
    clip_path,
    free_port,
    load_average,
    open_site,
    rtsp_server,
    worker_command,
)
from bench.bench_live import ACTOR, PASSWORD, RESULTS, ROOT, level, seed_site, wait_for_port
from bench.bench_live import wait_for_socket as wait_for_file
from bench.common import code_state, cpu_model
from sentinelle.ingest.clips import write_clip
from sentinelle.registry import service as registry
from sentinelle.registry.models import CameraChanges

TILES = 4
SETTLE = 4.0  # seconds after every tile plays, before measuring
TIMING = "window.__sentinelleTiming = true;"
TAKE = """() => Object.fromEntries(Object.entries(window.__sentinelleLatency || {})
  .map(([key, samples]) => [key, samples.splice(0)]))"""
QUALITY = """() => Array.from(document.querySelectorAll('.wall-tile video')).map((v) => {
  const q = v.getVideoPlaybackQuality();
  return { width: v.videoWidth, frames: q.totalVideoFrames, dropped: q.droppedVideoFrames };
})"""


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="measured seconds per phase")
    parser.add_argument("--clip-seconds", type=int, default=60)
    parser.add_argument("--no-json", action="store_true")
    return parser.parse_args()


def sub_clip(seconds: int) -> Path:
    """The sub-stream's clip: 640×360, 25 fps, a keyframe a second (cached)."""
    path = CLIP_DIR / f"sub-360p25-g1-{seconds}s.mp4"
    if not path.exists():
        CLIP_DIR.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".tmp.mp4")
        write_clip(partial, seconds, width=640, height=360, fps=25, gop_seconds=1, speed=6)
        partial.rename(path)
    return path


def seed(data_dir: Path, base: str) -> tuple[list[int], str]:
    """Camera i records mount `cam<i>`, its sub-stream is `sub<i>` (one mount per session:
    the test RTSP server's shared media do not take clients that connect at once)."""
    cameras, token = seed_site(data_dir, [f"{base}/cam{i}" for i in range(TILES)])
    rt = open_site(data_dir)
    for i, camera in enumerate(cameras):
        changes = CameraChanges(sub_stream_url=f"{base}/sub{i}")
        registry.do_update_camera(rt, ACTOR, camera, changes)
    rt.close()
    return cameras, token


def stats(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    if not ordered:
        return {"n": 0}

    def at(q: float) -> float:
        return ordered[int(q * (len(ordered) - 1))]

    return {
        "n": len(ordered),
        "p50": statistics.median(ordered),
        "p95": at(0.95),
        "p99": at(0.99),
        "max": ordered[-1],
    }


# --- the console -----------------------------------------------------------------------------


def open_wall(page: Page, server: str, cameras: list[int]) -> None:
    page.goto(server + "/mur")
    page.get_by_label("Identifiant").fill("bench-op")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_test_id("grid-4").click()
    expect(page.locator(".wall-tile")).to_have_count(4)
    listing = page.get_by_test_id("camera-list")
    for i in range(len(cameras)):
        page.get_by_test_id(f"tile-{i}").click()
        listing.get_by_text(f"BENCH-{i:03d}", exact=True).click()
        expect(page.get_by_test_id(f"tile-{i}")).to_have_attribute("data-camera", str(cameras[i]))
    wait_live(page, len(cameras))


def wait_live(page: Page, tiles: int) -> None:
    for i in range(tiles):
        tile = page.locator(".wall-tile").nth(i)
        expect(tile).to_have_attribute("data-state", "live", timeout=30_000)


def phase(
    page: Page, seconds: float, baseline: tuple[list[int], int, int, str], name: str
) -> dict[str, Any]:
    """Measure the page for `seconds` while one Python viewer measures the relay."""
    pids, port, camera, token = baseline
    args = argparse.Namespace(seconds=seconds)
    python: dict[str, Any] = {}
    viewer = threading.Thread(
        target=lambda: python.update(level(args, pids, port, camera, token, 1))
    )
    time.sleep(SETTLE)
    viewer.start()
    time.sleep(4.5)  # bench_live's viewer opens its view and warms up as long
    page.evaluate(TAKE)  # forget what came before the window
    before = page.evaluate(QUALITY)
    time.sleep(seconds - 0.5)
    taken: dict[str, list[dict[str, float]]] = page.evaluate(TAKE)
    after = page.evaluate(QUALITY)
    viewer.join()
    taken = {key: values for key, values in taken.items() if values}
    samples = [s for values in taken.values() for s in values]
    return {
        "phase": name,
        "streams": sorted(taken),
        "display_ms": stats([s["displayMs"] for s in samples]),
        "present_ms": stats([s["presentMs"] for s in samples]),
        "page_receipt_ms": stats([s["receiptMs"] for s in samples]),
        "presented_per_s": len(samples) / (seconds - 0.5),
        "decoded": [a["frames"] - b["frames"] for a, b in zip(after, before, strict=False)],
        "dropped": [a["dropped"] - b["dropped"] for a, b in zip(after, before, strict=False)],
        "widths": [a["width"] for a in after],
        "python_viewer": python,
    }


def drive(server: str, cameras: list[int], seconds: float, baseline: Any) -> list[dict[str, Any]]:
    with chromium() as browser:
        context = browser.new_context(
            viewport={"width": 1600, "height": 960}, locale="fr-FR", service_workers="block"
        )
        context.add_init_script(TIMING)
        page = context.new_page()
        open_wall(page, server, cameras)
        grid = phase(page, seconds, baseline, "4 tiles, sub-streams (640×360 25 fps)")
        page.get_by_test_id("tile-0").dblclick()
        expect(page.locator(".wall-tile")).to_have_count(1)
        wait_live(page, 1)
        single = phase(page, seconds, baseline, "1 tile maximised, main stream (1080p25)")
        context.close()
    return [single, grid]


def bench(args: argparse.Namespace) -> dict[str, Any]:
    clip, sub = clip_path(args.clip_seconds), sub_clip(args.clip_seconds)
    data_dir = Path(tempfile.mkdtemp(prefix="sentinelle-bench-live-browser-"))
    mounts = {f"cam{i}": clip for i in range(TILES)} | {f"sub{i}": sub for i in range(TILES)}
    with rtsp_server(mounts) as rtsp:
        cameras, token = seed(data_dir, rtsp.base)
        port = free_port()
        env = clean_env()
        worker = subprocess.Popen(worker_command(data_dir), cwd=ROOT, env=env)  # noqa: S603
        api_cmd = [sys.executable, "-m", "bench.bench_live", "--role=api"]
        api_cmd += [f"--data-dir={data_dir}", f"--port={port}"]
        api = subprocess.Popen(api_cmd, cwd=ROOT, env=env)  # noqa: S603
        try:
            wait_for_file(data_dir / "run" / "ingest-0.sock")
            wait_for_port(port)
            time.sleep(5)  # the cameras connect and record
            baseline = ([worker.pid, api.pid], port, cameras[0], token)
            phases = drive(f"http://127.0.0.1:{port}", cameras, args.seconds, baseline)
        finally:
            for proc in (api, worker):
                proc.terminate()
                proc.wait(20)
    return {"phases": phases, "clip": clip.name, "sub_clip": sub.name}


def quartet(s: dict[str, float], digits: int = 0) -> str:
    return " / ".join(f"{s[k]:.{digits}f}" for k in ("p50", "p95", "p99", "max"))


def show(row: dict[str, Any]) -> str:
    py = row["python_viewer"]
    head = f"{row['phase']}: {row['presented_per_s']:.1f} frames presented/s"
    head += f" ({len(row['streams'])} stream(s)), decoded {row['decoded']}"
    head += f", dropped {row['dropped']}"
    base = f"{py['delay_p50_ms']:.1f} / {py['delay_p99_ms']:.1f} / {py['delay_max_ms']:.1f}"
    lines = [
        head,
        f"  arrival → display (p50/p95/p99/max ms)       {quartet(row['display_ms'])}",
        f"  arrival → present                             {quartet(row['present_ms'])}",
        f"  arrival → page receipt                        {quartet(row['page_receipt_ms'], 1)}",
        f"  Python viewer arrival → receipt (p50/p99/max) {base}",
        f"  server CPU (API + worker) {py['cpu_percent']:.0f} % of a core",
    ]
    return "\n".join(lines)


def main() -> None:
    args = parse_args()
    info = {
        "machine": f"{platform.node()} ({os.cpu_count()} vCPU, {cpu_model()})",
        "python": platform.python_version(),
        "load_before": load_average(),
        "seconds_per_phase": args.seconds,
        **code_state("live"),
    }
    results = bench(args)
    print()
    for key, value in info.items():
        print(f"{key}: {value}")
    print(f"clips: {results['clip']} (main), {results['sub_clip']} (sub)")
    for row in results["phases"]:
        print(show(row))
    if not args.no_json:
        RESULTS.mkdir(parents=True, exist_ok=True)
        path = RESULTS / f"live-browser-{time.strftime('%Y%m%dT%H%M%S')}.json"
        path.write_text(json.dumps({"info": info, **results}, indent=2))
        print(f"\nresults: {path}")


if __name__ == "__main__":
    main()
