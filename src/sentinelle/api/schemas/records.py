"""Legal hold and destruction register shapes (administration: conservation and registers)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from sentinelle.storage.models import DestructionReason, HoldGround, HoldInput, HoldItemInput
from sentinelle.storage.tables import DestructionRow, HoldItemRow, LegalHoldRow


class HoldIn(BaseModel):
    """A hold on one period of one or more cameras, for one procedure."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    camera_ids: list[int] = Field(min_length=1, max_length=500)
    start: AwareDatetime
    end: AwareDatetime
    ground: HoldGround
    procedure_number: str = Field(min_length=1, max_length=100, examples=["PV 2026/004512"])
    authority: str = Field(min_length=1, max_length=200, examples=["OPJ Martin, commissariat"])
    reason: str = Field(min_length=1, max_length=2000)
    until: date | None = Field(default=None, description="review date; held until released")

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.end <= self.start:
            msg = "end must be after start"
            raise ValueError(msg)
        return self

    def as_input(self) -> HoldInput:
        items = [
            HoldItemInput(camera_id=c, start=self.start, end=self.end)
            for c in sorted(set(self.camera_ids))
        ]
        return HoldInput(
            ground=self.ground,
            procedure_number=self.procedure_number,
            authority=self.authority,
            reason=self.reason,
            until=self.until,
            items=items,
        )


class ReleaseIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: str = Field(min_length=1, max_length=2000)


class HoldItemOut(BaseModel):
    camera_id: int
    camera_code: str
    start: datetime
    end: datetime


class HoldOut(BaseModel):
    id: int
    ground: HoldGround
    procedure_number: str
    authority: str
    reason: str
    until: date | None
    placed_by: str
    placed_at: datetime
    released_at: datetime | None
    released_by: str | None
    release_reason: str
    items: list[HoldItemOut]

    @classmethod
    def of(cls, row: LegalHoldRow, codes: dict[int, str]) -> HoldOut:
        def item(i: HoldItemRow) -> HoldItemOut:
            code = codes.get(i.camera_id, str(i.camera_id))
            return HoldItemOut(
                camera_id=i.camera_id, camera_code=code, start=i.start_at, end=i.end_at
            )

        return cls(
            id=row.id,
            ground=HoldGround(row.ground),
            procedure_number=row.procedure_number,
            authority=row.authority,
            reason=row.reason,
            until=row.until,
            placed_by=row.placed_by,
            placed_at=row.placed_at,
            released_at=row.released_at,
            released_by=row.released_by,
            release_reason=row.release_reason,
            items=[item(i) for i in sorted(row.items, key=lambda i: (i.camera_id, i.start_at))],
        )


class DestructionOut(BaseModel):
    """One register line: a run of a camera's chain destroyed in one sweep."""

    id: int
    camera_id: int
    camera_code: str
    start_at: datetime
    end_at: datetime
    segments: int
    bytes: int
    reason: DestructionReason
    destroyed_at: datetime
    first_seq: int
    last_seq: int
    last_hash: str
    completed: bool

    @classmethod
    def of(cls, row: DestructionRow) -> DestructionOut:
        return cls(
            id=row.id,
            camera_id=row.camera_id,
            camera_code=row.camera_code,
            start_at=row.start_at,
            end_at=row.end_at,
            segments=row.segments,
            bytes=row.bytes,
            reason=DestructionReason(row.reason),
            destroyed_at=row.destroyed_at,
            first_seq=row.first_seq,
            last_seq=row.last_seq,
            last_hash=row.last_hash,
            completed=row.completed,
        )
