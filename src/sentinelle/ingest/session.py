"""One camera session: connect to the camera's stream through PyAV, demux once, feed the
segment writer then the fan-out; detect stalls, timestamp jumps, corrupt data, missing
keyframes and storage faults, emit an event for each, and reconnect with capped exponential
back-off. One thread per camera; many sessions per worker process.

A `PacketStage` may stand between the demuxer and the writer and fan-out (the privacy
burn-in of a server-mode camera): then only what the stage gives is recorded and shown."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

import av
import av.error

from sentinelle.core.clock import Clock
from sentinelle.ingest.events import EventKind, GapReason, SessionEvent
from sentinelle.ingest.fanout import FanOut
from sentinelle.ingest.recovery import recover_part
from sentinelle.ingest.writer import FinishedSegment, MaskStamp, SegmentWriter, StorageFault
from sentinelle.registry import streams

log = logging.getLogger(__name__)
STALL_SECONDS = 5.0
BACKOFF_FIRST, BACKOFF_MAX = 1.0, 30.0
JUMP_SECONDS = 5.0  # a larger step between packets (or any step back) is a timestamp jump
NO_KEYFRAME_SECONDS = 10.0  # longer without a keyframe is reported (misconfigured GOP)
CORRUPT_RUN_MAX = 100  # this many unreadable reads in a row end the connection


@dataclass(frozen=True, slots=True)
class LivePacket:
    """What subscribers receive: the packet and its instant on the server clock, the stream's
    extradata, and when (Unix time, seconds) the session received the packet."""

    camera_id: int
    at: datetime
    packet: Any
    extradata: bytes | None = None
    arrived: float = field(default_factory=time.time)


Staged = tuple[Any, datetime, timedelta, MaskStamp | None]  # packet, at, duration, mask


class PacketStage(Protocol):
    """Transforms one connection's packets before they are recorded and shown: the segments
    then describe the stage's stream (its codec, size and parameter sets), not the camera's."""

    codec: str  # the codec of the packets it gives (FFmpeg's name: "h264")
    parameter_sets: bytes  # what the writer's track starts with (Annex B; b"": in-band)
    extradata: bytes | None  # what live viewers are given with each packet

    def push(self, packet: Any, at: datetime, duration: timedelta) -> list[Staged]: ...

    def close(self) -> None: ...


# Called per connection with the demuxed stream and an event callback.
StageFactory = Callable[[Any, Callable[[EventKind, str], None]], PacketStage]


@dataclass
class SessionConfig:
    camera_id: int
    url: str
    root: Path
    pace: bool = False  # play file sources at real time (tests, demo); at their end the
    # session reconnects like after any disconnection, so a file plays in a loop
    stall_seconds: float = STALL_SECONDS
    segment_target: timedelta = timedelta(seconds=60)
    record: bool = True  # False: a live-only session (a sub-stream): no segment is written


class _Lost(Exception):
    """The connection ended for `reason` (raised inside a connection)."""

    def __init__(self, reason: GapReason, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason


@dataclass
class _Clocking:
    """A connection's time reference: stream time `first_pts` is server instant `anchor`."""

    anchor: datetime
    first_pts: int
    began: float  # monotonic time of the anchor (pacing)
    last_dts: int | None = None


@dataclass
class CameraSession:
    config: SessionConfig
    clock: Clock
    on_segment: Callable[[FinishedSegment], None]
    on_event: Callable[[SessionEvent], None]
    fanout: FanOut[LivePacket] = field(default_factory=FanOut)
    stage: StageFactory | None = None  # e.g. the burn-in; None: packets pass as they came
    last_packet_at: float = 0.0  # monotonic time of the last packet (liveness is progress)
    _floor: datetime | None = None  # end of the last packet written: no segment starts before
    _opening: datetime | None = None  # when the current connection began
    _keyframe_late: bool = False

    def run(self, stop: threading.Event) -> None:
        """Record until `stop` is set, reconnecting after failures. The fan-out is closed
        when the session ends (its live viewers are told)."""
        try:
            self._run(stop)
        finally:
            self.fanout.close()

    def _run(self, stop: threading.Event) -> None:
        delay = BACKOFF_FIRST
        while not stop.is_set():
            progress = self.last_packet_at
            try:
                self._record_once(stop)
            except _Lost as lost:
                self._event(EventKind.DISCONNECTED, str(lost), lost.reason)
            except StorageFault as fault:
                self._storage_fault(fault)
            if self.last_packet_at != progress:
                delay = BACKOFF_FIRST  # packets flowed: the next failure starts a new back-off
            if stop.wait(delay):
                break
            delay = min(delay * 2, BACKOFF_MAX)
        self._event(EventKind.STOPPED)

    def _record_once(self, stop: threading.Event) -> None:
        """One connection, until `stop`; raises `_Lost` or `StorageFault` otherwise."""
        cfg = self.config
        source = self._open()
        with source:
            stream = source.streams.video[0]
            stage = self.stage(stream, self._event) if self.stage is not None else None
            writer: SegmentWriter | _LiveOnly = (
                SegmentWriter(
                    cfg.root,
                    cfg.camera_id,
                    stream,
                    self.on_segment,
                    cfg.segment_target,
                    on_changed=lambda detail: self._event(EventKind.STREAM_CHANGED, detail),
                    parameter_sets=None if stage is None else stage.parameter_sets,
                    codec=None if stage is None else stage.codec,
                )
                if cfg.record
                else _LiveOnly()
            )
            try:
                self._pump(source, stream, writer, stage, stop)
            except StorageFault:
                writer.abandon()
                raise
            finally:
                writer.close()
                if stage is not None:
                    stage.close()
        if not stop.is_set():
            raise _Lost(GapReason.END_OF_STREAM, "end of stream")

    def _open(self) -> Any:
        """Connect; the connection's start is noted as the anchor's best estimate."""
        cfg = self.config
        self._opening = self.clock.now()
        try:
            return av.open(cfg.url, options=_options(cfg.url, cfg.stall_seconds))
        except (av.error.FFmpegError, OSError, ValueError) as exc:
            raise _Lost(GapReason.UNREACHABLE, _describe(exc)) from exc

    def _pump(
        self,
        source: Any,
        stream: Any,
        writer: SegmentWriter | _LiveOnly,
        stage: PacketStage | None,
        stop: threading.Event,
    ) -> None:
        clocking: _Clocking | None = None
        tb = float(stream.time_base)  # float arithmetic per packet: Fractions cost microseconds
        extradata = stream.codec_context.extradata
        for packet in self._packets(source, stream):
            if stop.is_set():
                break
            if clocking is None:
                clocking = self._anchor(packet.pts)
                self._event(EventKind.CONNECTED)
            elif self._jumped(clocking, packet, tb):
                writer.close()  # the segment ends with the old clock; a new one starts
                clocking = self._anchor(packet.pts, reconnected=False)
            clocking.last_dts = packet.dts
            at = clocking.anchor + timedelta(seconds=(packet.pts - clocking.first_pts) * tb)
            if self.config.pace:
                elapsed = (at - clocking.anchor).total_seconds()
                time.sleep(max(0.0, clocking.began + elapsed - time.monotonic()))
            duration = timedelta(seconds=(packet.duration or 0) * tb)
            if stage is None:
                self._emit(writer, (packet, at, duration, None), extradata)
            else:
                for staged in stage.push(packet, at, duration):
                    self._emit(writer, staged, stage.extradata)
            self._floor = at + duration
            self._check_keyframes(writer, at, clocking.anchor)
            self.last_packet_at = time.monotonic()

    def _emit(
        self, writer: SegmentWriter | _LiveOnly, staged: Staged, extradata: bytes | None
    ) -> None:
        packet, at, duration, mask = staged
        writer.write(packet, at, duration, mask)
        if self.fanout.subscribers:
            self.fanout.publish(LivePacket(self.config.camera_id, at, packet, extradata))

    def _packets(self, source: Any, stream: Any) -> Iterator[Any]:
        """The stream's timed packets. Unreadable data is skipped and packets flagged corrupt
        are kept as they came (lossless); either is reported once per connection."""
        corrupt_run, reported = 0, False
        while True:
            try:
                for packet in source.demux(stream):
                    corrupt_run = 0
                    if packet.is_corrupt and not reported:
                        reported = True
                        self._event(EventKind.CORRUPT_DATA, "corrupt packet received")
                    if packet.dts is not None and packet.pts is not None:
                        yield packet
                return
            except (av.error.ExitError, av.error.TimeoutError) as exc:
                raise _Lost(GapReason.STALLED, _describe(exc)) from exc
            except av.error.InvalidDataError as exc:
                corrupt_run += 1
                if not reported:
                    reported = True
                    self._event(EventKind.CORRUPT_DATA, _describe(exc))
                if corrupt_run >= CORRUPT_RUN_MAX:
                    raise _Lost(GapReason.LOST, _describe(exc)) from exc
            except (av.error.FFmpegError, OSError) as exc:
                raise _Lost(GapReason.LOST, _describe(exc)) from exc

    def _anchor(self, pts: int, *, reconnected: bool = True) -> _Clocking:
        """Anchor stream time to the server clock, never before what was already written.

        At a connection's first packet the anchor is the instant the connection began:
        opening a stream reads ahead to probe it (about a second of packets, which then come
        out at once), so the first packet was received then, not when it is demuxed. It
        errs early by at most the connection's set-up time (milliseconds on a LAN)."""
        now = self._opening if reconnected and self._opening is not None else self.clock.now()
        anchor = max(now, self._floor) if self._floor is not None else now
        return _Clocking(anchor, pts, time.monotonic())

    def _jumped(self, clocking: _Clocking, packet: Any, time_base: float) -> bool:
        if clocking.last_dts is None:
            return False
        step = (packet.dts - clocking.last_dts) * time_base
        if 0 < step <= JUMP_SECONDS:
            return False
        self._event(EventKind.TIMESTAMP_JUMP, f"stream time stepped {step:+.3f} s: re-anchored")
        return True

    def _check_keyframes(
        self, writer: SegmentWriter | _LiveOnly, at: datetime, anchor: datetime
    ) -> None:
        since = at - (writer.last_keyframe_at or anchor)
        if since.total_seconds() <= NO_KEYFRAME_SECONDS:
            self._keyframe_late = False
        elif not self._keyframe_late:
            self._keyframe_late = True
            self._event(EventKind.NO_KEYFRAME, f"no keyframe for {NO_KEYFRAME_SECONDS:.0f} s")

    def _storage_fault(self, fault: StorageFault) -> None:
        """Keep what the interrupted segment holds, then report the gap."""
        self._event(EventKind.STORAGE_ERROR, str(fault))
        part = fault.part
        if part is not None and part.exists():
            try:
                recovered = recover_part(self.config.root, part, self.config.camera_id)
            except OSError:
                log.exception("camera %s: %s kept for recovery", self.config.camera_id, part)
            else:
                if recovered.segment is not None:
                    self.on_segment(recovered.segment)
        self._event(EventKind.DISCONNECTED, str(fault), GapReason.STORAGE)

    def _event(self, kind: EventKind, detail: str = "", reason: GapReason | None = None) -> None:
        """Emit an event; the stream's credentials never appear in it (nor in the log)."""
        detail = detail.replace(self.config.url, streams.redact(self.config.url))
        event = SessionEvent(self.config.camera_id, kind, self.clock.now(), detail, reason)
        looping = self.config.url.startswith("file:") and reason is GapReason.END_OF_STREAM
        if kind not in (EventKind.CONNECTED, EventKind.STOPPED) and not looping:
            log.warning("camera %s: %s %s", event.camera_id, kind, detail)
        self.on_event(event)


@dataclass
class _LiveOnly:
    """The writer of a session that records nothing (a sub-stream for live view): it only
    notes keyframes, for the missing-keyframe check."""

    last_keyframe_at: datetime | None = None

    def write(
        self, packet: Any, at: datetime, duration: timedelta, mask: MaskStamp | None = None
    ) -> None:
        del duration, mask
        if packet.is_keyframe:
            self.last_keyframe_at = at

    def close(self) -> None:
        return

    def abandon(self) -> None:
        return


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def _options(url: str, stall_seconds: float) -> dict[str, str]:
    """Demuxer options: RTSP over TCP, and socket time-outs that end a stalled connection.

    libavformat's own time-outs, not PyAV's `timeout=`: PyAV's interrupt callback takes the
    GIL at every I/O check, which at 64 cameras cost three times the CPU (bench_ingest)."""
    micros = str(round(stall_seconds * 1_000_000))
    if url.startswith(("rtsp://", "rtsps://")):
        return {"rtsp_transport": "tcp", "timeout": micros}
    if url.startswith(("http://", "https://")):
        return {"rw_timeout": micros, "timeout": micros}
    return {}
