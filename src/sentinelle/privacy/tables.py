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


# --- the mask audit (see `privacy.audit`, `privacy.audit_service`) --------------------------


class MaskAuditRow(Base):
    """One audit of a camera's own masks: when, why it ran, which of its streams it sampled
    (`main`, recorded and shown; or `sub`, the live-only sub-stream), its verdict, each
    polygon's measures (`details`) and the mask version it checked. Kept over time, passing
    ones too (the availability rate of the masks)."""

    __tablename__ = "mask_audits"
    __table_args__ = (sa.Index("ix_mask_audits_camera_at", "camera_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    camera_id: Mapped[int] = mapped_column(sa.ForeignKey("cameras.id"))
    at: Mapped[datetime]  # the instant of the audited frame
    trigger: Mapped[str] = mapped_column(sa.String(16))
    verdict: Mapped[str] = mapped_column(sa.String(16))
    details: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    mask_version: Mapped[int]
    stream: Mapped[str] = mapped_column(sa.String(8), server_default="main")  # migration 0013


class MaskFlagRow(Base):
    """Footage of a camera recorded while its own masks may have failed: from the last
    passing audit (or the failing frame) to the switch to server masking. `to_at` is null
    until the worker has restarted the camera with the burn-in."""

    __tablename__ = "mask_flags"

    id: Mapped[int] = mapped_column(primary_key=True)
    camera_id: Mapped[int] = mapped_column(sa.ForeignKey("cameras.id"), index=True)
    from_at: Mapped[datetime]
    to_at: Mapped[datetime | None]
    reason: Mapped[str] = mapped_column(sa.Text)
    audit_id: Mapped[int] = mapped_column(sa.ForeignKey("mask_audits.id"))


class MaskAuditRequestRow(Base):
    """An audit asked for by an administrator (the API): the worker recording the camera runs
    it at its next refresh and sets `taken_at`."""

    __tablename__ = "mask_audit_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    camera_id: Mapped[int] = mapped_column(sa.ForeignKey("cameras.id"), index=True)
    requested_at: Mapped[datetime]
    requested_by: Mapped[str] = mapped_column(sa.String(200))
    taken_at: Mapped[datetime | None]
