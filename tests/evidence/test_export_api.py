"""Exports through the API: who may export which cameras, the job's life, the download and
its journal entry, verification, the export journal."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from sentinelle.access.models import Role
from sentinelle.access.service import do_create_token
from sentinelle.api.app import create_app
from sentinelle.audit.tables import AuditEntryRow
from sentinelle.core.clock import FakeClock
from sentinelle.evidence import verifier
from sentinelle.runtime import Runtime
from sentinelle.workers import exports as runner
from tests import factories as f
from tests.conftest import START
from tests.evidence.conftest import Footage

PERIOD = {"from": "2026-11-22T09:00:10Z", "to": "2026-11-22T09:00:40Z"}


@pytest.fixture
def client(rt: Runtime) -> TestClient:
    return TestClient(create_app(rt), base_url="http://127.0.0.1")


def _headers(rt: Runtime, role: Role, name: str, **scope: object) -> dict[str, str]:
    user = f.user(rt, name, role, **scope)  # type: ignore[arg-type]
    _, token = do_create_token(rt, f.ADMIN, user.id, "tests", 30)
    return {"Authorization": f"Bearer {token}"}


def _actions(rt: Runtime) -> list[str]:
    with rt.db.read() as s:
        return list(
            s.execute(sa.select(AuditEntryRow.action).order_by(AuditEntryRow.seq)).scalars()
        )


def test_an_agent_exports_follows_downloads_and_verifies(
    rt: Runtime, footage: Footage, client: TestClient, clock: FakeClock, tmp_path: Path
) -> None:
    agent = _headers(rt, Role.REQUISITION_AGENT, "agent.dupont")
    body = {
        "camera_ids": [footage.cameras[0].id],
        **PERIOD,
        "reason": "PV 2026/12",
        "requisition": "PV 2026/12",
    }
    created = client.post("/api/exports", json=body, headers=agent)
    assert created.status_code == 202, created.text
    export = created.json()
    assert (export["status"], export["requested_by"]) == ("queued", "agent.dupont")
    assert runner.run_pending(rt) == 1
    done = client.get(f"/api/exports/{export['id']}", headers=agent).json()
    assert (done["status"], done["progress"], done["error_code"]) == ("done", 1.0, "")
    check = client.get(f"/api/exports/{export['id']}/verification", headers=agent).json()
    assert (check["ok"], check["videos_checked"]) == (True, 1)
    url = f"/api/exports/{export['id']}/package.zip"
    assert client.get(url, headers=agent).status_code == 422  # a reason is required
    zipped = client.get(url, params={"reason": "remise OPJ Martin"}, headers=agent)
    assert zipped.headers["content-type"] == "application/zip"
    target = tmp_path / "download.zip"
    target.write_bytes(zipped.content)
    assert verifier.verify_package(target).ok
    assert zipfile.ZipFile(io.BytesIO(zipped.content)).namelist()[0].startswith(export["reference"])
    assert [a for a in _actions(rt) if a.startswith("export.")] == [
        "export.requested",
        "export.completed",
        "export.downloaded",
    ]


@pytest.mark.parametrize(
    "role", [Role.OPERATOR, Role.EXTERNAL_VIEWER, Role.ADMINISTRATOR, Role.AUDITOR]
)
def test_roles_without_the_export_permission_are_refused(
    rt: Runtime, footage: Footage, client: TestClient, role: Role
) -> None:
    headers = _headers(rt, role, f"user-{role.value.replace('_', '-')}")
    body = {"camera_ids": [footage.cameras[0].id], **PERIOD, "reason": "r"}
    response = client.post("/api/exports", json=body, headers=headers)
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert not [a for a in _actions(rt) if a.startswith("export.")]


def test_cameras_outside_the_habilitation_refuse_the_whole_export(
    rt: Runtime, footage: Footage, client: TestClient
) -> None:
    centre = f.group(rt, "Centre", [footage.cameras[0].id])
    agent = _headers(
        rt,
        Role.REQUISITION_AGENT,
        "agent.limite",
        all_cameras=False,
        group_ids=frozenset({centre.id}),
    )
    body = {"camera_ids": [c.id for c in footage.cameras], **PERIOD, "reason": "r"}
    response = client.post("/api/exports", json=body, headers=agent)
    assert (response.status_code, response.json()["code"]) == (403, "camera_out_of_scope")
    ok = client.post(
        "/api/exports", json={**body, "camera_ids": [footage.cameras[0].id]}, headers=agent
    )
    assert ok.status_code == 202


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"to": "2026-11-22T09:00:00Z"}, "invalid_request"),
        ({"reason": ""}, "invalid_request"),
        ({"from": "2026-11-22T11:00:00Z", "to": "2026-11-22T11:30:00Z"}, "range_in_future"),
        ({"camera_ids": [999]}, "camera_not_found"),
    ],
)
def test_bad_requests_get_stable_codes(
    rt: Runtime, footage: Footage, client: TestClient, change: dict[str, object], code: str
) -> None:
    agent = _headers(rt, Role.REQUISITION_AGENT, "agent.dupont")
    body = {"camera_ids": [footage.cameras[0].id], **PERIOD, "reason": "r", **change}
    response = client.post("/api/exports", json=body, headers=agent)
    assert response.status_code in (400, 404, 422), response.text
    assert response.json()["code"] == code


def test_cancel_and_the_export_journal(
    rt: Runtime, footage: Footage, client: TestClient, clock: FakeClock
) -> None:
    agent = _headers(rt, Role.REQUISITION_AGENT, "agent.dupont")
    auditor = _headers(rt, Role.AUDITOR, "auditeur.cnil")
    operator = _headers(rt, Role.OPERATOR, "operateur.nuit")
    body = {"camera_ids": [footage.cameras[0].id], **PERIOD, "reason": "r"}
    first = client.post("/api/exports", json=body, headers=agent).json()
    second = client.post("/api/exports", json=body, headers=agent).json()
    cancelled = client.post(
        f"/api/exports/{second['id']}/cancel", json={"reason": "doublon"}, headers=agent
    )
    assert cancelled.json()["status"] == "cancelled"
    assert runner.run_pending(rt) == 1
    assert client.get(f"/api/exports/{first['id']}", headers=agent).json()["status"] == "done"
    params = {
        "from": START.isoformat(),
        "to": (clock.now() + timedelta(hours=1)).isoformat(),
        "reason": "inspection",
    }
    lines = client.get("/api/export-journal", params=params, headers=auditor)
    assert lines.status_code == 200
    (line,) = lines.json()
    assert (line["camera_code"], line["duration_seconds"], line["exporter"]) == (
        "CAM-001",
        30.0,
        "agent.dupont",
    )
    assert client.get("/api/export-journal", params=params, headers=operator).status_code == 403
    assert "export.journal_exported" in _actions(rt)
