"""The pure hash-chain rule: how an entry's hash is computed and how a run of rows is checked.

hash(n) = SHA-256( prev_hash(n) ‖ canonical(n) ), with canonical(n) the length-prefixed
concatenation of every stored field, so no two different rows share a canonical form.
The first entry's prev_hash is 64 zeros. Used by `record()`, by `verify_chain()` and by anyone
checking an exported journal.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sentinelle.audit.models import GENESIS_HASH

# Column order of a raw journal row, as selected by the repository and exported.
ROW_FIELDS = (
    "seq",
    "at_us",
    "actor_kind",
    "actor_id",
    "actor_name",
    "action",
    "target_type",
    "target_id",
    "camera_id",
    "reason",
    "details",
    "prev_hash",
    "hash",
)
RawRow = Sequence[object]


def canonical(row: RawRow) -> bytes:
    """Length-prefixed fields 0..10 of a raw row (everything but the two hashes)."""
    parts = []
    for value in row[:11]:
        text = "" if value is None else str(value)
        parts.append(f"{len(text)}:{text}")
    return "|".join(parts).encode()


def entry_hash(prev_hash: str, row: RawRow) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + canonical(row)).hexdigest()


@dataclass(slots=True)
class ChainCursor:
    """Running state of a verification: the next expected sequence number and previous hash."""

    next_seq: int = 1
    prev_hash: str = GENESIS_HASH
    checked: int = 0
    first_bad_seq: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.first_bad_seq is None

    def feed(self, rows: Iterable[RawRow]) -> bool:
        """Check `rows` (ordered by seq); stop at the first bad one. True while all hold."""
        prev = self.prev_hash
        expected = self.next_seq
        sha256 = hashlib.sha256
        for row in rows:
            seq = row[0]
            stored_prev = row[11]
            stored_hash = row[12]
            if seq != expected:
                return self._fail(expected, f"entry {expected} is missing (found {seq} instead)")
            if stored_prev != prev:
                return self._fail(seq, "previous-hash link broken (entry removed or reordered)")
            digest = sha256(prev.encode("ascii") + canonical(row)).hexdigest()
            if digest != stored_hash:
                return self._fail(seq, "content does not match its hash (entry altered)")
            prev = stored_hash
            expected += 1
            self.checked += 1
        self.prev_hash = prev
        self.next_seq = expected
        return True

    def _fail(self, seq: int, problem: str) -> bool:
        self.first_bad_seq = seq
        self.problem = problem
        return False
