"""The destruction register for an inspection: CSV, and HTML laid out for printing to PDF."""

from __future__ import annotations

import csv
import html
import io
from datetime import datetime
from zoneinfo import ZoneInfo

from sentinelle.audit.models import Actor, AuditAction, EntryDraft
from sentinelle.audit.service import record
from sentinelle.runtime import Runtime
from sentinelle.storage import repository
from sentinelle.storage.tables import DestructionRow

FORMATS = ("csv", "html")
_REASONS_FR = {
    "retention_expiry": "fin de la durée de conservation",
    "capacity": "capacité de stockage",
    "hold_release": "levée de gel",
}
_COLUMNS = (
    "destroyed_at",
    "camera_code",
    "start_at",
    "end_at",
    "segments",
    "bytes",
    "reason",
    "first_seq",
    "last_seq",
    "last_hash",
)


def do_export_register(
    rt: Runtime, actor: Actor, since: datetime | None, until: datetime | None, fmt: str
) -> str:
    """The register lines destroyed in [since, until); the export is journalled."""
    with rt.db.snapshot() as s:
        rows = repository.register_between(s, since, until)
    text = _csv(rows) if fmt == "csv" else _html(rows, since, until, rt.settings.timezone)
    details = {
        "format": fmt,
        "lines": len(rows),
        "since": since.isoformat() if since else None,
        "until": until.isoformat() if until else None,
    }
    with rt.db.write() as s:
        record(
            s,
            EntryDraft(actor, AuditAction.REGISTER_EXPORTED, "register", "", details=details),
            rt.now(),
        )
    return text


def _csv(rows: list[DestructionRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(_COLUMNS)
    for row in rows:
        writer.writerow([_cell(getattr(row, c)) for c in _COLUMNS])
    return out.getvalue()


def _cell(value: object) -> object:
    return value.isoformat() if isinstance(value, datetime) else value


def _html(
    rows: list[DestructionRow], since: datetime | None, until: datetime | None, tz: ZoneInfo
) -> str:
    def local(value: datetime) -> str:
        return value.astimezone(tz).strftime("%d/%m/%Y %H:%M:%S")

    period = " – ".join(local(d) if d else "…" for d in (since, until))
    body = "\n".join(
        "<tr>"
        + "".join(
            f"<td>{html.escape(str(v))}</td>"
            for v in (
                local(r.destroyed_at),
                r.camera_code,
                local(r.start_at),
                local(r.end_at),
                r.segments,
                f"{r.bytes / 1e9:.3f}",
                _REASONS_FR.get(r.reason, r.reason),
                r.last_hash[:16] + "…",
            )
        )
        + "</tr>"
        for r in rows
    )
    return f"""<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Registre des destructions</title>
<style>
 body {{ font: 10pt sans-serif; margin: 2cm; }} h1 {{ font-size: 14pt; }}
 table {{ border-collapse: collapse; width: 100%; }}
 th, td {{ border: 1px solid #444; padding: 3px 5px; text-align: left; }}
 th {{ background: #ddd; }} @page {{ size: A4 landscape; margin: 1.5cm; }}
</style></head><body>
<h1>Registre des destructions d'enregistrements</h1>
<p>Période : {html.escape(period)} · {len(rows)} ligne(s) · heure locale ({tz.key})</p>
<table><thead><tr><th>Détruit le</th><th>Caméra</th><th>Début</th><th>Fin</th>
<th>Segments</th><th>Volume (Go)</th><th>Motif</th><th>Empreinte (chaîne)</th></tr></thead>
<tbody>
{body}
</tbody></table></body></html>
"""
