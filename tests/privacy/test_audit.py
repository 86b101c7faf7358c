"""The mask audit's check on real H.264 frames (libx264 encoded, decoded by FFmpeg): an
opaque mask and a pixelated one pass, a lost mask fails, a dark picture is inconclusive; the
results kept per camera, what is journalled, and the audit routes."""

from __future__ import annotations

from datetime import datetime, timedelta
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import numpy.typing as npt
import pytest
from fastapi.testclient import TestClient

from sentinelle.access.models import Role
from sentinelle.audit.models import Actor
from sentinelle.audit.repository import EntryFilter, list_entries
from sentinelle.core.clock import FakeClock
from sentinelle.ingest.clips import write_clip
from sentinelle.privacy import audit_service, service
from sentinelle.privacy.audit import (
    COARSE_MIN,
    FLAT_MIN,
    STD_MAX,
    FrameResult,
    Verdict,
    check_frame,
    erosion,
    measure,
    raster_mask,
)
from sentinelle.privacy.audit_service import AuditTrigger
from sentinelle.privacy.geometry import rasterize
from sentinelle.privacy.models import MaskSetInput
from sentinelle.runtime import Runtime
from tests.api.conftest import Town
from tests.privacy.conftest import polygon, rect

WINDOW = (0.1, 0.1, 0.4, 0.5)
DOOR = (0.6, 0.55, 0.9, 0.9)
W, H = 320, 240
ADMIN = Actor.user(7, "admin-dupont")
Plane = npt.NDArray[np.uint8]


def _polygons(*boxes: tuple[float, float, float, float]) -> list[tuple[str, npt.NDArray[np.bool_]]]:
    return [(f"zone {i}", raster_mask(rasterize([rect(*b)], W, H))) for i, b in enumerate(boxes)]


def _decoded(path: Path, index: int = 0) -> tuple[Plane, tuple[Plane, Plane]]:
    """Frame `index` of a clip, decoded, as its planes."""
    with av.open(str(path)) as source:
        for i, frame in enumerate(source.decode(video=0)):
            if i == index:
                planes = [
                    np.frombuffer(p, np.uint8).reshape(p.height, p.line_size)[:, : p.width].copy()
                    for p in frame.planes
                ]
                return planes[0], (planes[1], planes[2])
    raise AssertionError("no such frame")


def _encode(path: Path, lumas: list[Plane]) -> Path:
    """Encode luma pictures (grey chroma) as H.264, like a camera would send them."""
    with av.open(str(path), "w", format="mp4") as out:
        stream = out.add_stream("libx264", rate=10)
        height, width = lumas[0].shape
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.codec_context.time_base = Fraction(1, 10)
        stream.codec_context.options = {"g": "10", "bf": "0", "preset": "ultrafast"}
        chroma = np.full((height // 4, width), 128, np.uint8)
        for i, luma in enumerate(lumas):
            yuv = np.concatenate([luma, chroma, chroma])
            frame = av.VideoFrame.from_ndarray(yuv, format="yuv420p")
            frame.pts = i
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    return path


def _scene(seed: int = 3, width: int = W, height: int = H) -> Plane:
    rng = np.random.default_rng(seed)
    ys, xs = np.mgrid[0:height, 0:width]
    scale = width // W
    texture = 25 * ((xs // (7 * scale) + ys // (5 * scale)) % 2)
    base = 70 + 60 * xs / width + texture + rng.normal(0, 15, (height, width))
    return np.clip(base, 0, 255).astype(np.uint8)


def _pixelate(luma: Plane, box: tuple[float, float, float, float], block: int) -> Plane:
    """What a camera's pixelating mask does: block averages on a grid from the corner."""
    out = luma.copy()
    height, width = luma.shape
    x0, y0 = round(box[0] * width), round(box[1] * height)
    x1, y1 = round(box[2] * width), round(box[3] * height)
    for y in range(y0, y1, block):
        for x in range(x0, x1, block):
            cell = out[y : min(y + block, y1), x : min(x + block, x1)]
            cell[...] = int(cell.mean())
    return out


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("audit")
    scene = _scene()
    dark = np.clip(np.random.default_rng(5).normal(14, 0.8, (H, W)), 0, 255).astype(np.uint8)
    return {
        "masked": write_clip(root / "masked.mp4", 2, masks=[WINDOW, DOOR]),
        "lost": write_clip(root / "lost.mp4", 2, masks=[WINDOW, DOOR], masks_lost_at=0),
        "pixelated": _encode(
            root / "pixelated.mp4", [_pixelate(_pixelate(scene, WINDOW, 8), DOOR, 8)] * 12
        ),
        "dark": _encode(root / "dark.mp4", [dark] * 12),
    }


@pytest.mark.parametrize("index", [0, 5], ids=["keyframe", "p-frame"])
def test_an_opaque_camera_mask_passes(clips: dict[str, Path], index: int) -> None:
    result = check_frame(*_decoded(clips["masked"], index), _polygons(WINDOW, DOOR))
    assert result.verdict is Verdict.PASS
    assert [p.verdict for p in result.polygons] == [Verdict.PASS, Verdict.PASS]
    assert all(p.measures.std <= STD_MAX and p.why == "uniform fill" for p in result.polygons)
    assert result.reference.std > 20  # the rest of the picture shows detail


def test_a_pixelated_camera_mask_passes(clips: dict[str, Path]) -> None:
    result = check_frame(*_decoded(clips["pixelated"]), _polygons(WINDOW, DOOR))
    assert result.verdict is Verdict.PASS
    for p in result.polygons:
        assert p.why == "pixelated"
        assert p.measures.std > STD_MAX  # not uniform: the blocks differ...
        assert p.measures.flat_share >= FLAT_MIN  # ...but are flat inside


def test_a_lost_mask_fails_with_the_measures_of_each_polygon(clips: dict[str, Path]) -> None:
    result = check_frame(*_decoded(clips["lost"]), _polygons(WINDOW, DOOR))
    assert result.verdict is Verdict.FAIL
    assert [p.name for p in result.polygons if p.verdict is Verdict.FAIL] == ["zone 0", "zone 1"]
    for p in result.polygons:
        assert p.measures.std > 3 * STD_MAX
        assert p.measures.flat_share < FLAT_MIN / 2
    stored = result.as_json()
    assert stored["verdict"] == "fail"
    assert stored["polygons"][0]["measures"]["pixels"] > 1000  # type: ignore[index]


def test_one_lost_mask_among_kept_ones_fails_the_frame(clips: dict[str, Path]) -> None:
    luma, chroma = _decoded(clips["masked"])
    lost = _decoded(clips["lost"])[0]
    x0, y0, x1, y1 = round(DOOR[0] * W), round(DOOR[1] * H), round(DOOR[2] * W), round(DOOR[3] * H)
    luma[y0:y1, x0:x1] = lost[y0:y1, x0:x1]
    result = check_frame(luma, chroma, _polygons(WINDOW, DOOR))
    assert result.verdict is Verdict.FAIL
    assert [p.verdict for p in result.polygons] == [Verdict.PASS, Verdict.FAIL]


def test_a_dark_picture_is_inconclusive_not_a_pass_nor_a_fail(clips: dict[str, Path]) -> None:
    result = check_frame(*_decoded(clips["dark"]), _polygons(WINDOW, DOOR))
    assert result.verdict is Verdict.INCONCLUSIVE
    assert all(p.verdict is Verdict.INCONCLUSIVE for p in result.polygons)
    assert "no detail either" in result.polygons[0].why


def test_a_polygon_too_small_after_erosion_is_left_out_of_the_frame_verdict(
    clips: dict[str, Path],
) -> None:
    """A tiny polygon cannot be judged: it is told `too_small`, and the frame is judged by the
    others (else a camera with one small polygon could never pass nor fail)."""
    tiny = (0.5, 0.5, 0.52, 0.52)  # 6 × 5 pixels: nothing left once eroded
    result = check_frame(*_decoded(clips["masked"]), _polygons(WINDOW, tiny))
    assert [p.verdict for p in result.polygons] == [Verdict.PASS, Verdict.INCONCLUSIVE]
    assert [p.too_small for p in result.polygons] == [False, True]
    assert result.as_json()["polygons"][1]["too_small"] is True  # type: ignore[index]
    assert result.verdict is Verdict.PASS
    lost = check_frame(*_decoded(clips["lost"]), _polygons(WINDOW, tiny))
    assert lost.verdict is Verdict.FAIL
    alone = check_frame(*_decoded(clips["masked"]), _polygons(tiny))
    assert alone.verdict is Verdict.INCONCLUSIVE  # nothing left to judge


def test_the_border_is_eroded_so_that_ringing_does_not_count() -> None:
    """A sharp mask edge: the pixels next to it are dropped before measuring."""
    assert erosion(320) == 2
    assert erosion(1920) == 8
    luma = np.full((H, W), 16, np.uint8)
    luma[:, : W // 2] = 200
    mask = np.zeros((H, W), np.bool_)
    mask[:, W // 2 - 1 :] = True  # one column of the bright side inside
    raw = measure(luma, None, mask)
    assert raw.std > STD_MAX
    result = check_frame(luma, None, [("bord", mask)])
    assert result.polygons[0].measures.std == 0.0


# --- results kept, journal, API -------------------------------------------------------------


def _result(verdict: Verdict) -> FrameResult:
    """A real check of a synthetic frame that gives `verdict` for polygon "fenêtres"."""
    luma = np.random.default_rng(1).integers(0, 255, (H, W), dtype=np.uint8)
    ((_, mask),) = _polygons(WINDOW)
    if verdict is not Verdict.FAIL:
        luma[mask] = 16
    if verdict is Verdict.INCONCLUSIVE:
        luma[...] = 16
    result = check_frame(luma, None, [("fenêtres", mask)])
    assert result.verdict is verdict
    return result


def _masked(rt: Runtime, town: Town) -> int:
    masks = MaskSetInput(polygons=[polygon("fenêtres", rect(*WINDOW))], reason="logements")
    service.do_set_masks(rt, ADMIN, town.in_scope.id, masks)
    return town.in_scope.id


def _actions(rt: Runtime, camera_id: int) -> list[str]:
    with rt.db.read() as s:
        entries = list_entries(s, EntryFilter(camera_id=camera_id), limit=None, newest_first=False)
    return [e.action for e in entries if e.action.startswith("privacy.")]


def test_audits_are_kept_newest_first_and_only_failures_are_journalled(
    rt: Runtime, clock: FakeClock, client: TestClient, town: Town
) -> None:
    camera = _masked(rt, town)
    t0 = clock.now()
    for k, verdict in enumerate([Verdict.PASS, Verdict.PASS, Verdict.FAIL]):
        at = t0 + timedelta(minutes=k)
        trigger = AuditTrigger.START if k == 0 else AuditTrigger.PERIODIC
        outcome = audit_service.do_record_audit(rt, camera, at, trigger, _result(verdict), 1)
    assert outcome.latched
    assert outcome.flag is not None
    assert outcome.flag.from_at == t0 + timedelta(minutes=1)  # the last passing audit
    assert _actions(rt, camera)[-2:] == ["privacy.audit_failed", "privacy.server_forced"]
    assert "privacy.audit_passed" not in _actions(rt, camera)
    # a failure while latched: kept and journalled, no second latch nor flag
    again = audit_service.do_record_audit(
        rt, camera, t0 + timedelta(minutes=3), AuditTrigger.MANUAL, _result(Verdict.FAIL), 1
    )
    assert not again.latched
    assert len(audit_service.flags(rt, camera)) == 1
    assert audit_service.close_flags(rt, camera, t0 + timedelta(minutes=4)) == 1

    response = client.get(f"/api/cameras/{camera}/masks/audits", headers=town.headers(Role.AUDITOR))
    assert response.status_code == 200, response.text
    body = response.json()
    assert [a["verdict"] for a in body["audits"]] == ["fail", "fail", "pass", "pass"]
    assert body["audits"][0]["trigger"] == "manual"
    assert body["audits"][-1]["details"]["polygons"][0]["name"] == "fenêtres"
    assert body["flags"][0]["audit_id"] == body["audits"][1]["id"]
    assert body["flags"][0]["to_at"] is not None
    outside = client.get(
        f"/api/cameras/{town.out_of_scope.id}/masks/audits",
        headers=town.headers(Role.EXTERNAL_VIEWER),
    )
    assert outside.status_code == 403


def test_a_streak_of_inconclusive_audits_is_journalled_once(
    rt: Runtime, clock: FakeClock, town: Town
) -> None:
    camera = _masked(rt, town)
    inconclusive = _result(Verdict.INCONCLUSIVE)
    for k in range(audit_service.INCONCLUSIVE_STREAK + 3):
        at = clock.now() + timedelta(minutes=k)
        audit_service.do_record_audit(rt, camera, at, AuditTrigger.PERIODIC, inconclusive, 1)
    assert _actions(rt, camera).count("privacy.audit_inconclusive") == 1
    assert service.camera_masks(rt, camera).latch is None  # inconclusive is not a failure


def test_an_administrator_asks_for_an_audit_of_an_audited_camera(
    rt: Runtime, client: TestClient, town: Town
) -> None:
    url = f"/api/cameras/{town.in_scope.id}/masks/audit"
    refused = client.post(url, headers=town.headers(Role.ADMINISTRATOR))
    assert refused.status_code == 422
    assert refused.json()["code"] == "mask_audit_not_applicable"  # no polygons yet
    camera = _masked(rt, town)
    assert client.post(url, headers=town.headers(Role.OPERATOR)).status_code == 403
    first = client.post(url, headers=town.headers(Role.ADMINISTRATOR))
    assert first.status_code == 202, first.text
    second = client.post(url, headers=town.headers(Role.ADMINISTRATOR))
    assert second.json()["requested_at"] == first.json()["requested_at"]  # not doubled
    assert audit_service.take_requests(rt, {camera, town.out_of_scope.id}) == {camera}
    assert audit_service.take_requests(rt, {camera}) == set()


def test_a_flag_starts_at_the_last_audit_that_found_the_polygon_hidden_whatever_its_verdict(
    rt: Runtime, clock: FakeClock, town: Town
) -> None:
    """Inconclusive audits (a dark picture) found the polygon hidden: the footage since the
    last of them is flagged, not only since the failing frame (no audit ever passed)."""
    camera = _masked(rt, town)
    t0 = clock.now() + timedelta(minutes=1)
    for k in range(5):
        at = t0 + timedelta(minutes=k)
        audit_service.do_record_audit(
            rt, camera, at, AuditTrigger.PERIODIC, _result(Verdict.INCONCLUSIVE), 1
        )
    failed = audit_service.do_record_audit(
        rt, camera, t0 + timedelta(minutes=10), AuditTrigger.PERIODIC, _result(Verdict.FAIL), 1
    )
    assert failed.flag is not None
    assert failed.flag.from_at == t0 + timedelta(minutes=4)


def test_a_flag_with_no_earlier_audit_starts_when_the_camera_began_masking_itself(
    rt: Runtime, clock: FakeClock, town: Town
) -> None:
    camera = _masked(rt, town)
    began = service.camera_masks(rt, camera).current.effective_from
    assert began is not None
    at = clock.now() + timedelta(minutes=10)
    failed = audit_service.do_record_audit(
        rt, camera, at, AuditTrigger.START, _result(Verdict.FAIL), 1
    )
    assert failed.flag is not None
    assert failed.flag.from_at == began < at


@pytest.mark.parametrize("uncovered", [0.05, 0.10, 0.15])
def test_a_camera_mask_that_leaves_a_strip_of_the_polygon_visible_fails(
    tmp_path: Path, uncovered: float
) -> None:
    """The camera hides most of the polygon but a strip of the scene along its side (a mask
    shifted after a reboot or a zoom): on the whole the polygon looks pixelated, cell by cell
    it does not."""
    width, height, box = 1280, 720, (0.30, 0.20, 0.70, 0.60)
    shown = (box[0], box[1], box[2] - (box[2] - box[0]) * uncovered, box[3])
    clip = write_clip(
        tmp_path / "shifted.mp4",
        1,
        width=width,
        height=height,
        fps=5,
        gop_seconds=1,
        masks=[shown],
    )
    with av.open(str(clip)) as source:
        frame = next(f for f in source.decode(video=0) if f.key_frame)
    planes = [
        np.frombuffer(p, np.uint8).reshape(p.height, p.line_size)[:, : p.width]
        for p in frame.planes
    ]
    mask = raster_mask(rasterize([rect(*box)], width, height))
    result = check_frame(planes[0], (planes[1], planes[2]), [("fenêtres", mask)])
    (polygon_result,) = result.polygons
    assert polygon_result.measures.flat_share >= FLAT_MIN  # the whole alone would pass...
    assert polygon_result.measures.cells_shown > 0  # ...its cells along the strip do not
    assert result.verdict is Verdict.FAIL


@pytest.mark.parametrize("block", [8, 16])
def test_a_fine_mosaic_is_not_a_pixelated_mask(tmp_path: Path, block: int) -> None:
    """Blocks smaller than 1/40 of the width (32 pixels at 1280) still show shapes: nearly
    every neighbour pair is flat, yet pairs `coarse(width)` apart are not: it fails; blocks of
    1/40 pass (test_a_pixelated_camera_mask_passes)."""
    width, height = 1280, 720
    luma = _pixelate(_scene(width=width, height=height), WINDOW, block)
    clip = _encode(tmp_path / "fine.mp4", [luma] * 2)
    mask = raster_mask(rasterize([rect(*WINDOW)], width, height))
    result = check_frame(*_decoded(clip), [("fenêtres", mask)])
    assert result.polygons[0].measures.flat_share >= FLAT_MIN  # flat at one pixel...
    assert result.polygons[0].measures.coarse_share < COARSE_MIN  # ...not at the scale
    assert result.verdict is Verdict.FAIL


def test_masks_never_verified_for_six_hours_are_told_unverified_once(
    rt: Runtime, clock: FakeClock, town: Town
) -> None:
    """Inconclusive forever (night, a blank picture) is not silence: the first audit past
    `UNVERIFIED_AFTER` without a conclusive one says since when, and is journalled; a pass
    ends it, and it can come again."""
    camera = _masked(rt, town)
    began = service.camera_masks(rt, camera).current.effective_from
    assert began is not None
    dark, passing = _result(Verdict.INCONCLUSIVE), _result(Verdict.PASS)

    def at_hour(hour: float, result: FrameResult) -> datetime | None:
        at = began + timedelta(hours=hour)
        outcome = audit_service.do_record_audit(rt, camera, at, AuditTrigger.PERIODIC, result, 1)
        return outcome.unverified_since

    told = {h: at_hour(h, dark) for h in (1, 3, 5, 6, 7, 8)}
    assert told == {1: None, 3: None, 5: None, 6: began, 7: None, 8: None}
    assert at_hour(9, passing) is None
    assert [at_hour(h, dark) for h in (10, 14, 15, 16)] == [
        None,
        None,
        began + timedelta(hours=9),
        None,
    ]
    with rt.db.read() as s:
        entries = list_entries(s, EntryFilter(camera_id=camera), limit=None, newest_first=False)
    unverified = [e for e in entries if "unverified" in e.reason]
    assert len(unverified) == 2
    assert service.camera_masks(rt, camera).latch is None  # unverified is not a failure


def test_masks_unverified_for_six_hours_are_a_problem_the_administrator_reads(
    rt: Runtime, clock: FakeClock, client: TestClient, town: Town
) -> None:
    camera = _masked(rt, town)
    url, headers = f"/api/cameras/{camera}/masks", town.headers(Role.ADMINISTRATOR)

    def codes() -> list[str]:
        return [p["code"] for p in client.get(url, headers=headers).json()["problems"]]

    clock.advance(timedelta(hours=5))
    assert codes() == []  # not yet: no audit is due to have concluded
    clock.advance(timedelta(hours=2))
    assert codes() == ["mask_unverified"]
    passing = _result(Verdict.PASS)
    audit_service.do_record_audit(rt, camera, rt.now(), AuditTrigger.PERIODIC, passing, 1)
    assert codes() == []
