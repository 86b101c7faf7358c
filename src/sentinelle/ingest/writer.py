"""The segment writer: one camera's packets → fragmented MP4 segments cut on keyframes, each
finalised in the order of invariant S3 (close, fsync, rename, fsync directory, hash), then
handed to `on_finished` (which catalogues it). No decoding: packets are copied as they are.

A server-mode camera's packets come from the burn-in, each stamped with the mask version it
was burnt with: a segment notes the version of its first frame, and a packet of another
version closes it (the burn-in switches at an IDR), so a segment never mixes two versions.
Such a segment's file carries its stamp too (`MaskStamp.as_comment`, in the `moov` written
before the first fragment), so that crash recovery, which has only the file, knows it."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from fractions import Fraction
from pathlib import Path

import av
import av.container
import av.error
import av.packet
import av.stream
import av.video.stream

from sentinelle.ingest import bitstream
from sentinelle.storage import layout

SEGMENT_TARGET = timedelta(seconds=60)  # ADR 0006
MASK_COMMENT = "sentinelle-mask"  # a burnt-in segment's `comment`: its mask version and digest
_MASK_COMMENT_RE = re.compile(MASK_COMMENT + r" version=(0|[1-9][0-9]{0,9}) digest=([0-9a-f]{64})")
# Fragment at every keyframe and at least every second, written through at once (S6).
MUXER_OPTIONS = {
    "movflags": "frag_keyframe+empty_moov+default_base_moof",
    "frag_duration": "1000000",
    "flush_packets": "1",
}


@dataclass(frozen=True, slots=True)
class MaskStamp:
    """The privacy mask version (and its polygons' digest) a packet was burnt with."""

    version: int
    digest: str

    def as_comment(self) -> str:
        """The stamp as the segment file's MP4 `comment` (read back by `from_comment`)."""
        return f"{MASK_COMMENT} version={self.version} digest={self.digest}"

    @classmethod
    def from_comment(cls, text: str | None) -> MaskStamp | None:
        """The stamp a file's `comment` carries; None for any other text."""
        match = _MASK_COMMENT_RE.fullmatch(text or "")
        return None if match is None else cls(int(match[1]), match[2])


@dataclass(frozen=True, slots=True)
class FinishedSegment:
    camera_id: int
    start: datetime
    end: datetime
    path: str  # relative to the recordings root
    size: int
    sha256: str
    codec: str
    width: int
    height: int
    fps: float
    keyframes_ms: tuple[int, ...]
    recovered: bool = False  # cut after its last complete fragment by recovery (S6)
    mask_version: int | None = None  # server mode: the mask version burnt in (else None)
    mask_digest: str | None = None


class StorageFault(Exception):
    """A segment could not be written (disk full, read-only data directory): the session
    keeps what the `.part` file holds (recovery) and reconnects after a back-off."""

    def __init__(self, part: Path | None, cause: OSError) -> None:
        super().__init__(f"{type(cause).__name__}: {cause}")
        self.part = part


@dataclass(frozen=True, slots=True)
class StreamFacts:
    """What a segment's track must describe: parameter sets (Annex B) and picture size."""

    parameter_sets: bytes
    width: int
    height: int


@dataclass
class _Open:
    start: datetime
    rel: str
    part: Path
    container: av.container.OutputContainer
    stream: av.stream.Stream
    facts: StreamFacts
    mask: MaskStamp | None = None
    frames: int = 0
    keyframes_ms: list[int] = field(default_factory=list)
    last_end: datetime | None = None


class SegmentWriter:
    """Writes one camera's stream; call `write` per packet, `close` at the end.

    When a keyframe carries parameter sets that differ from the stream's (resolution or
    profile changed mid-stream), the segment is cut there and the next one describes the new
    stream; `on_changed` is told. Write failures raise `StorageFault`.
    """

    def __init__(
        self,
        root: Path,
        camera_id: int,
        template: av.video.stream.VideoStream,
        on_finished: Callable[[FinishedSegment], None],
        target: timedelta = SEGMENT_TARGET,
        on_changed: Callable[[str], None] = lambda detail: None,
        parameter_sets: bytes | None = None,
        codec: str | None = None,
    ) -> None:
        """When the packets are not the template's own (the burn-in's encoder), `codec` is
        theirs and `parameter_sets` (Annex B; b"": carried in-band) replaces the template's:
        the track then takes only the time base from the template."""
        self._root = root
        self._camera_id = camera_id
        self._template = template
        self._on_finished = on_finished
        self._on_changed = on_changed
        self._target = target
        self._open: _Open | None = None
        self._part: Path | None = None  # the `.part` being written, until renamed
        ctx = template.codec_context
        self._codec = codec or ctx.name
        self._own = codec is not None  # a stage's packets, not the template's
        extradata = (ctx.extradata or b"") if parameter_sets is None else parameter_sets
        self._annex_b = bitstream.is_annex_b(extradata)
        self._facts = StreamFacts(
            bitstream.parameter_sets(extradata, self._codec, whole=True), ctx.width, ctx.height
        )
        self.last_keyframe_at: datetime | None = None

    def write(
        self,
        packet: av.packet.Packet[av.stream.Stream],
        at: datetime,
        duration: timedelta,
        mask: MaskStamp | None = None,
    ) -> None:
        """Write a packet whose presentation instant (server clock) is `at`, burnt with
        `mask` (server mode)."""
        try:
            self._write(packet, at, duration, mask)
        except OSError as exc:
            raise StorageFault(self._part, exc) from exc

    def _write(
        self,
        packet: av.packet.Packet[av.stream.Stream],
        at: datetime,
        duration: timedelta,
        mask: MaskStamp | None,
    ) -> None:
        current = self._open
        if packet.is_keyframe:
            self.last_keyframe_at = at
            changed = self._stream_changed(packet) or (current is not None and mask != current.mask)
            if current is not None and (changed or at - current.start >= self._target):
                self._finish(at)
                current = None
        elif current is not None and mask != current.mask:
            self._finish(at)  # never two versions in a segment: wait for a keyframe
            current = None
        if current is None:
            if not packet.is_keyframe:
                return  # a segment starts on a keyframe; wait for one
            current = self._open = self._start(at, mask)
        if packet.is_keyframe:
            current.keyframes_ms.append(round((at - current.start).total_seconds() * 1000))
        packet.stream = current.stream
        current.container.mux(packet)
        current.frames += 1
        end = at + duration  # with B-frames, packets come in decode order: keep the latest
        current.last_end = end if current.last_end is None else max(current.last_end, end)

    def close(self) -> None:
        """Finish the open segment (at the end of its last packet)."""
        try:
            if self._open is not None and self._open.last_end is not None:
                self._finish(self._open.last_end)
        except OSError as exc:
            raise StorageFault(self._part, exc) from exc
        finally:
            self.abandon()

    def abandon(self) -> None:
        """Drop the open segment without finalising it (its `.part` stays for recovery)."""
        current, self._open = self._open, None
        if current is not None:
            with contextlib.suppress(OSError, av.error.FFmpegError):
                current.container.close()  # what failed to close, recovery cuts off

    def _stream_changed(self, packet: av.packet.Packet[av.stream.Stream]) -> bool:
        codec = self._codec
        if not self._annex_b:
            return False
        head = bytes(memoryview(packet)[: bitstream.HEAD_BYTES])
        found = bitstream.parameter_sets(head, codec)
        if not found or found == self._facts.parameter_sets:
            return False
        size = bitstream.picture_size(codec, bytes(packet)) or (self._facts.width, 0)
        old, self._facts = self._facts, StreamFacts(found, *size)
        if old.parameter_sets:
            self._on_changed(f"{old.width}×{old.height} → {size[0]}×{size[1]}")
        return True

    def _start(self, at: datetime, mask: MaskStamp | None) -> _Open:
        rel = layout.relative_path(self._camera_id, at)
        final = self._root / rel
        final.parent.mkdir(parents=True, exist_ok=True)
        part = self._part = final.with_name(final.name + layout.PART_SUFFIX)
        container = av.open(str(part), "w", format="mp4", options=MUXER_OPTIONS)
        if mask is not None:
            container.metadata["comment"] = mask.as_comment()
        stream = self._track(container)
        return _Open(at, rel, part, container, stream, self._facts, mask)

    def _track(self, container: av.container.OutputContainer) -> av.stream.Stream:
        """The segment's video track. For the template's packets, a copy of the template
        (with the parameter sets and size of a mid-stream change); for a stage's, a track of
        the stage's codec and picture size, whose parameter sets the muxer takes from the
        first keyframe (in-band), never the camera's."""
        facts = self._facts
        if self._own:
            stream = container.add_mux_stream(self._codec, width=facts.width, height=facts.height)
            stream.time_base = self._template.time_base
            return stream
        stream = container.add_stream_from_template(self._template)
        if facts.parameter_sets and facts.height:
            ctx = stream.codec_context
            ctx.extradata, ctx.width, ctx.height = facts.parameter_sets, facts.width, facts.height
        return stream

    def _finish(self, end: datetime) -> None:
        current = self._open
        self._open = None
        if current is None:
            return
        current.container.close()
        final = self._root / current.rel
        layout.fsync_file(current.part)
        current.part.rename(final)
        self._part = None
        layout.fsync_dir(final.parent)
        seconds = max((end - current.start).total_seconds(), 1e-6)
        self._on_finished(
            FinishedSegment(
                camera_id=self._camera_id,
                start=current.start,
                end=end,
                path=current.rel,
                size=final.stat().st_size,
                sha256=layout.sha256_of(final),
                codec=self._codec,
                width=current.facts.width,
                height=current.facts.height,
                fps=round(current.frames / seconds, 3),
                keyframes_ms=tuple(current.keyframes_ms),
                mask_version=None if current.mask is None else current.mask.version,
                mask_digest=None if current.mask is None else current.mask.digest,
            )
        )


def packet_instant(
    anchor: datetime,
    first_pts: int,
    packet: av.packet.Packet[av.stream.Stream],
    time_base: Fraction,
) -> datetime:
    """The packet's instant on the server clock: the session's anchor plus its stream time."""
    pts = packet.pts if packet.pts is not None else first_pts
    return anchor + timedelta(seconds=float((pts - first_pts) * time_base))
