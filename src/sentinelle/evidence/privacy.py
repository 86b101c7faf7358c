"""Masked exports (privacy, issue 6 item 4): which recorded segments of an export must leave
the system re-encoded with the privacy masks applied, and the re-encoding itself.

A segment recorded while the camera masked itself (`mask_version` NULL) that overlaps a mask
flag — footage of a period when a mask audit found the camera's own masks failing — is
decoded, each frame masked with the version in force at its instant (`masks_at`, with the
burn-in's `plan_for` / `apply`) and encoded again as H.264 (same size, same time base, an IDR
wherever the source had a keyframe) into a fragmented MP4 like the recorded ones, which the
export then copies instead of the source. Whole segments are re-encoded (the simplest correct
shape: a segment starts at a keyframe, so no GOP is cut). A server-mode segment is already
masked and a segment outside every flag is copied losslessly, as before.
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from fractions import Fraction
from typing import Any

import av
from av.video.frame import PictureType

from sentinelle.ingest import burnin
from sentinelle.ingest.writer import MUXER_OPTIONS, MaskStamp
from sentinelle.privacy import audit_service
from sentinelle.privacy import service as privacy_service
from sentinelle.privacy.audit_service import MaskFlag
from sentinelle.privacy.models import CameraMasks, Enforcement, MaskVersion
from sentinelle.runtime import Runtime
from sentinelle.storage.tables import SegmentRow

ENCODER = "libx264"
# The manifest's statement, in the manifest's language (English, like its keys).
STATEMENT = (
    "Re-encoded for privacy (CSI L251-3): this footage was recorded while the camera applied "
    "its own masks and a mask audit found them failing; the masks in force at each instant "
    "were burnt in by Sentinelle. The listed source segments are not included: their SHA-256 "
    "are recorded for the chain of custody."
)


@dataclass(frozen=True, slots=True)
class MaskedSource:
    """A source segment and its re-encoded bytes, with why and how it was masked."""

    row: SegmentRow
    data: bytes  # the re-encoded segment (fragmented MP4, as recorded segments are)
    flags: tuple[MaskFlag, ...]
    masks: tuple[MaskStamp, ...]  # the versions burnt in, in order of first use


Masker = Callable[[SegmentRow, memoryview], MaskedSource | None]


def no_masking(row: SegmentRow, data: memoryview) -> MaskedSource | None:
    """The masker of a camera without flags: every segment is copied losslessly."""
    return None


def masker(rt: Runtime, camera_id: int) -> Masker:
    """The masker of one camera of an export: re-encodes its flagged camera-mode segments."""
    flags = audit_service.flags(rt, camera_id)
    if not flags:
        return no_masking
    masks = privacy_service.camera_masks(rt, camera_id)
    versions, _ = privacy_service.history(rt, camera_id)

    def mask(row: SegmentRow, data: memoryview) -> MaskedSource | None:
        hits = flagged(row, flags)
        if not hits:
            return None
        at_start = privacy_service.masks_at(rt, camera_id, row.start_at)
        choose = _chooser(at_start, versions, row)
        encoded, used = reencode(data, row.start_at, choose, masks)
        return MaskedSource(row, encoded, hits, used)

    return mask


def flagged(row: SegmentRow, flags: Sequence[MaskFlag]) -> tuple[MaskFlag, ...]:
    """The flags a camera-mode segment overlaps (none for a server-mode segment)."""
    if row.mask_version is not None:
        return ()
    return tuple(
        f
        for f in sorted(flags, key=lambda f: f.id)
        if row.end_at > f.from_at and (f.to_at is None or row.start_at < f.to_at)
    )


def _chooser(
    at_start: MaskVersion, versions: Sequence[MaskVersion], row: SegmentRow
) -> Callable[[datetime], MaskVersion]:
    """The version in force at an instant of the segment (P3, as `masks_at` answers)."""
    later = sorted(
        (
            v
            for v in versions
            if v.effective_from is not None and row.start_at < v.effective_from <= row.end_at
        ),
        key=lambda v: v.version,
    )

    def choose(at: datetime) -> MaskVersion:
        found = at_start
        for version in later:
            if version.effective_from is not None and version.effective_from <= at:
                found = version
        return found

    return choose


def reencode(
    data: memoryview,
    start: datetime,
    choose: Callable[[datetime], MaskVersion],
    masks: CameraMasks,
) -> tuple[bytes, tuple[MaskStamp, ...]]:
    """The segment decoded, each frame masked with `choose(instant)`, encoded again."""
    out = io.BytesIO()
    used: dict[MaskStamp, None] = {}
    plans: dict[int, burnin.Plan] = {}
    with (
        av.open(io.BytesIO(bytes(data)), "r", format="mp4") as source,
        av.open(out, "w", format="mp4", options=MUXER_OPTIONS) as sink,
    ):
        video = source.streams.video[0]
        time_base = video.time_base or Fraction(1, 90_000)
        rate = Fraction(video.average_rate or video.guessed_rate or 25)
        stream: Any = None
        first: int | None = None
        for frame in source.decode(video):
            if stream is None:
                stream = _stream(sink, frame.width, frame.height, time_base, rate)
            pts = frame.pts if frame.pts is not None else 0
            first = pts if first is None else first
            version = choose(start + timedelta(seconds=float((pts - first) * time_base)))
            plan = plans.get(version.version)
            if plan is None:
                view = dataclasses.replace(masks, current=version, enforcement=_enforcement(masks))
                plan = plans[version.version] = burnin.plan_for(view, frame.width, frame.height)
            used[plan.stamp] = None
            keyframe = frame.key_frame
            picture = burnin.apply(plan, frame)
            picture.pts, picture.time_base = pts, time_base
            picture.pict_type = PictureType.I if keyframe else PictureType.NONE
            sink.mux(stream.encode(picture))
        if stream is not None:
            sink.mux(stream.encode(None))
    return out.getvalue(), tuple(used)


def _enforcement(masks: CameraMasks) -> Enforcement:
    """Burn the polygons in; a PTZ camera's picture is hidden whole (P5: position unknown)."""
    return (
        Enforcement.BLACKOUT if masks.enforcement is Enforcement.BLACKOUT else Enforcement.BURN_IN
    )


def _stream(sink: Any, width: int, height: int, time_base: Fraction, rate: Fraction) -> Any:
    stream = sink.add_stream(ENCODER, rate=rate)
    burnin.configure_encoder(
        stream.codec_context, ENCODER, width, height, time_base, rate, burnin.PRESET
    )
    stream.time_base = time_base
    return stream
