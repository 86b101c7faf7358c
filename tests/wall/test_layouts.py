"""Wall layouts through the API: saved per user, shared as presets, never revealing a camera
outside the reader's live scope, every change journalled."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from sentinelle.access.models import Role
from sentinelle.audit.models import AuditAction
from sentinelle.audit.repository import EntryFilter, list_entries
from sentinelle.core.errors import InvalidInput
from sentinelle.runtime import Runtime
from sentinelle.wall import policy
from tests.api.conftest import Town

URL = "/api/wall/layouts"


def _save(client: TestClient, town: Town, role: Role, **body: object) -> dict[str, object]:
    payload = {"name": "Centre-ville", "grid": 4, "tiles": [], "shared": False} | body
    response = client.post(URL, json=payload, headers=town.headers(role))
    assert response.status_code == 201, response.text
    data: dict[str, object] = response.json()
    return data


def test_a_layout_is_saved_padded_listed_replaced_and_deleted(
    rt: Runtime, client: TestClient, town: Town
) -> None:
    op = town.headers(Role.OPERATOR)
    saved = _save(client, town, Role.OPERATOR, tiles=[town.in_scope.id, None, town.out_of_scope.id])
    assert saved["tiles"] == [town.in_scope.id, None, town.out_of_scope.id, None]
    assert saved["mine"] is True
    listed = client.get(URL, headers=op).json()
    assert [x["id"] for x in listed] == [saved["id"]]

    body = {"name": "Gare", "grid": 9, "tiles": [town.out_of_scope.id], "shared": True}
    replaced = client.put(f"{URL}/{saved['id']}", json=body, headers=op)
    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["grid"] == 9
    assert replaced.json()["tiles"] == [town.out_of_scope.id] + [None] * 8

    assert client.delete(f"{URL}/{saved['id']}", headers=op).status_code == 204
    assert client.get(URL, headers=op).json() == []
    with rt.db.read() as s:
        entries = list_entries(s, EntryFilter(), limit=None, newest_first=False)
    actions = [e.action for e in entries if e.target_type == "wall_layout"]
    assert actions == [
        AuditAction.LAYOUT_SAVED,
        AuditAction.LAYOUT_SAVED,
        AuditAction.LAYOUT_DELETED,
    ]


def test_own_layouts_are_private_and_shared_ones_are_presets(
    client: TestClient, town: Town
) -> None:
    private = _save(client, town, Role.OPERATOR, name="Perso")
    preset = _save(client, town, Role.SUPERVISOR, name="Marché", shared=True)
    seen = client.get(URL, headers=town.headers(Role.OPERATOR)).json()
    assert [(x["name"], x["mine"]) for x in seen] == [("Perso", True), ("Marché", False)]
    assert seen[1]["owner"] == "supervisor"
    sup = town.headers(Role.SUPERVISOR)
    assert [x["name"] for x in client.get(URL, headers=sup).json()] == ["Marché"]
    # someone else's private layout does not exist for me; a shared one is not mine to change
    body = {"name": "x", "grid": 1, "tiles": []}
    hidden = client.put(f"{URL}/{private['id']}", json=body, headers=sup)
    assert (hidden.status_code, hidden.json()["code"]) == (404, "layout_not_found")
    op = town.headers(Role.OPERATOR)
    foreign = client.delete(f"{URL}/{preset['id']}", headers=op)
    assert (foreign.status_code, foreign.json()["code"]) == (403, "layout_not_owned")


def test_a_preset_never_reveals_a_camera_outside_the_readers_scope(
    client: TestClient, town: Town
) -> None:
    tiles = [town.out_of_scope.id, town.in_scope.id]
    _save(client, town, Role.SUPERVISOR, name="Tout", shared=True, tiles=tiles)
    seen = client.get(URL, headers=town.headers(Role.EXTERNAL_VIEWER)).json()
    assert seen[0]["tiles"] == [None, town.in_scope.id, None, None]
    assert seen[0]["hidden_tiles"] == 1
    assert str(town.out_of_scope.id) not in str(seen[0]["tiles"])


def test_a_layout_names_only_cameras_the_owner_may_watch(client: TestClient, town: Town) -> None:
    ext = town.headers(Role.EXTERNAL_VIEWER)
    body = {"name": "Hors champ", "grid": 4, "tiles": [town.out_of_scope.id]}
    refused = client.post(URL, json=body, headers=ext)
    assert (refused.status_code, refused.json()["code"]) == (403, "camera_out_of_scope")
    unknown = client.post(URL, json=body | {"tiles": [999_999]}, headers=ext)
    assert (unknown.status_code, unknown.json()["code"]) == (404, "camera_not_found")


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"grid": 6, "tiles": []}, "invalid_grid"),
        ({"grid": 1, "tiles": [None, None]}, "too_many_tiles"),
        ({"grid": 4, "tiles": [1, 1]}, "duplicate_camera"),
        ({"grid": 4, "tiles": [], "name": ""}, "invalid_request"),
    ],
)
def test_bad_layouts_get_stable_codes(
    client: TestClient, town: Town, body: dict[str, object], code: str
) -> None:
    payload = {"name": "Test"} | body
    if code == "duplicate_camera":
        payload["tiles"] = [town.in_scope.id, town.in_scope.id]
    response = client.post(URL, json=payload, headers=town.headers(Role.OPERATOR))
    assert response.status_code == 422, response.text
    assert response.json()["code"] == code


def test_names_are_unique_per_owner(client: TestClient, town: Town) -> None:
    _save(client, town, Role.OPERATOR, name="Nuit")
    again = client.post(
        URL, json={"name": "Nuit", "grid": 1, "tiles": []}, headers=town.headers(Role.OPERATOR)
    )
    assert (again.status_code, again.json()["code"]) == (409, "layout_name_taken")
    _save(client, town, Role.SUPERVISOR, name="Nuit")  # another owner may use it


@given(st.lists(st.one_of(st.none(), st.integers(1, 40)), max_size=16), st.sets(st.integers(1, 40)))
def test_visible_tiles_hide_exactly_the_cameras_out_of_scope(
    tiles: list[int | None], allowed: set[int]
) -> None:
    shown, hidden = policy.visible_tiles(tiles, allowed.__contains__)
    assert len(shown) == len(tiles)
    assert all(c is None or c in allowed for c in shown)
    assert hidden == sum(1 for c in tiles if c is not None and c not in allowed)


def test_check_tiles_refuses_a_camera_twice() -> None:
    with pytest.raises(InvalidInput):
        policy.check_tiles(4, [3, None, 3])
