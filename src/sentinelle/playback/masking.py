"""Flagged footage leaves the system masked (privacy, issue 6 item 4): the decision — a
segment recorded in camera mode (`mask_version` NULL) that overlaps a mask flag — and the
re-encoding of such a segment with the masks in force at each frame (`masks_at`), by the
burn-in's own `plan_for` / `apply` and encoder settings.

Playback serves, and snapshots decode, the re-encoded file instead of the recorded one; it is
made on first request and cached by (segment, mask versions) where storage keeps a segment's
copies (`storage.layout.copy_path`, `privacy-cache/`), written atomically; the recorded file
of a flagged segment is never served. The storage sweep destroys the copies with their
segment; a copy made while its segment was being destroyed is removed by its maker. Exports
(`evidence.privacy`) use the same re-encoding.
"""

from __future__ import annotations

import dataclasses
import io
import os
import tempfile
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import av.error
import sqlalchemy as sa
from av.video.frame import PictureType

from sentinelle.ingest import burnin
from sentinelle.ingest.writer import MUXER_OPTIONS, MaskStamp
from sentinelle.privacy import audit_service
from sentinelle.privacy import service as privacy_service
from sentinelle.privacy.audit_service import MaskFlag
from sentinelle.privacy.models import CameraMasks, Enforcement, MaskVersion
from sentinelle.runtime import Runtime
from sentinelle.storage import layout
from sentinelle.storage.models import SegmentState
from sentinelle.storage.tables import SegmentRow

ENCODER = "libx264"


class MaskingFailed(Exception):
    """A flagged segment could not be re-encoded: nothing of it may be served (P1)."""


def flagged(
    start: datetime, end: datetime, mask_version: int | None, flags: Sequence[MaskFlag]
) -> tuple[MaskFlag, ...]:
    """The flags a camera-mode segment [start, end) overlaps (none if the server masked it)."""
    if mask_version is not None:
        return ()
    return tuple(
        f
        for f in sorted(flags, key=lambda f: f.id)
        if end > f.from_at and (f.to_at is None or start < f.to_at)
    )


def versions_of(rt: Runtime, camera_id: int, start: datetime, end: datetime) -> list[MaskVersion]:
    """The versions in force during [start, end]: the one at `start`, then those taking
    effect inside, in order (P3)."""
    versions, _ = privacy_service.history(rt, camera_id)
    later = sorted(
        (v for v in versions if v.effective_from is not None and start < v.effective_from <= end),
        key=lambda v: v.version,
    )
    return [privacy_service.masks_at(rt, camera_id, start), *later]


def chooser(versions: Sequence[MaskVersion]) -> Callable[[datetime], MaskVersion]:
    """The version in force at an instant, among `versions_of`'s answer."""

    def choose(at: datetime) -> MaskVersion:
        found = versions[0]
        for version in versions[1:]:
            if version.effective_from is not None and version.effective_from <= at:
                found = version
        return found

    return choose


def reencode(
    data: bytes | memoryview,
    start: datetime,
    choose: Callable[[datetime], MaskVersion],
    masks: CameraMasks,
) -> tuple[bytes, tuple[MaskStamp, ...]]:
    """The segment decoded, each frame masked with `choose(instant)`, encoded again (same size
    and time base, an IDR wherever the source had a keyframe) as a fragmented MP4."""
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
            stream = stream or _stream(sink, frame.width, frame.height, time_base, rate)
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
    """Burn the polygons in; a PTZ camera blacked out in server mode stays blacked out (P5)."""
    if masks.enforcement is Enforcement.BLACKOUT:
        return Enforcement.BLACKOUT
    return Enforcement.BURN_IN


def _stream(sink: Any, width: int, height: int, time_base: Fraction, rate: Fraction) -> Any:
    stream = sink.add_stream(ENCODER, rate=rate)
    burnin.configure_encoder(
        stream.codec_context, ENCODER, width, height, time_base, rate, burnin.PRESET
    )
    stream.time_base = time_base
    return stream


def served_file(
    rt: Runtime, camera_id: int, segment_id: int, recorded: Path, flags: Sequence[MaskFlag] | None
) -> Path:
    """The file to serve or decode for a segment: `recorded`, or its masked re-encoding when
    the segment is flagged (made once, cached). `flags`: the camera's, if already loaded.
    Raises `MaskingFailed` when a flagged segment cannot be re-encoded."""
    flags = audit_service.flags(rt, camera_id) if flags is None else flags
    if not flags:
        return recorded
    with rt.db.read() as s:
        start, end, mask_version = s.execute(
            sa.select(SegmentRow.start_at, SegmentRow.end_at, SegmentRow.mask_version).where(
                SegmentRow.id == segment_id
            )
        ).one()
    if not flagged(start, end, mask_version, flags):
        return recorded
    versions = versions_of(rt, camera_id, start, end)
    tag = "v" + "-".join(str(v.version) for v in versions)
    cached = layout.copy_path(rt.settings.resolved_data_dir, camera_id, segment_id, tag)
    if not cached.exists():
        prune(rt, cached.parent)
        _make(rt, camera_id, recorded, start, versions, cached)
        if prune(rt, cached.parent, {cached}):  # destroyed meanwhile: the sweep missed it
            raise MaskingFailed(f"segment {segment_id} was destroyed while it was re-encoded")
    return cached


def prune(rt: Runtime, folder: Path, only: set[Path] | None = None) -> list[Path]:
    """Remove the re-encodings (of `folder`, or `only` these) of segments no longer active: a
    masked copy must not outlive its footage (CSI L252-3). The storage sweep removes them
    when it destroys their segments; this catches a copy made while that happened. What was
    removed."""
    found = (p for p in folder.glob("*-v*.mp4")) if only is None else iter(only)
    files = {p: n for p in found if (n := layout.segment_of_copy(p)) is not None}
    if not files:
        return []
    with rt.db.read() as s:
        active = set(
            s.execute(
                sa.select(SegmentRow.id).where(
                    SegmentRow.id.in_(set(files.values())), SegmentRow.state == SegmentState.ACTIVE
                )
            ).scalars()
        )
    gone = [p for p, segment_id in files.items() if segment_id not in active]
    for path in gone:
        path.unlink(missing_ok=True)
    return gone


def _make(
    rt: Runtime,
    camera_id: int,
    recorded: Path,
    start: datetime,
    versions: Sequence[MaskVersion],
    cached: Path,
) -> None:
    try:
        data, _ = reencode(
            recorded.read_bytes(),
            start,
            chooser(versions),
            privacy_service.camera_masks(rt, camera_id),
        )
    except (av.error.FFmpegError, OSError, ValueError) as exc:
        raise MaskingFailed(f"{type(exc).__name__}: {exc}") from exc
    cached.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=cached.parent, suffix=".part", delete=False) as part:
        part.write(data)  # a name of its own: concurrent requests may make the same file
    os.replace(part.name, cached)
