"""`POST /api/cameras/probe` through the API: who may test a stream, the preview image only
for habilitated staff, and the journal entry (host and outcome, never credentials)."""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Iterator

import av
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from sentinelle.access.models import Role
from sentinelle.access.service import do_create_token
from sentinelle.ingest.clips import write_clip
from sentinelle.privacy import service as privacy_service
from sentinelle.privacy.models import MaskMode, MaskModeInput, MaskSetInput
from sentinelle.registry.models import CameraStatus
from sentinelle.registry.tables import CameraRow
from sentinelle.runtime import Runtime
from tests import factories as f
from tests.api.conftest import Town
from tests.privacy.conftest import polygon, rect
from tests.support.rtsp import rtsp_server


@pytest.fixture(scope="module")
def rtsp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    clip = write_clip(
        tmp_path_factory.mktemp("probe-api") / "cam.mp4",
        60,
        width=704,
        height=576,
        fps=12,
        gop_seconds=1,
    )
    with rtsp_server({"cam": clip}) as base:
        yield base


def _with_credentials(base: str) -> str:
    return base.replace("rtsp://", "rtsp://install:s3cret-pass@") + "/cam?token=abc123"


def _body(url: str) -> dict[str, object]:
    return {"url": url, "field_of_view": "narrow", "fast_flows": True, "placement": "public_road"}


def _probes(rt: Runtime) -> list[tuple[str, str, dict[str, object]]]:
    with rt.db.read() as s:
        rows = s.execute(
            sa.text(
                "SELECT actor_name, target_id, details FROM audit_entries "
                "WHERE action = 'camera.stream_probed' ORDER BY seq"
            )
        )
        return [(r[0], r[1], json.loads(r[2])) for r in rows]


def _unhabilitated_admin(rt: Runtime) -> dict[str, str]:
    user = f.user(rt, "admin-sans-habilitation", Role.ADMINISTRATOR, habilitated=False)
    _, token = do_create_token(rt, f.ADMIN, user.id, "tests", 30)
    return {"Authorization": f"Bearer {token}"}


def test_a_habilitated_administrator_gets_properties_conformity_and_preview(
    client: TestClient, town: Town, rt: Runtime, rtsp: str
) -> None:
    url = _with_credentials(rtsp)
    r = client.post("/api/cameras/probe", json=_body(url), headers=town.headers(Role.ADMINISTRATOR))
    assert r.status_code == 200, r.text
    out = r.json()
    assert (out["codec"], out["width"], out["height"]) == ("h264", 704, 576)
    assert out["fps"] == pytest.approx(12, abs=0.5)
    assert out["legal_minimums"] == {"width": 704, "height": 576, "fps": 12}
    assert out["conforming"] is True
    assert out["problems"] == []
    assert out["preview"]["available"] is True
    assert out["preview"]["jpeg_base64"].startswith("/9j/")  # JPEG's FF D8 FF
    assert "s3cret" not in out["url"]
    assert "abc123" not in out["url"]
    [(actor, host, details)] = _probes(rt)
    assert (actor, host) == ("administrator", "127.0.0.1")
    assert details["outcome"] == "ok"
    assert details["preview"] is True
    assert details["port"] == int(rtsp.rsplit(":", 1)[1])
    assert "s3cret" not in json.dumps(details)
    assert "abc123" not in json.dumps(details)
    assert "install" not in json.dumps(details)


def test_without_a_habilitation_the_preview_is_withheld(
    client: TestClient, town: Town, rt: Runtime, rtsp: str
) -> None:
    del town
    r = client.post(
        "/api/cameras/probe", json=_body(f"{rtsp}/cam"), headers=_unhabilitated_admin(rt)
    )
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["conforming"] is True
    assert out["preview"] == {
        "available": False,
        "jpeg_base64": None,
        "reason": "habilitation_required",
        "masked": False,
    }
    [(actor, _, details)] = _probes(rt)
    assert actor == "admin-sans-habilitation"
    assert details["preview"] is False


def test_the_conformity_follows_the_camera_given(client: TestClient, town: Town, rtsp: str) -> None:
    body = _body(f"{rtsp}/cam") | {"field_of_view": "wide", "fast_flows": False}
    out = client.post("/api/cameras/probe", json=body, headers=town.headers(Role.ADMINISTRATOR))
    assert out.json()["legal_minimums"] == {"width": 352, "height": 288, "fps": 6}


def test_only_registry_writers_may_test_a_stream(
    client: TestClient, town: Town, rt: Runtime
) -> None:
    body = _body("rtsp://127.0.0.1:9/x")
    others = [Role.OPERATOR, Role.SUPERVISOR, Role.TECHNICIAN, Role.AUDITOR, Role.EXTERNAL_VIEWER]
    for role in others:
        r = client.post("/api/cameras/probe", json=body, headers=town.headers(role))
        assert (r.status_code, r.json()["code"]) == (403, "permission_denied"), role
    assert _probes(rt) == []


def test_refusals_have_stable_codes_and_are_journalled(
    client: TestClient, town: Town, rt: Runtime
) -> None:
    admin = town.headers(Role.ADMINISTRATOR)
    bad = client.post("/api/cameras/probe", json=_body("file:///etc/shadow"), headers=admin)
    assert bad.status_code == 422
    assert bad.json()["code"] == "probe_scheme_not_allowed"
    dead = client.post(
        "/api/cameras/probe", json=_body("rtsp://u:p4ss@127.0.0.1:9/x"), headers=admin
    )
    assert dead.status_code == 503
    assert dead.json()["code"] == "probe_unreachable"
    assert "p4ss" not in dead.text
    outcomes = [(host, d["outcome"]) for _, host, d in _probes(rt)]
    assert outcomes == [("", "probe_scheme_not_allowed"), ("127.0.0.1", "probe_unreachable")]
    missing = client.post("/api/cameras/probe", json={"url": "rtsp://x/y"}, headers=admin)
    assert missing.status_code == 422
    assert missing.json()["code"] == "invalid_request"


# --- a URL of a registered camera is that camera --------------------------------------------

INSIDE = (0.25, 0.25, 0.75, 0.75)  # the camera's mask, normalised


@pytest.fixture(scope="module")
def scene(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A detailed scene everywhere (nothing flat of its own), served on loopback."""
    clip = write_clip(
        tmp_path_factory.mktemp("probe-scene") / "scene.mp4",
        40,
        width=320,
        height=240,
        fps=10,
        gop_seconds=1,
        masks=[(0.0, 0.0, 0.05, 0.05)],
        masks_lost_at=0.0,
    )
    with rtsp_server({"scene": clip}) as base:
        yield f"{base}/scene"


def _registered(rt: Runtime, town: Town, url: str, **extra: object) -> CameraRow:
    """A camera registered with `url` as its main stream, masked by the server."""
    camera = f.camera(rt, town.zone.id, "CAM-PROBE", main_stream_url=url, **extra)
    data = MaskSetInput(polygons=[polygon("fenêtre", rect(*INSIDE))], reason="fenêtres")
    privacy_service.do_set_masks(rt, f.ADMIN, camera.id, data)
    mode = MaskModeInput(mode=MaskMode.SERVER, reason="masquage serveur")
    privacy_service.do_set_mode(rt, f.ADMIN, camera.id, mode)
    return camera


def _spread_inside(jpeg_base64: str) -> tuple[float, float]:
    """Luma spread inside the mask (4-pixel margin) and above it, decoded by FFmpeg."""
    with av.open(io.BytesIO(base64.b64decode(jpeg_base64)), format="jpeg_pipe") as source:
        luma = next(source.decode(video=0)).to_ndarray(format="gray").astype(float)
    h, w = luma.shape
    x0, y0, x1, y1 = (
        round(v) for v in (INSIDE[0] * w, INSIDE[1] * h, INSIDE[2] * w, INSIDE[3] * h)
    )
    return float(luma[y0 + 4 : y1 - 4, x0 + 4 : x1 - 4].std()), float(luma[: y0 - 4].std())


def test_a_registered_server_mode_camera_is_previewed_with_its_masks(
    client: TestClient, town: Town, rt: Runtime, scene: str
) -> None:
    camera = _registered(rt, town, scene.replace("rtsp://", "rtsp://viewer:pw@"))
    # the same stream spelt otherwise: other credentials, a query (the server ignores it)
    spelt = scene.replace("rtsp://", "rtsp://other:creds@") + "?x=1"
    admin = town.headers(Role.ADMINISTRATOR)
    r = client.post("/api/cameras/probe", json=_body(spelt), headers=admin)
    assert r.status_code == 200, r.text
    preview = r.json()["preview"]
    assert (preview["available"], preview["masked"]) == (True, True)
    inside, above = _spread_inside(preview["jpeg_base64"])
    assert inside < 2.0  # the mask is burnt in, as the burn-in records it
    assert above > 10.0
    [(_, _, details)] = _probes(rt)
    assert (details["camera_id"], details["preview"], details["masks_burnt_in"]) == (
        camera.id,
        True,
        [2],
    )


def test_a_registered_camera_outside_the_habilitation_gets_no_preview(
    client: TestClient, town: Town, rt: Runtime, scene: str
) -> None:
    camera = _registered(rt, town, scene)
    user = f.user(
        rt,
        "admin-centre",
        Role.ADMINISTRATOR,
        all_cameras=False,
        group_ids=frozenset({town.centre.id}),
    )
    _, token = do_create_token(rt, f.ADMIN, user.id, "tests", 30)
    headers = {"Authorization": f"Bearer {token}"}
    r = client.post("/api/cameras/probe", json=_body(scene), headers=headers)
    assert r.status_code == 200, r.text
    assert r.json()["preview"] == {
        "available": False,
        "jpeg_base64": None,
        "reason": "camera_out_of_scope",
        "masked": False,
    }
    assert r.json()["codec"] == "h264"  # the stream's properties are not images
    [(_, _, details)] = _probes(rt)
    assert (details["camera_id"], details["preview"]) == (camera.id, False)
    assert details["preview_withheld"] == "camera_out_of_scope"


def test_a_registered_camera_out_of_lawful_service_gets_no_preview(
    client: TestClient, town: Town, rt: Runtime, scene: str
) -> None:
    _registered(rt, town, scene, status=CameraStatus.OUT_OF_SERVICE)
    r = client.post(
        "/api/cameras/probe", json=_body(scene), headers=town.headers(Role.ADMINISTRATOR)
    )
    assert r.status_code == 200, r.text
    assert r.json()["preview"]["reason"] == "camera_not_lawful"
    assert r.json()["preview"]["jpeg_base64"] is None


def test_an_unregistered_stream_keeps_its_unmasked_preview(
    client: TestClient, town: Town, rt: Runtime, scene: str
) -> None:
    _registered(rt, town, scene.replace("/scene", "/other"))
    r = client.post(
        "/api/cameras/probe", json=_body(scene), headers=town.headers(Role.ADMINISTRATOR)
    )
    preview = r.json()["preview"]
    assert (preview["available"], preview["masked"]) == (True, False)
    inside, _ = _spread_inside(preview["jpeg_base64"])
    assert inside > 10.0
    [(_, _, details)] = _probes(rt)
    assert details["camera_id"] is None
