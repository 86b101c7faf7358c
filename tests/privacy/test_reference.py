"""`POST /api/cameras/{id}/masks/reference`: the mask editor's picture, read from the camera's
own main stream (a real loopback RTSP server), shown only to an administrator whose
habilitation covers the camera, journalled as an image access; the stream URL never leaves."""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Iterator

import av
import numpy as np
import numpy.typing as npt
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
        tmp_path_factory.mktemp("mask-reference") / "cam.mp4",
        30,
        width=720,
        height=576,
        fps=10,
        gop_seconds=1,
    )
    with rtsp_server({"cam": clip}) as base:
        yield base


def _camera(rt: Runtime, town: Town, url: str, **extra: object) -> CameraRow:
    return f.camera(rt, town.zone.id, "CAM-REF", main_stream_url=url, **extra)


def _url(camera: CameraRow) -> str:
    return f"/api/cameras/{camera.id}/masks/reference"


def _viewed(rt: Runtime) -> list[tuple[str, str, dict[str, object]]]:
    with rt.db.read() as s:
        rows = s.execute(
            sa.text(
                "SELECT actor_name, target_id, details FROM audit_entries "
                "WHERE action = 'privacy.reference_viewed' ORDER BY seq"
            )
        )
        return [(r[0], r[1], json.loads(r[2])) for r in rows]


def test_a_habilitated_administrator_gets_the_unmasked_picture_at_its_size(
    client: TestClient, town: Town, rt: Runtime, rtsp: str
) -> None:
    camera = _camera(rt, town, f"{rtsp.replace('rtsp://', 'rtsp://u:s3cret@')}/cam")
    r = client.post(_url(camera), headers=town.headers(Role.ADMINISTRATOR))
    assert r.status_code == 200, r.text
    out = r.json()
    assert (out["available"], out["camera_id"], out["width"], out["height"], out["codec"]) == (
        True,
        camera.id,
        720,
        576,
        "h264",
    )
    jpeg = base64.b64decode(out["jpeg_base64"])
    assert jpeg[:3] == b"\xff\xd8\xff"
    assert _jpeg_size(jpeg) == (720, 576)
    assert "s3cret" not in r.text
    assert "127.0.0.1" not in r.text
    [(actor, target, details)] = _viewed(rt)
    assert (actor, target) == ("administrator", str(camera.id))
    assert details == {"outcome": "ok", "image_shown": True, "width": 720, "height": 576}


def _jpeg_size(jpeg: bytes) -> tuple[int, int]:
    """Width and height from the JPEG's start-of-frame marker (read independently of PyAV)."""
    i = 2
    while i < len(jpeg):
        marker, length = jpeg[i + 1], int.from_bytes(jpeg[i + 2 : i + 4], "big")
        if marker in (0xC0, 0xC1, 0xC2):
            height = int.from_bytes(jpeg[i + 5 : i + 7], "big")
            return int.from_bytes(jpeg[i + 7 : i + 9], "big"), height
        i += 2 + length
    raise AssertionError("no SOF marker")


def test_an_administrator_without_habilitation_sees_no_picture(
    client: TestClient, town: Town, rt: Runtime, rtsp: str
) -> None:
    camera = _camera(rt, town, f"{rtsp}/cam")
    user = f.user(rt, "admin-sans-habilitation", Role.ADMINISTRATOR, habilitated=False)
    _, token = do_create_token(rt, f.ADMIN, user.id, "tests", 30)
    r = client.post(_url(camera), headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 403
    assert r.json()["code"] == "habilitation_required"
    assert _viewed(rt) == []


def test_a_habilitation_for_other_cameras_does_not_cover_this_one(
    client: TestClient, town: Town, rt: Runtime, rtsp: str
) -> None:
    camera = _camera(rt, town, f"{rtsp}/cam")
    user = f.user(
        rt,
        "admin-centre",
        Role.ADMINISTRATOR,
        all_cameras=False,
        group_ids=frozenset({town.centre.id}),
    )
    _, token = do_create_token(rt, f.ADMIN, user.id, "tests", 30)
    r = client.post(_url(camera), headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 403
    assert r.json()["code"] == "camera_out_of_scope"
    assert _viewed(rt) == []


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.SUPERVISOR, Role.AUDITOR])
def test_only_an_administrator_asks_for_the_reference(
    client: TestClient, town: Town, rt: Runtime, role: Role
) -> None:
    r = client.post(_url(town.in_scope), headers=town.headers(role))
    assert r.status_code == 403
    assert r.json()["code"] == "permission_denied"
    assert _viewed(rt) == []


def test_a_camera_out_of_lawful_service_is_not_shown(
    client: TestClient, town: Town, rt: Runtime, rtsp: str
) -> None:
    camera = _camera(rt, town, f"{rtsp}/cam", status=CameraStatus.OUT_OF_SERVICE)
    r = client.post(_url(camera), headers=town.headers(Role.ADMINISTRATOR))
    assert r.status_code == 422
    assert r.json()["code"] == "camera_not_lawful"
    assert _viewed(rt) == []


def test_a_dead_camera_gives_no_picture_a_clear_code_and_a_journal_entry(
    client: TestClient, town: Town, rt: Runtime
) -> None:
    camera = _camera(rt, town, "rtsp://u:s3cret@127.0.0.1:9/dead")
    r = client.post(_url(camera), headers=town.headers(Role.ADMINISTRATOR))
    assert r.status_code == 200, r.text
    out = r.json()
    assert (out["available"], out["reason"], out["jpeg_base64"]) == (
        False,
        "probe_unreachable",
        None,
    )
    assert "s3cret" not in r.text
    [(_, _, details)] = _viewed(rt)
    assert details == {"outcome": "probe_unreachable", "image_shown": False}


# --- the masks in force are burnt into the reference (P1) -----------------------------------

INSIDE = (0.25, 0.25, 0.75, 0.75)  # the polygon, normalised


@pytest.fixture(scope="module")
def scene(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A detailed scene everywhere (no flat area of its own), served on loopback."""
    clip = write_clip(
        tmp_path_factory.mktemp("mask-reference-scene") / "scene.mp4",
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


def _masked_camera(rt: Runtime, town: Town, url: str, mode: MaskMode) -> CameraRow:
    camera = _camera(rt, town, url)
    data = MaskSetInput(polygons=[polygon("fenêtre", rect(*INSIDE))], reason="fenêtres")
    privacy_service.do_set_masks(rt, f.ADMIN, camera.id, data)
    if mode is MaskMode.SERVER:
        privacy_service.do_set_mode(rt, f.ADMIN, camera.id, MaskModeInput(mode=mode, reason="x"))
    return camera


def _luma(jpeg_base64: str) -> npt.NDArray[np.uint8]:
    """The JPEG's luma plane, decoded by FFmpeg's JPEG decoder."""
    with av.open(io.BytesIO(base64.b64decode(jpeg_base64)), format="jpeg_pipe") as source:
        frame = next(source.decode(video=0))
    return frame.to_ndarray(format="gray")


def _inside_std(luma: npt.NDArray[np.uint8]) -> tuple[float, float]:
    """Spread of the luma inside the polygon (a margin of 4 pixels) and outside (the top)."""
    h, w = luma.shape
    x0, y0, x1, y1 = (
        round(v) for v in (INSIDE[0] * w, INSIDE[1] * h, INSIDE[2] * w, INSIDE[3] * h)
    )
    inside = luma[y0 + 4 : y1 - 4, x0 + 4 : x1 - 4].astype(float)
    outside = luma[: y0 - 4, :].astype(float)
    return float(inside.std()), float(outside.std())


def test_a_server_mode_camera_s_reference_has_its_masks_burnt_in(
    client: TestClient, town: Town, rt: Runtime, scene: str
) -> None:
    camera = _masked_camera(rt, town, scene, MaskMode.SERVER)
    r = client.post(_url(camera), headers=town.headers(Role.ADMINISTRATOR))
    assert r.status_code == 200, r.text
    out = r.json()
    assert (out["available"], out["masked"]) == (True, True)
    luma = _luma(out["jpeg_base64"])
    inside, outside = _inside_std(luma)
    assert inside < 2.0  # flat: the polygon is filled as the burn-in records it
    assert outside > 10.0  # the rest of the scene is there to draw new masks on
    h, w = luma.shape
    assert luma[h // 2, w // 2] <= 3  # opaque: black (full-range JPEG)
    [(_, _, details)] = _viewed(rt)
    assert details["masks_burnt_in"] == 2
    assert "raw" not in details


def test_a_camera_that_masks_itself_is_shown_as_it_sends(
    client: TestClient, town: Town, rt: Runtime, scene: str
) -> None:
    camera = _masked_camera(rt, town, scene, MaskMode.CAMERA)
    out = client.post(_url(camera), headers=town.headers(Role.ADMINISTRATOR)).json()
    assert out["masked"] is False
    inside, _ = _inside_std(_luma(out["jpeg_base64"]))
    assert inside > 10.0


def test_the_raw_picture_needs_a_reason_and_is_journalled_as_such(
    client: TestClient, town: Town, rt: Runtime, scene: str
) -> None:
    camera = _masked_camera(rt, town, scene, MaskMode.SERVER)
    admin = town.headers(Role.ADMINISTRATOR)
    refused = client.post(_url(camera), json={"raw": True, "reason": "  "}, headers=admin)
    assert refused.status_code == 422
    assert refused.json()["code"] == "reason_required"
    assert _viewed(rt) == []
    why = "le masque de la fenêtre est décalé"
    r = client.post(_url(camera), json={"raw": True, "reason": why}, headers=admin)
    assert r.status_code == 200, r.text
    assert r.json()["masked"] is False
    inside, _ = _inside_std(_luma(r.json()["jpeg_base64"]))
    assert inside > 10.0
    [(_, _, details)] = _viewed(rt)
    assert (details["raw"], details["reason"], details["image_shown"]) == (True, why, True)
    assert "masks_burnt_in" not in details
