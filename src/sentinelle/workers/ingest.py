"""Entry of an ingest worker process: records every lawful camera until SIGTERM or SIGINT."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

from sentinelle.ingest.worker import IngestWorker
from sentinelle.runtime import Runtime


def run(rt: Runtime, *, pace_files: bool = True) -> None:
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    IngestWorker(rt, pace_files=pace_files).run(stop)


def spawn(data_dir: Path) -> subprocess.Popen[bytes]:
    """Start `sentinelle worker ingest` as a separate process (isolation from the API)."""
    command = [sys.executable, "-m", "sentinelle", "--data-dir", str(data_dir), "worker", "ingest"]
    return subprocess.Popen(command, env=dict(os.environ))  # noqa: S603 - our own program


def terminate(process: subprocess.Popen[bytes], timeout: float = 15.0) -> None:
    process.terminate()
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
