"""`sentinelle snapshot ...`: a still image of recorded footage, journalled as the CLI."""

from __future__ import annotations

from pathlib import Path

import typer

from sentinelle.cli import common
from sentinelle.cli.storage import required_instant
from sentinelle.core.errors import InvalidInput
from sentinelle.playback.models import ImageFormat, SnapshotInput
from sentinelle.playback.service import camera_id_for, do_take_snapshot

_BY_EXTENSION = {".jpg": ImageFormat.JPEG, ".jpeg": ImageFormat.JPEG, ".png": ImageFormat.PNG}


@common.handle_errors
def snapshot(
    camera: str = typer.Option(..., "--camera", help="camera code or id"),
    at: str = typer.Option(..., "--at", help="instant, ISO 8601 with its time zone"),
    out: Path = typer.Option(..., "--out", help="image file to write"),
    reason: str = typer.Option(..., "--reason", help="why (journalled; e.g. a requisition)"),
    fmt: ImageFormat | None = typer.Option(
        None, "--format", help="jpeg or png (default: from the file's extension)"
    ),
) -> None:
    """Write the frame displayed at an instant to an image file; journalled with the reason."""
    chosen = fmt or _BY_EXTENSION.get(out.suffix.lower())
    if chosen is None:
        raise InvalidInput("unknown_image_format", "name a .jpg or .png file, or give --format")
    with common.runtime() as rt:
        camera_id = camera_id_for(rt, camera)
        data = SnapshotInput(at=required_instant(at, "at"), format=chosen, reason=reason)
        shot = do_take_snapshot(rt, common.cli_actor(), camera_id, data)
    out.write_bytes(shot.image)
    typer.echo(f"{out}: {shot.camera_code} at {shot.frame_at.isoformat()} ({len(shot.image)} B)")
