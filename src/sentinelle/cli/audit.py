"""`sentinelle audit verify|export`."""

from __future__ import annotations

from pathlib import Path

import typer

from sentinelle.audit.repository import EntryFilter
from sentinelle.audit.service import EXPORT_FORMATS, do_export, do_verify
from sentinelle.cli import common
from sentinelle.cli.storage import instant
from sentinelle.core.errors import InvalidInput

audit_app = typer.Typer(help="The tamper-evident journal.", no_args_is_help=True)


@audit_app.command("verify")
@common.handle_errors
def verify() -> None:
    """Recompute the hash chain. Exit 0 when intact; 1 naming the first bad entry otherwise."""
    with common.runtime() as rt:
        report = do_verify(rt, common.cli_actor())
    if report.ok:
        typer.echo(
            f"journal intact: {report.checked} entries, last #{report.last_seq} "
            f"hash {report.last_hash}"
        )
        return
    typer.echo(
        f"JOURNAL ALTERED: first bad entry #{report.first_bad_seq}: {report.problem} "
        f"({report.checked} entries checked before it)",
        err=True,
    )
    raise typer.Exit(1)


@audit_app.command("export")
@common.handle_errors
def export(
    fmt: str = typer.Option("csv", "--format", help="csv or json"),
    since: str | None = typer.Option(None, "--from", help="ISO instant with zone, inclusive"),
    until: str | None = typer.Option(None, "--to", help="ISO instant with zone, exclusive"),
    actor: str | None = typer.Option(None, help="actor name (username)"),
    camera: int | None = typer.Option(None, help="camera id"),
    reason: str = typer.Option("", help="why (e.g. CNIL inspection of 2026-11-30)"),
    output: Path | None = typer.Option(None, "--output", "-o", help="file (default: stdout)"),
) -> None:
    """Export the journal (with hashes) for an inspection."""
    if fmt not in EXPORT_FORMATS:
        raise InvalidInput("invalid_format", f"--format must be one of {', '.join(EXPORT_FORMATS)}")
    flt = EntryFilter(
        since=instant(since, "from"),
        until=instant(until, "to"),
        actor_name=actor,
        camera_id=camera,
    )
    with common.runtime() as rt:
        text = do_export(rt, common.cli_actor(), flt, fmt, reason)
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text)
        typer.echo(f"journal exported to {output}", err=True)
