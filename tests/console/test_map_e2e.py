"""The map in real headless Chromium: cameras recorded by real camera sessions from the loopback
RTSP server (the wall test's `Workers`), others out of service, awaiting authorisation, in
service but not received (a fault), one decommissioned (not shown); zones with perimeters.
Markers and their state classes, field-of-view sectors and zone polygons are SVG paths; the
chosen camera's panel plays its live preview; "Voir sur le mur" puts it on the wall; an
external viewer sees only the cameras of their habilitation; an administrator draws a zone's
perimeter. No request leaves 127.0.0.1 (plain background: no tile at all).
Screenshots: 40-carte.png, 41-carte-apercu.png, 42-carte-zone-edition.png."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, Page, expect

from sentinelle.access.models import Role
from sentinelle.registry import service
from sentinelle.registry.models import CameraChanges, CameraStatus, ZoneChanges
from sentinelle.runtime import Runtime
from tests import factories as f
from tests.console.test_console_e2e import browser, enter_code, login, open_tab, server, shots
from tests.console.test_wall_e2e import PLAYING, Workers, rtsp, workers
from tests.live.test_api import STARTED, journal

__all__ = ["browser", "rtsp", "server", "shots", "workers"]

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)

# Around the Hôtel de Ville of Valence (lat, lon, azimuth, angle, range).
PLACES = {
    "VSR-001": (44.93335, 4.89235, 200, 70, 70),
    "VSR-002": (44.93260, 4.89060, 60, 55, 90),
    "VSR-003": (44.93420, 4.89400, 250, 60, 60),
    "VSR-004": (44.93180, 4.89330, 330, 80, 50),
}
OTHERS = {  # code: (status, lat, lon, azimuth)
    "CAM-010": (CameraStatus.IN_SERVICE, 44.93120, 4.89150, 20),  # not received: a fault
    "CAM-011": (CameraStatus.OUT_OF_SERVICE, 44.93390, 4.88990, 120),
    "CAM-012": (CameraStatus.AWAITING_AUTHORISATION, 44.93480, 4.89180, 180),
    "CAM-013": (CameraStatus.DECOMMISSIONED, 44.93300, 4.89500, 270),  # not on the map
}
CENTRE = [
    [4.8895, 44.9310],
    [4.8955, 44.9310],
    [4.8955, 44.9352],
    [4.8895, 44.9352],
    [4.8895, 44.9310],
]


@dataclass
class MapTown:
    ids: dict[str, int]
    centre_id: int
    station_id: int


def _build(rt: Runtime, workers: Workers) -> MapTown:
    """Place the wall test's four recorded cameras and add one camera per other state."""
    ids = dict(workers.ids)
    for code, (lat, lon, azimuth, angle, reach) in PLACES.items():
        changes = CameraChanges(
            latitude=lat,
            longitude=lon,
            azimuth_deg=azimuth,
            view_angle_deg=angle,
            view_range_m=reach,
        )
        service.do_update_camera(rt, f.ADMIN, ids[code], changes)
    with rt.db.read() as s:
        zone_id = s.execute(sa.text("SELECT id FROM zones")).scalar_one()
        auth_id = s.execute(sa.text("SELECT id FROM authorisations")).scalar_one()
    service.do_update_zone(
        rt,
        f.ADMIN,
        zone_id,
        ZoneChanges.model_validate({"perimeter": {"type": "Polygon", "coordinates": [CENTRE]}}),
    )
    station = f.zone(rt, auth_id, "Quartier de la gare")
    for code, (status, lat, lon, azimuth) in OTHERS.items():
        ids[code] = f.camera(
            rt,
            zone_id,
            code,
            name=f"Caméra {code}",
            status=status,
            latitude=lat,
            longitude=lon,
            azimuth_deg=azimuth,
            view_angle_deg=60,
            view_range_m=55,
        ).id
    return MapTown(ids, zone_id, station.id)


def _markers(page: Page, state: str | None = None) -> int:
    selector = "path.map-marker" + (f".map-marker-{state}" if state else "")
    return page.locator(selector).count()


def _open_map(page: Page) -> None:
    page.locator("nav.sidenav").get_by_role("link", name="Carte").click()
    expect(page.get_by_test_id("map-page")).to_be_visible()
    expect(page.locator("path.map-marker").first).to_be_visible()


def _check_overview(page: Page, town: MapTown) -> None:
    """Markers by state, sectors, zones, legend; unplaced cameras listed but not drawn."""
    expect(page.locator("path.map-marker")).to_have_count(7)
    expect(page.locator("path.map-marker-recording")).to_have_count(4, timeout=10_000)
    assert (
        _markers(page, "fault"),
        _markers(page, "out_of_service"),
        _markers(page, "awaiting"),
    ) == (1, 1, 1)
    decommissioned = town.ids["CAM-013"]
    assert page.locator(f'path.map-marker[data-camera="{decommissioned}"]').count() == 0
    expect(page.locator("path.map-fov")).to_have_count(7)
    expect(page.locator("path.map-zone")).to_have_count(1)  # the station's zone has no perimeter
    expect(page.locator(".map-zone-label")).to_have_text(["Centre-ville"])
    legend = page.get_by_test_id("map-legend")
    expect(legend).to_contain_text("Enregistre")
    expect(legend).to_contain_text("En défaut")
    expect(legend).to_contain_text("Fond neutre")
    # CAM-001 and CAM-002 of the town have no coordinates: listed, not drawn.
    listing = page.get_by_test_id("map-camera-list")
    expect(listing.locator(".map-cam")).to_have_count(9)
    expect(listing.locator(".map-cam", has_text="CAM-001")).to_contain_text("non placée")


def test_an_operator_sees_states_opens_a_preview_and_sends_it_to_the_wall(
    browser: Browser, server: str, shots: Path, rt: Runtime, workers: Workers
) -> None:
    town = _build(rt, workers)
    f.user(rt, "olga", Role.OPERATOR)
    with open_tab(browser, server, shots, width=1600, height=960) as tab:
        page = tab.page
        page.goto(server + "/")
        login(tab, "olga")
        _open_map(page)
        _check_overview(page, town)
        page.mouse.move(5, 5)
        tab.shot("40-carte")

        # The fault, by clicking its marker: the panel says so and shows no video to wait for.
        page.locator(f'path.map-marker[data-camera="{town.ids["CAM-010"]}"]').click()
        panel = page.get_by_test_id("map-panel")
        expect(panel).to_have_attribute("data-camera", str(town.ids["CAM-010"]))
        expect(panel.locator(".badge")).to_have_text("En défaut")
        page.keyboard.press("Escape")
        expect(panel).to_have_count(0)

        # Keyboard: "/" searches, arrows and Enter choose; the live preview plays.
        page.keyboard.press("/")
        page.keyboard.type("VSR-00")
        listing = page.get_by_test_id("map-camera-list")
        expect(listing.locator(".map-cam")).to_have_count(4)
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
        expect(panel).to_have_attribute("data-camera", str(town.ids["VSR-002"]))
        expect(panel).to_contain_text("Rue de la République / Gare")
        expect(panel.locator(".badge")).to_have_text("Enregistre")
        expect(panel).to_contain_text("Centre-ville")
        expect(panel).to_contain_text("2026/DSC/0001 — valide")
        preview = page.get_by_test_id("map-preview")
        expect(preview).to_have_attribute("data-state", "playing", timeout=20_000)
        got = preview.locator("video").evaluate(PLAYING)
        assert got["advanced"] > 0.5, got
        assert got["width"] == 640, got
        page.mouse.move(5, 5)
        tab.shot("41-carte-apercu")
        started = journal(rt, STARTED)
        assert town.ids["VSR-002"] in {row["camera_id"] for row in started}

        # Out of service: no preview, and why.
        page.locator(f'path.map-marker[data-camera="{town.ids["CAM-011"]}"]').click()
        expect(panel).to_have_attribute("data-camera", str(town.ids["CAM-011"]))
        expect(page.get_by_test_id("map-preview-blocked")).to_contain_text("pas en service")

        # On to the wall: the camera lands in the first free tile and plays.
        page.locator(f'path.map-marker[data-camera="{town.ids["VSR-003"]}"]').click()
        panel.get_by_role("button", name="Voir sur le mur").click()
        expect(page).to_have_url(server + "/mur")
        tile = page.get_by_test_id("tile-0")
        expect(tile).to_have_attribute("data-camera", str(town.ids["VSR-003"]))
        expect(tile).to_have_attribute("data-state", "live", timeout=20_000)
        assert tab.foreign == []
        assert tab.errors == [], tab.errors


def test_an_external_viewer_sees_only_the_cameras_of_the_habilitation(
    browser: Browser, server: str, shots: Path, rt: Runtime, workers: Workers
) -> None:
    town = _build(rt, workers)
    scope = f.group(rt, "Parvis", [town.ids["VSR-003"]])
    f.user(rt, "pjmartin", Role.EXTERNAL_VIEWER, all_cameras=False, group_ids=frozenset({scope.id}))
    with open_tab(browser, server, shots, width=1600, height=960) as tab:
        page = tab.page
        page.goto(server + "/carte")
        login(tab, "pjmartin")
        secret = page.get_by_test_id("totp-secret").inner_text().replace(" ", "")
        enter_code(tab, f.totp_now(secret, rt))
        expect(page.get_by_test_id("map-page")).to_be_visible()
        expect(page.locator("path.map-marker")).to_have_count(1)
        marker = page.locator("path.map-marker")
        expect(marker).to_have_attribute("data-camera", str(town.ids["VSR-003"]))
        expect(page.get_by_test_id("map-camera-list").locator(".map-cam")).to_have_count(1)
        expect(page.locator("path.map-fov")).to_have_count(1)
        marker.click()
        panel = page.get_by_test_id("map-panel")
        panel.get_by_label("Motif de la consultation").fill("PV 2026/004512 : vol à l'arraché")
        panel.get_by_role("button", name="Afficher l'aperçu").click()
        expect(page.get_by_test_id("map-preview")).to_have_attribute(
            "data-state", "playing", timeout=20_000
        )
        rows = [r for r in journal(rt, STARTED) if r["actor_name"] == "pjmartin"]
        assert rows
        assert {r["reason"] for r in rows} == {"PV 2026/004512 : vol à l'arraché"}
        assert tab.foreign == []
        assert tab.errors == [], tab.errors


def _click_map(page: Page, points: list[tuple[float, float]]) -> None:
    box = page.locator(".map-canvas").bounding_box()
    assert box is not None
    for fx, fy in points:
        page.mouse.click(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy)


def test_an_administrator_draws_a_zone_perimeter(
    browser: Browser, server: str, shots: Path, rt: Runtime, workers: Workers
) -> None:
    town = _build(rt, workers)
    f.user(rt, "admin", Role.ADMINISTRATOR, habilitated=False)
    with open_tab(browser, server, shots, width=1600, height=960) as tab:
        page = tab.page
        page.goto(server + f"/carte?zone={town.station_id}")  # the zones tab's link
        login(tab, "admin")
        secret = page.get_by_test_id("totp-secret").inner_text().replace(" ", "")
        enter_code(tab, f.totp_now(secret, rt))
        expect(page.locator("path.map-marker")).to_have_count(7)
        expect(page.get_by_test_id("zone-select")).to_have_value(str(town.station_id))

        # Escape cancels a drawing: nothing saved.
        page.get_by_test_id("zone-draw").click()
        _click_map(page, [(0.2, 0.3), (0.3, 0.3)])
        expect(page.get_by_test_id("zone-vertices")).to_have_text("2 sommet(s)")
        page.keyboard.press("Escape")
        expect(page.get_by_test_id("zone-drawing")).to_have_count(0)

        page.get_by_test_id("zone-draw").click()
        _click_map(page, [(0.06, 0.32), (0.3, 0.3), (0.34, 0.55), (0.2, 0.62), (0.05, 0.56)])
        expect(page.get_by_test_id("zone-vertices")).to_have_text("5 sommet(s)")
        page.keyboard.press("Backspace")
        expect(page.get_by_test_id("zone-vertices")).to_have_text("4 sommet(s)")
        expect(page.locator("path.map-draft-vertex")).to_have_count(4)
        page.mouse.move(5, 5)
        tab.shot("42-carte-zone-edition")
        page.keyboard.press("Enter")
        expect(page.get_by_test_id("zone-drawing")).to_have_count(0)
        expect(page.locator("path.map-zone")).to_have_count(2)
        expect(page.locator(".map-zone-label")).to_have_text(
            ["Centre-ville", "Quartier de la gare"]
        )
        # The panel of an administrator (no live view) says why there is no preview.
        page.locator(f'path.map-marker[data-camera="{town.ids["VSR-001"]}"]').click()
        expect(page.get_by_test_id("map-preview-blocked")).to_contain_text("vue en direct")
        assert tab.foreign == []
        assert tab.errors == [], tab.errors
    with rt.db.read() as s:
        stored = s.execute(
            sa.text("SELECT perimeter FROM zones WHERE id = :i"), {"i": town.station_id}
        ).scalar_one()
        entries = s.execute(
            sa.text("SELECT actor_name FROM audit_entries WHERE action = 'zone.updated'")
        ).all()
    ring = (json.loads(stored) if isinstance(stored, str) else stored)["coordinates"][0]
    assert len(ring) == 5
    assert ring[0] == ring[-1]
    assert [e[0] for e in entries] == ["tester", "admin"]  # the set-up's, then the drawing's
