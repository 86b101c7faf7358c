"""`sentinelle storage|hold|register|recordings ...`: recordings, retention and the register."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import typer

from sentinelle.cli import common
from sentinelle.core.errors import InvalidInput
from sentinelle.ingest.recovery import recover_all
from sentinelle.ingest.service import camera_events
from sentinelle.registry import errors as registry_errors
from sentinelle.registry import repository as registry_repo
from sentinelle.runtime import Runtime
from sentinelle.storage import check as storage_check
from sentinelle.storage import repository, sweeper
from sentinelle.storage.models import HoldGround, HoldInput, HoldItemInput
from sentinelle.storage.register import FORMATS, do_export_register
from sentinelle.storage.service import do_place_hold, do_release_hold

storage_app = typer.Typer(help="Recordings on disk: purge and check.", no_args_is_help=True)
hold_app = typer.Typer(help="Legal holds (gels) for judicial procedures.", no_args_is_help=True)
register_app = typer.Typer(help="The destruction register.", no_args_is_help=True)
recordings_app = typer.Typer(help="Recorded segments.", no_args_is_help=True)


def instant(value: str | None, name: str) -> datetime | None:
    """An ISO instant with its time zone, or None."""
    return None if value is None else required_instant(value, name)


def required_instant(value: str, name: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise InvalidInput("invalid_datetime", f"--{name}: not an ISO date/time: {value}") from exc
    if parsed.tzinfo is None:
        raise InvalidInput("naive_datetime", f"--{name}: give a time zone (e.g. Z or +01:00)")
    return parsed


def _camera_id(rt: Runtime, code: str) -> int:
    with rt.db.read() as s:
        camera = registry_repo.find_camera(s, code)
        if camera is None:
            raise registry_errors.camera_not_found(code)
        return camera.id


@storage_app.command("purge")
@common.handle_errors
def purge() -> None:
    """Run the retention sweep and the capacity sweep once."""
    with common.runtime() as rt:
        timed, full = sweeper.sweep_all(rt)
    for report in (timed, full):
        typer.echo(
            f"{report.sweep} sweep: {report.segments} segment(s), {report.bytes} bytes, "
            f"{report.register_lines} register line(s)"
        )
    if full.shortfall_bytes:
        typer.echo(f"STORAGE FULL: {full.shortfall_bytes} bytes cannot be freed lawfully", err=True)
        raise typer.Exit(5)


@storage_app.command("check")
@common.handle_errors
def check(
    rehash: bool = typer.Option(False, "--rehash", help="re-hash every file (slow)"),
    repair: bool = typer.Option(
        False,
        "--repair",
        help="recover partial segments, catalogue files without a row, finish deletions",
    ),
) -> None:
    """Verify files against the catalogue and the per-camera chains. Exit 1 on any problem.

    Run --repair only while no ingest worker runs: a segment being written is a partial one."""
    with common.runtime() as rt:
        if repair:
            for result in recover_all(rt, days=None):
                if result.kind == "uncatalogued":
                    typer.echo(f"repaired: file {result.part.name} had no row: catalogued")
                    continue
                state = "recovered" if result.segment else "removed (no complete fragment)"
                typer.echo(f"repaired: partial segment {result.part.name} {state}")
        report = storage_check.check(rt, rehash=rehash, repair=repair)
    for line in report.repaired:
        typer.echo(f"repaired: {line}")
    for problem in report.problems:
        typer.echo(f"{problem.code}: {problem.where}: {problem.message}", err=True)
    typer.echo(f"{report.segments} segment(s) checked, {len(report.problems)} problem(s)")
    if not report.ok:
        raise typer.Exit(1)


@hold_app.command("add")
@common.handle_errors
def hold_add(
    camera: list[str] = typer.Option(..., help="camera code (repeat)"),
    since: str = typer.Option(..., "--from", help="ISO instant with zone"),
    until: str = typer.Option(..., "--to", help="ISO instant with zone"),
    ground: HoldGround = typer.Option(...),
    procedure: str = typer.Option(..., help="procedure number"),
    authority: str = typer.Option(..., help="requesting authority (OPJ, magistrate)"),
    reason: str = typer.Option(...),
) -> None:
    """Freeze footage: it is excluded from every sweeper until released."""
    with common.runtime() as rt:
        items = [
            HoldItemInput(
                camera_id=_camera_id(rt, code),
                start=instant(since, "from"),
                end=instant(until, "to"),
            )
            for code in camera
        ]
        hold = do_place_hold(
            rt,
            common.cli_actor(),
            HoldInput(
                ground=ground,
                procedure_number=procedure,
                authority=authority,
                reason=reason,
                items=items,
            ),
        )
    typer.echo(f"hold {hold.id} placed ({len(items)} camera range(s))")


@hold_app.command("list")
@common.handle_errors
def hold_list(all_holds: bool = typer.Option(False, "--all", help="include released")) -> None:
    with common.runtime() as rt, rt.db.read() as s:
        holds = repository.list_holds(s, active_only=not all_holds)
        common.print_table(
            ["id", "procedure", "ground", "authority", "placed", "released", "ranges"],
            [
                (
                    h.id,
                    h.procedure_number,
                    h.ground,
                    h.authority,
                    h.placed_at.date(),
                    h.released_at.date() if h.released_at else "",
                    len(h.items),
                )
                for h in holds
            ],
        )


@hold_app.command("release")
@common.handle_errors
def hold_release(
    hold_id: int = typer.Argument(...), reason: str = typer.Option(..., help="why (journalled)")
) -> None:
    with common.runtime() as rt:
        do_release_hold(rt, common.cli_actor(), hold_id, reason)
    typer.echo(f"hold {hold_id} released")


@register_app.command("export")
@common.handle_errors
def register_export(
    since: str | None = typer.Option(None, "--from", help="ISO instant with zone"),
    until: str | None = typer.Option(None, "--to", help="ISO instant with zone"),
    fmt: str = typer.Option("csv", "--format", help="csv or html (print to PDF)"),
    output: Path | None = typer.Option(None, "--output", "-o"),
) -> None:
    """The destruction register for an inspection."""
    if fmt not in FORMATS:
        raise InvalidInput("invalid_format", f"--format must be one of {', '.join(FORMATS)}")
    with common.runtime() as rt:
        text = do_export_register(
            rt, common.cli_actor(), instant(since, "from"), instant(until, "to"), fmt
        )
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text)
        typer.echo(f"register exported to {output}", err=True)


@recordings_app.command("list")
@common.handle_errors
def recordings_list(
    camera: str = typer.Option(..., help="camera code"),
    since: str = typer.Option(..., "--from"),
    until: str = typer.Option(..., "--to"),
) -> None:
    start, end = required_instant(since, "from"), required_instant(until, "to")
    with common.runtime() as rt, rt.db.read() as s:
        rows = repository.segments_between(s, _camera_id(rt, camera), start, end)
        common.print_table(
            ["start", "end", "bytes", "codec", "size", "fps", "sha256"],
            [
                (
                    r.start_at.isoformat(),
                    r.end_at.isoformat(),
                    r.bytes,
                    r.codec,
                    f"{r.width}x{r.height}",
                    f"{r.fps:.1f}",
                    r.sha256[:16],
                )
                for r in rows
            ],
        )


@recordings_app.command("events")
@common.handle_errors
def recordings_events(
    camera: str = typer.Option(..., help="camera code"),
    since: str = typer.Option(..., "--from"),
    until: str = typer.Option(..., "--to"),
) -> None:
    """A camera's health events: gaps in its recording and why, stream and storage faults."""
    start, end = required_instant(since, "from"), required_instant(until, "to")
    with common.runtime() as rt:
        events = camera_events(rt, _camera_id(rt, camera), start, end)
    common.print_table(
        ["at", "event", "reason", "detail"],
        [(e.at.isoformat(), e.kind, e.reason or "", e.detail) for e in events],
    )
