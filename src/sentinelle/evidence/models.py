"""Evidence vocabulary: export states, the export request and what a finished camera item
states about itself."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

MANIFEST_SCHEMA = "sentinelle.export/1"
MAX_EXPORT_PERIOD = timedelta(hours=24)
MAX_EXPORT_CAMERAS = 16


class ExportStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


FINISHED = frozenset({ExportStatus.DONE, ExportStatus.FAILED, ExportStatus.CANCELLED})


class ExportRequest(BaseModel):
    """What a requisition agent asks for: cameras, period, and why (rule 5)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    camera_ids: list[int] = Field(min_length=1, max_length=MAX_EXPORT_CAMERAS)
    range_from: AwareDatetime = Field(alias="from")
    range_to: AwareDatetime = Field(alias="to")
    reason: str = Field(min_length=1, max_length=2000)
    requisition: str = Field(default="", max_length=100, examples=["PV 2026/004512"])
    officer: str = Field(default="", max_length=200, examples=["OPJ Martin, commissariat"])

    @model_validator(mode="after")
    def _checked(self) -> Self:
        if self.range_to <= self.range_from:
            msg = "the period's end must be after its start"
            raise ValueError(msg)
        if self.range_to - self.range_from > MAX_EXPORT_PERIOD:
            msg = f"an export covers at most {MAX_EXPORT_PERIOD.total_seconds() / 3600:.0f} hours"
            raise ValueError(msg)
        if len(set(self.camera_ids)) != len(self.camera_ids):
            msg = "a camera is listed twice"
            raise ValueError(msg)
        return self


@dataclass(frozen=True, slots=True)
class Period:
    """A half-open UTC range [start, end)."""

    start: datetime
    end: datetime

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()
