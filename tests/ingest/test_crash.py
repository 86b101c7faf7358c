"""A writer killed with SIGKILL mid-segment loses at most about one second (S6)."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import av
import pytest
import sqlalchemy as sa

from sentinelle.ingest.clips import write_clip
from sentinelle.ingest.events import EventKind
from sentinelle.ingest.recovery import catalogue, complete_length, recover_all
from sentinelle.ingest.service import camera_events
from sentinelle.ingest.worker import IngestWorker
from sentinelle.ingest.writer import FinishedSegment, SegmentWriter, packet_instant
from sentinelle.runtime import Runtime
from sentinelle.storage import layout
from sentinelle.storage.check import check
from sentinelle.storage.tables import SegmentRow
from tests import factories as f

# Writes the clip at real time, printing each packet's stream offset once it is written.
CHILD = """
import sys, time
from datetime import UTC, datetime, timedelta
from pathlib import Path
import av
from sentinelle.ingest.writer import SegmentWriter, packet_instant
root, clip, camera = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
anchor = datetime(2026, 11, 22, 9, tzinfo=UTC)
with av.open(clip) as src:
    stream = src.streams.video[0]
    writer = SegmentWriter(root, camera, stream, lambda seg: None)
    first, began = None, time.monotonic()
    for packet in src.demux(stream):
        if packet.dts is None:
            continue
        first = packet.pts if first is None else first
        at = packet_instant(anchor, first, packet, stream.time_base)
        offset = (at - anchor).total_seconds()
        time.sleep(max(0.0, began + offset - time.monotonic()))
        writer.write(packet, at, timedelta(seconds=float(packet.duration * stream.time_base)))
        print(offset, flush=True)
"""


@pytest.fixture(scope="module")
def long_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_clip(tmp_path_factory.mktemp("crash") / "clip.mp4", 30, fps=10, gop_seconds=2)


def test_sigkill_loses_at_most_about_a_second(rt: Runtime, long_clip: Path) -> None:
    _, _, (cam, _) = f.town(rt)
    root = layout.recordings_root(rt.settings.resolved_data_dir)
    offsets: list[float] = []
    with subprocess.Popen(
        [sys.executable, "-c", CHILD, str(root), str(long_clip), str(cam.id)],
        stdout=subprocess.PIPE,
        text=True,
    ) as child:
        reader = threading.Thread(
            target=lambda: offsets.extend(float(x) for x in child.stdout or [])
        )
        reader.start()
        time.sleep(4.5)
        child.send_signal(signal.SIGKILL)
        child.wait()
        reader.join()
    written = offsets[-1] + 0.1  # the last packet lasts one frame
    assert written > 2.0
    parts = list(root.rglob("*.part"))
    assert len(parts) == 1
    assert 0 < complete_length(parts[0]) <= parts[0].stat().st_size
    (result,) = recover_all(rt)
    assert result.segment is not None
    kept = (result.segment.end - result.segment.start).total_seconds()
    assert written - kept <= 1.2, f"lost {written - kept:.2f} s"
    assert result.segment.start == datetime(2026, 11, 22, 9, tzinfo=UTC)
    report = check(rt, rehash=True)
    assert (report.ok, report.segments) == (True, 1)


def test_a_part_with_no_complete_fragment_is_removed(rt: Runtime, tmp_path: Path) -> None:
    root = layout.recordings_root(rt.settings.resolved_data_dir)
    part = root / "7/2026/11/22/20261122T090000000000Z.mp4.part"
    part.parent.mkdir(parents=True)
    part.write_bytes(b"\x00\x00\x00\x18ftypisom" + b"\x00" * 12 + b"\x00\x00\x10\x00moov")
    (result,) = recover_all(rt)
    assert result.segment is None
    assert not part.exists()


def test_a_finished_file_without_its_row_is_catalogued_at_start(
    rt: Runtime, long_clip: Path
) -> None:
    """A crash between the rename and the catalogue row (S3 steps 3–5) loses nothing."""
    _, _, (cam, _) = f.town(rt)
    root = layout.recordings_root(rt.settings.resolved_data_dir)
    finished: list[FinishedSegment] = []
    with av.open(str(long_clip)) as src:
        stream = src.streams.video[0]
        writer = SegmentWriter(root, cam.id, stream, finished.append, timedelta(seconds=10))
        anchor, first = datetime(2026, 11, 22, 8, tzinfo=UTC), None
        for packet in src.demux(stream):
            if packet.pts is None:
                continue
            first = packet.pts if first is None else first
            at = packet_instant(anchor, first, packet, stream.time_base)
            writer.write(packet, at, timedelta(seconds=float(packet.duration * stream.time_base)))
        writer.close()
    catalogue(rt, finished[0])  # the others' rows were never written
    worker = IngestWorker(rt)
    worker.start()
    worker.stop_all()
    report = check(rt, rehash=True)
    assert (report.ok, report.segments) == (True, 3)
    with rt.db.read() as s:
        rows = s.execute(sa.select(SegmentRow).order_by(SegmentRow.start_at)).scalars().all()
        assert [r.recovered for r in rows] == [False, True, True]
        assert [r.sha256 for r in rows] == [seg.sha256 for seg in finished]
    events = camera_events(rt, cam.id, anchor, rt.now() + timedelta(days=1))
    recovered = [e for e in events if e.kind is EventKind.RECOVERED]
    assert [e.detail.split()[0] for e in recovered] == [seg.path for seg in finished[1:]]
    unreachable = [e for e in events if e.kind is EventKind.DISCONNECTED]
    assert unreachable  # its address is not a camera; and its password never shows
    assert all("s3cret" not in e.detail and "10.0.0.7" in e.detail for e in unreachable)
