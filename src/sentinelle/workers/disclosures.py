"""The disclosure job runner: takes queued analyses and renders one at a time (apart from
the export runner, so that a long analysis never delays an export for the police). At start
it queues again the jobs a previous process left running (crash, kill)."""

from __future__ import annotations

import logging
import threading

from sentinelle.disclosure import jobs
from sentinelle.runtime import Runtime

log = logging.getLogger(__name__)
POLL_SECONDS = 1.0


def run_pending(rt: Runtime) -> int:
    """Run every waiting disclosure job; how many were run."""
    count = 0
    while (disclosure_id := jobs.claim_next(rt)) is not None:
        row = jobs.run(rt, disclosure_id)
        log.info("disclosure %s: %s %s", row.reference, row.status, row.error_code)
        count += 1
    return count


def run_forever(rt: Runtime, stop: threading.Event) -> None:
    for reference in jobs.end_interrupted(rt):
        log.warning("disclosure %s was interrupted by a restart; queued again", reference)
    while not stop.is_set():
        try:
            run_pending(rt)
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
