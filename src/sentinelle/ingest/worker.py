"""The ingest worker: one camera session (thread) per lawfully recordable camera.

Every `refresh` it compares the sessions it runs with `lawful_cameras` (rule 1): it starts
sessions for new cameras, stops those of cameras that left lawful service (or whose stream
changed), and restarts sessions whose thread died. Finished segments are catalogued; when the
database is unavailable they wait in memory and are catalogued at the next refresh (a crash
meanwhile leaves complete files that recovery catalogues). Partial segments left by a previous
run are recovered before any session starts.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from dataclasses import dataclass, field

from sqlalchemy.exc import OperationalError, SQLAlchemyError

from sentinelle.core.errors import SentinelleError
from sentinelle.ingest.recovery import catalogue, recover_all
from sentinelle.ingest.session import CameraSession, SessionConfig, SessionEvent
from sentinelle.ingest.writer import FinishedSegment
from sentinelle.registry.service import RecordableCamera, lawful_cameras
from sentinelle.runtime import Runtime
from sentinelle.storage import layout

log = logging.getLogger(__name__)
EVENTS_KEPT = 50


@dataclass
class _Running:
    camera: RecordableCamera
    session: CameraSession
    thread: threading.Thread
    stop: threading.Event


@dataclass
class IngestWorker:
    rt: Runtime
    pace_files: bool = False
    sessions: dict[int, _Running] = field(default_factory=dict)
    events: deque[SessionEvent] = field(default_factory=lambda: deque(maxlen=EVENTS_KEPT))
    _pending: deque[FinishedSegment] = field(default_factory=deque)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> None:
        for result in recover_all(self.rt):
            log.warning("recovered partial segment %s", result.part)
        self.refresh()

    def refresh(self) -> None:
        """Bring the running sessions in line with the cameras lawfully recordable now."""
        self._catalogue_pending()
        wanted = {c.camera_id: c for c in lawful_cameras(self.rt)}
        for camera_id, running in list(self.sessions.items()):
            if wanted.get(camera_id) != running.camera or not running.thread.is_alive():
                self._stop(camera_id)
        for camera_id, camera in wanted.items():
            if camera_id not in self.sessions:
                self._start(camera)

    def stop_all(self, timeout: float = 10.0) -> None:
        for running in self.sessions.values():
            running.stop.set()
        for running in self.sessions.values():
            running.thread.join(timeout)
        self.sessions.clear()
        self._catalogue_pending()

    def run(self, stop: threading.Event, refresh_seconds: float = 10.0) -> None:
        self.start()
        while not stop.wait(refresh_seconds):
            try:
                self.refresh()
            except (SentinelleError, OperationalError):
                log.exception("ingest refresh failed; sessions keep recording")
        self.stop_all()

    def _start(self, camera: RecordableCamera) -> None:
        root = layout.recordings_root(self.rt.settings.resolved_data_dir)
        config = SessionConfig(
            camera.camera_id,
            camera.url,
            root,
            pace=self.pace_files and camera.url.startswith("file:"),
        )
        session = CameraSession(config, self.rt.clock, self._segment, self.events.append)
        stop = threading.Event()
        thread = threading.Thread(
            target=session.run, args=(stop,), name=f"camera-{camera.code}", daemon=True
        )
        self.sessions[camera.camera_id] = _Running(camera, session, thread, stop)
        thread.start()
        log.info("recording camera %s", camera.code)

    def _stop(self, camera_id: int) -> None:
        running = self.sessions.pop(camera_id)
        running.stop.set()
        running.thread.join(timeout=10)
        log.info("stopped recording camera %s", running.camera.code)

    def _segment(self, segment: FinishedSegment) -> None:
        with self._lock:
            self._pending.append(segment)
        self._catalogue_pending()

    def _catalogue_pending(self) -> None:
        with self._lock:
            while self._pending:
                try:
                    catalogue(self.rt, self._pending[0])
                except OperationalError:
                    log.warning("database unavailable: %d segment(s) wait", len(self._pending))
                    return
                except (SQLAlchemyError, SentinelleError):
                    # the file stays on disk; `storage check` reports it as an orphan
                    log.exception("segment %s could not be catalogued", self._pending[0].path)
                self._pending.popleft()
