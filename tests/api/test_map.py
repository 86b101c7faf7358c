"""The map's API: its configuration (background mode, initial view on the caller's cameras),
the local tiles served safely, the recording state of each visible camera, and the console's
CSP allowing a configured tile server's origin (and no other)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from sentinelle.access.models import Role
from sentinelle.api import console
from sentinelle.api.app import create_app
from sentinelle.core.errors import ConfigurationError
from sentinelle.core.settings import load_settings
from sentinelle.ingest import repository as ingest_repository
from sentinelle.ingest.events import EventKind, GapReason, SessionEvent
from sentinelle.registry import service
from sentinelle.registry.models import CameraChanges
from sentinelle.runtime import Runtime
from tests.api.conftest import Town
from tests.factories import ADMIN

PNG = b"\x89PNG\r\n\x1a\n" + b"tile"


def _runtime(rt: Runtime, **settings: Any) -> Runtime:
    """The test runtime with map settings (validated like the environment's)."""
    base = {"data_dir": rt.settings.data_dir, "database_url": rt.settings.database_url}
    return Runtime(
        settings=load_settings(**base, **settings),
        db=rt.db,
        clock=rt.clock,
        site_secret=rt.site_secret,
    )


def _place(rt: Runtime, town: Town) -> None:
    for camera, (lat, lon) in ((town.in_scope, (44.933, 4.892)), (town.out_of_scope, (44.94, 4.9))):
        changes = CameraChanges(latitude=lat, longitude=lon, azimuth_deg=90, view_angle_deg=60)
        service.do_update_camera(rt, ADMIN, camera.id, changes)


@pytest.fixture
def tiles(tmp_path: Path) -> Path:
    root = tmp_path / "tiles"
    for z, x, y in ((12, 2103, 1465), (13, 4206, 2930), (14, 8412, 5861)):
        (root / str(z) / str(x)).mkdir(parents=True)
        (root / str(z) / str(x) / f"{y}.png").write_bytes(PNG)
    (tmp_path / "secret.png").write_bytes(b"not a tile")
    return root


def test_default_config_is_a_plain_background_opening_on_the_callers_cameras(
    rt: Runtime, client: TestClient, town: Town
) -> None:
    _place(rt, town)
    config = client.get("/api/map/config", headers=town.headers(Role.OPERATOR)).json()
    assert config["mode"] == "none"
    assert config["tile_url"] is None
    assert config["bounds"] == {"south": 44.933, "west": 4.892, "north": 44.94, "east": 4.9}
    viewer = client.get("/api/map/config", headers=town.headers(Role.EXTERNAL_VIEWER)).json()
    assert viewer["bounds"] == {"south": 44.933, "west": 4.892, "north": 44.933, "east": 4.892}


def test_config_without_placed_cameras_has_no_bounds(client: TestClient, town: Town) -> None:
    config = client.get("/api/map/config", headers=town.headers(Role.TECHNICIAN)).json()
    assert config["bounds"] is None
    assert client.get("/api/map/config").status_code == 401


def test_tile_server_mode_and_the_console_csp_allows_its_origin_only(
    rt: Runtime, town: Town, tmp_path: Path
) -> None:
    url = "https://{s}.tiles.example.org:8443/osm/{z}/{x}/{y}.png"
    mapped = _runtime(rt, map_tile_url=url, map_attribution="© OpenStreetMap")
    with TestClient(create_app(mapped), base_url="http://127.0.0.1") as client:
        config = client.get("/api/map/config", headers=town.headers(Role.OPERATOR)).json()
    assert config["mode"] == "url"
    assert config["tile_url"] == url
    assert config["attribution"] == "© OpenStreetMap"
    (tmp_path / "console").mkdir()
    (tmp_path / "console" / "index.html").write_text("<html>console</html>", encoding="utf-8")
    for runtime, expected in ((mapped, "https://*.tiles.example.org:8443"), (rt, None)):
        app = FastAPI()
        console.install(app, runtime, tmp_path / "console")
        with TestClient(app, base_url="http://127.0.0.1") as client:
            csp = client.get("/carte").headers["content-security-policy"]
        directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
        assert directives["img-src"] == "'self' data: blob:" + (f" {expected}" if expected else "")
        assert directives["connect-src"] == "'self'"
        assert "tiles.example" not in csp.replace(directives["img-src"], "")


@pytest.mark.parametrize(
    ("given", "problem"),
    [
        ({"map_tile_url": "ftp://tiles.example/{z}/{x}/{y}.png"}, "http(s)"),
        ({"map_tile_url": "https://tiles.example/{z}/{x}.png"}, "{y}"),
        (
            {"map_tile_url": "https://t.example/{z}/{x}/{y}.png", "map_tiles_dir": "/srv"},
            "not both",
        ),
    ],
)
def test_bad_map_settings_are_refused_at_start(
    given: dict[str, Any], problem: str, tmp_path: Path
) -> None:
    with pytest.raises(ConfigurationError) as err:
        load_settings(data_dir=tmp_path, **given)
    assert problem in err.value.message


def test_local_tiles_config_and_serving(rt: Runtime, town: Town, tiles: Path) -> None:
    local = _runtime(rt, map_tiles_dir=tiles)
    headers = town.headers(Role.EXTERNAL_VIEWER)
    with TestClient(create_app(local), base_url="http://127.0.0.1") as client:
        config = client.get("/api/map/config", headers=headers).json()
        assert config["mode"] == "local"
        assert config["tile_url"] == "/api/map/tiles/{z}/{x}/{y}.png"
        assert (config["min_zoom"], config["max_zoom"]) == (12, 14)
        tile = client.get("/api/map/tiles/13/4206/2930.png", headers=headers)
        assert tile.status_code == 200
        assert tile.content == PNG
        assert tile.headers["content-type"] == "image/png"
        assert tile.headers["cache-control"] == "private, max-age=86400"
        assert client.get("/api/map/tiles/13/4206/2930.png").status_code == 401
        missing = client.get("/api/map/tiles/13/4206/2931.png", headers=headers)
        assert (missing.status_code, missing.json()["code"]) == (404, "tile_not_found")
        outside = client.get("/api/map/tiles/1/5/0.png", headers=headers)  # x >= 2**z
        assert outside.status_code == 404
        wrong = client.get("/api/map/tiles/13/4206/2930.svg", headers=headers)
        assert (wrong.status_code, wrong.json()["code"]) == (422, "unsupported_tile_format")
        for sneaky in (
            "/api/map/tiles/13/4206/..%2F..%2F..%2Fsecret.png",
            "/api/map/tiles/../../secret.png",
        ):
            response = client.get(sneaky, headers=headers)
            assert response.status_code in (404, 422), sneaky
            assert b"not a tile" not in response.content


def test_a_symlink_out_of_the_tile_directory_is_not_followed(
    rt: Runtime, town: Town, tiles: Path
) -> None:
    (tiles / "12" / "2103" / "1466.png").symlink_to(tiles.parent / "secret.png")
    local = _runtime(rt, map_tiles_dir=tiles)
    with TestClient(create_app(local), base_url="http://127.0.0.1") as client:
        response = client.get(
            "/api/map/tiles/12/2103/1466.png", headers=town.headers(Role.OPERATOR)
        )
    assert response.status_code == 404


def test_no_local_tiles_without_a_tile_directory(client: TestClient, town: Town) -> None:
    response = client.get("/api/map/tiles/0/0/0.png", headers=town.headers(Role.OPERATOR))
    assert (response.status_code, response.json()["code"]) == (404, "no_local_tiles")


def test_recording_state_of_the_visible_cameras(
    rt: Runtime, client: TestClient, town: Town
) -> None:
    now = rt.now()
    with rt.db.write() as s:
        ingest_repository.add_events(
            s,
            [
                SessionEvent(town.in_scope.id, EventKind.CONNECTED, now - timedelta(minutes=5)),
                SessionEvent(
                    town.out_of_scope.id,
                    EventKind.DISCONNECTED,
                    now - timedelta(minutes=2),
                    reason=GapReason.UNREACHABLE,
                ),
            ],
        )
    technician = client.get("/api/map/recording", headers=town.headers(Role.TECHNICIAN)).json()
    by_id = {r["camera_id"]: r for r in technician}
    assert by_id[town.in_scope.id]["recording"] is True
    assert by_id[town.out_of_scope.id]["recording"] is False
    assert by_id[town.out_of_scope.id]["reason"] == GapReason.UNREACHABLE.value
    viewer = client.get("/api/map/recording", headers=town.headers(Role.EXTERNAL_VIEWER)).json()
    assert [r["camera_id"] for r in viewer] == [town.in_scope.id]
