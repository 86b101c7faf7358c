"""Snapshots: the frame a player displays at an instant, decoded from a stored segment and
encoded as JPEG or PNG with PyAV's own encoders.

The frame displayed at `at` is the last one whose presentation instant is at or before it; a
frame's instant is the segment's start plus its presentation time from the segment's first
frame. Decoding starts at the keyframe at or before `at` (from the segment's `keyframes_ms`:
one seek, then at most one GOP decoded). PNG is lossless (RGB); JPEG uses quantiser 2, as
`ffmpeg -q:v 2`.
"""

from __future__ import annotations

import bisect
import math
from datetime import datetime, timedelta
from fractions import Fraction
from pathlib import Path

import av
import av.error
import av.video.frame
import av.video.stream

from sentinelle.playback.models import ImageFormat

JPEG_QUALITY = 2  # the MJPEG quantiser: 2 is the finest ffmpeg recommends (scale 2-31)
_QP2LAMBDA = 118  # FFmpeg's FF_QP2LAMBDA: quantiser to lambda
_PIXELS = {ImageFormat.JPEG: "yuvj420p", ImageFormat.PNG: "rgb24"}
_ENCODERS = {ImageFormat.JPEG: "mjpeg", ImageFormat.PNG: "png"}


class Undecodable(Exception):
    """No frame at or before the instant could be decoded from the file."""


def frame_at(
    path: Path, start: datetime, keyframes_ms: list[int], at: datetime
) -> tuple[av.video.frame.VideoFrame, datetime]:
    """The frame displayed at `at` in the segment file starting at `start`, and its instant."""
    offset_ms = (at - start) / timedelta(milliseconds=1)
    index = bisect.bisect_right(keyframes_ms, offset_ms) - 1
    keyframe_ms = keyframes_ms[index] if index >= 0 else 0
    try:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            found = _decode_until(container, stream, start, at, keyframe_ms)
            if found is None and keyframe_ms > 0:  # the index was off: decode from the start
                found = _decode_until(container, stream, start, at, 0)
    except (av.error.FFmpegError, OSError) as exc:
        raise Undecodable(str(exc)) from exc
    if found is None:
        raise Undecodable(f"no frame at or before {at.isoformat()}")
    return found


def _decode_until(
    container: av.container.InputContainer,
    stream: av.video.stream.VideoStream,
    start: datetime,
    at: datetime,
    keyframe_ms: int,
) -> tuple[av.video.frame.VideoFrame, datetime] | None:
    """Seek to the keyframe `keyframe_ms` into the file, decode forward, and keep the last
    frame whose instant is at or before `at`."""
    time_base = stream.time_base or Fraction(1, 90_000)
    first = stream.start_time or 0
    container.seek(
        first + math.floor(Fraction(keyframe_ms, 1000) / time_base),
        stream=stream,
        backward=True,
        any_frame=False,
    )
    best: tuple[av.video.frame.VideoFrame, datetime] | None = None
    for frame in container.decode(stream):
        if frame.pts is None:
            continue
        instant = start + timedelta(seconds=float((frame.pts - first) * time_base))
        if instant > at:
            break
        best = (frame, instant)
    return best


def encode(frame: av.video.frame.VideoFrame, fmt: ImageFormat) -> bytes:
    """One still image: PNG of the frame in RGB, or JPEG at quantiser `JPEG_QUALITY`."""
    pix_fmt = _PIXELS[fmt]
    context = av.CodecContext.create(_ENCODERS[fmt], "w")
    if not isinstance(context, av.VideoCodecContext):
        raise TypeError(_ENCODERS[fmt])
    context.width, context.height, context.pix_fmt = frame.width, frame.height, pix_fmt
    context.time_base = Fraction(1, 25)
    if fmt is ImageFormat.JPEG:
        context.qscale = True
        context.global_quality = JPEG_QUALITY * _QP2LAMBDA
    picture = frame.reformat(format=pix_fmt)
    picture.pts = 0
    packets = [*context.encode(picture), *context.encode(None)]
    return b"".join(bytes(packet) for packet in packets)
