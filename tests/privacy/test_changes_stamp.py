"""The worker applies a mask change within a second (P2): `changes_stamp` moves at every
change of masks, mode or latch, and `IngestWorker.masks_changed` sees it until the worker
refreshes."""

from __future__ import annotations

from sentinelle.audit.models import Actor
from sentinelle.ingest.worker import IngestWorker
from sentinelle.privacy import service
from sentinelle.privacy.models import ConfirmFixedInput, MaskMode, MaskModeInput, MaskSetInput
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
