"""Where segment files live: `recordings/<camera>/<YYYY>/<MM>/<DD>/<start>.mp4` (UTC)."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
from collections.abc import Collection, Iterable, Iterator
from datetime import datetime
from pathlib import Path

from sentinelle.core.clock import ensure_utc

RECORDINGS = "recordings"
PART_SUFFIX = ".part"


def recordings_root(data_dir: Path) -> Path:
    return data_dir / RECORDINGS


def relative_path(camera_id: int, start: datetime) -> str:
    """The catalogue's `path`, relative to the recordings root."""
    utc = ensure_utc(start)
    return f"{camera_id}/{utc:%Y/%m/%d}/{utc:%Y%m%dT%H%M%S%fZ}.mp4"


# Files derived from a segment carry its stem and one of these suffixes (S11).
DERIVED_SUFFIXES = (".jpg", ".idx", ".json")


def derived_files(segment_file: Path) -> list[Path]:
    """The derived files a segment may have (existing or not): destroyed with it (S11)."""
    return [segment_file.with_suffix(suffix) for suffix in DERIVED_SUFFIXES]


def unlink_with_derived(segment_file: Path) -> None:
    """Remove a segment and its derived files, tolerating what is already gone."""
    for path in [segment_file, *derived_files(segment_file)]:
        path.unlink(missing_ok=True)


# From this many segments of one directory, list it once rather than try every derived name.
LIST_FROM = 8


def unlink_segments(directory: Path, names: Collection[str]) -> None:
    """Remove these segment files of one directory and their derived files (S11), tolerating
    what is already gone, then fsync the directory."""
    if len(names) < LIST_FROM:
        for name in names:
            unlink_with_derived(directory / name)
    else:
        wanted = {stem + suffix for stem in _stems(names) for suffix in DERIVED_SUFFIXES}
        try:
            present = os.listdir(directory)
        except FileNotFoundError:
            return
        base = str(directory)
        for name in wanted.union(names).intersection(present):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(os.path.join(base, name))
    if directory.exists():
        fsync_dir(directory)


def _stems(names: Iterable[str]) -> Iterator[str]:
    for name in names:
        stem, dot, _ = name.rpartition(".")
        yield stem if dot else name


_HASH_CHUNK = 1 << 20


def sha256_of(path: Path) -> str:
    """SHA-256 of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def free_bytes(data_dir: Path) -> int:
    """Free space on the volume that holds the recordings."""
    root = recordings_root(data_dir)
    root.mkdir(parents=True, exist_ok=True)
    return shutil.disk_usage(root).free


def wanted_free_bytes(data_dir: Path, percent: float) -> int:
    """The free space the capacity sweeper keeps: `percent` of the recordings volume."""
    root = recordings_root(data_dir)
    root.mkdir(parents=True, exist_ok=True)
    return int(shutil.disk_usage(root).total * percent / 100)
