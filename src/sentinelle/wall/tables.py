"""Wall layout table."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from sentinelle.db.base import Base


class LayoutRow(Base):
    """One saved layout of one user; `tiles` holds a camera id or null per tile."""

    __tablename__ = "wall_layouts"
    __table_args__ = (sa.UniqueConstraint("owner_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    grid: Mapped[int] = mapped_column(sa.Integer)
    tiles: Mapped[list[int | None]] = mapped_column(sa.JSON)
    shared: Mapped[bool] = mapped_column(default=False, index=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
