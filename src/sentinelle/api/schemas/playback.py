"""Playback response shapes (request bodies are the playback's own input models). Periods
are `from`/`to` instants, as in the requests."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from sentinelle.playback.models import (
    CameraSummary,
    Gap,
    GapReason,
    RecordedRange,
    SegmentFacts,
    SummaryBucket,
    Timeline,
)
from sentinelle.playback.service import CameraPlayback, OpenedPlayback


class _Out(BaseModel):
    model_config = ConfigDict(validate_by_name=True, validate_by_alias=True)


class SpanOut(_Out):
    start: datetime = Field(alias="from")
    end: datetime = Field(alias="to")


class SegmentOut(SpanOut):
    id: int
    bytes: int
    codec: str
    width: int
    height: int
    fps: float

    @classmethod
    def of(cls, seg: SegmentFacts) -> SegmentOut:
        return cls(
            id=seg.id,
            start=seg.start,
            end=seg.end,
            bytes=seg.bytes,
            codec=seg.codec,
            width=seg.width,
            height=seg.height,
            fps=seg.fps,
        )


class RangeOut(SpanOut):
    """Recorded without a break; `segments` (when asked for) are whole: the first may begin
    before `from`."""

    segments: list[SegmentOut] | None = None

    @classmethod
    def of(cls, r: RecordedRange, with_segments: bool) -> RangeOut:
        segments = [SegmentOut.of(s) for s in r.segments] if with_segments else None
        return cls(start=r.start, end=r.end, segments=segments)


class GapOut(SpanOut):
    reason: GapReason
    cause: str = Field(
        description="offline: unreachable, lost, stalled, end_of_stream, storage; purged: the "
        "register's reason; not_in_service: withdrawn, authorisation_not_valid, "
        "not_registered or the camera's status"
    )

    @classmethod
    def of(cls, gap: Gap) -> GapOut:
        return cls(start=gap.start, end=gap.end, reason=gap.reason, cause=gap.cause)


class TimelineOut(SpanOut):
    """Recorded ranges and gaps of one camera; gaps stop at `until` (now, if earlier than
    `to`)."""

    camera_id: int
    until: datetime
    recorded_seconds: float
    ranges: list[RangeOut]
    gaps: list[GapOut]

    @classmethod
    def of(cls, t: Timeline, with_segments: bool) -> TimelineOut:
        return cls(
            camera_id=t.camera_id,
            start=t.start,
            end=t.end,
            until=t.until,
            recorded_seconds=round(t.recorded_seconds, 3),
            ranges=[RangeOut.of(r, with_segments) for r in t.ranges],
            gaps=[GapOut.of(g) for g in t.gaps],
        )


class TimelineSummaryOut(_Out):
    """A timeline without its segments."""

    recorded_seconds: float
    ranges: list[RangeOut]
    gaps: list[GapOut]

    @classmethod
    def of(cls, t: Timeline) -> TimelineSummaryOut:
        return cls(
            recorded_seconds=round(t.recorded_seconds, 3),
            ranges=[RangeOut.of(r, with_segments=False) for r in t.ranges],
            gaps=[GapOut.of(g) for g in t.gaps],
        )


class CameraPlaybackOut(_Out):
    camera_id: int
    code: str
    name: str
    playlist_url: str = Field(description="HLS playlist (fMP4, VOD) of the period")
    start_program_date_time: datetime | None = Field(
        description="program date time of the playlist's first segment (null: no footage)"
    )
    timeline: TimelineSummaryOut

    @classmethod
    def of(cls, cam: CameraPlayback, playlist_url: str) -> CameraPlaybackOut:
        segments = cam.timeline.segments
        return cls(
            camera_id=cam.camera.id,
            code=cam.camera.code,
            name=cam.camera.name,
            playlist_url=playlist_url,
            start_program_date_time=segments[0].start if segments else None,
            timeline=TimelineSummaryOut.of(cam.timeline),
        )


class PlaybackOut(_Out):
    """An opened playback: the grant its URLs carry (for this user only), and per camera its
    playlist and timeline."""

    grant: str
    expires_at: datetime
    start: datetime = Field(alias="from")
    end: datetime = Field(alias="to")
    cameras: list[CameraPlaybackOut]

    @classmethod
    def of(cls, opened: OpenedPlayback, playlist_url: str) -> PlaybackOut:
        """`playlist_url` is a pattern with `{grant}` and `{camera_id}`."""
        return cls(
            grant=opened.token,
            expires_at=opened.grant.expires_at,
            start=opened.grant.start,
            end=opened.grant.end,
            cameras=[
                CameraPlaybackOut.of(
                    cam, playlist_url.format(grant=opened.token, camera_id=cam.camera.id)
                )
                for cam in opened.cameras
            ],
        )


class BucketOut(SpanOut):
    recorded_seconds: float
    coverage: float = Field(description="recorded share of the bucket's elapsed part, 0-1")

    @classmethod
    def of(cls, b: SummaryBucket) -> BucketOut:
        return cls(
            start=b.start, end=b.end, recorded_seconds=b.recorded_seconds, coverage=b.coverage
        )


class SummaryOut(_Out):
    camera_id: int
    buckets: list[BucketOut]

    @classmethod
    def of(cls, summary: CameraSummary) -> SummaryOut:
        return cls(camera_id=summary.camera_id, buckets=[BucketOut.of(b) for b in summary.buckets])
