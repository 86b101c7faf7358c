"""Who may open a playback, and the journal: one entry per camera with the reason before any
byte of video (E1); the whole request refused, and nothing journalled, if one camera is out
of scope (E2)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from sentinelle.access.models import Role
from sentinelle.registry.service import do_set_group_cameras
from tests import factories as f
from tests.playback.conftest import FIRST, NOW, Site, journal

OPENED = "video.playback_opened"
ALLOWED = [Role.OPERATOR, Role.REQUISITION_AGENT, Role.SUPERVISOR, Role.EXTERNAL_VIEWER]
REFUSED = [Role.ADMINISTRATOR, Role.TECHNICIAN, Role.AUDITOR]


def _body(site: Site, **overrides: Any) -> dict[str, Any]:
    return {
        "camera_ids": [site.cam],
        "from": FIRST.isoformat(),
        "to": (FIRST + timedelta(minutes=2)).isoformat(),
        "reason": "Réquisition PV 2026/004512",
    } | overrides


def _post(client: TestClient, site: Site, role: Role, **overrides: Any) -> Any:
    return client.post("/api/playback", json=_body(site, **overrides), headers=site.headers(role))


@pytest.mark.parametrize("role", ALLOWED)
def test_allowed_roles_open_and_are_journalled(client: TestClient, site: Site, role: Role) -> None:
    response = _post(client, site, role)
    assert response.status_code == 200, response.text
    entries = journal(site.rt, OPENED)
    assert len(entries) == 1
    entry = entries[0]
    assert entry["actor_name"] == role.value.replace("_", "-")
    assert entry["camera_id"] == site.cam
    assert entry["target_id"] == str(site.cam)
    assert entry["reason"] == "Réquisition PV 2026/004512"
    assert json.loads(str(entry["details"])) == {
        "camera": "CAM-001",
        "from": "2026-11-22T09:10:00+00:00",
        "to": "2026-11-22T09:12:00+00:00",
    }
    playlist = client.get(response.json()["cameras"][0]["playlist_url"], headers=site.headers(role))
    assert playlist.status_code == 200


@pytest.mark.parametrize("role", REFUSED)
def test_other_roles_are_refused_everything(client: TestClient, site: Site, role: Role) -> None:
    response = _post(client, site, role)
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    grant = _post(client, site, Role.OPERATOR).json()
    url = grant["cameras"][0]["playlist_url"]
    segment = f"/api/playback/{grant['grant']}/segments/1"
    snapshot = f"/api/cameras/{site.cam}/snapshot"
    for refused in (
        client.get(url, headers=site.headers(role)),
        client.get(segment, headers=site.headers(role)),
        client.post(
            snapshot, json={"at": FIRST.isoformat(), "reason": "x"}, headers=site.headers(role)
        ),
    ):
        assert refused.status_code == 403
        assert refused.json()["code"] == "permission_denied"
    assert [e["actor_name"] for e in journal(site.rt, OPENED)] == ["operator"]


def test_one_camera_out_of_scope_refuses_the_whole_request(client: TestClient, site: Site) -> None:
    viewer = Role.EXTERNAL_VIEWER
    for cameras in ([site.other], [site.cam, site.other], [site.other, site.cam]):
        response = _post(client, site, viewer, camera_ids=cameras)
        assert response.status_code == 403
        assert response.json()["code"] == "camera_out_of_scope"
        assert response.json()["details"] == {"camera_id": site.other}
    assert journal(site.rt, OPENED) == []


def test_unknown_camera(client: TestClient, site: Site) -> None:
    response = _post(client, site, Role.SUPERVISOR, camera_ids=[site.cam, 999])
    assert response.status_code == 404
    assert response.json()["code"] == "camera_not_found"
    assert journal(site.rt, OPENED) == []


def test_several_cameras_one_entry_each(client: TestClient, site: Site) -> None:
    response = _post(client, site, Role.SUPERVISOR, camera_ids=[site.cam, site.other, site.cam])
    assert response.status_code == 200
    assert [c["code"] for c in response.json()["cameras"]] == ["CAM-001", "CAM-002"]
    entries = journal(site.rt, OPENED)
    assert [e["camera_id"] for e in entries] == [site.cam, site.other]


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_a_reason_is_required(client: TestClient, site: Site, reason: str | None) -> None:
    body = _body(site)
    if reason is None:
        del body["reason"]
    else:
        body["reason"] = reason
    response = client.post("/api/playback", json=body, headers=site.headers(Role.OPERATOR))
    assert response.status_code == 422
    assert response.json()["code"] == "reason_required"
    assert journal(site.rt, OPENED) == []


def test_reason_and_cameras_bounds(client: TestClient, site: Site) -> None:
    too_long = _post(client, site, Role.OPERATOR, reason="x" * 501)
    assert too_long.json()["code"] == "invalid_request"
    too_many = _post(client, site, Role.OPERATOR, camera_ids=list(range(1, 18)))
    assert too_many.json()["code"] == "invalid_request"
    assert _post(client, site, Role.OPERATOR, camera_ids=[]).json()["code"] == "invalid_request"


@pytest.mark.parametrize(
    ("start", "end", "code"),
    [
        (FIRST, FIRST, "invalid_range"),
        (FIRST, FIRST - timedelta(seconds=1), "invalid_range"),
        (NOW + timedelta(seconds=1), NOW + timedelta(minutes=1), "range_in_future"),
        (FIRST - timedelta(hours=24), FIRST + timedelta(seconds=1), "range_too_long"),
    ],
)
def test_invalid_periods(client: TestClient, site: Site, start: Any, end: Any, code: str) -> None:
    response = _post(
        client, site, Role.OPERATOR, **{"from": start.isoformat(), "to": end.isoformat()}
    )
    assert response.status_code == 422
    assert response.json()["code"] == code
    assert journal(site.rt, OPENED) == []


def test_naive_instants_are_refused(client: TestClient, site: Site) -> None:
    response = _post(client, site, Role.OPERATOR, **{"from": "2026-11-22T09:10:00"})
    assert response.json()["code"] == "invalid_request"


def test_scope_is_checked_again_at_every_request(client: TestClient, site: Site) -> None:
    """An external viewer whose habilitation no longer covers the camera loses the playback."""
    viewer = site.headers(Role.EXTERNAL_VIEWER)
    opened = _post(client, site, Role.EXTERNAL_VIEWER).json()
    url = opened["cameras"][0]["playlist_url"]
    segment = (
        f"/api/playback/{opened['grant']}/segments/{site.segment_id(site.footage[site.cam][0])}"
    )
    assert client.get(segment, headers=viewer).status_code == 200
    do_set_group_cameras(site.rt, f.ADMIN, site.town.centre.id, [])
    for response in (client.get(url, headers=viewer), client.get(segment, headers=viewer)):
        assert response.status_code == 403
        assert response.json()["code"] == "camera_out_of_scope"
