"""The redacted copy: decode the source, hide each frame's regions (`plan.hidden_regions`),
encode H.264 and write an MP4 with the same frame count, rate and timestamps.

Frames are worked on in YUV 4:2:0 planes when the picture's sides are even (the effect is
applied on Y, U and V at their own resolution: pixels outside the regions are exactly those
decoded), else through RGB. Encoder: libx264 `PRESET`, constant quality `CRF` (visually
lossless for the footage handed to a court or a citizen), the source's colour tags, MP4 with
the index at the front (faststart). Written under a temporary name in the destination
folder, flushed to disk, then renamed: the destination is either absent or complete.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import time
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import av
import av.container
import av.video
import numpy as np

from sentinelle.privacy.anonymise import errors, source
from sentinelle.privacy.anonymise.effects import hide
from sentinelle.privacy.anonymise.models import Analysis, Box, Effect, RedactionPlan, RenderStats
from sentinelle.privacy.anonymise.plan import check_plan, hidden_regions
from sentinelle.storage import layout

ENCODER = "libx264"
PRESET = "medium"
CRF = 18


def encoder_name() -> str:
    return f"{ENCODER} preset={PRESET} crf={CRF}"


def render(
    src: Path,
    dst: Path,
    analysis: Analysis,
    plan: RedactionPlan,
    *,
    on_progress: Callable[[float], None] | None = None,
) -> RenderStats:
    """Write the redacted copy of `src` to `dst` (replaced atomically); see the module."""
    check_plan(analysis, plan)
    partial = dst.with_name(f".{dst.name}.{secrets.token_hex(4)}.partial")
    try:
        stats = _write(src, partial, analysis, plan, on_progress)
        layout.fsync_file(partial)
        os.replace(partial, dst)
        layout.fsync_dir(dst.parent)
    except BaseException:
        with contextlib.suppress(OSError):
            partial.unlink()
        raise
    return stats


def _write(
    src: Path,
    out_path: Path,
    analysis: Analysis,
    plan: RedactionPlan,
    on_progress: Callable[[float], None] | None,
) -> RenderStats:
    frames = redacted = regions = 0
    with source.open_video(src) as (container, stream):
        ctx = stream.codec_context
        if (ctx.width, ctx.height) != (analysis.facts.width, analysis.facts.height):
            raise errors.analysis_mismatch(src, "picture size")
        progress = source.Progress(on_progress, analysis.facts.frames, time.monotonic)
        try:
            output = av.open(str(out_path), "w", format="mp4", options={"movflags": "+faststart"})
        except (av.FFmpegError, OSError) as exc:
            raise errors.render_failed(out_path, str(exc)) from exc
        with output:
            encoder = _encoder(output, stream)
            last_pts = None
            for frame in source.decoded(src, container, stream):
                boxes = hidden_regions(analysis, plan, frames)
                out = redact_frame(frame, boxes, plan.effect)
                last_pts = _timestamp(out, frame, last_pts, stream.time_base or Fraction(1, 90_000))
                output.mux(encoder.encode(out))
                frames += 1
                redacted += 1 if boxes else 0
                regions += len(boxes)
                progress.tick(frames)
            output.mux(encoder.encode(None))
    if frames != analysis.facts.frames:
        raise errors.analysis_mismatch(src, f"{frames} frames, not {analysis.facts.frames}")
    progress.finish()
    return RenderStats(frames, redacted, regions, encoder_name())


FULL_RANGE = 2  # AVCOL_RANGE_JPEG


def _encoder(
    output: av.container.OutputContainer, stream: av.video.VideoStream
) -> av.video.VideoStream:
    """The H.264 output stream: the source's size, rate, time base and colour tags."""
    ctx = stream.codec_context
    rate = stream.average_rate or stream.guessed_rate or 25
    encoder = output.add_stream(ENCODER, rate=rate)
    assert isinstance(encoder, av.video.VideoStream)  # noqa: S101 - a video encoder's stream
    encoder.width, encoder.height, encoder.pix_fmt = ctx.width, ctx.height, "yuv420p"
    if stream.time_base is not None:
        encoder.time_base = stream.time_base
        encoder.codec_context.time_base = stream.time_base
    for tag in ("color_primaries", "color_trc", "colorspace", "color_range"):
        with contextlib.suppress(AttributeError, ValueError, TypeError):
            setattr(encoder.codec_context, tag, getattr(ctx, tag))
    if ctx.pix_fmt == "yuvj420p":  # full range said by the pixel format, maybe not the tag
        encoder.codec_context.color_range = FULL_RANGE
    encoder.options = {"crf": str(CRF), "preset": PRESET}
    return encoder


def redact_frame(frame: av.VideoFrame, boxes: list[Box], effect: Effect) -> av.VideoFrame:
    """A new frame with the boxes hidden (YUV planes when the sides are even, else RGB)."""
    if frame.width % 2 == 0 and frame.height % 2 == 0:
        # Full-range 4:2:0 (`yuvj420p`, common from IP cameras) is the same layout: its planes
        # are kept as decoded (a reformat would squeeze them to limited range) and the
        # encoder carries the source's range tag (`_encoder`).
        planar = frame.format.name in {"yuv420p", "yuvj420p"}
        yuv = frame if planar else frame.reformat(format="yuv420p")
        planes = np.asarray(yuv.to_ndarray(), np.uint8)
        if boxes:
            h, w = frame.height, frame.width
            hide(planes[:h, :, None], boxes, effect)
            chroma = planes[h:].reshape(2, h // 2, w // 2, 1)
            hide(chroma[0], boxes, effect)
            hide(chroma[1], boxes, effect)
        return av.VideoFrame.from_ndarray(planes, format="yuv420p")
    rgb = np.asarray(frame.to_ndarray(format="rgb24"), np.uint8)
    return av.VideoFrame.from_ndarray(hide(rgb, boxes, effect), format="rgb24")


def _timestamp(
    out: av.VideoFrame, frame: av.VideoFrame, last: int | None, stream_tb: Fraction
) -> int:
    """Give `out` the source frame's timestamp (made strictly increasing if it is not)."""
    pts = frame.pts
    if pts is None or (last is not None and pts <= last):
        pts = 0 if last is None else last + 1
    out.pts = pts
    out.time_base = frame.time_base or stream_tb
    return pts
