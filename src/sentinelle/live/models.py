"""Live-view types."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from sentinelle.ingest.livewire import StreamChoice
from sentinelle.playback.models import CameraFacts

MAX_CAMERAS = 16
REASON_MAX = 500


class LiveInput(BaseModel):
    """Open live viewing of 1 to 16 cameras."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    camera_ids: list[int] = Field(min_length=1, max_length=MAX_CAMERAS)
    stream: StreamChoice = StreamChoice.MAIN
    reason: str = Field(
        default="",
        max_length=REASON_MAX,
        description="why the cameras are watched; required of external viewers",
        examples=["Appel 17 : rixe place du Marché"],
    )


@dataclass(frozen=True, slots=True)
class LiveGrant:
    """Who may open the live feed of which camera, until when (signed: see `grants`)."""

    user_id: int
    camera_id: int
    started_at: datetime  # when the viewing was opened (and journalled)
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class OpenedCamera:
    camera: CameraFacts
    token: str
    grant: LiveGrant


@dataclass(frozen=True, slots=True)
class OpenedLive:
    stream: StreamChoice
    reason: str
    cameras: tuple[OpenedCamera, ...]


class LiveState(StrEnum):
    """What a live view of the camera would show now."""

    RECORDING = "recording"  # the ingest worker receives its stream
    NO_SIGNAL = "no_signal"  # lawful, but not received (unreachable, lost, not yet connected)
    OUT_OF_SERVICE = "out_of_service"  # not lawfully shown (rule 1): out of service or no
    # valid authorisation


@dataclass(frozen=True, slots=True)
class CameraLiveStatus:
    camera_id: int
    code: str
    name: str
    state: LiveState
    since: datetime | None  # the event that set the state, when known
    reason: str | None  # why there is no signal (a gap reason), when known
