"""A zone's perimeter: stored as a valid GeoJSON Polygon or refused with its own code; drawn,
redrawn and removed through `PATCH /api/zones/{id}`, journalled; scoped readers see only the
zones of their cameras."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from sentinelle.access.models import Role
from sentinelle.core.errors import Conflict, InvalidInput
from sentinelle.registry import perimeter as geo
from sentinelle.registry import service
from sentinelle.registry.models import ZoneChanges, ZoneInput
from sentinelle.runtime import Runtime
from tests import factories as f
from tests.api.conftest import Town

SQUARE = [[4.89, 44.93], [4.90, 44.93], [4.90, 44.94], [4.89, 44.94], [4.89, 44.93]]


def polygon(*rings: list[list[float]]) -> dict[str, Any]:
    return {"type": "Polygon", "coordinates": list(rings)}


def _journal(rt: Runtime, action: str) -> list[tuple[str, str]]:
    with rt.db.read() as s:
        rows = s.execute(
            sa.text("SELECT target_id, details FROM audit_entries WHERE action = :a ORDER BY seq"),
            {"a": action},
        )
        return [(r[0], r[1]) for r in rows]


INVALID = {
    "perimeter_ring_count": polygon(SQUARE, SQUARE),
    "perimeter_too_few_positions": polygon([[4.89, 44.93], [4.90, 44.93], [4.89, 44.93]]),
    "perimeter_not_closed": polygon([*SQUARE[:-1], [4.895, 44.935]]),
    "perimeter_bad_position": polygon([[4.89, 44.93, 12.0], *SQUARE[1:]]),
    "perimeter_out_of_range": polygon([[4.89, 44.93], [190.0, 44.93], [4.9, 44.94], [4.89, 44.93]]),
    "perimeter_degenerate": polygon([[4.89, 44.93], [4.90, 44.93], [4.91, 44.93], [4.89, 44.93]]),
    # a bow tie: the edges 0-1 and 2-3 cross in the middle
    "perimeter_self_intersecting": polygon(
        [[4.89, 44.93], [4.90, 44.94], [4.90, 44.93], [4.89, 44.94], [4.89, 44.93]]
    ),
}


@pytest.mark.parametrize("code", sorted(INVALID))
def test_each_invalid_perimeter_has_its_code(code: str) -> None:
    with pytest.raises(InvalidInput) as err:
        geo.check(geo.Perimeter.model_validate(INVALID[code]))
    assert err.value.code == code


@pytest.mark.parametrize(
    "ring",
    [
        # the outline comes back to a corner it already passed
        [[0, 0], [2, 0], [2, 2], [1, 0], [0, 2], [0, 0]],
        # an edge folds back over the previous one
        [[0, 0], [2, 0], [1, 0], [1, 1], [0, 0]],
        # a corner touches a non-adjacent edge
        [[0, 0], [4, 0], [4, 4], [2, 0.0], [0, 4], [0, 0]],
    ],
)
def test_touching_or_overlapping_outlines_are_refused(ring: list[list[float]]) -> None:
    with pytest.raises(InvalidInput) as err:
        geo.check(geo.Perimeter.model_validate(polygon(ring)))
    assert err.value.code == "perimeter_self_intersecting"


def test_concave_and_clockwise_outlines_are_valid() -> None:
    concave = [[0, 0], [4, 0], [4, 4], [2, 1], [0, 4], [0, 0]]
    assert len(geo.check(geo.Perimeter.model_validate(polygon(concave)))) == 6
    clockwise = list(reversed(SQUARE))
    assert geo.signed_area(geo.check(geo.Perimeter.model_validate(polygon(clockwise)))) < 0


def test_a_zone_is_created_with_its_perimeter_and_it_is_journalled(rt: Runtime) -> None:
    auth = f.authorisation(rt)
    zone = service.do_create_zone(
        rt,
        f.ADMIN,
        ZoneInput(authorisation_id=auth.id, name="Gare", perimeter=polygon(SQUARE)),  # type: ignore[arg-type]
    )
    assert zone.perimeter == polygon(SQUARE)
    [(target, details)] = _journal(rt, "zone.created")
    assert target == str(zone.id)
    assert '"Polygon"' in str(details)


def test_an_invalid_perimeter_at_creation_creates_nothing(rt: Runtime) -> None:
    auth = f.authorisation(rt)
    bow_tie = INVALID["perimeter_self_intersecting"]
    with pytest.raises(InvalidInput):
        service.do_create_zone(
            rt,
            f.ADMIN,
            ZoneInput(authorisation_id=auth.id, name="Gare", perimeter=bow_tie),  # type: ignore[arg-type]
        )
    with rt.db.read() as s:
        assert s.execute(sa.text("SELECT count(*) FROM zones")).scalar_one() == 0
    assert _journal(rt, "zone.created") == []


def test_update_draws_renames_and_removes_journalling_before_and_after(rt: Runtime) -> None:
    auth = f.authorisation(rt)
    zone = f.zone(rt, auth.id)
    changes = ZoneChanges.model_validate({"perimeter": polygon(SQUARE)})
    service.do_update_zone(rt, f.ADMIN, zone.id, changes, "tracé du périmètre")
    service.do_update_zone(rt, f.ADMIN, zone.id, ZoneChanges(name="Hyper-centre"))
    service.do_update_zone(rt, f.ADMIN, zone.id, ZoneChanges.model_validate({"perimeter": None}))
    service.do_update_zone(rt, f.ADMIN, zone.id, ZoneChanges())  # nothing: not journalled
    entries = _journal(rt, "zone.updated")
    assert len(entries) == 3
    assert all(target == str(zone.id) for target, _ in entries)
    with rt.db.read() as s:
        row = s.execute(sa.text("SELECT name, perimeter FROM zones")).one()
    assert row[0] == "Hyper-centre"
    assert row[1] is None


def test_update_refuses_a_taken_name_and_an_invalid_perimeter(rt: Runtime) -> None:
    auth = f.authorisation(rt)
    zone = f.zone(rt, auth.id, "Centre-ville")
    f.zone(rt, auth.id, "Gare")
    with pytest.raises(Conflict) as err:
        service.do_update_zone(rt, f.ADMIN, zone.id, ZoneChanges(name="Gare"))
    assert err.value.code == "zone_name_taken"
    with pytest.raises(InvalidInput):
        service.do_update_zone(
            rt,
            f.ADMIN,
            zone.id,
            ZoneChanges.model_validate({"perimeter": INVALID["perimeter_not_closed"]}),
        )
    assert _journal(rt, "zone.updated") == []


def test_name_cannot_be_emptied_but_perimeter_can() -> None:
    with pytest.raises(ValueError, match="name"):
        ZoneChanges.model_validate({"name": None})
    assert ZoneChanges.model_validate({"perimeter": None}).model_fields_set == {"perimeter"}


# --- through the API ------------------------------------------------------------------------


def test_patch_zone_perimeter_round_trip(client: TestClient, town: Town) -> None:
    admin = town.headers(Role.ADMINISTRATOR)
    url = f"/api/zones/{town.zone.id}"
    response = client.patch(url, json={"perimeter": polygon(SQUARE), "reason": "plan 2026"})
    assert response.status_code == 401
    response = client.patch(url, headers=admin, json={"perimeter": polygon(SQUARE)})
    assert response.status_code == 200, response.text
    assert response.json()["perimeter"] == polygon(SQUARE)
    [listed] = client.get("/api/zones", headers=admin).json()
    assert listed["perimeter"] == polygon(SQUARE)
    cleared = client.patch(url, headers=admin, json={"perimeter": None})
    assert cleared.json()["perimeter"] is None


def test_patch_zone_refusals(client: TestClient, town: Town) -> None:
    url = f"/api/zones/{town.zone.id}"
    operator = client.patch(url, headers=town.headers(Role.OPERATOR), json={"name": "X"})
    assert operator.status_code == 403
    admin = town.headers(Role.ADMINISTRATOR)
    bow_tie = client.patch(
        url, headers=admin, json={"perimeter": INVALID["perimeter_self_intersecting"]}
    )
    assert bow_tie.status_code == 422
    assert bow_tie.json()["code"] == "perimeter_self_intersecting"
    not_polygon = client.patch(
        url, headers=admin, json={"perimeter": {"type": "Point", "coordinates": [4.9, 44.9]}}
    )
    assert not_polygon.status_code == 422
    assert not_polygon.json()["code"] == "invalid_request"
    missing = client.patch("/api/zones/999999", headers=admin, json={"name": "X"})
    assert missing.status_code == 404
    assert missing.json()["code"] == "zone_not_found"


def test_external_viewer_sees_only_the_zones_of_its_cameras(
    rt: Runtime, client: TestClient, town: Town
) -> None:
    other = f.zone(rt, town.auth.id, "Zone industrielle")
    f.camera(rt, other.id, "CAM-009")
    seen_by_admin = {
        z["name"] for z in client.get("/api/zones", headers=town.headers(Role.ADMINISTRATOR)).json()
    }
    assert seen_by_admin == {"Centre-ville", "Zone industrielle"}
    viewer = client.get("/api/zones", headers=town.headers(Role.EXTERNAL_VIEWER)).json()
    assert [z["name"] for z in viewer] == ["Centre-ville"]
