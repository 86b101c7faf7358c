"""Reading the source file for analysis, render and review frames: opening it, its facts,
decoding its frames in presentation order, PyAV's errors turned into ours."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import av
import av.container
import av.video

from sentinelle.privacy.anonymise import errors
from sentinelle.privacy.anonymise.models import VideoFacts


@contextmanager
def open_video(path: Path) -> Iterator[tuple[av.container.InputContainer, av.video.VideoStream]]:
    """The opened file and its first video stream (multithreaded decoding)."""
    if not path.is_file():
        raise errors.source_missing(path)
    try:
        container = av.open(str(path), "r")
    except av.FFmpegError as exc:
        raise errors.source_unreadable(path, _detail(exc)) from exc
    try:
        if not container.streams.video:
            raise errors.source_unreadable(path, "no video stream")
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        yield container, stream
    finally:
        container.close()


def facts(stream: av.video.VideoStream, frames: int) -> VideoFacts:
    """What the stream is, with the frame count decoding found."""
    rate = stream.average_rate or stream.guessed_rate or stream.base_rate
    ctx = stream.codec_context
    return VideoFacts(frames, float(rate) if rate else 0.0, ctx.width, ctx.height, ctx.name)


def expected_frames(stream: av.video.VideoStream) -> int:
    """The frame count the container announces, or estimated from its duration (≥ 1)."""
    if stream.frames:
        return int(stream.frames)
    rate = stream.average_rate or stream.guessed_rate
    if stream.duration and stream.time_base and rate:
        return max(1, round(float(stream.duration * stream.time_base * rate)))
    return 1


def decoded(
    path: Path, container: av.container.InputContainer, stream: av.video.VideoStream
) -> Iterator[av.VideoFrame]:
    """The stream's frames in presentation order; a decoding failure is a clear error."""
    try:
        yield from container.decode(stream)
    except av.FFmpegError as exc:
        raise errors.source_unreadable(path, _detail(exc)) from exc


class Progress:
    """Calls `report(fraction)` about once a second of work (it may raise to cancel)."""

    def __init__(
        self, report: Callable[[float], None] | None, total: int, clock: Callable[[], float]
    ) -> None:
        self._report, self._total, self._clock = report, max(1, total), clock
        self._next = clock() + 1.0

    def tick(self, done: int) -> None:
        if self._report is None or self._clock() < self._next:
            return
        self._next = self._clock() + 1.0
        self._report(min(0.99, done / self._total))

    def finish(self) -> None:
        if self._report is not None:
            self._report(1.0)


def _detail(exc: Any) -> str:
    return str(getattr(exc, "strerror", None) or exc)[:200]
