"""The console in real headless Chromium against the real app (uvicorn on a free loopback port,
on the test runtime and its fake clock): login with password, TOTP enrolment at first login and
TOTP codes after, the role-aware shell for three roles, keyboard shortcuts, the exports list
with its cancel dialog, logout, and session expiry back to the login page. Screenshots of each
screen go to test-artifacts/screenshots/ (or $SENTINELLE_ARTIFACTS/screenshots).

The browser part is about the console, not the database: it runs on SQLite only (the API's own
tests run on both engines)."""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, Route, expect

from sentinelle.access.models import CameraScope, Role
from sentinelle.api.app import create_app
from sentinelle.api.console import CONSOLE_DIR
from sentinelle.core.clock import FakeClock
from sentinelle.evidence import service as exports
from sentinelle.evidence.models import ExportRequest, ExportStatus
from sentinelle.evidence.tables import ExportRow
from sentinelle.runtime import Runtime
from tests import factories as f
from tests.support.browser import chromium
from tests.support.rtsp import free_port

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)

REPO = Path(__file__).resolve().parents[2]
ALL_SCREENS = ["Mur d'images", "Carte", "Relecture", "Exports", "Administration", "Journal"]


# Chromium takes the language of its date and time fields from its process's environment at
# launch (and its French resources from Debian's chromium-l10n), not from a context's locale.
FRENCH = {"LANGUAGE": "fr_FR:fr", "LC_ALL": "fr_FR.UTF-8", "LANG": "fr_FR.UTF-8"}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with ExitStack() as stack:
        with pytest.MonkeyPatch.context() as env:  # for the browser's process only
            for name, value in FRENCH.items():
                env.setenv(name, value)
            b = stack.enter_context(chromium())
        yield b


@pytest.fixture
def shots() -> Path:
    base = os.environ.get("SENTINELLE_ARTIFACTS")
    folder = (Path(base) if base else REPO / "test-artifacts") / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def server(rt: Runtime) -> Iterator[str]:
    assert (CONSOLE_DIR / "index.html").is_file(), "console not built: run scripts/setup"
    port = free_port()  # outside the ephemeral range the RTSP test servers draw from
    config = uvicorn.Config(create_app(rt), host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


@dataclass
class Tab:
    page: Page
    base: str
    shots: Path
    foreign: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def shot(self, name: str) -> None:
        self.page.screenshot(path=str(self.shots / f"{name}.png"), full_page=False)

    def nav(self) -> list[str]:
        return [
            s.strip() for s in self.page.locator("nav.sidenav .sidenav-label").all_inner_texts()
        ]


@contextmanager
def open_tab(
    browser: Browser, base: str, shots: Path, width: int = 1440, height: int = 900
) -> Iterator[Tab]:
    """A context on the app's origin only; any other request is aborted and recorded. The
    machine's zone differs from the site's: the console must show the site's time."""
    context = browser.new_context(
        viewport={"width": width, "height": height},
        locale="fr-FR",
        timezone_id="America/New_York",
        service_workers="block",
        accept_downloads=True,
    )
    page = context.new_page()
    tab = Tab(page, base, shots)

    def guard(route: Route) -> None:
        if route.request.url.startswith(base + "/"):
            route.continue_()
        else:
            tab.foreign.append(route.request.url)
            route.abort("internetdisconnected")

    context.route("**/*", guard)
    page.on("pageerror", lambda e: tab.errors.append(str(e)))
    page.on(
        "console",
        lambda m: (
            tab.errors.append(m.text)
            if m.type == "error" and "401" not in m.text and "403" not in m.text
            else None
        ),
    )
    try:
        yield tab
    finally:
        context.close()


def login(tab: Tab, username: str, password: str = f.PASSWORD) -> None:
    page = tab.page
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()


def enter_code(tab: Tab, code: str) -> None:
    tab.page.get_by_label("Code à usage unique").fill(code)
    tab.page.get_by_role("button", name="Valider").click()


def expect_shell(tab: Tab, username: str, role: str, *, home: bool = True) -> None:
    page = tab.page
    if home:
        expect(page.get_by_role("heading", name=f"Bienvenue, {username}")).to_be_visible()
    expect(page.get_by_test_id("role")).to_contain_text(role)
    expect(page.get_by_test_id("site-name")).to_have_text("Centre de supervision urbain")
    clock = page.get_by_test_id("clock").inner_text()
    paris = datetime.now(ZoneInfo("Europe/Paris"))
    shown = {(paris - timedelta(seconds=back)).strftime("%H:%M") for back in (0, 60)}
    assert clock[:5] in shown, (clock, shown)


def test_admin_enrols_totp_then_logs_in_with_a_code(
    browser: Browser, server: str, shots: Path, rt: Runtime, clock: FakeClock
) -> None:
    f.user(rt, "admin", Role.ADMINISTRATOR, habilitated=False)
    with open_tab(browser, server, shots) as tab:
        page = tab.page
        page.goto(server + "/")
        expect(page.get_by_role("heading", name="Connexion")).to_be_visible()
        expect(page.locator("html")).to_have_attribute("lang", "fr")
        tab.shot("01-connexion")

        login(tab, "admin", "mauvais-mot-de-passe")
        expect(page.get_by_role("alert")).to_contain_text("Identifiant ou mot de passe incorrect")
        tab.shot("02-connexion-erreur")

        login(tab, "admin")
        expect(
            page.get_by_role("heading", name="Activer la double authentification")
        ).to_be_visible()
        expect(page.get_by_role("img", name="Code QR de l'authentificateur")).to_be_visible()
        secret = page.get_by_test_id("totp-secret").inner_text().replace(" ", "")
        tab.shot("03-enrolement-totp")
        enter_code(tab, "000000" if f.totp_now(secret, rt) != "000000" else "111111")
        expect(page.get_by_role("alert")).to_contain_text("Code incorrect ou expiré")
        enter_code(tab, f.totp_now(secret, rt))

        expect_shell(tab, "admin", "Administrateur")
        assert tab.nav() == ["Carte", "Administration", "Journal"]
        tab.shot("04-accueil-administrateur")

        page.keyboard.press("g")
        page.keyboard.press("a")
        expect(page).to_have_url(server + "/administration")
        expect(page.get_by_role("heading", name="Administration", exact=True)).to_be_visible()
        tabs = page.get_by_role("tablist", name="Administration").get_by_role("tab")
        expect(tabs).to_have_text(
            [
                "Autorisations",
                "Zones",
                "Caméras",
                "Masques",
                "Utilisateurs",
                "Rôles",
                "Habilitations",
            ]
        )
        expect(tabs.first).to_have_attribute("aria-selected", "true")
        tab.shot("05-administration")

        page.keyboard.press("?")
        expect(page.get_by_role("dialog", name="Raccourcis clavier")).to_be_visible()
        tab.shot("06-raccourcis")
        page.keyboard.press("Escape")
        expect(page.get_by_role("dialog")).to_have_count(0)

        page.get_by_role("button", name="Se déconnecter").click()
        expect(page.locator(".login-card [role=status]")).to_contain_text("Vous êtes déconnecté")

        clock.advance(timedelta(seconds=90))  # a fresh code
        login(tab, "admin")
        expect(page.get_by_role("heading", name="Code de vérification")).to_be_visible()
        tab.shot("07-code-totp")
        enter_code(tab, f.totp_now(secret, rt))
        # Back on the screen it was on when the session ended.
        expect(page.get_by_role("heading", name="Administration", exact=True)).to_be_visible()
        expect_shell(tab, "admin", "Administrateur", home=False)
        assert tab.foreign == []
        assert tab.errors == []


def _exports(rt: Runtime) -> None:
    _, _, cams = f.town(rt)
    now = rt.now()
    states = [
        (ExportStatus.DONE, 1.0, 734_003_200, "PV 2026/004512"),
        (ExportStatus.RUNNING, 0.42, 0, "PV 2026/004519"),
        (ExportStatus.QUEUED, 0.0, 0, ""),
        (ExportStatus.FAILED, 0.1, 0, "PV 2026/004521"),
    ]
    for i, (status, progress, size, requisition) in enumerate(states):
        request = ExportRequest.model_validate(
            {
                "camera_ids": [cams[i % 2].id],
                "from": now - timedelta(hours=3 + i),
                "to": now - timedelta(hours=2 + i),
                "reason": "Réquisition judiciaire",
                "requisition": requisition,
                "officer": "OPJ Martin",
            }
        )
        row = exports.do_request_export(rt, f.ADMIN, request, CameraScope.everything())
        with rt.db.write() as s:
            stored = s.get(ExportRow, row.id)
            assert stored is not None
            stored.status = status
            stored.progress = progress
            stored.bytes = size
            if status is ExportStatus.FAILED:
                stored.error_code = "footage_missing"
                stored.error_message = "aucun enregistrement sur la période"
            if status is ExportStatus.DONE:
                stored.finished_at = now


def test_supervisor_exports_shortcuts_and_session_expiry(
    browser: Browser, server: str, shots: Path, rt: Runtime, clock: FakeClock
) -> None:
    f.user(rt, "dupont", Role.SUPERVISOR)
    _exports(rt)
    with open_tab(browser, server, shots) as tab:
        page = tab.page
        page.goto(server + "/")
        login(tab, "dupont")
        expect_shell(tab, "dupont", "Superviseur")
        assert tab.nav() == [
            "Mur d'images",
            "Carte",
            "Relecture",
            "Exports",
            "Administration",
            "Journal",
        ]
        tab.shot("08-accueil-superviseur")

        page.keyboard.press("g")
        page.keyboard.press("e")
        expect(page).to_have_url(server + "/exports")
        table = page.get_by_role("table", name="Exports")
        expect(table).to_be_visible()
        for text in ("Terminé", "En cours", "En attente", "Échec", "PV 2026/004512", "700 Mo"):
            expect(table).to_contain_text(text)
        expect(
            page.get_by_role("link", name="Télécharger l'export n° 1 (archive ZIP)")
        ).to_have_attribute("href", re.compile(r"^/api/exports/1/package\.zip\?reason=.+"))
        tab.shot("09-exports")

        page.get_by_test_id("export-3").get_by_role("button", name="Annuler").click()
        dialog = page.get_by_role("dialog", name="Annuler l'export n° 3 ?")
        expect(dialog).to_be_visible()
        dialog.get_by_label("Motif de l'annulation").fill("Demande faite en double")
        tab.shot("10-exports-annulation")
        dialog.get_by_role("button", name="Annuler l'export").click()
        expect(page.get_by_role("status").filter(has_text="Export n° 3 annulé.")).to_be_visible()
        expect(page.get_by_test_id("export-3")).to_contain_text("Annulé")
        tab.shot("11-exports-annule")

        page.keyboard.press("g")
        page.keyboard.press("m")
        expect(page.get_by_role("toolbar", name="Disposition")).to_be_visible()  # the live wall
        tab.shot("12-mur-images")
        page.keyboard.press("g")
        page.keyboard.press("r")
        expect(page).to_have_url(server + "/relecture")
        page.set_viewport_size({"width": 1024, "height": 700})  # a small laptop: icons only
        page.keyboard.press("g")
        page.keyboard.press("e")
        expect(page.get_by_role("table", name="Exports")).to_be_visible()
        expect(page.get_by_role("link", name="Exports")).to_have_attribute("aria-current", "page")
        tab.shot("12b-exports-1024")

        clock.advance(timedelta(minutes=rt.settings.session_idle_minutes + 1))
        page.get_by_role("link", name="Journal").click()  # its first call answers 401
        expect(page.get_by_role("heading", name="Connexion")).to_be_visible()
        expect(page.locator(".login-card [role=status]")).to_contain_text("Votre session a expiré")
        tab.shot("13-session-expiree")
        assert tab.foreign == []
        assert tab.errors == []


def test_auditor_sees_no_video_screen(
    browser: Browser, server: str, shots: Path, rt: Runtime
) -> None:
    f.user(rt, "leroy", Role.AUDITOR, habilitated=False)
    with open_tab(browser, server, shots, width=1280, height=800) as tab:
        page = tab.page
        page.goto(server + "/")
        login(tab, "leroy")
        expect_shell(tab, "leroy", "Auditeur")
        # The registers a CNIL inspection reads (destructions, extractions), no video screen.
        assert tab.nav() == ["Administration", "Journal"]
        for name in ALL_SCREENS[:4]:
            expect(page.locator("nav.sidenav")).not_to_contain_text(name)
        tab.shot("14-accueil-auditeur-portable")
        page.keyboard.press("g")
        page.keyboard.press("m")  # not granted: nothing happens
        expect(page).to_have_url(server + "/")
        page.goto(server + "/exports")
        expect(page.get_by_role("heading", name="Écran non accessible")).to_be_visible()
        expect(
            page.get_by_text("Votre rôle (Auditeur) ne donne pas accès à cet écran.")
        ).to_be_visible()
        page.keyboard.press("g")
        page.keyboard.press("j")
        journal = page.get_by_role("table", name="Journal")
        expect(journal).to_contain_text("leroy")
        page.get_by_role("button", name="Vérifier l'intégrité").click()
        expect(page.get_by_role("status").filter(has_text="Chaîne intègre.")).to_be_visible()
        page.get_by_label("Acteur", exact=True).fill("tester")
        page.get_by_role("button", name="Filtrer").click()
        expect(journal).to_contain_text("tester")
        expect(journal).not_to_contain_text("leroy")
        tab.shot("15-journal-auditeur")
        assert tab.foreign == []
        assert tab.errors == []


def test_password_change_ends_the_session(
    browser: Browser, server: str, shots: Path, rt: Runtime
) -> None:
    f.user(rt, "moreau", Role.OPERATOR)
    new_password = "Nouveau-Mot-de-Passe-2026!"
    with open_tab(browser, server, shots) as tab:
        page = tab.page
        page.goto(server + "/")
        login(tab, "moreau")
        expect_shell(tab, "moreau", "Opérateur")
        assert tab.nav() == ["Mur d'images", "Carte", "Relecture"]
        page.get_by_role("button", name="Changer mon mot de passe").click()
        dialog = page.get_by_role("dialog", name="Changer mon mot de passe")
        dialog.get_by_label("Mot de passe actuel").fill(f.PASSWORD)
        dialog.get_by_label("Nouveau mot de passe", exact=True).fill(new_password)
        dialog.get_by_label("Confirmer le nouveau mot de passe").fill(new_password + "x")
        expect(dialog.get_by_role("button", name="Changer le mot de passe")).to_be_disabled()
        dialog.get_by_label("Confirmer le nouveau mot de passe").fill(new_password)
        tab.shot("16-mot-de-passe")
        dialog.get_by_role("button", name="Changer le mot de passe").click()
        expect(page.locator(".login-card [role=status]")).to_contain_text("Mot de passe modifié")
        login(tab, "moreau", new_password)
        expect_shell(tab, "moreau", "Opérateur")
        assert tab.foreign == []
        assert tab.errors == []
