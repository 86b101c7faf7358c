"""`sentinelle export ...`: create an evidence export, verify a package, print the export
journal, list and cancel exports."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import typer

from sentinelle.access.models import CameraScope
from sentinelle.cli import common
from sentinelle.cli.storage import required_instant
from sentinelle.evidence import service, verifier
from sentinelle.evidence.models import ExportRequest, ExportStatus
from sentinelle.evidence.package import write_zip
from sentinelle.evidence.tables import ExportLineRow
from sentinelle.registry import errors as registry_errors
from sentinelle.registry import repository as registry_repo
from sentinelle.runtime import Runtime

export_app = typer.Typer(help="Evidence exports (extractions).", no_args_is_help=True)


def _camera_ids(rt: Runtime, refs: list[str]) -> list[int]:
    """Camera codes (or numeric ids) to ids."""
    ids = []
    with rt.db.read() as s:
        for ref in refs:
            camera = registry_repo.find_camera(s, ref)
            if camera is None and ref.isdigit():
                camera = registry_repo.get_camera(s, int(ref))
            if camera is None:
                raise registry_errors.camera_not_found(ref)
            ids.append(camera.id)
    return ids


@export_app.command("create")
@common.handle_errors
def create(
    camera: list[str] = typer.Option(..., "--camera", help="camera code or id (repeatable)"),
    start: str = typer.Option(..., "--from", help="start, ISO with time zone"),
    end: str = typer.Option(..., "--to", help="end, ISO with time zone"),
    reason: str = typer.Option(..., "--reason", help="why (journalled)"),
    requisition: str = typer.Option("", "--requisition", help="requisition reference"),
    officer: str = typer.Option("", "--officer", help="requesting officer (OPJ)"),
    out: Path | None = typer.Option(None, "--out", help="directory to write the package in"),
    zip_too: bool = typer.Option(True, "--zip/--no-zip", help="also write the package as ZIP"),
) -> None:
    """Export footage losslessly, signed, with its report, verifier and player; runs now."""
    with common.runtime() as rt:
        request = ExportRequest.model_validate(
            {
                "camera_ids": _camera_ids(rt, camera),
                "from": required_instant(start, "from"),
                "to": required_instant(end, "to"),
                "reason": reason,
                "requisition": requisition,
                "officer": officer,
            }
        )
        row = service.do_request_export(
            rt, common.cli_actor(), request, CameraScope.everything(), out
        )
        if service.claim_next(rt, row.id) is not None:
            row = service.run_export(rt, row.id)
    if row.status != ExportStatus.DONE:
        raise common.fail(row.error_code or row.status, row.error_message or row.status, 7)
    typer.echo(f"export {row.reference}: {row.package_path}")
    if zip_too:
        typer.echo(f"zip: {write_zip(Path(row.package_path))}")
    typer.echo(f"manifest SHA-256: {row.manifest_sha256}")


@export_app.command("verify")
def verify(path: Path = typer.Argument(..., help="package directory or .zip")) -> None:
    """Check every hash and signature of a package; exit 1 naming what is wrong."""
    report = verifier.verify_package(path)
    for problem in report.problems:
        typer.echo(f"PROBLÈME [{problem.code}] {problem.path}: {problem.message}")
    verdict = "INTÈGRE" if report.ok else "NON INTÈGRE"
    typer.echo(
        f"{verdict}: {report.files_checked} fichier(s), {report.videos_checked} vidéo(s) "
        f"vérifiés; certificat {report.certificate_fingerprint}"
    )
    if not report.ok:
        raise typer.Exit(1)


@export_app.command("journal")
@common.handle_errors
def journal(
    start: str = typer.Option(..., "--from", help="exported at or after (ISO)"),
    end: str = typer.Option(..., "--to", help="exported before (ISO)"),
    reason: str = typer.Option(..., "--reason", help="why (journalled)"),
    fmt: str = typer.Option("table", "--format", help="table, csv or json"),
) -> None:
    """Print the export journal (rule 5): images' period, duration, camera, export time,
    exporter, requisition."""
    with common.runtime() as rt:
        lines = service.export_journal(
            rt,
            common.cli_actor(),
            required_instant(start, "from"),
            required_instant(end, "to"),
            reason,
        )
    _print_lines(lines, fmt)


_HEADERS = (
    "reference",
    "camera",
    "images_from",
    "images_to",
    "duration_s",
    "exported_at",
    "exporter",
    "requisition",
    "officer",
)


def _line_values(line: ExportLineRow) -> list[object]:
    return [
        line.reference,
        line.camera_code,
        line.images_from.isoformat(),
        line.images_to.isoformat(),
        line.duration_seconds,
        line.exported_at.isoformat(),
        line.exporter_name,
        line.requisition,
        line.officer,
    ]


def _print_lines(lines: list[ExportLineRow], fmt: str) -> None:
    rows = [_line_values(line) for line in lines]
    if fmt == "json":
        typer.echo(json.dumps([dict(zip(_HEADERS, r, strict=True)) for r in rows], indent=2))
    elif fmt == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(_HEADERS)
        writer.writerows(rows)
    else:
        common.print_table(_HEADERS, rows)


@export_app.command("list")
@common.handle_errors
def list_exports() -> None:
    """The latest exports and their state."""
    with common.runtime() as rt:
        rows = service.list_exports(rt)
    common.print_table(
        ("id", "reference", "status", "progress", "requested_by", "created_at", "error"),
        [
            (
                r.id,
                r.reference,
                r.status,
                f"{r.progress:.0%}",
                r.requested_by_name,
                r.created_at.isoformat(),
                r.error_code,
            )
            for r in rows
        ],
    )


@export_app.command("cancel")
@common.handle_errors
def cancel(
    export_id: int = typer.Argument(...),
    reason: str = typer.Option(..., "--reason"),
) -> None:
    """Cancel a queued or running export (a running one stops at its next fragment)."""
    with common.runtime() as rt:
        row = service.do_cancel_export(rt, common.cli_actor(), export_id, reason)
    typer.echo(f"export {row.reference}: cancellation requested")
