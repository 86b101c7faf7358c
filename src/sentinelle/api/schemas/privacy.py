"""Privacy mask shapes: a camera's masks as they stand, its versions and latches."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from sentinelle.privacy.models import (
    CameraMasks,
    Enforcement,
    Latch,
    MaskFill,
    MaskMode,
    MaskVersion,
    Polygon,
)


class PolygonOut(BaseModel):
    name: str
    points: list[tuple[float, float]] = Field(description="normalised (x, y), origin top-left")
    ptz_preset: str | None
    fill: MaskFill

    @classmethod
    def of(cls, p: Polygon) -> PolygonOut:
        return cls(name=p.name, points=list(p.points), ptz_preset=p.ptz_preset, fill=p.fill)


class MaskVersionOut(BaseModel):
    """One version; version 0 (never stored) is a camera whose masks were never set."""

    version: int
    polygons: list[PolygonOut]
    mode: MaskMode
    created_by: str
    created_at: datetime | None
    reason: str
    effective_from: datetime | None
    digest: str

    @classmethod
    def of(cls, v: MaskVersion) -> MaskVersionOut:
        return cls(
            version=v.version,
            polygons=[PolygonOut.of(p) for p in v.polygons],
            mode=v.mode,
            created_by=v.created_by,
            created_at=v.created_at,
            reason=v.reason,
            effective_from=v.effective_from,
            digest=v.digest,
        )


class LatchOut(BaseModel):
    """Server mode forced by a failed mask audit; open while `confirmed_at` is null."""

    id: int
    forced_at: datetime
    forced_by: str
    reason: str
    confirmed_at: datetime | None
    confirmed_by: str | None
    confirm_reason: str | None

    @classmethod
    def of(cls, latch: Latch) -> LatchOut:
        return cls(
            id=latch.id,
            forced_at=latch.forced_at,
            forced_by=latch.forced_by,
            reason=latch.reason,
            confirmed_at=latch.confirmed_at,
            confirmed_by=latch.confirmed_by,
            confirm_reason=latch.confirm_reason,
        )


class MaskProblemOut(BaseModel):
    code: str
    message: str


class CameraMasksOut(BaseModel):
    """A camera's masks now: the chosen mode is `current.mode`; `effective_mode` is server
    while a failed audit holds it (`latch`); `enforcement` is what the pipeline does."""

    camera_id: int
    camera_kind: str
    current: MaskVersionOut
    effective_mode: MaskMode
    enforcement: Enforcement
    latch: LatchOut | None
    problems: list[MaskProblemOut]

    @classmethod
    def of(cls, m: CameraMasks) -> CameraMasksOut:
        return cls(
            camera_id=m.camera_id,
            camera_kind=m.camera_kind,
            current=MaskVersionOut.of(m.current),
            effective_mode=m.effective_mode,
            enforcement=m.enforcement,
            latch=None if m.latch is None else LatchOut.of(m.latch),
            problems=[MaskProblemOut(code=p.code, message=p.message) for p in m.problems],
        )


class MaskHistoryOut(BaseModel):
    """Every version and every latch of a camera, newest first."""

    versions: list[MaskVersionOut]
    latches: list[LatchOut]
