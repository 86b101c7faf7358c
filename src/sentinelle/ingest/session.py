"""One camera session: connect to the camera's stream through PyAV, demux once, feed the
segment writer then the fan-out; detect stalls, record gaps, reconnect with capped
exponential back-off. One thread per camera; many sessions per worker process."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

import av
import av.error

from sentinelle.core.clock import Clock
from sentinelle.ingest.fanout import FanOut
from sentinelle.ingest.writer import FinishedSegment, SegmentWriter, packet_instant

log = logging.getLogger(__name__)
STALL_SECONDS = 5.0
BACKOFF_FIRST, BACKOFF_MAX = 1.0, 30.0


class EventKind(StrEnum):
    CONNECTED = "connected"
    DISCONNECTED = "disconnected"  # connection lost, stalled or refused: a gap begins
    STOPPED = "stopped"


@dataclass(frozen=True, slots=True)
class SessionEvent:
    camera_id: int
    kind: EventKind
    at: datetime
    detail: str = ""


@dataclass(frozen=True, slots=True)
class LivePacket:
    """What subscribers receive: the packet and its instant on the server clock."""

    camera_id: int
    at: datetime
    packet: Any


@dataclass
class SessionConfig:
    camera_id: int
    url: str
    root: Path
    pace: bool = False  # play file sources at real time (tests, demo); at their end the
    # session reconnects like after any disconnection, so a file plays in a loop
    stall_seconds: float = STALL_SECONDS
    segment_target: timedelta = timedelta(seconds=60)


@dataclass
class CameraSession:
    config: SessionConfig
    clock: Clock
    on_segment: Callable[[FinishedSegment], None]
    on_event: Callable[[SessionEvent], None]
    fanout: FanOut[LivePacket] = field(default_factory=FanOut)
    last_packet_at: float = 0.0  # monotonic time of the last packet (liveness is progress)

    def run(self, stop: threading.Event) -> None:
        """Record until `stop` is set, reconnecting after failures."""
        delay = BACKOFF_FIRST
        while not stop.is_set():
            try:
                if self._record_once(stop):
                    delay = BACKOFF_FIRST
            except (av.error.FFmpegError, OSError, ValueError) as exc:
                self._event(EventKind.DISCONNECTED, f"{type(exc).__name__}: {exc}")
            if stop.wait(delay):
                break
            delay = min(delay * 2, BACKOFF_MAX)
        self._event(EventKind.STOPPED)

    def _record_once(self, stop: threading.Event) -> bool:
        """One connection: returns True if packets were received (back-off resets)."""
        cfg = self.config
        timeout = (cfg.stall_seconds, cfg.stall_seconds)
        with av.open(cfg.url, options=_options(cfg.url), timeout=timeout) as source:
            stream = source.streams.video[0]
            writer = SegmentWriter(
                cfg.root, cfg.camera_id, stream, self.on_segment, cfg.segment_target
            )
            try:
                received = self._pump(source, stream, writer, stop)
            finally:
                writer.close()
        if not stop.is_set():
            self._event(EventKind.DISCONNECTED, "end of stream")
        return received

    def _pump(self, source: Any, stream: Any, writer: SegmentWriter, stop: threading.Event) -> bool:
        anchor: datetime | None = None
        first_pts, began, received = 0, 0.0, False
        for packet in source.demux(stream):
            if stop.is_set():
                break
            if packet.dts is None or packet.pts is None:
                continue
            if anchor is None:
                anchor, first_pts, began = self.clock.now(), packet.pts, time.monotonic()
                self._event(EventKind.CONNECTED)
            at = packet_instant(anchor, first_pts, packet, stream.time_base)
            if self.config.pace:
                time.sleep(max(0.0, began + (at - anchor).total_seconds() - time.monotonic()))
            duration = timedelta(seconds=float((packet.duration or 0) * stream.time_base))
            writer.write(packet, at, duration)
            self.fanout.publish(LivePacket(self.config.camera_id, at, packet))
            self.last_packet_at = time.monotonic()
            received = True
        return received

    def _event(self, kind: EventKind, detail: str = "") -> None:
        event = SessionEvent(self.config.camera_id, kind, self.clock.now(), detail)
        looping = self.config.url.startswith("file:") and detail == "end of stream"
        if kind is EventKind.DISCONNECTED and not looping:
            log.warning("camera %s: %s %s", event.camera_id, kind, detail)
        self.on_event(event)


def _options(url: str) -> dict[str, str]:
    if url.startswith(("rtsp://", "rtsps://")):
        return {"rtsp_transport": "tcp"}
    return {}
