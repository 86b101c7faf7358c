"""The periodic sweeps: cameras of unlawful authorisations leave service (registry), footage
past retention or beyond capacity is destroyed (storage). A failing pass is logged with context
and retried at the next interval; it never stops the process."""

from __future__ import annotations

import logging
import threading

from sentinelle.registry.service import do_enforce_authorisations
from sentinelle.runtime import Runtime
from sentinelle.storage import sweeper as storage_sweeper

log = logging.getLogger(__name__)


def sweep_once(rt: Runtime) -> list[str]:
    removed = do_enforce_authorisations(rt)
    if removed:
        log.warning("cameras left lawful service (authorisation expired): %s", ", ".join(removed))
    for report in storage_sweeper.sweep_all(rt):
        if report.segments:
            log.info("%s sweep destroyed %d segment(s)", report.sweep, report.segments)
    return removed


def run_forever(rt: Runtime, stop: threading.Event) -> None:
    """Sweep every `sweep_interval_seconds` until `stop` is set."""
    while not stop.is_set():
        try:
            sweep_once(rt)
        except Exception:
            log.exception("registry sweep failed; retrying at the next interval")
        stop.wait(rt.settings.sweep_interval_seconds)


def start_in_background(rt: Runtime) -> tuple[threading.Thread, threading.Event]:
    stop = threading.Event()
    thread = threading.Thread(target=run_forever, args=(rt, stop), name="sweeper", daemon=True)
    thread.start()
    return thread, stop
