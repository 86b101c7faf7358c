"""Registry tables: authorisations, zones, cameras, camera groups and their members."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sentinelle.db.base import Base


class AuthorisationRow(Base):
    """A prefectoral authorisation (arrêté): the legal ground every camera stands on."""

    __tablename__ = "authorisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(sa.String(100), unique=True)
    prefecture: Mapped[str] = mapped_column(sa.String(200))
    issued_on: Mapped[date]
    expires_on: Mapped[date]
    purposes: Mapped[list[str]] = mapped_column(sa.JSON)
    retention_max_days: Mapped[int]
    retention_min_days: Mapped[int | None]
    recipients: Mapped[list[str]] = mapped_column(sa.JSON)
    camera_limit: Mapped[int | None]
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    expiry_recorded: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]

    zones: Mapped[list[ZoneRow]] = relationship(back_populates="authorisation", lazy="selectin")


class ZoneRow(Base):
    """A perimeter declared to the prefecture under one authorisation."""

    __tablename__ = "zones"
    __table_args__ = (sa.UniqueConstraint("authorisation_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    authorisation_id: Mapped[int] = mapped_column(sa.ForeignKey("authorisations.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    # GeoJSON Polygon (WGS 84 longitude, latitude) drawn on the map; None until drawn.
    perimeter: Mapped[dict[str, object] | None] = mapped_column(sa.JSON, nullable=True)
    created_at: Mapped[datetime]

    authorisation: Mapped[AuthorisationRow] = relationship(back_populates="zones", lazy="joined")


class CameraRow(Base):
    """A camera: what it is, where it looks, how to reach it, how long its footage is kept."""

    __tablename__ = "cameras"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    zone_id: Mapped[int] = mapped_column(sa.ForeignKey("zones.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    placement: Mapped[str] = mapped_column(sa.String(32))
    site_category: Mapped[str] = mapped_column(sa.String(32))
    field_of_view: Mapped[str] = mapped_column(sa.String(16))
    fast_flows: Mapped[bool] = mapped_column(default=False)
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    azimuth_deg: Mapped[float | None]  # the map's field-of-view sector
    view_angle_deg: Mapped[float | None]
    view_range_m: Mapped[float | None]
    address: Mapped[str] = mapped_column(sa.String(300), default="")
    main_url_redacted: Mapped[str] = mapped_column(sa.String(500))
    main_url_sealed: Mapped[str] = mapped_column(sa.Text)
    sub_url_redacted: Mapped[str | None] = mapped_column(sa.String(500))
    sub_url_sealed: Mapped[str | None] = mapped_column(sa.Text)
    retention_days: Mapped[int]
    commissioned_on: Mapped[date | None]
    status: Mapped[str] = mapped_column(sa.String(32), index=True)
    status_changed_at: Mapped[datetime]
    created_at: Mapped[datetime]

    zone: Mapped[ZoneRow] = relationship(lazy="joined")
    memberships: Mapped[list[CameraGroupMemberRow]] = relationship(
        back_populates="camera", lazy="selectin"
    )

    @property
    def group_ids(self) -> frozenset[int]:
        return frozenset(m.group_id for m in self.memberships)


class CameraGroupRow(Base):
    """A named set of cameras: the unit of scope for habilitations (e.g. 'Centre-ville')."""

    __tablename__ = "camera_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    description: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime]

    members: Mapped[list[CameraGroupMemberRow]] = relationship(
        back_populates="group", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def camera_ids(self) -> list[int]:
        return sorted(m.camera_id for m in self.members)


class CameraGroupMemberRow(Base):
    __tablename__ = "camera_group_members"

    group_id: Mapped[int] = mapped_column(
        sa.ForeignKey("camera_groups.id", ondelete="CASCADE"), primary_key=True
    )
    camera_id: Mapped[int] = mapped_column(sa.ForeignKey("cameras.id"), primary_key=True)

    group: Mapped[CameraGroupRow] = relationship(back_populates="members")
    camera: Mapped[CameraRow] = relationship(back_populates="memberships")
