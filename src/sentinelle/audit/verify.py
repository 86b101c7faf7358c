"""Verification of the whole journal.

`verify_chain` is the reference: one ordered pass that names the first entry breaking the chain
rule (chain.py) and checks the head. `verify_journal` is what `audit verify` runs: on a large
journal it first checks seq ranges in parallel processes (each range is self-contained given
the stored hash of the entry before it); only when that fast path finds a problem does it run
the reference pass, so the report naming the first bad entry always comes from one place.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from sqlalchemy.orm import Session

from sentinelle.audit import repository
from sentinelle.audit.chain import ChainCursor
from sentinelle.audit.models import GENESIS_HASH, VerifyReport
from sentinelle.db.engine import Database

PARALLEL_THRESHOLD = 500_000  # below this, starting worker processes costs more than it saves
MAX_WORKERS = 4


def verify_chain(session: Session) -> VerifyReport:
    """Recompute the whole chain in order and compare it with the head.

    Run it in `Database.snapshot()`: entries committed during the pass would otherwise not
    match the head read at its end.
    """
    cursor = ChainCursor()
    for batch in repository.iter_raw(session):
        if not cursor.feed(batch):
            break
    head_seq, head_hash = repository.read_head(session)
    if cursor.ok and (head_seq, head_hash) != (cursor.next_seq - 1, cursor.prev_hash):
        cursor.first_bad_seq = cursor.next_seq if head_seq >= cursor.next_seq else head_seq
        cursor.problem = (
            f"chain ends at entry {cursor.next_seq - 1} but its head records entry {head_seq}"
            " (entries removed at the end, or the head was altered)"
        )
    return VerifyReport(
        ok=cursor.ok,
        checked=cursor.checked,
        last_seq=cursor.next_seq - 1,
        last_hash=cursor.prev_hash,
        first_bad_seq=cursor.first_bad_seq,
        problem=cursor.problem,
    )


def verify_journal(
    db: Database, workers: int | None = None, min_parallel: int = PARALLEL_THRESHOLD
) -> VerifyReport:
    """Verify the journal, in parallel ranges when it is large; exact report on failure."""
    with db.snapshot() as s:
        count, low, high = repository.seq_stats(s)
        head_seq, head_hash = repository.read_head(s)
    workers = min(workers or os.cpu_count() or 1, MAX_WORKERS)
    consistent = count == head_seq and (count == 0 or (low == 1 and high == head_seq))
    if workers > 1 and count >= min_parallel and consistent:
        ranges = _split(head_seq, workers)
        url = db.engine.url.render_as_string(hide_password=False)
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(len(ranges), mp_context=context) as pool:
            parts = list(pool.map(_verify_range, [url] * len(ranges), *zip(*ranges, strict=True)))
        if all(p.ok for p in parts) and parts[-1].last_hash == head_hash:
            return VerifyReport(ok=True, checked=count, last_seq=head_seq, last_hash=head_hash)
    with db.snapshot() as s:
        return verify_chain(s)


@dataclass(frozen=True, slots=True)
class _RangeResult:
    ok: bool
    last_hash: str


def _split(total: int, parts: int) -> list[tuple[int, int]]:
    size = -(-total // parts)
    return [(start, min(start + size - 1, total)) for start in range(1, total + 1, size)]


def _verify_range(url: str, first: int, last: int) -> _RangeResult:
    """Check entries first..last in a worker process (its own connection)."""
    db = Database.from_url(url)
    try:
        with db.read() as s:
            prev = GENESIS_HASH if first == 1 else repository.hash_of(s, first - 1)
            cursor = ChainCursor(next_seq=first, prev_hash=prev or "")
            for batch in repository.iter_raw(s, first, last):
                if not cursor.feed(batch):
                    break
        ok = cursor.ok and cursor.next_seq == last + 1
        return _RangeResult(ok=ok, last_hash=cursor.prev_hash)
    finally:
        db.dispose()
