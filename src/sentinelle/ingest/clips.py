"""Generated H.264 clips (test pattern, moving block, no B-frames) for tests, demos and
benchmarks: what the loopback RTSP server and file sources play."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from fractions import Fraction
from pathlib import Path
from typing import cast

import av

from sentinelle.ingest.writer import SEGMENT_TARGET, FinishedSegment, SegmentWriter


def write_clip(
    path: Path,
    seconds: float,
    *,
    width: int = 320,
    height: int = 240,
    fps: int = 10,
    gop_seconds: float = 2.0,
    speed: int = 7,
    shade: int = 200,
) -> Path:
    """Encode a clip with a block moving `speed` pixels a frame (luma `shade`), a keyframe
    every `gop_seconds`, no B-frames."""
    frames = round(seconds * fps)
    with av.open(str(path), "w", format="mp4") as out:
        stream = out.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.codec_context.time_base = Fraction(1, fps)
        stream.codec_context.options = {
            "g": str(round(fps * gop_seconds)),
            "bf": "0",
            "preset": "ultrafast",
            "sc_threshold": "0",
            "keyint_min": str(round(fps * gop_seconds)),
        }
        for i in range(frames):
            frame = _frame(width, height, (i * speed) % max(1, width - 40), shade)
            frame.pts = i
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    return path


def _frame(width: int, height: int, x: int, shade: int) -> av.VideoFrame:
    """A grey picture with a bright 40×40 block at column `x` (planes written directly)."""
    frame = av.VideoFrame(width, height, "yuv420p")
    luma = frame.planes[0]
    rows = bytearray(b"\x28" * (luma.line_size * height))
    for y in range(height // 3, min(height, height // 3 + 40)):
        start = y * luma.line_size + x
        rows[start : start + 40] = bytes([shade]) * 40
    luma.update(bytes(rows))
    for plane in frame.planes[1:]:
        plane.update(b"\x80" * (plane.line_size * plane.height))
    return frame


def copy_through_writer(
    clip: Path,
    root: Path,
    camera_id: int,
    anchor: datetime,
    on_finished: Callable[[FinishedSegment], None],
    target: timedelta = SEGMENT_TARGET,
) -> None:
    """Copy a clip's packets through the real segment writer as camera `camera_id`, its first
    packet at `anchor` (recorded footage for tests and benchmarks, without a camera)."""
    with av.open(str(clip)) as source:
        stream = source.streams.video[0]
        time_base = stream.time_base or Fraction(1, 90_000)
        writer = SegmentWriter(root, camera_id, stream, on_finished, target=target)
        first: int | None = None
        for packet in source.demux(stream):
            if packet.dts is None or packet.pts is None:
                continue
            first = packet.pts if first is None else first
            at = anchor + timedelta(seconds=float((packet.pts - first) * time_base))
            duration = timedelta(seconds=float((packet.duration or 0) * time_base))
            writer.write(cast("av.packet.Packet[av.stream.Stream]", packet), at, duration)
        writer.close()
