"""HLS playlists over the stored segments (RFC 8216, fMP4, VOD), served without transcoding.

Each stored segment is a fragmented MP4 file: an init section (`ftyp` + `moov`) then
`moof`+`mdat` fragments. A playlist names, per file, its init section
(`EXT-X-MAP` with a byte range) and its fragments as one media segment
(`EXT-X-BYTERANGE`), dated with `EXT-X-PROGRAM-DATE-TIME` so that the playlists of several
cameras over one period play in step. Every file's media timestamps begin again at zero, so
each file after the first follows an `EXT-X-DISCONTINUITY` (RFC 8216 §4.3.2.3: a change of
timestamp sequence) and names its own init section; gaps in the footage are such
discontinuities too. `EXT-X-START` makes players begin exactly at the period's start.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

_HEADER = struct.Struct(">I4s")
_LARGE = struct.Struct(">Q")
_INIT_BOXES = frozenset({b"ftyp", b"moov", b"free", b"skip", b"styp", b"sidx", b"uuid"})
MEDIA_TYPE = "application/vnd.apple.mpegurl"


class NotFragmented(ValueError):
    """The file holds no `moof` after its init section (or a box is torn)."""


def init_length(path: Path) -> int:
    """Bytes of the file's init section: everything before its first `moof` (read from the
    top-level box headers alone)."""
    with path.open("rb") as handle:
        offset = 0
        while True:
            handle.seek(offset)
            head = handle.read(16)
            if len(head) < _HEADER.size:
                raise NotFragmented(f"{path}: no fragment")
            size, kind = _HEADER.unpack_from(head)
            if kind == b"moof":
                return offset
            if kind not in _INIT_BOXES:
                raise NotFragmented(f"{path}: unexpected box {kind!r} before the first fragment")
            if size == 1 and len(head) == 16:
                size = _LARGE.unpack_from(head, 8)[0]
            if size < _HEADER.size:
                raise NotFragmented(f"{path}: box {kind!r} of size {size}")
            offset += size


@dataclass(frozen=True, slots=True)
class MediaSegment:
    """One stored file as a playlist entry."""

    id: int
    start: datetime
    end: datetime
    init_bytes: int  # the init section: [0, init_bytes)
    size: int  # the whole file; fragments: [init_bytes, size)

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()


def render_playlist(segments: Sequence[MediaSegment], start: datetime, base: str) -> str:
    """The VOD playlist of time-ordered segments; `base` + id is a segment file's URL."""
    lines = [
        "#EXTM3U",
        "#EXT-X-VERSION:7",
        "#EXT-X-PLAYLIST-TYPE:VOD",
        f"#EXT-X-TARGETDURATION:{_target_duration(segments)}",
        "#EXT-X-MEDIA-SEQUENCE:0",
        "#EXT-X-INDEPENDENT-SEGMENTS",
    ]
    if segments:
        offset = max(0.0, (start - segments[0].start).total_seconds())
        lines.append(f"#EXT-X-START:TIME-OFFSET={offset:.3f},PRECISE=YES")
    for i, seg in enumerate(segments):
        if i:
            lines.append("#EXT-X-DISCONTINUITY")
        uri = f"{base}{seg.id}"
        lines += [
            f'#EXT-X-MAP:URI="{uri}",BYTERANGE="{seg.init_bytes}@0"',
            f"#EXT-X-PROGRAM-DATE-TIME:{program_date_time(seg.start)}",
            f"#EXTINF:{seg.seconds:.3f},",
            f"#EXT-X-BYTERANGE:{seg.size - seg.init_bytes}@{seg.init_bytes}",
            uri,
        ]
    lines.append("#EXT-X-ENDLIST")
    return "\n".join(lines) + "\n"


def _target_duration(segments: Sequence[MediaSegment]) -> int:
    """The longest segment in whole seconds, rounded up (RFC 8216 §4.3.3.1)."""
    return max([1, *(math.ceil(round(seg.seconds, 3)) for seg in segments)])


def program_date_time(instant: datetime) -> str:
    """ISO 8601 UTC with milliseconds, as `EXT-X-PROGRAM-DATE-TIME` carries it."""
    utc = instant.astimezone(UTC)
    return f"{utc:%Y-%m-%dT%H:%M:%S}.{utc.microsecond // 1000:03d}Z"
