"""`sentinelle camera masks …`: a camera's privacy masks from the command line (show, set
from a JSON file, choose the mode, confirm a camera fixed after a failed audit)."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from sentinelle.cli import common
from sentinelle.core.errors import InvalidInput
from sentinelle.privacy import service
from sentinelle.privacy.models import (
    CameraMasks,
    ConfirmFixedInput,
    MaskMode,
    MaskModeInput,
    MaskSetInput,
)
from sentinelle.registry import errors as registry_errors
from sentinelle.registry import repository as registry_repo
from sentinelle.runtime import Runtime

masks_app = typer.Typer(help="Privacy masks of a camera (rule 3).", no_args_is_help=True)


def _camera_id(rt: Runtime, code: str) -> int:
    with rt.db.read() as s:
        camera = registry_repo.find_camera(s, code)
        if camera is None:
            raise registry_errors.camera_not_found(code)
        return camera.id


def _print(masks: CameraMasks) -> None:
    v = masks.current
    typer.echo(
        f"version {v.version}  mode {v.mode}  in force {masks.effective_mode}  "
        f"pipeline {masks.enforcement}"
    )
    if masks.latch is not None:
        typer.echo(f"latched since {masks.latch.forced_at.isoformat()}: {masks.latch.reason}")
    common.print_table(
        ["name", "points", "preset", "fill"],
        [(p.name, len(p.points), p.ptz_preset or "", p.fill) for p in v.polygons],
    )
    for problem in masks.problems:
        typer.echo(f"problem [{problem.code}]: {problem.message}")


@masks_app.command("show")
@common.handle_errors
def masks_show(code: str = typer.Argument(..., help="camera code")) -> None:
    with common.runtime() as rt:
        _print(service.camera_masks(rt, _camera_id(rt, code)))


@masks_app.command("set")
@common.handle_errors
def masks_set(
    code: str = typer.Argument(..., help="camera code"),
    file: Path = typer.Option(..., "--file", help="JSON: a list of polygons, or {polygons}"),
    reason: str = typer.Option(..., help="why the masks change (journalled)"),
) -> None:
    """Replace the camera's polygons with those of a JSON file (a new version)."""
    try:
        raw = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InvalidInput("invalid_mask_file", f"{file}: {exc}") from exc
    polygons = raw["polygons"] if isinstance(raw, dict) and "polygons" in raw else raw
    data = MaskSetInput.model_validate({"polygons": polygons, "reason": reason})
    with common.runtime() as rt:
        _print(service.do_set_masks(rt, common.cli_actor(), _camera_id(rt, code), data))


@masks_app.command("mode")
@common.handle_errors
def masks_mode(
    code: str = typer.Argument(..., help="camera code"),
    mode: MaskMode = typer.Argument(...),
    reason: str = typer.Option(..., help="why (journalled)"),
) -> None:
    """Choose who applies the masks: the camera (verified) or the server (burnt in)."""
    with common.runtime() as rt:
        data = MaskModeInput(mode=mode, reason=reason)
        _print(service.do_set_mode(rt, common.cli_actor(), _camera_id(rt, code), data))


@masks_app.command("confirm-fixed")
@common.handle_errors
def masks_confirm_fixed(
    code: str = typer.Argument(..., help="camera code"),
    reason: str = typer.Option(..., help="what was repaired and how it was checked"),
) -> None:
    """End the server mode a failed audit forced, once the camera's own masks are fixed."""
    with common.runtime() as rt:
        data = ConfirmFixedInput(reason=reason)
        _print(service.do_confirm_camera_fixed(rt, common.cli_actor(), _camera_id(rt, code), data))
