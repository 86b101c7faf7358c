"""Storage benchmark (issue 3): the time sweeper and the catalogue query, SQLite and PostgreSQL.

Every measure runs on a freshly migrated database (SQLite file in a temporary directory;
PostgreSQL database `sentinelle_bench_<random>`, created and dropped here) behind a `Runtime`
with a `FakeClock`. One authorisation (retention 1 to 30 days), one zone and N cameras are
created through the registry services; then the `segments` table is filled in bulk
(executemany on SQLite, COPY on PostgreSQL) in time order, as cameras record: for each
60-second slot (ADR 0006), one segment per camera. Each camera's chain is computed as
`storage.policy.chain_hash` defines it (checked against it) and its head is set in
`camera_chains`.

* sweeper: one day of C cameras (default 600: 864,000 segments), each segment with a small file
  at its layout path (in `--files-dir`, default the system's temp dir), the clock set so that
  the whole day is exactly past the cameras' retention (14 days). Timed:
  `storage.sweeper.sweep_time(rt)`, what `storage purge` runs (two-phase deletion, register
  lines, journal entries), with the time spent in its steps (`_decide`, `_phase_one`,
  `_unlink`, `_phases_two_three`, wrapped here; the sweep goes through windows of about
  `sweeper.BATCH` segments of all cameras, oldest end first). Checked afterwards: no purged
  segment left, no file left, register lines complete and summing to every segment.
  Baseline, on a second fresh database filled the same way: one bare `DELETE FROM segments
  WHERE end_at <= cutoff RETURNING path` in one transaction through the driver, then
  `os.unlink` of each file: the same destruction without our logic. Target from the issue:
  a day of 600 cameras in under 60 s. `--minutes 1 --keep-days 14` measures the steady state
  instead: one minute per camera to purge in a catalogue holding the 14 retained days (rows
  only), what each periodic sweep does. `--profile` runs the sweep under cProfile (dump in
  bench/results/).
* catalogue: 600 cameras x 30 days on PostgreSQL (25.9 M rows), 64 cameras x 30 days on SQLite
  (2.76 M rows), rows only. Timed per query: a one-hour window at a random camera and time,
  `storage.repository.segments_between(session, camera, t1, t2)` inside `rt.db.read()`, as a
  request runs it (its start bounded below by the last segment starting at or before t1,
  since segments of a camera never overlap, S5). Baseline: the same SQL through the driver's
  cursor (no ORM). "Before": the query as it was before commit 5a7dca3 (start bounded above
  only), through the driver. The variants of each query run one after the other, rotating
  which goes first; their answers must agree.

Every figure is compared with its baseline measured in the same run; nothing is asserted on
time.

Run:  .venv/bin/python -m bench.bench_storage [--parts sweep catalogue] [--cameras 600] [--days 1]
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import json
import os
import platform
import pstats
import random
import re
import secrets
import sqlite3
import statistics
import tempfile
import time
from argparse import Namespace
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import sqlalchemy as sa

from bench.common import Timing, cpu_model
from sentinelle.audit.models import Actor
from sentinelle.core.clock import FakeClock
from sentinelle.core.settings import Settings
from sentinelle.db.engine import Database, create_engine
from sentinelle.migrations.runner import upgrade
from sentinelle.registry import service as registry
from sentinelle.registry.models import (
    AuthorisationInput,
    CameraInput,
    CameraKind,
    FieldOfView,
    Placement,
    Purpose,
    ZoneInput,
)
from sentinelle.runtime import Runtime
from sentinelle.storage import check as storage_check
from sentinelle.storage import layout, policy, repository, sweeper
from sentinelle.storage.models import GENESIS

PG_ADMIN_URL = os.environ.get(
    "SENTINELLE_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
RESULTS_DIR = Path(__file__).parent / "results"
ENGINES = ("sqlite", "postgresql")
NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
ACTOR = Actor.cli("bench")
SEGMENT = timedelta(seconds=60)  # ADR 0006
DAY = timedelta(days=1)
SLOTS_PER_DAY = 1_440
DAY0 = datetime(2026, 9, 1, tzinfo=UTC)  # first recorded minute
SEGMENT_BYTES = 30_000_000  # 60 s at 4 Mbit/s: catalogue rows without files
KEYFRAMES = json.dumps(list(range(0, 60_000, 2_000)))  # GOP 2 s, as SQLAlchemy's JSON stores it
SWEEP_TARGET_S = 60.0
SWEEP_TARGET_SEGMENTS = 600 * SLOTS_PER_DAY
QUERY_TARGET_MS = 10.0
COLUMNS = (
    "camera_id, start_at, end_at, path, bytes, codec, width, height, fps, keyframes_ms, "
    "sha256, chain_seq, chain_hash, state, recovered, created_at"
)
SELECT_COLUMNS = f"id, {COLUMNS}"
COPY_TYPES = [  # binary COPY; json travels as its text
    "int4", "timestamptz", "timestamptz", "varchar", "int8", "varchar", "int4", "int4", "float8",
    "text", "varchar", "int8", "varchar", "varchar", "bool", "timestamptz",
]  # fmt: skip


# --- results ---------------------------------------------------------------------------------


@dataclass(slots=True)
class SweepResult:
    engine: str
    cameras: int
    segments: int = 0
    fill: Timing | None = None
    sweep: Timing | None = None
    register_lines: int = 0
    phases: dict[str, float] = field(default_factory=dict)
    bare: Timing | None = None
    bare_delete: Timing | None = None
    bare_unlink: Timing | None = None


@dataclass(slots=True)
class CatalogueResult:
    engine: str
    cameras: int
    days: int
    rows: int = 0
    fill: Timing | None = None
    settle_s: float = 0.0
    size_bytes: int = 0
    latencies_ms: dict[str, list[float]] = field(default_factory=dict)
    rows_per_answer: float = 0.0
    plan: list[str] = field(default_factory=list)


# --- databases and runtime -------------------------------------------------------------------


@contextmanager
def fresh_runtime(
    engine: str, admin_url: str, files_dir: str | None = None
) -> Iterator[tuple[Runtime, FakeClock]]:
    """A runtime with a fake clock over a freshly migrated database (SQLite file in a temporary
    directory) and an empty data directory (in `files_dir`, default the system's temp dir)."""
    with (
        tempfile.TemporaryDirectory(prefix="sentinelle-bench-") as tmp,
        tempfile.TemporaryDirectory(prefix="sentinelle-bench-data-", dir=files_dir) as data,
        _database(engine, admin_url, Path(tmp)) as url,
    ):
        settings = Settings(data_dir=Path(data), database_url=url)
        settings.prepare()
        clock = FakeClock(DAY0)
        rt = Runtime(
            settings=settings,
            db=Database.from_url(url),
            clock=clock,
            site_secret=secrets.token_bytes(32),
        )
        try:
            upgrade(rt.db.engine)
            yield rt, clock
        finally:
            rt.close()


@contextmanager
def _database(engine: str, admin_url: str, tmp: Path) -> Iterator[str]:
    if engine == "sqlite":
        yield f"sqlite:///{tmp / 'bench.db'}"
        return
    name = f"sentinelle_bench_{secrets.token_hex(4)}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield admin_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def server_version(engine: str, admin_url: str) -> str:
    if engine == "sqlite":
        return f"SQLite {sqlite3.sqlite_version}"
    admin = create_engine(admin_url)
    try:
        with admin.connect() as conn:
            return f"PostgreSQL {conn.exec_driver_sql('SHOW server_version').scalar_one()}"
    finally:
        admin.dispose()


def make_cameras(rt: Runtime, count: int, retention_days: int) -> list[int]:
    """One authorisation (retention 1 to 30 days), one zone, `count` planned cameras."""
    auth = registry.do_create_authorisation(
        rt,
        ACTOR,
        AuthorisationInput(
            reference="2026/DSC/BENCH",
            prefecture="Préfecture de la Drôme",
            issued_on=date(2024, 3, 1),
            purposes=[Purpose.PERSONS_AND_PROPERTY],
            retention_max_days=30,
            retention_min_days=1,
            recipients=["Commissariat de Valence"],
        ),
    )
    zone = registry.do_create_zone(rt, ACTOR, ZoneInput(authorisation_id=auth.id, name="Ville"))
    ids = []
    for i in range(1, count + 1):
        camera = registry.do_create_camera(
            rt,
            ACTOR,
            CameraInput(
                code=f"CAM-{i:04d}",
                name=f"Caméra {i}",
                zone_id=zone.id,
                kind=CameraKind.FIXED,
                placement=Placement.PUBLIC_ROAD,
                field_of_view=FieldOfView.NARROW,
                main_stream_url=f"rtsp://10.1.{i // 250}.{i % 250 + 1}:554/main",
                retention_days=retention_days,
            ),
        )
        ids.append(camera.id)
    return ids


# --- synthetic catalogue ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Slot:
    """One 60-second position, the same for every camera, preformatted for the engine."""

    start: datetime
    iso_start: str  # as chain_hash formats it
    iso_end: str
    db_start: str | datetime  # as the driver takes it
    db_end: str | datetime
    db_created: str | datetime
    suffix: str  # layout path after "<camera>/"


def _db_text(instant: datetime, engine: str) -> str | datetime:
    if engine == "sqlite":  # SQLAlchemy's SQLite DATETIME storage format, naive UTC
        return instant.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
    return instant


def make_slots(first: int, count: int, engine: str) -> list[Slot]:
    """Slots `first` to `first + count - 1` (minutes after DAY0)."""
    slots = []
    for i in range(first, first + count):
        start = DAY0 + i * SEGMENT
        end = start + SEGMENT
        rel = layout.relative_path(1, start)
        slots.append(
            Slot(
                start=start,
                iso_start=start.isoformat(),
                iso_end=end.isoformat(),
                db_start=_db_text(start, engine),
                db_end=_db_text(end, engine),
                db_created=_db_text(end + timedelta(seconds=1), engine),
                suffix=rel.split("/", 1)[1],
            )
        )
    return slots


def content(camera_id: int, seq: int) -> bytes:
    """What the small file of a segment holds (a few bytes)."""
    return f"{camera_id}:{seq}\n".encode()


Heads = dict[int, tuple[int, str]]
Row = tuple[Any, ...]


def segment_rows(
    cameras: Sequence[int], slots: Sequence[Slot], heads: Heads, with_files: int
) -> Iterator[Row]:
    """Rows in recording order (slot by slot, every camera), extending each camera's chain.
    The segments of the first `with_files` slots have a small file (`content`); the others
    have the size of a real 60-second segment and no file."""
    sha256 = hashlib.sha256
    for index, slot in enumerate(slots):
        for camera in cameras:
            seq, prev = heads[camera]
            seq += 1
            data = content(camera, seq)
            size = len(data) if index < with_files else SEGMENT_BYTES
            digest = sha256(data).hexdigest()
            text = f"{prev}|{digest}|{camera}|{slot.iso_start}|{slot.iso_end}|{size}"
            link = sha256(text.encode()).hexdigest()
            if seq <= 2:  # the inlined rule must stay the policy's
                expected = policy.chain_hash(
                    prev, digest, camera, slot.start, slot.start + SEGMENT, size
                )
                if link != expected or f"{camera}/{slot.suffix}" != layout.relative_path(
                    camera, slot.start
                ):
                    msg = "synthetic chain or path differs from storage.policy / layout"
                    raise RuntimeError(msg)
            heads[camera] = (seq, link)
            yield (
                camera,
                slot.db_start,
                slot.db_end,
                f"{camera}/{slot.suffix}",
                size,
                "h264",
                1920,
                1080,
                25.0,
                KEYFRAMES,
                digest,
                seq,
                link,
                "active",
                False,
                slot.db_created,
            )


def fill(
    rt: Runtime, cameras: Sequence[int], slots: Sequence[Slot], heads: Heads, with_files: int = 0
) -> int:
    """Fill the empty catalogue with the segments of `slots` for every camera; set the heads."""
    rows = segment_rows(cameras, slots, heads, with_files)
    count = len(cameras) * len(slots)
    raw = rt.db.engine.raw_connection()
    try:
        conn: Any = raw.driver_connection
        if rt.db.dialect == "sqlite":
            _fill_sqlite(conn, rows)
        else:
            _fill_postgres(conn, rows, count)
        _write_heads(conn, rt.db.dialect, heads)
    finally:
        raw.close()
    return count


def _fill_sqlite(conn: sqlite3.Connection, rows: Iterator[Row], batch: int = 100_000) -> None:
    marks = ", ".join("?" * 16)
    sql = f"INSERT INTO segments ({COLUMNS}) VALUES ({marks})"
    while True:
        chunk = [row for _, row in zip(range(batch), rows, strict=False)]
        if not chunk:
            return
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(sql, chunk)
        conn.execute("COMMIT")


def _fill_postgres(conn: psycopg.Connection[Any], rows: Iterator[Row], count: int) -> None:
    """One transaction: TRUNCATE (empty table) then binary COPY FREEZE, so the rows are written
    once, already frozen and all-visible, as a long-lived catalogue's rows are after autovacuum."""
    started, step = time.perf_counter(), max(count // 10, 1)
    with conn.cursor() as cur:
        cur.execute("TRUNCATE segments")
        with cur.copy(f"COPY segments ({COLUMNS}) FROM STDIN WITH (FORMAT BINARY, FREEZE)") as cp:
            cp.set_types(COPY_TYPES)
            for i, row in enumerate(rows, 1):
                cp.write_row(row)
                if i % step == 0 and count >= 5_000_000:
                    print(f"    {i:,} rows, {time.perf_counter() - started:.0f} s")
    conn.commit()


def _write_heads(conn: Any, dialect: str, heads: Heads) -> None:
    mark = "?" if dialect == "sqlite" else "%s"
    if dialect == "sqlite":
        conn.execute("BEGIN IMMEDIATE")
    cursor = conn.cursor()
    cursor.execute("DELETE FROM camera_chains")
    cursor.executemany(
        f"INSERT INTO camera_chains (camera_id, last_seq, last_hash) VALUES ({mark}, {mark}, "
        f"{mark})",
        [(camera, seq, digest) for camera, (seq, digest) in heads.items()],
    )
    if dialect == "sqlite":
        conn.execute("COMMIT")
    else:
        conn.commit()


def write_files(rt: Runtime, cameras: Sequence[int], slots: Sequence[Slot]) -> int:
    """The small file of each segment of `slots` (chain positions 1..len(slots))."""
    root = layout.recordings_root(rt.settings.resolved_data_dir)
    for camera in cameras:
        made: set[Path] = set()
        for seq, slot in enumerate(slots, 1):
            path = root / str(camera) / slot.suffix
            if path.parent not in made:
                path.parent.mkdir(parents=True, exist_ok=True)
                made.add(path.parent)
            with path.open("wb") as fh:
                fh.write(content(camera, seq))
    return len(cameras) * len(slots)


def settle(rt: Runtime) -> None:
    """What a long-lived system has had: files on disk, WAL checkpointed, statistics."""
    os.sync()
    if rt.db.dialect == "sqlite":
        raw = rt.db.engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            cursor.execute("ANALYZE")
        finally:
            raw.close()
    else:
        with rt.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    os.sync()


def scalar(rt: Runtime, sql: str) -> Any:
    with rt.db.read() as s:
        return s.execute(sa.text(sql)).scalar_one()


# --- sweeper ---------------------------------------------------------------------------------

PHASES = ("decide", "phase_one", "phases_two_three", "unlink")


@contextmanager
def phase_timers() -> Iterator[dict[str, float]]:
    """Accumulate the time spent in the sweeper's steps (a few thousand calls: negligible)."""
    spent = dict.fromkeys(PHASES, 0.0)
    originals = {name: getattr(sweeper, f"_{name}") for name in PHASES}

    def wrap(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed_step(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[name] += time.perf_counter() - start

        return timed_step

    for name, fn in originals.items():
        setattr(sweeper, f"_{name}", wrap(name, fn))
    try:
        yield spent
    finally:
        for name, fn in originals.items():
            setattr(sweeper, f"_{name}", fn)


def sweep_catalogue(rt: Runtime, args: Namespace) -> tuple[list[int], Timing, int]:
    """Cameras, the day(s) to purge with their files, the younger days kept (rows only)."""
    cameras = make_cameras(rt, args.cameras, args.retention)
    heads: Heads = dict.fromkeys(cameras, (0, GENESIS))
    engine = rt.db.dialect
    start = time.perf_counter()
    slots = make_slots(0, args.minutes + args.keep_days * SLOTS_PER_DAY, engine)
    fill(rt, cameras, slots, heads, with_files=args.minutes)
    purged = write_files(rt, cameras, slots[: args.minutes])
    settle(rt)
    return cameras, Timing(purged, time.perf_counter() - start), purged


def check_catalogue(rt: Runtime) -> None:
    """`storage check --rehash` on the synthetic catalogue (untimed): files, sizes, chains."""
    report = storage_check.check(rt, rehash=True)
    if not report.ok:
        msg = f"storage check: {len(report.problems)} problems, first {report.problems[:3]}"
        raise RuntimeError(msg)
    print(f"[{rt.db.dialect}] storage check --rehash: {report.segments:,} segments, no problem")


def span(args: Namespace) -> str:
    days, minutes = divmod(args.minutes, SLOTS_PER_DAY)
    return f"{days} day(s)" if not minutes else f"{args.minutes} min"


def past_retention(args: Namespace) -> datetime:
    """The instant at which the purged days are exactly past the 14-day retention."""
    return DAY0 + timedelta(minutes=args.minutes, days=args.retention)


def bench_sweep(engine: str, args: Namespace) -> SweepResult:
    res = SweepResult(engine, args.cameras)
    with fresh_runtime(engine, args.pg_admin_url, args.files_dir) as (rt, clock):
        print(f"[{engine}] sweeper: {args.cameras} cameras x {span(args)} to purge")
        _, res.fill, res.segments = sweep_catalogue(rt, args)
        if args.check:
            check_catalogue(rt)
        clock.set(past_retention(args))
        profiler = cProfile.Profile() if args.profile else None
        with phase_timers() as spent:
            if profiler:
                profiler.enable()
            start = time.perf_counter()
            report = sweeper.sweep_time(rt)
            res.sweep = Timing(report.segments, time.perf_counter() - start)
            if profiler:
                profiler.disable()
        res.phases = dict(spent)
        res.register_lines = report.register_lines
        check_swept(rt, args, res)
        if profiler:
            dump_profile(profiler, engine)
    with fresh_runtime(engine, args.pg_admin_url, args.files_dir) as (rt, clock):
        print(f"[{engine}] baseline: the same catalogue, bare DELETE + os.unlink")
        sweep_catalogue(rt, args)
        clock.set(past_retention(args))
        res.bare_delete, res.bare_unlink = bare_destroy(rt, clock.now() - args.retention * DAY)
        res.bare = Timing(res.bare_delete.count, res.bare_delete.seconds + res.bare_unlink.seconds)
        if res.bare.count != res.segments:
            msg = f"baseline destroyed {res.bare.count} segments, expected {res.segments}"
            raise RuntimeError(msg)
    return res


def check_swept(rt: Runtime, args: Namespace, res: SweepResult) -> None:
    """No segment of the purged days left, their files gone, the register complete."""
    left = scalar(rt, "SELECT count(*) FROM segments")
    kept = args.cameras * args.keep_days * SLOTS_PER_DAY
    lines, destroyed, complete = (
        scalar(rt, "SELECT count(*) FROM destructions"),
        scalar(rt, "SELECT coalesce(sum(segments), 0) FROM destructions"),
        scalar(rt, "SELECT count(*) FROM destructions WHERE completed"),
    )
    root = layout.recordings_root(rt.settings.resolved_data_dir)
    files = sum(len(names) for _, _, names in os.walk(root))
    problems = []
    if res.sweep is None or res.sweep.count != res.segments:
        problems.append(f"sweep destroyed {res.sweep and res.sweep.count}, not {res.segments}")
    if left != kept:
        problems.append(f"{left} segments left, expected {kept}")
    if destroyed != res.segments or lines != res.register_lines or complete != lines:
        problems.append(f"register: {lines} lines ({complete} complete), {destroyed} segments")
    if files:
        problems.append(f"{files} files left under {root}")
    if problems:
        raise RuntimeError("sweep check failed: " + "; ".join(problems))
    print(
        f"[{rt.db.dialect}] checked: {destroyed:,} segments in {lines:,} register lines, "
        f"{left:,} kept, no file left"
    )


def bare_destroy(rt: Runtime, cutoff: datetime) -> tuple[Timing, Timing]:
    """Baseline: one DELETE ... RETURNING path in one transaction, then os.unlink each file."""
    raw = rt.db.engine.raw_connection()
    try:
        conn: Any = raw.driver_connection
        start = time.perf_counter()
        if rt.db.dialect == "sqlite":
            conn.execute("BEGIN IMMEDIATE")
            paths = conn.execute(
                "DELETE FROM segments WHERE end_at <= ? RETURNING path",
                (_db_text(cutoff, "sqlite"),),
            ).fetchall()
            conn.execute("COMMIT")
        else:
            with conn.cursor() as cur:
                cur.execute("DELETE FROM segments WHERE end_at <= %s RETURNING path", (cutoff,))
                paths = cur.fetchall()
            conn.commit()
        delete = Timing(len(paths), time.perf_counter() - start)
    finally:
        raw.close()
    root = str(layout.recordings_root(rt.settings.resolved_data_dir))
    unlink, join = os.unlink, os.path.join
    start = time.perf_counter()
    for (path,) in paths:
        unlink(join(root, path))
    return delete, Timing(len(paths), time.perf_counter() - start)


def dump_profile(profiler: cProfile.Profile, engine: str) -> None:
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"storage-sweep-{engine}-{_stamp()}.prof"
    profiler.dump_stats(path)
    print(f"[{engine}] profile of the sweep (under cProfile, slower) written to {path}")
    pstats.Stats(profiler).sort_stats("tottime").print_stats(25)


# --- catalogue query -------------------------------------------------------------------------

BEFORE = (  # segments_between before commit 5a7dca3: start_at bounded above only
    f"SELECT {SELECT_COLUMNS} FROM segments WHERE camera_id = :camera AND state = 'active' "
    "AND start_at < :t2 AND end_at > :t1 ORDER BY start_at LIMIT :limit"
)
BOUNDED = (  # segments_between's SQL: the last segment starting at or before t1 is the only
    # earlier one that may overlap [t1, t2)
    f"SELECT {SELECT_COLUMNS} FROM segments WHERE camera_id = :camera AND state = 'active' "
    "AND start_at < :t2 AND end_at > :t1 AND start_at >= coalesce((SELECT max(start_at) "
    "FROM segments WHERE camera_id = :camera AND start_at <= :t1), :t1) "
    "ORDER BY start_at LIMIT :limit"
)
VARIANTS = ("orm", "bounded", "before")
Ids = tuple[int, ...]


def for_driver(sql: str, dialect: str) -> str:
    return sql if dialect == "sqlite" else re.sub(r":(\w+)", r"%(\1)s", sql)


class Queries:
    """The ways of asking for a camera's segments between t1 and t2: `segments_between` as a
    request runs it, its SQL through the driver, the former unbounded SQL through the driver."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self.sqlite = rt.db.dialect == "sqlite"
        self._raw = rt.db.engine.raw_connection()
        self.conn: Any = self._raw.driver_connection
        self.sql = {
            "bounded": for_driver(BOUNDED, rt.db.dialect),
            "before": for_driver(BEFORE, rt.db.dialect),
        }

    def close(self) -> None:
        self._raw.close()

    def orm(self, camera: int, t1: datetime, t2: datetime) -> Ids:
        with self.rt.db.read() as s:
            return tuple(row.id for row in repository.segments_between(s, camera, t1, t2))

    def driver(self, variant: str, camera: int, t1: datetime, t2: datetime) -> Ids:
        params = self.params(camera, t1, t2)
        if self.sqlite:
            return tuple(row[0] for row in self.conn.execute(self.sql[variant], params).fetchall())
        with self.conn.cursor() as cur:
            cur.execute(self.sql[variant], params)
            ids = tuple(row[0] for row in cur.fetchall())
        self.conn.rollback()
        return ids

    def params(self, camera: int, t1: datetime, t2: datetime) -> dict[str, Any]:
        if self.sqlite:
            return {
                "camera": camera,
                "t1": _db_text(t1, "sqlite"),
                "t2": _db_text(t2, "sqlite"),
                "limit": 10_000,
            }
        return {"camera": camera, "t1": t1, "t2": t2, "limit": 10_000}

    def run(self, variant: str, camera: int, t1: datetime, t2: datetime) -> tuple[Ids, float]:
        """The ids of the segments answered, in order, and the time taken (ms)."""
        start = time.perf_counter()
        orm = variant == "orm"
        ids = self.orm(camera, t1, t2) if orm else self.driver(variant, camera, t1, t2)
        return ids, (time.perf_counter() - start) * 1_000

    def plan(self, variant: str, camera: int, t1: datetime, t2: datetime) -> list[str]:
        params = self.params(camera, t1, t2)
        if self.sqlite:
            rows = self.conn.execute("EXPLAIN QUERY PLAN " + self.sql[variant], params)
            return [str(r[-1]) for r in rows]
        with self.conn.cursor() as cur:
            cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + self.sql[variant], params)
            lines = [str(r[0]) for r in cur.fetchall()]
        self.conn.rollback()
        return lines


def bench_catalogue(engine: str, cameras: int, args: Namespace) -> CatalogueResult:
    res = CatalogueResult(engine, cameras, args.catalogue_days)
    with fresh_runtime(engine, args.pg_admin_url) as (rt, clock):
        print(f"[{engine}] catalogue: {cameras} cameras x {args.catalogue_days} days")
        ids = make_cameras(rt, cameras, 30)
        heads: Heads = dict.fromkeys(ids, (0, GENESIS))
        slots = make_slots(0, args.catalogue_days * SLOTS_PER_DAY, engine)
        start = time.perf_counter()
        res.rows = fill(rt, ids, slots, heads)
        res.fill = Timing(res.rows, time.perf_counter() - start)
        start = time.perf_counter()
        settle(rt)
        res.settle_s = time.perf_counter() - start
        res.size_bytes = catalogue_size(rt)
        clock.set(DAY0 + timedelta(days=args.catalogue_days))
        print(f"[{engine}] filled {res.rows:,} rows in {res.fill.seconds:.0f} s; querying")
        time_queries(rt, ids, args, res)
    return res


def catalogue_size(rt: Runtime) -> int:
    if rt.db.dialect == "sqlite":
        url = rt.db.engine.url.database
        return Path(url).stat().st_size if url else 0
    return int(scalar(rt, "SELECT pg_total_relation_size('segments')"))


def time_queries(
    rt: Runtime, cameras: Sequence[int], args: Namespace, res: CatalogueResult
) -> None:
    """Warm-up, then each query in every variant, rotating which goes first."""
    rng = random.Random(args.seed)
    window = timedelta(minutes=args.window_minutes)
    span = int((args.catalogue_days * DAY - window).total_seconds())
    work = [
        (rng.choice(cameras), DAY0 + timedelta(seconds=rng.randrange(span), microseconds=500_000))
        for _ in range(args.warmup + args.queries)
    ]
    queries = Queries(rt)
    try:
        mid = (cameras[len(cameras) // 2], DAY0 + args.catalogue_days * DAY / 2)
        for variant in ("bounded", "before"):
            res.plan += [f"-- {variant}", *queries.plan(variant, mid[0], mid[1], mid[1] + window)]
        res.latencies_ms = {variant: [] for variant in VARIANTS}
        counts = []
        for k, (camera, t1) in enumerate(work):
            turn = k % len(VARIANTS)
            order = VARIANTS[turn:] + VARIANTS[:turn]
            answers = {v: queries.run(v, camera, t1, t1 + window) for v in order}
            if len({ids for ids, _ in answers.values()}) != 1 or not answers["orm"][0]:
                msg = f"variants disagree or find nothing for camera {camera} at {t1}"
                raise RuntimeError(msg)
            if k >= args.warmup:
                counts.append(len(answers["orm"][0]))
                for variant, (_, ms) in answers.items():
                    res.latencies_ms[variant].append(ms)
        res.rows_per_answer = statistics.fmean(counts)
    finally:
        queries.close()


# --- report ----------------------------------------------------------------------------------


def machine(args: Namespace) -> dict[str, str]:
    model = cpu_model()
    engines = sorted(set(args.sweep_engines) | set(args.catalogue_engines))
    return {
        "nproc": str(len(os.sched_getaffinity(0))),
        "cpu": model,
        "os": platform.platform(),
        "python": platform.python_version(),
        "sqlalchemy": sa.__version__,
        "psycopg": psycopg.__version__,
    } | {engine: server_version(engine, args.pg_admin_url) for engine in engines}


def filesystem(path: str | None) -> str:
    """`<dir> (<fs type>)` of the mount holding `path` (the segment files)."""
    where = os.path.realpath(path or tempfile.gettempdir())
    best, kind = "", "?"
    mounts = Path("/proc/mounts")
    for line in mounts.read_text().splitlines() if mounts.exists() else []:
        parts = line.split()
        if where.startswith(parts[1]) and len(parts[1]) > len(best):
            best, kind = parts[1], parts[2]
    return f"{where} ({kind})"


def pct(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _row(label: str, cells: Sequence[str]) -> str:
    return f"{label:56}" + "".join(f"{cell:>14}" for cell in cells)


def sweep_rows(r: SweepResult) -> list[tuple[str, str]]:
    if not (r.sweep and r.bare and r.bare_delete and r.bare_unlink and r.fill):
        return []
    sweep, bare = r.sweep, r.bare
    p = r.phases
    other = sweep.seconds - p["decide"] - p["phase_one"] - p["phases_two_three"]
    projected = SWEEP_TARGET_SEGMENTS / sweep.rate
    return [
        ("segments to purge (cameras x minutes)", f"{r.segments:,}"),
        ("sweep_time (s)", f"{sweep.seconds:,.2f}"),
        ("sweep_time (segments/s)", f"{sweep.rate:,.0f}"),
        ("  per camera (ms)", f"{sweep.seconds / r.cameras * 1_000:,.1f}"),
        ("  register lines written", f"{r.register_lines:,}"),
        ("  of which select + decide, _decide (s)", f"{p['decide']:,.1f}"),
        ("  of which mark + register + journal, _phase_one (s)", f"{p['phase_one']:,.1f}"),
        ("  of which unlink + fsync dirs, _unlink (s)", f"{p['unlink']:,.1f}"),
        (
            "  of which phase 3: remove rows, complete (s)",
            f"{p['phases_two_three'] - p['unlink']:,.1f}",
        ),
        ("  of which phase-1 commits, camera list, other (s)", f"{other:,.1f}"),
        ("baseline bare DELETE + os.unlink (s)", f"{bare.seconds:,.2f}"),
        ("  of which DELETE ... RETURNING path (s)", f"{r.bare_delete.seconds:,.1f}"),
        ("  of which os.unlink (s)", f"{r.bare_unlink.seconds:,.1f}"),
        ("baseline (segments/s)", f"{bare.rate:,.0f}"),
        ("ratio sweeper / bare (rates)", f"{sweep.rate / bare.rate:.2f}"),
        ("600 cameras x 1 day at this rate (s)", f"{projected:,.1f}"),
        (f"  target < {SWEEP_TARGET_S:.0f} s", "yes" if projected < SWEEP_TARGET_S else "NO"),
        ("fill: rows + files, settle (segments/s, info)", f"{r.fill.rate:,.0f}"),
    ]


def catalogue_rows(r: CatalogueResult) -> list[tuple[str, str]]:
    lat = r.latencies_ms
    orm, driver, before = lat["orm"], lat["bounded"], lat["before"]
    fill = r.fill or Timing(0, 0.0)
    p95 = pct(orm, 0.95)
    return [
        ("catalogue (cameras x days)", f"{r.cameras} x {r.days}"),
        ("catalogue rows", f"{r.rows:,}"),
        ("segments_between in rt.db.read(), median (ms)", f"{statistics.median(orm):.2f}"),
        ("segments_between in rt.db.read(), p95 (ms)", f"{p95:.2f}"),
        ("baseline same SQL, driver cursor, median (ms)", f"{statistics.median(driver):.2f}"),
        ("baseline same SQL, driver cursor, p95 (ms)", f"{pct(driver, 0.95):.2f}"),
        (
            "ratio ORM / driver (medians)",
            f"{statistics.median(orm) / statistics.median(driver):.2f}",
        ),
        ("before: unbounded start, driver, median (ms)", f"{statistics.median(before):.2f}"),
        ("before: unbounded start, driver, p95 (ms)", f"{pct(before, 0.95):.2f}"),
        ("rows per answer (mean)", f"{r.rows_per_answer:.1f}"),
        (
            f"target < {QUERY_TARGET_MS:.0f} ms (p95, segments_between)",
            "yes" if p95 < QUERY_TARGET_MS else "NO",
        ),
        ("fill (rows/s, info)", f"{fill.rate:,.0f}"),
        ("fill + settle (s, info)", f"{fill.seconds:,.0f} + {r.settle_s:,.0f}"),
        ("table + indexes on disk (GB, info)", f"{r.size_bytes / 1e9:.2f}"),
    ]


def print_table(title: str, columns: Sequence[str], rows: Sequence[list[tuple[str, str]]]) -> None:
    if not rows:
        return
    print()
    print(_row(title, columns))
    for i, (label, _) in enumerate(rows[0]):
        print(_row(label, [r[i][1] for r in rows]))


def print_report(
    info: dict[str, str], sweeps: list[SweepResult], cats: list[CatalogueResult], args: Namespace
) -> None:
    print()
    for key, value in info.items():
        print(f"{key:>14}: {value}")
    if sweeps:
        print(
            f"{'sweeper':>14}: {args.cameras} cameras x {span(args)} to purge, "
            f"{args.keep_days} day(s) kept, retention {args.retention} d, files in "
            f"{filesystem(args.files_dir)}"
        )
    if cats:
        print(
            f"{'catalogue':>14}: {args.catalogue_days} days, {args.queries} queries of "
            f"{args.window_minutes} min after {args.warmup} warm-up, seed {args.seed}"
        )
    print_table("Sweeper", [NAMES[r.engine] for r in sweeps], [sweep_rows(r) for r in sweeps])
    print_table(
        "Catalogue query", [NAMES[r.engine] for r in cats], [catalogue_rows(r) for r in cats]
    )
    for r in cats:
        print(f"\n[{r.engine}] plan of a query in the middle of the catalogue:")
        for line in r.plan:
            print(f"    {line}")


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


def write_json(
    info: dict[str, str], sweeps: list[SweepResult], cats: list[CatalogueResult], args: Namespace
) -> Path:
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"storage-{_stamp()}.json"
    data = {
        "machine": info,
        "args": vars(args),
        "sweep": [dict(sweep_rows(r)) | {"engine": r.engine, "phases_s": r.phases} for r in sweeps],
        "catalogue": [
            dict(catalogue_rows(r))
            | {"engine": r.engine, "latencies_ms": r.latencies_ms, "plan": r.plan}
            for r in cats
        ],
    }
    path.write_text(json.dumps(data, indent=1) + "\n")
    return path


# --- main ------------------------------------------------------------------------------------


def parse_args() -> Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument(
        "--parts", nargs="+", default=["sweep", "catalogue"], choices=["sweep", "catalogue"]
    )
    p.add_argument("--cameras", type=int, default=600, help="sweeper: cameras")
    p.add_argument("--days", type=int, default=1, help="sweeper: days to purge, with files")
    p.add_argument("--minutes", type=int, help="sweeper: minutes to purge (instead of --days)")
    p.add_argument(
        "--keep-days", type=int, default=0, help="sweeper: younger days kept (rows only)"
    )
    p.add_argument("--retention", type=int, default=14, help="sweeper: camera retention, days")
    p.add_argument("--sweep-engines", nargs="+", default=list(ENGINES), choices=ENGINES)
    p.add_argument(
        "--files-dir", help="sweeper: where the segment files go (default: the temp dir)"
    )
    p.add_argument("--profile", action="store_true", help="run the sweep under cProfile")
    p.add_argument("--check", action="store_true", help="storage check the catalogue first")
    p.add_argument("--catalogue-engines", nargs="+", default=list(ENGINES), choices=ENGINES)
    p.add_argument("--pg-cameras", type=int, default=600, help="catalogue: PostgreSQL cameras")
    p.add_argument("--sqlite-cameras", type=int, default=64, help="catalogue: SQLite cameras")
    p.add_argument("--catalogue-days", type=int, default=30)
    p.add_argument("--queries", type=int, default=200, help="timed queries per variant")
    p.add_argument("--warmup", type=int, default=20, help="untimed queries first")
    p.add_argument("--window-minutes", type=int, default=60)
    p.add_argument("--seed", type=int, default=3)
    p.add_argument("--pg-admin-url", default=PG_ADMIN_URL)
    p.add_argument("--no-json", action="store_true", help="do not write bench/results/*.json")
    args = p.parse_args()
    if args.minutes is None:
        args.minutes = args.days * SLOTS_PER_DAY
    if not 0 <= args.keep_days <= args.retention:
        p.error("--keep-days must be between 0 and --retention")
    if args.check and args.keep_days:
        p.error("--check needs --keep-days 0 (kept days have rows but no files)")
    return args


def main() -> None:
    args = parse_args()
    sweeps = [bench_sweep(e, args) for e in args.sweep_engines] if "sweep" in args.parts else []
    cats = []
    if "catalogue" in args.parts:
        for engine in args.catalogue_engines:
            cameras = args.sqlite_cameras if engine == "sqlite" else args.pg_cameras
            cats.append(bench_catalogue(engine, cameras, args))
    if "sweep" not in args.parts:
        args.sweep_engines = []
    if "catalogue" not in args.parts:
        args.catalogue_engines = []
    info = machine(args)
    print_report(info, sweeps, cats, args)
    if not args.no_json:
        print(f"\nresults written to {write_json(info, sweeps, cats, args)}")


if __name__ == "__main__":
    main()
