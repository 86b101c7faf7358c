"""The disclosure job runner: takes queued analyses and renders one at a time (apart from
the export runner, so that a long analysis never delays an export for the police). At start
it queues again the jobs a previous process left running (crash, kill).

Under `sentinelle serve` each job runs in a child process (`sentinelle worker
disclosure-job ID`): the detectors and codecs are native code, and a crash there must end
that one job — failed, journalled — not the API (nor come back at every restart)."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from collections.abc import Sequence

from sentinelle.disclosure import jobs
from sentinelle.disclosure.tables import DisclosureRow
from sentinelle.runtime import Runtime

log = logging.getLogger(__name__)
POLL_SECONDS = 1.0


def run_pending(rt: Runtime, *, isolated: bool = False) -> int:
    """Run every waiting disclosure job (each in a child process if `isolated`); how many."""
    count = 0
    while (disclosure_id := jobs.claim_next(rt)) is not None:
        row = run_isolated(rt, disclosure_id) if isolated else jobs.run(rt, disclosure_id)
        log.info("disclosure %s: %s %s", row.reference, row.status, row.error_code)
        count += 1
    return count


def child_command(rt: Runtime, disclosure_id: int) -> list[str]:
    data_dir = str(rt.settings.resolved_data_dir)
    job = ["worker", "disclosure-job", str(disclosure_id)]
    return [sys.executable, "-m", "sentinelle", "--data-dir", data_dir, *job]


def run_isolated(
    rt: Runtime, disclosure_id: int, command: Sequence[str] | None = None
) -> DisclosureRow:
    """Run a claimed job in a child process; if the child dies without ending the job, the
    job fails (`disclosure_worker_crashed`), journalled."""
    env = dict(os.environ)
    if rt.settings.database_url:
        env["SENTINELLE_DATABASE_URL"] = rt.settings.database_url
    argv = list(command or child_command(rt, disclosure_id))
    done = subprocess.run(argv, env=env, check=False)  # noqa: S603 - our own program
    return jobs.crashed(rt, disclosure_id, done.returncode)


def run_forever(rt: Runtime, stop: threading.Event, *, isolated: bool = True) -> None:
    for reference in jobs.end_interrupted(rt):
        log.warning("disclosure %s was interrupted by a restart; queued again", reference)
    while not stop.is_set():
        try:
            run_pending(rt, isolated=isolated)
        except Exception:
            log.exception("disclosure runner failed; retrying")
        stop.wait(POLL_SECONDS)


def start_in_background(
    rt: Runtime, stop: threading.Event | None = None
) -> tuple[threading.Thread, threading.Event]:
    stop = stop or threading.Event()
    thread = threading.Thread(target=run_forever, args=(rt, stop), name="disclosures", daemon=True)
    thread.start()
    return thread, stop
