"""The live wall in real headless Chromium: four cameras recorded by real camera sessions from
the loopback GStreamer RTSP server, their ingest live socket, the API on uvicorn (real
WebSockets); an operator puts them on a 4-tile wall and every tile plays (MSE, H.264), each
opening journalled; the worker restarts and the tiles play again by themselves; an external
viewer is refused, in French and without a picture, a camera outside their habilitation asked
by URL, by the API or with another user's grant. Screenshots: test-artifacts/screenshots/
20-mur-4-cameras.png … 24-mur-camera-hors-habilitation.png."""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from sentinelle.access.models import Role
from sentinelle.access.service import do_create_token
from sentinelle.audit.models import Actor
from sentinelle.core.clock import SystemClock
from sentinelle.ingest.clips import write_clip
from sentinelle.ingest.events import EventKind, SessionEvent
from sentinelle.ingest.fanout import FanOut
from sentinelle.ingest.live_server import LiveServer
from sentinelle.ingest.livewire import StreamChoice, socket_path
from sentinelle.ingest.service import record_events
from sentinelle.ingest.session import CameraSession, LivePacket, SessionConfig
from sentinelle.runtime import Runtime
from tests import factories as f
from tests.console.test_console_e2e import (
    Tab,
    browser,
    enter_code,
    login,
    open_tab,
    server,
    shots,
)
from tests.live.test_api import STARTED, journal
from tests.support.rtsp import rtsp_server

__all__ = ["browser", "server", "shots"]

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)

SITES = [
    ("VSR-001", "Place de l'Hôtel de Ville", 180, 6),
    ("VSR-002", "Rue de la République / Gare", 120, 9),
    ("VSR-003", "Parvis de la médiathèque", 220, 4),
    ("VSR-004", "Parking du Marché couvert", 150, 11),
]


@pytest.fixture(scope="module")
def rtsp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("rtsp")
    clips = {
        code.lower(): write_clip(
            folder / f"{code}.mp4",
            90,
            width=640,
            height=360,
            fps=10,
            gop_seconds=1,
            shade=shade,
            speed=speed,
        )
        for code, _, shade, speed in SITES
    }
    with rtsp_server(clips) as base:
        yield base


class Workers:
    """What the ingest worker does for these cameras: a session each, one live socket."""

    def __init__(self, rt: Runtime, cameras: dict[int, str], root: Path) -> None:
        self.stop = threading.Event()
        self.ids: dict[str, int] = {}
        self.sessions = {
            camera_id: CameraSession(
                SessionConfig(camera_id, url, root / str(camera_id)),
                SystemClock(),
                lambda s: None,
                lambda e: None,
            )
            for camera_id, url in cameras.items()
        }
        self.threads = [
            threading.Thread(target=s.run, args=(self.stop,), daemon=True)
            for s in self.sessions.values()
        ]
        self.server = LiveServer(socket_path(rt.settings.resolved_data_dir, 0), self.lookup)

    def lookup(self, camera_id: int, stream: StreamChoice) -> FanOut[LivePacket] | None:
        session = self.sessions.get(camera_id)
        return session.fanout if session else None  # no sub-stream: `sub` is the main one

    def close(self) -> None:
        if self.stop.is_set():
            return
        self.server.close()
        self.stop.set()
        for thread in self.threads:
            thread.join(20)


@pytest.fixture
def workers(rt: Runtime, rtsp: str, tmp_path: Path) -> Iterator[Workers]:
    _, zone, _ = f.town(rt)
    ids: dict[str, int] = {}
    for code, name, _, _ in SITES:
        ids[code] = f.camera(rt, zone.id, code, name=name).id
    now = rt.now()
    record_events(
        rt, [SessionEvent(i, EventKind.CONNECTED, now - timedelta(minutes=3)) for i in ids.values()]
    )
    workers = Workers(rt, {ids[c]: f"{rtsp}/{c.lower()}" for c, *_ in SITES}, tmp_path / "rec")
    workers.ids = ids
    workers.server.start()
    for thread in workers.threads:
        thread.start()
    yield workers
    workers.close()


H264 = """() => ['avc1.64001e', 'avc1.4d401e', 'avc1.42e01e'].some(
  (c) => MediaSource.isTypeSupported(`video/mp4; codecs="${c}"`))"""

PLAYING = """(video) => new Promise((resolve) => {
  const t0 = video.currentTime;
  setTimeout(() => resolve({
    advanced: video.currentTime - t0,
    frames: video.getVideoPlaybackQuality().totalVideoFrames,
    lag: video.buffered.length
      ? video.buffered.end(video.buffered.length - 1) - video.currentTime
      : 99,
    width: video.videoWidth,
  }), 1500);
})"""


def test_an_operator_watches_four_cameras_on_a_four_tile_wall(
    browser: Browser, server: str, shots: Path, rt: Runtime, workers: Workers
) -> None:
    cameras = workers.ids
    f.user(rt, "olga", Role.OPERATOR)
    with open_tab(browser, server, shots, width=1600, height=960) as tab:
        page = tab.page
        page.goto(server + "/")
        supported = page.evaluate(H264)
        login(tab, "olga")
        page.locator("nav.sidenav").get_by_role("link", name="Mur d'images").click()
        expect(page).to_have_url(server + "/mur")
        page.get_by_test_id("grid-4").click()
        expect(page.locator(".wall-tile")).to_have_count(4)
        listing = page.get_by_test_id("camera-list")
        for i, (code, *_rest) in enumerate(SITES):
            expect(listing.get_by_text(code)).to_be_visible()
            # By drag-and-drop for the first, by selecting a tile then a camera for the others.
            if i == 0:
                listing.get_by_text(code).drag_to(page.get_by_test_id("tile-0"))
            else:
                page.get_by_test_id(f"tile-{i}").click()
                listing.get_by_text(code).click()
            expect(page.get_by_test_id(f"tile-{i}")).to_have_attribute(
                "data-camera", str(cameras[code])
            )
        assert supported, "this Chromium cannot play H.264 through MSE"
        for i in range(4):
            tile = page.get_by_test_id(f"tile-{i}")
            expect(tile).to_have_attribute("data-state", "live", timeout=20_000)
            expect(tile.locator(".badge")).to_have_text("Enregistrement")
        for i in range(4):
            video = page.get_by_test_id(f"tile-{i}").locator("video")
            got = video.evaluate(PLAYING)
            assert got["advanced"] > 0.5, (i, got)
            assert got["frames"] > 0, (i, got)
            assert got["width"] == 640, (i, got)
            assert got["lag"] < 1.5, (i, got)  # near the live edge
        time.sleep(1.0)
        page.mouse.move(5, 5)
        tab.shot("20-mur-4-cameras")
        started = journal(rt, STARTED)
        assert {row["camera_id"] for row in started} >= set(cameras.values()), started
        assert {row["actor_name"] for row in started} == {"olga"}

        # Maximise a tile (main stream), then back to the wall with Escape.
        page.get_by_test_id("tile-1").dblclick()
        expect(page.locator(".wall-tile")).to_have_count(1)
        expect(page.get_by_test_id("tile-1")).to_have_attribute(
            "data-state", "live", timeout=20_000
        )
        tab.shot("21-mur-vue-agrandie")
        page.keyboard.press("Escape")
        expect(page.locator(".wall-tile")).to_have_count(4)

        _save_and_reload(page, cameras)
        for i in range(4):
            expect(page.get_by_test_id(f"tile-{i}")).to_have_attribute(
                "data-state", "live", timeout=20_000
            )

        _worker_restarts(tab, rt, workers)
        assert tab.foreign == []
        assert tab.errors == [], tab.errors


def _worker_restarts(tab: Tab, rt: Runtime, workers: Workers) -> None:
    page = tab.page
    # The worker restarts (its socket goes, then comes back): each tile says "no signal",
    # never a frozen picture, then plays again by itself; no view is reopened.
    opened = len(journal(rt, STARTED))
    path = workers.server.path
    workers.server.close()
    for i in range(4):
        tile = page.get_by_test_id(f"tile-{i}")
        expect(tile).to_have_attribute("data-state", "no_signal", timeout=15_000)
        expect(tile.locator(".wall-state-nosignal")).to_contain_text("Pas de signal")
        expect(tile.locator(".wall-live")).to_have_count(0)
    tab.shot("22-mur-pas-de-signal")
    workers.server = LiveServer(path, workers.lookup)
    workers.server.start()
    for i in range(4):
        tile = page.get_by_test_id(f"tile-{i}")
        expect(tile).to_have_attribute("data-state", "live", timeout=20_000)
    for i in range(4):
        got = page.get_by_test_id(f"tile-{i}").locator("video").evaluate(PLAYING)
        assert got["advanced"] > 0.5, (i, got)  # a new timeline plays from its start
        assert got["lag"] < 1.5, (i, got)
    assert len(journal(rt, STARTED)) == opened


def _save_and_reload(page: Page, cameras: dict[str, int]) -> None:
    # Save the wall as a shared preset; it survives a reload (last layout) and is listed.
    page.get_by_role("button", name="Enregistrer sous…").click()
    page.get_by_label("Nom de la disposition").fill("Centre-ville")
    page.get_by_role("dialog").get_by_role("checkbox").check()
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.locator(".wall-layout-name", has_text="Centre-ville")).to_be_visible()
    page.keyboard.press("9")
    expect(page.locator(".wall-tile")).to_have_count(9)
    page.reload()
    expect(page.locator(".wall-tile")).to_have_count(9)
    page.locator(".wall-layout-name", has_text="Centre-ville").click()
    expect(page.locator(".wall-tile")).to_have_count(4)
    expect(page.get_by_test_id("tile-3")).to_have_attribute("data-camera", str(cameras["VSR-004"]))


def test_an_external_viewer_gives_a_reason_before_the_wall_opens(
    browser: Browser, server: str, shots: Path, rt: Runtime, workers: Workers
) -> None:
    cameras = workers.ids
    centre = f.group(rt, "Centre", [cameras["VSR-001"], cameras["VSR-002"]])
    f.user(
        rt, "pjmartin", Role.EXTERNAL_VIEWER, all_cameras=False, group_ids=frozenset({centre.id})
    )
    with open_tab(browser, server, shots, width=1600, height=960) as tab:
        page = tab.page
        page.goto(server + "/mur")
        login(tab, "pjmartin")
        secret = page.get_by_test_id("totp-secret").inner_text().replace(" ", "")
        enter_code(tab, f.totp_now(secret, rt))  # external viewers enrol a second factor
        dialog = page.get_by_role("dialog", name="Motif de la consultation")
        expect(dialog).to_be_visible()
        tab.shot("23-mur-motif-visionneur-externe")
        dialog.get_by_label("Motif").fill("PV 2026/004512 : vol à l'arraché")
        dialog.get_by_role("button", name="Ouvrir le direct").click()
        expect(dialog).to_have_count(0)
        listing = page.get_by_test_id("camera-list")
        expect(listing.locator(".wall-cam")).to_have_count(2)  # only their habilitation
        page.keyboard.press("1")
        expect(page.locator(".wall-tile")).to_have_count(1)
        listing.get_by_text("VSR-002").click()
        expect(page.get_by_test_id("tile-0")).to_have_attribute(
            "data-state", "live", timeout=20_000
        )
        started = journal(rt, STARTED)
        assert [(r["actor_name"], r["camera_id"], r["reason"]) for r in started] == [
            ("pjmartin", cameras["VSR-002"], "PV 2026/004512 : vol à l'arraché")
        ]
        page.keyboard.press("6")
        expect(page.locator(".wall-tile")).to_have_count(16)
        assert tab.foreign == []
        assert tab.errors == [], tab.errors


REFUSALS = """async ([outside, foreignOutside, foreignInside, period]) => {
  const headers = {"Content-Type": "application/json",
                   "X-CSRF-Token": localStorage.getItem("sentinelle.csrf") ?? ""};
  const post = async (path, body) => {
    const r = await fetch(path, {method: "POST", headers, body: JSON.stringify(body)});
    return {status: r.status, code: (await r.json()).code};
  };
  const socket = (url) => new Promise((resolve) => {
    const ws = new WebSocket(`ws://${location.host}${url}`);
    ws.binaryType = "arraybuffer";
    let text = null, pictures = 0;
    ws.onmessage = (e) => { if (typeof e.data === "string") text = JSON.parse(e.data).code;
                            else pictures += 1; };
    ws.onclose = (e) => resolve({close: e.code, reason: e.reason, text, pictures});
  });
  return {
    live: await post("/api/live", {camera_ids: [outside], reason: "PV 2026/004512"}),
    playback: await post("/api/playback", {camera_ids: [outside], ...period,
                                           reason: "PV 2026/004512"}),
    foreignOutside: await socket(foreignOutside),
    foreignInside: await socket(foreignInside),
  };
}"""


def _grants_of(server: str, rt: Runtime, username: str, cameras: list[int]) -> list[str]:
    """The WebSocket URLs of a live view that `username` opens (bearer token, as a script)."""
    user = f.user(rt, username, Role.OPERATOR)
    _, token = do_create_token(rt, Actor.system("e2e"), user.id, "e2e", 1)
    request = urllib.request.Request(  # noqa: S310 - the loopback test server
        server + "/api/live",
        data=json.dumps({"camera_ids": cameras}).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
        return [str(c["url"]) for c in json.loads(response.read())["cameras"]]


def test_an_external_viewer_is_refused_a_camera_outside_their_habilitation(
    browser: Browser, server: str, shots: Path, rt: Runtime, workers: Workers
) -> None:
    cameras = workers.ids
    centre = f.group(rt, "Centre", [cameras["VSR-001"], cameras["VSR-002"]])
    f.user(
        rt, "pjmartin", Role.EXTERNAL_VIEWER, all_cameras=False, group_ids=frozenset({centre.id})
    )
    outside = cameras["VSR-004"]
    foreign = _grants_of(server, rt, "olga", [outside, cameras["VSR-001"]])
    with open_tab(browser, server, shots, width=1600, height=960) as tab:
        page = tab.page
        page.goto(server + "/mur")
        login(tab, "pjmartin")
        secret = page.get_by_test_id("totp-secret").inner_text().replace(" ", "")
        enter_code(tab, f.totp_now(secret, rt))
        _give_reason(page)
        listing = page.get_by_test_id("camera-list")
        expect(listing.locator(".wall-cam")).to_have_count(2)
        for code in ("VSR-003", "VSR-004"):
            expect(listing.get_by_text(code)).to_have_count(0)

        # A direct URL to a camera outside the habilitation: the tile says no, never a picture.
        page.goto(f"{server}/mur?camera={outside}")
        _give_reason(page)
        tile = page.locator(f'.wall-tile[data-camera="{outside}"]')
        expect(tile).to_have_attribute("data-state", "refused", timeout=15_000)
        expect(tile.locator(".wall-state-refused")).to_contain_text("Direct indisponible")
        expect(tile.locator(".wall-state-refused")).to_contain_text(
            "Accès refusé : cette caméra n'est pas dans votre habilitation"
        )
        video = tile.locator("video")
        assert video.evaluate("(v) => [v.readyState, v.videoWidth, v.src]") == [0, 0, ""]
        expect(tile.locator(".wall-live")).to_have_count(0)
        page.mouse.move(5, 5)
        tab.shot("24-mur-camera-hors-habilitation")

        # The API, asked from the page: the live view, the playback, another user's grants.
        now = rt.now()
        period = {"from": (now - timedelta(hours=1)).isoformat(), "to": now.isoformat()}
        got = page.evaluate(REFUSALS, [outside, foreign[0], foreign[1], period])
        assert got["live"] == {"status": 403, "code": "camera_out_of_scope"}, got
        assert got["playback"] == {"status": 403, "code": "camera_out_of_scope"}, got
        assert got["foreignOutside"] == {
            "close": 4403,
            "reason": "camera_out_of_scope",
            "text": "camera_out_of_scope",
            "pictures": 0,
        }, got
        assert got["foreignInside"] == {
            "close": 4403,
            "reason": "grant_not_yours",
            "text": "grant_not_yours",
            "pictures": 0,
        }, got

        # Playback lists only the habilitation's cameras either.
        page.goto(server + "/relecture")
        expect(page.get_by_role("heading", name="Relecture", exact=True)).to_be_visible()
        expect(page.get_by_text("VSR-001").first).to_be_visible()
        expect(page.get_by_text("VSR-004")).to_have_count(0)
        assert tab.foreign == []
        assert tab.errors == [], tab.errors
    # A refusal journals nothing (live-view invariant 1): only olga's scripted opening is there.
    started = journal(rt, STARTED)
    assert {row["actor_name"] for row in started} == {"olga"}, started


def _give_reason(page: Page) -> None:
    dialog = page.get_by_role("dialog", name="Motif de la consultation")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Motif").fill("PV 2026/004512 : vol à l'arraché")
    dialog.get_by_role("button", name="Ouvrir le direct").click()
    expect(dialog).to_have_count(0)
