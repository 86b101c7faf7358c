"""The segment writer: one camera's packets → fragmented MP4 segments cut on keyframes, each
finalised in the order of invariant S3 (close, fsync, rename, fsync directory, hash), then
handed to `on_finished` (which catalogues it). No decoding: packets are copied as they are."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from fractions import Fraction
from pathlib import Path

import av
import av.container
import av.packet
import av.stream
import av.video.stream

from sentinelle.storage import layout

SEGMENT_TARGET = timedelta(seconds=60)  # ADR 0006
# Fragment at every keyframe and at least every second, written through at once (S6).
MUXER_OPTIONS = {
    "movflags": "frag_keyframe+empty_moov+default_base_moof",
    "frag_duration": "1000000",
    "flush_packets": "1",
}


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


@dataclass
class _Open:
    start: datetime
    rel: str
    part: Path
    container: av.container.OutputContainer
    stream: av.stream.Stream
    frames: int = 0
    keyframes_ms: list[int] = field(default_factory=list)
    last_end: datetime | None = None


class SegmentWriter:
    """Writes one camera's stream; call `write` per packet, `close` at the end."""

    def __init__(
        self,
        root: Path,
        camera_id: int,
        template: av.video.stream.VideoStream,
        on_finished: Callable[[FinishedSegment], None],
        target: timedelta = SEGMENT_TARGET,
    ) -> None:
        self._root = root
        self._camera_id = camera_id
        self._template = template
        self._on_finished = on_finished
        self._target = target
        self._open: _Open | None = None

    def write(
        self, packet: av.packet.Packet[av.stream.Stream], at: datetime, duration: timedelta
    ) -> None:
        """Write a packet whose presentation instant (server clock) is `at`."""
        current = self._open
        if packet.is_keyframe and current is not None and at - current.start >= self._target:
            self._finish(at)
            current = None
        if current is None:
            if not packet.is_keyframe:
                return  # a segment starts on a keyframe; wait for one
            current = self._open = self._start(at)
        if packet.is_keyframe:
            current.keyframes_ms.append(round((at - current.start).total_seconds() * 1000))
        packet.stream = current.stream
        current.container.mux(packet)
        current.frames += 1
        current.last_end = at + duration

    def close(self) -> None:
        """Finish the open segment (at the end of its last packet)."""
        if self._open is not None and self._open.last_end is not None:
            self._finish(self._open.last_end)
        self._open = None

    def _start(self, at: datetime) -> _Open:
        rel = layout.relative_path(self._camera_id, at)
        final = self._root / rel
        final.parent.mkdir(parents=True, exist_ok=True)
        part = final.with_name(final.name + layout.PART_SUFFIX)
        container = av.open(str(part), "w", format="mp4", options=MUXER_OPTIONS)
        stream = container.add_stream_from_template(self._template)
        return _Open(start=at, rel=rel, part=part, container=container, stream=stream)

    def _finish(self, end: datetime) -> None:
        current = self._open
        self._open = None
        if current is None:
            return
        current.container.close()
        final = self._root / current.rel
        layout.fsync_file(current.part)
        current.part.rename(final)
        layout.fsync_dir(final.parent)
        seconds = max((end - current.start).total_seconds(), 1e-6)
        ctx = self._template.codec_context
        self._on_finished(
            FinishedSegment(
                camera_id=self._camera_id,
                start=current.start,
                end=end,
                path=current.rel,
                size=final.stat().st_size,
                sha256=layout.sha256_of(final),
                codec=ctx.name,
                width=ctx.width,
                height=ctx.height,
                fps=round(current.frames / seconds, 3),
                keyframes_ms=tuple(current.keyframes_ms),
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
