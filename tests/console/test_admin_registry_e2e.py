"""The administration's registry tabs in real headless Chromium: an administrator sees an
authorisation whose renewal file is due and an expired one highlighted, creates a zone, is
refused a camera whose retention exceeds its authorisation (error on the field), tests a real
loopback RTSP stream (properties, 2007 conformity; the keyframe preview only for a habilitated
administrator), creates the camera, puts it in service with a reason; the journal has it all.
Screenshots 50 to 54."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, Locator, expect

from sentinelle.access.models import Role
from sentinelle.ingest.clips import write_clip
from sentinelle.registry.models import CameraStatus, FieldOfView, Purpose
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
from tests.support.footage import record_clip
from tests.support.rtsp import rtsp_server

__all__ = ["browser", "server", "shots"]

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A clip meeting the narrow-field minimums (704×576, 12 fps) and a poor one (320×240, 5)."""
    folder = tmp_path_factory.mktemp("admin-clips")
    return {
        "good": write_clip(folder / "good.mp4", 90, width=704, height=576, fps=12, gop_seconds=1),
        "low": write_clip(folder / "low.mp4", 90, width=320, height=240, fps=5, gop_seconds=1),
    }


@pytest.fixture(scope="module")
def rtsp(clips: dict[str, Path]) -> Iterator[str]:
    with rtsp_server({"gare": clips["good"], "parking": clips["low"]}) as base:
        yield base


def _registry(rt: Runtime, clips: dict[str, Path]) -> None:
    """Three arrêtés on 22/11/2026: valid, renewal file due (expires 09/01/2027), expired;
    two cameras have recorded a minute, one conforming to the 2007 standard, one not."""
    valid = f.authorisation(
        rt,
        reference="2024/DSC/0457",
        issued_on=date(2024, 3, 1),
        purposes=[Purpose.PERSONS_AND_PROPERTY, Purpose.TRAFFIC_REGULATION],
        camera_limit=40,
    )
    renewal = f.authorisation(
        rt, reference="2022/DSC/0112", issued_on=date(2022, 1, 10), retention_max_days=14
    )
    expired = f.authorisation(
        rt,
        reference="2019/DSC/0031",
        issued_on=date(2019, 6, 1),
        prefecture="Préfecture de la Drôme",
        retention_max_days=30,
        retention_min_days=None,
    )
    centre = f.zone(rt, valid.id, "Centre-ville")
    hotel = f.camera(rt, centre.id, "VSR-001", name="Place de l'Hôtel de Ville")
    rue = f.camera(
        rt, centre.id, "VSR-002", name="Rue de la République", field_of_view=FieldOfView.WIDE
    )
    record_clip(rt, hotel.id, clips["good"], rt.now() - timedelta(hours=1))
    record_clip(rt, rue.id, clips["low"], rt.now() - timedelta(hours=1))
    quartier = f.zone(rt, renewal.id, "Quartier Fontbarlet")
    f.camera(rt, quartier.id, "FTB-001", name="Place Pierre-Sémard", retention_days=10)
    marche = f.zone(rt, expired.id, "Marché couvert")
    f.camera(
        rt,
        marche.id,
        "MAR-001",
        name="Halles, entrée nord",
        retention_days=20,
        status=CameraStatus.AWAITING_AUTHORISATION,
    )


def _enrol(tab: Tab, rt: Runtime, username: str) -> None:
    page = tab.page
    page.goto(tab.base + "/administration/autorisations")
    login(tab, username)
    secret = page.get_by_test_id("totp-secret").inner_text().replace(" ", "")
    enter_code(tab, f.totp_now(secret, rt))


def _journal(rt: Runtime, actor: str) -> list[tuple[str, str, dict[str, object]]]:
    with rt.db.read() as s:
        rows = s.execute(
            sa.text(
                "SELECT action, reason, details FROM audit_entries WHERE actor_name = :a "
                "ORDER BY seq"
            ),
            {"a": actor},
        )
        return [(r[0], r[1], json.loads(r[2])) for r in rows]


def _open_new_camera(tab: Tab) -> Locator:
    page = tab.page
    page.get_by_role("tab", name="Caméras").click()
    expect(page.get_by_role("table", name="Caméras")).to_be_visible()
    page.get_by_role("button", name="Nouvelle caméra").click()
    dialog = page.get_by_role("dialog", name="Nouvelle caméra")
    expect(dialog).to_be_visible()
    return dialog


def _unexpected(errors: list[str]) -> list[str]:
    """Console errors, less the refusals Chromium logs as failed loads that these tests
    provoke and check on screen: 404 `no_recording` (conformity of a camera never recorded,
    shown as "Pas d'enregistrement") and 422 (the retention and the scheme refused)."""
    expected = ("status of 404 (Not Found)", "status of 422 (Unprocessable Entity)")
    return [e for e in errors if not e.endswith(expected)]


def _sees_authorisations(tab: Tab) -> None:
    """The one to renew and the expired one stand out."""
    page = tab.page
    table = page.get_by_role("table", name="Autorisations préfectorales")
    expect(table).to_be_visible()
    banner = page.get_by_test_id("auth-banner")
    expect(banner).to_contain_text("1 autorisation(s) expirée(s)")
    expect(banner).to_contain_text("1 autorisation(s) à renouveler")
    expect(page.get_by_test_id("auth-2019/DSC/0031")).to_have_class("reg-row-error")
    expect(page.get_by_test_id("auth-2019/DSC/0031")).to_contain_text("Expirée")
    expect(page.get_by_test_id("auth-2022/DSC/0112")).to_have_class("reg-row-warn")
    expect(page.get_by_test_id("auth-2022/DSC/0112")).to_contain_text("Renouvellement à déposer")
    expect(page.get_by_test_id("auth-2022/DSC/0112")).to_contain_text("09/09/2026")
    expect(page.get_by_test_id("auth-2024/DSC/0457")).not_to_have_class("reg-row-warn")
    expect(page.get_by_test_id("auth-2024/DSC/0457")).to_contain_text("2 en service / 2")
    tab.shot("50-admin-autorisations")

    # The renewal: the new arrêté's dates, with the reason; the row is no longer flagged.
    page.get_by_role("button", name="Modifier l'autorisation 2022/DSC/0112").click()
    dialog = page.get_by_role("dialog", name="Autorisation 2022/DSC/0112")
    dialog.get_by_label("Date de délivrance").fill("2026-11-15")
    dialog.get_by_label("Date d'échéance").fill("2032-11-15")
    dialog.get_by_role("button", name="Enregistrer").click()
    expect(dialog.get_by_role("alert")).to_contain_text("Indiquez le motif")
    expect(dialog).to_contain_text("échéance au plus tard le 14/11/2031")
    dialog.get_by_label("Date d'échéance").fill("2031-11-14")
    dialog.get_by_label("Motif de la modification (journalisé)").fill(
        "Arrêté de renouvellement du 15/11/2026"
    )
    dialog.get_by_role("button", name="Enregistrer").click()
    expect(
        page.get_by_role("status").filter(has_text="Autorisation 2022/DSC/0112 modifiée.")
    ).to_be_visible()
    renewed = page.get_by_test_id("auth-2022/DSC/0112")
    expect(renewed).to_contain_text("Valide")
    expect(renewed).not_to_have_class("reg-row-warn")
    expect(banner).not_to_contain_text("à renouveler")


def _creates_zone(tab: Tab) -> None:
    """A new zone under the valid authorisation."""
    page = tab.page
    page.get_by_role("tab", name="Zones").click()
    page.get_by_role("button", name="Nouvelle zone").click()
    dialog = page.get_by_role("dialog", name="Nouvelle zone")
    dialog.get_by_label("Autorisation préfectorale").select_option(label="2024/DSC/0457 — Valide")
    dialog.get_by_label("Nom de la zone").fill("Gare SNCF")
    dialog.get_by_label("Description").fill("Parvis, quais de bus et parking courte durée")
    dialog.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("status").filter(has_text="Zone « Gare SNCF » créée.")).to_be_visible()
    group = page.get_by_role("region", name="Autorisation 2024/DSC/0457")
    expect(group).to_contain_text("Gare SNCF")
    draw = group.get_by_role("link", name="Tracer le périmètre de la zone Gare SNCF sur la carte")
    expect(draw).to_have_attribute("href", re.compile(r"^/carte\?zone=\d+$"))
    tab.shot("51-admin-zones")


def _refused_retention(tab: Tab, rtsp: str) -> Locator:
    """A retention beyond the authorisation's maximum is refused on its field."""
    page = tab.page
    dialog = _open_new_camera(tab)
    dialog.get_by_label("Code").fill("GAR-001")
    dialog.get_by_label("Nom", exact=True).fill("Parvis de la gare")
    dialog.get_by_label("Adresse").fill("Place de la Gare, 26000 Valence")
    dialog.get_by_label("Latitude").fill("44,9282")
    dialog.get_by_label("Longitude").fill("4,8936")
    dialog.get_by_label("Azimut (°)").fill("135")
    dialog.get_by_label("Flux principal (enregistré)").fill(
        rtsp.replace("rtsp://", "rtsp://installateur:s3cret-pass@") + "/gare"
    )
    dialog.get_by_label("Zone", exact=True).select_option(label="Gare SNCF (2024/DSC/0457)")
    expect(dialog).to_contain_text("Conservation autorisée : 7 à 21 jours.")
    dialog.get_by_label("Durée de conservation (jours)").fill("28")
    dialog.get_by_label("Champ de vision").select_option("narrow")
    dialog.get_by_label("Catégorie de site").select_option("station")
    dialog.get_by_label("Flux rapides de personnes (gare, sortie d'école…)").check()
    expect(dialog.get_by_test_id("legal-minimums")).to_contain_text(
        "704×576 pixels, 12 images/s réelles"
    )
    dialog.get_by_role("button", name="Enregistrer").click()
    retention = dialog.locator(".field", has=page.get_by_label("Durée de conservation (jours)"))
    expect(retention).to_have_class("field field-invalid")
    expect(retention).to_contain_text("entre 7 et 21 jours")
    tab.shot("53-admin-camera-formulaire")

    return dialog


def _tests_stream(tab: Tab, dialog: Locator) -> None:
    """Properties, conformity, and the keyframe (the administrator is habilitated)."""
    dialog.get_by_label("Durée de conservation (jours)").fill("14")
    dialog.get_by_role("button", name="Tester le flux").click()
    result = dialog.get_by_test_id("probe-result")
    expect(result).to_contain_text("H.264 (AVC)", timeout=20_000)
    expect(result).to_contain_text("704×576")
    expect(result).to_contain_text("Conforme à l'arrêté du 3 août 2007")
    expect(result).not_to_contain_text("s3cret")
    preview = result.get_by_role("img", name="Aperçu du flux testé (première image clé)")
    expect(preview).to_be_visible()
    assert preview.evaluate("img => img.naturalWidth") == 704
    result.scroll_into_view_if_needed()
    tab.shot("54-admin-test-flux")
    expect(dialog.get_by_role("button", name="Rafraîchir")).to_be_visible()


def _saves_and_serves(tab: Tab, dialog: Locator) -> None:
    """Save, then in service with a journalled reason."""
    page = tab.page

    dialog.get_by_role("button", name="Enregistrer").click()
    expect(
        page.get_by_role("status").filter(has_text="Caméra GAR-001 enregistrée.")
    ).to_be_visible()
    row = page.get_by_test_id("camera-GAR-001")
    expect(row).to_contain_text("Prévue")

    # In service, with the reason journalled.
    row.get_by_role("button", name="Changer le statut de la caméra GAR-001").click()
    status = page.get_by_role("dialog", name="Statut de la caméra GAR-001")
    status.get_by_label("Nouveau statut").select_option(label="En service")
    status.get_by_label("Motif (journalisé)").fill("Recette du 22/11/2026 validée")
    status.get_by_role("button", name="Changer le statut").click()
    expect(row).to_contain_text("En service")
    expect(row.get_by_text("Oui", exact=True)).to_be_visible()  # lawful
    page.get_by_label("Rechercher").fill("gare")
    expect(page.get_by_role("table", name="Caméras").locator("tbody tr")).to_have_count(1)
    page.get_by_label("Rechercher").fill("")
    expect(page.get_by_test_id("camera-VSR-001")).to_contain_text("Conforme")
    expect(page.get_by_test_id("camera-VSR-001")).to_contain_text("704×576 · 12 i/s")
    expect(page.get_by_test_id("camera-VSR-002")).to_contain_text("Non conforme")
    expect(page.get_by_test_id("camera-FTB-001")).to_contain_text("Pas d'enregistrement")
    tab.shot("52-admin-cameras")

    # An existing camera's form shows the conformity measured on its last recording.
    page.get_by_role("button", name="Modifier la caméra VSR-002").click()
    edit = page.get_by_role("dialog", name="Caméra VSR-002")
    conformity = edit.get_by_role("group", name="Conformité mesurée sur l'enregistrement")
    expect(conformity).to_contain_text("Non conforme à l'arrêté du 3 août 2007")
    expect(conformity).to_contain_text("Résolution 320×240 inférieure au minimum 352×288.")
    edit.get_by_role("button", name="Annuler").click()
    expect(edit).to_have_count(0)


def test_an_administrator_keeps_the_registry(
    browser: Browser,
    server: str,
    shots: Path,
    rt: Runtime,
    rtsp: str,
    clips: dict[str, Path],
) -> None:
    _registry(rt, clips)
    f.user(rt, "durand", Role.ADMINISTRATOR)  # habilitated: sees the stream's keyframe
    with open_tab(browser, server, shots, height=1000) as tab:
        _enrol(tab, rt, "durand")
        _sees_authorisations(tab)
        _creates_zone(tab)
        dialog = _refused_retention(tab, rtsp)
        _tests_stream(tab, dialog)
        _saves_and_serves(tab, dialog)
        assert tab.foreign == []
        assert _unexpected(tab.errors) == []

    actions = _journal(rt, "durand")
    names = [a for a, _, _ in actions]
    assert ("authorisation.updated", "Arrêté de renouvellement du 15/11/2026") in [
        (a, r) for a, r, _ in actions
    ]
    for expected in ("zone.created", "camera.stream_probed", "camera.created"):
        assert expected in names
    assert ("camera.status_changed", "Recette du 22/11/2026 validée") in [
        (a, r) for a, r, _ in actions
    ]
    probed = next(d for a, _, d in actions if a == "camera.stream_probed")
    assert probed["host"] == "127.0.0.1"
    assert probed["preview"] is True
    assert "s3cret" not in json.dumps([d for _, _, d in actions])


def test_without_habilitation_the_stream_test_shows_no_image(
    browser: Browser,
    server: str,
    shots: Path,
    rt: Runtime,
    rtsp: str,
    clips: dict[str, Path],
) -> None:
    _registry(rt, clips)
    f.user(rt, "martin", Role.ADMINISTRATOR, habilitated=False)
    with open_tab(browser, server, shots, height=1000) as tab:
        _enrol(tab, rt, "martin")
        dialog = _open_new_camera(tab)
        url = dialog.get_by_label("Flux principal (enregistré)")
        url.fill("http://10.0.0.9/video.mjpg")
        dialog.get_by_role("button", name="Tester le flux").click()
        expect(dialog.get_by_role("alert")).to_contain_text("Seuls les flux rtsp:// et rtsps://")

        url.fill(f"{rtsp}/parking")
        dialog.get_by_label("Champ de vision").select_option("wide")
        dialog.get_by_role("button", name="Rafraîchir").click()
        result = dialog.get_by_test_id("probe-result")
        expect(result).to_contain_text("320×240", timeout=20_000)
        expect(result).to_contain_text("Non conforme à l'arrêté du 3 août 2007")
        expect(result).to_contain_text("Résolution 320×240 inférieure au minimum 352×288.")
        expect(result).to_contain_text("inférieure au minimum de 6 images/s")
        expect(result).to_contain_text("Aperçu réservé aux personnels habilités")
        expect(result.get_by_role("img")).to_have_count(0)
        result.scroll_into_view_if_needed()
        tab.shot("54b-admin-test-flux-sans-habilitation")
        assert tab.foreign == []
        assert _unexpected(tab.errors) == []
    probes = [d for a, _, d in _journal(rt, "martin") if a == "camera.stream_probed"]
    assert [p["outcome"] for p in probes] == ["probe_scheme_not_allowed", "ok"]
    assert probes[1]["preview"] is False
