"""The mask audit sampler of the ingest worker: checks that cameras in camera mode really hide
their private areas (privacy C4, failing closed).

For each recorded camera whose masks the camera applies itself and that has polygons, one
thread subscribes to the camera's fan-out like a live viewer when an audit is due, decodes
the next keyframe (one decoder per check, closed after), rasterises the polygons at the
frame's size (cached per mask version and size), runs `privacy.audit.check_frame` and records
the result through `privacy.audit_service.do_record_audit` (which latches server mode on a
failure). An audit is due when the thread starts (the camera's first keyframe), at each new
`connected` event of the camera (a reboot may reset its masks), every `interval` seconds,
and when an administrator asked for one (`request`). A failure is also a camera event
(`mask_audit_failed`); the worker then restarts the camera with the burn-in.

A camera may lose its masks on its sub-stream only, and the live wall shows sub-streams: each
audit of a camera that has one checks its main stream, then its sub-stream (`sub_stream`,
which the worker opens as for a live viewer and releases after), and records each with its
stream. A failed sub-stream check fails closed as the main stream's does. When the main
stream gives no frame (the camera is down) the sub-stream is not tried.

No frame within `KEYFRAME_WAIT_SECONDS` (camera disconnected, no keyframe): no audit is
recorded, the next trigger tries again; the camera's health events already tell the gap. The
wait looks every `POLL_SECONDS` whether the thread is stopped or the fan-out ended, so that
stopping a camera's audits never holds the worker's refresh.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any

import av
import av.error
import numpy as np

from sentinelle.core.errors import SentinelleError
from sentinelle.ingest.events import EventKind, SessionEvent
from sentinelle.ingest.fanout import FanOut
from sentinelle.ingest.session import LivePacket
from sentinelle.privacy import audit, audit_service
from sentinelle.privacy.audit import Mask, Verdict
from sentinelle.privacy.audit_service import AuditedStream, AuditTrigger
from sentinelle.privacy.geometry import rasterize
from sentinelle.privacy.models import CameraMasks, Enforcement, MaskVersion
from sentinelle.runtime import Runtime

log = logging.getLogger(__name__)
KEYFRAME_WAIT_SECONDS = 25.0  # longer than the session's missing-keyframe alarm (10 s)
POLL_SECONDS = 0.25  # how often a wait for the keyframe looks at `stop` and the fan-out's end

FanoutOf = Callable[[int], FanOut[LivePacket] | None]
# The camera's sub-stream packets while the context is open (None: it has none, or it is gone)
SubStreamOf = Callable[[int], AbstractContextManager[FanOut[LivePacket] | None]]


@contextlib.contextmanager
def no_sub_stream(camera_id: int) -> Iterator[FanOut[LivePacket] | None]:
    """For an auditor that audits main streams only."""
    del camera_id
    yield None


def audited_polygons(masks: CameraMasks) -> MaskVersion | None:
    """The version to audit, or None when the camera is not audited (`auditable`)."""
    return masks.current if audit_service.auditable(masks) else None


@dataclass
class _Audited:
    camera_id: int
    version: MaskVersion
    thread: threading.Thread | None = None
    stop: threading.Event = field(default_factory=threading.Event)
    triggers: queue.Queue[AuditTrigger] = field(default_factory=queue.Queue)
    audited: bool = False  # an audit was recorded (the start audit is done)
    busy: bool = False  # an audit is waiting for its keyframe or running
    rasters: dict[tuple[int, int], list[tuple[str, Mask]]] = field(default_factory=dict)


@dataclass
class MaskAuditor:
    """One audit thread per audited camera; `refresh` follows the worker's cameras."""

    rt: Runtime
    fanout_of: FanoutOf
    on_event: Callable[[SessionEvent], None]
    interval: float
    sub_stream: SubStreamOf = no_sub_stream
    cameras: dict[int, _Audited] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def refresh(self, masks: Mapping[int, CameraMasks]) -> set[int]:
        """Audit the cameras of `masks` (the worker's, as it last read them) that mask
        themselves; stop the others; hand the administrators' requests to their threads.
        Returns the cameras audited until now whose masks the server must now apply (a failed
        audit latched them): the worker has restarted them with the burn-in."""
        wanted: dict[int, MaskVersion] = {}
        left: set[int] = set()
        for camera_id, camera_masks in masks.items():
            version = audited_polygons(camera_masks)
            if version is not None:
                wanted[camera_id] = version
            elif camera_id in self.cameras and (
                camera_masks.enforcement is not Enforcement.CAMERA_SIDE
            ):
                left.add(camera_id)
        for camera_id in list(self.cameras):
            current = self.cameras[camera_id]
            if wanted.get(camera_id) != current.version or not _alive(current):
                self._stop(camera_id)
        for camera_id, version in wanted.items():
            if camera_id not in self.cameras:
                self._start(camera_id, version)
        for camera_id in audit_service.take_requests(self.rt, set(wanted)):
            self.cameras[camera_id].triggers.put(AuditTrigger.MANUAL)
        return left

    def on_session_event(self, event: SessionEvent) -> None:
        """A camera connected again: audit it, unless an audit is due already (it takes the
        new connection's keyframes: the fan-out outlives reconnections). Before the start
        audit was recorded, a connection is the start (unless that audit is in flight)."""
        if event.kind is not EventKind.CONNECTED:
            return
        with self._lock:
            audited = self.cameras.get(event.camera_id)
        if audited is None:
            return
        if not audited.triggers.empty():
            return  # an audit is due already: it takes the new connection's keyframes
        if audited.audited:
            audited.triggers.put(AuditTrigger.RECONNECT)
        elif not audited.busy:  # no start audit in flight: this is the start
            audited.triggers.put(AuditTrigger.START)

    def stop_all(self) -> None:
        for camera_id in list(self.cameras):
            self._stop(camera_id)

    def _start(self, camera_id: int, version: MaskVersion) -> None:
        audited = _Audited(camera_id, version)
        audited.triggers.put(AuditTrigger.START)
        audited.thread = threading.Thread(
            target=self._loop, args=(audited,), name=f"mask-audit-{camera_id}", daemon=True
        )
        with self._lock:
            self.cameras[camera_id] = audited
        audited.thread.start()

    def _stop(self, camera_id: int) -> None:
        with self._lock:
            audited = self.cameras.pop(camera_id)
        audited.stop.set()
        audited.triggers.put(AuditTrigger.MANUAL)  # wakes the thread up
        if audited.thread is not None and audited.thread is not threading.current_thread():
            audited.thread.join(timeout=KEYFRAME_WAIT_SECONDS + 5)

    def _loop(self, audited: _Audited) -> None:
        while not audited.stop.is_set():
            try:
                trigger = audited.triggers.get(timeout=self.interval)
            except queue.Empty:
                trigger = AuditTrigger.PERIODIC
            if audited.stop.is_set():
                return
            audited.busy = True
            try:
                verdict = self.audit_once(audited, trigger)
            except (SentinelleError, av.error.FFmpegError, OSError, ValueError):
                log.exception("camera %s: the mask audit could not run", audited.camera_id)
            except Exception:  # the sampler must outlive any failure; the next trigger retries
                log.exception("camera %s: the mask audit failed to run", audited.camera_id)
            else:
                audited.audited = audited.audited or verdict is not None
                if verdict is Verdict.FAIL:
                    return  # server mode from now on: the worker stops this camera's audits
            finally:
                audited.busy = False

    def audit_once(self, audited: _Audited, trigger: AuditTrigger) -> Verdict | None:
        """Check the camera's next keyframe on its main stream, then (unless the main one
        failed or gave nothing) on its sub-stream if it has one: FAIL if either failed, else
        the main stream's verdict; None when no main frame came in time."""
        verdict = self._audit_stream(
            audited, trigger, AuditedStream.MAIN, self.fanout_of(audited.camera_id)
        )
        if verdict is None or verdict is Verdict.FAIL or audited.stop.is_set():
            return verdict
        with self.sub_stream(audited.camera_id) as sub:
            if sub is None:
                return verdict
            sub_verdict = self._audit_stream(audited, trigger, AuditedStream.SUB, sub)
        if sub_verdict is None:
            log.info("camera %s: no sub-stream keyframe for the mask audit", audited.camera_id)
        return Verdict.FAIL if sub_verdict is Verdict.FAIL else verdict

    def _audit_stream(
        self,
        audited: _Audited,
        trigger: AuditTrigger,
        stream: AuditedStream,
        fanout: FanOut[LivePacket] | None,
    ) -> Verdict | None:
        """Check the next keyframe of one stream and record it; None when none came."""
        sample = None if fanout is None else self._keyframe(audited, fanout)
        if sample is None:
            if stream is AuditedStream.MAIN:
                log.info("camera %s: no keyframe for the mask audit", audited.camera_id)
            return None
        packet, frame = sample
        result = audit.check_frame(*_planes(frame), self._rasters(audited, frame))
        outcome = audit_service.do_record_audit(
            self.rt, audited.camera_id, packet.at, trigger, result, audited.version.version, stream
        )
        where = " on the sub-stream" if stream is AuditedStream.SUB else ""
        if result.verdict is Verdict.FAIL:
            failed = [p.name for p in result.polygons if p.verdict is Verdict.FAIL]
            detail = f"mask audit ({trigger}) failed{where}: detail visible inside "
            detail += ", ".join(failed)
            if outcome.latched:
                detail += "; server-side masking forced"
            self.on_event(
                SessionEvent(audited.camera_id, EventKind.MASK_AUDIT_FAILED, packet.at, detail)
            )
        if outcome.unverified_since is not None:
            since = outcome.unverified_since.isoformat()
            detail = f"no conclusive mask audit{where} since {since}"
            self.on_event(
                SessionEvent(audited.camera_id, EventKind.MASK_UNVERIFIED, packet.at, detail)
            )
        return result.verdict

    def _keyframe(
        self, audited: _Audited, fanout: FanOut[LivePacket] | None = None
    ) -> tuple[LivePacket, Any] | None:
        """Subscribe to the stream's packets (the main stream's by default) until a keyframe
        decodes (one decoder, closed after)."""
        fanout = self.fanout_of(audited.camera_id) if fanout is None else fanout
        if fanout is None:
            return None
        sub = fanout.subscribe(depth=64)
        deadline = time.monotonic() + KEYFRAME_WAIT_SECONDS
        try:
            while not audited.stop.is_set() and not fanout.closed:
                if time.monotonic() >= deadline:
                    return None
                try:  # short waits: a stop or the fan-out's end is seen at once
                    item = sub.get(timeout=POLL_SECONDS)
                except queue.Empty:
                    continue
                if item.packet.is_keyframe:
                    frame = _decode(item)
                    if frame is not None:
                        return item, frame
            return None
        finally:
            fanout.unsubscribe(sub)

    def _rasters(self, audited: _Audited, frame: Any) -> list[tuple[str, Mask]]:
        size = (int(frame.width), int(frame.height))
        if size not in audited.rasters:
            audited.rasters[size] = [
                (p.name, audit.raster_mask(rasterize([p.points], *size)))
                for p in audited.version.polygons
                if p.ptz_preset is None
            ]
        return audited.rasters[size]


def _alive(audited: _Audited) -> bool:
    return audited.thread is not None and audited.thread.is_alive()


def _decode(item: LivePacket) -> Any | None:
    """The picture of one keyframe, decoded by a decoder of its own."""
    stream = getattr(item.packet, "stream", None)
    coded = str(stream.codec_context.name) if stream is not None else ""
    codec: Any = av.CodecContext.create(
        "hevc" if "265" in coded or "hevc" in coded else "h264", "r"
    )
    if item.extradata:
        codec.extradata = item.extradata
    try:
        frames = [*codec.decode(item.packet), *codec.decode(None)]
    except av.error.FFmpegError:
        log.warning("camera %s: the audited keyframe did not decode", item.camera_id)
        return None
    return frames[0] if frames else None


def _planes(frame: Any) -> tuple[audit.Plane, tuple[audit.Plane, audit.Plane] | None]:
    """The frame's luma and (for 4:2:0 pictures) chroma planes as arrays, without copies."""
    arrays = [
        np.frombuffer(plane, np.uint8).reshape(plane.height, plane.line_size)[:, : plane.width]
        for plane in frame.planes
    ]
    if frame.format.name in ("yuv420p", "yuvj420p") and len(arrays) == 3:
        return arrays[0], (arrays[1], arrays[2])
    return arrays[0], None
