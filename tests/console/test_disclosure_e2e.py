"""The anonymisation screens in real headless Chromium. A habilitated supervisor asks, from the
exports page, for an anonymised copy of the generated street clip (recorded on CAM-001 and
exported); the analysis runs; on the review screen they find the person concerned, click
their box and keep them visible, draw a region by hand over the façade, preview the result,
save with Ctrl+S, ask for the render with a reason; the render runs; the screen shows the
hashes before and after, the download (with its reason) gives the signed package, the exports
page lists the copy as done and its verification passes. The journal holds the request, the
frames viewed, the plan, the render and the download. Screenshots: 80-anonymisation-demande.png
… 84-exports-anonymisation.png; the wall's list colours a camera awaiting authorisation amber as
the map does (85-mur-camera-en-attente.png)."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, Page, expect

from sentinelle.access.models import Role
from sentinelle.core.clock import FakeClock
from sentinelle.disclosure import package, service
from sentinelle.disclosure.models import PlanInput
from sentinelle.privacy.anonymise.models import Analysis, TrackKind
from sentinelle.registry.models import CameraStatus
from sentinelle.runtime import Runtime
from sentinelle.workers import disclosures as runner
from tests import factories as f
from tests.console.test_console_e2e import Tab, browser, login, open_tab, server, shots
from tests.disclosure.conftest import AGENT, export_clip, request
from tests.support.people_clip import PeopleClip, write_people_clip

__all__ = ["browser", "server", "shots"]

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)

REGION = ((0.04, 0.06), (0.2, 0.22))  # the upper façade: no one walks there


@pytest.fixture(scope="module")
def street(tmp_path_factory: pytest.TempPathFactory) -> PeopleClip:
    folder = tmp_path_factory.mktemp("disclosure-e2e")
    return write_people_clip(folder / "street.mp4", width=640, height=360, seconds=4.0)


def _inside(point: tuple[float, float], box: tuple[float, float, float, float]) -> bool:
    x, y, w, h = box
    return x <= point[0] <= x + w and y <= point[1] <= y + h


def _subject(analysis: Analysis, clip: PeopleClip) -> tuple[int, int, tuple[float, float]]:
    """The person track lying on the subject, a frame where it was detected, and a point of
    its box (normalised) that no other track's box covers: where the agent clicks."""
    best: tuple[float, int, int, tuple[float, float]] | None = None
    for track in analysis.tracks:
        if track.kind != TrackKind.PERSON:
            continue
        for tb in track.boxes:
            truth = clip.truth[tb.frame].get(clip.subject)
            if truth is None or not tb.detected:
                continue
            b = tb.box
            point = (b.x + b.w / 2, b.y + b.h * 0.72)
            others = [
                o.box_at(tb.frame)
                for o in analysis.tracks
                if o.id != track.id and o.box_at(tb.frame)
            ]
            if any(_inside(point, (o.x, o.y, o.w, o.h)) for o in others if o):
                continue
            if not _inside(point, (truth.x, truth.y, truth.w, truth.h)):
                continue
            score = min(b.w * b.h, truth.w * truth.h) / max(b.w * b.h, truth.w * truth.h)
            if best is None or score > best[0]:
                best = (score, track.id, tb.frame, point)
    assert best is not None, "the detector never found the subject alone"
    return best[1], best[2], best[3]


def _journal(rt: Runtime, prefix: str) -> list[tuple[str, str, str]]:
    with rt.db.read() as s:
        rows = s.execute(
            sa.text(
                "SELECT action, actor_name, reason FROM audit_entries WHERE action LIKE :p "
                "ORDER BY seq"
            ),
            {"p": f"{prefix}%"},
        )
        return [(r[0], r[1], r[2]) for r in rows]


def _frame_shown(page: Page) -> None:
    """The frame asked for is on screen (not the previous one while it loads)."""
    expect(page.locator("img.dr-picture")).to_be_visible(timeout=15_000)
    expect(page.locator(".dr-loading")).to_have_count(0, timeout=15_000)


def _at(page: Page, point: tuple[float, float]) -> tuple[float, float]:
    box = page.locator(".dr-svg").bounding_box()
    assert box is not None
    return box["x"] + point[0] * box["width"], box["y"] + point[1] * box["height"]


def test_a_supervisor_anonymises_an_exported_clip_keeping_the_person_concerned(
    browser: Browser,
    server: str,
    shots: Path,
    rt: Runtime,
    clock: FakeClock,
    street: PeopleClip,
    tmp_path: Path,
) -> None:
    exported = export_clip(rt, clock, street.path, tmp_path)
    f.user(rt, "dupont", Role.SUPERVISOR)
    with open_tab(browser, server, shots, width=1600, height=1000) as tab:
        page = tab.page
        page.goto(server + "/exports")
        login(tab, "dupont")
        _requests(tab, exported.export.reference)
        disclosure_id = int(page.url.rsplit("/", 1)[1])
        expect(page.get_by_test_id("dr-status")).to_contain_text("En attente")
        assert runner.run_pending(rt) == 1
        expect(page.get_by_test_id("dr-stage")).to_be_visible(timeout=15_000)
        analysis = service.analysis_of(service.get_disclosure(rt, disclosure_id))
        subject, frame, point = _subject(analysis, street)
        here = sum(1 for t in analysis.tracks if t.box_at(frame) is not None)
        _reviews(tab, subject, frame, point, here)
        _saves_and_renders(tab, rt, disclosure_id, subject)
        _downloads_and_verifies(tab, rt, disclosure_id)
        assert tab.foreign == []
        assert tab.errors == []

    actions = [a for a, _, _ in _journal(rt, "disclosure.")]
    for action in ("requested", "frames_viewed", "plan_saved", "render_requested", "completed"):
        assert f"disclosure.{action}" in actions, actions
    downloaded = [(who, why) for a, who, why in _journal(rt, "disclosure.downloaded")]
    assert downloaded == [("dupont", "Remise à Mme Dupont en main propre")]


def _requests(tab: Tab, reference: str) -> None:
    page = tab.page
    page.get_by_role("button", name=f"Anonymiser une vidéo de l'export {reference}").click()
    dialog = page.get_by_role("dialog", name=f"Copie anonymisée — export {reference}")
    expect(dialog.get_by_role("radio")).to_have_count(1)
    expect(dialog.get_by_role("radio")).to_be_checked()
    expect(dialog).to_contain_text("CAM-001")
    dialog.get_by_label("Finalité").select_option("access_request")
    dialog.get_by_label("Destinataire").fill("Mme Dupont (demande d'accès du 2 décembre)")
    start = dialog.get_by_role("button", name="Lancer l'analyse")
    expect(start).to_be_disabled()  # the reason is required
    dialog.get_by_label("Motif (inscrit au journal)").fill("Droit d'accès, courrier du 2 décembre")
    tab.shot("80-anonymisation-demande")
    start.click()
    expect(page).to_have_url(f"{tab.base}/exports/anonymisation/1")
    expect(page.get_by_role("heading", name="Anonymisation ANO-", exact=False)).to_be_visible()


def _reviews(tab: Tab, subject: int, frame: int, point: tuple[float, float], here: int) -> None:
    page = tab.page
    position = page.get_by_test_id("dr-position")
    page.keyboard.press("Home")
    expect(position).to_contain_text("Image 0 /")
    for _ in range(frame // 10):
        page.keyboard.press("Shift+ArrowRight")
    for _ in range(frame % 10):
        page.keyboard.press("ArrowRight")
    expect(position).to_contain_text(f"Image {frame} /")
    box = page.locator(f'g[data-track="{subject}"]')
    expect(box).to_have_attribute("data-decision", "hide")  # hidden unless decided
    page.mouse.click(*_at(page, point))
    expect(page.get_by_test_id(f"track-{subject}")).to_have_attribute("aria-current", "true")
    page.keyboard.press("k")
    expect(box).to_have_attribute("data-decision", "keep")
    expect(
        page.get_by_test_id(f"track-{subject}").get_by_role("button", name="Garder visible")
    ).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_test_id("dr-dirty")).to_have_text("Modifications non enregistrées")
    only = page.get_by_label("Seulement les pistes de cette image", exact=False)
    only.check()
    expect(page.locator(".dr-track")).to_have_count(here)
    only.uncheck()

    page.keyboard.press("r")
    a, b = _at(page, REGION[0]), _at(page, REGION[1])
    page.mouse.move(*a)
    page.mouse.down()
    page.mouse.move(*b, steps=6)
    page.mouse.up()
    expect(page.locator(".dr-region")).to_have_count(1)
    expect(page.locator("rect[data-region]")).to_have_count(1)
    page.mouse.move(5, 5)
    _frame_shown(page)
    tab.shot("81-anonymisation-revue")

    page.keyboard.press("p")
    preview = page.get_by_test_id("dr-preview")
    expect(preview).to_be_visible()
    expect(page.locator("g[data-track]")).to_have_count(0)  # the preview shows no boxes
    page.wait_for_function(DRAWN, arg=[*REGION[0], *REGION[1]])
    tab.shot("82-anonymisation-apercu")
    page.keyboard.press("p")
    expect(preview).to_have_count(0)


# The preview blurs the manual region: its detail (mean absolute step between neighbours) is
# well below the source picture's at the same place.
DRAWN = """([x0, y0, x1, y1]) => {
  const c = document.querySelector('[data-testid=dr-preview]');
  const img = document.querySelector('img.dr-picture');
  if (!c || !img || !img.complete) return false;
  const src = document.createElement('canvas');
  src.width = c.width; src.height = c.height;
  src.getContext('2d').drawImage(img, 0, 0, c.width, c.height);
  const detail = (canvas) => {
    const w = Math.round((x1 - x0) * c.width) - 8, h = Math.round((y1 - y0) * c.height) - 8;
    const d = canvas.getContext('2d').getImageData(Math.round(x0 * c.width) + 4,
      Math.round(y0 * c.height) + 4, w, h).data;
    let sum = 0;
    for (let i = 4; i < d.length; i += 4) sum += Math.abs(d[i] - d[i - 4]);
    return sum / (d.length / 4);
  };
  const before = detail(src), after = detail(c);
  return before > 1 && after < before / 2;
}"""


def _saves_and_renders(tab: Tab, rt: Runtime, disclosure_id: int, subject: int) -> None:
    page = tab.page
    page.keyboard.press("Control+s")
    expect(page.get_by_test_id("dr-dirty")).to_contain_text("Enregistré par dupont")
    plan = service.get_disclosure(rt, disclosure_id).plan
    assert plan is not None
    assert (plan["keep"], plan["effect"], len(plan["manual"])) == ([subject], "blur", 1)
    x, y, w, h = plan["manual"][0]["box"]
    drawn = (x, y, x + w, y + h)
    wanted = (*REGION[0], *REGION[1])
    assert all(abs(a - b) < 0.01 for a, b in zip(drawn, wanted, strict=True)), plan

    page.get_by_role("button", name="Produire la copie anonymisée…").click()
    dialog = page.get_by_role("dialog", name="Produire la copie anonymisée ?")
    dialog.get_by_label("Motif").fill("Remise à la personne concernée")
    dialog.get_by_role("button", name="Produire", exact=True).click()
    expect(page.get_by_test_id("dr-status")).to_contain_text("Rendu en attente")
    assert runner.run_pending(rt) == 1
    done = service.get_disclosure(rt, disclosure_id)
    assert done.status == "done", done.error_message
    result = page.get_by_test_id("dr-result")
    expect(result).to_be_visible(timeout=15_000)
    expect(result).to_contain_text(done.source_sha256)
    expect(result).to_contain_text(done.output_sha256)
    expect(result).to_contain_text("dupont")
    tab.shot("83-anonymisation-copie")


def _downloads_and_verifies(tab: Tab, rt: Runtime, disclosure_id: int) -> None:
    page = tab.page
    page.get_by_test_id("dr-result").get_by_role("button", name="Télécharger").click()
    dialog = page.get_by_role("dialog", name="Télécharger ANO-", exact=False)
    dialog.get_by_label("Motif du téléchargement").fill("Remise à Mme Dupont en main propre")
    with page.expect_download() as info:
        dialog.get_by_role("link", name="Télécharger l'archive").click()
    data = Path(info.value.path()).read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        log_name = next(n for n in names if n.endswith(package.LOG_FILE))
        log = json.loads(archive.read(log_name))
    assert any(n.endswith(".mp4") for n in names), names
    assert log["source"]["sha256"] == service.get_disclosure(rt, disclosure_id).source_sha256

    page.get_by_role("button", name="Retour aux exports").click()
    row = page.get_by_test_id(f"disclosure-{disclosure_id}")
    expect(row).to_contain_text("Terminée")
    expect(row).to_contain_text("CAM-001")
    purpose = row.get_by_title("Demande d'accès d'une personne filmée")
    expect(purpose).to_have_text("Demande d'accès")
    row.get_by_role("button", name="Vérifier").click()
    verify = page.get_by_role("dialog", name="Vérification de ANO-", exact=False)
    expect(verify).to_contain_text("Paquet intègre")
    verify.get_by_role("button", name="Fermer").last.click()
    page.mouse.move(5, 5)
    tab.shot("84-exports-anonymisation")


def test_the_wall_list_colours_a_camera_awaiting_authorisation_like_the_map(
    browser: Browser, server: str, shots: Path, rt: Runtime
) -> None:
    _, zone, _ = f.town(rt)
    f.camera(rt, zone.id, "VSR-008", status=CameraStatus.AWAITING_AUTHORISATION)
    f.user(rt, "dupont", Role.SUPERVISOR)
    with open_tab(browser, server, shots, width=1440, height=900) as tab:
        page = tab.page
        page.goto(server + "/mur")
        login(tab, "dupont")
        dot = page.locator(".wall-cam", has_text="VSR-008").locator(".wall-dot")
        expect(dot).to_have_attribute("aria-label", "En attente d'autorisation")
        expect(dot).to_have_class(re.compile(r"\bwall-dot-warn\b"))
        colour = dot.evaluate("(d) => getComputedStyle(d).backgroundColor")
        assert colour == "rgb(224, 166, 58)", colour  # the map's amber (--warn)
        tab.shot("85-mur-camera-en-attente")
        page.goto(server + "/carte")
        swatch = page.locator(".map-swatch-awaiting").first  # the map's legend
        expect(swatch).to_be_visible()
        assert swatch.evaluate("(m) => getComputedStyle(m).backgroundColor") == colour


def test_playback_and_a_plan_saved_meanwhile_by_another_agent(
    browser: Browser,
    server: str,
    shots: Path,
    rt: Runtime,
    clock: FakeClock,
    street: PeopleClip,
    tmp_path: Path,
) -> None:
    exported = export_clip(rt, clock, street.path, tmp_path)
    row = request(rt, exported)
    assert runner.run_pending(rt) == 1
    tracks = service.analysis_of(service.get_disclosure(rt, row.id)).tracks
    first, second = tracks[0].id, tracks[1].id
    f.user(rt, "dupont", Role.SUPERVISOR)
    with open_tab(browser, server, shots, width=1440, height=900) as tab:
        page = tab.page
        page.goto(f"{server}/exports/anonymisation/{row.id}")
        login(tab, "dupont")
        expect(page.get_by_test_id("dr-stage")).to_be_visible(timeout=15_000)
        position = page.get_by_test_id("dr-position")
        page.keyboard.press(" ")  # play: frames follow one another
        expect(position).not_to_contain_text("Image 0 /", timeout=15_000)
        page.keyboard.press(" ")
        shown = position.inner_text().split(" · ")[0]
        page.get_by_role("radio", name="Pixellisation").click()
        page.get_by_test_id(f"track-{first}").get_by_role("button", name="Garder visible").click()

        service.do_save_plan(rt, AGENT, row.id, PlanInput(dismissed=[second]), 0)  # meanwhile
        page.keyboard.press("Control+s")
        warning = page.get_by_role("status").filter(has_text="Un autre agent a enregistré ce plan")
        expect(warning).to_be_visible()
        _frame_shown(page)
        tab.shot("86-anonymisation-conflit")
        warning.get_by_role("button", name="Recharger").click()
        item = page.get_by_test_id(f"track-{second}")
        expect(item.get_by_role("button", name="Écarter — fausse détection")).to_have_attribute(
            "aria-pressed", "true"
        )
        kept = page.get_by_test_id(f"track-{first}").get_by_role("button", name="Garder visible")
        expect(kept).to_have_attribute("aria-pressed", "false")  # the other agent's plan
        expect(page.get_by_test_id("dr-dirty")).to_contain_text("Enregistré par agent.dupont")
        expect(page.get_by_role("radio", name="Flou")).to_have_attribute("aria-checked", "true")
        page.set_viewport_size({"width": 1280, "height": 760})  # a laptop
        expect(position).to_contain_text(shown)  # the reload kept the frame shown
        _frame_shown(page)
        tab.shot("87-anonymisation-1280")
        assert [e for e in tab.errors if "409 (Conflict)" not in e] == []  # the refusal
