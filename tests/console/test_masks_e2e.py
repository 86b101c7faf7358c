"""The mask editor and the mask overlays in real headless Chromium. A habilitated
administrator opens Masques for a camera recording from the loopback RTSP server, sees its
current picture, draws two polygons (a self-intersecting one is refused in French first),
previews them as recorded, saves version 1 with a reason and sees it in the history; the
journal holds the picture shown and the change. Playback draws the version in force at the
instant shown, across a version boundary both ways. An administrator without habilitation draws on
a neutral frame and is told why. An operator's live tile shows the masks' outlines inside the
video's picture. Screenshots: 70-masques-editeur.png … 73-mur-masques.png."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, Page, expect

from sentinelle.access.models import Role
from sentinelle.audit.models import Actor
from sentinelle.core.clock import FakeClock
from sentinelle.ingest.clips import write_clip
from sentinelle.ingest.events import EventKind, SessionEvent
from sentinelle.ingest.service import record_events
from sentinelle.privacy import service as masks
from sentinelle.privacy.models import MaskPolygon, MaskSetInput
from sentinelle.registry.tables import CameraRow
from sentinelle.runtime import Runtime
from tests import factories as f
from tests.conftest import START
from tests.console.test_console_e2e import Tab, browser, enter_code, login, open_tab, server, shots
from tests.console.test_playback_e2e import FIRST, go_to, open_playback
from tests.console.test_wall_e2e import Workers, rtsp
from tests.support.footage import record_clip

__all__ = ["browser", "rtsp", "server", "shots"]

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


@pytest.fixture
def camera(rt: Runtime, rtsp: str, tmp_path: Path) -> Iterator[CameraRow]:
    """VSR-001 registered with the loopback stream as its own main stream, and recorded."""
    _, zone, _ = f.town(rt)
    url = f"{rtsp}/vsr-001"
    cam = f.camera(rt, zone.id, "VSR-001", name="Place de l'Hôtel de Ville", main_stream_url=url)
    record_events(rt, [SessionEvent(cam.id, EventKind.CONNECTED, rt.now() - timedelta(minutes=3))])
    workers = Workers(rt, {cam.id: url}, tmp_path / "rec")
    workers.server.start()
    for thread in workers.threads:
        thread.start()
    yield cam
    workers.close()


def _enrol(tab: Tab, rt: Runtime, username: str, path: str) -> None:
    page = tab.page
    page.goto(tab.base + path)
    login(tab, username)
    secret = page.get_by_test_id("totp-secret").inner_text().replace(" ", "")
    enter_code(tab, f.totp_now(secret, rt))
    expect(page.get_by_role("link", name="Administration")).to_be_visible()
    page.goto(tab.base + path)


def _click_at(page: Page, points: list[tuple[float, float]], close: str) -> None:
    """Click each normalised point on the drawing surface, then close (Enter or double-click)."""
    box = page.locator(".mk-svg").bounding_box()
    assert box is not None
    at = [(box["x"] + x * box["width"], box["y"] + y * box["height"]) for x, y in points]
    for x, y in at[:-1] if close == "dblclick" else at:
        page.mouse.click(x, y)
    if close == "dblclick":
        page.mouse.dblclick(*at[-1])
    else:
        page.keyboard.press("Enter")


def _journal(rt: Runtime, action: str) -> list[tuple[str, str, dict[str, object]]]:
    with rt.db.read() as s:
        rows = s.execute(
            sa.text(
                "SELECT actor_name, reason, details FROM audit_entries WHERE action = :a "
                "ORDER BY seq"
            ),
            {"a": action},
        )
        return [(r[0], r[1], json.loads(r[2])) for r in rows]


WINDOWS = [(0.08, 0.12), (0.34, 0.12), (0.34, 0.5), (0.08, 0.5)]
BOW_TIE = [(0.6, 0.2), (0.85, 0.45), (0.85, 0.2), (0.6, 0.45)]
BALCONY = [(0.62, 0.18), (0.9, 0.22), (0.86, 0.46), (0.6, 0.42)]


def test_a_habilitated_administrator_draws_masks_and_the_wall_shows_them(
    browser: Browser, server: str, shots: Path, rt: Runtime, camera: CameraRow
) -> None:
    f.user(rt, "durand", Role.ADMINISTRATOR)  # habilitated for every camera
    with open_tab(browser, server, shots, width=1600, height=1000) as tab:
        _enrol(tab, rt, "durand", f"/administration/masques?camera={camera.id}")
        picture = tab.page.locator("img.mk-picture")
        expect(picture).to_be_visible(timeout=20_000)
        assert picture.evaluate("(img) => [img.naturalWidth, img.naturalHeight]") == [640, 360]
        _draws_two_masks(tab)
        _previews(tab)
        _saves(tab)
        assert tab.foreign == []

    [(actor, reason, details)] = _journal(rt, "privacy.masks_set")
    assert (actor, reason) == ("durand", "Logements en vis-à-vis")
    assert "Balcon 3e étage" in json.dumps(details, ensure_ascii=False)
    viewed = _journal(rt, "privacy.reference_viewed")
    assert [(a, d["image_shown"]) for a, _, d in viewed][:1] == [("durand", True)]

    f.user(rt, "olga", Role.OPERATOR)
    with open_tab(browser, server, shots, width=1600, height=960) as tab:
        _wall_shows_the_masks(tab, camera)


def _draws_two_masks(tab: Tab) -> None:
    page = tab.page
    page.get_by_role("button", name="Dessiner un masque").click()
    _click_at(page, WINDOWS, "enter")
    items = page.get_by_test_id("mask-item")
    expect(items).to_have_count(1)
    page.get_by_label("Nom du masque").first.fill("Fenêtres 12 rue Victor-Hugo")

    page.get_by_role("button", name="Dessiner un masque").click()
    _click_at(page, BOW_TIE, "dblclick")
    expect(items).to_have_count(2)
    refusal = "Le tracé se croise : redessinez-le ou coupez-le en deux."
    expect(items.nth(1).get_by_role("alert")).to_have_text(refusal)
    expect(page.locator(".mk-poly-faulty")).to_have_count(1)
    expect(page.get_by_role("button", name="Enregistrer les masques")).to_be_disabled()

    page.locator(".mk-canvas-wrap").focus()
    page.keyboard.press("Delete")  # the faulty one is selected: it goes
    expect(items).to_have_count(1)
    page.get_by_role("button", name="Dessiner un masque").click()
    _click_at(page, BALCONY, "dblclick")
    expect(items).to_have_count(2)
    items.nth(1).get_by_label("Nom du masque").fill("Balcon 3e étage")
    _drags(page)
    items.nth(1).get_by_label("Remplissage").select_option("pixelate")
    expect(page.locator(".mk-poly-faulty")).to_have_count(0)
    page.mouse.move(5, 5)
    tab.shot("70-masques-editeur")


def _drags(page: Page) -> None:
    """Drag the whole first polygon right, then one of its vertices back: both stay drawn."""
    box = page.locator(".mk-svg").bounding_box()
    assert box is not None
    first = page.locator(".mk-poly polygon").first
    before = first.get_attribute("points")

    def drag(x0: float, y0: float, x1: float, y1: float) -> None:
        page.mouse.move(box["x"] + x0 * box["width"], box["y"] + y0 * box["height"])
        page.mouse.down()
        page.mouse.move(box["x"] + x1 * box["width"], box["y"] + y1 * box["height"], steps=5)
        page.mouse.up()

    drag(0.2, 0.3, 0.25, 0.3)  # inside the windows: moves them 5 % right
    moved = first.get_attribute("points")
    assert moved != before
    expect(page.locator(".mk-handle")).to_have_count(4)  # selected: its vertices show
    drag(0.39, 0.5, 0.34, 0.5)  # its bottom-right corner back where it was
    assert first.get_attribute("points") not in (before, moved)
    expect(page.locator(".mk-poly-faulty")).to_have_count(0)


PIXEL = (
    "(c) => Array.from(c.getContext('2d').getImageData(c.width * 0.2, c.height * 0.3, 1, 1).data)"
)


def _previews(tab: Tab) -> None:
    page = tab.page
    page.get_by_text("Prévisualiser").click()
    preview = page.get_by_test_id("mask-preview")
    expect(preview).to_be_visible()
    centre = preview.evaluate(PIXEL)
    assert centre[:3] == [0, 0, 0], centre  # the opaque mask, as the burn-in fills it
    tab.shot("71-masques-apercu")
    page.get_by_text("Prévisualiser").click()


def _saves(tab: Tab) -> None:
    page = tab.page
    page.get_by_label("Motif (inscrit au journal)").first.fill("Logements en vis-à-vis")
    page.get_by_role("button", name="Enregistrer les masques").click()
    history = page.get_by_test_id("mask-history")
    row = history.locator("tbody tr")
    expect(row).to_have_count(1)
    for text in ("v1", "durand", "Logements en vis-à-vis", "Balcon 3e étage"):
        expect(row.first).to_contain_text(text)
    expect(page.get_by_text("Version 1", exact=True)).to_be_visible()
    page.locator(".toast .icon-btn").click()  # the toast, not over the history
    history.evaluate("(el) => el.scrollIntoView({block: 'center'})")
    tab.shot("72-masques-historique")


def _wall_shows_the_masks(tab: Tab, camera: CameraRow) -> None:
    page = tab.page
    page.goto(tab.base + f"/mur?camera={camera.id}")
    login(tab, "olga")
    tile = page.locator(f".wall-tile[data-camera='{camera.id}']")
    expect(tile).to_have_attribute("data-state", "live", timeout=20_000)
    overlay = tile.get_by_test_id("mask-overlay")
    expect(overlay.locator("polygon")).to_have_count(2)
    title = overlay.locator("polygon title").first
    expect(title).to_have_text(
        "Masques de confidentialité : Fenêtres 12 rue Victor-Hugo", use_inner_text=False
    )
    video, svg = tile.locator("video").bounding_box(), overlay.bounding_box()
    assert video is not None
    assert svg is not None
    assert svg["x"] >= video["x"] - 1
    assert svg["y"] >= video["y"] - 1
    assert svg["x"] + svg["width"] <= video["x"] + video["width"] + 1
    assert svg["y"] + svg["height"] <= video["y"] + video["height"] + 1
    ratio = svg["width"] / svg["height"]
    assert abs(ratio - 640 / 360) < 0.02, ratio  # the picture's box, not the letterbox
    page.mouse.move(5, 5)
    tab.shot("73-mur-masques")


def test_an_administrator_without_habilitation_draws_on_a_neutral_frame(
    browser: Browser, server: str, shots: Path, rt: Runtime
) -> None:
    _, _, cams = f.town(rt)
    windows = MaskPolygon(name="Fenêtres", points=WINDOWS)
    masks.do_set_masks(rt, f.ADMIN, cams[0].id, MaskSetInput(polygons=[windows], reason="r"))
    masks.do_force_server(rt, Actor.system("mask-audit"), cams[0].id, "masque perdu")
    f.user(rt, "martin", Role.ADMINISTRATOR, habilitated=False)
    with open_tab(browser, server, shots, height=1000) as tab:
        page = tab.page
        _enrol(tab, rt, "martin", f"/administration/masques?camera={cams[0].id}")
        expect(page.locator(".mk-neutral")).to_be_visible(timeout=20_000)
        expect(page.locator("img.mk-picture")).to_have_count(0)
        expect(
            page.get_by_text("Voir les images de la caméra exige une habilitation valide")
        ).to_be_visible()
        expect(page.get_by_text("le cadre est au format 16:9")).to_be_visible()  # no recording
        expect(page.get_by_role("button", name="Dessiner un masque")).to_be_enabled()
        _confirms_the_repair_then_chooses_server_mode(page)
    assert _journal(rt, "privacy.reference_viewed") == []
    [(actor, reason, _)] = _journal(rt, "privacy.camera_confirmed_fixed")
    assert (actor, reason) == ("martin", "Masque de la caméra reparamétré et vérifié")
    [(actor, reason, _)] = _journal(rt, "privacy.mode_set")
    assert (actor, reason) == ("martin", "Caméra sans masque fiable")


def _confirms_the_repair_then_chooses_server_mode(page: Page) -> None:
    latch = page.locator(".mk-latch")
    expect(latch).to_contain_text("Un contrôle des masques a échoué.")
    expect(latch).to_contain_text("masque perdu")
    latch.get_by_label("Ce qui a été réparé").fill("Masque de la caméra reparamétré et vérifié")
    latch.get_by_role("button", name="Confirmer la réparation").click()
    expect(latch).to_have_count(0)
    mode = page.get_by_role("region", name="Mode de masquage")
    mode.get_by_label("Changer de mode").select_option("server")
    mode.get_by_label("Motif (inscrit au journal)").fill("Caméra sans masque fiable")
    mode.get_by_role("button", name="Appliquer le mode").click()
    expect(mode.locator("dd").nth(1)).to_have_text("Masquage par Sentinelle")
    row = page.get_by_test_id("mask-history").locator("tbody tr")
    expect(row).to_have_count(2)
    expect(row.first).to_contain_text("mode : Masquage par Sentinelle")


def test_playback_shows_the_masks_in_force_at_the_instant_shown(
    browser: Browser, server: str, shots: Path, rt: Runtime, clock: FakeClock, tmp_path: Path
) -> None:
    f.user(rt, "dupont", Role.SUPERVISOR)
    _, _, cams = f.town(rt)
    clip = write_clip(tmp_path / "cam.mp4", 90, width=640, height=360, fps=10)
    record_clip(rt, cams[0].id, clip, FIRST, timedelta(seconds=6))
    windows = MaskPolygon(name="Fenêtres", points=WINDOWS)
    balcony = MaskPolygon(name="Balcon", points=BALCONY)
    for at, polygons in ((START, [windows]), (FIRST + timedelta(seconds=30), [windows, balcony])):
        clock.set(at)
        masks.do_set_masks(rt, f.ADMIN, cams[0].id, MaskSetInput(polygons=polygons, reason="r"))
    clock.set(START + timedelta(hours=1))
    with open_tab(browser, server, shots) as tab:
        page = tab.page
        page.goto(server + "/relecture")
        login(tab, "dupont")
        open_playback(page)
        page.get_by_role("button", name="Pause").click()
        overlay = page.locator(".pb-tile").get_by_test_id("mask-overlay").locator("polygon")
        for instant, names in (("10:10:10", ["Fenêtres"]), ("10:10:40", ["Fenêtres", "Balcon"])):
            go_to(page, f"2026-11-22T{instant}")  # version 2 took effect at 10:10:30
            expect(page.get_by_test_id("playback-clock")).to_contain_text(instant)
            expect(overlay).to_have_count(len(names))
            assert [p.get_attribute("data-name") for p in overlay.all()] == names
        go_to(page, "2026-11-22T10:10:05")  # back before the boundary
        expect(overlay).to_have_count(1)
