"""Generated H.264 clips (test pattern, moving block, no B-frames) for tests, demos and
benchmarks: what the loopback RTSP server and file sources play.

A clip may also show a detailed scene painted over, in places, by opaque rectangles: a camera
applying its own privacy masks. From `masks_lost_at` seconds on the rectangles are gone: the
camera "rebooted and lost its masks" (what the mask audit must detect)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from fractions import Fraction
from pathlib import Path
from typing import cast

import av
import numpy as np
import numpy.typing as npt

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
    masks: Sequence[Rect] = (),
    masks_lost_at: float | None = None,
    mask_luma: int = 16,
) -> Path:
    """Encode a clip with a block moving `speed` pixels a frame (luma `shade`), a keyframe
    every `gop_seconds`, no B-frames.

    With `masks` (normalised rectangles x0, y0, x1, y1) the background is a detailed scene
    and each rectangle is filled with luma `mask_luma` on every frame, or only before
    `masks_lost_at` seconds."""
    frames = round(seconds * fps)
    scene = _scene(width, height) if masks else None
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
            x = (i * speed) % max(1, width - 40)
            if scene is None:
                frame = _frame(width, height, x, shade)
            else:
                masked = masks_lost_at is None or i < masks_lost_at * fps
                frame = _masked_frame(scene, x, shade, masks if masked else (), mask_luma)
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


Rect = tuple[float, float, float, float]


def _scene(width: int, height: int) -> npt.NDArray[np.uint8]:
    """A still scene with detail everywhere (facades, windows): fixed noise on a gradient."""
    rng = np.random.default_rng(6)
    ys, xs = np.mgrid[0:height, 0:width]
    base = 60 + 80 * xs / max(1, width - 1) + 30 * ((xs // 6 + ys // 5) % 2)
    noisy: npt.NDArray[np.float64] = base + rng.normal(0, 18, (height, width))
    return np.clip(noisy, 0, 255).astype(np.uint8)


def _masked_frame(
    scene: npt.NDArray[np.uint8], x: int, shade: int, masks: Sequence[Rect], mask_luma: int
) -> av.VideoFrame:
    """The scene with the moving block, then the masks painted over it (as a camera does)."""
    height, width = scene.shape
    luma = scene.copy()
    luma[height // 3 : height // 3 + 40, x : x + 40] = shade
    for x0, y0, x1, y1 in masks:
        rows = slice(round(y0 * height), round(y1 * height))
        luma[rows, round(x0 * width) : round(x1 * width)] = mask_luma
    chroma = np.full((height // 2, width // 2), 128, np.uint8)
    yuv = np.concatenate([luma, chroma.reshape(-1, width), chroma.reshape(-1, width)])
    return av.VideoFrame.from_ndarray(yuv, format="yuv420p")


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
