"""Mask routes: who may read and change them, camera scope, stable codes, history, modes,
the confirmation that ends a latch."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from sentinelle.access.models import ROLE_PERMISSIONS, Role
from sentinelle.api.app import create_app, declared_operations
from sentinelle.audit.models import Actor
from sentinelle.core.clock import FakeClock
from sentinelle.privacy import service
from sentinelle.runtime import Runtime
from tests.api.conftest import Town
from tests.privacy.conftest import rect

WINDOWS = {"name": "fenêtres 12 rue X", "points": rect(0.1, 0.1, 0.3, 0.3)}


def _url(camera_id: int, tail: str = "") -> str:
    return f"/api/cameras/{camera_id}/masks{tail}"


def _put(client: TestClient, town: Town, body: dict[str, object], role: Role = Role.ADMINISTRATOR):
    return client.put(_url(town.in_scope.id), json=body, headers=town.headers(role))


def test_an_administrator_sets_masks_and_everyone_in_scope_reads_them(
    client: TestClient, town: Town
) -> None:
    response = _put(client, town, {"polygons": [WINDOWS], "reason": "logements en vis-à-vis"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["current"]["version"] == 1
    assert body["current"]["polygons"][0]["points"] == [list(p) for p in WINDOWS["points"]]
    assert body["current"]["polygons"][0]["fill"] == "opaque"
    assert body["effective_mode"] == "camera"
    assert body["enforcement"] == "camera_side"
    assert body["latch"] is None
    for role in (Role.OPERATOR, Role.AUDITOR, Role.EXTERNAL_VIEWER):
        read = client.get(_url(town.in_scope.id), headers=town.headers(role))
        assert read.status_code == 200, (role, read.text)
        assert read.json()["current"]["version"] == 1


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.SUPERVISOR, Role.TECHNICIAN])
def test_only_an_administrator_changes_masks(client: TestClient, town: Town, role: Role) -> None:
    response = _put(client, town, {"polygons": [WINDOWS], "reason": "r"}, role)
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_a_camera_outside_the_readers_scope_is_refused(client: TestClient, town: Town) -> None:
    headers = town.headers(Role.EXTERNAL_VIEWER)
    for tail in ("", "/history"):
        response = client.get(_url(town.out_of_scope.id, tail), headers=headers)
        assert response.status_code == 403
        assert response.json()["code"] == "camera_out_of_scope"


@pytest.mark.parametrize(
    ("points", "code"),
    [
        ([[0.1, 0.1], [0.2, 0.2]], "mask_polygon_too_few_points"),
        ([[0.1, 0.1], [0.9, 0.9], [0.9, 0.1], [0.1, 0.9]], "mask_self_intersecting"),
        ([[0.1, 0.1], [1.5, 0.1], [0.5, 0.5]], "mask_outside_image"),
        (rect(0, 0, 1, 1), "mask_covers_image"),
        ([], "mask_polygon_empty"),
    ],
)
def test_bad_polygons_are_refused_with_their_code(
    client: TestClient, town: Town, points: list[list[float]], code: str
) -> None:
    response = _put(client, town, {"polygons": [{"name": "p", "points": points}], "reason": "r"})
    assert response.status_code == 422
    assert response.json()["code"] == code
    details = response.json()["details"]
    if code == "mask_covers_image":  # the whole set's fault, not one polygon's
        assert details["coverage"] == 1.0
    else:
        assert details["name"] == "p"


def test_a_change_without_a_reason_is_refused(client: TestClient, town: Town) -> None:
    response = _put(client, town, {"polygons": [WINDOWS]})
    assert response.status_code == 422
    assert response.json()["code"] == "reason_required"


def test_mode_history_and_the_version_at_an_instant(
    client: TestClient, town: Town, clock: FakeClock
) -> None:
    admin = town.headers(Role.ADMINISTRATOR)
    first = _put(client, town, {"polygons": [WINDOWS], "reason": "pose"}).json()
    clock.advance(timedelta(hours=2))
    mode = client.put(
        _url(town.in_scope.id, "/mode"),
        json={"mode": "server", "reason": "caméra sans masques"},
        headers=admin,
    )
    assert mode.status_code == 200, mode.text
    assert mode.json()["current"]["version"] == 2
    assert mode.json()["enforcement"] == "burn_in"
    history = client.get(_url(town.in_scope.id, "/history"), headers=admin).json()
    assert [v["version"] for v in history["versions"]] == [2, 1]
    assert [v["mode"] for v in history["versions"]] == ["server", "camera"]
    assert history["versions"][1]["reason"] == "pose"
    assert history["latches"] == []
    at = client.get(
        _url(town.in_scope.id, "/at"),
        params={"at": first["current"]["effective_from"]},
        headers=admin,
    )
    assert at.status_code == 200, at.text
    assert at.json()["version"] == 1
    assert at.json()["mode"] == "camera"
    later = client.get(
        _url(town.in_scope.id, "/at"), params={"at": clock.now().isoformat()}, headers=admin
    )
    assert later.json()["version"] == 2
    naive = client.get(
        _url(town.in_scope.id, "/at"), params={"at": "2026-01-01T00:00:00"}, headers=admin
    )
    assert naive.json()["code"] == "naive_datetime"
    early = client.get(
        _url(town.in_scope.id, "/at"), params={"at": "2020-01-01T00:00:00Z"}, headers=admin
    )
    assert early.json()["version"] == 0


def test_confirming_a_camera_fixed_ends_its_latch(
    rt: Runtime, client: TestClient, town: Town
) -> None:
    admin = town.headers(Role.ADMINISTRATOR)
    url = _url(town.in_scope.id, "/confirm-fixed")
    refused = client.post(url, json={"reason": "vérifiée"}, headers=admin)
    assert refused.status_code == 422
    assert refused.json()["code"] == "mask_not_latched"
    service.do_force_server(rt, Actor.system("mask-audit"), town.in_scope.id, "audit failed")
    state = client.get(_url(town.in_scope.id), headers=admin).json()
    assert state["effective_mode"] == "server"
    assert state["latch"]["forced_by"] == "mask-audit"
    assert [p["code"] for p in state["problems"]] == ["mask_audit_failed"]
    back = client.put(
        _url(town.in_scope.id, "/mode"), json={"mode": "camera", "reason": "r"}, headers=admin
    )
    assert back.json()["code"] == "mask_mode_unchanged"
    confirmed = client.post(url, json={"reason": "micrologiciel réinstallé"}, headers=admin)
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["latch"] is None
    assert confirmed.json()["effective_mode"] == "camera"
    history = client.get(_url(town.in_scope.id, "/history"), headers=admin).json()
    assert history["latches"][0]["confirm_reason"] == "micrologiciel réinstallé"


def test_every_mask_route_allows_exactly_the_roles_its_permission_names(
    rt: Runtime, client: TestClient, town: Town
) -> None:
    routes = [(m, p, r) for m, p, r in declared_operations(create_app(rt)) if "/masks" in p]
    assert sorted(f"{m} {p.removeprefix('/api/cameras/{camera_id}')}" for m, p, _ in routes) == [
        "GET /masks",
        "GET /masks/at",
        "GET /masks/audits",
        "GET /masks/history",
        "POST /masks/audit",
        "POST /masks/confirm-fixed",
        "POST /masks/reference",
        "PUT /masks",
        "PUT /masks/mode",
    ]
    failures = []
    for method, path, rule in routes:
        assert rule is not None
        assert rule.camera_param == "camera_id"
        url = path.replace("{camera_id}", str(town.in_scope.id))
        for role in Role:
            response = client.request(method, url, headers=town.headers(role), json={})
            allowed = rule.permission in ROLE_PERMISSIONS[role]
            if allowed == (response.status_code == 403) or response.status_code >= 500:
                failures.append(f"{method} {path} as {role}: {response.status_code}")
    assert failures == []
