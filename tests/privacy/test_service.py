"""Mask use cases against a real database (both engines): versions, journal, the version in
force at a past instant, the PTZ rule (P5) and the latch of a failed audit (P4)."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest

from sentinelle.audit.models import Actor, AuditAction, Entry
from sentinelle.audit.repository import EntryFilter, list_entries
from sentinelle.audit.verify import verify_journal
from sentinelle.core.clock import FakeClock
from sentinelle.core.errors import SentinelleError
from sentinelle.privacy import policy, service
from sentinelle.privacy.models import (
    ConfirmFixedInput,
    Enforcement,
    MaskMode,
    MaskModeInput,
    MaskPolygon,
    MaskSetInput,
)
from sentinelle.registry import service as registry
from sentinelle.registry.models import CameraChanges, CameraKind
from sentinelle.registry.tables import CameraRow
from sentinelle.runtime import Runtime
from tests import factories as f
from tests.privacy.conftest import polygon, rect

ADMIN = Actor.user(7, "admin-dupont")
AUDIT = Actor.system("mask-audit")
WINDOWS = polygon("fenêtres 12 rue Victor-Hugo", rect(0.1, 0.1, 0.3, 0.3))
DOOR = polygon("porte 14", rect(0.5, 0.5, 0.6, 0.9))


def _cameras(rt: Runtime) -> tuple[CameraRow, CameraRow]:
    """A fixed camera and a PTZ camera, in service."""
    _, zone, (fixed, _) = f.town(rt)
    return fixed, f.camera(rt, zone.id, "CAM-PTZ", kind=CameraKind.PTZ)


def _masks(*polygons: MaskPolygon, reason: str = "vue sur des logements") -> MaskSetInput:
    return MaskSetInput(polygons=list(polygons), reason=reason)


def _journal(rt: Runtime, camera_id: int) -> list[Entry]:
    with rt.db.read() as s:
        entries = list_entries(s, EntryFilter(camera_id=camera_id), limit=None, newest_first=False)
    return [e for e in entries if e.action.startswith("privacy.")]


def _code(call: object, *args: object) -> str:
    with pytest.raises(SentinelleError) as caught:
        call(*args)  # type: ignore[operator]
    return caught.value.code


def test_a_never_configured_camera_is_version_0_in_camera_mode(rt: Runtime) -> None:
    fixed, _ = _cameras(rt)
    masks = service.camera_masks(rt, fixed.id)
    assert masks.current.version == 0
    assert masks.current.polygons == ()
    assert masks.effective_mode is MaskMode.CAMERA
    assert masks.enforcement is Enforcement.CAMERA_SIDE
    assert masks.latch is None
    assert masks.problems == ()


def test_each_change_is_a_new_version_journalled_with_reason_author_and_diff(
    rt: Runtime, clock: FakeClock
) -> None:
    fixed, _ = _cameras(rt)
    first = service.do_set_masks(rt, ADMIN, fixed.id, _masks(WINDOWS))
    assert first.current.version == 1
    assert first.current.created_by == "admin-dupont"
    assert first.current.effective_from == clock.now()
    clock.advance(timedelta(hours=1))
    moved = polygon(WINDOWS.name, rect(0.1, 0.1, 0.35, 0.3))
    second = service.do_set_masks(rt, ADMIN, fixed.id, _masks(moved, DOOR, reason="travaux"))
    assert second.current.version == 2
    assert [p.name for p in second.current.polygons] == [WINDOWS.name, DOOR.name]
    clock.advance(timedelta(hours=1))
    third = service.do_set_mode(rt, ADMIN, fixed.id, MaskModeInput(mode="server", reason="r"))
    assert third.current.version == 3
    assert third.current.polygons == second.current.polygons
    assert third.enforcement is Enforcement.BURN_IN

    entries = _journal(rt, fixed.id)
    assert [e.action for e in entries] == [
        AuditAction.MASKS_SET,
        AuditAction.MASKS_SET,
        AuditAction.MASK_MODE_SET,
    ]
    assert [e.reason for e in entries] == ["vue sur des logements", "travaux", "r"]
    assert {e.actor_name for e in entries} == {"admin-dupont"}
    diff = json.loads(entries[1].details)
    assert diff["added"] == [DOOR.name]
    assert diff["changed"] == [WINDOWS.name]
    assert diff["removed"] == []
    assert diff["version"] == 2
    assert diff["previous_version"] == 1
    assert f'"digest":"{second.current.digest}"' in entries[1].details
    assert '"from":"camera"' in entries[2].details
    assert '"to":"server"' in entries[2].details
    versions, _ = service.history(rt, fixed.id)
    assert [v.version for v in versions] == [3, 2, 1]


def test_the_version_in_force_at_a_past_instant_is_known(rt: Runtime, clock: FakeClock) -> None:
    fixed, _ = _cameras(rt)
    before = clock.now() - timedelta(seconds=1)
    service.do_set_masks(rt, ADMIN, fixed.id, _masks(WINDOWS))
    t1 = clock.now()
    clock.advance(timedelta(days=2))
    service.do_set_masks(rt, ADMIN, fixed.id, _masks(WINDOWS, DOOR))
    assert service.masks_at(rt, fixed.id, before).version == 0
    assert service.masks_at(rt, fixed.id, t1).version == 1
    assert service.masks_at(rt, fixed.id, t1 + timedelta(days=1)).version == 1
    assert service.masks_at(rt, fixed.id, clock.now()).version == 2
    assert len(service.masks_at(rt, fixed.id, clock.now()).polygons) == 2


def test_no_op_changes_and_missing_reasons_are_refused(rt: Runtime) -> None:
    fixed, _ = _cameras(rt)
    service.do_set_masks(rt, ADMIN, fixed.id, _masks(WINDOWS))
    assert _code(service.do_set_masks, rt, ADMIN, fixed.id, _masks(WINDOWS)) == "mask_unchanged"
    camera = MaskModeInput(mode="camera", reason="r")
    assert _code(service.do_set_mode, rt, ADMIN, fixed.id, camera) == "mask_mode_unchanged"
    no_reason = _masks(DOOR, reason="  ")
    assert _code(service.do_set_masks, rt, ADMIN, fixed.id, no_reason) == "reason_required"
    assert _code(service.do_force_server, rt, AUDIT, fixed.id, "") == "reason_required"
    assert _code(service.camera_masks, rt, 999) == "camera_not_found"
    assert service.camera_masks(rt, fixed.id).current.version == 1
    assert len(_journal(rt, fixed.id)) == 1


def test_an_empty_set_is_a_version_that_says_nothing_needs_hiding(rt: Runtime) -> None:
    fixed, _ = _cameras(rt)
    masks = service.do_set_masks(rt, ADMIN, fixed.id, _masks(reason="vue sur la place seule"))
    assert masks.current.version == 1
    assert masks.current.polygons == ()


def test_a_ptz_camera_needs_every_polygon_on_a_preset_for_server_mode(rt: Runtime) -> None:
    _, ptz = _cameras(rt)
    service.do_set_masks(rt, ADMIN, ptz.id, _masks(WINDOWS))
    server = MaskModeInput(mode="server", reason="r")
    with pytest.raises(SentinelleError) as caught:
        service.do_set_mode(rt, ADMIN, ptz.id, server)
    assert caught.value.code == "mask_ptz_requires_camera_mode"
    assert "camera-side masks" in caught.value.message
    assert caught.value.details == {"unbound_polygons": [WINDOWS.name]}

    bound = polygon(WINDOWS.name, WINDOWS.points, ptz_preset="1-place")
    service.do_set_masks(rt, ADMIN, ptz.id, _masks(bound))
    masks = service.do_set_mode(rt, ADMIN, ptz.id, server)
    assert masks.enforcement is Enforcement.BURN_IN
    unbound = _masks(bound, DOOR)
    assert _code(service.do_set_masks, rt, ADMIN, ptz.id, unbound) == (
        "mask_ptz_requires_camera_mode"
    )


def test_a_preset_on_a_camera_that_is_not_ptz_is_refused(rt: Runtime) -> None:
    fixed, _ = _cameras(rt)
    bound = polygon("balcon", rect(0.1, 0.1, 0.2, 0.2), ptz_preset="1")
    code = _code(service.do_set_masks, rt, ADMIN, fixed.id, _masks(bound))
    assert code == "mask_preset_without_ptz"


def test_a_failed_audit_latches_server_mode_until_an_administrator_confirms(
    rt: Runtime, clock: FakeClock
) -> None:
    fixed, _ = _cameras(rt)
    service.do_set_masks(rt, ADMIN, fixed.id, _masks(WINDOWS))
    clock.advance(timedelta(minutes=5))
    latched = service.do_force_server(rt, AUDIT, fixed.id, "mask audit failed", {"score": 0.4})
    assert latched.current.mode is MaskMode.CAMERA  # the administrator's choice is kept
    assert latched.effective_mode is MaskMode.SERVER
    assert latched.enforcement is Enforcement.BURN_IN
    assert latched.latch is not None
    assert latched.latch.forced_by == "mask-audit"
    assert [p.code for p in latched.problems] == ["mask_audit_failed"]
    again = service.do_force_server(rt, AUDIT, fixed.id, "still failing")
    assert again.latch == latched.latch  # idempotent: one latch, one entry

    camera = MaskModeInput(mode="camera", reason="r")
    assert _code(service.do_set_mode, rt, ADMIN, fixed.id, camera) == "mask_mode_unchanged"

    clock.advance(timedelta(hours=3))
    fixed_now = ConfirmFixedInput(reason="firmware 5.2 reinstalled, masks checked on site")
    confirmed = service.do_confirm_camera_fixed(rt, ADMIN, fixed.id, fixed_now)
    assert confirmed.latch is None
    assert confirmed.effective_mode is MaskMode.CAMERA
    assert confirmed.enforcement is Enforcement.CAMERA_SIDE
    assert _code(service.do_confirm_camera_fixed, rt, ADMIN, fixed.id, fixed_now) == (
        "mask_not_latched"
    )
    _, latches = service.history(rt, fixed.id)
    assert len(latches) == 1
    assert latches[0].confirmed_by == "admin-dupont"
    assert latches[0].confirmed_at == clock.now()
    assert latches[0].confirm_reason == fixed_now.reason
    actions = [e.action for e in _journal(rt, fixed.id)]
    assert actions == [
        AuditAction.MASKS_SET,
        AuditAction.MASK_SERVER_FORCED,
        AuditAction.MASK_CAMERA_CONFIRMED_FIXED,
    ]


def test_choosing_camera_mode_while_latched_is_refused(rt: Runtime) -> None:
    fixed, _ = _cameras(rt)
    service.do_set_mode(rt, ADMIN, fixed.id, MaskModeInput(mode="server", reason="r"))
    service.do_force_server(rt, AUDIT, fixed.id, "mask audit failed")
    camera = MaskModeInput(mode="camera", reason="la caméra masque déjà")
    assert _code(service.do_set_mode, rt, ADMIN, fixed.id, camera) == "mask_mode_latched"


def test_a_ptz_camera_the_server_cannot_mask_is_blacked_out(rt: Runtime) -> None:
    _, ptz = _cameras(rt)
    service.do_set_masks(rt, ADMIN, ptz.id, _masks(WINDOWS))
    masks = service.do_force_server(rt, AUDIT, ptz.id, "mask audit failed")
    assert masks.enforcement is Enforcement.BLACKOUT
    assert "mask_ptz_requires_camera_mode" in [p.code for p in masks.problems]


def test_a_camera_that_becomes_ptz_is_blacked_out_until_its_polygons_are_bound(
    rt: Runtime,
) -> None:
    fixed, _ = _cameras(rt)
    service.do_set_masks(rt, ADMIN, fixed.id, _masks(WINDOWS))
    service.do_set_mode(rt, ADMIN, fixed.id, MaskModeInput(mode="server", reason="r"))
    registry.do_update_camera(rt, f.ADMIN, fixed.id, CameraChanges(kind=CameraKind.PTZ))
    masks = service.camera_masks(rt, fixed.id)
    assert masks.enforcement is Enforcement.BLACKOUT
    bound = polygon(WINDOWS.name, WINDOWS.points, ptz_preset="home")
    assert service.do_set_masks(rt, ADMIN, fixed.id, _masks(bound)).enforcement is (
        Enforcement.BURN_IN
    )


def test_the_picture_mask_follows_the_enforcement_and_the_ptz_position(rt: Runtime) -> None:
    fixed, ptz = _cameras(rt)
    service.do_set_masks(rt, ADMIN, fixed.id, _masks(WINDOWS))
    assert policy.picture_mask(service.camera_masks(rt, fixed.id), 640, 480) is None
    server = MaskModeInput(mode="server", reason="r")
    burnt = policy.picture_mask(service.do_set_mode(rt, ADMIN, fixed.id, server), 640, 480)
    assert burnt is not None
    assert burnt.count() == 128 * 96  # 20 % × 20 % of 640 × 480

    home = polygon("balcons", rect(0.1, 0.1, 0.3, 0.3), ptz_preset="home")
    gate = polygon("porte", rect(0.5, 0.5, 0.6, 0.6), ptz_preset="gate")
    service.do_set_masks(rt, ADMIN, ptz.id, _masks(home, gate))
    masks = service.do_set_mode(rt, ADMIN, ptz.id, server)
    at_home = policy.picture_mask(masks, 100, 100, at_preset="home")
    assert at_home is not None
    assert at_home.count() == 400
    elsewhere = policy.picture_mask(masks, 100, 100, at_preset="market")
    assert elsewhere is not None
    assert elsewhere.count() == 0
    moving = policy.picture_mask(masks, 100, 100, at_preset=None)
    assert moving is not None
    assert moving.count() == 100 * 100


def test_concurrent_changes_get_successive_versions(rt: Runtime) -> None:
    fixed, _ = _cameras(rt)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def change(name: str) -> None:
        barrier.wait()
        try:
            service.do_set_masks(rt, ADMIN, fixed.id, _masks(polygon(name, WINDOWS.points)))
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=change, args=(n,)) for n in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    versions, _ = service.history(rt, fixed.id)
    assert [v.version for v in versions] == [2, 1]
    assert {v.polygons[0].name for v in versions} == {"a", "b"}


def test_stored_versions_match_their_digest_and_the_journal_verifies(rt: Runtime) -> None:
    fixed, ptz = _cameras(rt)
    service.do_set_masks(rt, ADMIN, fixed.id, _masks(WINDOWS, DOOR))
    bound = polygon("b", rect(0.2, 0.2, 0.4, 0.4), ptz_preset="1", fill="pixelate")
    service.do_set_masks(rt, ADMIN, ptz.id, _masks(bound))
    service.do_force_server(rt, AUDIT, ptz.id, "audit failed")
    for camera in (fixed, ptz):
        versions, _ = service.history(rt, camera.id)
        for v in versions:
            assert policy.digest(v.polygons) == v.digest
            entry = next(
                e for e in _journal(rt, camera.id) if f'"version":{v.version}' in e.details
            )
            assert json.loads(entry.details)["digest"] == v.digest
    assert service.camera_masks(rt, ptz.id).current.polygons[0].fill == "pixelate"
    assert verify_journal(rt.db).ok
