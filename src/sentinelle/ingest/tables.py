"""Ingest tables: the persisted camera health events."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from sentinelle.db.base import Base


class CameraEventRow(Base):
    """One camera health event (see `ingest.events`)."""

    __tablename__ = "camera_events"
    __table_args__ = (sa.Index("ix_camera_events_camera_at", "camera_id", "at"),)

    id: Mapped[int] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True
    )
    camera_id: Mapped[int] = mapped_column(sa.ForeignKey("cameras.id"))
    kind: Mapped[str] = mapped_column(sa.String(32))
    reason: Mapped[str | None] = mapped_column(sa.String(32))
    at: Mapped[datetime]
    detail: Mapped[str] = mapped_column(sa.String(500))
