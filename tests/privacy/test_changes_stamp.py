"""The worker applies a mask change within a second (P2): `changes_stamp` moves at every
change of masks, mode or latch, and of a camera's kind to or from PTZ (P5), and
`IngestWorker.masks_changed` sees it until the worker refreshes."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

from sentinelle.audit.models import Actor
from sentinelle.ingest.worker import IngestWorker
from sentinelle.privacy import service
from sentinelle.privacy.models import (
    ConfirmFixedInput,
    Enforcement,
    MaskMode,
    MaskModeInput,
    MaskSetInput,
)
from sentinelle.registry import service as registry
from sentinelle.registry.models import CameraChanges, CameraKind
from sentinelle.runtime import Runtime
from tests import factories as f
from tests.privacy.conftest import polygon, rect

ADMIN = Actor.user(7, "admin-dupont")
WINDOWS = polygon("fenêtres 3 place du Marché", rect(0.1, 0.1, 0.3, 0.3))


def test_the_stamp_moves_at_every_change_of_masks_mode_or_latch(rt: Runtime) -> None:
    _, _, (camera, _) = f.town(rt)
    seen = [service.changes_stamp(rt)]
    service.do_set_masks(rt, ADMIN, camera.id, MaskSetInput(polygons=[WINDOWS], reason="vue"))
    seen.append(service.changes_stamp(rt))
    service.do_set_mode(
        rt, ADMIN, camera.id, MaskModeInput(mode=MaskMode.SERVER, reason="caméra sans masques")
    )
    seen.append(service.changes_stamp(rt))
    service.do_set_mode(rt, ADMIN, camera.id, MaskModeInput(mode=MaskMode.CAMERA, reason="r"))
    service.do_force_server(rt, Actor.system("mask-audit"), camera.id, "mask audit failed")
    seen.append(service.changes_stamp(rt))
    service.do_confirm_camera_fixed(rt, ADMIN, camera.id, ConfirmFixedInput(reason="réparée"))
    seen.append(service.changes_stamp(rt))
    assert len(set(seen)) == len(seen), seen
    assert service.changes_stamp(rt) == seen[-1]  # reading changes nothing


def test_the_worker_sees_a_change_until_it_refreshes(rt: Runtime) -> None:
    _, _, (camera, _) = f.town(rt)
    worker = IngestWorker(rt)
    worker._masks_stamp = service.changes_stamp(rt)  # as a refresh leaves it
    assert not worker.masks_changed()
    service.do_set_masks(rt, ADMIN, camera.id, MaskSetInput(polygons=[WINDOWS], reason="vue"))
    assert worker.masks_changed()
    worker._masks_stamp = service.changes_stamp(rt)
    assert not worker.masks_changed()


def test_the_stamp_moves_when_a_camera_becomes_ptz_or_stops_being_one(rt: Runtime) -> None:
    """The kind decides the enforcement of a server-masked camera (P5: a PTZ with an unbound
    polygon is blacked out), so a change of kind to or from `ptz` is a change to apply."""
    _, _, (camera, other) = f.town(rt)
    worker = IngestWorker(rt)
    worker._masks_stamp = service.changes_stamp(rt)
    seen = [worker._masks_stamp]
    for cam, kind in (
        (camera, CameraKind.PTZ),
        (other, CameraKind.PTZ),
        (camera, CameraKind.FIXED),
    ):
        registry.do_update_camera(rt, ADMIN, cam.id, CameraChanges(kind=kind), "remplacée")
        assert worker.masks_changed()
        worker._masks_stamp = service.changes_stamp(rt)
        seen.append(worker._masks_stamp)
    assert len(set(seen)) == len(seen), seen
    assert not worker.masks_changed()


def test_a_server_masked_camera_that_becomes_ptz_is_blacked_out_before_the_full_refresh(
    rt: Runtime, tmp_path: Path
) -> None:
    """The worker's full refresh is an hour away here: only the stamp's poll can apply it."""
    _, zone, _ = f.town(rt)
    absent = f"file://{tmp_path}/absent.mp4"  # the session retries; masks are what matter
    camera = f.camera(rt, zone.id, "CAM-MAIRIE", main_stream_url=absent)
    service.do_set_masks(rt, ADMIN, camera.id, MaskSetInput(polygons=[WINDOWS], reason="vue"))
    mode = MaskModeInput(mode=MaskMode.SERVER, reason="caméra sans masques")
    service.do_set_mode(rt, ADMIN, camera.id, mode)
    worker, stop = IngestWorker(rt), threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop, 3600.0), daemon=True)
    thread.start()
    try:
        assert _wait_for(lambda: _enforcement(worker, camera.id) is Enforcement.BURN_IN)
        changes = CameraChanges(kind=CameraKind.PTZ)
        registry.do_update_camera(rt, ADMIN, camera.id, changes, "tourelle motorisée posée")
        assert _wait_for(lambda: _enforcement(worker, camera.id) is Enforcement.BLACKOUT)
        assert worker.sessions[camera.id].burns
    finally:
        stop.set()
        thread.join(30)
    assert not thread.is_alive()


def _enforcement(worker: IngestWorker, camera_id: int) -> Enforcement | None:
    masks = worker.masks.get(camera_id)
    return None if masks is None else masks.enforcement


def _wait_for(predicate: Callable[[], bool], timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False
