"""A camera's field-of-view sector (direction, angle, depth) for the map: stored, shown,
changed and cleared, journalled like every camera change; bounds refused with stable codes."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from sentinelle.access.models import Role
from sentinelle.audit.models import AuditAction
from sentinelle.audit.repository import EntryFilter, list_entries
from sentinelle.runtime import Runtime
from tests import factories as f
from tests.api.conftest import Town


def test_the_sector_is_stored_shown_changed_and_cleared(
    rt: Runtime, client: TestClient, town: Town
) -> None:
    cam = f.camera(
        rt, town.zone.id, "CAM-VIEW", azimuth_deg=135.0, view_angle_deg=80.0, view_range_m=70.0
    )
    admin = town.headers(Role.ADMINISTRATOR)
    shown = client.get(f"/api/cameras/{cam.id}", headers=admin).json()
    assert (shown["azimuth_deg"], shown["view_angle_deg"], shown["view_range_m"]) == (
        135.0,
        80.0,
        70.0,
    )
    changed = client.patch(
        f"/api/cameras/{cam.id}",
        json={"azimuth_deg": 350.5, "view_range_m": None, "reason": "réorientée"},
        headers=admin,
    )
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert (body["azimuth_deg"], body["view_angle_deg"], body["view_range_m"]) == (
        350.5,
        80.0,
        None,
    )
    with rt.db.read() as s:
        entries = list_entries(
            s, EntryFilter(action=str(AuditAction.CAMERA_UPDATED)), limit=None, newest_first=False
        )
    details = json.loads(entries[-1].details)
    assert details["azimuth_deg"] == 350.5
    assert details["view_range_m"] is None


@pytest.mark.parametrize(
    "field",
    [
        {"azimuth_deg": 360.0},
        {"azimuth_deg": -1.0},
        {"view_angle_deg": 0.0},
        {"view_angle_deg": 361.0},
        {"view_range_m": 0.0},
    ],
)
def test_out_of_bounds_sectors_are_refused(
    client: TestClient, town: Town, field: dict[str, float]
) -> None:
    response = client.patch(
        f"/api/cameras/{town.in_scope.id}",
        json=field,
        headers=town.headers(Role.ADMINISTRATOR),
    )
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_request"
