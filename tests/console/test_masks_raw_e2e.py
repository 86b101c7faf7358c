"""The mask editor's reference picture of a camera the server masks, in real headless
Chromium: the masks in force are burnt in (P1) and said so; ticking « Afficher l'image sans
les masques existants » asks for a reason, then shows the raw picture, journalled with it.
Screenshots: 74-masques-reference-masquee.png, 75-masques-reference-brute.png."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, expect

from sentinelle.access.models import Role
from sentinelle.ingest.clips import write_clip
from sentinelle.privacy import service as masks
from sentinelle.privacy.models import MaskMode, MaskModeInput, MaskPolygon, MaskSetInput
from sentinelle.runtime import Runtime
from tests import factories as f
from tests.console.test_console_e2e import browser, enter_code, login, open_tab, server, shots
from tests.support.rtsp import rtsp_server

__all__ = ["browser", "server", "shots"]

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


@pytest.fixture(scope="module")
def scene(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    clip = write_clip(
        tmp_path_factory.mktemp("raw-e2e") / "scene.mp4",
        60,
        width=640,
        height=360,
        fps=10,
        gop_seconds=1,
        masks=[(0.0, 0.0, 0.02, 0.02)],
        masks_lost_at=0.0,
    )
    with rtsp_server({"scene": clip}) as base:
        yield f"{base}/scene"


def _viewed(rt: Runtime) -> list[dict[str, object]]:
    with rt.db.read() as s:
        rows = s.execute(
            sa.text(
                "SELECT details FROM audit_entries WHERE action = 'privacy.reference_viewed' "
                "ORDER BY seq"
            )
        )
        return [json.loads(r[0]) for r in rows]


def test_a_server_masked_camera_s_reference_is_masked_unless_asked_raw_with_a_reason(
    browser: Browser, server: str, shots: Path, rt: Runtime, scene: str
) -> None:
    _, zone, _ = f.town(rt)
    cam = f.camera(rt, zone.id, "VSR-002", name="Rue de la Paix", main_stream_url=scene)
    window = MaskPolygon(
        name="Fenêtres", points=[(0.1, 0.15), (0.45, 0.15), (0.45, 0.6), (0.1, 0.6)]
    )
    masks.do_set_masks(rt, f.ADMIN, cam.id, MaskSetInput(polygons=[window], reason="vis-à-vis"))
    masks.do_set_mode(rt, f.ADMIN, cam.id, MaskModeInput(mode=MaskMode.SERVER, reason="serveur"))
    f.user(rt, "durand", Role.ADMINISTRATOR)
    with open_tab(browser, server, shots, width=1600, height=1000) as tab:
        page = tab.page
        path = f"/administration/masques?camera={cam.id}"
        page.goto(tab.base + path)
        login(tab, "durand")
        secret = page.get_by_test_id("totp-secret").inner_text().replace(" ", "")
        enter_code(tab, f.totp_now(secret, rt))
        expect(page.get_by_role("link", name="Administration")).to_be_visible()
        page.goto(tab.base + path)
        expect(page.locator("img.mk-picture")).to_be_visible(timeout=20_000)
        expect(page.get_by_text("Les masques en vigueur sont appliqués")).to_be_visible()
        tab.shot("74-masques-reference-masquee")
        page.get_by_label("Afficher l'image sans les masques existants").check()
        show = page.get_by_role("button", name="Afficher sans masques")
        expect(show).to_be_disabled()
        page.get_by_label("Motif de l'affichage sans masques").fill("Masque décalé à vérifier")
        show.click()
        expect(page.get_by_text("Les masques en vigueur sont appliqués")).to_be_hidden(
            timeout=20_000
        )
        tab.shot("75-masques-reference-brute")
        assert tab.foreign == []
    # The console may load the masked picture more than once (a slow machine, a re-render);
    # what matters: every look is journalled, masked until the one asked raw with its reason.
    *masked, raw = _viewed(rt)
    assert masked, "the masked picture was shown (and journalled) first"
    assert all(v["masks_burnt_in"] == 2 and "raw" not in v for v in masked)
    assert (raw["raw"], raw["reason"]) == (True, "Masque décalé à vérifier")
