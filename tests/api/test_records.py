"""Legal holds and the destruction register over the API: who may place, release and read
them, the scope check on held cameras, a real sweeper destruction in the register and its
export (the CLI's), and the journal entries of each change."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from sentinelle.access.models import Role
from sentinelle.access.service import do_create_token
from sentinelle.core.clock import FakeClock
from sentinelle.runtime import Runtime
from sentinelle.storage import sweeper
from tests import factories as f
from tests.api.conftest import Town
from tests.storage.helpers import day_of_segments

SUPERVISOR = Role.SUPERVISOR


def _hold_body(town: Town, clock: FakeClock, **overrides: Any) -> dict[str, Any]:
    start = clock.now() - timedelta(hours=3)
    body: dict[str, Any] = {
        "camera_ids": [town.in_scope.id, town.out_of_scope.id],
        "start": start.isoformat(),
        "end": (start + timedelta(hours=1)).isoformat(),
        "ground": "flagrant_offence",
        "procedure_number": "PV 2026/004512",
        "authority": "OPJ Martin, commissariat de Valence",
        "reason": "Réquisition du 2 décembre : vol à l'arraché place de la Liberté",
    }
    return body | overrides


def _journal(client: TestClient, town: Town, action: str) -> list[dict[str, Any]]:
    r = client.get(
        "/api/audit/entries", params={"action": action}, headers=town.headers(Role.AUDITOR)
    )
    assert r.status_code == 200, r.text
    items: list[dict[str, Any]] = r.json()["items"]
    return items


def test_hold_placed_then_released_appears_in_lists(
    client: TestClient, town: Town, clock: FakeClock
) -> None:
    placed = client.post(
        "/api/legal-holds", json=_hold_body(town, clock), headers=town.headers(SUPERVISOR)
    )
    assert placed.status_code == 201, placed.text
    hold = placed.json()
    assert [i["camera_code"] for i in hold["items"]] == ["CAM-001", "CAM-002"]
    assert (hold["placed_by"], hold["released_at"]) == ("supervisor", None)

    active = client.get("/api/legal-holds", headers=town.headers(SUPERVISOR)).json()
    assert [h["id"] for h in active] == [hold["id"]]

    url = f"/api/legal-holds/{hold['id']}/release"
    no_reason = client.post(url, json={"reason": " "}, headers=town.headers(SUPERVISOR))
    assert no_reason.status_code == 422
    released = client.post(
        url, json={"reason": "Classement sans suite"}, headers=town.headers(SUPERVISOR)
    )
    assert released.status_code == 200, released.text
    assert released.json()["release_reason"] == "Classement sans suite"
    assert released.json()["released_by"] == "supervisor"
    again = client.post(url, json={"reason": "encore"}, headers=town.headers(SUPERVISOR))
    assert (again.status_code, again.json()["code"]) == (409, "hold_already_released")

    assert client.get("/api/legal-holds", headers=town.headers(SUPERVISOR)).json() == []
    everything = client.get(
        "/api/legal-holds", params={"all": "true"}, headers=town.headers(SUPERVISOR)
    ).json()
    assert [(h["id"], h["release_reason"]) for h in everything] == [
        (hold["id"], "Classement sans suite")
    ]
    placed_entries = _journal(client, town, "hold.placed")
    assert [(e["actor_name"], e["target_id"]) for e in placed_entries] == [
        ("supervisor", str(hold["id"]))
    ]
    released_entries = _journal(client, town, "hold.released")
    assert [e["reason"] for e in released_entries] == ["Classement sans suite"]


def test_hold_input_is_checked(client: TestClient, town: Town, clock: FakeClock) -> None:
    headers = town.headers(SUPERVISOR)
    reversed_body = _hold_body(town, clock, end=(clock.now() - timedelta(hours=5)).isoformat())
    assert client.post("/api/legal-holds", json=reversed_body, headers=headers).status_code == 422
    naive = _hold_body(town, clock, start="2026-01-01T10:00:00", end="2026-01-01T11:00:00")
    assert client.post("/api/legal-holds", json=naive, headers=headers).status_code == 422
    no_reason = _hold_body(town, clock, reason="")
    assert client.post("/api/legal-holds", json=no_reason, headers=headers).status_code == 422
    unknown = client.post(
        "/api/legal-holds", json=_hold_body(town, clock, camera_ids=[999_999]), headers=headers
    )
    assert (unknown.status_code, unknown.json()["code"]) == (404, "camera_not_found")
    missing = client.post("/api/legal-holds/999999/release", json={"reason": "x"}, headers=headers)
    assert (missing.status_code, missing.json()["code"]) == (404, "hold_not_found")
    assert _journal(client, town, "hold.placed") == []


def test_holds_refused_to_roles_without_the_permission(
    client: TestClient, town: Town, clock: FakeClock
) -> None:
    body = _hold_body(town, clock)
    for role in (Role.OPERATOR, Role.AUDITOR, Role.ADMINISTRATOR, Role.TECHNICIAN):
        r = client.post("/api/legal-holds", json=body, headers=town.headers(role))
        assert (r.status_code, r.json()["code"]) == (403, "permission_denied"), role
        listed = client.get("/api/legal-holds", headers=town.headers(role))
        # The auditor reads holds beside the destruction register; no one else here does.
        assert listed.status_code == (200 if role == Role.AUDITOR else 403), role
    agent = client.post("/api/legal-holds", json=body, headers=town.headers(Role.REQUISITION_AGENT))
    assert agent.status_code == 201
    held = client.get("/api/legal-holds", headers=town.headers(Role.AUDITOR)).json()
    assert [h["id"] for h in held] == [agent.json()["id"]]


def test_a_hold_needs_a_habilitation_covering_its_cameras(
    rt: Runtime, client: TestClient, town: Town, clock: FakeClock
) -> None:
    scoped = f.user(
        rt, "chef-centre", SUPERVISOR, all_cameras=False, group_ids=frozenset({town.centre.id})
    )
    _, token = do_create_token(rt, f.ADMIN, scoped.id, "tests", 30)
    headers = {"Authorization": f"Bearer {token}"}
    out = client.post("/api/legal-holds", json=_hold_body(town, clock), headers=headers)
    assert (out.status_code, out.json()["code"]) == (403, "camera_out_of_scope")
    both = client.post(
        "/api/legal-holds", json=_hold_body(town, clock), headers=town.headers(SUPERVISOR)
    ).json()
    release = client.post(
        f"/api/legal-holds/{both['id']}/release", json={"reason": "fin"}, headers=headers
    )
    assert (release.status_code, release.json()["code"]) == (403, "camera_out_of_scope")
    inside = _hold_body(town, clock, camera_ids=[town.in_scope.id])
    assert client.post("/api/legal-holds", json=inside, headers=headers).status_code == 201

    unsworn = f.user(rt, "chef-nuit", SUPERVISOR, habilitated=False)
    _, token = do_create_token(rt, f.ADMIN, unsworn.id, "tests", 30)
    none = client.post(
        "/api/legal-holds", json=inside, headers={"Authorization": f"Bearer {token}"}
    )
    assert (none.status_code, none.json()["code"]) == (403, "habilitation_required")


def _destroy_old_footage(rt: Runtime, town: Town, clock: FakeClock) -> None:
    day_of_segments(rt, town.in_scope.id, clock.now() - timedelta(days=15), 3)
    day_of_segments(rt, town.out_of_scope.id, clock.now() - timedelta(days=16), 2)
    day_of_segments(rt, town.in_scope.id, clock.now() - timedelta(days=1), 2)  # kept
    report = sweeper.sweep_time(rt)
    assert report.segments == 5


def test_register_lists_a_real_destruction(
    rt: Runtime, client: TestClient, town: Town, clock: FakeClock
) -> None:
    _destroy_old_footage(rt, town, clock)
    headers = town.headers(Role.AUDITOR)
    page = client.get("/api/destruction-register", headers=headers).json()
    assert page["total"] == 2
    lines = {line["camera_code"]: line for line in page["items"]}
    assert sorted(lines) == ["CAM-001", "CAM-002"]
    assert (lines["CAM-001"]["segments"], lines["CAM-001"]["reason"]) == (3, "retention_expiry")
    assert (lines["CAM-001"]["first_seq"], lines["CAM-001"]["last_seq"]) == (1, 3)
    assert len(lines["CAM-001"]["last_hash"]) == 64
    assert lines["CAM-002"]["bytes"] == 2 * 2048

    one = client.get(
        "/api/destruction-register",
        params={"camera_id": town.out_of_scope.id},
        headers=headers,
    ).json()
    assert [line["camera_code"] for line in one["items"]] == ["CAM-002"]
    window = client.get(
        "/api/destruction-register", params={"limit": 1, "offset": 1}, headers=headers
    ).json()
    assert (window["total"], len(window["items"])) == (2, 1)
    later = (clock.now() + timedelta(minutes=1)).isoformat()
    empty = client.get("/api/destruction-register", params={"from": later}, headers=headers)
    assert empty.json()["total"] == 0
    naive = client.get(
        "/api/destruction-register", params={"from": "2026-01-01T00:00:00"}, headers=headers
    )
    assert (naive.status_code, naive.json()["code"]) == (422, "naive_datetime")


def test_register_export_is_the_cli_file_and_is_journalled(
    rt: Runtime, client: TestClient, town: Town, clock: FakeClock
) -> None:
    _destroy_old_footage(rt, town, clock)
    r = client.get("/api/destruction-register/export", headers=town.headers(Role.AUDITOR))
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    assert "registre-destructions.csv" in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert sorted((row["camera_code"], row["segments"]) for row in rows) == [
        ("CAM-001", "3"),
        ("CAM-002", "2"),
    ]
    html = client.get(
        "/api/destruction-register/export",
        params={"format": "html"},
        headers=town.headers(Role.SUPERVISOR),
    )
    assert html.headers["content-type"].startswith("text/html")
    assert "Registre des destructions" in html.text
    bad = client.get(
        "/api/destruction-register/export",
        params={"format": "pdf"},
        headers=town.headers(Role.AUDITOR),
    )
    assert bad.status_code == 422
    entries = _journal(client, town, "register.exported")
    assert [(e["actor_name"], json.loads(e["details"])["format"]) for e in entries] == [
        ("supervisor", "html"),
        ("auditor", "csv"),
    ]


def test_register_refused_to_roles_without_the_permission(client: TestClient, town: Town) -> None:
    for role in (Role.OPERATOR, Role.ADMINISTRATOR, Role.TECHNICIAN, Role.EXTERNAL_VIEWER):
        for url in ("/api/destruction-register", "/api/destruction-register/export"):
            r = client.get(url, headers=town.headers(role))
            assert (r.status_code, r.json()["code"]) == (403, "permission_denied"), (role, url)
    assert _journal(client, town, "register.exported") == []
