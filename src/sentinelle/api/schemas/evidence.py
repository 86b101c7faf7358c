"""Export shapes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from sentinelle.evidence.tables import ExportLineRow, ExportRow


class ExportOut(BaseModel):
    id: int
    reference: str
    status: str = Field(examples=["running"])
    progress: float = Field(description="share of the source footage read, 0 to 1")
    camera_ids: list[int]
    range_from: datetime
    range_to: datetime
    reason: str
    requisition: str
    officer: str
    requested_by: str
    created_at: datetime
    finished_at: datetime | None
    error_code: str
    error_message: str
    manifest_sha256: str
    bytes: int

    @classmethod
    def of(cls, row: ExportRow) -> ExportOut:
        return cls(
            id=row.id,
            reference=row.reference,
            status=row.status,
            progress=row.progress,
            camera_ids=row.camera_ids,
            range_from=row.range_from,
            range_to=row.range_to,
            reason=row.reason,
            requisition=row.requisition,
            officer=row.officer,
            requested_by=row.requested_by_name,
            created_at=row.created_at,
            finished_at=row.finished_at,
            error_code=row.error_code,
            error_message=row.error_message,
            manifest_sha256=row.manifest_sha256,
            bytes=row.bytes,
        )


class ProblemOut(BaseModel):
    path: str
    code: str
    message: str


class VerificationOut(BaseModel):
    ok: bool
    files_checked: int
    videos_checked: int
    certificate_fingerprint: str
    problems: list[ProblemOut]


class ExportLineOut(BaseModel):
    """One line of the export journal (rule 5)."""

    reference: str
    camera_id: int
    camera_code: str
    images_from: datetime
    images_to: datetime
    duration_seconds: float
    exported_at: datetime
    exporter: str
    requisition: str
    officer: str
    file_sha256: str

    @classmethod
    def of(cls, line: ExportLineRow) -> ExportLineOut:
        return cls(
            reference=line.reference,
            camera_id=line.camera_id,
            camera_code=line.camera_code,
            images_from=line.images_from,
            images_to=line.images_to,
            duration_seconds=line.duration_seconds,
            exported_at=line.exported_at,
            exporter=line.exporter_name,
            requisition=line.requisition,
            officer=line.officer,
            file_sha256=line.file_sha256,
        )
