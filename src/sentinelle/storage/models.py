"""Storage vocabulary: segment states, destruction reasons, hold grounds, facts for the policy,
and the inputs of the storage use cases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

GENESIS = "0" * 64


class SegmentState(StrEnum):
    ACTIVE = "active"
    DELETING = "deleting"  # phase 1 of a destruction done; never served again


class DestructionReason(StrEnum):
    RETENTION_EXPIRY = "retention_expiry"
    CAPACITY = "capacity"
    HOLD_RELEASE = "hold_release"


class HoldGround(StrEnum):
    FLAGRANT_OFFENCE = "flagrant_offence"  # enquête de flagrance
    PRELIMINARY_INVESTIGATION = "preliminary_investigation"  # enquête préliminaire
    JUDICIAL_INVESTIGATION = "judicial_investigation"  # information judiciaire


class Sweep(StrEnum):
    TIME = "time"
    CAPACITY = "capacity"


@dataclass(frozen=True, slots=True)
class Span:
    """A half-open time range [start, end)."""

    start: datetime
    end: datetime

    def overlaps(self, other: Span) -> bool:
        return self.start < other.end and other.start < self.end


@dataclass(frozen=True, slots=True)
class RetentionTerms:
    """A camera's retention and its authorisation's bounds, in days."""

    retention_days: int
    minimum_days: int | None
    maximum_days: int


@dataclass(frozen=True, slots=True)
class Decision:
    deletable: bool
    reason: DestructionReason | None
    why: str


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class HoldItemInput(_Input):
    camera_id: int
    start: AwareDatetime
    end: AwareDatetime

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.end <= self.start:
            msg = "end must be after start"
            raise ValueError(msg)
        return self


class HoldInput(_Input):
    """A legal hold (gel) placed for a judicial procedure."""

    ground: HoldGround
    procedure_number: str = Field(min_length=1, max_length=100, examples=["PV 2026/004512"])
    authority: str = Field(min_length=1, max_length=200, examples=["OPJ Martin, commissariat"])
    reason: str = Field(min_length=1, max_length=2000)
    until: date | None = Field(
        default=None, description="review date; the hold stays until released"
    )
    items: list[HoldItemInput] = Field(min_length=1, max_length=500)
