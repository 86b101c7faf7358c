"""The source of a disclosure: one video file of a finished export, as the export's signed
manifest lists it. Its hash is checked against the manifest before every use (D3)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sentinelle.disclosure import errors
from sentinelle.evidence import manifest
from sentinelle.evidence.tables import ExportRow
from sentinelle.storage import layout

MAX_SECONDS = 30 * 60  # a disclosure covers a few minutes; longer files are split by export


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One exported video: where it is, what the manifest says of it."""

    export_reference: str
    manifest_sha256: str
    file: str
    path: Path
    sha256: str
    camera_id: int
    camera_code: str
    seconds: float


def items(export: ExportRow) -> list[dict[str, Any]]:
    """The video items of the export's manifest (camera, file, covered period, hash…)."""
    package = Path(export.package_path)
    try:
        data: dict[str, Any] = json.loads((package / manifest.MANIFEST_FILE).read_bytes())
    except (OSError, ValueError) as exc:
        raise errors.source_integrity(manifest.MANIFEST_FILE, "cannot be read") from exc
    return list(data.get("items", []))


def find(export: ExportRow, file: str) -> SourceFile:
    """The manifest item of `file` in the export's package (raises when unlisted)."""
    package = Path(export.package_path)
    item = next((i for i in items(export) if i.get("file") == file), None)
    if item is None or "/" not in file or ".." in file.split("/"):
        raise errors.file_not_in_export(export.reference, file)
    return SourceFile(
        export_reference=export.reference,
        manifest_sha256=export.manifest_sha256,
        file=file,
        path=package / file,
        sha256=str(item["sha256"]),
        camera_id=int(item["camera"]["id"]),
        camera_code=str(item["camera"]["code"]),
        seconds=float(item.get("duration_seconds", 0.0)),
    )


def check(path: Path, file: str, sha256: str) -> None:
    """Raise unless the file on disk still has the hash its export's manifest states."""
    try:
        found = layout.sha256_of(path)
    except OSError as exc:
        raise errors.source_integrity(file, "is missing") from exc
    if found != sha256:
        raise errors.source_integrity(file, "differs from its export's signed manifest")
