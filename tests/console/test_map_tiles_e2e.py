"""The map with a local tile directory (SENTINELLE_MAP_TILES_DIR), in real headless Chromium:
the background is drawn from /api/map/tiles, the credit line shows, and still no request leaves
127.0.0.1. Screenshot: 43-carte-tuiles-locales.png."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import Browser, expect

from sentinelle.access.models import Role
from sentinelle.core.settings import Settings
from sentinelle.runtime import Runtime
from tests import factories as f
from tests.console.test_console_e2e import browser, login, open_tab, server, shots

__all__ = ["browser", "server", "shots"]

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)

CENTRE = (44.9330, 4.8924)
ZOOMS = (16, 17)
AROUND = 5  # tiles each side of the centre's
ATTRIBUTION = "Plan de ville : service SIG de la commune"


def _tile_of(lat: float, lon: float, z: int) -> tuple[int, int]:
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def _draw_tile(path: Path, z: int, x: int, y: int) -> None:
    """A plain 'street plan' tile: dark blocks, lighter streets, its address in a corner."""
    image = Image.new("RGB", (256, 256), (28, 34, 42))
    draw = ImageDraw.Draw(image)
    for k in range(0, 256, 64):
        draw.rectangle((k, 0, k + 6, 255), fill=(58, 66, 78))
        draw.rectangle((0, k, 255, k + 6), fill=(58, 66, 78))
    draw.text((12, 12), f"{z}/{x}/{y}", fill=(90, 100, 115))
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path)


@pytest.fixture
def tiles(tmp_path: Path) -> Path:
    root = tmp_path / "tiles"
    for z in ZOOMS:
        cx, cy = _tile_of(*CENTRE, z)
        for x in range(cx - AROUND, cx + AROUND + 1):
            for y in range(cy - AROUND, cy + AROUND + 1):
                _draw_tile(root / str(z) / str(x) / f"{y}.png", z, x, y)
    return root


@pytest.fixture
def settings(tmp_path: Path, db_url: str, tiles: Path) -> Settings:
    """The test settings with the local tile directory (overrides tests/conftest.py's)."""
    return Settings(
        data_dir=tmp_path / "data",
        database_url=db_url,
        map_tiles_dir=tiles,
        map_attribution=ATTRIBUTION,
    )


def test_the_map_draws_local_tiles_and_nothing_from_outside(
    browser: Browser, server: str, shots: Path, rt: Runtime
) -> None:
    auth = f.authorisation(rt)
    zone = f.zone(rt, auth.id)
    for i, (dlat, dlon) in enumerate(((0.0006, -0.0012), (-0.0007, 0.0010), (0.0002, 0.0016))):
        f.camera(
            rt,
            zone.id,
            f"CAM-00{i + 1}",
            latitude=CENTRE[0] + dlat,
            longitude=CENTRE[1] + dlon,
            azimuth_deg=90 * i,
            view_angle_deg=70,
            view_range_m=60,
        )
    f.user(rt, "olga", Role.OPERATOR)
    with open_tab(browser, server, shots, width=1600, height=960) as tab:
        page = tab.page
        page.goto(server + "/carte")
        login(tab, "olga")
        expect(page.locator("path.map-marker")).to_have_count(3)
        expect(page.locator(".map-canvas")).to_have_attribute("data-mode", "local")
        expect(page.locator("img.leaflet-tile-loaded").first).to_be_visible(timeout=10_000)
        sources = page.locator("img.leaflet-tile").evaluate_all("(imgs) => imgs.map((i) => i.src)")
        assert sources
        assert all(s.startswith(server + "/api/map/tiles/") for s in sources), sources
        assert all(s.endswith(".png") for s in sources), sources
        expect(page.locator(".leaflet-control-attribution")).to_have_text(ATTRIBUTION)
        expect(page.get_by_test_id("map-legend")).to_contain_text("Fond de carte local")
        page.mouse.move(5, 5)
        tab.shot("43-carte-tuiles-locales")
        assert tab.foreign == []
        assert tab.errors == [], tab.errors
