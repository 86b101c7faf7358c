"""The ingest worker: one camera session (thread) per lawfully recordable camera.

Every `refresh` it compares the sessions it runs with `lawful_cameras` (rule 1): it starts
sessions for new cameras, stops those of cameras that left lawful service (or whose stream
changed), and restarts sessions whose thread died. Finished segments and camera events are
persisted in order by the worker's catalogue thread, never by a session: a database that is
down or hangs never stops recording. Meanwhile they wait in memory (a crash leaves complete
files that recovery catalogues). Partial
segments and uncatalogued files left by a previous run are recovered before any session
starts. Each catalogued segment's conformity to the 2007 standard is assessed; a change is an
event.

Each `refresh` also reloads the cameras' privacy masks: a camera the server masks (or whose
masks cannot be read) records and shows only what its burn-in gives (P1); a session is
restarted when its camera moves between camera and server masking. The cameras that mask
themselves are audited (`mask_audit`): a failed audit latches server masking, so the next
refresh restarts the camera with the burn-in. The audit samples a camera's sub-stream too:
it holds the sub-stream session open while it waits for a keyframe (`_sub_for_audit`), as a
live viewer does, and the session closes `sub_linger` seconds after the last of them.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy.exc import OperationalError, SQLAlchemyError

from sentinelle.core.errors import SentinelleError
from sentinelle.ingest.burnin import ENCODERS, BurnIn
from sentinelle.ingest.events import EventKind, SessionEvent
from sentinelle.ingest.fanout import FanOut
from sentinelle.ingest.livewire import StreamChoice
from sentinelle.ingest.mask_audit import MaskAuditor
from sentinelle.ingest.recovery import catalogue, recover_all
from sentinelle.ingest.service import record_events
from sentinelle.ingest.session import CameraSession, LivePacket, SessionConfig, StageFactory
from sentinelle.ingest.writer import FinishedSegment
from sentinelle.privacy import audit_service
from sentinelle.privacy import service as privacy
from sentinelle.privacy.models import CameraMasks, Enforcement
from sentinelle.registry.service import RecordableCamera, lawful_cameras
from sentinelle.runtime import Runtime
from sentinelle.storage import conformity, layout

log = logging.getLogger(__name__)
EVENTS_KEPT = 50  # recent events kept in memory for status pages
EVENTS_WAITING_MAX = 100_000  # events waiting for the database (the oldest go first)
CONFORMITY_MIN_SECONDS = 10.0  # shorter segments measure the frame rate too roughly
FLUSH_SECONDS = 1.0  # the catalogue thread persists waiting events at least this often
SUB_LINGER_SECONDS = 5.0  # a sub-stream session outlives its last live viewer this long
MASKS_POLL_SECONDS = 1.0  # a mask change is applied this soon, not at the next full refresh


@dataclass(frozen=True, slots=True)
class Shard:
    """Which cameras a worker records when several share the load: `camera_id % count`."""

    index: int = 0
    count: int = 1

    def owns(self, camera_id: int) -> bool:
        return camera_id % self.count == self.index


@dataclass
class _Running:
    camera: RecordableCamera
    session: CameraSession
    thread: threading.Thread
    stop: threading.Event
    conforming: bool | None = None
    burns: bool = False  # its packets go through the burn-in


@dataclass
class IngestWorker:
    rt: Runtime
    pace_files: bool = False
    shard: Shard = field(default_factory=Shard)
    sessions: dict[int, _Running] = field(default_factory=dict)
    events: deque[SessionEvent] = field(default_factory=lambda: deque(maxlen=EVENTS_KEPT))
    _pending: deque[FinishedSegment] = field(default_factory=deque)
    _waiting_events: deque[SessionEvent] = field(
        default_factory=lambda: deque(maxlen=EVENTS_WAITING_MAX)
    )
    _lock: threading.Lock = field(default_factory=threading.Lock)  # guards the queues
    _flushing: threading.Lock = field(default_factory=threading.Lock)  # one flush at a time
    _wake: threading.Event = field(default_factory=threading.Event)
    _closing: threading.Event = field(default_factory=threading.Event)
    _catalogue_thread: threading.Thread | None = None
    sub_linger: float = SUB_LINGER_SECONDS
    subs: dict[int, _Running] = field(default_factory=dict)  # live-only sub-stream sessions
    _sub_timers: dict[int, threading.Timer] = field(default_factory=dict)
    _sub_lock: threading.Lock = field(default_factory=threading.Lock)
    _sub_watched: set[int] = field(default_factory=set)  # sub-streams with a live feed
    _sub_audits: dict[int, int] = field(default_factory=dict)  # audits holding a sub-stream
    masks: dict[int, CameraMasks] = field(default_factory=dict)  # as the last refresh read
    encoders: tuple[str, ...] = ENCODERS  # the burn-in's, in order of preference
    mask_audit_interval: float | None = None  # None: settings.mask_audit_interval_seconds
    auditor: MaskAuditor | None = None
    _masks_stamp: tuple[int, ...] | None = None  # privacy.changes_stamp at the last refresh

    def start(self) -> None:
        for result in recover_all(self.rt, cameras=self.shard.owns):
            if result.segment is not None:
                detail = f"{result.segment.path} recovered ({result.kind})"
                self._event(
                    SessionEvent(
                        result.segment.camera_id, EventKind.RECOVERED, self.rt.now(), detail
                    )
                )
        self._closing.clear()
        self._catalogue_thread = threading.Thread(
            target=self._catalogue_loop, name="ingest-catalogue", daemon=True
        )
        self._catalogue_thread.start()
        interval = self.mask_audit_interval or self.rt.settings.mask_audit_interval_seconds
        self.auditor = MaskAuditor(
            self.rt, self._main_fanout, self._event, interval, sub_stream=self._sub_for_audit
        )
        self.refresh()

    def refresh(self) -> None:
        """Bring the running sessions in line with the cameras lawfully recordable now."""
        lawful = lawful_cameras(self.rt)
        wanted = {c.camera_id: c for c in lawful if self.shard.owns(c.camera_id)}
        self._masks_stamp = privacy.changes_stamp(self.rt)  # before reading: never misses one
        self._load_masks(list(wanted))
        for camera_id, running in list(self.sessions.items()):
            camera = wanted.get(camera_id)
            if (
                camera is None
                or camera.url != running.camera.url
                or not running.thread.is_alive()
                or running.burns != self._burns(camera_id)
            ):
                self._stop(camera_id)
                if camera is None:
                    self._event(SessionEvent(camera_id, EventKind.WITHDRAWN, self.rt.now()))
            else:
                running.camera = camera
        for camera_id, camera in wanted.items():
            if camera_id not in self.sessions:
                self._start(camera)
        self._refresh_audits()

    def _refresh_audits(self) -> None:
        """Audit the cameras masking themselves. A camera latched to server masking by a
        failed audit was just restarted with the burn-in (`burns` changed): its flagged
        footage ends now."""
        if self.auditor is None:
            return
        masks = {c: self.masks[c] for c in self.sessions if c in self.masks}
        for camera_id in self.auditor.refresh(masks):
            if self.sessions[camera_id].burns:
                audit_service.close_flags(self.rt, camera_id, self.rt.now())

    def _main_fanout(self, camera_id: int) -> FanOut[LivePacket] | None:
        running = self.sessions.get(camera_id)
        return None if running is None else running.session.fanout

    @contextlib.contextmanager
    def _sub_for_audit(self, camera_id: int) -> Iterator[FanOut[LivePacket] | None]:
        """The packets of the camera's sub-stream for a mask audit (None without one): the
        session is opened as for a live viewer and, once no audit nor live feed holds it,
        closed `sub_linger` seconds later."""
        running = self.sessions.get(camera_id)
        if running is None or not running.camera.sub_url:
            yield None
            return
        with self._sub_lock:
            self._sub_audits[camera_id] = self._sub_audits.get(camera_id, 0) + 1
        try:
            yield self._sub_session(running.camera).fanout
        finally:
            with self._sub_lock:
                holds = self._sub_audits.pop(camera_id) - 1
                if holds:
                    self._sub_audits[camera_id] = holds
                elif camera_id not in self._sub_watched:
                    self._linger_sub(camera_id)

    def stop_all(self, timeout: float = 10.0) -> None:
        if self.auditor is not None:
            self.auditor.stop_all()
        for camera_id in list(self.subs):
            self._close_sub(camera_id)
        for running in self.sessions.values():
            running.stop.set()
        for running in self.sessions.values():
            running.thread.join(timeout)
        self.sessions.clear()
        self._closing.set()
        self._wake.set()
        if self._catalogue_thread is not None:
            self._catalogue_thread.join(timeout)
        self.flush()

    def run(self, stop: threading.Event, refresh_seconds: float = 10.0) -> None:
        """Refresh every `refresh_seconds`, and within a second of any mask change (P2)."""
        self.start()
        due = time.monotonic() + refresh_seconds
        while not stop.wait(min(MASKS_POLL_SECONDS, refresh_seconds)):
            try:
                if time.monotonic() >= due or self.masks_changed():
                    due = time.monotonic() + refresh_seconds
                    self.refresh()
            except (SentinelleError, OperationalError):
                log.exception("ingest refresh failed; sessions keep recording")
        self.stop_all()

    def masks_changed(self) -> bool:
        """Whether any camera's masks or latches changed since the last refresh."""
        return privacy.changes_stamp(self.rt) != self._masks_stamp

    def flush(self) -> None:
        """Persist waiting segments (in order), then waiting events; stop at the first
        database failure and keep the rest for the next flush."""
        with self._flushing:
            if self._catalogue_waiting():
                self._record_waiting_events()

    def _catalogue_loop(self) -> None:
        while not self._closing.is_set():
            self._wake.wait(FLUSH_SECONDS)
            self._wake.clear()
            try:
                self.flush()
            except Exception:  # the thread must outlive any failure; the next flush retries
                log.exception("ingest: catalogue flush failed")

    def live_fanout(self, camera_id: int, stream: StreamChoice) -> FanOut[LivePacket] | None:
        """The packets of a camera this worker records, for its live viewers (None if it
        records no such camera). The sub-stream of a camera that has one is opened on demand
        (one session per camera, not recorded) and closed `sub_linger` seconds after its
        last viewer (`release_live`); without one, `sub` is the main stream."""
        running = self.sessions.get(camera_id)
        if running is None:
            return None
        if stream is StreamChoice.SUB and running.camera.sub_url:
            with self._sub_lock:
                self._sub_watched.add(camera_id)
            return self._sub_session(running.camera).fanout
        return running.session.fanout

    def release_live(self, camera_id: int, stream: StreamChoice) -> None:
        """The last live viewer of a camera stream left: close its sub-stream session soon."""
        if stream is not StreamChoice.SUB:
            return
        with self._sub_lock:
            self._sub_watched.discard(camera_id)
            if not self._sub_audits.get(camera_id):
                self._linger_sub(camera_id)

    def _linger_sub(self, camera_id: int) -> None:
        """Close the camera's sub-stream session in `sub_linger` seconds (under `_sub_lock`)."""
        if camera_id not in self.subs:
            return
        timer = threading.Timer(self.sub_linger, lambda: self._close_sub(camera_id, timer))
        timer.daemon = True
        previous = self._sub_timers.pop(camera_id, None)
        if previous is not None:
            previous.cancel()
        self._sub_timers[camera_id] = timer
        timer.start()

    def _sub_session(self, camera: RecordableCamera) -> CameraSession:
        with self._sub_lock:
            timer = self._sub_timers.pop(camera.camera_id, None)
            if timer is not None:
                timer.cancel()
            sub = self.subs.get(camera.camera_id)
            if sub is not None and sub.thread.is_alive() and sub.camera.sub_url == camera.sub_url:
                return sub.session
            if sub is not None:
                sub.stop.set()
            root = layout.recordings_root(self.rt.settings.resolved_data_dir)
            url = camera.sub_url or camera.url
            config = SessionConfig(camera.camera_id, url, root, record=False)
            session = CameraSession(
                config, self.rt.clock, lambda _: None, _sub_event, stage=self._stage(camera)
            )
            stop = threading.Event()
            thread = threading.Thread(
                target=session.run, args=(stop,), name=f"camera-{camera.code}-sub", daemon=True
            )
            self.subs[camera.camera_id] = _Running(camera, session, thread, stop)
            thread.start()
            log.info("opened the sub-stream of camera %s for live view", camera.code)
            return session

    def _close_sub(self, camera_id: int, timer: threading.Timer | None = None) -> None:
        with self._sub_lock:
            if timer is not None and self._sub_timers.get(camera_id) is not timer:
                return  # a viewer came back meanwhile
            self._sub_timers.pop(camera_id, None)
            sub = self.subs.pop(camera_id, None)
        if sub is not None:
            sub.stop.set()
            sub.thread.join(timeout=10)
            log.info("closed the sub-stream of camera %s", sub.camera.code)

    def backlog(self) -> tuple[int, int]:
        """Segments and events waiting for the database."""
        return len(self._pending), len(self._waiting_events)

    def _start(self, camera: RecordableCamera) -> None:
        root = layout.recordings_root(self.rt.settings.resolved_data_dir)
        config = SessionConfig(
            camera.camera_id,
            camera.url,
            root,
            pace=self.pace_files and camera.url.startswith("file:"),
        )
        stage = self._stage(camera)
        session = CameraSession(config, self.rt.clock, self._segment, self._event, stage=stage)
        stop = threading.Event()
        thread = threading.Thread(
            target=session.run, args=(stop,), name=f"camera-{camera.code}", daemon=True
        )
        running = _Running(camera, session, thread, stop, burns=stage is not None)
        self.sessions[camera.camera_id] = running
        thread.start()
        log.info("recording camera %s", camera.code)

    def _load_masks(self, camera_ids: list[int]) -> None:
        """The masks in force now. A camera whose masks cannot be read — whatever the reason:
        a row this version does not understand, say an unknown fill — is forgotten, so its
        session burns in with unknown masks: it shows and records nothing (P1); the other
        cameras are not concerned. A database that is unavailable is not a camera's problem:
        it ends the refresh (`run` retries), every session keeping the masks it had. One
        query for all the cameras (`privacy.cameras_masks`)."""
        if not camera_ids:
            return
        try:
            read, unreadable = privacy.cameras_masks(self.rt, camera_ids)
        except OperationalError:
            raise
        except Exception as exc:  # noqa: BLE001 - logged per camera below; the shard goes on
            read, unreadable = {}, dict.fromkeys(camera_ids, exc)
        for camera_id in camera_ids:
            if camera_id in read:
                self.masks[camera_id] = read[camera_id]
                continue
            why = unreadable.get(camera_id)
            log.error("camera %s: masks unreadable; nothing is shown", camera_id, exc_info=why)
            self.masks.pop(camera_id, None)

    def _burns(self, camera_id: int) -> bool:
        masks = self.masks.get(camera_id)
        return masks is None or masks.enforcement is not Enforcement.CAMERA_SIDE

    def _stage(self, camera: RecordableCamera) -> StageFactory | None:
        """The burn-in of a camera the server masks; it reads the masks as refreshed."""
        camera_id, encoders = camera.camera_id, self.encoders
        if not self._burns(camera_id):
            return None
        return lambda stream, on_event: BurnIn(
            stream, lambda: self.masks.get(camera_id), on_event, encoders=encoders
        )

    def _stop(self, camera_id: int) -> None:
        self._close_sub(camera_id)
        running = self.sessions.pop(camera_id)
        running.stop.set()
        running.thread.join(timeout=10)
        log.info("stopped recording camera %s", running.camera.code)

    def _event(self, event: SessionEvent) -> None:
        with self._lock:
            self.events.append(event)
            self._waiting_events.append(event)
        if self.auditor is not None:
            self.auditor.on_session_event(event)

    def _segment(self, segment: FinishedSegment) -> None:
        with self._lock:
            self._pending.append(segment)
        self._assess(segment)
        self._wake.set()

    def _catalogue_waiting(self) -> bool:
        """Catalogue waiting segments in order; False if the database is unavailable."""
        while self._pending:
            try:
                catalogue(self.rt, self._pending[0])
            except OperationalError:
                log.warning("database unavailable: %d segment(s) wait", len(self._pending))
                return False
            except (SQLAlchemyError, SentinelleError):
                # the file stays on disk; `storage check` reports it as an orphan
                log.exception("segment %s could not be catalogued", self._pending[0].path)
            self._pending.popleft()
        return True

    def _record_waiting_events(self) -> None:
        with self._lock:
            batch = list(self._waiting_events)
        if not batch:
            return
        try:
            record_events(self.rt, batch)
        except OperationalError:
            log.warning("database unavailable: %d event(s) wait", len(batch))
            return
        with self._lock:
            for _ in range(min(len(batch), len(self._waiting_events))):
                self._waiting_events.popleft()

    def _assess(self, segment: FinishedSegment) -> None:
        """A change of conformity to the 2007 standard is an event (recording goes on)."""
        running = self.sessions.get(segment.camera_id)
        if (
            running is None
            or (segment.end - segment.start).total_seconds() < CONFORMITY_MIN_SECONDS
        ):
            return
        camera = running.camera
        result = conformity.assess(
            segment.width, segment.height, segment.fps, camera.field_of_view, camera.fast_flows
        )
        if result.ok is running.conforming:
            return
        running.conforming = result.ok
        kind = EventKind.CONFORMING if result.ok else EventKind.NONCONFORMING
        detail = "; ".join(result.problems) or "resolution and frame rate conform"
        self._event(SessionEvent(camera.camera_id, kind, segment.end, detail))


def _sub_event(event: SessionEvent) -> None:
    """A sub-stream session's events are not the camera's recording history: logged only."""
    log.debug("camera %s sub-stream: %s %s", event.camera_id, event.kind, event.detail)
