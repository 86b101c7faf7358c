from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from sentinelle.access.models import Role
from sentinelle.api.app import create_app
from sentinelle.core.clock import FakeClock
from sentinelle.ingest.events import EventKind, GapReason, SessionEvent
from sentinelle.ingest.service import record_events
from sentinelle.runtime import Runtime
from tests import factories as f
from tests.api.conftest import HABILITATION_DAYS, Town
from tests.storage.helpers import segment

OPENAPI = Path(__file__).parents[2] / "docs" / "openapi.json"


def _camera_body(town: Town, **overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "code": "CAM-NEW",
        "name": "Nouvelle",
        "zone_id": town.zone.id,
        "kind": "fixed",
        "placement": "public_road",
        "field_of_view": "wide",
        "main_stream_url": "rtsp://u:pw@10.1.1.1/s",
        "retention_days": 14,
    }
    return body | overrides


def test_cookie_login_with_mfa_and_csrf(rt: Runtime, client: TestClient) -> None:
    f.user(rt, "anne", Role.ADMINISTRATOR, habilitated=False)
    first = client.post("/api/auth/login", json={"username": "anne", "password": f.PASSWORD})
    assert first.status_code == 200
    body = first.json()
    assert body["stage"] == "enrol"
    assert "sentinelle_session" not in first.cookies
    code = f.totp_now(body["totp_secret"], rt)
    done = client.post("/api/auth/login/mfa", json={"challenge": body["challenge"], "code": code})
    assert done.status_code == 200
    cookie = done.headers["set-cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    assert client.get("/api/auth/me").json()["role"] == "administrator"
    no_csrf = client.post("/api/camera-groups", json={"name": "G"})
    assert no_csrf.status_code == 403
    assert no_csrf.json()["code"] == "csrf_failed"
    ok = client.post(
        "/api/camera-groups",
        json={"name": "G"},
        headers={"X-CSRF-Token": done.json()["csrf_token"]},
    )
    assert ok.status_code == 201


def test_wrong_password_answers_401_with_stable_code(rt: Runtime, client: TestClient) -> None:
    f.user(rt, "olivier", Role.OPERATOR)
    response = client.post("/api/auth/login", json={"username": "olivier", "password": "nope"})
    assert response.status_code == 401
    assert response.json() == {
        "code": "invalid_credentials",
        "message": "wrong username or password",
        "details": {},
    }


@pytest.mark.parametrize(
    ("overrides", "status", "code"),
    [
        ({"retention_days": 45}, 422, "retention_out_of_bounds"),
        ({"retention_days": 0}, 422, "retention_out_of_bounds"),
        ({"zone_id": 999}, 404, "zone_not_found"),
        ({"code": "CAM-001"}, 409, "camera_code_taken"),
        ({"main_stream_url": "rtsp//x"}, 422, "invalid_stream_url"),
        ({"kind": "drone"}, 422, "invalid_request"),
        ({"latitude": 123}, 422, "invalid_request"),
    ],
)
def test_camera_bad_input(
    client: TestClient, town: Town, overrides: dict[str, object], status: int, code: str
) -> None:
    response = client.post(
        "/api/cameras",
        json=_camera_body(town, **overrides),
        headers=town.headers(Role.ADMINISTRATOR),
    )
    assert response.status_code == status
    body = response.json()
    assert body["code"] == code
    assert set(body) == {"code", "message", "details"}
    assert body["message"]


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"retention_max_days": 45}, "invalid_request"),
        ({"retention_max_days": 0}, "invalid_request"),
        ({"issued_on": "2026-02-30"}, "invalid_request"),
        ({"expires_on": "2020-01-01"}, "invalid_authorisation_dates"),
        ({"purposes": []}, "invalid_request"),
    ],
)
def test_authorisation_bad_input(
    client: TestClient, town: Town, overrides: dict[str, object], code: str
) -> None:
    body = {
        "reference": "NEW-1",
        "prefecture": "Drôme",
        "issued_on": "2025-01-01",
        "purposes": ["traffic_regulation"],
        "retention_max_days": 14,
    } | overrides
    response = client.post(
        "/api/authorisations", json=body, headers=town.headers(Role.ADMINISTRATOR)
    )
    assert response.status_code == 422
    assert response.json()["code"] == code


def test_created_camera_hides_credentials(client: TestClient, town: Town) -> None:
    response = client.post(
        "/api/cameras", json=_camera_body(town), headers=town.headers(Role.ADMINISTRATOR)
    )
    assert response.status_code == 201
    camera = response.json()
    assert camera["main_stream_url"] == "rtsp://***@10.1.1.1/s"
    assert camera["status"] == "planned"
    assert camera["lawful"] is False
    assert camera["legal_minimums"] == {"width": 352, "height": 288, "fps": 6}


def test_pagination_and_scope_of_camera_list(client: TestClient, town: Town) -> None:
    page = client.get("/api/cameras?limit=1", headers=town.headers(Role.OPERATOR)).json()
    assert (page["total"], len(page["items"]), page["limit"]) == (2, 1, 1)
    police = client.get("/api/cameras", headers=town.headers(Role.EXTERNAL_VIEWER)).json()
    assert [c["code"] for c in police["items"]] == ["CAM-001"]
    assert (
        client.get("/api/cameras?limit=0", headers=town.headers(Role.OPERATOR)).status_code == 422
    )


def test_expired_habilitation_empties_an_external_viewers_cameras(
    clock: FakeClock, client: TestClient, town: Town
) -> None:
    assert client.get("/api/auth/me", headers=town.headers(Role.EXTERNAL_VIEWER)).json()[
        "video_access"
    ]
    clock.advance(timedelta(days=HABILITATION_DAYS + 1))
    me = client.get("/api/auth/me", headers=town.headers(Role.EXTERNAL_VIEWER))
    assert me.json()["video_access"] is False
    police = client.get("/api/cameras", headers=town.headers(Role.EXTERNAL_VIEWER)).json()
    assert police["items"] == []


def test_status_change_requires_a_reason_and_is_journalled(client: TestClient, town: Town) -> None:
    url = f"/api/cameras/{town.in_scope.id}/status"
    headers = town.headers(Role.TECHNICIAN)
    assert client.post(url, json={"status": "out_of_service"}, headers=headers).status_code == 422
    done = client.post(url, json={"status": "out_of_service", "reason": "panne"}, headers=headers)
    assert done.json()["lawful"] is False
    journal = client.get(
        f"/api/audit/entries?camera_id={town.in_scope.id}", headers=town.headers(Role.AUDITOR)
    ).json()
    assert journal["items"][0]["action"] == "camera.status_changed"
    assert journal["items"][0]["actor_name"] == "technician"
    assert journal["items"][0]["reason"] == "panne"


def test_journal_export_and_verify_through_the_api(client: TestClient, town: Town) -> None:
    auditor = town.headers(Role.AUDITOR)
    export = client.get("/api/audit/export?format=json&reason=CNIL", headers=auditor)
    assert export.status_code == 200
    assert export.headers["content-disposition"].endswith('.json"')
    assert len(json.loads(export.text)) > 5
    report = client.post("/api/audit/verify", headers=auditor).json()
    assert report["ok"] is True
    bad = client.get("/api/audit/entries?since=2026-01-01T00:00:00", headers=auditor)
    assert bad.json()["code"] == "naive_datetime"


def test_habilitation_and_user_administration(client: TestClient, town: Town) -> None:
    admin = town.headers(Role.ADMINISTRATOR)
    created = client.post(
        "/api/users",
        json={"username": "nina", "full_name": "Nina R", "role": "operator"},
        headers=admin,
    )
    assert created.status_code == 201
    assert created.json()["generated_password"]
    uid = created.json()["user"]["id"]
    bad = client.post(
        f"/api/users/{uid}/habilitations",
        headers=admin,
        json={
            "designated_by": "Maire",
            "designated_on": "2026-01-01",
            "expires_on": "2025-01-01",
            "sworn": True,
            "all_cameras": True,
        },
    )
    assert bad.json()["code"] == "invalid_habilitation"
    good = client.post(
        f"/api/users/{uid}/habilitations",
        headers=admin,
        json={
            "designated_by": "Maire",
            "designated_on": "2026-01-01",
            "expires_on": "2027-01-01",
            "sworn": True,
            "group_ids": [town.centre.id],
        },
    )
    assert good.json()["status"] == "valid"
    revoked = client.post(
        f"/api/habilitations/{good.json()['id']}/revoke", headers=admin, json={"reason": "mutation"}
    )
    assert revoked.json()["status"] == "revoked"
    weak = client.post(
        "/api/users",
        json={"username": "weak", "full_name": "W", "role": "operator", "password": "abc"},
        headers=admin,
    )
    assert weak.json()["code"] == "weak_password"


def test_unknown_route_and_method_use_the_error_body(client: TestClient) -> None:
    assert client.get("/api/nothing").json()["code"] == "not_found"
    assert client.delete("/api/health").json()["code"] == "method_not_allowed"


def test_checked_in_openapi_document_is_current(rt: Runtime) -> None:
    generated = create_app(rt).openapi()
    assert OPENAPI.exists(), "run scripts/openapi to write docs/openapi.json"
    assert json.loads(OPENAPI.read_text()) == generated, "run scripts/openapi and commit"


def test_stream_addresses_only_for_those_who_configure_cameras(
    client: TestClient, town: Town
) -> None:
    url = f"/api/cameras/{town.in_scope.id}"
    for role, visible in (
        (Role.ADMINISTRATOR, True),
        (Role.TECHNICIAN, True),
        (Role.OPERATOR, False),
        (Role.EXTERNAL_VIEWER, False),
    ):
        camera = client.get(url, headers=town.headers(role)).json()
        assert (camera["main_stream_url"] is not None) is visible, role


@pytest.mark.parametrize("field", ["retention_max_days", "prefecture", "issued_on"])
def test_patch_cannot_empty_a_required_field(client: TestClient, town: Town, field: str) -> None:
    response = client.patch(
        f"/api/authorisations/{town.auth.id}",
        json={field: None},
        headers=town.headers(Role.ADMINISTRATOR),
    )
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_request"


def test_patch_may_empty_an_optional_field(client: TestClient, town: Town) -> None:
    response = client.patch(
        f"/api/authorisations/{town.auth.id}",
        json={"retention_min_days": None},
        headers=town.headers(Role.ADMINISTRATOR),
    )
    assert response.status_code == 200
    assert response.json()["retention_min_days"] is None


def test_habilitation_naming_an_unknown_group_is_refused(client: TestClient, town: Town) -> None:
    response = client.post(
        "/api/users/1/habilitations",
        headers=town.headers(Role.ADMINISTRATOR),
        json={
            "designated_by": "Maire",
            "designated_on": "2026-01-01",
            "expires_on": "2027-01-01",
            "sworn": True,
            "group_ids": [999],
        },
    )
    assert response.status_code == 404
    assert response.json()["code"] == "camera_group_not_found"


def test_conformity_of_the_last_stored_segment_through_the_api(
    rt: Runtime, client: TestClient, town: Town, clock: FakeClock
) -> None:
    url = f"/api/cameras/{town.in_scope.id}/conformity"
    headers = town.headers(Role.OPERATOR)
    assert client.get(url, headers=headers).json()["code"] == "no_recording"
    segment(rt, town.in_scope.id, clock.now() - timedelta(minutes=1))  # 1920×1080 at 25 fps
    body = client.get(url, headers=headers).json()
    assert (body["conforming"], body["problems"]) == (True, [])
    assert body["legal_minimums"] == {"width": 704, "height": 576, "fps": 6}


def test_camera_events_explain_gaps_through_the_api(
    rt: Runtime, client: TestClient, town: Town, clock: FakeClock
) -> None:
    lost = clock.now() - timedelta(minutes=30)
    record_events(
        rt,
        [
            SessionEvent(town.in_scope.id, EventKind.CONNECTED, lost - timedelta(hours=1)),
            SessionEvent(
                town.in_scope.id, EventKind.DISCONNECTED, lost, "timeout", GapReason.STALLED
            ),
            SessionEvent(town.in_scope.id, EventKind.CONNECTED, lost + timedelta(minutes=5)),
            SessionEvent(town.out_of_scope.id, EventKind.CONNECTED, lost),
        ],
    )
    url = f"/api/cameras/{town.in_scope.id}/events"
    body = client.get(url, headers=town.headers(Role.OPERATOR)).json()
    assert [(e["kind"], e["reason"]) for e in body] == [
        ("connected", None),
        ("disconnected", "stalled"),
        ("connected", None),
    ]
    since = (lost - timedelta(minutes=1)).isoformat()
    body = client.get(url, params={"since": since}, headers=town.headers(Role.OPERATOR)).json()
    assert [e["kind"] for e in body] == ["disconnected", "connected"]
    other = f"/api/cameras/{town.out_of_scope.id}/events"
    assert client.get(other, headers=town.headers(Role.EXTERNAL_VIEWER)).status_code in (403, 404)
