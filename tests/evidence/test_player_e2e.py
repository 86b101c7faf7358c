"""The offline evidence player (lecteur/index.html) in real headless Chromium, opened from
file:// with the network off: it decodes the exported H.264, steps frame by frame, searches by
date and time, plays forward and backward at a chosen speed, saves the displayed frame and a
sequence as lossless PNGs equal to the frames decoded independently, and attempts no network
request (arrêté du 3 août 2007: the player delivered with an export)."""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import av
import pytest
from playwright.sync_api import Browser, Download, Page, expect

from tests.evidence.player_fixture import PLAYER, REFERENCE, TIMESCALE, make_export
from tests.support.browser import OfflinePage, chromium, offline_page

FRAME_US = 100_000  # 10 frames a second
H264 = 'video/mp4; codecs="avc1.42E01E"'
Frames = dict[int, tuple[int, int, bytes]]  # pts at 90 kHz → (width, height, packed RGB)


@pytest.fixture(scope="module")
def export_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_export(tmp_path_factory.mktemp("player-export"))


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as b:
        yield b


@pytest.fixture
def artifacts(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("SENTINELLE_ARTIFACTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def tab(browser: Browser) -> Iterator[OfflinePage]:
    # The machine's zone differs from the site's: the player must use the manifest's zone.
    with offline_page(browser, timezone_id="America/New_York") as page:
        yield page


def test_player_is_one_self_contained_file() -> None:
    html = (PLAYER / "index.html").read_text(encoding="utf-8")
    assert not re.search(r"\b(?:https?|ftp|wss?):|//[a-z0-9.-]+\.[a-z]{2,}/", html, re.IGNORECASE)
    references = re.findall(r"""(?:src|href|action|poster)\s*=\s*["']([^"']*)["']""", html)
    assert all(ref.startswith(("data:", "#")) for ref in references), references
    assert "@import" not in html
    assert "url(" not in html
    assert "default-src 'none'" in html  # the CSP forbids every network fetch


def test_offline_guard_records_network_attempts(tab: OfflinePage) -> None:
    """The guard the player tests rely on does see a page's network attempts."""
    tab.page.goto("data:text/html,<p>sonde</p>")
    tab.page.evaluate("fetch('http://192.0.2.1/sonde').catch(() => null)")
    assert tab.network == ["http://192.0.2.1/sonde"]


def test_player_end_to_end(
    tab: OfflinePage, export_dir: Path, artifacts: Path, tmp_path: Path
) -> None:
    """One session as an officer would run it; each phase starts where the last one ended."""
    started = time.monotonic()
    page = tab.page
    open_export(page, export_dir, artifacts)
    step_frames(page)
    search_time(page)
    use_timeline(page)
    play_forward_and_backward(page, artifacts)
    reference = decoded_frames(export_dir / "video" / "CAM-001_20261129T090000Z.mp4")
    save_frame(page, reference, tmp_path)
    save_sequence(page, reference, tmp_path)
    search_cameras(page)
    assert tab.network == []
    assert tab.errors == []
    assert not [m for m in tab.console if "Content Security Policy" in m or "Refused to" in m]
    assert time.monotonic() - started < 30


def open_export(page: Page, export_dir: Path, artifacts: Path) -> None:
    """The empty state, then the export folder chosen and its first camera selected."""
    page.goto((export_dir / "lecteur" / "index.html").as_uri())
    expect(page.locator("#empty")).to_be_visible()
    expect(page.locator("#empty")).to_contain_text("Aucun export ouvert")
    page.screenshot(path=str(artifacts / "lecteur-1-accueil.png"))

    # Debian's Chromium decodes H.264 (else the player cannot work on this machine at all).
    assert page.evaluate(f"document.createElement('video').canPlayType('{H264}')") == "probably"

    page.set_input_files("#pick-dir", str(export_dir))
    cams = page.locator("#cam-list .cam")
    expect(cams).to_have_count(2)
    expect(cams.nth(0)).to_contain_text("CAM-001")
    expect(cams.nth(0)).to_contain_text("1 interruption")
    expect(page.locator("#facts")).to_contain_text("PV 2026/004512")
    expect(page.locator("#facts")).to_contain_text("agent.dupont")
    expect(page.locator("#header-ref")).to_have_text(REFERENCE)
    expect(page.locator("aside")).to_contain_text("verification/verifier.py")

    cams.nth(0).click()
    first = settle(page)
    assert (first["camera"], first["frame"], first["frames"]) == ("CAM-001", 0, 120)
    assert first["utc"] == "2026-11-29T09:00:00.000Z"
    assert first["presented"] == 0  # a frame was decoded and presented by the <video>
    assert page.evaluate("document.getElementById('video').videoWidth") == 320
    shows(page, "CAM-001", "29/11/2026 10:00:00,000", "2026-11-29 09:00:00.000 UTC", "1 / 120")
    expect(page.locator("#local-label")).to_contain_text("Europe/Paris")
    expect(page.locator("#tl-gaps .gap")).to_have_count(1)
    page.screenshot(path=str(artifacts / "lecteur-2-camera.png"))


def step_frames(page: Page) -> None:
    """Frame by frame: exactly one frame interval each way."""
    first = settle(page)
    page.keyboard.press("ArrowRight")
    step = settle(page)
    assert (step["frame"], step["presented"]) == (1, 1)
    assert micros(step["utc"]) - micros(first["utc"]) == FRAME_US
    shows(page, "29/11/2026 10:00:00,100", "2026-11-29 09:00:00.100 UTC", "2 / 120")
    page.keyboard.press("ArrowLeft")
    back = settle(page)
    assert (back["frame"], back["utc"]) == (0, first["utc"])


def search_time(page: Page) -> None:
    """Search by site time, then UTC; a gap and an instant outside are refused."""
    goto(page, "29/11/2026 10:00:04,25")
    at = settle(page)
    assert (at["frame"], at["utc"]) == (42, "2026-11-29T09:00:04.200Z")
    shows(page, "29/11/2026 10:00:04,200", "2026-11-29 09:00:04.200 UTC", "43 / 120")
    goto(page, "29/11/2026 10:00:07")
    expect(page.locator("#msg")).to_contain_text("Aucune image à cet instant")
    expect(page.locator("#msg")).to_contain_text("caméra hors ligne")
    assert settle(page)["frame"] == 42
    goto(page, "2026-11-29T10:00:00Z")
    expect(page.locator("#msg")).to_contain_text("hors de la période enregistrée")
    goto(page, "2026-11-29T09:00:10.05Z")
    after_gap = settle(page)
    assert (after_gap["frame"], after_gap["utc"]) == (70, "2026-11-29T09:00:10.000Z")


def use_timeline(page: Page) -> None:
    """The timeline seeks; a click in the gap is refused with the gap's reason."""
    bar = page.locator("#timeline").bounding_box()
    assert bar is not None
    page.mouse.click(bar["x"] + bar["width"] * 0.2, bar["y"] + bar["height"] / 2)
    clicked = settle(page)
    assert abs(micros(clicked["utc"]) - micros("2026-11-29T09:00:03Z")) <= FRAME_US
    page.mouse.click(bar["x"] + bar["width"] * 0.5, bar["y"] + bar["height"] / 2)
    expect(page.locator("#msg")).to_contain_text("caméra hors ligne")
    assert settle(page)["frame"] == clicked["frame"]


def play_forward_and_backward(page: Page, artifacts: Path) -> None:
    """Play at ×2, then backwards at ×2; then at ×1 into the gap, which is jumped over."""
    goto(page, "2026-11-29T09:00:09.5Z")
    before = settle(page)
    page.keyboard.press("+")
    page.keyboard.press("Space")
    page.wait_for_timeout(900)
    playing = state(page)
    assert (playing["playing"], playing["rate"], playing["direction"]) == (True, 2, 1)
    expect(page.locator("#state-pill")).to_contain_text("LECTURE ×2")
    page.screenshot(path=str(artifacts / "lecteur-3-lecture.png"))
    page.keyboard.press("Space")
    played = settle(page)
    assert not played["playing"]
    assert 400_000 <= micros(played["utc"]) - micros(before["utc"]) <= 3_000_000

    page.keyboard.press("r")
    page.keyboard.press("Space")
    page.wait_for_timeout(900)
    reversing = state(page)
    assert (reversing["playing"], reversing["direction"]) == (True, -1)
    expect(page.locator("#state-pill")).to_contain_text("ARRIÈRE ×2")
    page.keyboard.press("Space")
    rewound = settle(page)
    assert 400_000 <= micros(played["utc"]) - micros(rewound["utc"]) <= 3_000_000

    page.keyboard.press("r")
    page.keyboard.press("1")
    assert (state(page)["direction"], state(page)["rate"]) == (1, 1)
    goto(page, "2026-11-29T09:00:05.8Z")
    page.keyboard.press("Space")
    page.wait_for_function("() => window.__lecteur.state().utc >= '2026-11-29T09:00:09'")
    page.keyboard.press("Space")
    resumed = settle(page)
    assert "2026-11-29T09:00:09.000Z" <= resumed["utc"] < "2026-11-29T09:00:11Z"
    expect(page.locator("#msg")).to_contain_text("Interruption sautée")


def save_frame(page: Page, reference: Frames, downloads: Path) -> None:
    """Save the displayed frame: a 320×240 PNG whose pixels are the decoded frame's."""
    goto(page, "2026-11-29T09:00:04.2Z")
    assert settle(page)["frame"] == 42
    with page.expect_download() as info:
        page.keyboard.press("s")
    png = saved(info.value, downloads)
    assert png.name == "CAM-001_20261129T090004.200Z.png"
    text = png_text(png)
    assert text["Creation Time"] == "2026-11-29T09:00:04.200Z"
    assert "CAM-001" in text["Title"]
    assert REFERENCE in text["Source"]
    pixels = png_rgb(png)
    assert same_picture(pixels, reference[42 * 9000])
    assert not same_picture(pixels, reference[41 * 9000])  # the comparison tells frames apart


def save_sequence(page: Page, reference: Frames, folder: Path) -> None:
    """Mark five frames (I, four steps, O), save them: five PNG downloads, one per frame."""
    downloads: list[Download] = []

    def keep(download: Download) -> None:
        downloads.append(download)

    page.on("download", keep)
    page.keyboard.press("i")
    for _ in range(4):
        page.keyboard.press("ArrowRight")
        settle(page)
    page.keyboard.press("o")
    assert (state(page)["markIn"], state(page)["markOut"]) == (42, 46)
    expect(page.locator("#marks")).to_contain_text("5 images")
    page.keyboard.press("Shift+S")
    deadline = time.monotonic() + 20
    while len(downloads) < 5 or state(page)["busy"]:
        assert time.monotonic() < deadline, (len(downloads), state(page), page.inner_text("#msg"))
        page.wait_for_timeout(100)
    page.remove_listener("download", keep)
    assert [d.suggested_filename for d in downloads] == [
        f"CAM-001_20261129T09000{s}Z.png" for s in ("4.200", "4.300", "4.400", "4.500", "4.600")
    ]
    for n, download in enumerate(downloads):
        assert same_picture(png_rgb(saved(download, folder)), reference[(42 + n) * 9000])
    expect(page.locator("#msg")).to_contain_text("Séquence enregistrée : 5 image(s)")


def search_cameras(page: Page) -> None:
    """The camera search filters by code, name or place, ignoring case and accents; choosing
    the other camera keeps the instant."""
    cams = page.locator("#cam-list .cam")
    search = page.locator("#cam-search")
    search.fill("routiere")
    expect(cams).to_have_count(1)
    expect(cams.nth(0)).to_contain_text("CAM-002")
    search.fill("cam-00")
    expect(cams).to_have_count(2)
    search.fill("zzz")
    expect(cams).to_have_count(0)
    expect(page.locator("#cam-empty")).to_contain_text("Aucune caméra ne correspond")
    search.fill("gare")
    cams.nth(0).click()
    other = settle(page)
    assert (other["camera"], other["utc"]) == ("CAM-002", "2026-11-29T09:00:04.600Z")
    shows(page, "CAM-002", "Gare routière", "2026-11-29 09:00:04.600 UTC")


def test_player_reads_loose_files(tab: OfflinePage, export_dir: Path) -> None:
    """Files chosen one by one (no folder) are matched to the manifest by name."""
    page = tab.page
    page.goto((export_dir / "lecteur" / "index.html").as_uri())
    files = [export_dir / "manifest.json"]
    files += sorted((export_dir / "video").iterdir()) + sorted((export_dir / "index").iterdir())
    page.set_input_files("#pick-files", [str(f) for f in files])
    page.locator("#cam-list .cam").nth(1).click()
    second = settle(page)
    assert (second["camera"], second["frame"]) == ("CAM-002", 0)
    assert second["utc"] == "2026-11-29T09:00:02.000Z"
    shows(page, "CAM-002", "29/11/2026 10:00:02,000")
    assert tab.network == []


def test_player_error_states(
    tab: OfflinePage, export_dir: Path, tmp_path: Path, artifacts: Path
) -> None:
    page = tab.page
    page.goto((export_dir / "lecteur" / "index.html").as_uri())

    not_an_export = tmp_path / "clé-usb"
    (not_an_export / "photos").mkdir(parents=True)
    (not_an_export / "photos" / "note.txt").write_text("rien")
    page.set_input_files("#pick-dir", str(not_an_export))
    expect(page.locator("#fatal")).to_contain_text("Manifeste introuvable")

    unknown = copy_export(export_dir, tmp_path / "inconnu")
    manifest = json.loads((unknown / "manifest.json").read_text(encoding="utf-8"))
    manifest["schema"] = "sentinelle.export/9"
    (unknown / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    page.set_input_files("#pick-dir", str(unknown))
    expect(page.locator("#fatal")).to_contain_text("Format de manifeste inconnu")
    expect(page.locator("#fatal")).to_contain_text("sentinelle.export/9")
    page.screenshot(path=str(artifacts / "lecteur-4-erreur.png"))

    damaged = copy_export(export_dir, tmp_path / "abime")
    (damaged / "video" / "CAM-002_20261129T090002Z.mp4").unlink()
    (damaged / "video" / "CAM-001_20261129T090000Z.mp4").write_bytes(b"\0garbage" * 4096)
    page.set_input_files("#pick-dir", str(damaged))
    cams = page.locator("#cam-list .cam")
    expect(cams.nth(1)).to_contain_text("vidéo absente")
    cams.nth(1).click()
    expect(page.locator("#fatal")).to_contain_text("Vidéo absente")
    cams.nth(0).click()
    expect(page.locator("#veil")).to_contain_text("Vidéo illisible")
    expect(page.locator("#msg")).to_contain_text("ne peut pas être lue")
    assert tab.network == []
    assert tab.errors == []


# ------------------------------------------------------------------------- helpers


def state(page: Page) -> dict[str, Any]:
    result: dict[str, Any] = page.evaluate("window.__lecteur.state()")
    return result


def settle(page: Page) -> dict[str, Any]:
    """The player's state once no seek is pending."""
    page.wait_for_function("() => window.__lecteur.state().camera !== null")
    page.evaluate("window.__lecteur.idle()")
    return state(page)


def shows(page: Page, *texts: str) -> None:
    """What the officer reads on screen (the picture's caption) holds each text, and the
    caption (camera, local and UTC time) lies inside the window, with the picture."""
    for text in texts:
        expect(page.locator("#stage")).to_contain_text(text)
    viewport = page.viewport_size
    assert viewport is not None
    for selector in ("#cur-code", "#local-time", "#utc-time", "#frame-no", "video"):
        box = page.locator(selector).bounding_box()
        assert box is not None, selector
        assert box["width"] > 0, selector
        assert box["height"] > 0, selector
        assert box["y"] >= 0, selector
        assert box["y"] + box["height"] <= viewport["height"], selector


def goto(page: Page, when: str) -> None:
    field = page.locator("#goto")
    field.fill(when)
    field.press("Enter")
    settle(page)


def micros(iso: str) -> int:
    """Microseconds since midnight of an ISO UTC instant (all fixture times share a day)."""
    match = re.fullmatch(r"\d{4}-\d{2}-\d{2}T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?Z", iso)
    assert match, iso
    h, m, s, frac = match.groups()
    return ((int(h) * 60 + int(m)) * 60 + int(s)) * 1_000_000 + int((frac or "").ljust(6, "0"))


def saved(download: Download, folder: Path) -> Path:
    assert download.failure() is None
    path = folder / download.suggested_filename
    download.save_as(path)
    return path


def copy_export(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    return target


def rgb_bytes(frame: av.VideoFrame) -> bytes:
    """The picture as packed RGB rows (no numpy in the environment)."""
    rgb = frame.reformat(format="rgb24")
    plane = rgb.planes[0]
    data = bytes(plane)
    row = rgb.width * 3
    return b"".join(
        data[y * plane.line_size : y * plane.line_size + row] for y in range(rgb.height)
    )


def decoded_frames(video: Path) -> Frames:
    """Every frame of the MP4 decoded by FFmpeg (PyAV), by pts at 90 kHz."""
    frames: Frames = {}
    with av.open(str(video)) as container:
        stream = container.streams.video[0]
        assert stream.time_base is not None
        for frame in container.decode(stream):
            assert frame.pts is not None
            pts = round(frame.pts * stream.time_base * TIMESCALE)
            frames[pts] = (frame.width, frame.height, rgb_bytes(frame))
    return frames


def png_rgb(path: Path) -> tuple[int, int, bytes]:
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with av.open(str(path)) as container:
        frame = next(container.decode(video=0))
        return frame.width, frame.height, rgb_bytes(frame)


def png_text(path: Path) -> dict[str, str]:
    """The iTXt chunks of a PNG, each chunk's CRC checked."""
    data = path.read_bytes()
    at, found = 8, {}
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind, body = data[at + 4 : at + 8], data[at + 8 : at + 8 + length]
        (crc,) = struct.unpack(">I", data[at + 8 + length : at + 12 + length])
        assert zlib.crc32(kind + body) == crc, kind
        if kind == b"iTXt":
            keyword, rest = body.split(b"\0", 1)
            text = rest[2:].split(b"\0", 2)[2]
            found[keyword.decode("latin-1")] = text.decode("utf-8")
        at += 12 + length
    return found


def same_picture(got: tuple[int, int, bytes], want: tuple[int, int, bytes]) -> bool:
    """Equal up to YUV→RGB rounding: small mean difference and no differing region."""
    assert got[:2] == want[:2] == (320, 240), (got[:2], want[:2])
    diffs = [abs(a - b) for a, b in zip(got[2], want[2], strict=True)]
    mean = sum(diffs) / len(diffs)
    far = sum(1 for d in diffs if d > 24)
    return mean < 3 and far <= len(diffs) // 1000
