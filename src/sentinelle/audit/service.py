"""Journal use cases: `record` (inside the caller's transaction), verification and export."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session

from sentinelle.audit import repository
from sentinelle.audit.chain import ROW_FIELDS, RawRow, entry_hash
from sentinelle.audit.models import Actor, AuditAction, Entry, EntryDraft, VerifyReport
from sentinelle.audit.repository import EntryFilter
from sentinelle.audit.verify import verify_journal
from sentinelle.core.clock import to_micros
from sentinelle.runtime import Runtime


def canonical_details(details: dict[str, object]) -> str:
    """The exact JSON text stored and hashed for `details` (sorted keys, ASCII, no spaces)."""
    return json.dumps(
        details, sort_keys=True, ensure_ascii=True, separators=(",", ":"), default=str
    )


def record(session: Session, draft: EntryDraft, at: datetime) -> Entry:
    """Append `draft` to the journal inside the caller's transaction and return the entry.

    Locks the chain head, so concurrent writers append one after the other; if the caller's
    transaction rolls back, the entry disappears with the change it described.
    """
    last_seq, last_hash = repository.lock_head(session)
    row = chain_row(last_seq, last_hash, draft, at)
    repository.append(session, row)
    return repository.to_entry(row)


def chain_row(last_seq: int, last_hash: str, draft: EntryDraft, at: datetime) -> RawRow:
    """The complete raw row (ROW_FIELDS order) that follows (`last_seq`, `last_hash`)."""
    actor = draft.actor
    body = (
        last_seq + 1,
        to_micros(at),
        str(actor.kind),
        actor.user_id,
        actor.name,
        str(draft.action),
        draft.target_type,
        draft.target_id,
        draft.camera_id,
        draft.reason,
        canonical_details(draft.details),
        last_hash,
    )
    return (*body, entry_hash(last_hash, body))


EXPORT_FORMATS = ("csv", "json")
ExportFormat = str  # one of EXPORT_FORMATS


def export_entries(session: Session, flt: EntryFilter, fmt: ExportFormat) -> str:
    """The filtered journal as CSV or JSON, hashes included so each row can be re-checked."""
    entries = repository.list_entries(session, flt, limit=None, newest_first=False)
    writers: dict[str, Callable[[list[Entry]], str]] = {"csv": _to_csv, "json": _to_json}
    return writers[fmt](entries)


def _export_dict(entry: Entry) -> dict[str, object]:
    return {
        "seq": entry.seq,
        "at": entry.at.isoformat(),
        "at_us": to_micros(entry.at),
        "actor_kind": entry.actor_kind,
        "actor_id": entry.actor_id,
        "actor_name": entry.actor_name,
        "action": entry.action,
        "target_type": entry.target_type,
        "target_id": entry.target_id,
        "camera_id": entry.camera_id,
        "reason": entry.reason,
        "details": entry.details,
        "prev_hash": entry.prev_hash,
        "hash": entry.hash,
    }


def _to_json(entries: list[Entry]) -> str:
    return json.dumps([_export_dict(e) for e in entries], ensure_ascii=False, indent=1) + "\n"


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _to_csv(entries: list[Entry]) -> str:
    """CSV for people (a spreadsheet). Text cells that a spreadsheet would run as a formula get
    a leading apostrophe; recompute hashes from the JSON export, which keeps every value as is."""
    out = io.StringIO()
    fields = ["at", *ROW_FIELDS]
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for entry in entries:
        row = _export_dict(entry)
        writer.writerow({k: _inert(v) for k, v in row.items()})
    return out.getvalue()


def _inert(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


# --- use cases with their own transaction ---------------------------------------------------


def do_verify(rt: Runtime, actor: Actor) -> VerifyReport:
    """Verify the whole chain, then journal that it was verified and with which result."""
    report = verify_journal(rt.db)
    with rt.db.write() as s:
        details = {
            "ok": report.ok,
            "checked": report.checked,
            "first_bad_seq": report.first_bad_seq,
        }
        record(
            s,
            EntryDraft(actor, AuditAction.JOURNAL_VERIFIED, "journal", "", details=details),
            rt.now(),
        )
    return report


def do_export(rt: Runtime, actor: Actor, flt: EntryFilter, fmt: ExportFormat, reason: str) -> str:
    """Export for an inspection (read in one snapshot, without holding up writers); the export
    itself is then journalled."""
    with rt.db.snapshot() as s:
        text = export_entries(s, flt, fmt)
    with rt.db.write() as s:
        details = {
            "format": fmt,
            "since": flt.since.isoformat() if flt.since else None,
            "until": flt.until.isoformat() if flt.until else None,
            "actor": flt.actor_name,
            "camera_id": flt.camera_id,
        }
        record(
            s,
            EntryDraft(
                actor, AuditAction.JOURNAL_EXPORTED, "journal", "", reason=reason, details=details
            ),
            rt.now(),
        )
    return text


def list_page(rt: Runtime, flt: EntryFilter, limit: int, offset: int) -> tuple[list[Entry], int]:
    with rt.db.read() as s:
        return (
            repository.list_entries(s, flt, limit=limit, offset=offset, newest_first=True),
            repository.count(s, flt),
        )
