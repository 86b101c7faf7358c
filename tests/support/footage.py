"""Recorded footage for tests: a generated clip copied through the real segment writer and
catalogued, as the ingest worker would, at a chosen instant."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import av

from sentinelle.ingest.recovery import catalogue
from sentinelle.ingest.writer import FinishedSegment, SegmentWriter, packet_instant
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
    with av.open(str(clip)) as source:
        stream = source.streams.video[0]
        writer = SegmentWriter(root, camera_id, stream, finished, target=target)
        first = None
        for packet in source.demux(stream):
            if packet.dts is None:
                continue
            first = packet.pts if first is None else first
            at = packet_instant(anchor, first, packet, stream.time_base)
            writer.write(packet, at, timedelta(seconds=float(packet.duration * stream.time_base)))
        writer.close()
    return done
