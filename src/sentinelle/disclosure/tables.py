"""Disclosure table: one row per anonymised copy of an exported file (its request, its
analysis, the agent's plan, its package)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from sentinelle.db.base import Base


class DisclosureRow(Base):
    __tablename__ = "disclosures"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(sa.String(40), unique=True)
    export_id: Mapped[int] = mapped_column(sa.ForeignKey("exports.id"), index=True)
    camera_id: Mapped[int] = mapped_column(sa.ForeignKey("cameras.id"))
    camera_code: Mapped[str] = mapped_column(sa.String(32))
    source_file: Mapped[str] = mapped_column(sa.String(500))
    source_sha256: Mapped[str] = mapped_column(sa.String(64))
    purpose: Mapped[str] = mapped_column(sa.String(32))
    recipient: Mapped[str] = mapped_column(sa.String(300))
    reason: Mapped[str] = mapped_column(sa.String(2000))
    status: Mapped[str] = mapped_column(sa.String(16), index=True)
    progress: Mapped[float] = mapped_column(default=0.0)
    requested_by_kind: Mapped[str] = mapped_column(sa.String(16))
    requested_by_name: Mapped[str] = mapped_column(sa.String(200))
    requested_by_id: Mapped[int | None]
    created_at: Mapped[datetime]
    analysed_at: Mapped[datetime | None]
    frames: Mapped[int] = mapped_column(default=0)
    fps: Mapped[float] = mapped_column(default=0.0)
    width: Mapped[int] = mapped_column(default=0)
    height: Mapped[int] = mapped_column(default=0)
    tracks: Mapped[int] = mapped_column(default=0)
    plan: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    plan_version: Mapped[int] = mapped_column(default=0)
    plan_saved_by: Mapped[str] = mapped_column(sa.String(200), default="")
    plan_saved_at: Mapped[datetime | None]
    render_requested_by_kind: Mapped[str] = mapped_column(sa.String(16), default="")
    render_requested_by_name: Mapped[str] = mapped_column(sa.String(200), default="")
    render_requested_by_id: Mapped[int | None]
    viewers: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    cancel_requested: Mapped[bool] = mapped_column(default=False)
    finished_at: Mapped[datetime | None]
    error_code: Mapped[str] = mapped_column(sa.String(64), default="")
    error_message: Mapped[str] = mapped_column(sa.String(2000), default="")
    work_dir: Mapped[str] = mapped_column(sa.String(1000))
    package_path: Mapped[str] = mapped_column(sa.String(1000), default="")
    output_sha256: Mapped[str] = mapped_column(sa.String(64), default="")
    log_sha256: Mapped[str] = mapped_column(sa.String(64), default="")
    bytes: Mapped[int] = mapped_column(sa.BigInteger, default=0)
