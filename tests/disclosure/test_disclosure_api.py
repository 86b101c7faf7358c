"""Disclosures through the API: the whole life (request, analysis, review frames journalled,
plan saved with its version, render, signed package, download, verification), who may, and
the refusals with their codes (D1–D6 of docs/design/disclosure.md)."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import subprocess
import zipfile
from datetime import timedelta
from pathlib import Path

import av
import numpy as np
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from sentinelle.access.models import Role
from sentinelle.access.service import do_create_token
from sentinelle.api.app import create_app
from sentinelle.audit.tables import AuditEntryRow
from sentinelle.core.clock import FakeClock
from sentinelle.ingest.clips import write_clip
from sentinelle.runtime import Runtime
from tests import factories as f
from tests.disclosure.conftest import Exported, export_clip, run_jobs

REGION = {"id": "zone-1", "first_frame": 0, "last_frame": 59, "box": [0.5, 0.5, 0.4, 0.4]}


@pytest.fixture(scope="session")
def scene_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """6 s at 10 fps over a detailed scene (a tiny masked corner gives `write_clip` its scene)."""
    folder = tmp_path_factory.mktemp("disclosure-scene")
    return write_clip(
        folder / "scene.mp4", 6, width=320, height=240, fps=10, masks=[(0, 0, 0.02, 0.02)]
    )


@pytest.fixture
def scene(rt: Runtime, clock: FakeClock, scene_clip: Path, tmp_path: Path) -> Exported:
    return export_clip(rt, clock, scene_clip, tmp_path)


@pytest.fixture
def client(rt: Runtime) -> TestClient:
    return TestClient(create_app(rt), base_url="http://127.0.0.1")


def _headers(rt: Runtime, role: Role, name: str, **scope: object) -> dict[str, str]:
    user = f.user(rt, name, role, **scope)  # type: ignore[arg-type]
    _, token = do_create_token(rt, f.ADMIN, user.id, "tests", 30)
    return {"Authorization": f"Bearer {token}"}


def _actions(rt: Runtime, prefix: str = "disclosure.") -> list[str]:
    with rt.db.read() as s:
        actions = s.execute(sa.select(AuditEntryRow.action).order_by(AuditEntryRow.seq)).scalars()
        return [a for a in actions if a.startswith(prefix)]


def _body(exported: Exported, **extra: object) -> dict[str, object]:
    return {
        "export_id": exported.export.id,
        "file": exported.file,
        "purpose": "access_request",
        "recipient": "Mme Dupont (demande d'accès du 2 décembre)",
        "reason": "Droit d'accès aux images",
        **extra,
    }


def _analysed(client: TestClient, rt: Runtime, exported: Exported, h: dict[str, str]) -> int:
    created = client.post("/api/disclosures", json=_body(exported), headers=h)
    assert created.status_code == 202, created.text
    assert created.json()["status"] == "queued"
    assert run_jobs(rt) == 1
    row = client.get(f"/api/disclosures/{created.json()['id']}", headers=h).json()
    assert (row["status"], row["frames"], row["width"]) == ("review", 60, 320), row
    return int(row["id"])


def _luma(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [fr.to_ndarray(format="gray").astype(float) for fr in container.decode(video=0)]


def _detail(plane: np.ndarray) -> float:
    lap = (
        plane[1:-1, 1:-1] * 4
        - plane[:-2, 1:-1]
        - plane[2:, 1:-1]
        - plane[1:-1, :-2]
        - plane[1:-1, 2:]
    )
    return float(np.abs(lap).mean())


def test_an_agent_anonymises_reviews_renders_downloads_and_verifies(
    rt: Runtime, scene: Exported, client: TestClient, clock: FakeClock, tmp_path: Path
) -> None:
    agent = _headers(rt, Role.REQUISITION_AGENT, "agent.dupont")
    did = _analysed(client, rt, scene, agent)
    analysis = client.get(f"/api/disclosures/{did}/analysis", headers=agent).json()
    assert analysis["frames"] == 60
    assert "hog" in json.dumps(analysis["detector"]).lower()
    assert 0 < analysis["detector"]["smallest_person_share"] <= 1
    for index in (0, 30, 59):  # review frames: journalled once for the quarter hour
        frame = client.get(f"/api/disclosures/{did}/frames/{index}.jpg", headers=agent)
        assert (frame.status_code, frame.headers["content-type"]) == (200, "image/jpeg")
        assert frame.headers["cache-control"] == "private, no-store"
    assert _actions(rt).count("disclosure.frames_viewed") == 1
    clock.advance(timedelta(minutes=16))
    client.get(f"/api/disclosures/{did}/frames/1.jpg", headers=agent)
    assert _actions(rt).count("disclosure.frames_viewed") == 2

    render = client.post(f"/api/disclosures/{did}/render", json={"reason": "r"}, headers=agent)
    assert (render.status_code, render.json()["code"]) == (409, "disclosure_plan_missing")
    plan = {"effect": "pixelate", "manual": [REGION]}
    saved = client.put(f"/api/disclosures/{did}/plan?version=0", json=plan, headers=agent)
    assert saved.status_code == 200, saved.text
    assert (saved.json()["plan_version"], saved.json()["plan_saved_by"]) == (1, "agent.dupont")
    stale = client.put(f"/api/disclosures/{did}/plan?version=0", json=plan, headers=agent)
    assert (stale.status_code, stale.json()["code"]) == (409, "disclosure_plan_outdated")
    render = client.post(
        f"/api/disclosures/{did}/render", json={"reason": "remise à Mme Dupont"}, headers=agent
    )
    assert (render.status_code, render.json()["status"]) == (202, "render_queued")
    assert run_jobs(rt) == 1
    done = client.get(f"/api/disclosures/{did}", headers=agent).json()
    assert (done["status"], done["error_code"]) == ("done", ""), done

    check = client.get(f"/api/disclosures/{did}/verification", headers=agent).json()
    assert check["ok"], check
    url = f"/api/disclosures/{did}/package.zip"
    assert client.get(url, headers=agent).status_code == 422  # a reason is required
    zipped = client.get(url, params={"reason": "remise en main propre"}, headers=agent)
    archive = zipfile.ZipFile(io.BytesIO(zipped.content))
    archive.extractall(tmp_path / "out")
    package = tmp_path / "out" / done["reference"]
    _check_log(package, scene, done)
    _check_pixels(package, scene, done)
    assert _actions(rt) == [
        "disclosure.requested",
        "disclosure.frames_viewed",
        "disclosure.frames_viewed",
        "disclosure.plan_saved",
        "disclosure.render_requested",
        "disclosure.completed",
        "disclosure.downloaded",
    ]


def _check_log(package: Path, scene: Exported, done: dict[str, object]) -> None:
    log = json.loads((package / "redaction-log.json").read_bytes())
    source = Path(scene.export.package_path) / scene.file
    assert log["source"]["sha256"] == hashlib.sha256(source.read_bytes()).hexdigest()
    video = package / log["output"]["file"]
    assert log["output"]["sha256"] == hashlib.sha256(video.read_bytes()).hexdigest()
    assert log["output"]["sha256"] == done["output_sha256"]
    assert log["source"]["export"] == scene.export.reference
    assert (log["effect"], log["recipient"]) == ("pixelate", done["recipient"])
    assert log["manual_regions"][0]["box"] == REGION["box"]
    assert log["reviewed"]["name"] == "agent.dupont"
    assert shutil.which("openssl"), "openssl is part of every Debian install"
    result = subprocess.run(
        [
            "openssl", "cms", "-verify", "-binary", "-inform", "DER",
            "-in", str(package / "redaction-log.json.p7s"),
            "-content", str(package / "redaction-log.json"),
            "-certfile", str(package / "certificate.pem"), "-noverify", "-out", "/dev/null",
        ],
        capture_output=True,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr


def _check_pixels(package: Path, scene: Exported, done: dict[str, object]) -> None:
    """Inside the region the scene's detail is gone; outside, the picture is the source's."""
    log = json.loads((package / "redaction-log.json").read_bytes())
    before = _luma(Path(scene.export.package_path) / scene.file)
    after = _luma(package / log["output"]["file"])
    assert len(after) == len(before) == 60
    for src, out in zip(before[::10], after[::10], strict=True):
        inside = (slice(124, 212), slice(164, 284))  # the region (x 160–288, y 120–216)
        assert _detail(out[inside]) < 0.2 * _detail(src[inside])
        outside = (slice(10, 100), slice(10, 140))
        mse = float(((out[outside] - src[outside]) ** 2).mean())
        assert 10 * np.log10(255**2 / max(mse, 1e-9)) > 30


def test_review_refusals_say_why(rt: Runtime, scene: Exported, client: TestClient) -> None:
    agent = _headers(rt, Role.REQUISITION_AGENT, "agent.dupont")
    unknown = client.post("/api/disclosures", json=_body(scene, file="video/x.mp4"), headers=agent)
    assert (unknown.status_code, unknown.json()["code"]) == (422, "disclosure_file_unknown")
    did = _analysed(client, rt, scene, agent)
    bad_plans = {
        "redaction_unknown_track": {"keep": [999]},
        "redaction_region_invalid": {"manual": [REGION | {"box": [0.9, 0.9, 0.5, 0.5]}]},
    }
    for code, plan in bad_plans.items():
        answer = client.put(f"/api/disclosures/{did}/plan?version=0", json=plan, headers=agent)
        assert (answer.status_code, answer.json()["code"]) == (422, code), answer.text
    late = REGION | {"first_frame": 10, "last_frame": 600}
    answer = client.put(
        f"/api/disclosures/{did}/plan?version=0", json={"manual": [late]}, headers=agent
    )
    assert answer.status_code == 422
    frame = client.get(f"/api/disclosures/{did}/frames/60.jpg", headers=agent)
    assert frame.status_code == 404
    assert (
        client.get(f"/api/disclosures/{did}/package.zip?reason=x", headers=agent).status_code == 409
    )
    cancelled = client.post(
        f"/api/disclosures/{did}/cancel", json={"reason": "doublon"}, headers=agent
    )
    assert cancelled.json()["status"] == "cancelled"
    again = client.post(f"/api/disclosures/{did}/cancel", json={"reason": "x"}, headers=agent)
    assert (again.status_code, again.json()["code"]) == (409, "disclosure_wrong_status")
    assert "disclosure.cancelled" in _actions(rt)


def test_only_habilitated_exporters_of_the_camera_may(
    rt: Runtime, scene: Exported, client: TestClient
) -> None:
    agent = _headers(rt, Role.REQUISITION_AGENT, "agent.dupont")
    did = _analysed(client, rt, scene, agent)
    other = f.group(rt, "Quartier nord", [scene.cameras[1].id])
    elsewhere = _headers(
        rt, Role.REQUISITION_AGENT, "agent.ailleurs", all_cameras=False, group_ids={other.id}
    )
    operator = _headers(rt, Role.OPERATOR, "operateur.martin")
    for headers, status in ((elsewhere, 403), (operator, 403)):
        assert client.get(f"/api/disclosures/{did}", headers=headers).status_code == status
        answer = client.post("/api/disclosures", json=_body(scene), headers=headers)
        assert answer.status_code == status
        assert (
            client.get(f"/api/disclosures/{did}/frames/0.jpg", headers=headers).status_code
            == status
        )
    assert client.get("/api/disclosures", headers=elsewhere).json() == []
    videos = client.get(f"/api/exports/{scene.export.id}/videos", headers=agent).json()
    assert [v["file"] for v in videos] == [scene.file]
