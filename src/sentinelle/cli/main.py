"""`sentinelle` — the root command: db, serve, demo, and the administration sub-commands."""

from __future__ import annotations

import logging
import signal
import threading
from pathlib import Path
from types import FrameType
from typing import NoReturn

import typer
import uvicorn

from sentinelle import __version__
from sentinelle.api.app import create_app
from sentinelle.cli import admin, audit, common, export, playback, privacy, signing, storage
from sentinelle.demo import cameras as demo_cameras
from sentinelle.demo import town
from sentinelle.disclosure import jobs
from sentinelle.ingest.worker import Shard
from sentinelle.migrations.runner import current_revision, upgrade
from sentinelle.runtime import Runtime
from sentinelle.workers import disclosures as disclosure_runner
from sentinelle.workers import exports as export_runner
from sentinelle.workers import ingest as ingest_worker
from sentinelle.workers import sweeper

app = typer.Typer(
    name="sentinelle",
    help="Sentinelle: software of a municipal urban supervision centre (CSU).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")
worker_app = typer.Typer(help="Worker processes (started by serve).", no_args_is_help=True)
app.add_typer(worker_app, name="worker")
app.add_typer(admin.user_app, name="user")
app.add_typer(admin.authorisation_app, name="authorisation")
app.add_typer(admin.zone_app, name="zone")
app.add_typer(admin.camera_app, name="camera")
admin.camera_app.add_typer(privacy.masks_app, name="masks")
app.add_typer(audit.audit_app, name="audit")
app.add_typer(storage.storage_app, name="storage")
app.add_typer(storage.hold_app, name="hold")
app.add_typer(storage.register_app, name="register")
app.add_typer(storage.recordings_app, name="recordings")
app.add_typer(signing.signing_app, name="signing")
app.add_typer(export.export_app, name="export")
app.command("snapshot")(playback.snapshot)


@app.callback()
def root(
    data_dir: Path | None = typer.Option(
        None, "--data-dir", envvar="SENTINELLE_DATA_DIR", help="Data directory."
    ),
) -> None:
    common.set_data_dir(data_dir)


@app.command()
def version() -> None:
    """Print the version."""
    typer.echo(__version__)


@db_app.command("upgrade")
@common.handle_errors
def db_upgrade() -> None:
    """Apply pending migrations."""
    with common.runtime(migrate=False) as rt:
        upgrade(rt.db.engine)
        typer.echo(f"database at revision {current_revision(rt.db.engine)}")


@app.command()
@common.handle_errors
def serve(
    host: str | None = typer.Option(None, help="Listen address (default from settings)."),
    port: int | None = typer.Option(None, help="Port (default from settings)."),
) -> None:
    """Run everything on this machine: migrations, API, periodic sweeps."""
    with common.runtime(host=host, port=port) as rt:
        _serve(rt)


@app.command()
@common.handle_errors
def demo(
    host: str | None = typer.Option(None, help="Listen address."),
    port: int | None = typer.Option(None, help="Port."),
    seed_only: bool = typer.Option(False, "--seed-only", help="Create the town, do not serve."),
    cameras_port: int = typer.Option(
        demo_cameras.DEFAULT_PORT,
        "--cameras-port",
        min=1,
        max=65535,
        help="Loopback RTSP port of the simulated cameras.",
    ),
) -> None:
    """Create the fictional town of Valmont-sur-Rhône (once) and serve it, its cameras
    recorded from simulated live cameras (a child process)."""
    with common.runtime(host=host, port=port) as rt:
        result = town.seed(rt, town.live_urls(cameras_port))
        if result.created:
            path = rt.settings.resolved_data_dir / "demo-credentials.txt"
            lines = [f"{user}\t{password}" for user, password in result.credentials.items()]
            path.write_text("\n".join(lines) + "\n")
            path.chmod(0o600)
            typer.echo(f"Demo town created. Accounts (passwords shown once, also in {path}):")
            for line in lines:
                typer.echo(f"  {line}")
            typer.echo("admin and police enrol a TOTP authenticator at their first login.")
        else:
            typer.echo("Demo town already present.")
        if seed_only:
            return
        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s"
        )
        cameras = town.start_sources(rt, cameras_port)
        try:
            _serve(rt)
        finally:
            if cameras is not None:
                cameras.stop()


@worker_app.command("ingest")
@common.handle_errors
def worker_ingest(
    pace_files: bool = typer.Option(True, help="play file:// sources at real time"),
    shard: int = typer.Option(0, min=0, help="this worker's share of the cameras (0-based)"),
    of: int = typer.Option(1, min=1, help="number of ingest workers sharing the cameras"),
) -> None:
    """Record every camera in lawful service (one session each) until stopped; with several
    workers, those whose id modulo --of is --shard."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    if shard >= of:
        raise typer.BadParameter(f"--shard must be below --of ({of})")
    with common.runtime() as rt:
        ingest_worker.run(rt, pace_files=pace_files, shard=Shard(shard, of))


@worker_app.command("jobs")
@common.handle_errors
def worker_jobs() -> None:
    """Run queued export and disclosure jobs until stopped (serve runs them itself; use this
    to run them on another machine, and then only one such runner)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    with common.runtime() as rt:
        disclosure_runner.start_in_background(rt, stop)
        export_runner.run_forever(rt, stop)


@worker_app.command("disclosure-job", hidden=True)
@common.handle_errors
def worker_disclosure_job(disclosure_id: int = typer.Argument(..., min=1)) -> None:
    """Run one claimed disclosure job (analysis or render) to its end; the disclosure runner
    starts it in a process of its own."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    with common.runtime() as rt:
        jobs.run(rt, disclosure_id)


def _serve(rt: Runtime) -> None:
    """Serve on the checked settings' address (options went through the same checks), with
    the supervised ingest worker processes beside the API."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    api = create_app(rt)
    _, stop = sweeper.start_in_background(rt)
    _, stop_exports = export_runner.start_in_background(rt)
    _, stop_disclosures = disclosure_runner.start_in_background(rt)
    bind_host, bind_port = rt.settings.host, rt.settings.port
    typer.echo(
        f"Sentinelle {__version__} on http://{bind_host}:{bind_port}/ (data: "
        f"{rt.settings.resolved_data_dir})"
    )
    recorders = ingest_worker.Supervisor(rt.settings.resolved_data_dir, rt.settings.ingest_workers)
    recorders.start()
    # uvicorn raises SIGTERM again after its graceful shutdown: with the default handler the
    # process would die there, skipping the `finally` blocks and orphaning the ingest workers
    # (and the demo's cameras). Exit by an exception instead.
    signal.signal(signal.SIGTERM, _exit_on_signal)
    try:
        uvicorn.run(
            api,
            host=bind_host,
            port=bind_port,
            log_level="info",
            access_log=False,
            ws_per_message_deflate=False,  # live video: deflating H.264 costs CPU for nothing
        )
    finally:
        stop.set()
        stop_exports.set()
        stop_disclosures.set()
        recorders.stop()


def _exit_on_signal(signum: int, _frame: FrameType | None) -> NoReturn:
    raise SystemExit(128 + signum)
