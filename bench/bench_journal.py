"""Journal benchmark (issue 2): append throughput and `audit verify` speed, SQLite and PostgreSQL.

What it measures, per engine, on a freshly migrated database (SQLite file in a temporary
directory; PostgreSQL database `sentinelle_bench_<random>`, created and dropped here):

* append, one writer: N entries, each `record()` in its own `Database.write()` transaction.
  Baseline: N transactions that each insert an equivalent row (same columns, same indexes, same
  content) into the scratch table `bench_plain_entries`: no head lock, no hash, no head update.
  Drafts and plain rows are built before each timed loop, so what the journal costs beyond the
  baseline is all of `record()`: row and hash building, head lock, insert, head update.
  Floor: the same row by a bare DB-API INSERT + COMMIT (no SQLAlchemy): the engine's own limit.
* append, W writer threads (default 4): the same, split over W threads, each with its own
  transactions; the chain is then verified. Baseline: the plain insert with W threads.
* verify: the journal is bulk-filled (chain computed here, executemany / COPY) up to E entries
  (default 1,000,000), then timed: `verify_journal(db)`, what `sentinelle audit verify` runs
  (parallel seq ranges in worker processes), and `verify_chain(session)` inside
  `Database.read()`, the single-process reference pass.
  Baselines: streaming the same rows with the same query and batch size
  (`repository.iter_raw`) without hashing; building the canonical bytes alone; SHA-256 alone.

Every figure is compared with its baseline measured in the same run; nothing is asserted on
time. Targets from the issue: verify >= 200,000 entries/s, append >= 2,000 entries/s.

Run:  .venv/bin/python -m bench.bench_journal [--entries 1000000] [--appends 5000]
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import os
import platform
import secrets
import sqlite3
import tempfile
import time
from argparse import Namespace
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar, cast

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bench.common import Timing, timed
from sentinelle.audit import repository
from sentinelle.audit.chain import ROW_FIELDS, RawRow, canonical
from sentinelle.audit.models import Actor, AuditAction, EntryDraft, VerifyReport
from sentinelle.audit.service import chain_row, record
from sentinelle.audit.tables import AuditEntryRow, AuditHeadRow
from sentinelle.audit.verify import MAX_WORKERS, verify_chain, verify_journal
from sentinelle.db.base import NAMING_CONVENTION
from sentinelle.db.engine import Database, create_engine
from sentinelle.migrations.runner import upgrade

PG_ADMIN_URL = os.environ.get(
    "SENTINELLE_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
RESULTS_DIR = Path(__file__).parent / "results"
VERIFY_TARGET = 200_000
APPEND_TARGET = 2_000
WARMUP = 100
GROUP = 10  # entries per transaction in the grouped append measure
START = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
ACTIONS = (
    AuditAction.CAMERA_UPDATED,
    AuditAction.CAMERA_STATUS_CHANGED,
    AuditAction.AUTHORISATION_UPDATED,
    AuditAction.LOGIN,
)
PLACEHOLDER_HASH = "f" * 64
ENGINES = ("sqlite", "postgresql")
_COLUMN_LIST = ", ".join(ROW_FIELDS)
NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
T = TypeVar("T")


# --- results ---------------------------------------------------------------------------------


@dataclass(slots=True)
class EngineResult:
    engine: str
    server: str
    timings: dict[str, Timing] = field(default_factory=dict)


# --- realistic content -----------------------------------------------------------------------


def make_draft(i: int) -> EntryDraft:
    """A plausible operator action on a camera (varies with i, a few hundred bytes stored)."""
    camera = 1 + i % 240
    operator = i % 12
    return EntryDraft(
        actor=Actor.user(3 + operator, f"operateur.{operator:02d}"),
        action=ACTIONS[i % len(ACTIONS)],
        target_type="camera",
        target_id=str(camera),
        camera_id=camera,
        reason=f"Réorientation demandée par la police municipale, main courante n° 2026-{i:06d}",
        details={
            "field": "ptz_preset",
            "old": f"preset-{i % 7}",
            "new": f"preset-{(i + 1) % 7}",
            "ticket": f"CSU-{i:07d}",
        },
    )


def instant(i: int) -> datetime:
    return START + timedelta(milliseconds=250 * i)


def chain_rows(last_seq: int, last_hash: str, count: int) -> Iterator[RawRow]:
    """`count` complete journal rows continuing the chain after (last_seq, last_hash)."""
    for seq in range(last_seq + 1, last_seq + 1 + count):
        row = chain_row(seq - 1, last_hash, make_draft(seq), instant(seq))
        last_hash = str(row[12])
        yield row


def plain_rows(seeds: range) -> list[RawRow]:
    """Rows as `record()` lays them out (seq = seed), hashes replaced by a placeholder."""
    rows = (chain_row(i - 1, PLACEHOLDER_HASH, make_draft(i), instant(i)) for i in seeds)
    return [(*row[:11], PLACEHOLDER_HASH, PLACEHOLDER_HASH) for row in rows]


def drafts(seeds: range) -> list[tuple[EntryDraft, datetime]]:
    return [(make_draft(i), instant(i)) for i in seeds]


def chunks(rows: Iterable[RawRow], size: int) -> Iterator[list[RawRow]]:
    it = iter(rows)
    while chunk := list(itertools.islice(it, size)):
        yield chunk


# --- databases -------------------------------------------------------------------------------


def plain_table() -> sa.Table:
    """`bench_plain_entries`: the journal's columns and indexes, with no chain behind it."""
    source = cast(sa.Table, AuditEntryRow.__table__)
    meta = sa.MetaData(naming_convention=NAMING_CONVENTION)
    columns = [
        sa.Column(
            c.name,
            c.type,
            primary_key=c.primary_key,
            autoincrement=False,
            nullable=c.nullable,
            index=bool(c.index),
        )
        for c in source.columns
    ]
    return sa.Table("bench_plain_entries", meta, *columns)


PLAIN = plain_table()


def prepare(db: Database) -> None:
    upgrade(db.engine)
    PLAIN.create(db.engine)


@contextmanager
def sqlite_database() -> Iterator[Database]:
    with tempfile.TemporaryDirectory(prefix="sentinelle-bench-") as tmp:
        db = Database(create_engine(f"sqlite:///{Path(tmp) / 'bench.db'}"))
        try:
            prepare(db)
            yield db
        finally:
            db.dispose()


@contextmanager
def postgres_database(admin_url: str) -> Iterator[Database]:
    name = f"sentinelle_bench_{secrets.token_hex(4)}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    db = Database(create_engine(admin_url.rsplit("/", 1)[0] + f"/{name}"))
    try:
        prepare(db)
        yield db
    finally:
        db.dispose()
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def server_version(db: Database) -> str:
    if db.dialect == "sqlite":
        return f"SQLite {sqlite3.sqlite_version}"
    with db.read() as s:
        return f"PostgreSQL {s.execute(sa.text('SHOW server_version')).scalar_one()}"


# --- append ----------------------------------------------------------------------------------


def append_journal(db: Database, work: Sequence[tuple[EntryDraft, datetime]]) -> None:
    """One `Database.write()` per entry, `record()` inside it."""
    for draft, at in work:
        with db.write() as s:
            record(s, draft, at)


def append_journal_grouped(db: Database, work: Sequence[tuple[EntryDraft, datetime]]) -> None:
    """GROUP entries per `Database.write()` (a use case journalling several actions, such as
    the expiry sweep), `record()` for each."""
    for start in range(0, len(work), GROUP):
        with db.write() as s:
            for draft, at in work[start : start + GROUP]:
                record(s, draft, at)


def append_plain_grouped(db: Database, rows: Sequence[RawRow]) -> None:
    """Baseline for the grouped appends: GROUP plain INSERTs per transaction."""
    insert = sa.insert(PLAIN)
    for start in range(0, len(rows), GROUP):
        with db.write() as s:
            conn = s.connection()
            for row in rows[start : start + GROUP]:
                conn.execute(insert, dict(zip(ROW_FIELDS, row, strict=True)))


def append_plain(db: Database, rows: Sequence[RawRow]) -> None:
    """Baseline: one `Database.write()` per row, a plain INSERT (no head lock, hash, head),
    executed as `repository.append` executes its insert (prebuilt statement + parameters)."""
    insert = sa.insert(PLAIN)
    for row in rows:
        with db.write() as s:
            s.connection().execute(insert, dict(zip(ROW_FIELDS, row, strict=True)))


def append_driver(db: Database, rows: Sequence[RawRow]) -> None:
    """Floor: the same rows by a bare DB-API INSERT + COMMIT each (no SQLAlchemy, no chain)."""
    mark = "?" if db.dialect == "sqlite" else "%s"
    sql = f"INSERT INTO {PLAIN.name} ({_COLUMN_LIST}) VALUES ({', '.join([mark] * 13)})"
    sqlite = db.dialect == "sqlite"  # autocommit mode there: we BEGIN and COMMIT ourselves
    pooled = db.engine.raw_connection()
    try:
        conn: Any = pooled.driver_connection
        for row in rows:
            if sqlite:
                conn.execute("BEGIN IMMEDIATE")
            conn.execute(sql, row)
            if sqlite:
                conn.execute("COMMIT")
            else:
                conn.commit()
    finally:
        pooled.close()


def in_threads(
    db: Database, appender: Callable[[Database, Sequence[T]], None], work: Sequence[T], n: int
) -> None:
    """Split `work` over `n` writer threads, each appending in its own transactions."""
    with ThreadPoolExecutor(max_workers=n) as pool:
        futures = [pool.submit(appender, db, work[k::n]) for k in range(n)]
        for future in futures:
            future.result()


class Seeds:
    """Hands out fresh, consecutive content seeds (also the plain table's primary keys)."""

    def __init__(self) -> None:
        self._next = 1

    def take(self, n: int) -> range:
        start, self._next = self._next, self._next + n
        return range(start, start + n)


def bench_append(db: Database, res: EngineResult, appends: int, threads: int) -> None:
    """Single-writer then multi-writer appends, each against its plain-insert baseline."""
    seeds = Seeds()  # rows and drafts are built before each timed loop
    append_plain(db, plain_rows(seeds.take(WARMUP)))  # warm-up: pool, statement caches
    append_journal(db, drafts(seeds.take(WARMUP)))
    t = res.timings
    rows, work = plain_rows(seeds.take(appends)), drafts(seeds.take(appends))
    t["append_plain"] = timed(appends, lambda: append_plain(db, rows))
    t["append"] = timed(appends, lambda: append_journal(db, work))
    rows = plain_rows(seeds.take(appends))
    t["append_driver"] = timed(appends, lambda: append_driver(db, rows))
    rows, work = plain_rows(seeds.take(appends)), drafts(seeds.take(appends))
    t["append_plain_mt"] = timed(appends, lambda: in_threads(db, append_plain, rows, threads))
    t["append_mt"] = timed(appends, lambda: in_threads(db, append_journal, work, threads))
    rows, work = plain_rows(seeds.take(appends)), drafts(seeds.take(appends))
    t["append_plain_grouped"] = timed(appends, lambda: append_plain_grouped(db, rows))
    t["append_grouped"] = timed(appends, lambda: append_journal_grouped(db, work))
    print(f"[{res.engine}] chain verified after concurrent appends: {check_chain(db):,} entries")


def check_chain(db: Database) -> int:
    """Verify the whole chain; raise unless it holds up to the head. Returns the head seq."""
    with db.read() as s:
        report = verify_chain(s)
        head_seq, _ = repository.read_head(s)
    if not report.ok or report.checked != head_seq:
        msg = f"chain does not verify: {report}"
        raise RuntimeError(msg)
    return head_seq


# --- verify at scale -------------------------------------------------------------------------


def _insert_sqlite(session: Session, rows: list[RawRow]) -> None:
    marks = ", ".join("?" * len(ROW_FIELDS))
    cursor = session.connection().connection.cursor()
    cursor.executemany(f"INSERT INTO audit_entries ({_COLUMN_LIST}) VALUES ({marks})", rows)


def _copy_postgres(session: Session, rows: list[RawRow]) -> None:
    raw: Any = session.connection().connection.driver_connection
    with raw.cursor() as cur, cur.copy(f"COPY audit_entries ({_COLUMN_LIST}) FROM STDIN") as cp:
        for row in rows:
            cp.write_row(row)


def fill(db: Database, entries: int, batch: int) -> Timing:
    """Bulk-extend the chain up to `entries` rows (one transaction per batch, head moved too)."""
    with db.read() as s:
        last_seq, last_hash = repository.read_head(s)
    if entries < last_seq:
        msg = f"--entries {entries} is below the {last_seq} entries already appended"
        raise SystemExit(msg)
    writer = _insert_sqlite if db.dialect == "sqlite" else _copy_postgres
    head = sa.update(AuditHeadRow).where(AuditHeadRow.id == repository.HEAD_ID)
    start = time.perf_counter()
    for chunk in chunks(chain_rows(last_seq, last_hash, entries - last_seq), batch):
        with db.write() as s:
            writer(s, chunk)
            s.execute(head.values(last_seq=chunk[-1][0], last_hash=chunk[-1][12]))
    settle(db)
    return Timing(entries - last_seq, time.perf_counter() - start)


def settle(db: Database) -> None:
    """What a long-lived database has had: WAL checkpointed, statistics (and PG visibility)."""
    if db.dialect == "sqlite":
        raw = db.engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            cursor.execute("ANALYZE")
        finally:
            raw.close()
        return
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE audit_entries")


def stream_only(db: Database) -> int:
    """Baseline: the verify query and batch size (`iter_raw`), rows fetched and dropped."""
    with db.read() as s:
        return sum(len(batch) for batch in repository.iter_raw(s))


def verify_reference(db: Database, entries: int) -> None:
    """`verify_chain` in one ordered pass, as the brief's reference figure."""
    with db.read() as s:
        _expect_whole(verify_chain(s), entries)


def verify_command(db: Database, entries: int) -> None:
    """`verify_journal`: what `audit verify` runs (parallel ranges above its threshold)."""
    _expect_whole(verify_journal(db), entries)


def _expect_whole(report: VerifyReport, entries: int) -> None:
    if not (report.ok and report.checked == entries and report.last_seq == entries):
        msg = f"verify failed or short: {report} (expected {entries} entries)"
        raise RuntimeError(msg)


def hashing_only(db: Database) -> tuple[Timing, Timing]:
    """Baselines on the same rows: building prev-hash + canonical bytes, then SHA-256 alone."""
    payloads: list[bytes] = []
    build = 0.0
    with db.read() as s:
        for batch in repository.iter_raw(s):
            start = time.perf_counter()
            payloads.extend([_payload(row) for row in batch])
            build += time.perf_counter() - start
    sha256 = hashlib.sha256
    start = time.perf_counter()
    for payload in payloads:
        sha256(payload).hexdigest()
    return Timing(len(payloads), build), Timing(len(payloads), time.perf_counter() - start)


def _payload(row: RawRow) -> bytes:
    return str(row[11]).encode("ascii") + canonical(row)


def best_of(repeats: int, count: int, work: Callable[[], object]) -> Timing:
    return min((timed(count, work) for _ in range(repeats)), key=lambda t: t.seconds)


def bench_verify(db: Database, res: EngineResult, entries: int, batch: int, repeats: int) -> None:
    t = res.timings
    t["fill"] = fill(db, entries, batch)
    t["stream"] = best_of(repeats, entries, lambda: stream_only(db))
    t["verify"] = best_of(repeats, entries, lambda: verify_command(db, entries))
    t["verify_chain"] = best_of(repeats, entries, lambda: verify_reference(db, entries))
    t["canonical"], t["sha256"] = hashing_only(db)


# --- report ----------------------------------------------------------------------------------


def machine() -> dict[str, str]:
    model = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "nproc": str(len(os.sched_getaffinity(0))),
        "cpu": model,
        "os": platform.platform(),
        "python": platform.python_version(),
        "sqlalchemy": sa.__version__,
        "sqlite": sqlite3.sqlite_version,
        "verify workers": str(min(os.cpu_count() or 1, MAX_WORKERS)),
    }


def _rate(t: Timing) -> str:
    return f"{t.rate:>12,.0f}"


def _ratio(a: Timing, b: Timing) -> str:
    return f"{a.rate / b.rate:>12.2f}"


def _micros(t: Timing) -> str:
    return f"{t.seconds / t.count * 1e6:>12.2f}"


def _met(t: Timing, target: int) -> str:
    return f"{'yes' if t.rate >= target else 'NO':>12}"


ROWS: list[tuple[str, Callable[[dict[str, Timing]], str]]] = [
    ("append, 1 writer (entries/s)", lambda t: _rate(t["append"])),
    ("  baseline plain INSERT, 1 writer (rows/s)", lambda t: _rate(t["append_plain"])),
    ("  ratio journal / plain", lambda t: _ratio(t["append"], t["append_plain"])),
    ("  floor: bare DB-API INSERT + COMMIT (rows/s)", lambda t: _rate(t["append_driver"])),
    ("append, W writers (entries/s)", lambda t: _rate(t["append_mt"])),
    ("  baseline plain INSERT, W writers (rows/s)", lambda t: _rate(t["append_plain_mt"])),
    ("  ratio journal / plain", lambda t: _ratio(t["append_mt"], t["append_plain_mt"])),
    (f"append, {GROUP} entries per transaction (entries/s)", lambda t: _rate(t["append_grouped"])),
    (
        f"  baseline plain INSERT, {GROUP} per transaction (rows/s)",
        lambda t: _rate(t["append_plain_grouped"]),
    ),
    (
        "  ratio journal / plain",
        lambda t: _ratio(t["append_grouped"], t["append_plain_grouped"]),
    ),
    (f"  target >= {APPEND_TARGET:,}/s, 1 writer", lambda t: _met(t["append"], APPEND_TARGET)),
    ("audit verify, verify_journal (entries/s)", lambda t: _rate(t["verify"])),
    ("verify_chain, 1 process (entries/s)", lambda t: _rate(t["verify_chain"])),
    ("  baseline stream only, iter_raw (rows/s)", lambda t: _rate(t["stream"])),
    ("  baseline canonical bytes only (rows/s)", lambda t: _rate(t["canonical"])),
    ("  baseline SHA-256 only (hashes/s)", lambda t: _rate(t["sha256"])),
    ("  ratio verify_journal / stream only", lambda t: _ratio(t["verify"], t["stream"])),
    ("  ratio verify_chain / stream only", lambda t: _ratio(t["verify_chain"], t["stream"])),
    ("  ratio verify_chain / SHA-256 only", lambda t: _ratio(t["verify_chain"], t["sha256"])),
    ("  verify_chain (us/entry)", lambda t: _micros(t["verify_chain"])),
    ("    of which stream, iter_raw (us/entry)", lambda t: _micros(t["stream"])),
    ("    of which canonical bytes (us/entry)", lambda t: _micros(t["canonical"])),
    ("    of which SHA-256 (us/entry)", lambda t: _micros(t["sha256"])),
    (f"  target >= {VERIFY_TARGET:,}/s, audit verify", lambda t: _met(t["verify"], VERIFY_TARGET)),
    (
        f"  target >= {VERIFY_TARGET:,}/s, verify_chain",
        lambda t: _met(t["verify_chain"], VERIFY_TARGET),
    ),
    ("bulk fill, chain computed (rows/s, info)", lambda t: _rate(t["fill"])),
]


def print_report(info: dict[str, str], results: list[EngineResult], args: Namespace) -> None:
    print()
    for key, value in info.items():
        print(f"{key:>14}: {value}")
    print(
        f"{'run':>14}: appends={args.appends:,} writers W={args.threads} "
        f"entries={args.entries:,} repeats={args.repeats}"
    )
    print()
    print(f"{'':48}" + "".join(f"{NAMES[r.engine]:>14}" for r in results))
    for label, cell in ROWS:
        print(f"{label:48}" + "".join(f"{cell(r.timings):>14}" for r in results))


def write_json(info: dict[str, str], results: list[EngineResult], args: Namespace) -> Path:
    RESULTS_DIR.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS_DIR / f"journal-{stamp}.json"
    data = {
        "machine": info,
        "args": vars(args),
        "results": [
            {"engine": r.engine, "server": r.server}
            | {k: asdict(v) | {"rate": v.rate} for k, v in r.timings.items()}
            for r in results
        ],
    }
    path.write_text(json.dumps(data, indent=1) + "\n")
    return path


# --- main ------------------------------------------------------------------------------------


def run_engine(engine: str, args: Namespace) -> EngineResult:
    opener = sqlite_database() if engine == "sqlite" else postgres_database(args.pg_admin_url)
    with opener as db:
        res = EngineResult(engine, server_version(db))
        print(f"[{engine}] append: {args.appends:,} entries, 1 then {args.threads} writers")
        bench_append(db, res, args.appends, args.threads)
        print(f"[{engine}] verify: fill to {args.entries:,} entries, then stream, verify, hash")
        bench_verify(db, res, args.entries, args.batch, args.repeats)
    return res


def parse_args() -> Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("--entries", type=int, default=1_000_000, help="journal size for verify")
    p.add_argument("--appends", type=int, default=5_000, help="appends per append measure")
    p.add_argument("--threads", type=int, default=4, help="concurrent writers")
    p.add_argument("--repeats", type=int, default=2, help="stream/verify runs (best kept)")
    p.add_argument("--batch", type=int, default=50_000, help="rows per bulk-fill transaction")
    p.add_argument("--engines", nargs="+", default=["sqlite", "postgresql"], choices=ENGINES)
    p.add_argument("--pg-admin-url", default=PG_ADMIN_URL)
    p.add_argument("--no-json", action="store_true", help="do not write bench/results/*.json")
    return p.parse_args()


def main() -> None:
    args = parse_args()
    results = [run_engine(engine, args) for engine in args.engines]
    info = machine()
    info["postgresql"] = next((r.server for r in results if r.engine == "postgresql"), "-")
    print_report(info, results, args)
    if not args.no_json:
        print(f"\nresults written to {write_json(info, results, args)}")


if __name__ == "__main__":
    main()
