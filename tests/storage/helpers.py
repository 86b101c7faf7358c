"""Synthetic segments: real files under the recordings root, catalogued through the service."""

from __future__ import annotations

import hashlib
import os
from datetime import datetime, timedelta

from sentinelle.runtime import Runtime
from sentinelle.storage import layout
from sentinelle.storage.service import NewSegment, do_catalogue_segment
from sentinelle.storage.tables import SegmentRow


def segment(
    rt: Runtime,
    camera_id: int,
    start: datetime,
    seconds: int = 60,
    size: int = 2048,
    mask: tuple[int, str] | None = None,
) -> SegmentRow:
    rel = layout.relative_path(camera_id, start)
    path = layout.recordings_root(rt.settings.resolved_data_dir) / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    data = os.urandom(size)
    path.write_bytes(data)
    return do_catalogue_segment(
        rt,
        NewSegment(
            camera_id=camera_id,
            start=start,
            end=start + timedelta(seconds=seconds),
            path=rel,
            size=size,
            codec="h264",
            width=1920,
            height=1080,
            fps=25.0,
            keyframes_ms=(0, 2000),
            sha256=hashlib.sha256(data).hexdigest(),
            mask_version=mask[0] if mask else None,
            mask_digest=mask[1] if mask else None,
        ),
    )


def day_of_segments(
    rt: Runtime, camera_id: int, start: datetime, count: int, seconds: int = 60
) -> list[SegmentRow]:
    return [
        segment(rt, camera_id, start + timedelta(seconds=i * seconds), seconds)
        for i in range(count)
    ]


def file_of(rt: Runtime, row: SegmentRow):  # type: ignore[no-untyped-def]
    return layout.recordings_root(rt.settings.resolved_data_dir) / row.path
