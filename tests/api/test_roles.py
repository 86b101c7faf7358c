"""GET /api/roles: every role with exactly the permissions of ROLE_PERMISSIONS, for the
roles screen; read with users.read only."""

from __future__ import annotations

from fastapi.testclient import TestClient

from sentinelle.access.models import ROLE_PERMISSIONS, VIDEO_PERMISSIONS, Permission, Role
from tests.api.conftest import Town


def test_roles_list_every_role_with_its_permissions(client: TestClient, town: Town) -> None:
    r = client.get("/api/roles", headers=town.headers(Role.AUDITOR))
    assert r.status_code == 200
    body = r.json()
    assert body["permissions"] == [str(p) for p in Permission]
    assert sorted(body["video_permissions"]) == sorted(str(p) for p in VIDEO_PERMISSIONS)
    roles = {role["id"]: role for role in body["roles"]}
    assert list(roles) == [str(role) for role in Role]
    for role in Role:
        assert set(roles[role]["permissions"]) == {str(p) for p in ROLE_PERMISSIONS[role]}
    assert "video.live" not in roles["administrator"]["permissions"]
    assert "holds.write" in roles["supervisor"]["permissions"]
    assert roles["administrator"]["mfa_required"] is True
    assert roles["operator"]["mfa_required"] is False
    assert roles["external_viewer"]["scoped_registry"] is True


def test_roles_refused_without_users_read(client: TestClient, town: Town) -> None:
    for role in Role:
        r = client.get("/api/roles", headers=town.headers(role))
        allowed = Permission.USERS_READ in ROLE_PERMISSIONS[role]
        assert r.status_code == (200 if allowed else 403), role
        if not allowed:
            assert r.json()["code"] == "permission_denied"
