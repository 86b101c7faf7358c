"""The pure hash-chain rule: how an entry's hash is computed and how a run of rows is checked.

hash(n) = SHA-256( prev_hash(n) ‖ canonical(n) ), with canonical(n) the '|'-separated stored
fields in ROW_FIELDS order: integers in decimal (empty when null), text fields prefixed by their
length ("5:alice"), so no two different rows share a canonical form.
The first entry's prev_hash is 64 zeros. Used by `record()`, by `verify.py` and by anyone
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
    """Fields 0..10 of a raw row (everything but the two hashes), unambiguously joined.

    Written out field by field: it runs once per entry when the whole journal is verified.
    """
    seq, at_us, a_kind, a_id, a_name, action, t_type, t_id, cam, reason, details = row[:11]
    return (
        f"{seq}|{at_us}|{len(a_kind)}:{a_kind}|{'' if a_id is None else a_id}|"  # type: ignore[arg-type]
        f"{len(a_name)}:{a_name}|{len(action)}:{action}|{len(t_type)}:{t_type}|"  # type: ignore[arg-type]
        f"{len(t_id)}:{t_id}|{'' if cam is None else cam}|"  # type: ignore[arg-type]
        f"{len(reason)}:{reason}|{len(details)}:{details}"  # type: ignore[arg-type]
    ).encode()


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
            try:
                digest = sha256(prev.encode("ascii") + canonical(row)).hexdigest()
            except (TypeError, ValueError):
                return self._fail(seq, "content is malformed (entry altered)")
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
