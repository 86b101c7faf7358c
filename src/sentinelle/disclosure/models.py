"""Disclosure vocabulary: the states of an anonymised copy, why it is made, and the inputs of
the use cases (pydantic, reused as API request bodies).

A **disclosure** is an anonymised copy of one video file of a finished export, made for a
third party: a person exercising their right of access to images of themselves (product
rule 12), the press, a training session. Its life: `queued` (analysis asked) → `analysing`
(detectors and tracker run by the job runner) → `review` (the agent keeps the person
concerned, dismisses false detections, adds regions by hand, saves the plan) →
`render_queued` → `rendering` → `done` (a signed package); `failed` or `cancelled` end it.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from sentinelle.privacy.anonymise.models import Effect

LOG_SCHEMA = "sentinelle.redaction-log/1"
MAX_MANUAL_REGIONS = 500


class DisclosureStatus(StrEnum):
    QUEUED = "queued"
    ANALYSING = "analysing"
    REVIEW = "review"
    RENDER_QUEUED = "render_queued"
    RENDERING = "rendering"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


FINISHED = frozenset({DisclosureStatus.DONE, DisclosureStatus.FAILED, DisclosureStatus.CANCELLED})
RUNNING = frozenset({DisclosureStatus.ANALYSING, DisclosureStatus.RENDERING})


class Purpose(StrEnum):
    """Why footage is disclosed to someone outside the investigation."""

    ACCESS_REQUEST = "access_request"  # right of access of a person filmed (rule 12)
    PRESS = "press"
    TRAINING = "training"
    OTHER = "other"


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class DisclosureRequest(_Input):
    """Which exported file to anonymise, for whom and why."""

    export_id: int
    file: str = Field(
        min_length=1,
        max_length=500,
        description="the video's path inside the export package, as its manifest lists it",
        examples=["video/CAM-001_20261203T090000Z.mp4"],
    )
    purpose: Purpose
    recipient: str = Field(
        min_length=1,
        max_length=300,
        description="who receives the copy (the person concerned, a newsroom, a course)",
        examples=["Mme Dupont (demande d'accès du 2 décembre 2026)"],
    )
    reason: str = Field(min_length=1, max_length=2000)


class RegionInput(_Input):
    """A region the agent hides by hand over a range of frames (inclusive)."""

    id: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_-]+$")
    first_frame: int = Field(ge=0)
    last_frame: int = Field(ge=0)
    box: tuple[float, float, float, float] = Field(
        description="x, y, width, height normalised to the picture (0..1, origin top-left)"
    )


class PlanInput(_Input):
    """The agent's decisions for a disclosure (see `RedactionPlan`)."""

    effect: Effect = Effect.BLUR
    keep: list[int] = Field(default_factory=list, max_length=1000)
    dismissed: list[int] = Field(default_factory=list, max_length=10_000)
    hidden: list[int] = Field(
        default_factory=list,
        max_length=10_000,
        description="tracks hidden explicitly: a face linked to a kept person is then hidden",
    )
    manual: list[RegionInput] = Field(default_factory=list, max_length=MAX_MANUAL_REGIONS)

    @model_validator(mode="after")
    def _distinct(self) -> Self:
        ids = [r.id for r in self.manual]
        if len(set(ids)) != len(ids):
            msg = "two manual regions have the same id"
            raise ValueError(msg)
        return self


class Reason(_Input):
    reason: str = Field(min_length=1, max_length=2000)
