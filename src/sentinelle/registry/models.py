"""Registry vocabulary: states and categories of authorisations and cameras, and the inputs
of the registry's use cases (validated pydantic models, reused as API request bodies)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import ClassVar, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from sentinelle.registry.perimeter import Perimeter


class AuthorisationStatus(StrEnum):
    NOT_YET_VALID = "not_yet_valid"
    VALID = "valid"
    RENEWAL_DUE = "renewal_due"  # less than 4 months to expiry: the renewal file is due
    EXPIRED = "expired"

    @property
    def lawful(self) -> bool:
        return self in (AuthorisationStatus.VALID, AuthorisationStatus.RENEWAL_DUE)


class Purpose(StrEnum):
    """Purposes of CSI L251-2 an authorisation may list."""

    PUBLIC_BUILDINGS = "public_buildings_protection"
    NATIONAL_DEFENCE = "national_defence_installations"
    TRAFFIC_REGULATION = "traffic_regulation"
    TRAFFIC_OFFENCES = "traffic_offences"
    PERSONS_AND_PROPERTY = "attacks_on_persons_and_property"
    DRUG_TRAFFICKING = "drug_trafficking"
    TERRORISM = "terrorism_prevention"
    NATURAL_TECH_RISKS = "natural_technological_risks"
    RESCUE_AND_FIRE = "rescue_and_fire"
    AMUSEMENT_PARKS = "amusement_park_safety"
    VEHICLE_INSURANCE = "vehicle_insurance_checks"
    WASTE_DUMPING = "waste_dumping"


class CameraKind(StrEnum):
    FIXED = "fixed"
    PTZ = "ptz"
    DOME = "dome"
    ARMOURED = "armoured"
    THERMAL = "thermal"
    MOBILE = "mobile"


class Placement(StrEnum):
    PUBLIC_ROAD = "public_road"
    PUBLIC_BUILDING = "public_building"


class SiteCategory(StrEnum):
    SCHOOL = "school"
    CRECHE = "creche"
    STATION = "station"
    CITY_ENTRANCE = "city_entrance"
    MARKET = "market"
    PARK = "park"
    MUNICIPAL_BUILDING = "municipal_building"
    OTHER = "other"


class FieldOfView(StrEnum):
    NARROW = "narrow"
    WIDE = "wide"


class CameraStatus(StrEnum):
    PLANNED = "planned"
    AWAITING_AUTHORISATION = "awaiting_authorisation"
    IN_SERVICE = "in_service"
    OUT_OF_SERVICE = "out_of_service"
    DECOMMISSIONED = "decommissioned"


# --- inputs of the use cases (also the API's request bodies) ---------------------------------


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class _Changes(_Input):
    """A partial update: only the fields given change; `null` only where the field may be empty."""

    NULLABLE: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="after")
    def _refuse_null_for_required_fields(self) -> Self:
        nulls = sorted(f for f in self.model_fields_set if getattr(self, f) is None)
        refused = [f for f in nulls if f not in self.NULLABLE]
        if refused:
            msg = f"cannot be emptied (null): {', '.join(refused)}"
            raise ValueError(msg)
        return self


class AuthorisationInput(_Input):
    reference: str = Field(min_length=1, max_length=100, examples=["2024/DSC/0457"])
    prefecture: str = Field(min_length=1, max_length=200, examples=["Préfecture de la Drôme"])
    issued_on: date
    expires_on: date | None = Field(default=None, description="default: issue + 5 years - 1 day")
    purposes: list[Purpose] = Field(min_length=1)
    retention_max_days: int = Field(ge=1, le=30)
    retention_min_days: int | None = Field(default=None, ge=1, le=30)
    recipients: list[str] = Field(default_factory=list, description="designated police services")
    camera_limit: int | None = Field(default=None, ge=1, le=100_000)
    notes: str = Field(default="", max_length=5000)


class AuthorisationChanges(_Changes):
    """A renewal or amendment: only the fields given change."""

    NULLABLE = frozenset({"retention_min_days", "camera_limit"})

    prefecture: str | None = Field(default=None, min_length=1, max_length=200)
    issued_on: date | None = None
    expires_on: date | None = None
    purposes: list[Purpose] | None = Field(default=None, min_length=1)
    retention_max_days: int | None = Field(default=None, ge=1, le=30)
    retention_min_days: int | None = Field(default=None, ge=1, le=30)
    recipients: list[str] | None = None
    camera_limit: int | None = Field(default=None, ge=1, le=100_000)
    notes: str | None = Field(default=None, max_length=5000)


class ZoneInput(_Input):
    authorisation_id: int
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=5000)
    perimeter: Perimeter | None = Field(
        default=None, description="the zone's outline on the map (GeoJSON Polygon, WGS 84)"
    )


class ZoneChanges(_Changes):
    """A zone's name, description or perimeter (`null` removes the perimeter)."""

    NULLABLE = frozenset({"perimeter"})

    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=5000)
    perimeter: Perimeter | None = None


class CameraInput(_Input):
    code: str = Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    name: str = Field(min_length=1, max_length=200)
    zone_id: int
    kind: CameraKind
    placement: Placement
    site_category: SiteCategory = SiteCategory.OTHER
    field_of_view: FieldOfView
    fast_flows: bool = False
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    azimuth_deg: float | None = Field(
        default=None, ge=0, lt=360, description="direction of view, degrees clockwise from north"
    )
    view_angle_deg: float | None = Field(default=None, gt=0, le=360, description="angle of view")
    view_range_m: float | None = Field(default=None, gt=0, le=5000, description="useful depth")
    address: str = Field(default="", max_length=300)
    main_stream_url: str = Field(min_length=1, max_length=1000)
    sub_stream_url: str | None = Field(default=None, max_length=1000)
    retention_days: int
    commissioned_on: date | None = None
    status: CameraStatus = CameraStatus.PLANNED


class CameraChanges(_Changes):
    """Only the fields given change; the status changes through `set-status`."""

    NULLABLE = frozenset(
        {
            "latitude",
            "longitude",
            "azimuth_deg",
            "view_angle_deg",
            "view_range_m",
            "sub_stream_url",
            "commissioned_on",
        }
    )

    name: str | None = Field(default=None, min_length=1, max_length=200)
    zone_id: int | None = None
    kind: CameraKind | None = None
    placement: Placement | None = None
    site_category: SiteCategory | None = None
    field_of_view: FieldOfView | None = None
    fast_flows: bool | None = None
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    azimuth_deg: float | None = Field(
        default=None, ge=0, lt=360, description="direction of view, degrees clockwise from north"
    )
    view_angle_deg: float | None = Field(default=None, gt=0, le=360, description="angle of view")
    view_range_m: float | None = Field(default=None, gt=0, le=5000, description="useful depth")
    address: str | None = Field(default=None, max_length=300)
    main_stream_url: str | None = Field(default=None, max_length=1000)
    sub_stream_url: str | None = Field(default=None, max_length=1000)
    retention_days: int | None = None
    commissioned_on: date | None = None


class CameraGroupInput(_Input):
    name: str = Field(min_length=1, max_length=100)
    description: str = Field(default="", max_length=2000)
    camera_ids: list[int] = Field(default_factory=list)
