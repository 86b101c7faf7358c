"""Server-mode burn-in (privacy P1, P2): the stage between a camera session's demuxer and its
segment writer and live fan-out, for a camera whose masks the server applies.

Each packet is decoded, its frame's picture mask (`policy.picture_mask`, per polygon for the
fills) is filled on the YUV planes directly (opaque: flat; pixelate: block averages of at
least 1/40 of the width, on a grid anchored at the picture's corner), and the frame is encoded
as H.264 again, whatever the camera's codec (an H.265 camera's segments are H.264: the stage
says so, `codec`); only those packets leave the stage. Whatever fails — decoding, encoding, an
encoder that cannot open, masks that cannot be loaded or computed, an encoder slower than
real time — the stage drops frames (a gap) until the next keyframe, and says so once per
episode with an event; it never passes the camera's own packets on.

A new mask version (or enforcement, or picture size) is applied from a frame the stage makes
an IDR, and each packet carries the version and digest it was burnt with (`MaskStamp`), which
the writer records on the segment and never mixes within one.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from fractions import Fraction
from typing import Any

import av
import av.error
import numpy as np
import numpy.typing as npt
from av.video.frame import PictureType

from sentinelle.ingest import bitstream
from sentinelle.ingest.events import EventKind
from sentinelle.ingest.writer import MaskStamp
from sentinelle.privacy.geometry import Raster, rasterize
from sentinelle.privacy.models import CameraMasks, Enforcement, MaskFill
from sentinelle.privacy.policy import picture_mask

log = logging.getLogger(__name__)
# Hardware first, when PyAV lists them and they open; libx264 otherwise.
ENCODERS = ("h264_vaapi", "h264_qsv", "h264_nvenc", "libx264")
PRESET = "veryfast"  # libx264's; hardware encoders use their own low-latency presets
BACKLOG_MAX = 2.0  # seconds of video the stage may fall behind real time
GOP_MAX_SECONDS = 60  # the encoder's own keyframe interval; keyframes follow the camera's
FLAT_Y, FLAT_C = 16, 128  # an opaque fill: black
PIXEL_DIVISOR = 40  # a pixelation block is at least 1/40 of the picture's width
_FORMATS = ("yuv420p", "yuvj420p")
_chosen: dict[tuple[str, ...], str] = {}  # encoder list → the first that opened (per process)

Mask = npt.NDArray[np.bool_]
Staged = tuple[Any, datetime, timedelta, MaskStamp | None]


class _Dropped(Exception):
    """A frame cannot be burnt in: drop until the next keyframe (P1)."""


@dataclass(frozen=True, slots=True)
class _Region:
    """One polygon's pixels in a box of the picture: luma box and mask, chroma box and mask
    (a chroma sample is hidden when any of its luma pixels is)."""

    fill: MaskFill
    box: tuple[int, int, int, int]
    inside: Mask
    chroma_box: tuple[int, int, int, int]
    chroma_inside: Mask


@dataclass(frozen=True, slots=True)
class Plan:
    """What to hide in frames of one size under one mask version."""

    key: tuple[int, str, int, int]  # version, enforcement, width, height
    stamp: MaskStamp
    regions: tuple[_Region, ...]
    block: int  # pixelation block (luma pixels, even)


def plan_for(masks: CameraMasks, width: int, height: int) -> Plan:
    """The regions to fill in a `width` × `height` frame (a blackout is one full region)."""
    version = masks.current
    key = (version.version, str(masks.enforcement), width, height)
    stamp = MaskStamp(version.version, version.digest)
    block = max(2, 2 * -(-width // (2 * PIXEL_DIVISOR)))
    union = picture_mask(masks, width, height)
    if union is None:  # camera mode reached a burning session: hide its polygons anyway
        union = rasterize((p.points for p in version.polygons), width, height)
    if union.count() == width * height or masks.enforcement is Enforcement.BLACKOUT:
        return Plan(key, stamp, (_region(Raster.full(width, height), MaskFill.OPAQUE, 2),), block)
    regions = []
    for polygon in version.polygons:
        raster = rasterize([polygon.points], width, height)
        if raster.count():
            regions.append(_region(raster, polygon.fill, block))
    return Plan(key, stamp, tuple(regions), block)


def _region(raster: Raster, fill: MaskFill, block: int) -> _Region:
    bounds = raster.bounds() or (0, 0, 0, 0)  # callers pass rasters with pixels
    width, height = raster.width, raster.height
    grid = block if fill is MaskFill.PIXELATE else 2  # whole blocks; even for the chroma
    x0, y0 = bounds[0] // grid * grid, bounds[1] // grid * grid
    x1, y1 = min(width, -(-bounds[2] // grid) * grid), min(height, -(-bounds[3] // grid) * grid)
    whole = np.frombuffer(raster.to_bytes(1), np.uint8).reshape(height, width)
    inside = whole[y0:y1, x0:x1].astype(bool)
    chroma = np.zeros(((y1 - y0 + 1) // 2, (x1 - x0 + 1) // 2), bool)
    for dy in (0, 1):
        for dx in (0, 1):
            part = inside[dy::2, dx::2]
            chroma[: part.shape[0], : part.shape[1]] |= part
    cbox = (x0 // 2, y0 // 2, x0 // 2 + chroma.shape[1], y0 // 2 + chroma.shape[0])
    return _Region(fill, (x0, y0, x1, y1), inside, cbox, chroma)


def apply(plan: Plan, frame: av.VideoFrame) -> av.VideoFrame:
    """Fill the plan's regions in `frame` (yuv420p), in place on a private copy of its
    buffers (a decoder's reference pictures are never touched)."""
    if frame.format.name not in _FORMATS:
        frame = frame.reformat(format="yuv420p")
    frame.make_writable()
    planes = [
        np.frombuffer(memoryview(p), np.uint8).reshape(p.height, p.line_size)[:, : p.width]
        for p in frame.planes
    ]
    for region in plan.regions:
        if region.fill is MaskFill.PIXELATE:
            _pixelate(planes[0], region.box, region.inside, plan.block)
            for chroma in planes[1:]:
                _pixelate(chroma, region.chroma_box, region.chroma_inside, plan.block // 2)
        else:
            _flat(planes[0], region.box, region.inside, FLAT_Y)
            for chroma in planes[1:]:
                _flat(chroma, region.chroma_box, region.chroma_inside, FLAT_C)
    return frame


def _flat(plane: npt.NDArray[np.uint8], box: tuple[int, ...], inside: Mask, value: int) -> None:
    x0, y0, x1, y1 = box
    plane[y0:y1, x0:x1][inside] = value


def _pixelate(plane: npt.NDArray[np.uint8], box: tuple[int, ...], inside: Mask, block: int) -> None:
    """Replace the pixels inside by the average of their block (the box is block-aligned)."""
    x0, y0, x1, y1 = box
    view = plane[y0:y1, x0:x1]
    rows, cols = np.arange(0, view.shape[0], block), np.arange(0, view.shape[1], block)
    sums = np.add.reduceat(np.add.reduceat(view.astype(np.uint32), rows, 0), cols, 1)
    counts = np.outer(np.diff(rows, append=view.shape[0]), np.diff(cols, append=view.shape[1]))
    means = (sums // counts).astype(np.uint8)
    blocks = np.repeat(np.repeat(means, block, 0), block, 1)[: view.shape[0], : view.shape[1]]
    view[inside] = blocks[inside]


def open_encoder(
    name: str, width: int, height: int, time_base: Fraction, rate: Fraction, preset: str = PRESET
) -> Any:
    """An opened H.264 encoder `name` for frames of that size (raises if it cannot open)."""
    ctx: Any = av.CodecContext.create(name, "w")
    configure_encoder(ctx, name, width, height, time_base, rate, preset)
    ctx.open()
    return ctx


def configure_encoder(
    ctx: Any, name: str, width: int, height: int, time_base: Fraction, rate: Fraction, preset: str
) -> None:
    """Set an encoder's size, rate, GOP and low-latency options (also for a muxer's stream)."""
    ctx.width, ctx.height = width, height
    ctx.pix_fmt = "nv12" if name == "h264_qsv" else "yuv420p"
    ctx.time_base, ctx.framerate = time_base, rate
    ctx.gop_size = max(1, round(GOP_MAX_SECONDS * rate))
    ctx.max_b_frames = 0
    if name == "libx264":
        ctx.options = {"preset": preset, "tune": "zerolatency", "forced-idr": "1"}
    elif name == "h264_nvenc":
        ctx.options = {"preset": "p3", "tune": "ll", "zerolatency": "1", "forced-idr": "1"}
    elif name == "h264_qsv":
        ctx.options = {"preset": "veryfast", "forced_idr": "1"}


def choose_encoder(
    candidates: tuple[str, ...],
    width: int,
    height: int,
    time_base: Fraction,
    rate: Fraction,
    preset: str = PRESET,
) -> tuple[str, Any]:
    """The first of `candidates` that PyAV lists and that opens (remembered per process);
    raises `_Dropped` when none does."""
    known = _chosen.get(candidates)
    order = [known] if known else [c for c in candidates if c in av.codecs_available]
    problems = []
    for name in order:
        try:
            encoder = open_encoder(name, width, height, time_base, rate, preset)
        except (av.error.FFmpegError, ValueError, OSError) as exc:
            problems.append(f"{name}: {type(exc).__name__}")
            continue
        if known is None:
            log.info("burn-in encodes with %s", name)
        _chosen[candidates] = name
        return name, encoder
    listed = ", ".join(problems) or "none of " + ", ".join(candidates) + " is available"
    raise _Dropped(f"no H.264 encoder opens ({listed})")


@dataclass
class BurnIn:
    """The burn-in of one connection of a camera session (see the module's docstring).

    `masks` gives the camera's masks as last loaded (None: unknown, so nothing is shown);
    `on_event` reports failures, overloads and version switches; `encoders` (tried in
    order), libx264's `preset` and `backlog_max` are parameters for tests and benchmarks."""

    source: Any  # the demuxed video stream
    masks: Callable[[], CameraMasks | None]
    on_event: Callable[[EventKind, str], None]
    encoders: tuple[str, ...] = ENCODERS
    preset: str = PRESET
    backlog_max: float = BACKLOG_MAX
    clock: Callable[[], float] = time.perf_counter
    codec: str = "h264"  # what it gives, whatever the camera's codec (H.265 too)
    parameter_sets: bytes = b""  # what the writer's track starts with: the encoder's, in-band
    extradata: bytes | None = None  # the encoder's parameter sets (Annex B), for live viewers
    encoder_name: str | None = None
    _decoder: Any = None
    _encoder: Any = None
    _size: tuple[int, int] | None = None
    _plans: dict[tuple[int, str, int, int], Plan] = field(default_factory=dict)
    _key: tuple[int, str, int, int] | None = None  # the plan of the GOP being encoded
    _applied: MaskStamp | None = None  # the version burnt in last (events)
    _waiting: bool = True  # for a keyframe of the camera (start, after a drop)
    _overloaded: bool = False
    _failing: bool = False  # a failure was reported and nothing was burnt since
    _backlog: float = 0.0
    _pending: dict[int, tuple[datetime, timedelta, MaskStamp]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._decoder = self.source.codec_context
        self._time_base = self.source.time_base or Fraction(1, 90_000)
        self._rate = Fraction(self.source.average_rate or self.source.guessed_rate or 25)

    def push(self, packet: Any, at: datetime, duration: timedelta) -> list[Staged]:
        """The masked packets that follow from one packet of the camera (often one, none
        while waiting or dropping)."""
        started = self.clock()
        try:
            return self._push(packet, at, duration)
        finally:
            spent = self.clock() - started
            self._backlog = max(0.0, self._backlog + spent - duration.total_seconds())
            if self._backlog > self.backlog_max and not self._overloaded:
                self._overloaded = self._waiting = True  # drop from now to a keyframe
                detail = f"burn-in {self._backlog:.1f} s behind real time: frames dropped"
                self.on_event(EventKind.PRIVACY_ENCODER_OVERLOAD, detail)

    def close(self) -> None:
        """End of the connection: what the encoder still holds is dropped (a gap)."""
        self._encoder = None

    def _push(self, packet: Any, at: datetime, duration: timedelta) -> list[Staged]:
        if packet.is_keyframe:
            if self._overloaded and self._backlog <= self.backlog_max / 2:
                self._overloaded = False
            self._waiting = self._overloaded
        if self._waiting:
            return []
        try:
            out = []
            for frame in self._decoder.decode(packet):
                out.extend(self._burn(frame, packet, at, duration))
        except _Dropped as dropped:
            return self._drop(str(dropped))
        except av.error.FFmpegError as exc:
            return self._drop(f"decoding or encoding failed: {type(exc).__name__}: {exc}")
        self._failing = False
        return out

    def _burn(self, frame: Any, packet: Any, at: datetime, duration: timedelta) -> list[Staged]:
        plan = self._plan(frame.width, frame.height)
        encoder = self._encoder_for(frame.width, frame.height)
        picture = apply(plan, frame)
        pts = frame.pts if frame.pts is not None else packet.pts
        picture.pts, picture.time_base = pts, self._time_base
        idr = frame.key_frame or plan.key != self._key
        picture.pict_type = PictureType.I if idr else PictureType.NONE
        if self._applied is not None and plan.stamp != self._applied:
            detail = f"mask version {plan.stamp.version} burnt in from {at.isoformat()}"
            self.on_event(EventKind.PRIVACY_MASKS_APPLIED, detail)
        self._key, self._applied = plan.key, plan.stamp
        self._pending[pts] = (at, duration, plan.stamp)
        staged = (self._staged(p) for p in encoder.encode(picture))
        return [item for item in staged if item is not None]

    def _staged(self, packet: Any) -> Staged | None:
        """An encoded packet with the instant, duration and stamp of its frame (None for a
        packet of no frame given: an encoder's own, dropped)."""
        known = self._pending.pop(packet.pts, None)
        if known is None:
            return None
        at, duration, stamp = known
        packet.time_base = self._time_base
        if packet.is_keyframe:
            found = bitstream.parameter_sets(bytes(packet)[: bitstream.HEAD_BYTES], "h264")
            self.extradata = found or self.extradata
        return packet, at, duration, stamp

    def _plan(self, width: int, height: int) -> Plan:
        masks = self.masks()
        if masks is None:
            raise _Dropped("the camera's masks are not known: nothing is shown")
        key = (masks.current.version, str(masks.enforcement), width, height)
        plan = self._plans.get(key)
        if plan is None:
            try:
                plan = self._plans[key] = plan_for(masks, width, height)
            except (ValueError, TypeError) as exc:
                raise _Dropped(f"the mask cannot be computed: {exc}") from exc
        return plan

    def _encoder_for(self, width: int, height: int) -> Any:
        """The encoder for frames of this size; a new size opens a new one (its first frame
        is an IDR with the new parameter sets, which cut the segment)."""
        if self._encoder is None or self._size != (width, height):
            self._encoder = None
            name, self._encoder = choose_encoder(
                self.encoders, width, height, self._time_base, self._rate, self.preset
            )
            self.encoder_name, self._size, self._key = name, (width, height), None
        return self._encoder

    def _drop(self, detail: str) -> list[Staged]:
        """Drop until the next keyframe, with a fresh encoder; report once per episode."""
        self._waiting, self._encoder, self._key = True, None, None
        self._pending.clear()
        if not self._failing:
            self._failing = True
            self.on_event(EventKind.PRIVACY_BURNIN_FAILED, f"{detail}; frames dropped")
        return []
