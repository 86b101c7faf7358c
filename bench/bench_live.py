"""Live view (issue 5): server CPU per viewer and packet delay, one camera watched by 1, 8 and 32
WebSocket viewers.

One camera (the 1080p25 ~4 Mbit/s clip of bench_ingest, looped by the loopback GStreamer RTSP
server of the tests) is recorded by a real `sentinelle worker ingest` process (SQLite
catalogue), which serves its live feed on its Unix socket; a real API process (uvicorn, the
app of `create_app`) relays it. Viewers run in a separate process (Python `websockets`
client): each opens its view (`POST /api/live`, bearer token) then its WebSocket, and
records for every fragment received the delay between the worker's arrival instant (in the
frame header) and its receipt.

Figures, per number of viewers N (0 is the baseline, the same processes recording with
nobody watching, measured in the same run):
- server CPU per viewer: (CPU of API + worker with N viewers - with 0) / N, in % of one core;
- packet delay p50 / p99 / max (ms), arrival in the worker → receipt by the viewer;
- fragments received per viewer per second, and frames the viewers lost.
Targets: < 0.3 % of a core per viewer, p99 < 200 ms.

    .venv/bin/python -m bench.bench_live                  # 15 s per level
    .venv/bin/python -m bench.bench_live --seconds 5 --viewers 1 8   # quick check
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import uvicorn
import websockets

from bench.bench_ingest import (
    clean_env,
    clip_path,
    cpu_seconds,
    free_port,
    load_average,
    open_site,
    register_cameras,
    rtsp_server,
    worker_command,
)
from bench.common import code_state, cpu_model
from sentinelle.access.models import Role
from sentinelle.access.service import NewHabilitation, NewUser, do_create_token, do_create_user
from sentinelle.access.service import do_grant_habilitation as grant_habilitation
from sentinelle.api.app import create_app
from sentinelle.audit.models import Actor
from sentinelle.core.settings import Settings
from sentinelle.ingest.livewire import HEADER, FrameKind, parse_header
from sentinelle.registry.service import today
from sentinelle.runtime import Runtime

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
ACTOR = Actor.system("bench")
WARMUP = 4.0
PASSWORD = "Bench-password-2026!"  # noqa: S105 - a throw-away site


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=15.0, help="measured seconds per level")
    parser.add_argument("--viewers", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--clip-seconds", type=int, default=60)
    parser.add_argument("--no-json", action="store_true")
    parser.add_argument("--role", choices=["bench", "api", "viewers"], default="bench")
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--port", type=int)
    parser.add_argument("--token", default="")
    parser.add_argument("--camera", type=int, default=0)
    parser.add_argument("--count", type=int, default=0)
    parser.add_argument("--out", type=Path)
    return parser.parse_args()


# --- the API process -------------------------------------------------------------------------


def run_api(data_dir: Path, port: int) -> None:
    rt = Runtime.open(Settings(data_dir=data_dir))
    # as `sentinelle serve`: no per-message deflate (compressing H.264 costs CPU for nothing)
    uvicorn.run(
        create_app(rt),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        ws_per_message_deflate=False,
    )


# --- the viewers' process --------------------------------------------------------------------


def run_viewers(args: argparse.Namespace) -> None:
    result = asyncio.run(_viewers(args))
    args.out.write_text(json.dumps(result))


async def _viewers(args: argparse.Namespace) -> dict[str, Any]:
    base = f"127.0.0.1:{args.port}"
    auth = {"Authorization": f"Bearer {args.token}"}
    urls = [await asyncio.to_thread(_open_view, base, auth, args.camera) for _ in range(args.count)]
    began = time.time()
    start, end = began + WARMUP, began + WARMUP + args.seconds
    delays: list[float] = []
    counts = [0] * args.count

    async def watch(index: int, url: str) -> None:
        async with websockets.connect(
            f"ws://{base}{url}", additional_headers=auth, max_size=None
        ) as ws:
            while (now := time.time()) < end:
                try:
                    message = await asyncio.wait_for(ws.recv(), timeout=end - now)
                except TimeoutError:
                    return
                received = time.time()
                if not isinstance(message, bytes):
                    raise RuntimeError(f"refused: {message}")
                kind, _, arrived, _ = parse_header(message[: HEADER.size])
                if kind is FrameKind.FRAGMENT and received >= start:
                    delays.append(received * 1000 - arrived / 1000)
                    counts[index] += 1

    await asyncio.gather(*(watch(i, u) for i, u in enumerate(urls)))
    return {"delays_ms": delays, "fragments": counts, "seconds": args.seconds}


def _open_view(base: str, auth: dict[str, str], camera: int) -> str:
    body = json.dumps({"camera_ids": [camera], "reason": "bench"}).encode()
    request = urllib.request.Request(
        f"http://{base}/api/live",
        data=body,
        headers={**auth, "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return str(json.loads(response.read())["cameras"][0]["url"])


# --- the bench -------------------------------------------------------------------------------


def seed(data_dir: Path, url: str) -> tuple[int, str]:
    (camera,), token = seed_site(data_dir, [url])
    return camera, token


def seed_site(data_dir: Path, urls: list[str]) -> tuple[list[int], str]:
    """A site with a camera per URL and an operator `bench-op` (password PASSWORD, no second
    factor: operators need none) who may watch them all; the cameras and a bearer token."""
    rt = open_site(data_dir)
    cameras = register_cameras(rt, urls)
    user, _ = do_create_user(
        rt,
        ACTOR,
        NewUser(username="bench-op", full_name="Op", role=Role.OPERATOR, password=PASSWORD),
    )
    on = today(rt)
    habilitation = NewHabilitation(
        designated_by="Maire",
        designated_on=on,
        expires_on=on.replace(year=on.year + 1),
        sworn=True,
        all_cameras=True,
    )
    grant_habilitation(rt, ACTOR, user.id, habilitation)
    _, token = do_create_token(rt, ACTOR, user.id, "bench", 30)
    rt.close()
    return cameras, token


def wait_for_socket(path: Path, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if time.monotonic() > deadline:
            raise RuntimeError(f"no live socket at {path}")
        time.sleep(0.2)


def wait_for_port(port: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=2):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def level(
    args: argparse.Namespace, pids: list[int], port: int, camera: int, token: str, count: int
) -> dict[str, Any]:
    """Measure the server's CPU over the measured window with `count` viewers."""
    out = Path(tempfile.mkstemp(suffix=".json")[1])
    viewers = None
    if count:
        command = [
            sys.executable,
            "-m",
            "bench.bench_live",
            "--role=viewers",
            f"--port={port}",
            f"--token={token}",
            f"--camera={camera}",
            f"--count={count}",
            f"--seconds={args.seconds}",
            f"--out={out}",
        ]
        viewers = subprocess.Popen(command, cwd=ROOT, env=clean_env())  # noqa: S603
    time.sleep(WARMUP + 0.5)  # the viewers open their views, then start counting
    before = sum(cpu_seconds(p) for p in pids)
    began = time.monotonic()
    time.sleep(args.seconds - 1.0)
    used = sum(cpu_seconds(p) for p in pids) - before
    wall = time.monotonic() - began
    result: dict[str, Any] = {"viewers": count, "cpu_percent": 100 * used / wall}
    if viewers is not None:
        viewers.wait(args.seconds + 60)
        got = json.loads(out.read_text())
        delays = sorted(got["delays_ms"])
        result |= {
            "delay_p50_ms": statistics.median(delays),
            "delay_p99_ms": delays[int(0.99 * (len(delays) - 1))],
            "delay_max_ms": delays[-1],
            "fragments_per_viewer_per_s": statistics.mean(got["fragments"]) / got["seconds"],
            "fragments_min_viewer": min(got["fragments"]),
        }
    out.unlink()
    return result


def bench(args: argparse.Namespace) -> dict[str, Any]:
    clip = clip_path(args.clip_seconds)
    data_dir = Path(tempfile.mkdtemp(prefix="sentinelle-bench-live-"))
    with rtsp_server({"cam": clip}) as server:
        camera, token = seed(data_dir, f"{server.base}/cam")
        port = free_port()
        env = clean_env()
        worker = subprocess.Popen(worker_command(data_dir), cwd=ROOT, env=env)  # noqa: S603
        api_cmd = [sys.executable, "-m", "bench.bench_live", "--role=api"]
        api_cmd += [f"--data-dir={data_dir}", f"--port={port}"]
        api = subprocess.Popen(api_cmd, cwd=ROOT, env=env)  # noqa: S603
        try:
            wait_for_socket(data_dir / "run" / "ingest-0.sock")
            wait_for_port(port)
            time.sleep(5)  # the camera connects and records
            pids = [worker.pid, api.pid]
            levels = [level(args, pids, port, camera, token, n) for n in [0, *args.viewers]]
        finally:
            for proc in (api, worker):
                proc.terminate()
                proc.wait(20)
    base = levels[0]["cpu_percent"]
    for row in levels[1:]:
        row["cpu_percent_per_viewer"] = (row["cpu_percent"] - base) / row["viewers"]
    return {"levels": levels, "clip": clip.name}


def main() -> None:
    args = parse_args()
    if args.role == "api":
        run_api(args.data_dir, args.port)
        return
    if args.role == "viewers":
        run_viewers(args)
        return
    info = {
        "machine": f"{platform.node()} ({os.cpu_count()} vCPU, {cpu_model()})",
        "python": platform.python_version(),
        "load_before": load_average(),
        "seconds_per_level": args.seconds,
        **code_state("live"),
    }
    results = bench(args)
    print()
    for key, value in info.items():
        print(f"{key}: {value}")
    print(f"clip: {results['clip']}")
    print("viewers  server CPU %  per viewer %  delay p50 / p99 / max ms  fragments/s/viewer")
    for row in results["levels"]:
        if not row["viewers"]:
            print(f"{0:>7}  {row['cpu_percent']:>12.1f}  (baseline: recording, nobody watching)")
            continue
        print(
            f"{row['viewers']:>7}  {row['cpu_percent']:>12.1f}  "
            f"{row['cpu_percent_per_viewer']:>12.2f}  "
            f"{row['delay_p50_ms']:>6.1f} / {row['delay_p99_ms']:>6.1f} / "
            f"{row['delay_max_ms']:>6.1f}  {row['fragments_per_viewer_per_s']:>8.1f}"
        )
    if not args.no_json:
        RESULTS.mkdir(parents=True, exist_ok=True)
        path = RESULTS / f"live-{time.strftime('%Y%m%dT%H%M%S')}.json"
        path.write_text(json.dumps({"info": info, **results}, indent=2))
        print(f"\nresults: {path}")


if __name__ == "__main__":
    main()
