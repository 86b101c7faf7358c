"""Evidence tables: export jobs and the export journal (rule 5, invariant E8)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from sentinelle.db.base import Base


class ExportRow(Base):
    """One export job: what was asked, by whom, its progress and where its package is."""

    __tablename__ = "exports"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(sa.String(40), unique=True)
    status: Mapped[str] = mapped_column(sa.String(16), index=True)
    requested_by_kind: Mapped[str] = mapped_column(sa.String(16))
    requested_by_name: Mapped[str] = mapped_column(sa.String(200))
    requested_by_id: Mapped[int | None]
    reason: Mapped[str] = mapped_column(sa.String(2000))
    requisition: Mapped[str] = mapped_column(sa.String(100))
    officer: Mapped[str] = mapped_column(sa.String(200))
    camera_ids: Mapped[list[int]] = mapped_column(sa.JSON)
    range_from: Mapped[datetime]
    range_to: Mapped[datetime]
    created_at: Mapped[datetime]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    progress: Mapped[float] = mapped_column(default=0.0)
    cancel_requested: Mapped[bool] = mapped_column(default=False)
    error_code: Mapped[str] = mapped_column(sa.String(64), default="")
    error_message: Mapped[str] = mapped_column(sa.String(2000), default="")
    out_dir: Mapped[str] = mapped_column(sa.String(1000))
    package_path: Mapped[str] = mapped_column(sa.String(1000), default="")
    zip_path: Mapped[str] = mapped_column(sa.String(1000), default="")
    manifest_sha256: Mapped[str] = mapped_column(sa.String(64), default="")
    bytes: Mapped[int] = mapped_column(sa.BigInteger, default=0)


class ExportLineRow(Base):
    """One line of the export journal: one camera's images delivered by one export."""

    __tablename__ = "export_lines"
    __table_args__ = (sa.Index("ix_export_lines_exported_at", "exported_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    export_id: Mapped[int] = mapped_column(sa.ForeignKey("exports.id"), index=True)
    reference: Mapped[str] = mapped_column(sa.String(40))
    camera_id: Mapped[int] = mapped_column(sa.ForeignKey("cameras.id"))
    camera_code: Mapped[str] = mapped_column(sa.String(32))
    images_from: Mapped[datetime]
    images_to: Mapped[datetime]
    duration_seconds: Mapped[float]
    exported_at: Mapped[datetime]
    exporter_kind: Mapped[str] = mapped_column(sa.String(16))
    exporter_name: Mapped[str] = mapped_column(sa.String(200))
    exporter_id: Mapped[int | None]
    requisition: Mapped[str] = mapped_column(sa.String(100))
    officer: Mapped[str] = mapped_column(sa.String(200))
    file_sha256: Mapped[str] = mapped_column(sa.String(64))
