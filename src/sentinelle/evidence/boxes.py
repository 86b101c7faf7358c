"""ISO base media file format boxes: reading the box tree of a file in memory and building
boxes. The only MP4 syntax knowledge of the package lives here and in `mp4.py`."""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass

from sentinelle.core.errors import InvalidInput
from sentinelle.core.isobmff import box, full_box

__all__ = ["CONTAINERS", "Box", "box", "children", "find", "full_box", "iter_boxes"]

# Boxes whose payload is only child boxes (what `find` descends into).
CONTAINERS = frozenset(
    {b"moov", b"trak", b"mdia", b"minf", b"stbl", b"mvex", b"moof", b"traf", b"dinf", b"udta"}
)


@dataclass(frozen=True, slots=True)
class Box:
    """One box of a buffer: its type, where it starts and its header and total sizes."""

    kind: bytes
    start: int
    header: int
    size: int

    @property
    def body(self) -> int:
        return self.start + self.header

    @property
    def end(self) -> int:
        return self.start + self.size


def iter_boxes(data: memoryview | bytes, start: int = 0, end: int | None = None) -> Iterator[Box]:
    """The boxes laid one after another in data[start:end]."""
    end = len(data) if end is None else end
    at = start
    while at + 8 <= end:
        size, kind = struct.unpack_from(">I4s", data, at)
        header = 8
        if size == 1:
            (size,) = struct.unpack_from(">Q", data, at + 8)
            header = 16
        elif size == 0:
            size = end - at
        if size < header or at + size > end:
            raise InvalidInput("corrupt_mp4", f"box {kind!r} at {at} overruns its container")
        yield Box(bytes(kind), at, header, size)
        at += size


def children(data: memoryview | bytes, box: Box) -> Iterator[Box]:
    return iter_boxes(data, box.body, box.end)


def find(data: memoryview | bytes, parent: Box | None, path: str) -> Box | None:
    """The first box at `path` ("mdia/minf/stbl/stsd") under `parent` (None: top level)."""
    current = parent
    for name in path.split("/"):
        boxes = iter_boxes(data) if current is None else children(data, current)
        current = next((b for b in boxes if b.kind == name.encode()), None)
        if current is None:
            return None
    return current
