"""The export package on disk: files written with their SHA-256 as they stream, sealed by an
atomic rename (invariant E6), and its ZIP.

A package is built in `<reference>.partial/`; `seal()` fsyncs every file and directory, then
renames it to `<reference>/`. `discard()` removes a partial package. A directory without the
`.partial` suffix is therefore always complete.
"""

from __future__ import annotations

import errno
import hashlib
import os
import queue
import secrets
import shutil
import threading
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from sentinelle.core.errors import Conflict
from sentinelle.evidence import errors
from sentinelle.storage import layout

PARTIAL = ".partial"
_CHUNK = 1 << 20
_STORED = (".mp4", ".png", ".pdf")


@dataclass(frozen=True, slots=True)
class FileEntry:
    path: str  # relative to the package, with forward slashes
    bytes: int
    sha256: str

    def as_dict(self) -> dict[str, object]:
        return {"path": self.path, "bytes": self.bytes, "sha256": self.sha256}


Buffer = bytes | memoryview
_IOV_MAX = 512  # buffers per writev call, under the system's limit


class HashingFile:
    """A file being written, and hashed on the way, by two threads of their own: the caller
    prepares the next data while the writer thread writes (and waits for the disk) and the
    hasher thread hashes (both release the GIL). Data are written as given (`os.writev`),
    never copied into one buffer. A write error surfaces at the next `write`, `digest` or
    `close`."""

    _QUEUE = 8  # writes in flight at most, per thread
    _WRITEBACK = 32 << 20

    def __init__(self, path: Path) -> None:
        self._path = path
        self._handle = path.open("xb", buffering=0)
        self._hash = hashlib.sha256()
        self._error: OSError | None = None
        self._written = self._flushed = 0
        self._writes = _Worker("export-write", self._write)
        self._hashes = _Worker("export-hash", self._update)
        self.size = 0

    def write(self, data: Buffer) -> int:
        return self.write_parts((data,))

    def write_parts(self, parts: Sequence[Buffer]) -> int:
        """Append the parts, in order; they must not change until written."""
        self._raise_error()
        self._writes.put(parts)
        self._hashes.put(parts)
        size = sum(len(p) for p in parts)
        self.size += size
        return size

    def digest(self) -> hashlib._Hash:
        """A copy of the hash of everything written so far (waits for the writes)."""
        self._writes.join()
        self._hashes.join()
        self._raise_error()
        return self._hash.copy()

    def close(self) -> None:
        self._stop()
        self._raise_error()
        with _disk_errors(self._path.parent):
            os.fsync(self._handle.fileno())
            self._handle.close()

    def abandon(self) -> None:
        self._stop()
        with suppress(OSError):
            self._handle.close()

    def _write(self, parts: Sequence[Buffer]) -> None:
        if self._error is not None:
            return
        try:
            self._written += _write_all(self._handle.fileno(), parts)
            self._start_writeback()
        except OSError as exc:
            self._error = exc

    def _update(self, parts: Sequence[Buffer]) -> None:
        for part in parts:
            self._hash.update(part)

    def _start_writeback(self) -> None:
        """Every `_WRITEBACK` bytes, start writing the past ones to disk (without waiting),
        so that `close`'s fsync has little left to do."""
        if self._written - self._flushed >= self._WRITEBACK:
            fd = self._handle.fileno()
            os.posix_fadvise(
                fd, self._flushed, self._written - self._flushed, os.POSIX_FADV_DONTNEED
            )
            self._flushed = self._written

    def _stop(self) -> None:
        self._writes.stop()
        self._hashes.stop()

    def _raise_error(self) -> None:
        if self._error is not None:
            with _disk_errors(self._path.parent):
                raise self._error


class _Worker:
    """A daemon thread applying `work` to each item put, in order, with a bounded queue."""

    def __init__(self, name: str, work: Callable[[Sequence[Buffer]], None]) -> None:
        self._queue: queue.Queue[Sequence[Buffer] | None] = queue.Queue(HashingFile._QUEUE)
        self._work = work
        self._thread = threading.Thread(target=self._drain, name=name, daemon=True)
        self._thread.start()

    def put(self, item: Sequence[Buffer]) -> None:
        self._queue.put(item)

    def join(self) -> None:
        self._queue.join()

    def stop(self) -> None:
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()

    def _drain(self) -> None:
        while (item := self._queue.get()) is not None:
            try:
                self._work(item)
            finally:
                self._queue.task_done()
        self._queue.task_done()


def _write_all(fd: int, parts: Sequence[Buffer]) -> int:
    """Write every byte of `parts` (a short write continues where it stopped); how many."""
    pending = [memoryview(p).cast("B") for p in parts if len(p)]
    total = sum(len(p) for p in pending)
    while pending:
        written = os.writev(fd, pending[:_IOV_MAX])
        while pending and written >= len(pending[0]):
            written -= len(pending[0])
            pending.pop(0)
        if pending and written:
            pending[0] = pending[0][written:]
    return total


class PackageWriter:
    """Builds one package under `out_dir`; files are listed in the order they were written."""

    def __init__(self, out_dir: Path, reference: str) -> None:
        self.out_dir = out_dir
        self.final = out_dir / reference
        self.partial = out_dir / (reference + PARTIAL)
        if self.final.exists():
            raise Conflict("export_exists", f"{self.final} already exists")
        out_dir.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(self.partial, ignore_errors=True)
        self.partial.mkdir()
        self.files: list[FileEntry] = []
        self._open: list[HashingFile] = []

    def create(self, rel: str) -> HashingFile:
        """A new file of the package, listed by `commit` (closed by `discard` on failure)."""
        target = self.partial / rel
        with _disk_errors(self.out_dir):
            target.parent.mkdir(parents=True, exist_ok=True)
            handle = HashingFile(target)
        self._open.append(handle)
        return handle

    def commit(self, rel: str, handle: HashingFile) -> FileEntry:
        with _disk_errors(self.out_dir):
            handle.close()
        self._open.remove(handle)
        entry = FileEntry(rel, handle.size, handle.digest().hexdigest())
        self.files.append(entry)
        return entry

    @contextmanager
    def open(self, rel: str) -> Iterator[HashingFile]:
        """A new file of the package; listed once the block ends without error."""
        handle = self.create(rel)
        with _disk_errors(self.out_dir):
            yield handle
        self.commit(rel, handle)

    def path_of(self, rel: str) -> Path:
        """Where a file the caller writes itself goes (then `adopt` lists it)."""
        target = self.partial / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def adopt(self, rel: str) -> FileEntry:
        """List a file written in place at `path_of(rel)` (hashed from disk, fsynced)."""
        target = self.partial / rel
        with _disk_errors(self.out_dir):
            layout.fsync_file(target)
            entry = FileEntry(rel, target.stat().st_size, layout.sha256_of(target))
        self.files.append(entry)
        return entry

    def add(self, rel: str, data: bytes) -> FileEntry:
        with self.open(rel) as handle:
            handle.write(data)
        return self.files[-1]

    def seal(self) -> Path:
        """Make the package final: fsync its directories, rename, fsync the parent."""
        with _disk_errors(self.out_dir):
            for directory in sorted({p for p in self.partial.rglob("*") if p.is_dir()}):
                layout.fsync_dir(directory)
            layout.fsync_dir(self.partial)
            self.partial.rename(self.final)
            layout.fsync_dir(self.out_dir)
        return self.final

    @staticmethod
    def remove_partial(out_dir: Path, reference: str) -> None:
        shutil.rmtree(out_dir / (reference + PARTIAL), ignore_errors=True)
        for partial in out_dir.glob(reference + ".zip.*" + PARTIAL):
            partial.unlink(missing_ok=True)

    def discard(self) -> None:
        for handle in self._open:
            handle.abandon()
        shutil.rmtree(self.partial, ignore_errors=True)


def zip_of(package: Path) -> Path:
    """The package's ZIP, written on first use (see `write_zip`)."""
    target = package.with_name(package.name + ".zip")
    return target if target.exists() else write_zip(package)


def write_zip(package: Path) -> Path:
    """`<package>.zip` beside the package, streamed file by file (videos stored, text
    deflated), written under a temporary name and renamed when complete."""
    target = package.with_name(package.name + ".zip")
    # A name of its own: two first downloads at once each write a whole archive, and the
    # second rename replaces the first with the same content, never a mixed one.
    partial = target.with_name(f"{target.name}.{secrets.token_hex(4)}{PARTIAL}")
    try:
        with _disk_errors(package.parent), zipfile.ZipFile(partial, "w", allowZip64=True) as zf:
            for path in sorted(p for p in package.rglob("*") if p.is_file()):
                _zip_one(zf, package, path)
        with partial.open("rb") as handle:
            os.fsync(handle.fileno())
        partial.rename(target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return target


def _zip_one(zf: zipfile.ZipFile, package: Path, path: Path) -> None:
    name = f"{package.name}/{path.relative_to(package).as_posix()}"
    method = zipfile.ZIP_STORED if path.suffix in _STORED else zipfile.ZIP_DEFLATED
    info = zipfile.ZipInfo.from_file(path, name)
    info.compress_type = method
    with path.open("rb") as source, zf.open(info, "w", force_zip64=True) as sink:
        shutil.copyfileobj(source, sink, _CHUNK)


@contextmanager
def _disk_errors(where: Path) -> Iterator[None]:
    try:
        yield
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise errors.disk_full(str(where)) from exc
        raise
