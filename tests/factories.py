"""Builders for test data, going through the real use cases."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pyotp

from sentinelle.access.models import Role
from sentinelle.access.service import (
    NewHabilitation,
    NewUser,
    do_create_user,
    do_grant_habilitation,
)
from sentinelle.access.tables import UserRow
from sentinelle.audit.models import Actor
from sentinelle.registry import service as registry
from sentinelle.registry.models import (
    AuthorisationInput,
    CameraGroupInput,
    CameraInput,
    CameraKind,
    CameraStatus,
    FieldOfView,
    Placement,
    Purpose,
    ZoneInput,
)
from sentinelle.registry.tables import AuthorisationRow, CameraGroupRow, CameraRow, ZoneRow
from sentinelle.runtime import Runtime

ADMIN = Actor.cli("tester")
PASSWORD = "Corr3ct-Horse-Battery"


def authorisation(rt: Runtime, **overrides: Any) -> AuthorisationRow:
    fields: dict[str, Any] = {
        "reference": "2026/DSC/0001",
        "prefecture": "Préfecture de la Drôme",
        "issued_on": date(2024, 3, 1),
        "purposes": [Purpose.PERSONS_AND_PROPERTY],
        "retention_max_days": 21,
        "retention_min_days": 7,
        "recipients": ["Commissariat de Valence"],
    }
    return registry.do_create_authorisation(rt, ADMIN, AuthorisationInput(**(fields | overrides)))


def zone(rt: Runtime, authorisation_id: int, name: str = "Centre-ville") -> ZoneRow:
    return registry.do_create_zone(
        rt, ADMIN, ZoneInput(authorisation_id=authorisation_id, name=name)
    )


def camera(rt: Runtime, zone_id: int, code: str = "CAM-001", **overrides: Any) -> CameraRow:
    fields: dict[str, Any] = {
        "code": code,
        "name": f"Caméra {code}",
        "zone_id": zone_id,
        "kind": CameraKind.FIXED,
        "placement": Placement.PUBLIC_ROAD,
        "field_of_view": FieldOfView.NARROW,
        "main_stream_url": f"rtsp://viewer:s3cret-pass@10.0.0.7:554/{code}/main",
        "retention_days": 14,
        "status": CameraStatus.IN_SERVICE,
    }
    return registry.do_create_camera(rt, ADMIN, CameraInput(**(fields | overrides)))


def group(rt: Runtime, name: str, camera_ids: list[int]) -> CameraGroupRow:
    return registry.do_create_group(rt, ADMIN, CameraGroupInput(name=name, camera_ids=camera_ids))


def user(
    rt: Runtime,
    username: str,
    role: Role,
    *,
    all_cameras: bool = True,
    group_ids: frozenset[int] = frozenset(),
    habilitated: bool = True,
    expires_in_days: int = 365,
) -> UserRow:
    row, _ = do_create_user(
        rt,
        ADMIN,
        NewUser(username=username, full_name=username.title(), role=role, password=PASSWORD),
    )
    if habilitated:
        today = registry.today(rt)
        do_grant_habilitation(
            rt,
            ADMIN,
            row.id,
            NewHabilitation(
                designated_by="Maire de Valence",
                designated_on=today - timedelta(days=10),
                expires_on=today + timedelta(days=expires_in_days),
                sworn=True,
                all_cameras=all_cameras,
                group_ids=group_ids,
            ),
        )
    return row


def town(rt: Runtime, **overrides: Any) -> tuple[AuthorisationRow, ZoneRow, list[CameraRow]]:
    """One authorisation, one zone, two cameras in service (`overrides` for both)."""
    auth = authorisation(rt)
    z = zone(rt, auth.id)
    return auth, z, [camera(rt, z.id, code, **overrides) for code in ("CAM-001", "CAM-002")]


def totp_now(secret: str, rt: Runtime, step_offset: int = 0) -> str:
    totp = pyotp.TOTP(secret)
    return str(totp.generate_otp(totp.timecode(rt.now()) + step_offset))
