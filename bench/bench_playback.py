"""Playback benchmark (issue 4): playlists, segment files, timelines, summaries and snapshots
on a 30-day catalogue, server-side, SQLite and PostgreSQL.

The catalogue is made as `bench_storage` makes it (a freshly migrated database behind a
`Runtime` with a `FakeClock`; one authorisation, one zone, C cameras created through the
registry services; the `segments` table filled in bulk): C cameras (default 10) × 30 days of
60-second segments, 43,200 per camera. Camera 1 is in service and has 60 holes (one segment
removed each), half of them explained by `disconnected`/`connected` events, so timelines have
gaps to label. One real segment file — a 60-second 1080p25 clip with a 2-second GOP made by
`ingest.clips.write_clip`, copied through the segment writer — is hard-linked at the path of
every segment a measure touches (and those rows get its size); the others have no file.

Every request goes through the ASGI app in-process (`create_app`, bearer token of a
supervisor, the thread pool as in production), timed from the call to the first body byte
(TTFB) and to the end. Measures (median and p95 over `--runs` runs, after `--warmup`):

* open: `POST /api/playback` of one hour of camera 1 at a random instant (journal + timeline);
* playlist: `GET .../cameras/1.m3u8` of that hour (61 segments; the init section of each file
  is found by reading its top-level box headers). Baseline: the bare SQL of the segment rows
  of that hour through the driver's cursor;
* first media segment: `GET .../segments/<first>` with the `Range` of its init section, then
  of its fragments, as a player asks; TTFB;
* timeline of camera 1 over the 30 days (`playback.timeline.timeline`, and `GET
  /api/cameras/1/timeline` without segments), day and hour summaries of camera 1 and day
  summaries of every camera over 30 days (`playback.timeline.summaries`). Baseline: the bare
  SQL of camera 1's 43,200 (start, end) through the driver's cursor;
* snapshot: `POST /api/cameras/1/snapshot` (JPEG, and PNG) at a random instant of the 1080p
  footage (journal, seek to the keyframe, decode, encode). Baseline in the same run:
  `ffmpeg -ss <offset> -i <segment> -frames:v 1 out.jpg` (a subprocess, so its start-up too).

Targets of the issue: playlist and first segment < 50 ms, snapshot < 500 ms. Nothing is
asserted on time.

Run:  flock /tmp/sentinelle-bench.lock .venv/bin/python -m bench.bench_playback
      [--engines sqlite postgresql] [--cameras 10] [--days 30] [--runs 50]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import re
import statistics
import subprocess
import tempfile
import time
from argparse import Namespace
from collections.abc import Callable, MutableMapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import av
import sqlalchemy as sa

from bench.bench_storage import (
    DAY0,
    PG_ADMIN_URL,
    SLOTS_PER_DAY,
    Heads,
    fill,
    fresh_runtime,
    make_cameras,
    make_slots,
    pct,
    server_version,
    settle,
)
from bench.common import cpu_model
from sentinelle.access.models import Role
from sentinelle.access.service import NewHabilitation, NewUser, do_create_token, do_create_user
from sentinelle.access.service import do_grant_habilitation as grant_habilitation
from sentinelle.api.app import create_app
from sentinelle.audit.models import Actor
from sentinelle.ingest.clips import copy_through_writer, write_clip
from sentinelle.ingest.events import EventKind, GapReason, SessionEvent
from sentinelle.ingest.service import record_events
from sentinelle.ingest.writer import FinishedSegment
from sentinelle.playback.models import Bucket
from sentinelle.playback.timeline import summaries, timeline
from sentinelle.registry.models import CameraStatus
from sentinelle.registry.service import do_set_camera_status
from sentinelle.runtime import Runtime
from sentinelle.storage import layout
from sentinelle.storage.models import GENESIS

RESULTS_DIR = Path(__file__).parent / "results"
CLIP_DIR = Path(tempfile.gettempdir()) / "sentinelle-bench-clips"
ENGINES = ("sqlite", "postgresql")
ACTOR = Actor.cli("bench")
PASSWORD = "Bench-Playback-" + str(os.getpid())  # throw-away account
HOLES = 60
TARGETS_MS = {"playlist": 50.0, "segment_media": 50.0, "snapshot_jpeg": 500.0}
HOUR_SQL = (
    "SELECT id, start_at, end_at, path, bytes, state FROM segments WHERE camera_id = {p} "
    "AND start_at >= coalesce((SELECT max(start_at) FROM segments WHERE camera_id = {p} "
    "AND start_at <= {p}), {p}) AND start_at < {p} AND end_at > {p} ORDER BY start_at"
)
SPANS_SQL = (
    "SELECT start_at, end_at, state FROM segments WHERE camera_id = {p} AND start_at < {p} "
    "AND end_at > {p} ORDER BY start_at"
)


# --- the ASGI app, in-process ------------------------------------------------------------------


@dataclass(slots=True)
class Answer:
    status: int
    ttfb_ms: float
    total_ms: float
    headers: dict[str, str]
    body: bytes


class Client:
    """Calls the ASGI app on one event loop, timing the first body byte and the end."""

    def __init__(self, rt: Runtime, token: str) -> None:
        self.app = create_app(rt)
        self.loop = asyncio.new_event_loop()
        self.auth = f"Bearer {token}"

    def close(self) -> None:
        self.loop.close()

    def call(self, method: str, path: str, body: Any = None, **headers: str) -> Answer:
        return self.loop.run_until_complete(self._call(method, path, body, headers))

    async def _call(self, method: str, path: str, body: Any, extra: dict[str, str]) -> Answer:
        raw = b"" if body is None else json.dumps(body).encode()
        headers = {"authorization": self.auth, "content-type": "application/json"} | extra
        target, _, query = path.partition("?")
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": target,
            "raw_path": target.encode(),
            "query_string": query.encode(),
            "root_path": "",
            "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 8080),
        }
        done = asyncio.Event()
        sent = False
        status, first, chunks, answer_headers = 0, 0.0, [], {}

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": raw, "more_body": False}
            await done.wait()
            return {"type": "http.disconnect"}

        async def send(message: MutableMapping[str, Any]) -> None:
            nonlocal status, first
            if message["type"] == "http.response.start":
                status = message["status"]
                answer_headers.update({k.decode(): v.decode() for k, v in message["headers"]})
            elif message["type"] == "http.response.body":
                if not first and message.get("body"):
                    first = time.perf_counter()
                chunks.append(message.get("body", b""))

        start = time.perf_counter()
        await self.app(scope, receive, send)
        end = time.perf_counter()
        done.set()
        ttfb = (first or end) - start
        return Answer(status, ttfb * 1e3, (end - start) * 1e3, answer_headers, b"".join(chunks))


# --- the site ----------------------------------------------------------------------------------


@dataclass(slots=True)
class Site:
    rt: Runtime
    cameras: list[int]
    token: str
    real: Path  # the real 1080p segment file
    real_size: int
    linked: set[str] = field(default_factory=set)

    @property
    def cam(self) -> int:
        return self.cameras[0]

    @property
    def root(self) -> Path:
        return layout.recordings_root(self.rt.settings.resolved_data_dir)


def clip_file() -> Path:
    """The 60-second 1080p25 clip, GOP 2 s (made once, kept in the temp dir)."""
    CLIP_DIR.mkdir(exist_ok=True)
    path = CLIP_DIR / "playback-1080p25-60s.mp4"
    if not path.exists():
        print("making the 1080p25 clip (once)")
        partial = path.with_suffix(".partial.mp4")
        write_clip(partial, 60, width=1920, height=1080, fps=25, gop_seconds=2)
        partial.rename(path)
    return path


def real_segment(root: Path, clip: Path) -> FinishedSegment:
    """The clip copied through the segment writer, as camera 0 (outside the catalogue)."""
    done: list[FinishedSegment] = []
    copy_through_writer(clip, root, 0, DAY0, done.append, timedelta(seconds=61))
    return done[0]


def build_site(rt: Runtime, clock: Any, args: Namespace, clip: Path) -> Site:
    started = time.perf_counter()
    cameras = make_cameras(rt, args.cameras, 30)
    do_set_camera_status(rt, ACTOR, cameras[0], CameraStatus.IN_SERVICE, "bench")
    heads: Heads = dict.fromkeys(cameras, (0, GENESIS))
    rows = fill(rt, cameras, make_slots(0, args.days * SLOTS_PER_DAY, rt.db.dialect), heads)
    _make_holes(rt, cameras[0], args)
    real = real_segment(layout.recordings_root(rt.settings.resolved_data_dir), clip)
    token = _supervisor_token(rt)
    clock.set(DAY0 + timedelta(days=args.days, minutes=1))
    settle(rt)
    print(
        f"[{rt.db.dialect}] {rows:,} segments, {args.cameras} cameras x {args.days} days, "
        f"made in {time.perf_counter() - started:.0f} s"
    )
    path = layout.recordings_root(rt.settings.resolved_data_dir) / real.path
    return Site(rt, cameras, token, path, real.size)


def _make_holes(rt: Runtime, camera: int, args: Namespace) -> None:
    """Remove `HOLES` random segments of the camera; half with events explaining them."""
    rng = random.Random(args.seed)
    seqs = sorted(rng.sample(range(2, args.days * SLOTS_PER_DAY), HOLES))
    with rt.db.write() as s:
        s.execute(
            sa.text("DELETE FROM segments WHERE camera_id = :c AND chain_seq = :q"),
            [{"c": camera, "q": q} for q in seqs],
        )
    events = []
    for q in seqs[::2]:
        start = DAY0 + timedelta(minutes=q - 1)
        events.append(SessionEvent(camera, EventKind.DISCONNECTED, start, "", GapReason.LOST))
        events.append(SessionEvent(camera, EventKind.CONNECTED, start + timedelta(seconds=60)))
    record_events(rt, events)


def _supervisor_token(rt: Runtime) -> str:
    user, _ = do_create_user(
        rt, ACTOR, NewUser("bench.supervisor", "Bench", Role.SUPERVISOR, password=PASSWORD)
    )
    grant_habilitation(
        rt,
        ACTOR,
        user.id,
        NewHabilitation(
            designated_by="Maire",
            designated_on=date(2026, 1, 1),
            expires_on=date(2027, 12, 31),
            sworn=True,
            all_cameras=True,
        ),
    )
    _, token = do_create_token(rt, ACTOR, user.id, "bench", 365)
    return token


def link_hour(site: Site, start: datetime, end: datetime) -> list[int]:
    """Give the segments of camera 1 overlapping [start, end) the real file; their ids."""
    with site.rt.db.write() as s:
        rows = s.execute(
            sa.text(
                "SELECT id, path FROM segments WHERE camera_id = :c AND start_at < :e "
                "AND end_at > :s"
            ),
            {"c": site.cam, "s": _db_time(site.rt, start), "e": _db_time(site.rt, end)},
        ).all()
        s.execute(
            sa.text("UPDATE segments SET bytes = :b WHERE id = :i"),
            [{"b": site.real_size, "i": r[0]} for r in rows],
        )
    for _, rel in rows:
        if rel not in site.linked:
            target = site.root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            os.link(site.real, target)
            site.linked.add(rel)
    return sorted(r[0] for r in rows)


def _db_time(rt: Runtime, instant: datetime) -> Any:
    if rt.db.dialect == "sqlite":
        return instant.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
    return instant


# --- measures ----------------------------------------------------------------------------------

Samples = dict[str, list[float]]


def driver_query(rt: Runtime, sql: str, params: Sequence[Any]) -> float:
    """Milliseconds of a bare query through the driver's cursor, rows fetched."""
    mark = "?" if rt.db.dialect == "sqlite" else "%s"
    raw = rt.db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        start = time.perf_counter()
        cursor.execute(
            sql.format(p=mark), [_db_time(rt, p) if isinstance(p, datetime) else p for p in params]
        )
        cursor.fetchall()
        elapsed = time.perf_counter() - start
        raw.rollback()
        return elapsed * 1e3
    finally:
        raw.close()


def measure_hours(site: Site, client: Client, args: Namespace, samples: Samples) -> None:
    rng = random.Random(args.seed + 1)
    last = args.days * SLOTS_PER_DAY * 60 - 3600
    for run in range(args.warmup + args.runs):
        start = DAY0 + timedelta(seconds=rng.randrange(0, last))
        end = start + timedelta(hours=1)
        link_hour(site, start, end)
        keep = run >= args.warmup
        hour = [site.cam, site.cam, start, start, end, start]
        _keep(samples, "baseline_hour_sql", driver_query(site.rt, HOUR_SQL, hour), keep)
        body = {"camera_ids": [site.cam], "from": start.isoformat(), "to": end.isoformat(),
                "reason": "bench"}  # fmt: skip
        opened = client.call("POST", "/api/playback", body)
        _check(opened, 200)
        _keep(samples, "open", opened.total_ms, keep)
        url = json.loads(opened.body)["cameras"][0]["playlist_url"]
        playlist = client.call("GET", url)
        _check(playlist, 200)
        _keep(samples, "playlist", playlist.total_ms, keep)
        first_id, init, media = _first_entry(playlist.body.decode())
        segment_url = url.rsplit("/", 2)[0] + f"/segments/{first_id}"
        for name, (offset, length) in (("segment_init", init), ("segment_media", media)):
            answer = client.call("GET", segment_url, range=f"bytes={offset}-{offset + length - 1}")
            _check(answer, 206)
            _keep(samples, name, answer.ttfb_ms, keep)


def _first_entry(playlist: str) -> tuple[int, tuple[int, int], tuple[int, int]]:
    init = re.search(r'BYTERANGE="(\d+)@(\d+)"', playlist)
    media = re.search(r"#EXT-X-BYTERANGE:(\d+)@(\d+)", playlist)
    uri = re.search(r"^\.\./segments/(\d+)$", playlist, re.MULTILINE)
    if not (init and media and uri):
        msg = f"unexpected playlist: {playlist[:300]}"
        raise RuntimeError(msg)
    return (
        int(uri.group(1)),
        (int(init.group(2)), int(init.group(1))),
        (int(media.group(2)), int(media.group(1))),
    )


def measure_month(site: Site, client: Client, args: Namespace, samples: Samples) -> None:
    rt = site.rt
    start, end = DAY0, DAY0 + timedelta(days=args.days)
    month = f"from={start.isoformat()}&to={end.isoformat()}".replace("+", "%2B")
    runs = max(5, args.runs // 2)
    for run in range(2 + runs):
        keep = run >= 2
        spans = [site.cam, end, start]
        _keep(samples, "baseline_month_sql", driver_query(rt, SPANS_SQL, spans), keep)
        _keep(samples, "timeline_30d", _ms(lambda: timeline(rt, site.cam, start, end)), keep)
        answer = client.call("GET", f"/api/cameras/{site.cam}/timeline?{month}")
        _check(answer, 200)
        _keep(samples, "timeline_30d_api", answer.total_ms, keep)
        for bucket in Bucket:
            work = _summary(rt, [site.cam], start, end, bucket)
            _keep(samples, f"summary_{bucket}_30d", _ms(work), keep)
        work = _summary(rt, site.cameras, start, end, Bucket.DAY)
        _keep(samples, "summary_day_30d_all", _ms(work), keep)


def _summary(
    rt: Runtime, cameras: list[int], start: datetime, end: datetime, bucket: Bucket
) -> Callable[[], object]:
    return lambda: summaries(rt, cameras, start, end, bucket)


def measure_snapshots(site: Site, client: Client, args: Namespace, samples: Samples) -> None:
    rng = random.Random(args.seed + 2)
    out = Path(tempfile.mkdtemp(prefix="sentinelle-bench-snap-"))
    for run in range(args.warmup + args.runs):
        keep = run >= args.warmup
        segment_start = _recorded_minute(site, rng, args)
        offset = rng.uniform(0, 59.9)
        at = segment_start + timedelta(seconds=offset)
        for fmt in ("jpeg", "png"):
            body = {"at": at.isoformat(), "format": fmt, "reason": "bench"}
            answer = client.call("POST", f"/api/cameras/{site.cam}/snapshot", body)
            _check(answer, 200)
            _keep(samples, f"snapshot_{fmt}", answer.total_ms, keep)
        path = site.root / layout.relative_path(site.cam, segment_start)
        command = ["ffmpeg", "-v", "error", "-y", "-ss", f"{offset:.3f}", "-i", str(path),
                   "-frames:v", "1", str(out / "out.jpg")]  # fmt: skip
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)  # noqa: S603
        _keep(samples, "baseline_ffmpeg_jpeg", (time.perf_counter() - started) * 1e3, keep)


def _recorded_minute(site: Site, rng: random.Random, args: Namespace) -> datetime:
    """The start of a random segment of camera 1 (not a hole), given the real file."""
    while True:
        start = DAY0 + timedelta(minutes=rng.randrange(1, args.days * SLOTS_PER_DAY - 2))
        if link_hour(site, start, start + timedelta(seconds=1)):
            return start


def _ms(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return (time.perf_counter() - start) * 1e3


def _keep(samples: Samples, name: str, value: float, keep: bool) -> None:
    if keep:
        samples.setdefault(name, []).append(value)


def _check(answer: Answer, status: int) -> None:
    if answer.status != status:
        msg = f"HTTP {answer.status}: {answer.body[:300]!r}"
        raise RuntimeError(msg)


def bench_engine(engine: str, args: Namespace, clip: Path) -> Samples:
    samples: Samples = {}
    with fresh_runtime(engine, args.pg_admin_url, args.files_dir) as (rt, clock):
        site = build_site(rt, clock, args, clip)
        client = Client(rt, site.token)
        try:
            for name, part in (
                ("hours", measure_hours),
                ("month", measure_month),
                ("snapshots", measure_snapshots),
            ):
                started = time.perf_counter()
                part(site, client, args, samples)
                print(f"[{engine}] {name}: {time.perf_counter() - started:.0f} s")
        finally:
            client.close()
    return samples


# --- report ------------------------------------------------------------------------------------

ROWS = [
    ("open", "POST /api/playback, 1 camera x 1 h (journal + timeline)", None),
    ("playlist", "GET playlist, 1 h (61 segments)", "baseline_hour_sql"),
    ("baseline_hour_sql", "  baseline: bare SQL of the hour's rows (driver)", None),
    ("segment_init", "GET segment, init range, TTFB", None),
    ("segment_media", "GET segment, fragments range, TTFB", None),
    ("timeline_30d", "timeline, 30 days (service)", "baseline_month_sql"),
    ("timeline_30d_api", "GET timeline, 30 days (API, no segments)", "baseline_month_sql"),
    ("baseline_month_sql", "  baseline: bare SQL of 43,200 (start, end) (driver)", None),
    ("summary_day_30d", "day summary, 30 days, 1 camera", None),
    ("summary_hour_30d", "hour summary, 30 days, 1 camera", None),
    ("summary_day_30d_all", "day summary, 30 days, every camera", None),
    ("snapshot_jpeg", "POST snapshot JPEG, 1080p", "baseline_ffmpeg_jpeg"),
    ("snapshot_png", "POST snapshot PNG, 1080p", "baseline_ffmpeg_jpeg"),
    ("baseline_ffmpeg_jpeg", "  baseline: ffmpeg -ss -i -frames:v 1 out.jpg", None),
]


def print_report(results: dict[str, Samples]) -> None:
    engines = list(results)
    print()
    header = f"{'measure (ms)':52}" + "".join(
        f"{e + ' median':>18}{'p95':>9}{'ratio':>7}" for e in engines
    )
    print(header)
    for key, label, baseline in ROWS:
        cells = ""
        for engine in engines:
            values = results[engine].get(key)
            if not values:
                cells += f"{'-':>18}{'-':>9}{'':>7}"
                continue
            ratio = ""
            if baseline and results[engine].get(baseline):
                base = statistics.median(results[engine][baseline])
                ratio = f"{statistics.median(values) / base:.2f}"
            cells += f"{statistics.median(values):>18.2f}{pct(values, 0.95):>9.2f}{ratio:>7}"
        print(f"{label:52}{cells}")
    for key, target in TARGETS_MS.items():
        verdicts = [
            f"{e}: {'yes' if pct(results[e][key], 0.95) < target else 'NO'}" for e in engines
        ]
        print(f"target {key} p95 < {target:.0f} ms: {', '.join(verdicts)}")


def machine(args: Namespace) -> dict[str, str]:
    model = cpu_model()
    info = {
        "nproc": str(len(os.sched_getaffinity(0))),
        "cpu": model,
        "os": platform.platform(),
        "python": platform.python_version(),
        "pyav": av.__version__,
        "ffmpeg (PyAV)": av.library_versions["libavcodec"].__repr__(),
    }
    for engine in args.engines:
        info[engine] = server_version(engine, args.pg_admin_url)
    return info


def write_json(info: dict[str, str], results: dict[str, Samples], args: Namespace) -> Path:
    RESULTS_DIR.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS_DIR / f"playback-{stamp}.json"
    summary = {
        engine: {k: {"median": statistics.median(v), "p95": pct(v, 0.95)} for k, v in s.items()}
        for engine, s in results.items()
    }
    data = {"machine": info, "args": vars(args), "summary_ms": summary, "samples_ms": results}
    path.write_text(json.dumps(data, indent=1) + "\n")
    return path


def parse_args() -> Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("--engines", nargs="+", default=list(ENGINES), choices=ENGINES)
    p.add_argument("--cameras", type=int, default=10)
    p.add_argument("--days", type=int, default=30)
    p.add_argument("--runs", type=int, default=50, help="timed runs per measure")
    p.add_argument("--warmup", type=int, default=5, help="untimed runs first")
    p.add_argument("--seed", type=int, default=4)
    p.add_argument("--files-dir", help="where the data directory goes (default: temp dir)")
    p.add_argument("--pg-admin-url", default=PG_ADMIN_URL)
    p.add_argument("--no-json", action="store_true", help="do not write bench/results/*.json")
    return p.parse_args()


def main() -> None:
    args = parse_args()
    clip = clip_file()
    info = machine(args)
    results = {engine: bench_engine(engine, args, clip) for engine in args.engines}
    print()
    for key, value in info.items():
        print(f"{key}: {value}")
    print_report(results)
    if not args.no_json:
        print(f"\nresults: {write_json(info, results, args)}")


if __name__ == "__main__":
    main()
