"""Ingest worker processes: the entry of one (records its shard of the lawful cameras until
SIGTERM or SIGINT), and the supervisor `serve` runs, which keeps `ingest_workers` of them
alive: a worker that dies (crash, SIGKILL, out of memory) is restarted, after a back-off if
it keeps dying, and its partial segments are recovered by its successor."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from sentinelle.ingest.live_server import LiveServer
from sentinelle.ingest.livewire import socket_path
from sentinelle.ingest.worker import IngestWorker, Shard
from sentinelle.runtime import Runtime

log = logging.getLogger(__name__)
RESTART_FIRST, RESTART_MAX = 1.0, 60.0
WATCH_SECONDS = 1.0


def run(rt: Runtime, *, pace_files: bool = True, shard: Shard | None = None) -> None:
    """Record the shard's cameras and serve their live feeds on the shard's Unix socket."""
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    shard = shard or Shard()
    worker = IngestWorker(rt, pace_files=pace_files, shard=shard)
    path = socket_path(rt.settings.resolved_data_dir, shard.index)
    live = LiveServer(path, worker.live_fanout, worker.release_live)
    live.start()
    try:
        worker.run(stop)
    finally:
        live.close()


def spawn(data_dir: Path, shard: Shard | None = None) -> subprocess.Popen[bytes]:
    """Start `sentinelle worker ingest` as a separate process (isolation from the API)."""
    shard = shard or Shard()
    command = [
        sys.executable,
        "-m",
        "sentinelle",
        "--data-dir",
        str(data_dir),
        "worker",
        "ingest",
        f"--shard={shard.index}",
        f"--of={shard.count}",
    ]
    return subprocess.Popen(command, env=dict(os.environ))  # noqa: S603 - our own program


def terminate(process: subprocess.Popen[bytes], timeout: float = 15.0) -> None:
    process.terminate()
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@dataclass
class _Slot:
    shard: Shard
    process: subprocess.Popen[bytes]
    delay: float = RESTART_FIRST
    started: float = field(default_factory=time.monotonic)


@dataclass
class Supervisor:
    """Keeps one ingest worker process per shard running until `stop`."""

    data_dir: Path
    count: int = 1
    restarts: int = 0
    _slots: list[_Slot] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        self._slots = [self._launch(Shard(i, self.count)) for i in range(self.count)]
        self._thread = threading.Thread(target=self._watch, name="ingest-supervisor", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        for slot in self._slots:
            terminate(slot.process)

    def pids(self) -> list[int]:
        return [slot.process.pid for slot in self._slots]

    def _launch(self, shard: Shard) -> _Slot:
        return _Slot(shard, spawn(self.data_dir, shard))

    def _watch(self) -> None:
        while not self._stop.wait(WATCH_SECONDS):
            for i, slot in enumerate(self._slots):
                code = slot.process.poll()
                if code is not None and not self._stop.is_set():
                    fresh = self._restart(slot, code)
                    self._slots[i] = fresh
                    self.restarts += fresh is not slot  # counted once the new one is in place

    def _restart(self, slot: _Slot, code: int) -> _Slot:
        lived = time.monotonic() - slot.started
        delay = RESTART_FIRST if lived > RESTART_MAX else min(slot.delay * 2, RESTART_MAX)
        log.error(
            "ingest worker %d/%d exited with %d after %.0f s: restarting in %.0f s",
            slot.shard.index,
            slot.shard.count,
            code,
            lived,
            slot.delay,
        )
        if self._stop.wait(slot.delay):
            return slot
        fresh = self._launch(slot.shard)
        fresh.delay = delay
        return fresh
