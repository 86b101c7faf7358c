"""The administration's people and records tabs in real Chromium: an administrator creates an
account, reads the roles matrix, grants a habilitation scoped to a camera group and revokes
another; a supervisor places a legal hold and releases it; an auditor reads the destruction
register (a real sweeper destruction), downloads it, and consults the export journal (a real
export). Each change leaves its journal entry. SQLite only, as the other console tests.

The fake clock is set to the machine's time: the console computes "today" in the browser."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, expect

from sentinelle.access.models import CameraScope, Role
from sentinelle.audit.models import Actor
from sentinelle.audit.tables import AuditEntryRow
from sentinelle.core.clock import FakeClock
from sentinelle.evidence import service as exports
from sentinelle.evidence.models import ExportRequest
from sentinelle.ingest.clips import write_clip
from sentinelle.runtime import Runtime
from sentinelle.storage import sweeper
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
from tests.storage.helpers import day_of_segments
from tests.support.footage import record_clip

__all__ = ["browser", "server", "shots"]
pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
PARIS = ZoneInfo("Europe/Paris")


def _journal(rt: Runtime) -> list[tuple[str, str, str]]:
    """(action, actor, reason) of every journal entry, oldest first."""
    with rt.db.read() as s:
        rows = s.execute(
            sa.select(
                AuditEntryRow.action, AuditEntryRow.actor_name, AuditEntryRow.reason
            ).order_by(AuditEntryRow.seq)
        )
        return [(r[0], r[1], r[2]) for r in rows]


def _admin_login(tab: Tab, rt: Runtime, username: str) -> None:
    login(tab, username)
    secret = tab.page.get_by_test_id("totp-secret").inner_text().replace(" ", "")
    enter_code(tab, f.totp_now(secret, rt))
    expect(tab.page.get_by_test_id("role")).to_contain_text("Administrateur")


def _open(tab: Tab, slug: str, heading: str) -> None:
    tab.page.goto(f"{tab.base}/administration/{slug}")
    expect(tab.page.get_by_role("heading", name=heading, exact=True)).to_be_visible()


def test_administrator_creates_a_user_and_manages_habilitations(
    browser: Browser, server: str, shots: Path, rt: Runtime, clock: FakeClock
) -> None:
    clock.set(datetime.now(UTC))
    _, _, cams = f.town(rt)
    centre = f.group(rt, "Centre-ville", [cams[0].id])
    f.group(rt, "Gare", [cams[1].id])
    f.user(rt, "admin", Role.ADMINISTRATOR, habilitated=False)
    f.user(rt, "martin", Role.OPERATOR, expires_in_days=12)  # expiring: the banner
    f.user(rt, "bernard", Role.OPERATOR, all_cameras=False, group_ids=frozenset({centre.id}))
    with open_tab(browser, server, shots) as tab:
        tab.page.goto(server + "/")
        _admin_login(tab, rt, "admin")
        _create_user(tab)
        _read_roles(tab)
        _grant_and_revoke(tab)
        assert tab.errors == []
        assert tab.foreign == []

    entries = [(a, who, why) for a, who, why in _journal(rt) if who == "admin"]
    assert ("user.created", "admin", "") in entries
    assert ("user.updated", "admin", "Départ en retraite") in entries
    assert ("habilitation.granted", "admin", "") in entries
    assert ("habilitation.revoked", "admin", "Mutation au service des sports") in entries


def _create_user(tab: Tab) -> None:
    page = tab.page
    _open(tab, "utilisateurs", "Comptes utilisateurs")
    expect(page.get_by_test_id("user-martin")).to_contain_text("Opérateur")
    expect(page.get_by_test_id("user-admin")).to_contain_text("vous")
    page.get_by_role("button", name="Créer un compte").click()
    dialog = page.get_by_role("dialog", name="Nouveau compte")
    dialog.get_by_label("Identifiant").fill("claire.petit")
    dialog.get_by_label("Nom et prénom").fill("Claire Petit")
    dialog.get_by_label("Service ou organisme").fill("Police municipale de Valence")
    dialog.get_by_label("Rôle").select_option(label="Superviseur")
    dialog.get_by_role("button", name="Créer le compte").click()
    shown = page.get_by_role("dialog", name="Mot de passe initial")
    expect(shown.get_by_test_id("generated-password")).not_to_be_empty()
    shown.get_by_role("button", name="J'ai noté le mot de passe").click()
    row = page.get_by_test_id("user-claire.petit")
    expect(row).to_contain_text("Superviseur")
    expect(row).to_contain_text("Actif")
    expect(row).to_contain_text("Jamais")
    expect(page.get_by_role("button", name="Modifier le compte admin")).to_be_disabled()  # A8

    page.get_by_role("button", name="Modifier le compte martin").click()
    edit = page.get_by_role("dialog", name="Modifier le compte martin")
    edit.get_by_label("Compte actif").uncheck()
    edit.get_by_label("Motif (journalisé)").fill("Départ en retraite")
    edit.get_by_role("button", name="Enregistrer").click()
    expect(edit).to_have_count(0)
    expect(page.get_by_test_id("user-martin")).to_contain_text("Désactivé")
    page.mouse.move(0, 0)
    tab.shot("60-admin-utilisateurs")


def _read_roles(tab: Tab) -> None:
    page = tab.page
    page.get_by_role("tab", name="Rôles").click()
    expect(page.get_by_role("heading", name="Rôles et permissions")).to_be_visible()
    holds = page.get_by_test_id("perm-holds.write")
    expect(holds).to_contain_text("Placer et lever des gels judiciaires")
    # supervisor and requisition agent
    expect(holds.get_by_label("Accordée", exact=True)).to_have_count(2)
    live = page.get_by_test_id("perm-video.live")
    expect(live).to_contain_text("habilitation requise")
    expect(live.get_by_label("Accordée", exact=True)).to_have_count(3)
    tab.shot("61-admin-roles")


def _grant_and_revoke(tab: Tab) -> None:
    page = tab.page
    page.get_by_role("tab", name="Habilitations").click()
    banner = page.get_by_role("status").filter(has_text="expirent dans les 30 jours")
    expect(banner).to_contain_text("1 habilitation(s)")
    page.get_by_role("button", name="Attribuer une habilitation").click()
    grant = page.get_by_role("dialog", name="Nouvelle habilitation")
    grant.get_by_label("Agent", exact=True).select_option(label="Claire Petit (claire.petit)")
    grant.get_by_label("Désigné par").fill("Maire de Valence")
    grant.get_by_label("Référence de l'arrêté").fill("Arrêté n° 2026-114")
    expiry = (datetime.now(PARIS) + timedelta(days=365)).date().isoformat()
    grant.get_by_label("Date d'échéance").fill(expiry)
    grant.get_by_label("Groupes de caméras").check()
    grant.get_by_label("Centre-ville (1 caméra(s))").check()
    grant.get_by_role("button", name="Attribuer", exact=True).click()
    expect(grant).to_have_count(0)
    granted = page.locator("tr", has_text="claire.petit")
    expect(granted).to_contain_text("Centre-ville")
    expect(granted).to_contain_text("Arrêté n° 2026-114")
    expect(granted).to_contain_text("Valide")

    expect(page.locator("tr", has_text="martin")).to_contain_text("Expire dans 12 j")
    bernard = page.locator("tr", has_text="bernard")
    bernard.get_by_role("button", name=re.compile("Révoquer l'habilitation")).click()
    revoke = page.get_by_role("dialog", name="Révoquer l'habilitation")
    revoke.get_by_label("Motif (journalisé)").fill("Mutation au service des sports")
    revoke.get_by_role("button", name="Révoquer").click()
    expect(bernard).to_contain_text("Révoquée")
    expect(bernard).to_contain_text("Mutation au service des sports")
    page.mouse.move(0, 0)
    tab.shot("62-admin-habilitations")


def test_supervisor_places_and_releases_a_legal_hold(
    browser: Browser, server: str, shots: Path, rt: Runtime, clock: FakeClock
) -> None:
    clock.set(datetime.now(UTC))
    f.town(rt)
    f.user(rt, "dupont", Role.SUPERVISOR)
    start = (datetime.now(PARIS) - timedelta(hours=3)).replace(minute=0, second=0, microsecond=0)
    local = "%Y-%m-%dT%H:%M:%S"
    with open_tab(browser, server, shots) as tab:
        page = tab.page
        page.goto(server + "/")
        login(tab, "dupont")
        expect(page.get_by_test_id("role")).to_contain_text("Superviseur")
        _open(tab, "conservation", "Gels judiciaires")
        expect(page.get_by_role("heading", name="Aucun gel en cours")).to_be_visible()

        page.get_by_role("button", name="Placer un gel").click()
        dialog = page.get_by_role("dialog", name="Placer un gel judiciaire")
        dialog.get_by_role("button", name="Placer le gel").click()  # nothing filled in
        expect(dialog).to_contain_text("Choisissez au moins une caméra.")
        expect(dialog).to_contain_text("Donnez un début et une fin")
        dialog.get_by_role("checkbox", name=re.compile("CAM-001")).check()
        dialog.get_by_role("checkbox", name=re.compile("CAM-002")).check()
        dialog.get_by_label("Début des images (heure du site)").fill(start.strftime(local))
        end = start + timedelta(minutes=45)
        dialog.get_by_label("Fin des images (heure du site)").fill(end.strftime(local))
        dialog.get_by_label("Cadre juridique").select_option(label="Enquête préliminaire")
        dialog.get_by_label("N° de procédure / réquisition").fill("PV 2026/004512")
        dialog.get_by_label("Autorité requérante (OPJ, magistrat)").fill("OPJ Martin, commissariat")
        dialog.get_by_label("Motif").fill("Réquisition : vol avec violence place de la Liberté")
        dialog.get_by_role("button", name="Placer le gel").click()
        expect(dialog).to_have_count(0)
        row = page.locator("tr", has_text="PV 2026/004512")
        expect(row).to_contain_text("CAM-001")
        expect(row).to_contain_text("CAM-002")
        expect(row).to_contain_text("Enquête préliminaire")
        expect(row).to_contain_text(f"{start:%d/%m/%Y %H:%M}:00 → {end:%H:%M}:00")
        expect(row).to_contain_text("dupont")
        expect(row).to_contain_text("Actif")
        page.mouse.move(0, 0)
        tab.shot("63-admin-conservation")

        row.get_by_role("button", name="Lever le gel PV 2026/004512").click()
        release = page.get_by_role("dialog", name="Lever le gel PV 2026/004512")
        release.get_by_label("Motif (journalisé)").fill("Classement sans suite du parquet")
        release.get_by_role("button", name="Lever le gel").click()
        expect(page.get_by_role("heading", name="Aucun gel en cours")).to_be_visible()
        page.get_by_label("Afficher les gels levés").check()
        released = page.locator("tr", has_text="PV 2026/004512")
        expect(released).to_contain_text("Levé")
        expect(released).to_contain_text("Classement sans suite du parquet")
        assert tab.errors == []

    entries = _journal(rt)
    assert ("hold.placed", "dupont", "Réquisition : vol avec violence place de la Liberté") in (
        entries
    )
    assert ("hold.released", "dupont", "Classement sans suite du parquet") in entries


def test_auditor_reads_the_destruction_register_and_the_export_journal(
    browser: Browser, server: str, shots: Path, rt: Runtime, clock: FakeClock, tmp_path: Path
) -> None:
    clock.set(datetime.now(UTC).replace(microsecond=0))
    _, _, cams = f.town(rt)
    day_of_segments(rt, cams[0].id, clock.now() - timedelta(days=15), 4)
    day_of_segments(rt, cams[1].id, clock.now() - timedelta(days=16), 2)
    assert sweeper.sweep_time(rt).segments == 6
    reference = _one_export(rt, cams[0].id, tmp_path)
    f.user(rt, "cnil", Role.AUDITOR)
    with open_tab(browser, server, shots) as tab:
        tab.page.goto(server + "/")
        login(tab, "cnil")
        expect(tab.page.get_by_test_id("role")).to_contain_text("Auditeur")
        _read_register(tab)
        _read_export_journal(tab, reference)
        assert tab.errors == []

    entries = _journal(rt)
    assert ("register.exported", "cnil", "") in entries
    assert ("export.journal_exported", "cnil", "Contrôle CNIL 2026") in entries


def _one_export(rt: Runtime, camera_id: int, folder: Path) -> str:
    """A real export of 30 s of recorded footage, run to its end; its reference."""
    clip = write_clip(folder / "clip.mp4", 40, fps=10, gop_seconds=2)
    anchor = rt.now() - timedelta(hours=2)
    record_clip(rt, camera_id, clip, anchor)
    request = ExportRequest.model_validate(
        {
            "camera_ids": [camera_id],
            "from": anchor,
            "to": anchor + timedelta(seconds=30),
            "reason": "Réquisition judiciaire",
            "requisition": "PV 2026/004519",
            "officer": "OPJ Laurent, brigade de sûreté",
        }
    )
    agent = f.user(rt, "agent.dupont", Role.REQUISITION_AGENT)
    actor = Actor.user(agent.id, agent.username)
    row = exports.do_request_export(rt, actor, request, CameraScope.everything(), folder)
    assert exports.claim_next(rt, row.id) == row.id
    return exports.run_export(rt, row.id).reference


def _read_register(tab: Tab) -> None:
    page = tab.page
    _open(tab, "registre", "Registre des destructions")
    table = page.get_by_role("table", name="Registre des destructions")
    expect(table.locator("tbody tr")).to_have_count(2)
    first = table.locator("tr", has_text="CAM-001")
    expect(first).to_contain_text("Fin de conservation")
    expect(first).to_contain_text("1–4")
    page.get_by_label("Caméra").select_option(label="CAM-002 — Caméra CAM-002")
    page.get_by_role("button", name="Appliquer").click()
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table).to_contain_text("CAM-002")
    page.get_by_label("Caméra").select_option(label="Toutes les caméras")
    page.get_by_role("button", name="Appliquer").click()
    expect(table.locator("tbody tr")).to_have_count(2)
    page.mouse.move(0, 0)
    tab.shot("64-admin-registre")
    with page.expect_download() as download:
        page.get_by_role("link", name="Exporter (CSV)").click()
    text = Path(download.value.path()).read_text()
    lines = list(csv.DictReader(io.StringIO(text)))
    assert sorted((r["camera_code"], r["segments"]) for r in lines) == [
        ("CAM-001", "4"),
        ("CAM-002", "2"),
    ]


def _read_export_journal(tab: Tab, reference: str) -> None:
    page = tab.page
    page.get_by_role("tab", name="Journal des extractions").click()
    expect(page.get_by_role("heading", name="Journal des extractions")).to_be_visible()
    expect(page.get_by_role("button", name="Consulter")).to_be_disabled()
    page.get_by_label("Motif de la consultation (journalisé)").fill("Contrôle CNIL 2026")
    page.get_by_role("button", name="Consulter").click()
    line = page.get_by_test_id(f"export-line-{reference}")
    expect(line).to_contain_text("agent.dupont")
    expect(line).to_contain_text("PV 2026/004519")
    expect(line).to_contain_text("OPJ Laurent, brigade de sûreté")
    expect(line).to_contain_text("0 min 30 s")
    page.get_by_label("Rechercher").fill("inconnu")
    expect(line).to_have_count(0)
    page.get_by_label("Rechercher").fill("laurent")
    expect(line).to_be_visible()
    page.mouse.move(0, 0)
    tab.shot("65-admin-journal-exports")
