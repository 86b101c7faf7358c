"""Privacy mask tables: the versions of each camera's masks, and the latches that failed
audits put on cameras (server mode forced until an administrator confirms the fix).

Rows of both tables are only ever added, or (a latch) closed once: a version is never edited,
so the masks in force at any past instant stay known (P3)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from sentinelle.db.base import Base


class MaskSetRow(Base):
    """One version of a camera's masks: the full polygon set and the chosen mode.

    The current version is the highest; `effective_from` is when it began to govern the video
    (the pipeline switches at the first keyframe at or after it). `digest` is the SHA-256 of
    the canonical polygons JSON, also written to the journal entry of the change."""

    __tablename__ = "mask_sets"
    __table_args__ = (sa.UniqueConstraint("camera_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    camera_id: Mapped[int] = mapped_column(sa.ForeignKey("cameras.id"), index=True)
    version: Mapped[int]
    polygons: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON)
    mode: Mapped[str] = mapped_column(sa.String(16))
    digest: Mapped[str] = mapped_column(sa.String(64))
    created_by: Mapped[str] = mapped_column(sa.String(200))
    created_by_id: Mapped[int | None]  # the user, when a user made the change
    created_at: Mapped[datetime]
    reason: Mapped[str] = mapped_column(sa.Text)
    effective_from: Mapped[datetime]


class MaskLatchRow(Base):
    """Server mode forced on a camera by a failed mask audit; open while `confirmed_at` is
    null. At most one open latch per camera (the services keep it so)."""

    __tablename__ = "mask_latches"

    id: Mapped[int] = mapped_column(primary_key=True)
    camera_id: Mapped[int] = mapped_column(sa.ForeignKey("cameras.id"), index=True)
    forced_at: Mapped[datetime]
    forced_by: Mapped[str] = mapped_column(sa.String(200))
    reason: Mapped[str] = mapped_column(sa.Text)
    details: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    confirmed_at: Mapped[datetime | None]
    confirmed_by: Mapped[str | None] = mapped_column(sa.String(200))
    confirm_reason: Mapped[str | None] = mapped_column(sa.Text)
