"""Where segment files live: `recordings/<camera>/<YYYY>/<MM>/<DD>/<start>.mp4` (UTC), their
derived files beside them, and the copies of segments kept elsewhere (`privacy-cache/`)."""

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


# Copies of a segment kept away from it — today playback's masked re-encodings of flagged
# footage — live at `<data>/<COPIES>/<camera>/<segment id>-<tag>.mp4` and are destroyed with
# the segment (S11): a copy never outlives its footage (CSI L252-3).
COPIES = "privacy-cache"


def copies_folder(data_dir: Path, camera_id: int) -> Path:
    """Where the copies of a camera's segments are kept."""
    return data_dir / COPIES / str(camera_id)


def copy_path(data_dir: Path, camera_id: int, segment_id: int, tag: str) -> Path:
    """The copy `tag` of a segment (e.g. `v1-2`: the mask versions burnt into it)."""
    return copies_folder(data_dir, camera_id) / f"{segment_id}-{tag}.mp4"


def segment_of_copy(path: Path) -> int | None:
    """The segment a copy's file name belongs to (None: not a copy's name)."""
    head, dash, _ = path.name.partition("-")
    return int(head) if dash and head.isdigit() else None


def unlink_copies(data_dir: Path, segments: Iterable[tuple[int, int]]) -> list[Path]:
    """Remove every copy of these (camera id, segment id), tolerating what is already gone;
    the files removed. One listing per camera folder."""
    by_camera: dict[int, set[int]] = {}
    for camera_id, segment_id in segments:
        by_camera.setdefault(camera_id, set()).add(segment_id)
    removed: list[Path] = []
    for camera_id, ids in by_camera.items():
        folder = copies_folder(data_dir, camera_id)
        try:
            names = os.listdir(folder)
        except FileNotFoundError:
            continue
        for path in (folder / name for name in names):
            if segment_of_copy(path) in ids:
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
                    removed.append(path)
    return removed


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
