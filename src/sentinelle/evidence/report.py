"""The extraction report (rapport d'extraction) of an export package, in HTML and PDF, and the
package's LISEZMOI.txt.

The report is what the requisition agent hands to the police officer with the footage: a
French administrative document stating the request, what was extracted for each camera (exact
covered period, gaps and their reasons, file hashes, hash chain ends), the site certificate,
how to verify the package without our software, and the legal frame. Both formats are built
from one model (`_Report`) computed from the manifest (without its `files` list), so they state
the same facts. Every instant is given in the site's time zone with UTC in parentheses.

Values come from users (reason, officer, camera names): the HTML escapes every one of them;
the PDF uses DejaVu (Unicode TrueType) and falls back to the core fonts, with characters
outside Latin-1 transliterated, where DejaVu is not installed.
"""

from __future__ import annotations

import html
import textwrap
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import CoreFont, FontFace, TTFFont
from fpdf.util import Padding

DEJAVU_DIR = Path("/usr/share/fonts/truetype/dejavu")
_DEJAVU_FILES = {
    ("sans", ""): "DejaVuSans.ttf",
    ("sans", "B"): "DejaVuSans-Bold.ttf",
    ("mono", ""): "DejaVuSansMono.ttf",
}

TITLE = "Rapport d'extraction d'images de vidéoprotection"
SUBTITLE = "Remise d'enregistrements sur réquisition judiciaire"
NONE = "—"

GAP_REASONS = {
    "offline": "caméra hors ligne",
    "purged": "images détruites (durée de conservation)",
    "not_in_service": "caméra hors service",
    "not_recorded": "non enregistré",
    "recording": "en cours d'enregistrement (disponible à la fin du segment, sous une minute)",
}
OFFLINE_DETAILS = {
    "unreachable": "caméra injoignable",
    "lost": "connexion perdue",
    "stalled": "flux interrompu",
    "end_of_stream": "fin du flux source",
    "storage": "erreur d'écriture sur le stockage",
}
_CODECS = {"h264": "H.264 (AVC)", "avc1": "H.264 (AVC)", "hevc": "H.265 (HEVC)"}
_CODECS |= {"h265": "H.265 (HEVC)", "hvc1": "H.265 (HEVC)"}
_ZONE_LABELS = {
    "Europe/Paris": "heure de Paris",
    "America/Cayenne": "heure de Guyane",
    "America/Guadeloupe": "heure de la Guadeloupe",
    "America/Martinique": "heure de la Martinique",
    "America/Miquelon": "heure de Saint-Pierre-et-Miquelon",
    "Indian/Mayotte": "heure de Mayotte",
    "Indian/Reunion": "heure de La Réunion",
    "Pacific/Noumea": "heure de Nouméa",
    "Pacific/Tahiti": "heure de Tahiti",
    "UTC": "heure UTC",
}

VERIFY_SCRIPT = "python3 verification/verifier.py <dossier ou .zip>"
VERIFY_OPENSSL = (
    "openssl cms -verify -binary -inform DER -in manifest.json.p7s -content manifest.json "
    "-CAfile certificate.pem -purpose any"
)
LOSSLESS = (
    "Les vidéos sont extraites sans perte : les images enregistrées sont copiées telles "
    "quelles, dans leur ordre (copie de flux, sans réencodage ni modification) ; seuls les "
    "horodatages sont ramenés au début de chaque fichier. La période couverte commence à "
    "l'image clé qui précède ou coïncide avec le début demandé ; toute interruption de "
    "l'enregistrement dans la période est indiquée avec son motif."
)
MANIFEST_TEXT = (
    "Le fichier manifest.json décrit l'ensemble de l'export : la demande, chaque caméra, les "
    "périodes couvertes, l'empreinte SHA-256 de chaque fichier et la chaîne de hachage des "
    "segments enregistrés. Il est signé avec la clé du site (manifest.json.sig : RSA-PSS, "
    "SHA-256 ; manifest.json.p7s : la même signature au format CMS détaché)."
)
VERIFY_SCRIPT_TEXT = (
    "Vérification complète (signature, fichiers, chaîne de hachage), avec Python 3 et le "
    "paquet cryptography :"
)
VERIFY_OPENSSL_TEXT = "Vérification de la signature du manifeste avec OpenSSL :"
ONVIF_TEXT = (
    "Chaque fichier MP4 est en outre signé au format ONVIF Export File Format ; sa signature "
    "peut être vérifiée avec oxfplayer, le lecteur libre publié par l'ONVIF."
)
LEGAL = (
    "Extraction réalisée conformément à l'arrêté du 3 août 2007 portant définition des normes "
    "techniques des systèmes de vidéoprotection. Les images remises aux services de police ou "
    "de gendarmerie ne peuvent être conservées plus d'un mois à compter de leur transmission, "
    "hors le cas d'une enquête de flagrant délit, d'une enquête préliminaire ou d'une "
    "information judiciaire (code de la sécurité intérieure, article L252-3)."
)
SIGNATURE_TITLE = "6. Signature de l'agent ayant procédé à l'extraction"
SIGNATURE_FIELDS = (("Nom et qualité", 11.0), ("Date", 11.0), ("Signature", 30.0))


def render_html(manifest: Mapping[str, Any]) -> str:
    """The report as a standalone, print-friendly HTML document (inline CSS, no link)."""
    report = _report(manifest)
    parts = [_html_head(report), _html_masthead(report)]
    parts += [_html_section(section) for section in report.sections]
    parts += [_html_signature(), "</main>\n</body>\n</html>\n"]
    return "".join(parts)


def render_pdf(manifest: Mapping[str, Any], *, font_dir: Path = DEJAVU_DIR) -> bytes:
    """The report as an A4 PDF: "Page x / y" and the reference in every page's footer."""
    report = _report(manifest)
    pdf = _Pdf(report, _fonts_from(font_dir))
    created = _parse(manifest.get("created_at"))
    if created is not None:
        pdf.set_creation_date(created)  # the same manifest gives the same bytes
    pdf.add_page()
    _pdf_masthead(pdf, report)
    for section in report.sections:
        _pdf_section(pdf, section)
    _pdf_signature(pdf)
    return bytes(pdf.output())


def readme_text(manifest: Mapping[str, Any]) -> str:
    """LISEZMOI.txt: what the package is, its layout, how to verify it and play it, and how
    long the police may keep it."""
    clock = _clock(manifest)
    lines = _readme_header(manifest, clock)
    lines += _readme_layout(manifest)
    lines += _readme_verify()
    lines += _readme_play()
    lines += _readme_retention()
    return "\n".join(lines) + "\n"


# --- Values and time -------------------------------------------------------------------------


def _get(mapping: Any, key: str) -> Any:
    """`mapping[key]`, or None where the mapping or the key is absent."""
    return mapping.get(key) if isinstance(mapping, Mapping) else None


def _text(value: Any) -> str:
    """A user value as one clean text: controls become spaces, lone surrogates U+FFFD."""
    if value is None or value == "":
        return NONE
    return "".join(_clean_char(char) for char in str(value))


def _clean_char(char: str) -> str:
    category = unicodedata.category(char)
    if category == "Cs":
        return "\ufffd"
    return " " if category == "Cc" and char != "\n" else char


@dataclass(frozen=True)
class _Clock:
    """Formats the manifest's UTC instants in the site's time zone, UTC in parentheses."""

    zone: ZoneInfo
    name: str
    label: str

    def instant(self, value: Any) -> str:
        """`29/11/2026 10:00:00,000 (09:00:00,000 UTC)`, to the millisecond."""
        at = _parse(value)
        if at is None:
            return _text(value)
        local, utc = at.astimezone(self.zone), at.astimezone(UTC)
        utc_date = "" if utc.date() == local.date() else f"{utc:%d/%m/%Y} "
        return f"{local:%d/%m/%Y %H:%M:%S}{_ms(at)} ({utc_date}{utc:%H:%M:%S}{_ms(at)} UTC)"

    def stamp(self, value: Any) -> str:
        """`29/11/2026 à 10:12:03 (heure de Paris), 09:12:03 UTC`, to the second."""
        at = _parse(value)
        if at is None:
            return _text(value)
        local, utc = at.astimezone(self.zone), at.astimezone(UTC)
        utc_date = "" if utc.date() == local.date() else f"{utc:%d/%m/%Y} "
        return f"{local:%d/%m/%Y à %H:%M:%S} ({self.label}), {utc_date}{utc:%H:%M:%S} UTC"

    def period(self, span: Any) -> str:
        return f"du {self.instant(_get(span, 'from'))}\nau {self.instant(_get(span, 'to'))}"


def _clock(manifest: Mapping[str, Any]) -> _Clock:
    name = str(_get(_get(manifest, "site"), "timezone") or "UTC")
    try:
        zone = ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        name, zone = "UTC", ZoneInfo("UTC")
    city = name.rsplit("/", 1)[-1].replace("_", " ")
    return _Clock(zone, name, _ZONE_LABELS.get(name, f"heure de {city}"))


def _parse(value: Any) -> datetime | None:
    """An ISO 8601 instant of the manifest (naive ones are UTC), None if it is not one."""
    try:
        at = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def _ms(at: datetime) -> str:
    return f",{at.microsecond // 1000:03d}"


def _duration(seconds: Any) -> str:
    """`1 h 02 min 03 s`, milliseconds shown when there are some: `10 min 00,040 s` (with
    non-breaking spaces)."""
    if not isinstance(seconds, int | float) or isinstance(seconds, bool):
        return _text(seconds)
    total_ms = round(float(seconds) * 1000)
    minutes, ms = divmod(total_ms, 60_000)
    hours, minutes = divmod(minutes, 60)
    secs, ms = divmod(ms, 1000)
    head = f"{hours} h {minutes:02d} min {secs:02d}" if hours else ""
    head = head or (f"{minutes} min {secs:02d}" if minutes else f"{secs}")
    return (f"{head},{ms:03d} s" if ms else f"{head} s").replace(" ", "\u00a0")


def _span_seconds(span: Any) -> float | None:
    start, end = _parse(_get(span, "from")), _parse(_get(span, "to"))
    return None if start is None or end is None else (end - start).total_seconds()


def _number(value: Any) -> str:
    """An integer with French digit grouping (non-breaking spaces): `15 000`."""
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}".replace(",", "\u00a0")
    return _text(value)


def _decimal(value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{float(value):g}".replace(".", ",")
    return _text(value)


# --- The report's model ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Row:
    label: str
    value: str
    mono: bool = False


@dataclass(frozen=True)
class _Fields:
    rows: tuple[_Row, ...]


@dataclass(frozen=True)
class _Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...]


@dataclass(frozen=True)
class _Text:
    text: str
    mono: bool = False


_Block = _Fields | _Table | _Text


@dataclass(frozen=True)
class _Section:
    title: str
    blocks: tuple[_Block, ...]
    level: int = 1


@dataclass(frozen=True)
class _Report:
    reference: str
    site: str
    created: str
    software: str
    time_note: str
    sections: tuple[_Section, ...]


def _report(manifest: Mapping[str, Any]) -> _Report:
    clock = _clock(manifest)
    items = [item for item in manifest.get("items") or () if isinstance(item, Mapping)]
    sections = [_export_section(manifest, clock, len(items)), _request_section(manifest, clock)]
    sections.append(_Section("3. Images extraites", (_Text(LOSSLESS),)))
    sections += [_camera_section(item, clock, n) for n, item in enumerate(items, 1)]
    sections += [_certificate_section(manifest, clock), _legal_section()]
    software = _get(manifest, "software")
    return _Report(
        reference=_text(manifest.get("reference")),
        site=_text(_get(manifest.get("site"), "name")),
        created=clock.stamp(manifest.get("created_at")),
        software=f"{_text(_get(software, 'name'))} {_text(_get(software, 'version'))}",
        time_note=f"Heures exprimées en {clock.label} ({clock.name}), "
        "l'heure UTC étant indiquée entre parenthèses.",
        sections=tuple(sections),
    )


def _export_section(manifest: Mapping[str, Any], clock: _Clock, cameras: int) -> _Section:
    rows = (
        _Row("Référence de l'export", _text(manifest.get("reference"))),
        _Row("Site", _text(_get(manifest.get("site"), "name"))),
        _Row("Date de l'export", clock.stamp(manifest.get("created_at"))),
        _Row("Exporté par", _exporter(manifest.get("exporter"))),
        _Row("Nombre de caméras", _number(cameras)),
    )
    return _Section("1. Extraction", (_Fields(rows),))


def _exporter(exporter: Any) -> str:
    name, kind, user_id = (_get(exporter, key) for key in ("name", "kind", "user_id"))
    if kind == "user":
        return f"{_text(name)} (compte utilisateur n° {_text(user_id)})"
    return f"{_text(name)} ({_text(kind)})" if kind else _text(name)


def _request_section(manifest: Mapping[str, Any], clock: _Clock) -> _Section:
    request = manifest.get("request")
    cameras = _get(request, "cameras")
    codes = ", ".join(_text(code) for code in cameras) if isinstance(cameras, list) else NONE
    rows = (
        _Row("Réquisition", _text(_get(request, "requisition"))),
        _Row("Officier requérant", _text(_get(request, "officer"))),
        _Row("Motif", _text(_get(request, "reason"))),
        _Row("Caméras demandées", codes or NONE),
        _Row("Période demandée", clock.period(request)),
    )
    return _Section("2. Demande", (_Fields(rows),))


def _camera_section(item: Mapping[str, Any], clock: _Clock, number: int) -> _Section:
    camera = item.get("camera")
    title = f"3.{number}. Caméra {_text(_get(camera, 'code'))} — {_text(_get(camera, 'name'))}"
    rows = _camera_rows(camera) + _footage_rows(item, clock) + _chain_rows(item)
    blocks = (_Fields(rows), *_privacy_blocks(item), *_gap_blocks(item.get("gaps"), clock))
    return _Section(title, blocks, level=2)


def _privacy_blocks(item: Mapping[str, Any]) -> tuple[_Block, ...]:
    """The one sentence a re-encoded file earns (privacy masks, CSI L251-3)."""
    privacy = item.get("privacy")
    if not isinstance(privacy, Mapping) or not privacy.get("reencoded"):
        return ()
    return (
        _Text(
            "Ce fichier a été ré-encodé pour la protection de la vie privée (CSI L251-3) : "
            "enregistré alors qu'un contrôle a trouvé défaillants les masques appliqués par la "
            "caméra, il porte les masques en vigueur incrustés par Sentinelle ; les segments "
            "sources, dont les empreintes figurent au manifeste, ne sont pas joints."
        ),
    )


def _camera_rows(camera: Any) -> tuple[_Row, ...]:
    rows = [
        _Row("Code", _text(_get(camera, "code"))),
        _Row("Nom", _text(_get(camera, "name"))),
        _Row("Emplacement", _text(_get(camera, "location"))),
    ]
    latitude, longitude = _get(camera, "latitude"), _get(camera, "longitude")
    if latitude is not None and longitude is not None:
        where = f"latitude {_decimal(latitude)}, longitude {_decimal(longitude)} (WGS 84)"
        rows.append(_Row("Coordonnées", where))
    return tuple(rows)


def _footage_rows(item: Mapping[str, Any], clock: _Clock) -> tuple[_Row, ...]:
    onvif = "oui (ONVIF Export File Format)" if item.get("onvif_signature") else "non"
    return (
        _Row("Période demandée", clock.period(item.get("requested"))),
        _Row("Période couverte", clock.period(item.get("covered"))),
        _Row("Durée", _duration(item.get("duration_seconds"))),
        _Row("Nombre d'images", _number(item.get("frames"))),
        _Row("Vidéo", _video(item.get("video"))),
        _Row("Fichier", _text(item.get("file")), mono=True),
        _Row("Taille", f"{_number(item.get('bytes'))} octets"),
        _Row("Empreinte SHA-256", _text(item.get("sha256")), mono=True),
        _Row("Signature du fichier", onvif),
    )


def _video(video: Any) -> str:
    codec = _get(video, "codec")
    name = _CODECS.get(str(codec).lower(), _text(codec).upper())
    size = f"{_number(_get(video, 'width'))} × {_number(_get(video, 'height'))} pixels"
    return f"{name}, {size}, {_decimal(_get(video, 'fps'))} images/s"


def _chain_rows(item: Mapping[str, Any]) -> tuple[_Row, ...]:
    segments = [seg for seg in item.get("segments") or () if isinstance(seg, Mapping)]
    rows = [_Row("Segments sources", _number(len(segments)))]
    if segments:
        first, last = segments[0], segments[-1]
        rows.append(_link_row("Premier maillon de la chaîne", first))
        rows.append(_link_row("Dernier maillon de la chaîne", last))
    return tuple(rows)


def _link_row(label: str, segment: Mapping[str, Any]) -> _Row:
    seq = _text(segment.get("chain_seq"))
    return _Row(f"{label} (n° {seq})", _text(segment.get("chain_hash")), mono=True)


def _gap_blocks(gaps: Any, clock: _Clock) -> tuple[_Block, ...]:
    gaps = [gap for gap in gaps or () if isinstance(gap, Mapping)]
    if not gaps:
        return (_Text("Aucune interruption : la période couverte est continue."),)
    rows = tuple(_gap_row(gap, clock) for gap in gaps)
    intro = _Text(f"Interruptions de l'enregistrement dans la période ({_number(len(gaps))}) :")
    return intro, _Table(("Début", "Fin", "Durée", "Motif"), rows, (28, 28, 18, 26))


def _gap_row(gap: Mapping[str, Any], clock: _Clock) -> tuple[str, ...]:
    start, end = clock.instant(gap.get("from")), clock.instant(gap.get("to"))
    return start, end, _gap_length(gap), _gap_reason(gap)


def _gap_length(gap: Mapping[str, Any]) -> str:
    seconds = _span_seconds(gap)
    return NONE if seconds is None else _duration(seconds)


def _gap_reason(gap: Mapping[str, Any]) -> str:
    reason = gap.get("reason")
    text = GAP_REASONS.get(str(reason), _text(reason))
    detail = gap.get("detail")
    if detail:
        text += f" ({OFFLINE_DETAILS.get(str(detail), _text(detail))})"
    return text


def _certificate_section(manifest: Mapping[str, Any], clock: _Clock) -> _Section:
    cert = manifest.get("certificate")
    rows = (
        _Row("Sujet", _text(_get(cert, "subject"))),
        _Row("Empreinte SHA-256", _text(_get(cert, "sha256_fingerprint")), mono=True),
        _Row("Valide jusqu'au", clock.stamp(_get(cert, "not_after"))),
        _Row("Fichier", _text(_get(cert, "file")), mono=True),
    )
    blocks: tuple[_Block, ...] = (
        _Text("Certificat de signature du site :"),
        _Fields(rows),
        _Text(MANIFEST_TEXT),
        _Text(VERIFY_SCRIPT_TEXT),
        _Text(VERIFY_SCRIPT, mono=True),
        _Text(VERIFY_OPENSSL_TEXT),
        _Text(VERIFY_OPENSSL, mono=True),
        _Text(ONVIF_TEXT),
    )
    return _Section("4. Intégrité et vérification", blocks)


def _legal_section() -> _Section:
    return _Section("5. Cadre légal", (_Text(LEGAL),))


def _hash_units(value: str) -> list[str]:
    """Where a long hash or fingerprint may break: every 16 hex digits, every 4 bytes of
    `AB:CD:…`; other values do not break."""
    parts = value.split(":")
    if len(parts) > 4 and all(len(part) == 2 for part in parts):
        size = 12
    elif len(value) > 16 and all(char in "0123456789abcdefABCDEF" for char in value):
        size = 16
    else:
        return [value]
    return [value[i : i + size] for i in range(0, len(value), size)]


def _hash_lines(value: str, max_chars: int) -> str:
    """The value on lines of a power-of-two number of units, each fitting `max_chars`."""
    units = _hash_units(value)
    if len(value) <= max_chars or len(units) == 1:
        return value
    fit, per_line = max(1, max_chars // max(len(unit) for unit in units)), 1
    while per_line * 2 <= fit:
        per_line *= 2
    lines = ["".join(units[i : i + per_line]) for i in range(0, len(units), per_line)]
    return "\n".join(lines)


# --- HTML ------------------------------------------------------------------------------------

_CSS = """
@page { size: A4; margin: 16mm 15mm 18mm; }
* { box-sizing: border-box; }
html { background: #e9ecf0; }
body { margin: 0; color: #1d232b; font: 10pt/1.45 "DejaVu Sans", Arial, Helvetica, sans-serif; }
main { max-width: 210mm; margin: 12mm auto; padding: 15mm 16mm; background: #fff;
  box-shadow: 0 1px 6px rgba(0, 0, 0, .18); }
.masthead { display: flex; justify-content: space-between; align-items: flex-start;
  border-bottom: 2px solid #1f3a5f; padding-bottom: 3mm; }
.issuer { font-size: 9pt; color: #4a5563; }
.issuer strong { display: block; font-size: 11pt; color: #1f3a5f; }
.ref { border: 1px solid #1f3a5f; padding: 2mm 4mm; text-align: right; font-size: 8pt;
  white-space: nowrap; }
.ref strong { display: block; font-size: 11pt; color: #1f3a5f; }
h1 { margin: 7mm 0 1mm; font-size: 16pt; text-align: center; color: #1f3a5f; }
.subtitle { margin: 0; text-align: center; color: #4a5563; }
.note { margin: 4mm 0 0; font-size: 8.5pt; color: #4a5563; text-align: center; }
h2 { margin: 7mm 0 2mm; padding-bottom: 1mm; font-size: 11.5pt; color: #1f3a5f;
  border-bottom: 1px solid #9aa8ba; break-after: avoid; }
h3 { margin: 5mm 0 2mm; padding: 1.2mm 2.5mm; font-size: 10pt; background: #e8edf3;
  color: #1f3a5f; break-after: avoid; }
p { margin: 2mm 0; }
table { width: 100%; border-collapse: collapse; margin: 2mm 0; }
tr { break-inside: avoid; }
th, td { padding: 1.3mm 2mm; border-bottom: 1px solid #d3d9e0; vertical-align: top;
  text-align: left; }
table.fields th { width: 30%; background: #f3f5f8; font-size: 8.5pt; color: #3b4450; }
table.grid th { background: #e8edf3; font-size: 8.5pt; }
table.grid td { font-size: 9pt; }
.mono, pre { font-family: "DejaVu Sans Mono", Consolas, "Courier New", monospace;
  font-size: 8.5pt; overflow-wrap: anywhere; }
pre { margin: 1mm 0 3mm; padding: 2mm 3mm; background: #f3f5f8; border-left: 3px solid #9aa8ba;
  white-space: pre-wrap; }
section.signature { break-inside: avoid; }
table.signature td { height: 11mm; border: 1px solid #9aa8ba; }
table.signature th { width: 30%; border: 1px solid #9aa8ba; background: #f3f5f8; }
table.signature tr.tall td { height: 30mm; }
@media print {
  html { background: none; }
  main { max-width: none; margin: 0; padding: 0; box-shadow: none; }
}
"""


def _e(text: str) -> str:
    """Escaped text, line breaks kept."""
    return html.escape(text, quote=True).replace("\n", "<br>")


def _html_head(report: _Report) -> str:
    title = _e(f"{TITLE} — {report.reference}")
    return (
        '<!DOCTYPE html>\n<html lang="fr">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{title}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n<main>\n"
    )


def _html_masthead(report: _Report) -> str:
    return (
        '<header class="masthead">\n'
        f'<div class="issuer"><strong>{_e(report.site)}</strong>'
        "Vidéoprotection — centre de supervision urbain</div>\n"
        f'<div class="ref">Référence<strong>{_e(report.reference)}</strong>'
        f"{_e(report.created)}</div>\n</header>\n"
        f"<h1>{_e(TITLE)}</h1>\n"
        f'<p class="subtitle">{_e(SUBTITLE)}</p>\n'
        f'<p class="note">{_e(report.time_note)}</p>\n'
    )


def _html_section(section: _Section) -> str:
    tag = "h2" if section.level == 1 else "h3"
    blocks = "".join(_html_block(block) for block in section.blocks)
    return f"<section>\n<{tag}>{_e(section.title)}</{tag}>\n{blocks}</section>\n"


def _html_block(block: _Block) -> str:
    if isinstance(block, _Fields):
        rows = "".join(_html_row(row) for row in block.rows)
        return f'<table class="fields">\n{rows}</table>\n'
    if isinstance(block, _Table):
        return _html_table(block)
    if block.mono:
        return f"<pre>{html.escape(block.text, quote=True)}</pre>\n"
    return f"<p>{_e(block.text)}</p>\n"


def _html_row(row: _Row) -> str:
    if row.mono:
        units = _hash_units(row.value)
        half = (len(units) + 1) // 2
        value = "<wbr>".join(_e("".join(part)) for part in (units[:half], units[half:]) if part)
        value = f'<span class="mono">{value}</span>'
    else:
        value = _e(row.value)
    return f"<tr><th>{_e(row.label)}</th><td>{value}</td></tr>\n"


def _html_table(table: _Table) -> str:
    heads = "".join(
        f'<th style="width:{width:g}%">{_e(head)}</th>'
        for head, width in zip(table.headers, table.widths, strict=True)
    )
    rows = "".join(
        "<tr>" + "".join(f"<td>{_e(cell)}</td>" for cell in row) + "</tr>\n" for row in table.rows
    )
    return f'<table class="grid">\n<tr>{heads}</tr>\n{rows}</table>\n'


_TALL = ' class="tall"'


def _html_signature() -> str:
    rows = "".join(
        f"<tr{_TALL if height > 20 else ''}><th>{_e(label)}</th><td></td></tr>\n"
        for label, height in SIGNATURE_FIELDS
    )
    return (
        f'<section class="signature">\n<h2>{_e(SIGNATURE_TITLE)}</h2>\n'
        f'<table class="signature">\n{rows}</table>\n</section>\n'
    )


# --- PDF -------------------------------------------------------------------------------------

_BLUE = (31, 58, 95)
_GREY = (74, 85, 99)
_INK = (29, 35, 43)
_WHITE = (255, 255, 255)
_RULE = (211, 217, 224)
_LABEL_FILL = (243, 245, 248)
_HEAD_FILL = (232, 237, 243)
_LABEL_WIDTH = 0.3


@dataclass(frozen=True)
class _Fonts:
    """The PDF's font families and how text is made encodable in them."""

    sans: str
    mono: str
    clean_sans: Callable[[str], str]
    clean_mono: Callable[[str], str]
    files: Mapping[tuple[str, str], Path]


def _fonts_from(font_dir: Path) -> _Fonts:
    files = {key: font_dir / name for key, name in _DEJAVU_FILES.items()}
    if all(path.is_file() for path in files.values()):
        return _Fonts("dejavu", "dejavu-mono", _text, _text, files)
    return _Fonts("helvetica", "courier", _latin1, _latin1, {})


_LATIN1_SUBSTITUTES = str.maketrans(
    {
        "—": "-",
        "–": "-",
        "‑": "-",
        "’": "'",
        "‘": "'",
        "“": '"',
        "”": '"',
        "„": '"',
        "…": "...",
        "œ": "oe",
        "Œ": "OE",
        "€": "EUR",
        "ł": "l",
        "Ł": "L",
        "\u202f": " ",
        "\u2009": " ",
    }
)


def _latin1(text: str) -> str:
    """The text in Latin-1 (the core fonts' encoding): typographic characters made plain,
    accents dropped where the letter is not in Latin-1, anything else `?`."""
    return "".join(_latin1_char(char) for char in text.translate(_LATIN1_SUBSTITUTES))


def _latin1_char(char: str) -> str:
    if ord(char) < 256:
        return char
    base = unicodedata.normalize("NFKD", char)[:1]
    return base if base and ord(base) < 128 else "?"


class _Pdf(FPDF):
    """An A4 page set with the report's fonts and a footer naming the export."""

    def __init__(self, report: _Report, fonts: _Fonts) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.report, self.faces = report, fonts
        for (family, style), path in fonts.files.items():
            self.add_font(fonts.sans if family == "sans" else fonts.mono, style, path)
        if fonts.files:
            self.faces = self._glyph_checked(fonts)
        self.set_margins(18, 16, 18)
        self.set_auto_page_break(auto=True, margin=20)
        self.set_title(fonts.clean_sans(f"{TITLE} {report.reference}"))
        self.set_author(fonts.clean_sans(report.site))
        self.set_creator(fonts.clean_sans(report.software))
        self.set_lang("fr")

    def _glyph_checked(self, fonts: _Fonts) -> _Fonts:
        """The fonts, characters they have no glyph for becoming U+FFFD rather than blanks."""
        sans, mono = (_cmap(self.fonts[name]) for name in (fonts.sans, fonts.mono))
        return _Fonts(fonts.sans, fonts.mono, _glyphs_only(sans), _glyphs_only(mono), fonts.files)

    def sans(self, size: float, style: str = "") -> None:
        self.set_font(self.faces.sans, style, size)

    def put(self, text: str, *, mono: bool = False) -> str:
        return (self.faces.clean_mono if mono else self.faces.clean_sans)(text)

    def footer(self) -> None:
        self.set_y(-14)
        self.set_draw_color(*_RULE)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.sans(7.5)
        self.set_text_color(*_GREY)
        left = f"Rapport d'extraction — référence {self.report.reference}"
        self.cell(self.epw / 2, 6, self.put(left), new_x=XPos.RIGHT, new_y=YPos.TOP)
        page = f"Page {self.page_no()} / {{nb}}"
        self.cell(self.epw / 2, 6, page, align="R")


def _cmap(font: CoreFont | TTFFont) -> set[int]:
    return set(font.cmap) if isinstance(font, TTFFont) else set(range(256))


def _glyphs_only(cmap: set[int]) -> Callable[[str], str]:
    def clean(text: str) -> str:
        return "".join(c if ord(c) in cmap or c == "\n" else "\ufffd" for c in _text(text))

    return clean


def _pdf_masthead(pdf: _Pdf, report: _Report) -> None:
    top = pdf.get_y()
    pdf.sans(11, "B")
    pdf.set_text_color(*_BLUE)
    pdf.multi_cell(100, 5.5, pdf.put(report.site), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.sans(8.5)
    pdf.set_text_color(*_GREY)
    pdf.cell(100, 5, pdf.put("Vidéoprotection — centre de supervision urbain"))
    bottom = max(pdf.get_y() + 5, _pdf_reference_box(pdf, report, top))
    pdf.set_draw_color(*_BLUE)
    pdf.set_line_width(0.6)
    pdf.line(pdf.l_margin, bottom + 2, pdf.w - pdf.r_margin, bottom + 2)
    pdf.set_line_width(0.2)
    pdf.set_y(bottom + 7)
    _pdf_title(pdf, report)


def _pdf_reference_box(pdf: _Pdf, report: _Report, top: float) -> float:
    """The reference and export date, boxed at the top right; returns the box's bottom."""
    width = 72
    pdf.set_xy(pdf.w - pdf.r_margin - width, top)
    pdf.set_draw_color(*_BLUE)
    pdf.sans(7.5)
    pdf.set_text_color(*_GREY)
    pdf.cell(width, 4.5, "Référence", border="LTR", align="R", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.sans(11, "B")
    pdf.set_text_color(*_BLUE)
    ref = pdf.put(report.reference)
    pdf.multi_cell(width, 5.5, ref, border="LR", align="R", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.sans(7)
    pdf.set_text_color(*_GREY)
    created = pdf.put(report.created)
    pdf.multi_cell(width, 4, created, border="LRB", align="R", new_x=XPos.LEFT, new_y=YPos.NEXT)
    return pdf.get_y()


def _pdf_title(pdf: _Pdf, report: _Report) -> None:
    pdf.sans(15, "B")
    pdf.set_text_color(*_BLUE)
    pdf.multi_cell(0, 8, pdf.put(TITLE), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.sans(10)
    pdf.set_text_color(*_GREY)
    pdf.multi_cell(0, 5.5, pdf.put(SUBTITLE), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.sans(8)
    pdf.ln(2)
    note = pdf.put(report.time_note)
    pdf.multi_cell(0, 4.5, note, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)


def _pdf_section(pdf: _Pdf, section: _Section) -> None:
    _pdf_heading(pdf, section)
    for block in section.blocks:
        if isinstance(block, _Fields):
            _pdf_fields(pdf, block)
        elif isinstance(block, _Table):
            _pdf_table(pdf, block)
        else:
            _pdf_text(pdf, block)


def _pdf_heading(pdf: _Pdf, section: _Section) -> None:
    """A section title, moved to the next page rather than left alone at a page's foot."""
    if pdf.get_y() > pdf.page_break_trigger - 35:
        pdf.add_page()
    pdf.ln(4 if section.level == 1 else 3)
    pdf.set_text_color(*_BLUE)
    title = pdf.put(section.title)
    if section.level == 1:
        pdf.sans(11.5, "B")
        pdf.multi_cell(0, 6.5, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_draw_color(154, 168, 186)
        pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
        pdf.ln(2)
    else:
        pdf.sans(10, "B")
        pdf.set_fill_color(*_HEAD_FILL)
        pdf.multi_cell(0, 6.5, f" {title}", fill=True, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(1.5)
    pdf.set_text_color(0, 0, 0)


def _pdf_fields(pdf: _Pdf, fields: _Fields) -> None:
    """Label and value rows; a value too long for a table row (a row cannot span pages)
    is set as a paragraph under its label."""
    run: list[_Row] = []
    for field in fields.rows:
        if field.mono or not _too_tall(pdf, field.value):
            run.append(field)
            continue
        _pdf_field_table(pdf, run)
        run = []
        _pdf_long_field(pdf, field)
    _pdf_field_table(pdf, run)


def _too_tall(pdf: _Pdf, value: str) -> bool:
    pdf.sans(9)
    width = pdf.epw * (1 - _LABEL_WIDTH) - 4
    lines = pdf.multi_cell(width, 4.4, pdf.put(value), dry_run=True, output="LINES")
    return isinstance(lines, list) and len(lines) * 4.4 > 80


def _pdf_field_table(pdf: _Pdf, rows: Sequence[_Row]) -> None:
    if not rows:
        return
    label_style = FontFace(pdf.faces.sans, "B", 8, _GREY, _LABEL_FILL)
    value_style = FontFace(pdf.faces.sans, "", 9, _INK, _WHITE)
    mono_style = FontFace(pdf.faces.mono, "", 8, _INK, _WHITE)
    max_chars = _mono_chars(pdf, pdf.epw * (1 - _LABEL_WIDTH) - 4)
    pdf.set_draw_color(*_RULE)
    with pdf.table(**_table_options(pdf, (_LABEL_WIDTH, 1 - _LABEL_WIDTH), False)) as table:
        for field in rows:
            row = table.row()
            row.cell(pdf.put(field.label), style=label_style)
            if field.mono:
                value = _hash_lines(field.value, max_chars)
                row.cell(pdf.put(value, mono=True), style=mono_style)
            else:
                row.cell(pdf.put(field.value), style=value_style)
    pdf.ln(2)


def _pdf_long_field(pdf: _Pdf, field: _Row) -> None:
    pdf.sans(8, "B")
    pdf.set_text_color(*_GREY)
    pdf.set_fill_color(*_LABEL_FILL)
    label = pdf.put(f" {field.label}")
    pdf.multi_cell(0, 6, label, fill=True, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(*_INK)
    pdf.sans(9)
    pdf.multi_cell(0, 4.6, pdf.put(field.value), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)


def _mono_chars(pdf: _Pdf, width: float) -> int:
    pdf.set_font(pdf.faces.mono, "", 8)
    return int(width / pdf.get_string_width("0"))


def _table_options(pdf: _Pdf, widths: Sequence[float], headings: bool) -> dict[str, Any]:
    return {
        "col_widths": tuple(widths),
        "width": pdf.epw,
        "first_row_as_headings": headings,
        "headings_style": FontFace(pdf.faces.sans, "B", 8, _BLUE, _HEAD_FILL),
        "borders_layout": "HORIZONTAL_LINES",
        "text_align": "LEFT",
        "v_align": "TOP",
        "line_height": 4.4,
        "padding": (1.4, 2),
    }


def _pdf_table(pdf: _Pdf, table: _Table) -> None:
    pdf.sans(8.5)
    pdf.set_draw_color(*_RULE)
    with pdf.table(**_table_options(pdf, table.widths, True)) as grid:
        heading = grid.row()
        for cell in table.headers:
            heading.cell(pdf.put(cell))
        _pdf_rows(pdf, grid, table.rows)
    pdf.ln(2)


def _pdf_rows(pdf: _Pdf, grid: Any, rows: Iterable[Sequence[str]]) -> None:
    style = FontFace(pdf.faces.sans, "", 8.5, _INK, _WHITE)
    for cells in rows:
        row = grid.row()
        for cell in cells:
            row.cell(pdf.put(cell), style=style)


def _pdf_text(pdf: _Pdf, text: _Text) -> None:
    if text.mono:
        pdf.set_font(pdf.faces.mono, "", 8)
        pdf.set_fill_color(*_LABEL_FILL)
        body = pdf.put(text.text, mono=True)
        pdf.multi_cell(0, 4.4, body, fill=True, padding=Padding(1.5, 3, 1.5, 3), align="L")
        pdf.set_x(pdf.l_margin)
        pdf.ln(2)
        return
    pdf.sans(9)
    pdf.multi_cell(0, 4.6, pdf.put(text.text), align="J", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1.5)


def _pdf_signature(pdf: _Pdf) -> None:
    """The agent's blank signature block, kept on one page."""
    height = 20 + sum(h for _, h in SIGNATURE_FIELDS)
    if pdf.get_y() + height > pdf.page_break_trigger:
        pdf.add_page()
    _pdf_heading(pdf, _Section(SIGNATURE_TITLE, ()))
    pdf.set_draw_color(154, 168, 186)
    pdf.set_fill_color(*_LABEL_FILL)
    label_width = pdf.epw * _LABEL_WIDTH
    for label, h in SIGNATURE_FIELDS:
        pdf.sans(8.5, "B")
        pdf.set_text_color(*_GREY)
        pdf.cell(label_width, h, pdf.put(f" {label}"), border=1, fill=True)
        pdf.cell(0, h, "", border=1, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


# --- LISEZMOI.txt ----------------------------------------------------------------------------

_WIDTH = 78
_LAYOUT = (
    ("LISEZMOI.txt", "ce fichier"),
    (
        "manifest.json",
        (
            "description de l'export : demande, caméras, périodes, empreinte "
            "SHA-256 de chaque fichier, chaîne de hachage des enregistrements"
        ),
    ),
    ("manifest.json.sig", "signature du manifeste (RSA-PSS, SHA-256)"),
    ("manifest.json.p7s", "la même signature au format CMS (PKCS #7) détaché"),
    ("certificate.pem", "certificat de signature du site"),
    ("video/", "une vidéo MP4 par caméra, signée (ONVIF Export File Format)"),
    ("index/", "index des images de chaque vidéo (utilisé par le lecteur)"),
    ("rapport/rapport.pdf", "rapport d'extraction, à joindre à la procédure"),
    ("rapport/rapport.html", "le même rapport au format HTML"),
    ("verification/verifier.py", "programme de vérification autonome"),
    ("lecteur/", "lecteur hors ligne (index.html, lecteur.js, lecteur.css)"),
)


def _paragraph(text: str) -> list[str]:
    return [*textwrap.wrap(text, _WIDTH), ""]


def _heading(title: str) -> list[str]:
    return [title, "-" * len(title), ""]


def _readme_header(manifest: Mapping[str, Any], clock: _Clock) -> list[str]:
    request = manifest.get("request")
    title = "EXPORT D'IMAGES DE VIDÉOPROTECTION — SENTINELLE"
    facts = [
        f"Référence    : {_text(manifest.get('reference'))}",
        f"Site         : {_text(_get(manifest.get('site'), 'name'))}",
        f"Export du    : {clock.stamp(manifest.get('created_at'))}",
        f"Exporté par  : {_exporter(manifest.get('exporter'))}",
        f"Réquisition  : {_text(_get(request, 'requisition'))}",
        f"Officier     : {_text(_get(request, 'officer'))}",
    ]
    intro = (
        "Ce dossier contient des enregistrements de vidéoprotection extraits sans perte "
        "(copie exacte des images enregistrées, sans réencodage), remis sur réquisition "
        "judiciaire, avec de quoi en vérifier l'intégrité et les visionner sans le logiciel "
        "qui les a produits. Le rapport d'extraction (rapport/rapport.pdf) détaille la "
        "demande, les périodes couvertes et les interruptions d'enregistrement."
    )
    return [title, "=" * len(title), "", *facts, "", *_paragraph(intro)]


def _readme_layout(manifest: Mapping[str, Any]) -> list[str]:
    lines = _heading("1. Contenu du dossier")
    width = max(len(path) for path, _ in _LAYOUT) + 2
    for path, what in _LAYOUT:
        wrapped = textwrap.wrap(what, _WIDTH - width - 2)
        lines.append(f"  {path.ljust(width)}{wrapped[0]}")
        lines += [" " * (width + 2) + more for more in wrapped[1:]]
    lines += ["", "Vidéos :"]
    for item in manifest.get("items") or ():
        camera = _get(item, "camera")
        code, name = _text(_get(camera, "code")), _text(_get(camera, "name"))
        lines += [f"  {code} — {name}", f"    {_text(_get(item, 'file'))}"]
    return [*lines, ""]


def _readme_verify() -> list[str]:
    return [
        *_heading("2. Vérifier l'intégrité"),
        *_paragraph(MANIFEST_TEXT),
        *_paragraph(
            "Vérification complète (signature du manifeste, taille et empreinte de chaque "
            "fichier, fichiers manquants ou ajoutés, signature de chaque vidéo, chaîne de "
            "hachage), avec Python 3 et le paquet cryptography (pip install cryptography) :"
        ),
        f"  {VERIFY_SCRIPT}",
        "",
        *_paragraph("Vérification de la signature du manifeste avec OpenSSL, depuis ce dossier :"),
        f"  {VERIFY_OPENSSL}",
        "",
        *_paragraph(
            f"{ONVIF_TEXT} L'empreinte du certificat (certificate.pem) figure dans le rapport "
            "d'extraction. Une signature ne prouve l'origine que si ce certificat est bien "
            "celui du centre : comparer son empreinte avec celle communiquée séparément par le "
            "service qui a fait l'extraction (courrier, procès-verbal)."
        ),
    ]


def _readme_play() -> list[str]:
    return [
        *_heading("3. Visionner les images"),
        *_paragraph(
            "Si l'export a été reçu sous forme d'archive ZIP, la décompresser d'abord. Ouvrir "
            "lecteur/index.html dans un navigateur récent (Firefox, Chrome, Edge), puis choisir "
            "le dossier de l'export (celui qui contient ce fichier) lorsque le lecteur le "
            "demande. Le lecteur fonctionne hors ligne, sans connexion à Internet."
        ),
        *_paragraph(
            "Les vidéos (video/*.mp4) peuvent aussi être lues par un lecteur courant ; la date "
            "et l'heure y figurent dans une piste de sous-titres."
        ),
    ]


def _readme_retention() -> list[str]:
    return [*_heading("4. Conservation"), *_paragraph(LEGAL)]
