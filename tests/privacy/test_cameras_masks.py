"""The worker's refresh reads every camera's masks in one query (`service.cameras_masks`), and
reads exactly what `camera_masks` gives one camera at a time, whatever the state: never
configured, camera or server mode, a latch open, a latch confirmed, several latches, a PTZ
camera blacked out; a camera whose rows cannot be read, or that does not exist, is told apart
without hiding the others."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from sentinelle.audit.models import Actor
from sentinelle.core.errors import NotFound
from sentinelle.privacy import service
from sentinelle.privacy.models import (
    ConfirmFixedInput,
    Enforcement,
    MaskMode,
    MaskModeInput,
    MaskSetInput,
)
from sentinelle.privacy.tables import MaskSetRow
from sentinelle.registry.models import CameraKind
from sentinelle.runtime import Runtime
from tests import factories as f
from tests.privacy.conftest import polygon, rect

ADMIN = Actor.user(7, "admin-dupont")
AUDIT = Actor.system("mask-audit")


def _masks(rt: Runtime, camera_id: int, n: int = 1) -> None:
    polygons = [polygon(f"fenêtres {k}", rect(0.1 * k, 0.1, 0.1 * k + 0.05, 0.5)) for k in range(n)]
    service.do_set_masks(rt, ADMIN, camera_id, MaskSetInput(polygons=polygons, reason="vue"))


def _cameras(rt: Runtime) -> dict[str, int]:
    """One camera in each state the worker may meet."""
    zone = f.zone(rt, f.authorisation(rt).id).id
    ids = {
        name: f.camera(rt, zone, f"CAM-{k:03d}", **extra).id
        for k, (name, extra) in enumerate(
            [
                ("bare", {}),
                ("camera", {}),
                ("server", {}),
                ("latched", {}),
                ("confirmed", {}),
                ("latched_again", {}),
                ("ptz", {"kind": CameraKind.PTZ}),
            ]
        )
    }
    for name in ("camera", "server", "latched", "confirmed", "latched_again"):
        _masks(rt, ids[name])
    _masks(rt, ids["camera"], 2)  # a second version: the highest is read
    server = MaskModeInput(mode=MaskMode.SERVER, reason="burn-in")
    service.do_set_mode(rt, ADMIN, ids["server"], server)
    for name in ("latched", "confirmed", "latched_again"):
        service.do_force_server(rt, AUDIT, ids[name], "mask audit failed")
    for name in ("confirmed", "latched_again"):
        service.do_confirm_camera_fixed(rt, ADMIN, ids[name], ConfirmFixedInput(reason="réparé"))
    service.do_force_server(rt, AUDIT, ids["latched_again"], "failed again")
    _masks(rt, ids["ptz"])
    with rt.db.write() as s:  # a PTZ camera in server mode with an unbound polygon (P5)
        s.execute(
            sa.update(MaskSetRow).where(MaskSetRow.camera_id == ids["ptz"]).values(mode="server")
        )
    return ids


@contextmanager
def _queries(rt: Runtime) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(conn: object, cursor: object, statement: str, *_: object) -> None:
        seen.append(statement)

    sa.event.listen(rt.db.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        sa.event.remove(rt.db.engine, "before_cursor_execute", count)


def test_every_cameras_masks_in_one_query_as_one_at_a_time(rt: Runtime) -> None:
    ids = _cameras(rt)
    with _queries(rt) as seen:
        read, unreadable = service.cameras_masks(rt, list(ids.values()))
    assert len([q for q in seen if q.lstrip().upper().startswith("SELECT")]) == 1
    assert unreadable == {}
    assert read == {camera_id: service.camera_masks(rt, camera_id) for camera_id in ids.values()}
    enforcement = {name: read[camera_id].enforcement for name, camera_id in ids.items()}
    assert enforcement == {
        "bare": Enforcement.CAMERA_SIDE,
        "camera": Enforcement.CAMERA_SIDE,
        "server": Enforcement.BURN_IN,
        "latched": Enforcement.BURN_IN,
        "confirmed": Enforcement.CAMERA_SIDE,
        "latched_again": Enforcement.BURN_IN,
        "ptz": Enforcement.BLACKOUT,
    }
    assert read[ids["camera"]].current.version == 2
    assert read[ids["latched_again"]].latch is not None
    assert read[ids["latched_again"]].latch.reason == "failed again"  # type: ignore[union-attr]


def test_an_unreadable_or_unknown_camera_is_told_apart_and_the_others_are_read(
    rt: Runtime,
) -> None:
    ids = _cameras(rt)
    with rt.db.write() as s:  # a fill this version does not know
        newest = sa.select(MaskSetRow).where(MaskSetRow.camera_id == ids["server"])
        row = s.scalars(newest.order_by(MaskSetRow.version.desc()).limit(1)).one()
        polygons = [dict(p, fill="flou-gaussien") for p in row.polygons]
        s.execute(sa.update(MaskSetRow).where(MaskSetRow.id == row.id).values(polygons=polygons))
    read, unreadable = service.cameras_masks(rt, [*ids.values(), 9999])
    assert set(unreadable) == {ids["server"], 9999}
    assert isinstance(unreadable[ids["server"]], ValueError)
    with pytest.raises(ValueError, match="flou-gaussien"):
        service.camera_masks(rt, ids["server"])  # the same failure, one at a time
    assert isinstance(unreadable[9999], NotFound)
    assert set(read) == set(ids.values()) - {ids["server"]}
    assert service.cameras_masks(rt, []) == ({}, {})
