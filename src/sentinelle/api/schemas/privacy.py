"""Privacy mask shapes: a camera's masks as they stand, its versions and latches."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from sentinelle.privacy.audit import Verdict
from sentinelle.privacy.audit_service import AuditRecord, AuditTrigger, MaskFlag
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


# --- the mask audit --------------------------------------------------------------------------


class MaskAuditOut(BaseModel):
    """One audit of the camera's own masks on one decoded frame: `details` holds the verdict
    and the measures of each polygon (std, chroma_std, flat_share, detail, pixels) and of the
    rest of the picture (`reference`)."""

    id: int
    at: datetime = Field(description="the instant of the audited frame")
    trigger: AuditTrigger
    verdict: Verdict
    mask_version: int
    stream: str = Field(description="the stream audited: main, or sub (what the wall shows)")
    details: dict[str, Any]

    @classmethod
    def of(cls, a: AuditRecord) -> MaskAuditOut:
        return cls(
            id=a.id,
            at=a.at,
            trigger=a.trigger,
            verdict=a.verdict,
            mask_version=a.mask_version,
            stream=a.stream,
            details=a.details,
        )


class MaskFlagOut(BaseModel):
    """Footage recorded while the camera's own mask may have failed; `to_at` null: until the
    server masking started (not noted yet)."""

    id: int
    from_at: datetime
    to_at: datetime | None
    reason: str
    audit_id: int

    @classmethod
    def of(cls, flag: MaskFlag) -> MaskFlagOut:
        return cls(
            id=flag.id,
            from_at=flag.from_at,
            to_at=flag.to_at,
            reason=flag.reason,
            audit_id=flag.audit_id,
        )


class MaskAuditsOut(BaseModel):
    """A camera's audits and flagged periods, newest first."""

    audits: list[MaskAuditOut]
    flags: list[MaskFlagOut]


class MaskAuditRequestOut(BaseModel):
    """An audit asked for: the worker recording the camera runs it at its next refresh (within
    about ten seconds) and it appears in the history."""

    camera_id: int
    requested_at: datetime
