"""Timelines: recorded ranges, gaps with their reason, day and hour summaries."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from sentinelle.core.clock import FakeClock
from sentinelle.ingest.events import EventKind, GapReason, SessionEvent
from sentinelle.ingest.service import camera_events, record_events
from sentinelle.ingest.worker import IngestWorker
from sentinelle.playback.models import Bucket
from sentinelle.playback.models import GapReason as Why
from sentinelle.playback.timeline import bucket_edges, summaries, summarise, timeline
from sentinelle.registry.models import CameraStatus
from sentinelle.registry.service import do_set_camera_status
from sentinelle.runtime import Runtime
from sentinelle.storage.tables import DestructionRow
from tests import factories as f
from tests.conftest import START
from tests.storage.helpers import segment


def _at(hhmmss: str) -> datetime:
    return datetime.fromisoformat(f"2026-11-22T{hhmmss}+00:00")


def _minutes(rt: Runtime, camera_id: int, start: str, count: int) -> None:
    for i in range(count):
        segment(rt, camera_id, _at(start) + timedelta(minutes=i))


def _event(
    camera_id: int, kind: EventKind, at: str, reason: GapReason | None = None
) -> SessionEvent:
    return SessionEvent(camera_id, kind, _at(at), "", reason)


def _purge(rt: Runtime, camera_id: int, start: str, end: str) -> None:
    with rt.db.write() as s:
        s.add(
            DestructionRow(
                camera_id=camera_id,
                camera_code="CAM-001",
                start_at=_at(start),
                end_at=_at(end),
                segments=8,
                bytes=8 * 2048,
                reason="retention_expiry",
                destroyed_at=_at(end),
                first_seq=1,
                last_seq=8,
                last_hash="0" * 64,
                completed=True,
            )
        )


@pytest.fixture
def recorded(rt: Runtime, clock: FakeClock) -> int:
    """CAM-001 registered at 09:00, recorded in five ranges; status out of service at 10:00."""
    _, _, (cam, _) = f.town(rt)
    _minutes(rt, cam.id, "09:10:00", 3)
    segment(rt, cam.id, _at("09:13:00.300000"))  # 0.3 s after the last: the same range
    _minutes(rt, cam.id, "09:20:00", 2)
    _minutes(rt, cam.id, "09:30:00", 1)
    _minutes(rt, cam.id, "09:40:00", 1)
    _minutes(rt, cam.id, "09:50:00", 1)
    _purge(rt, cam.id, "09:22:00", "09:30:00")
    record_events(
        rt,
        [
            _event(cam.id, EventKind.CONNECTED, "09:10:00"),
            _event(cam.id, EventKind.DISCONNECTED, "09:14:10", GapReason.STALLED),
            _event(cam.id, EventKind.DISCONNECTED, "09:15:00", GapReason.UNREACHABLE),
            _event(cam.id, EventKind.CONNECTED, "09:20:00"),
            _event(cam.id, EventKind.STOPPED, "09:41:04"),
            _event(cam.id, EventKind.WITHDRAWN, "09:41:05"),
            _event(cam.id, EventKind.CONNECTED, "09:50:00"),
        ],
    )
    clock.set(_at("10:00:00"))
    do_set_camera_status(rt, f.ADMIN, cam.id, CameraStatus.OUT_OF_SERVICE, "travaux")
    clock.set(_at("11:00:00"))
    return cam.id


def test_ranges_and_gaps_with_their_reasons(rt: Runtime, recorded: int) -> None:
    line = timeline(rt, recorded, _at("08:50:00"), _at("12:00:00"))
    assert [(r.start, r.end, len(r.segments)) for r in line.ranges] == [
        (_at("09:10:00"), _at("09:14:00.300000"), 4),
        (_at("09:20:00"), _at("09:22:00"), 2),
        (_at("09:30:00"), _at("09:31:00"), 1),
        (_at("09:40:00"), _at("09:41:00"), 1),
        (_at("09:50:00"), _at("09:51:00"), 1),
    ]
    facts = line.ranges[0].segments[0]
    assert (facts.codec, facts.width, facts.height, facts.fps, facts.bytes) == (
        "h264", 1920, 1080, 25.0, 2048,
    )  # fmt: skip
    assert line.until == _at("11:00:00")  # gaps stop now
    assert [(g.start, g.end, g.reason, g.cause) for g in line.gaps] == [
        (_at("08:50:00"), _at("09:00:00"), Why.NOT_IN_SERVICE, "not_registered"),
        (_at("09:00:00"), _at("09:10:00"), Why.NOT_RECORDED, ""),
        # the stall was detected 10 s after the last packet: the whole gap is offline
        (_at("09:14:00.300000"), _at("09:20:00"), Why.OFFLINE, "stalled"),
        (_at("09:22:00"), _at("09:30:00"), Why.PURGED, "retention_expiry"),
        (_at("09:31:00"), _at("09:40:00"), Why.NOT_RECORDED, ""),
        (_at("09:41:00"), _at("09:50:00"), Why.NOT_IN_SERVICE, "withdrawn"),
        (_at("09:51:00"), _at("10:00:00"), Why.NOT_RECORDED, ""),
        (_at("10:00:00"), _at("11:00:00"), Why.NOT_IN_SERVICE, "out_of_service"),
    ]
    assert line.recorded_seconds == pytest.approx(540.0)  # the 0.3 s break is not footage


def test_a_period_inside_a_range_has_no_gap(rt: Runtime, recorded: int) -> None:
    line = timeline(rt, recorded, _at("09:10:30"), _at("09:12:30"))
    assert line.gaps == ()
    assert [(r.start, r.end) for r in line.ranges] == [(_at("09:10:30"), _at("09:12:30"))]
    assert [s.start for s in line.segments] == [_at("09:10:00"), _at("09:11:00"), _at("09:12:00")]


def test_offline_at_the_start_of_the_period(rt: Runtime, recorded: int) -> None:
    """The disconnection before the period is what explains its start."""
    line = timeline(rt, recorded, _at("09:16:00"), _at("09:21:00"))
    assert [(g.start, g.end, g.reason, g.cause) for g in line.gaps] == [
        (_at("09:16:00"), _at("09:20:00"), Why.OFFLINE, "stalled"),
    ]


def test_the_segment_being_written_is_said_to_be_in_progress(rt: Runtime, clock: FakeClock) -> None:
    """Footage of the last minute is in the writer until its segment ends (S3): the trailing
    gap says "recording", not "not recorded"; an hour later the same hole is unexplained."""
    _, _, (cam, _) = f.town(rt)
    _minutes(rt, cam.id, "09:10:00", 2)
    record_events(rt, [_event(cam.id, EventKind.CONNECTED, "09:10:00")])
    clock.set(_at("09:12:40"))
    (gap,) = timeline(rt, cam.id, _at("09:11:00"), _at("09:13:00")).gaps
    assert (gap.start, gap.end, gap.reason) == (_at("09:12:00"), _at("09:12:40"), Why.RECORDING)
    clock.set(_at("10:12:40"))
    (gap,) = timeline(rt, cam.id, _at("09:11:00"), _at("09:13:00")).gaps
    assert (gap.reason, gap.end) == (Why.NOT_RECORDED, _at("09:13:00"))


def test_an_expired_authorisation_is_not_in_service(rt: Runtime, clock: FakeClock) -> None:
    auth = f.authorisation(rt, reference="2026/DSC/9", expires_on=date(2026, 11, 22))
    cam = f.camera(rt, f.zone(rt, auth.id).id, "GARE")
    segment(rt, cam.id, _at("22:00:00"))
    clock.set(_at("23:30:00"))
    line = timeline(rt, cam.id, _at("22:00:00"), _at("23:30:00"))
    # the authorisation ends with 22 November in Paris: 23:00 UTC
    assert [(g.start, g.reason, g.cause) for g in line.gaps] == [
        (_at("22:01:00"), Why.NOT_RECORDED, ""),
        (_at("23:00:00"), Why.NOT_IN_SERVICE, "authorisation_not_valid"),
    ]


def test_hour_and_day_summaries(rt: Runtime, recorded: int) -> None:
    other = f.camera(rt, 1, "CAM-003")
    segment(rt, other.id, _at("10:30:00"), seconds=1800)
    hours = summaries(rt, [recorded, other.id], _at("08:00:00"), _at("12:00:00"), Bucket.HOUR)
    first = hours[0].buckets
    assert [b.start.hour for b in first] == [8, 9, 10, 11]
    assert [b.recorded_seconds for b in first] == [0.0, 540.0, 0.0, 0.0]
    assert first[1].coverage == round(540.0 / 3600, 4)
    assert first[3].coverage == 0.0  # not elapsed yet
    assert [b.recorded_seconds for b in hours[1].buckets] == [0.0, 0.0, 1800.0, 0.0]
    paris_day = datetime(2026, 11, 21, 23, 0, tzinfo=UTC)  # 22 November, 00:00 in Paris
    days = summaries(rt, [recorded], paris_day, paris_day + timedelta(days=2), Bucket.DAY)
    (day1, day2) = days[0].buckets
    assert (day1.start, day1.end, day1.recorded_seconds) == (
        paris_day, paris_day + timedelta(days=1), 540.0,
    )  # fmt: skip
    assert day1.coverage == round(540.0 / (12 * 3600), 4)  # 12 h elapsed at 11:00 UTC
    assert (day2.recorded_seconds, day2.coverage) == (0.0, 0.0)


def test_a_segment_across_buckets_is_shared() -> None:
    edges = [_at("09:00:00"), _at("10:00:00"), _at("11:00:00")]
    buckets = summarise([(_at("09:59:00"), _at("10:01:30"))], edges, _at("12:00:00"))
    assert [b.recorded_seconds for b in buckets] == [60.0, 90.0]


def test_day_buckets_follow_the_site_time_zone_across_dst() -> None:
    paris = ZoneInfo("Europe/Paris")
    start = datetime(2026, 10, 24, 22, 0, tzinfo=UTC)  # 25 October (25 hours long) in Paris
    edges = bucket_edges(start, start + timedelta(hours=49), Bucket.DAY, paris)
    assert edges == [start, datetime(2026, 10, 25, 23, 0, tzinfo=UTC), start + timedelta(hours=49)]
    hours = bucket_edges(
        start + timedelta(minutes=30), start + timedelta(hours=3), Bucket.HOUR, paris
    )
    assert hours[1] == start + timedelta(hours=1)
    assert len(hours) == 4


def test_the_worker_records_a_withdrawal(rt: Runtime, clock: FakeClock) -> None:
    """A camera leaving lawful service is stopped by the worker, which says so: the gap that
    follows is `not_in_service`, not `not_recorded`."""
    _, _, (cam, _) = f.town(rt, main_stream_url="rtsp://127.0.0.1:9/unreachable")
    worker = IngestWorker(rt)
    try:
        worker.start()
        deadline = time.monotonic() + 20
        while not worker.events and time.monotonic() < deadline:
            time.sleep(0.05)
        do_set_camera_status(rt, f.ADMIN, cam.id, CameraStatus.OUT_OF_SERVICE, "dépose")
        worker.refresh()
    finally:
        worker.stop_all()
    events = camera_events(rt, cam.id, START - timedelta(days=1), START + timedelta(days=1))
    kinds = [e.kind for e in events]
    assert EventKind.WITHDRAWN in kinds
    assert kinds.index(EventKind.STOPPED) < kinds.index(EventKind.WITHDRAWN)
    clock.advance(timedelta(minutes=5))
    line = timeline(rt, cam.id, START, clock.now())
    assert [g.reason for g in line.gaps] == [Why.NOT_IN_SERVICE]
