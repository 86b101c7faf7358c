"""Registry response shapes (request bodies are the registry's own input models)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from sentinelle.registry import policy
from sentinelle.registry.models import (
    AuthorisationStatus,
    CameraStatus,
    FieldOfView,
)
from sentinelle.registry.perimeter import Perimeter
from sentinelle.registry.service import is_lawful, status_of
from sentinelle.registry.tables import AuthorisationRow, CameraGroupRow, CameraRow, ZoneRow


class AuthorisationOut(BaseModel):
    id: int
    reference: str
    prefecture: str
    issued_on: date
    expires_on: date
    status: AuthorisationStatus
    renewal_file_due_on: date
    purposes: list[str]
    retention_max_days: int
    retention_min_days: int | None
    recipients: list[str]
    camera_limit: int | None
    notes: str
    zone_ids: list[int]

    @classmethod
    def of(cls, row: AuthorisationRow, today: date) -> AuthorisationOut:
        return cls(
            id=row.id,
            reference=row.reference,
            prefecture=row.prefecture,
            issued_on=row.issued_on,
            expires_on=row.expires_on,
            status=status_of(row, today),
            renewal_file_due_on=policy.add_months(row.expires_on, -policy.RENEWAL_NOTICE_MONTHS),
            purposes=row.purposes,
            retention_max_days=row.retention_max_days,
            retention_min_days=row.retention_min_days,
            recipients=row.recipients,
            camera_limit=row.camera_limit,
            notes=row.notes,
            zone_ids=[z.id for z in row.zones],
        )


class ZoneOut(BaseModel):
    id: int
    authorisation_id: int
    authorisation_reference: str
    name: str
    description: str
    perimeter: Perimeter | None = Field(
        description="the zone's outline on the map (GeoJSON Polygon, WGS 84), if drawn"
    )

    @classmethod
    def of(cls, row: ZoneRow) -> ZoneOut:
        return cls(
            id=row.id,
            authorisation_id=row.authorisation_id,
            authorisation_reference=row.authorisation.reference,
            name=row.name,
            description=row.description,
            perimeter=Perimeter.model_validate(row.perimeter) if row.perimeter else None,
        )


class LegalMinimumsOut(BaseModel):
    """Arrêté of 3 August 2007: minimum stored resolution and real frame rate."""

    width: int
    height: int
    fps: int


class CameraOut(BaseModel):
    id: int
    code: str
    name: str
    zone_id: int
    authorisation_id: int
    authorisation_status: AuthorisationStatus
    lawful: bool = Field(description="in service under a valid authorisation (rule 1)")
    kind: str
    placement: str
    site_category: str
    field_of_view: str
    fast_flows: bool
    legal_minimums: LegalMinimumsOut
    latitude: float | None
    longitude: float | None
    azimuth_deg: float | None
    view_angle_deg: float | None
    view_range_m: float | None
    address: str
    main_stream_url: str | None = Field(
        description="credentials redacted; only for roles that configure or maintain cameras"
    )
    sub_stream_url: str | None
    retention_days: int
    commissioned_on: date | None
    status: CameraStatus
    status_changed_at: datetime
    group_ids: list[int]

    @classmethod
    def of(cls, row: CameraRow, today: date, show_streams: bool) -> CameraOut:
        auth = row.zone.authorisation
        mins = policy.legal_minimums(FieldOfView(row.field_of_view), row.fast_flows)
        return cls(
            id=row.id,
            code=row.code,
            name=row.name,
            zone_id=row.zone_id,
            authorisation_id=auth.id,
            authorisation_status=status_of(auth, today),
            lawful=is_lawful(row, today),
            kind=row.kind,
            placement=row.placement,
            site_category=row.site_category,
            field_of_view=row.field_of_view,
            fast_flows=row.fast_flows,
            legal_minimums=LegalMinimumsOut(width=mins.width, height=mins.height, fps=mins.fps),
            latitude=row.latitude,
            longitude=row.longitude,
            azimuth_deg=row.azimuth_deg,
            view_angle_deg=row.view_angle_deg,
            view_range_m=row.view_range_m,
            address=row.address,
            main_stream_url=row.main_url_redacted if show_streams else None,
            sub_stream_url=row.sub_url_redacted if show_streams else None,
            retention_days=row.retention_days,
            commissioned_on=row.commissioned_on,
            status=CameraStatus(row.status),
            status_changed_at=row.status_changed_at,
            group_ids=sorted(row.group_ids),
        )


class CameraStatusChange(BaseModel):
    status: CameraStatus
    reason: str = Field(min_length=1, max_length=2000)


class CameraGroupOut(BaseModel):
    id: int
    name: str
    description: str
    camera_ids: list[int]

    @classmethod
    def of(cls, row: CameraGroupRow) -> CameraGroupOut:
        return cls(id=row.id, name=row.name, description=row.description, camera_ids=row.camera_ids)


class GroupCameras(BaseModel):
    camera_ids: list[int]


class ConformityOut(BaseModel):
    """The last stored segment against the 2007 technical standard."""

    camera_id: int
    segment_start: datetime
    width: int
    height: int
    fps: float
    legal_minimums: LegalMinimumsOut
    conforming: bool
    problems: list[str]


class CameraEventOut(BaseModel):
    """One camera health event: a gap beginning (`disconnected`, with its reason), its end
    (`connected`), or a fact about the stream (see `ingest.events.EventKind`)."""

    kind: str
    at: datetime
    reason: str | None
    detail: str
