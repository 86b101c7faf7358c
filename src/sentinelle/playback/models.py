"""Playback vocabulary: gap reasons, timelines and their summaries, the facts of a camera an
access is checked against, and the inputs of the playback use cases (validated pydantic
models, reused as API request bodies)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

REASON_MAX = 500
MAX_CAMERAS = 16
LONGEST_PLAYBACK = timedelta(hours=24)


class GapReason(StrEnum):
    """Why a stretch of a timeline holds no footage. Values are stable: they are served."""

    PURGED = "purged"  # recorded, then destroyed (a line of the destruction register)
    NOT_IN_SERVICE = "not_in_service"  # not lawfully in service: nothing was to be recorded
    OFFLINE = "offline"  # the camera could not be recorded (`cause`: unreachable, lost, ...)
    NOT_RECORDED = "not_recorded"  # no footage and nothing on record explains why
    RECORDING = "recording"  # the segment being written: catalogued when it ends (≤ ~1 min)


class Bucket(StrEnum):
    """The width of a summary bucket: a calendar day or an hour of the site's time zone."""

    DAY = "day"
    HOUR = "hour"


class ImageFormat(StrEnum):
    JPEG = "jpeg"
    PNG = "png"

    @property
    def media_type(self) -> str:
        return f"image/{self.value}"

    @property
    def extension(self) -> str:
        return "jpg" if self is ImageFormat.JPEG else self.value


# --- timelines -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SegmentFacts:
    """What a timeline tells of one catalogued segment."""

    id: int
    start: datetime
    end: datetime
    bytes: int
    codec: str
    width: int
    height: int
    fps: float


@dataclass(frozen=True, slots=True)
class RecordedRange:
    """Recorded footage without a break (segments closer than the merge tolerance), clipped to
    the timeline's period; `segments` are whole, so the first may begin before `start`."""

    start: datetime
    end: datetime
    segments: tuple[SegmentFacts, ...]


@dataclass(frozen=True, slots=True)
class Gap:
    """A stretch without footage and why. `cause` refines the reason: the `disconnected`
    event's reason (offline), the register line's reason (purged), or what took the camera
    out of service (not_in_service)."""

    start: datetime
    end: datetime
    reason: GapReason
    cause: str = ""


@dataclass(frozen=True, slots=True)
class Timeline:
    """One camera's period [start, end): recorded ranges and gaps, in time order. Gaps stop
    at `until` (the end, or the moment the timeline was read if earlier)."""

    camera_id: int
    start: datetime
    end: datetime
    until: datetime
    ranges: tuple[RecordedRange, ...]
    gaps: tuple[Gap, ...]

    @property
    def recorded_seconds(self) -> float:
        """Seconds of footage within the period (the ranges less their tiny breaks)."""
        return sum(
            (min(seg.end, self.end) - max(seg.start, self.start)).total_seconds()
            for seg in self.segments
        )

    @property
    def segments(self) -> list[SegmentFacts]:
        return [seg for r in self.ranges for seg in r.segments]


@dataclass(frozen=True, slots=True)
class SummaryBucket:
    """Recorded time in one bucket; `coverage` is over the bucket's elapsed part within the
    period asked for (0 when none of it has elapsed)."""

    start: datetime
    end: datetime
    recorded_seconds: float
    coverage: float


@dataclass(frozen=True, slots=True)
class CameraSummary:
    camera_id: int
    buckets: tuple[SummaryBucket, ...]


# --- access ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CameraFacts:
    """A camera an access was granted to, as manifests, journals and players name it."""

    id: int
    code: str
    name: str
    address: str
    latitude: float | None
    longitude: float | None


# --- inputs of the use cases (also the API's request bodies) ---------------------------------


class _Input(BaseModel):
    model_config = ConfigDict(
        extra="forbid", str_strip_whitespace=True, validate_by_name=True, validate_by_alias=True
    )


class PlaybackInput(_Input):
    """Open a synchronised playback of up to 16 cameras over one period (at most 24 h)."""

    camera_ids: list[int] = Field(min_length=1, max_length=MAX_CAMERAS)
    start: AwareDatetime = Field(alias="from")
    end: AwareDatetime = Field(alias="to")
    reason: str = Field(
        default="",
        max_length=REASON_MAX,
        description="why the footage is viewed (required); may be a requisition number",
        examples=["Réquisition PV 2026/004512"],
    )


class SnapshotInput(_Input):
    """A still image of the frame displayed at `at`."""

    at: AwareDatetime
    format: ImageFormat = ImageFormat.JPEG
    reason: str = Field(default="", max_length=REASON_MAX, description="required")


@dataclass(frozen=True, slots=True)
class Snapshot:
    image: bytes
    format: ImageFormat
    frame_at: datetime  # the presentation instant of the frame returned
    camera_code: str
