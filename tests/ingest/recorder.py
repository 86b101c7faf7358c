"""Run one camera session in a thread for a test, cataloguing what it records."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta

from sentinelle.core.clock import Clock
from sentinelle.ingest.events import EventKind, SessionEvent
from sentinelle.ingest.recovery import catalogue
from sentinelle.ingest.session import CameraSession, SessionConfig
from sentinelle.ingest.writer import FinishedSegment
from sentinelle.runtime import Runtime
from sentinelle.storage import layout


class Recorder:
    """Runs one session until `done(events)` says so (default: the first disconnection)."""

    def __init__(
        self,
        rt: Runtime,
        clock: Clock,
        camera_id: int,
        url: str,
        events_wanted: int = 1,
        target: timedelta = timedelta(seconds=60),
        done: Callable[[list[SessionEvent]], bool] | None = None,
    ) -> None:
        self.rt, self.events, self.segments = rt, list[SessionEvent](), list[FinishedSegment]()
        self.stop = threading.Event()
        self.done = done or (
            lambda events: sum(e.kind is EventKind.DISCONNECTED for e in events) >= events_wanted
        )
        root = layout.recordings_root(rt.settings.resolved_data_dir)
        cfg = SessionConfig(camera_id, url, root, stall_seconds=2.0, segment_target=target)
        self.session = CameraSession(cfg, clock, self._segment, self._event)
        self.thread = threading.Thread(target=self.session.run, args=(self.stop,))

    def _segment(self, seg: FinishedSegment) -> None:
        self.segments.append(seg)
        catalogue(self.rt, seg)

    def _event(self, event: SessionEvent) -> None:
        self.events.append(event)
        if self.done(self.events):
            self.stop.set()

    def run(self, timeout: float = 60.0) -> Recorder:
        self.thread.start()
        self.thread.join(timeout)
        assert not self.thread.is_alive(), "the session did not finish"
        return self

    def kinds(self) -> list[EventKind]:
        return [e.kind for e in self.events]

    def seconds(self) -> list[float]:
        return [round((s.end - s.start).total_seconds(), 1) for s in self.segments]
