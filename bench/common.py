"""What every benchmark shares: a timing and how to take one."""

from __future__ import annotations

import hashlib
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Timing:
    """`count` units of work done in `seconds`."""

    count: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.count / self.seconds if self.seconds > 0 else float("inf")


def timed(count: int, work: Callable[[], object]) -> Timing:
    start = time.perf_counter()
    work()
    return Timing(count, time.perf_counter() - start)


def code_state(package: str) -> dict[str, str]:
    """The commit and a digest of `src/sentinelle/<package>` as it is in the working tree (a
    benchmark runs the working tree, which may hold uncommitted changes)."""
    root = Path(__file__).resolve().parents[1]
    head = _git(root, "rev-parse", "--short", "HEAD").strip()
    digest = hashlib.sha256()
    for path in sorted((root / "src" / "sentinelle" / package).glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    dirty = _git(root, "status", "--porcelain", "--", "src/sentinelle")
    return {
        "head": head,
        f"{package}_sha256": digest.hexdigest()[:16],
        "src_dirty": str(bool(dirty)),
    }


def cpu_model() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return "unknown"


def _git(root: Path, *args: str) -> str:
    return subprocess.run(  # noqa: S603 - our own fixed git command
        ["git", *args],  # noqa: S607
        capture_output=True,
        text=True,
        cwd=root,
        check=False,
    ).stdout
