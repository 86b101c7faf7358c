"""`storage check`: verify files against rows and the per-camera chains (S1–S4, S10), repair
what is safe (finish interrupted deletions), report the rest."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sentinelle.runtime import Runtime
from sentinelle.storage import layout, policy, sweeper
from sentinelle.storage.models import GENESIS, SegmentState
from sentinelle.storage.tables import DestructionRow, SegmentRow


@dataclass(frozen=True, slots=True)
class Problem:
    code: str
    where: str
    message: str


@dataclass
class CheckReport:
    segments: int = 0
    problems: list[Problem] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check(rt: Runtime, *, rehash: bool = False, repair: bool = False) -> CheckReport:
    report = CheckReport()
    if repair:
        finished = sweeper.finish_interrupted(rt)
        if finished:
            report.repaired.append(f"finished {finished} interrupted deletion(s)")
    root = layout.recordings_root(rt.settings.resolved_data_dir)
    with rt.db.snapshot() as s:
        rows = list(
            s.execute(
                sa.select(SegmentRow).order_by(SegmentRow.camera_id, SegmentRow.chain_seq)
            ).scalars()
        )
        anchors = _register_anchors(s)
    report.segments = len(rows)
    for row in rows:
        _check_file(root, row, rehash, report)
    _check_chains(rows, anchors, report)
    _check_orphans(root, {row.path for row in rows}, report)
    return report


def _check_file(root: Path, row: SegmentRow, rehash: bool, report: CheckReport) -> None:
    path = root / row.path
    if row.state == SegmentState.DELETING:
        report.problems.append(
            Problem(
                "deletion_interrupted",
                row.path,
                "destruction begun, not finished (run with --repair)",
            )
        )
        return
    if not path.exists():
        report.problems.append(Problem("file_missing", row.path, "catalogued file is missing"))
        return
    if path.stat().st_size != row.bytes:
        report.problems.append(
            Problem(
                "size_mismatch",
                row.path,
                f"{path.stat().st_size} bytes, catalogue says {row.bytes}",
            )
        )
        return
    if rehash and layout.sha256_of(path) != row.sha256:
        report.problems.append(Problem("hash_mismatch", row.path, "content differs from its hash"))


def _register_anchors(s: Session) -> dict[tuple[int, int], str]:
    """(camera, seq) → chain hash of destroyed segments that end a register run."""
    rows = s.execute(
        sa.select(DestructionRow.camera_id, DestructionRow.last_seq, DestructionRow.last_hash)
    )
    return {(r[0], r[1]): r[2] for r in rows}


def _check_chains(
    rows: list[SegmentRow], anchors: dict[tuple[int, int], str], report: CheckReport
) -> None:
    prev: SegmentRow | None = None
    for row in rows:
        if (
            prev is not None
            and prev.camera_id == row.camera_id
            and prev.chain_seq == row.chain_seq - 1
        ):
            link = prev.chain_hash
        elif row.chain_seq == 1:
            link = GENESIS
        else:
            link = anchors.get((row.camera_id, row.chain_seq - 1), "")
        mask = policy.mask_of(row.mask_version, row.mask_digest)
        expected = policy.chain_hash(
            link, row.sha256, row.camera_id, row.start_at, row.end_at, row.bytes, mask
        )
        if not link or expected != row.chain_hash:
            report.problems.append(
                Problem(
                    "chain_broken",
                    row.path,
                    f"camera {row.camera_id} segment #{row.chain_seq} breaks the chain",
                )
            )
        prev = row


def _check_orphans(root: Path, catalogued: set[str], report: CheckReport) -> None:
    if not root.exists():
        return
    for path in root.rglob("*"):
        if not path.is_file():
            continue
        rel = path.relative_to(root).as_posix()
        if path.suffix == layout.PART_SUFFIX:
            report.problems.append(
                Problem("partial_segment", rel, "segment being written or left by a crash")
            )
        elif path.suffix == ".mp4" and rel not in catalogued:
            report.problems.append(Problem("orphan_file", rel, "file without a catalogue row"))
