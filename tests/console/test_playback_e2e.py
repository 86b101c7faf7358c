"""The playback screen in real headless Chromium against the real app (uvicorn, the test
runtime and its fake clock), on footage recorded through the real segment writer: a supervisor
opens CAM-001 with a reason, goes to a past minute (the displayed time and the video's
position agree), the <video> plays (hls.js on the grant's playlist), marks one minute and
exports it from the dialog; the finished package verifies. Screenshots:
test-artifacts/screenshots/30-relecture.png and 31-export-dialogue.png."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from sentinelle.access.models import Role
from sentinelle.core.clock import FakeClock
from sentinelle.evidence import service as exports
from sentinelle.evidence.tables import ExportRow
from sentinelle.evidence.verifier import verify_package
from sentinelle.ingest.clips import write_clip
from sentinelle.runtime import Runtime
from tests import factories as f
from tests.conftest import START
from tests.console.test_console_e2e import browser, expect_shell, login, open_tab, server, shots
from tests.support.footage import record_clip

__all__ = ["browser", "server", "shots"]

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)

FIRST = START + timedelta(minutes=10)  # 10:10:00 in Paris
SECOND = FIRST + timedelta(minutes=2, seconds=30)
CODES = ("CAM-001", "CAM-002", "CAM-003", "CAM-004")


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("playback-e2e")
    long = write_clip(folder / "long.mp4", 90, width=640, height=360, fps=10, gop_seconds=2)
    short = write_clip(folder / "short.mp4", 30, width=640, height=360, fps=10, gop_seconds=2)
    return long, short


def video_time(page: Page, code: str) -> float:
    found = page.evaluate(
        "code => document.querySelector(`[data-testid=video-${code}]`).currentTime", code
    )
    return float(found)


def go_to(page: Page, value: str) -> None:
    page.get_by_label("Aller à (heure du site)").fill(value)
    page.get_by_role("button", name="Aller", exact=True).click()


def open_playback(page: Page) -> None:
    """Open CAM-001 at 10:10:20 with a reason (refused first without one)."""
    page.get_by_label("Aller à (heure du site)").fill("2026-11-22T10:10:20")
    page.get_by_role("button", name="Ouvrir la relecture").click()
    dialog = page.get_by_role("dialog", name="Motif de la consultation")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Consulter").click()
    expect(dialog.get_by_role("alert")).to_contain_text("Indiquez un motif")
    dialog.get_by_label("Motif").fill("Recherche suite à un signalement, place de l'Hôtel de Ville")
    dialog.get_by_role("button", name="Consulter").click()
    expect(page.get_by_role("dialog")).to_have_count(0)


def step_one_frame(page: Page) -> None:
    """Paused, one frame forward moves the video by 1/fps."""
    page.get_by_role("button", name="Pause").click()
    at = video_time(page, "CAM-001")
    page.get_by_role("button", name="Image suivante").click()
    deadline = time.monotonic() + 5
    while abs(video_time(page, "CAM-001") - (at + 0.1)) > 0.03:
        assert time.monotonic() < deadline, (at, video_time(page, "CAM-001"))
        time.sleep(0.05)


def export_minute(page: Page, rt: Runtime, shot: Callable[[str], None]) -> ExportRow:
    """Export the selection from the dialog (refused first without a reason); the test is
    the export worker."""
    page.get_by_role("button", name="Exporter la sélection").click()
    export = page.get_by_role("dialog", name="Exporter la sélection")
    expect(export).to_contain_text("22/11/2026 10:10:20")
    export.get_by_role("button", name="Lancer l'export").click()
    expect(export).to_contain_text("Le motif est obligatoire.")
    export.get_by_label("Motif").fill("Réquisition judiciaire : vol à l'arraché")
    export.get_by_label("Référence de la réquisition").fill("PV 2026/004512")
    export.get_by_label("Officier ou agent demandeur").fill("OPJ Martin, commissariat central")
    export.get_by_role("button", name="Lancer l'export").click()
    expect(export.get_by_test_id("export-job")).to_be_visible()

    # The test is the export worker.
    export_id = exports.claim_next(rt)
    assert export_id is not None
    done = exports.run_export(rt, export_id)
    assert done.status == "done", done.error_message
    assert done.range_to - done.range_from == timedelta(seconds=60)
    expect(export.get_by_test_id("export-verification")).to_contain_text(
        "Paquet vérifié", timeout=15_000
    )
    expect(export.get_by_role("link", name="Télécharger le paquet")).to_be_visible()
    shot("31-export-dialogue")
    return done


def test_supervisor_replays_a_minute_and_exports_it(
    browser: Browser,
    server: str,
    shots: Path,
    rt: Runtime,
    clock: FakeClock,
    clips: tuple[Path, Path],
) -> None:
    f.user(rt, "dupont", Role.SUPERVISOR)
    _, _, cams = f.town(rt)
    long, short = clips
    record_clip(rt, cams[0].id, long, FIRST, timedelta(seconds=6))
    record_clip(rt, cams[0].id, short, SECOND, timedelta(seconds=6))
    clock.set(START + timedelta(hours=1))

    with open_tab(browser, server, shots) as tab:
        page = tab.page
        page.goto(server + "/")
        login(tab, "dupont")
        expect_shell(tab, "dupont", "Superviseur")
        page.keyboard.press("g")
        page.keyboard.press("r")
        expect(page).to_have_url(server + "/relecture")
        expect(page.get_by_role("heading", name="Relecture", exact=True)).to_be_visible()

        open_playback(page)
        clock_text = page.get_by_test_id("playback-clock")
        expect(clock_text).to_contain_text("22/11/2026")
        # It plays: the video's position advances.
        deadline = time.monotonic() + 20
        while video_time(page, "CAM-001") < 21.0:
            assert time.monotonic() < deadline, video_time(page, "CAM-001")
            time.sleep(0.2)

        page.get_by_role("button", name="Pause").click()
        go_to(page, "2026-11-22T10:10:20")
        page.get_by_role("button", name="Début (i)").click()
        go_to(page, "2026-11-22T10:11:20")
        page.get_by_role("button", name="Fin (o)").click()
        expect(page.get_by_test_id("selection-label")).to_contain_text("(60 s)")
        expect(page.get_by_test_id("timeline-selection")).to_be_visible()

        # A past minute: the displayed time and the video's position agree.
        go_to(page, "2026-11-22T10:10:40")
        expect(clock_text).to_contain_text("22/11/2026 10:10:40")
        deadline = time.monotonic() + 10
        while abs(video_time(page, "CAM-001") - 40.0) > 0.3:
            assert time.monotonic() < deadline, video_time(page, "CAM-001")
            time.sleep(0.1)

        page.get_by_role("button", name="Lecture").click()
        before = video_time(page, "CAM-001")
        time.sleep(1.5)
        assert video_time(page, "CAM-001") > before + 0.5
        expect(clock_text).to_contain_text("22/11/2026 10:10:4")
        expect(page.get_by_test_id("track-CAM-001").locator(".tl-range")).not_to_have_count(0)
        tab.shot("30-relecture")

        step_one_frame(page)
        done = export_minute(tab.page, rt, tab.shot)
        report = verify_package(Path(done.package_path))
        assert report.ok, report.problems
        assert report.videos_checked >= 1
        assert tab.foreign == []
        assert tab.errors == []


def zoom_to_summaries_and_back(page: Page) -> None:
    """Coarse zoom (keys): hour summaries; the wheel over the timeline zooms back in."""
    ruler = page.get_by_test_id("timeline-ruler")
    for _ in range(8):
        page.keyboard.press("-")
    expect(page.get_by_test_id("track-CAM-001").locator(".tl-bucket")).not_to_have_count(0)
    page.get_by_test_id("timeline").scroll_into_view_if_needed()
    box = page.get_by_test_id("timeline").bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] - 5)
    for _ in range(14):
        page.mouse.wheel(0, -100)
        time.sleep(0.03)
    expect(page.get_by_test_id("track-CAM-001").locator(".tl-range")).not_to_have_count(0)
    expect(ruler).to_contain_text(":")
    labels = ruler.locator(".tl-tick span").all_inner_texts()
    assert any(label.count(":") == 2 for label in labels), labels  # seconds shown


def test_four_cameras_follow_one_clock_with_gaps_and_snapshot(
    browser: Browser,
    server: str,
    shots: Path,
    rt: Runtime,
    clock: FakeClock,
    clips: tuple[Path, Path],
) -> None:
    f.user(rt, "dupont", Role.SUPERVISOR)
    _, zone, cams = f.town(rt)
    cams += [f.camera(rt, zone.id, code) for code in ("CAM-003", "CAM-004")]
    long, short = clips
    for cam in cams:
        record_clip(rt, cam.id, long, FIRST, timedelta(seconds=6))
    record_clip(rt, cams[0].id, short, SECOND, timedelta(seconds=6))
    clock.set(START + timedelta(hours=1))

    with open_tab(browser, server, shots) as tab:
        page = tab.page
        page.goto(server + "/")
        login(tab, "dupont")
        expect_shell(tab, "dupont", "Superviseur")
        page.goto(server + "/relecture")
        for code in CODES[1:]:
            page.get_by_text(code, exact=True).click()
        open_playback(page)
        expect(page.get_by_test_id("tile-CAM-004")).to_be_visible()

        # One clock: the four videos show the same instant (same recording start).
        page.get_by_role("button", name="Pause").click()
        go_to(page, "2026-11-22T10:10:50")
        deadline = time.monotonic() + 10
        while not all(abs(video_time(page, c) - 50.0) < 0.3 for c in CODES):
            assert time.monotonic() < deadline, [video_time(page, c) for c in CODES]
            time.sleep(0.1)

        # Speeds from the keyboard.
        page.get_by_test_id("playback-clock").click()
        page.keyboard.press("]")
        expect(page.get_by_role("button", name="×2", exact=True)).to_have_attribute(
            "aria-pressed", "true"
        )
        page.keyboard.press("[")
        page.keyboard.press("[")
        expect(page.get_by_role("button", name="×1/2", exact=True)).to_have_attribute(
            "aria-pressed", "true"
        )

        zoom_to_summaries_and_back(page)

        # CAM-002 recorded nothing after 10:11:30: its tile says so, CAM-001 plays on.
        go_to(page, "2026-11-22T10:12:40")
        expect(page.get_by_test_id("tile-CAM-002")).to_contain_text(
            "Pas d'enregistrement sur cette période"
        )
        expect(page.get_by_test_id("tile-CAM-001")).not_to_contain_text("Pas d'enregistrement")

        go_to(page, "2026-11-22T10:10:50")
        with page.expect_download() as shot:
            page.get_by_role("button", name="Instantané").click()
        assert shot.value.suggested_filename.startswith("CAM-001_20261122T091050")
        assert shot.value.suggested_filename.endswith(".jpg")
        expect(page.get_by_text("Instantané CAM-001_")).to_be_visible()
        tab.shot("32-relecture-4-cameras")
        assert tab.foreign == []
        assert tab.errors == []
