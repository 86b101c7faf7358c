"""The extraction report (HTML and PDF) and LISEZMOI.txt: every fact of the manifest stated in
French and in the site's time (UTC in parentheses), user values escaped, any character
rendered, the PDF valid with "Page x / y" and the reference on every page."""

from __future__ import annotations

import hashlib
import html
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from sentinelle.evidence.report import readme_text, render_html, render_pdf

VERIFY_OPENSSL = (
    "openssl cms -verify -binary -inform DER -in manifest.json.p7s -content manifest.json "
    "-CAfile certificate.pem -purpose any"
)

REFERENCE = "EXP-20261129-0042"
FINGERPRINT = ":".join(f"{byte:02X}" for byte in hashlib.sha256(b"certificate").digest())
REASON = 'Rixe place de la Mairie — <script>alert("x")</script> & suites’ (préjudice 1 200 €)'
OFFICER = "OPJ Łukasz Wiśniewski"
NAME_1 = "Place de la Mairie — parvis « Hôtel de Ville »"
NAME_2 = 'Parking "Cœur de Ville" — niveau -1 (rampe d\'accès)'
LOCATION_2 = "Rue Ibn-Khaldoun (شارع ابن خلدون) — entrée piétons"
SUBJECT = "CN=Sentinelle CSU Villeneuve, O=Commune de Villeneuve-Saint-Étienne, C=FR"


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _segments(camera: str, count: int, first_seq: int) -> list[dict[str, Any]]:
    segments, prev = [], "0" * 64
    for n in range(count):
        chain = _hash(f"chain {camera} {n}")
        segments.append(
            {
                "chain_seq": first_seq + n,
                "prev_chain_hash": prev,
                "chain_hash": chain,
                "sha256": _hash(f"segment {camera} {n}"),
                "start": f"2026-11-29T09:{n:02d}:00+00:00",
                "end": f"2026-11-29T09:{n + 1:02d}:00+00:00",
                "bytes": 11_000_000,
            }
        )
        prev = chain
    return segments


def _item_1() -> dict[str, Any]:
    return {
        "camera": {
            "id": 1,
            "code": "CAM-001",
            "name": NAME_1,
            "location": "Angle rue Jean-Jaurès / avenue de l’Europe",
            "latitude": 48.75,
            "longitude": 2.29,
        },
        "file": "video/CAM-001_20261129T085958Z.mp4",
        "bytes": 112_233_445,
        "sha256": _hash("video 1"),
        "index": "index/CAM-001_20261129T085958Z.json",
        "requested": {"from": "2026-11-29T09:00:00Z", "to": "2026-11-29T09:10:00Z"},
        "covered": {"from": "2026-11-29T08:59:58.640000Z", "to": "2026-11-29T09:10:00Z"},
        "duration_seconds": 601.36,
        "frames": 15034,
        "video": {"codec": "h264", "width": 1920, "height": 1080, "fps": 25.0},
        "gaps": [],
        "segments": _segments("CAM-001", 11, 41),
        "onvif_signature": True,
    }


def _item_2() -> dict[str, Any]:
    return {
        "camera": {"id": 14, "code": "CAM-014", "name": NAME_2, "location": LOCATION_2},
        "file": "video/CAM-014_20261129T090000Z.mp4",
        "bytes": 52_000_000,
        "sha256": _hash("video 2"),
        "index": "index/CAM-014_20261129T090000Z.json",
        "requested": {"from": "2026-11-29T09:00:00Z", "to": "2026-11-29T09:10:00Z"},
        "covered": {"from": "2026-11-29T09:00:00Z", "to": "2026-11-29T09:10:00Z"},
        "duration_seconds": 420.5,
        "frames": 5256,
        "video": {"codec": "hevc", "width": 704, "height": 576, "fps": 12.5},
        "gaps": [
            {
                "from": "2026-11-29T09:03:00Z",
                "to": "2026-11-29T09:04:30.250Z",
                "reason": "offline",
                "detail": "lost",
            },
            {"from": "2026-11-29T09:06:00Z", "to": "2026-11-29T09:07:15Z", "reason": "purged"},
        ],
        "segments": _segments("CAM-014", 7, 880),
        "onvif_signature": True,
    }


def _manifest() -> dict[str, Any]:
    """A manifest as the export job builds it, without its `files` list."""
    return {
        "schema": "sentinelle.export/1",
        "reference": REFERENCE,
        "created_at": "2026-11-29T09:12:03.123456Z",
        "software": {"name": "Sentinelle", "version": "0.1.0"},
        "site": {"name": "CSU de Villeneuve-Saint-Étienne", "timezone": "Europe/Paris"},
        "exporter": {"kind": "user", "name": "agent.dupont", "user_id": 3},
        "request": {
            "cameras": ["CAM-001", "CAM-014"],
            "from": "2026-11-29T09:00:00Z",
            "to": "2026-11-29T09:10:00Z",
            "reason": REASON,
            "requisition": "PV 2026/004512",
            "officer": OFFICER,
        },
        "certificate": {
            "file": "certificate.pem",
            "sha256_fingerprint": FINGERPRINT,
            "subject": SUBJECT,
            "not_after": "2036-11-29T09:00:00Z",
        },
        "items": [_item_1(), _item_2()],
    }


def _facts() -> list[str]:
    """What the report must state, as a reader sees it."""
    one, two = _item_1(), _item_2()
    return [
        REFERENCE,
        "CSU de Villeneuve-Saint-Étienne",
        "29/11/2026 à 10:12:03 (heure de Paris), 09:12:03 UTC",
        "agent.dupont",
        "PV 2026/004512",
        OFFICER,
        "CAM-001, CAM-014",
        SUBJECT,
        FINGERPRINT,
        "29/11/2036 à 10:00:00 (heure de Paris), 09:00:00 UTC",
        NAME_1,
        NAME_2,
        "Rue Ibn-Khaldoun (",
        "entrée piétons",
        "du 29/11/2026 09:59:58,640 (08:59:58,640 UTC)",
        "au 29/11/2026 10:10:00,000 (09:10:00,000 UTC)",
        "10 min 01,360 s",
        "15 034",
        "H.264 (AVC), 1 920 × 1 080 pixels, 25 images/s",
        "H.265 (HEVC), 704 × 576 pixels, 12,5 images/s",
        one["file"],
        one["sha256"],
        two["file"],
        two["sha256"],
        "(n° 41)",
        one["segments"][0]["chain_hash"],
        "(n° 51)",
        one["segments"][-1]["chain_hash"],
        "(n° 880)",
        two["segments"][0]["chain_hash"],
        "(n° 886)",
        two["segments"][-1]["chain_hash"],
        "29/11/2026 10:03:00,000 (09:03:00,000 UTC)",
        "29/11/2026 10:04:30,250 (09:04:30,250 UTC)",
        "1 min 30,250 s",
        "caméra hors ligne (connexion perdue)",
        "29/11/2026 10:06:00,000 (09:06:00,000 UTC)",
        "images détruites (durée de conservation)",
        "Aucune interruption",
        "sans réencodage",
        "python3 verification/verifier.py <dossier ou .zip>",
        "cryptography",
        VERIFY_OPENSSL,
        "ONVIF Export File Format",
        "oxfplayer",
        "arrêté du 3 août 2007",
        "un mois à compter de leur transmission",
        "L252-3",
        "Nom et qualité",
        "Signature",
    ]


def _flat(text: str) -> str:
    """The text without any white space (line breaks, non-breaking spaces): layout aside."""
    return "".join(text.split())


def _html_text(document: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", document))


def _pdf_text(data: bytes, tmp_path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (Debian's poppler-utils) is not installed")
    path = tmp_path / "rapport.pdf"
    path.write_bytes(data)
    done = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    )
    return done.stdout.decode()


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return render_pdf(_manifest())


def test_html_states_every_fact() -> None:
    text = _flat(_html_text(render_html(_manifest())))
    missing = [fact for fact in _facts() if _flat(fact) not in text]
    assert missing == []


def test_html_escapes_user_values() -> None:
    document = render_html(_manifest())
    assert LOCATION_2 in _html_text(document)
    assert "<script" not in document
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; suites" in document
    assert "Parking &quot;Cœur de Ville&quot;" in document


def test_html_escapes_every_value() -> None:
    manifest = _manifest()
    hostile = '<x-evil onclick="x">&amp;\'</x-evil>'
    manifest["site"]["name"] = hostile
    manifest["exporter"]["name"] = hostile
    manifest["request"] |= {"reason": hostile, "requisition": hostile, "officer": hostile}
    manifest["certificate"]["subject"] = hostile
    manifest["items"][0]["camera"] |= {"name": hostile, "location": hostile, "code": hostile}
    manifest["items"][1]["gaps"][0]["detail"] = hostile
    document = render_html(manifest)
    assert "<x-evil" not in document
    escaped = "&lt;x-evil onclick=&quot;x&quot;&gt;&amp;amp;&#x27;&lt;/x-evil&gt;"
    assert document.count(escaped) >= 9


def test_html_is_a_standalone_document() -> None:
    document = render_html(_manifest())
    assert document.startswith("<!DOCTYPE html>")
    assert '<html lang="fr">' in document
    assert '<meta charset="utf-8">' in document
    assert "<style>" in document
    assert "@page" in document
    for external in ("http://", "https://", "<link", "<img", "src=", "url("):
        assert external not in document


def test_pdf_is_a_valid_document(pdf: bytes) -> None:
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    assert b"/MediaBox [0 0 595.28 841.89]" in pdf  # A4


def test_pdf_is_reproducible(pdf: bytes) -> None:
    assert render_pdf(_manifest()) == pdf


def test_pdf_states_every_fact(pdf: bytes, tmp_path: Path) -> None:
    text = _flat(_pdf_text(pdf, tmp_path))
    missing = [fact for fact in _facts() if _flat(fact) not in text]
    assert missing == []
    assert "<script>" in text  # shown as typed: a PDF runs nothing


def test_pdf_footer_numbers_pages_and_names_the_export(pdf: bytes, tmp_path: Path) -> None:
    pages = [page for page in _pdf_text(pdf, tmp_path).split("\f") if page.strip()]
    assert len(pages) >= 2
    for number, page in enumerate(pages, 1):
        assert f"Page {number} / {len(pages)}" in page
        assert REFERENCE in page


def test_pdf_wraps_the_fingerprint_between_bytes(pdf: bytes, tmp_path: Path) -> None:
    lines = [line.strip() for line in _pdf_text(pdf, tmp_path).splitlines()]
    pieces = [line for line in lines if len(line) > 8 and line in FINGERPRINT]
    assert "".join(pieces) == FINGERPRINT
    assert all(piece.endswith(":") for piece in pieces[:-1])


def test_pdf_renders_characters_outside_latin_1(pdf: bytes, tmp_path: Path) -> None:
    text = _pdf_text(pdf, tmp_path)
    for word in ("Łukasz", "Wiśniewski", "Cœur", "—", "l’Europe", "€", "«", "×"):
        assert word in text
    assert set("شارع ابن خلدون") <= set(text)  # drawn right to left, so extracted reordered


def test_pdf_falls_back_to_core_fonts_without_dejavu(tmp_path: Path) -> None:
    data = render_pdf(_manifest(), font_dir=tmp_path / "no-fonts")
    assert data.startswith(b"%PDF-")
    assert b"/Helvetica" in data
    text = _pdf_text(data, tmp_path)
    for fact in (REFERENCE, "OPJ Lukasz Wisniewski", "Coeur de Ville", FINGERPRINT, "1 200 EUR"):
        assert _flat(fact) in _flat(text)
    assert "Page 1 /" in text


@pytest.mark.parametrize(
    ("reason", "detail", "stated"),
    [
        ("offline", None, "caméra hors ligne"),
        ("offline", "unreachable", "caméra hors ligne (caméra injoignable)"),
        ("offline", "stalled", "caméra hors ligne (flux interrompu)"),
        ("purged", None, "images détruites (durée de conservation)"),
        ("not_in_service", None, "caméra hors service"),
        ("not_recorded", None, "non enregistré"),
    ],
)
def test_gap_reasons_are_stated_in_french(reason: str, detail: str | None, stated: str) -> None:
    manifest = _manifest()
    gap = {"from": "2026-11-29T09:01:00Z", "to": "2026-11-29T09:02:00Z", "reason": reason}
    manifest["items"][1]["gaps"] = [gap | ({"detail": detail} if detail else {})]
    document = render_html(manifest)
    assert f"<td>1\u00a0min\u00a000\u00a0s</td><td>{html.escape(stated)}</td>" in document
    assert reason not in _html_text(document)


@pytest.mark.parametrize(
    ("created_at", "stated"),
    [
        ("2026-07-14T08:00:00Z", "14/07/2026 à 10:00:00 (heure de Paris), 08:00:00 UTC"),
        (
            "2026-11-29T23:30:00Z",
            "30/11/2026 à 00:30:00 (heure de Paris), 29/11/2026 23:30:00 UTC",
        ),
    ],
)
def test_times_follow_the_site_zone(created_at: str, stated: str) -> None:
    manifest = _manifest() | {"created_at": created_at}
    assert stated in readme_text(manifest)
    assert stated in _html_text(render_html(manifest))


def test_other_site_zones_are_named() -> None:
    manifest = _manifest()
    manifest["site"]["timezone"] = "Indian/Reunion"
    text = readme_text(manifest)
    assert "29/11/2026 à 13:12:03 (heure de La Réunion), 09:12:03 UTC" in text


def test_odd_values_never_break_the_report(tmp_path: Path) -> None:
    manifest = _manifest()
    manifest["site"]["timezone"] = "Nowhere/Atlantis"
    manifest["request"] |= {"reason": "a\x00b\x07c\ud800 " + "très long motif " * 300}
    manifest["request"]["officer"] = None
    manifest["exporter"] = {"kind": "system", "name": "sentinelle"}
    manifest["items"][0] |= {"covered": {"from": "not a time"}, "segments": [], "video": None}
    manifest["items"][1]["camera"]["name"] = "Caméra 漢字 😀 ﷽"
    del manifest["certificate"]
    document = render_html(manifest)
    assert "\x00" not in document
    assert "\ud800" not in document
    assert "09:12:03 (heure UTC)" in document
    data = render_pdf(manifest)
    assert data.rstrip().endswith(b"%%EOF")
    assert "très long motif" in _pdf_text(data, tmp_path)
    assert "sentinelle (system)" in readme_text(manifest)


def test_readme_describes_the_package() -> None:
    text = readme_text(_manifest())
    for fact in (
        REFERENCE,
        "29/11/2026 à 10:12:03 (heure de Paris), 09:12:03 UTC",
        "PV 2026/004512",
        OFFICER,
        "manifest.json.sig",
        "manifest.json.p7s",
        "certificate.pem",
        "rapport/rapport.pdf",
        "video/CAM-001_20261129T085958Z.mp4",
        "video/CAM-014_20261129T090000Z.mp4",
        "  python3 verification/verifier.py <dossier ou .zip>",
        "cryptography",
        "openssl cms -verify -binary -inform DER -in manifest.json.p7s",
        "lecteur/index.html",
        "navigateur récent",
        "oxfplayer",
    ):
        assert fact in text
    assert "un mois à compter de leur transmission" in " ".join(text.split())
    assert text.endswith("\n")
    assert "http" not in text
