"""Storage tables: segments, per-camera chain heads, the destruction register, legal holds."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sentinelle.db.base import Base


class SegmentRow(Base):
    """One finished segment file of one camera (invariants S1–S5)."""

    __tablename__ = "segments"
    __table_args__ = (
        sa.UniqueConstraint("camera_id", "chain_seq"),
        # covers the timeline and playlist queries (no table lookup for 43,200 rows a month)
        sa.Index("ix_segments_camera_span", "camera_id", "start_at", "end_at", "state"),
    )

    id: Mapped[int] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True
    )
    camera_id: Mapped[int] = mapped_column(sa.ForeignKey("cameras.id"))
    start_at: Mapped[datetime]
    end_at: Mapped[datetime] = mapped_column(index=True)
    path: Mapped[str] = mapped_column(sa.String(300), unique=True)
    bytes: Mapped[int] = mapped_column(sa.BigInteger)
    codec: Mapped[str] = mapped_column(sa.String(32))
    width: Mapped[int]
    height: Mapped[int]
    fps: Mapped[float]
    keyframes_ms: Mapped[list[int]] = mapped_column(sa.JSON)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    chain_seq: Mapped[int] = mapped_column(sa.BigInteger)
    chain_hash: Mapped[str] = mapped_column(sa.String(64))
    state: Mapped[str] = mapped_column(sa.String(16), index=True)
    recovered: Mapped[bool] = mapped_column(default=False)
    # The privacy mask version burnt into this segment's pixels (server mode), else None.
    mask_version: Mapped[int | None] = mapped_column(nullable=True)
    mask_digest: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    created_at: Mapped[datetime]


class CameraChainRow(Base):
    """Head of a camera's segment chain (locked by every catalogued segment of that camera)."""

    __tablename__ = "camera_chains"

    camera_id: Mapped[int] = mapped_column(sa.ForeignKey("cameras.id"), primary_key=True)
    last_seq: Mapped[int] = mapped_column(sa.BigInteger)
    last_hash: Mapped[str] = mapped_column(sa.String(64))


class DestructionRow(Base):
    """One register line: a contiguous run of one camera's segments destroyed together."""

    __tablename__ = "destructions"

    id: Mapped[int] = mapped_column(primary_key=True)
    camera_id: Mapped[int] = mapped_column(sa.ForeignKey("cameras.id"), index=True)
    camera_code: Mapped[str] = mapped_column(sa.String(32))
    start_at: Mapped[datetime]
    end_at: Mapped[datetime]
    segments: Mapped[int]
    bytes: Mapped[int] = mapped_column(sa.BigInteger)
    reason: Mapped[str] = mapped_column(sa.String(32))
    destroyed_at: Mapped[datetime] = mapped_column(index=True)
    first_seq: Mapped[int] = mapped_column(sa.BigInteger)
    last_seq: Mapped[int] = mapped_column(sa.BigInteger)
    last_hash: Mapped[str] = mapped_column(sa.String(64))
    completed: Mapped[bool] = mapped_column(default=False)


class LegalHoldRow(Base):
    """A legal hold (gel) for a judicial procedure: its footage is never destroyed."""

    __tablename__ = "legal_holds"

    id: Mapped[int] = mapped_column(primary_key=True)
    ground: Mapped[str] = mapped_column(sa.String(40))
    procedure_number: Mapped[str] = mapped_column(sa.String(100), index=True)
    authority: Mapped[str] = mapped_column(sa.String(200))
    reason: Mapped[str] = mapped_column(sa.Text)
    until: Mapped[date | None]
    placed_by: Mapped[str] = mapped_column(sa.String(128))
    placed_at: Mapped[datetime]
    released_at: Mapped[datetime | None]
    released_by: Mapped[str | None] = mapped_column(sa.String(128))
    release_reason: Mapped[str] = mapped_column(sa.Text, default="")

    items: Mapped[list[HoldItemRow]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="HoldItemRow.id"
    )


class HoldItemRow(Base):
    """One camera and time range under a hold."""

    __tablename__ = "hold_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    hold_id: Mapped[int] = mapped_column(sa.ForeignKey("legal_holds.id"), index=True)
    camera_id: Mapped[int] = mapped_column(sa.ForeignKey("cameras.id"), index=True)
    start_at: Mapped[datetime]
    end_at: Mapped[datetime]


class ReadHoldRow(Base):
    """Footage being read by a job (an export, E7): not destroyed until the job lets go.

    Unlike a legal hold it has no legal ground and leaves no trace in the register; it lives
    only as long as the job that placed it (a crashed job's holds are dropped at restart)."""

    __tablename__ = "read_holds"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner: Mapped[str] = mapped_column(sa.String(64), index=True)
    camera_id: Mapped[int] = mapped_column(sa.ForeignKey("cameras.id"), index=True)
    start_at: Mapped[datetime]
    end_at: Mapped[datetime]
    placed_at: Mapped[datetime]
