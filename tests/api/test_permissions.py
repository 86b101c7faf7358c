"""Generated from the routes' own declarations: every route × every role → allowed or denied."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient

from sentinelle.access.models import ROLE_PERMISSIONS, Role
from sentinelle.api.app import create_app, declared_operations
from sentinelle.api.security import AccessRule, declared_websockets
from sentinelle.runtime import Runtime
from tests.api.conftest import Town


def _routes(rt: Runtime) -> list[tuple[str, str, AccessRule]]:
    out = []
    for method, path, rule in declared_operations(create_app(rt)):
        assert rule is not None, f"{method} {path} declares no access rule"
        out.append((method, path, rule))
    assert len(out) > 20
    return out


def _url(path: str, town: Town) -> str:
    values = {
        "camera_id": town.in_scope.id,
        "authorisation_id": town.auth.id,
        "group_id": town.centre.id,
        "user_id": 1,
        "habilitation_id": 1,
        "token_id": 999_999,
        "export_id": 999_999,
        "disclosure_id": 999_999,
        "index": 0,
        "grant": "not-a-grant",
        "segment_id": 1,
        "layout_id": 999_999,
        "hold_id": 999_999,
        "zone_id": 999_999,
        "z": 0,
        "x": 0,
        "y": 0,
        "ext": "png",
    }

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        assert name in values, f"the matrix test needs a value for path parameter {name}"
        return str(values[name])

    return re.sub(r"\{(\w+)\}", fill, path)


def test_every_route_declares_access_and_few_are_public(rt: Runtime) -> None:
    public = sorted(path for _, path, rule in _routes(rt) if rule.public)
    assert public == ["/api/auth/login", "/api/auth/login/mfa", "/api/health"]


def test_matrix_every_route_every_role(rt: Runtime, client: TestClient, town: Town) -> None:
    failures = []
    for method, path, rule in _routes(rt):
        url = _url(path, town)
        for role in Role:
            response = client.request(method, url, headers=town.headers(role), json={})
            allowed = (
                rule.public
                or rule.permission is None
                or (rule.permission in ROLE_PERMISSIONS[role])
            )
            denied = response.status_code == 403
            if allowed == denied or response.status_code == 401 or response.status_code >= 500:
                failures.append(
                    f"{method} {path} as {role}: {response.status_code} {response.text[:120]}"
                )
            elif denied and response.json()["code"] != "permission_denied":
                failures.append(f"{method} {path} as {role}: {response.json()['code']}")
    assert failures == []


def test_matrix_without_credentials(rt: Runtime, client: TestClient, town: Town) -> None:
    for method, path, rule in _routes(rt):
        response = client.request(method, _url(path, town), json={})
        if rule.public:
            assert response.status_code != 401, path
        else:
            assert response.status_code == 401, path
            assert response.json()["code"] == "not_authenticated"


@pytest.mark.parametrize("method", ["GET", "PATCH"])
def test_external_viewer_cannot_reach_a_camera_outside_scope(
    client: TestClient, town: Town, method: str
) -> None:
    url = f"/api/cameras/{town.out_of_scope.id}"
    response = client.request(method, url, headers=town.headers(Role.EXTERNAL_VIEWER), json={})
    assert response.status_code == 403
    expected = "camera_out_of_scope" if method == "GET" else "permission_denied"
    assert response.json()["code"] == expected


def _websocket_refusal(client: TestClient, url: str, headers: dict[str, str]) -> str:
    """The error code a WebSocket route answers (its first text message) before closing."""
    with client.websocket_connect(url, headers=headers) as ws:
        code: str = json.loads(ws.receive_text())["code"]
    return code


def test_every_websocket_declares_access(rt: Runtime) -> None:
    sockets = declared_websockets(create_app(rt))
    assert [path for path, _ in sockets] == ["/api/live/{camera_id}"]
    assert all(rule is not None and not rule.public for _, rule in sockets)


def test_websocket_matrix_every_role(rt: Runtime, client: TestClient, town: Town) -> None:
    failures = []
    for path, rule in declared_websockets(create_app(rt)):
        assert rule is not None
        url = _url(path, town) + "?grant=not-a-grant"
        if _websocket_refusal(client, url, {}) != "not_authenticated":
            failures.append(f"WEBSOCKET {path} without credentials")
        for role in Role:
            code = _websocket_refusal(client, url, town.headers(role))
            allowed = rule.permission is None or rule.permission in ROLE_PERMISSIONS[role]
            if allowed == (code == "permission_denied") or code == "not_authenticated":
                failures.append(f"WEBSOCKET {path} as {role}: {code}")
    assert failures == []
