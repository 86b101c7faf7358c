"""Disclosure shapes: the anonymised copies of exported files and their analysis."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from sentinelle.disclosure.tables import DisclosureRow
from sentinelle.privacy.anonymise.models import Analysis, Track


class DisclosureOut(BaseModel):
    id: int
    reference: str
    export_id: int
    camera_id: int
    camera_code: str
    source_file: str
    source_sha256: str
    purpose: str
    recipient: str
    reason: str
    status: str = Field(examples=["review"])
    progress: float = Field(description="share of the current job done, 0 to 1")
    requested_by: str
    created_at: datetime
    analysed_at: datetime | None
    frames: int
    fps: float
    width: int
    height: int
    tracks: int = Field(description="people and faces the detectors followed")
    plan: dict[str, Any] | None = Field(
        description="the saved plan (effect, keep, dismissed, manual)"
    )
    plan_version: int = Field(description="give it back when saving the plan (409 if outdated)")
    plan_saved_by: str
    plan_saved_at: datetime | None
    rendered_by: str
    finished_at: datetime | None
    error_code: str
    error_message: str
    output_sha256: str
    log_sha256: str
    bytes: int

    @classmethod
    def of(cls, row: DisclosureRow) -> DisclosureOut:
        return cls(
            id=row.id,
            reference=row.reference,
            export_id=row.export_id,
            camera_id=row.camera_id,
            camera_code=row.camera_code,
            source_file=row.source_file,
            source_sha256=row.source_sha256,
            purpose=row.purpose,
            recipient=row.recipient,
            reason=row.reason,
            status=row.status,
            progress=row.progress,
            requested_by=row.requested_by_name,
            created_at=row.created_at,
            analysed_at=row.analysed_at,
            frames=row.frames,
            fps=row.fps,
            width=row.width,
            height=row.height,
            tracks=row.tracks,
            plan=row.plan,
            plan_version=row.plan_version,
            plan_saved_by=row.plan_saved_by,
            plan_saved_at=row.plan_saved_at,
            rendered_by=row.render_requested_by_name,
            finished_at=row.finished_at,
            error_code=row.error_code,
            error_message=row.error_message,
            output_sha256=row.output_sha256,
            log_sha256=row.log_sha256,
            bytes=row.bytes,
        )


class TrackOut(BaseModel):
    id: int
    kind: str = Field(examples=["person"])
    parent: int | None = Field(description="the person track a face lies in")
    score: float
    first_frame: int
    last_frame: int
    boxes: list[list[float]] = Field(
        description="[frame, x, y, width, height, detected (1) or interpolated (0)], normalised"
    )

    @classmethod
    def of(cls, track: Track) -> TrackOut:
        return cls(
            id=track.id,
            kind=str(track.kind),
            parent=track.parent,
            score=round(track.score, 3),
            first_frame=track.first_frame,
            last_frame=track.last_frame,
            boxes=[[b.frame, *b.box.as_list(), 1.0 if b.detected else 0.0] for b in track.boxes],
        )


class AnalysisOut(BaseModel):
    frames: int
    fps: float
    width: int
    height: int
    detector: dict[str, Any]
    tracks: list[TrackOut]

    @classmethod
    def of(cls, analysis: Analysis) -> AnalysisOut:
        facts = analysis.facts
        return cls(
            frames=facts.frames,
            fps=facts.fps,
            width=facts.width,
            height=facts.height,
            detector=analysis.detector,
            tracks=[TrackOut.of(t) for t in analysis.tracks],
        )


class ExportVideoOut(BaseModel):
    """One video of a finished export, as its manifest lists it."""

    file: str
    camera_id: int
    camera_code: str
    covered_from: datetime
    covered_to: datetime
    duration_seconds: float
    frames: int
    width: int
    height: int
    sha256: str
