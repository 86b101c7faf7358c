"""The export job runner: takes queued exports one at a time and produces them. At start it
ends exports a previous process left running (crash, kill): their partial packages and read
holds are removed and they are marked failed (`export_interrupted`), journalled."""

from __future__ import annotations

import logging
import threading

from sentinelle.evidence import service
from sentinelle.runtime import Runtime

log = logging.getLogger(__name__)
POLL_SECONDS = 1.0


def run_pending(rt: Runtime) -> int:
    """Produce every queued export; how many were run."""
    count = 0
    while (export_id := service.claim_next(rt)) is not None:
        row = service.run_export(rt, export_id)
        log.info("export %s ended: %s %s", row.reference, row.status, row.error_code)
        count += 1
    return count


def run_forever(rt: Runtime, stop: threading.Event) -> None:
    for reference in service.end_interrupted(rt):
        log.warning("export %s was interrupted by a restart; marked failed", reference)
    while not stop.is_set():
        try:
            run_pending(rt)
        except Exception:
            log.exception("export runner failed; retrying")
        stop.wait(POLL_SECONDS)


def start_in_background(rt: Runtime) -> tuple[threading.Thread, threading.Event]:
    stop = threading.Event()
    thread = threading.Thread(target=run_forever, args=(rt, stop), name="exports", daemon=True)
    thread.start()
    return thread, stop
