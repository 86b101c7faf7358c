"""Recorded footage for tests: a generated clip copied through the real segment writer and
catalogued, as the ingest worker would, at a chosen instant."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from sentinelle.ingest.clips import copy_through_writer
from sentinelle.ingest.recovery import catalogue
from sentinelle.ingest.writer import FinishedSegment
from sentinelle.runtime import Runtime
from sentinelle.storage import layout


def record_clip(
    rt: Runtime,
    camera_id: int,
    clip: Path,
    anchor: datetime,
    target: timedelta = timedelta(seconds=60),
) -> list[FinishedSegment]:
    """Copy the clip's packets through the writer from `anchor`, cataloguing each segment."""
    done: list[FinishedSegment] = []

    def finished(seg: FinishedSegment) -> None:
        done.append(seg)
        catalogue(rt, seg)

    root = layout.recordings_root(rt.settings.resolved_data_dir)
    copy_through_writer(clip, root, camera_id, anchor, finished, target)
    return done
