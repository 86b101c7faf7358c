"""The export manifest: what was asked, what is delivered, and how to check it (see
`docs/design/playback-and-evidence.md`, "Manifest"). Canonical JSON, signed twice."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sentinelle import __version__
from sentinelle.evidence.build import Item
from sentinelle.evidence.models import MANIFEST_SCHEMA, Period
from sentinelle.evidence.package import FileEntry
from sentinelle.evidence.privacy import STATEMENT, MaskedSource
from sentinelle.evidence.signing import SiteSigner
from sentinelle.evidence.tables import ExportRow
from sentinelle.storage.tables import SegmentRow

CERTIFICATE_FILE = "certificate.pem"
MANIFEST_FILE = "manifest.json"
SIGNATURE_FILE = "manifest.json.sig"
CMS_FILE = "manifest.json.p7s"


@dataclass(frozen=True, slots=True)
class Gap:
    start: datetime
    end: datetime
    reason: str
    detail: str = ""


def utc_text(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(manifest: Mapping[str, Any]) -> bytes:
    """The exact bytes written and signed (sorted keys, UTF-8, indented for reading)."""
    return json.dumps(manifest, sort_keys=True, ensure_ascii=False, indent=2).encode()


def build(
    export: ExportRow,
    site: Mapping[str, str],
    signer: SiteSigner,
    items: Sequence[tuple[Item, Sequence[Gap]]],
    created_at: datetime,
    camera_codes: Sequence[str],
) -> dict[str, Any]:
    """The manifest without its `files` list (added once every other file is written)."""
    return {
        "schema": MANIFEST_SCHEMA,
        "reference": export.reference,
        "created_at": utc_text(created_at),
        "software": {"name": "Sentinelle", "version": __version__},
        "site": dict(site),
        "exporter": {
            "kind": export.requested_by_kind,
            "name": export.requested_by_name,
            "user_id": export.requested_by_id,
        },
        "request": _request(export, camera_codes),
        "certificate": {
            "file": CERTIFICATE_FILE,
            "sha256_fingerprint": signer.fingerprint(),
            "subject": signer.subject(),
            "not_after": utc_text(signer.not_after()),
        },
        "items": [_item(export, item, gaps) for item, gaps in items],
    }


def with_files(manifest: Mapping[str, Any], files: Sequence[FileEntry]) -> dict[str, Any]:
    return {**manifest, "files": [f.as_dict() for f in sorted(files, key=lambda f: f.path)]}


def _request(export: ExportRow, camera_codes: Sequence[str]) -> dict[str, Any]:
    return {
        "cameras": list(camera_codes),
        "from": utc_text(export.range_from),
        "to": utc_text(export.range_to),
        "reason": export.reason,
        "requisition": export.requisition,
        "officer": export.officer,
    }


def _period(period: Period) -> dict[str, str]:
    return {"from": utc_text(period.start), "to": utc_text(period.end)}


def _item(export: ExportRow, item: Item, gaps: Sequence[Gap]) -> dict[str, Any]:
    entry = _lossless_item(export, item, gaps)
    if item.reencoded:  # only then: an export without flags is as before, byte for byte
        entry["privacy"] = _privacy(item)
    return entry


def _lossless_item(export: ExportRow, item: Item, gaps: Sequence[Gap]) -> dict[str, Any]:
    assert item.covered is not None  # noqa: S101 - a finished item has a covered range
    camera = item.camera
    seconds = item.covered.seconds
    return {
        "camera": {
            "id": camera.id,
            "code": camera.code,
            "name": camera.name,
            "location": camera.location,
            "latitude": camera.latitude,
            "longitude": camera.longitude,
        },
        "file": item.file,
        "bytes": item.bytes,
        "sha256": item.sha256,
        "index": item.index,
        "requested": _period(Period(export.range_from, export.range_to)),
        "covered": _period(item.covered),
        "duration_seconds": round(seconds, 3),
        "frames": item.frames,
        "video": {
            "codec": item.codec,
            "width": item.width,
            "height": item.height,
            "fps": round(item.frames / seconds, 3) if seconds > 0 else 0.0,
        },
        "gaps": [_gap(g) for g in gaps],
        "segments": _segments(item.segments, item.prev_chain_hash),
        "onvif_signature": True,
    }


def _gap(gap: Gap) -> dict[str, str]:
    out = {"from": utc_text(gap.start), "to": utc_text(gap.end), "reason": gap.reason}
    if gap.detail:
        out["detail"] = gap.detail
    return out


def _segments(rows: Sequence[SegmentRow], first_prev: str) -> list[dict[str, Any]]:
    """The source segments with their links: each one's previous chain hash is the one
    before it in the list when their sequence numbers follow, else read from the catalogue."""
    out = []
    prev_seq, prev_hash = None, first_prev
    for row in rows:
        out.append(_segment(row, prev_hash if prev_seq in (None, row.chain_seq - 1) else ""))
        prev_seq, prev_hash = row.chain_seq, row.chain_hash
    return out


def _segment(row: SegmentRow, prev_hash: str) -> dict[str, Any]:
    out: dict[str, Any] = {
        "chain_seq": row.chain_seq,
        "prev_chain_hash": prev_hash,
        "chain_hash": row.chain_hash,
        "sha256": row.sha256,
        "start": row.start_at.isoformat(),
        "end": row.end_at.isoformat(),
        "bytes": row.bytes,
    }
    if row.mask_version is not None:  # burnt in: its link binds the mask (storage S4)
        out["mask_version"], out["mask_digest"] = row.mask_version, row.mask_digest or ""
    return out


def _privacy(item: Item) -> dict[str, Any]:
    """Why and how the item's file was re-encoded: the file signed is the re-encoded one; the
    sources' hashes are kept for the chain of custody, the sources are not included."""
    return {
        "reencoded": True,
        "legal_basis": "CSI L251-3",
        "statement": STATEMENT,
        "file": item.file,
        "sha256": item.sha256,
        "parts": [_masked(m) for m in item.reencoded],
    }


def _masked(masked: MaskedSource) -> dict[str, Any]:
    row = masked.row
    return {
        "source": {
            "chain_seq": row.chain_seq,
            "sha256": row.sha256,
            "start": row.start_at.isoformat(),
            "end": row.end_at.isoformat(),
            "bytes": row.bytes,
            "included": False,
        },
        "masks": [{"version": m.version, "digest": m.digest} for m in masked.masks],
        "flags": [
            {
                "id": f.id,
                "from": utc_text(f.from_at),
                "to": utc_text(f.to_at) if f.to_at else None,
                "reason": f.reason,
                "audit_id": f.audit_id,
            }
            for f in masked.flags
        ],
    }
