"""Storage that fails for real, for the ingest fault tests (the tests run as root, as CI
does): a tiny tmpfs that fills up (ENOSPC) and an immutable directory (EPERM, even for
root)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def small_volume(mount_point: Path, size: str) -> Iterator[Path]:
    """Mount a tmpfs of `size` (e.g. "2m") at `mount_point` for the block's duration."""
    mount_point.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount_point)], check=True
    )
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=True)


def fill(volume: Path, leave_bytes: int) -> Path:
    """A ballast file that leaves about `leave_bytes` free on `volume`."""
    ballast = volume / "ballast"
    free = shutil.disk_usage(volume).free
    with ballast.open("wb") as handle:
        handle.write(b"\0" * max(0, free - leave_bytes))
    return ballast


def set_immutable(directory: Path, on: bool) -> None:
    """chattr ±i: nothing can be created in an immutable directory, not even by root."""
    subprocess.run(["chattr", "+i" if on else "-i", str(directory)], check=True)
