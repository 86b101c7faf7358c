"""The API process's side of the live feeds: one upstream connection per (camera, stream) to
the ingest worker that records the camera, shared by every viewer of it in this process.

Frames (`livewire`) are relayed as they came, unchanged: no decoding, no re-muxing. The
upstream keeps the current init segment and the frames since the last keyframe, so a new
viewer starts at once. A viewer whose queue is full loses frames up to the next keyframe,
where it resumes with the init segment: a slow viewer never slows the others, nor the worker.
When the last viewer leaves, the upstream closes after `LINGER_SECONDS` (a viewer that
reconnects, or switches layouts, finds it still open). When the worker goes (restarted, its
socket gone and back), the upstream reconnects by itself for `RECONNECT_SECONDS`: its viewers
see a gap, then the new init segment and keyframe, without reopening their view.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

from sentinelle.ingest.livewire import (
    HEADER,
    FrameKind,
    StreamChoice,
    parse_header,
    request_line,
    socket_path,
)

log = logging.getLogger(__name__)
VIEWER_QUEUE = 120  # frames a viewer may lag before it skips to the next keyframe
LINGER_SECONDS = 3.0
RECONNECT_SECONDS = 30.0  # how long a lost feed is tried again (a worker restarting)
RETRY_SECONDS = 0.5

Key = tuple[int, StreamChoice]


@dataclass(frozen=True, slots=True)
class Ended:
    """The feed ended: why (a stable code) and what to tell the viewer."""

    code: str
    message: str


@dataclass(eq=False)
class Viewer:
    """One viewer's queue of raw frames (None never; `Ended` last)."""

    key: Key
    queue: asyncio.Queue[bytes | Ended] = field(
        default_factory=lambda: asyncio.Queue(VIEWER_QUEUE + 2)
    )
    skipped: int = 0
    _lagging: bool = False

    def offer(self, raw: bytes, starts_gop: bool, init: bytes | None) -> None:
        if self._lagging or self.queue.qsize() >= VIEWER_QUEUE:
            if not self._lagging:
                self.skipped += self.queue.qsize()
                while not self.queue.empty():
                    self.queue.get_nowait()
                self._lagging = True
            if not starts_gop or init is None:
                self.skipped += 1
                return
            self._lagging = False
            self.queue.put_nowait(init)
        self.queue.put_nowait(raw)

    def wait_for_keyframe(self) -> None:
        self._lagging = True

    def end(self, ended: Ended) -> None:
        while self.queue.full():
            self.queue.get_nowait()
        self.queue.put_nowait(ended)

    async def next(self) -> bytes | Ended:
        return await self.queue.get()


@dataclass(eq=False)
class Upstream:
    key: Key
    path: Path
    viewers: set[Viewer] = field(default_factory=set)
    init: bytes | None = None
    gop: list[bytes] = field(default_factory=list)
    task: asyncio.Task[None] | None = None
    closer: asyncio.TimerHandle | None = None
    frames: int = 0
    reconnects: int = 0

    def add(self, viewer: Viewer) -> None:
        if self.init is not None and self.gop:
            for raw in (self.init, *self.gop):
                viewer.offer(raw, False, self.init)
        else:
            viewer.wait_for_keyframe()
        self.viewers.add(viewer)

    async def run(self) -> None:
        """Relay the worker's feed. Once it has delivered video, a lost connection (a
        restarted worker, a restarted camera session) is tried again every `RETRY_SECONDS`
        for `RECONNECT_SECONDS` while viewers wait: they keep their WebSocket and get the new
        init segment and keyframe. A feed that never delivered ends at once."""
        loop = asyncio.get_running_loop()
        deadline: float | None = None  # set once the feed delivered: reconnect until then
        while True:
            delivered, ended = await self._follow()
            if delivered:
                deadline = loop.time() + RECONNECT_SECONDS
            if deadline is None or loop.time() >= deadline or not self.viewers:
                self._end(ended)
                return
            self.reconnects += 1
            self.init, self.gop = None, []  # nothing stale for a viewer who joins meanwhile
            log.info("live feed of camera %s lost (%s): reconnecting", self.key[0], ended.code)
            await asyncio.sleep(RETRY_SECONDS)

    async def _follow(self) -> tuple[bool, Ended]:
        """One connection to the worker: whether it delivered video, and how it ended."""
        camera_id, stream = self.key
        delivered = False
        try:
            reader, writer = await asyncio.open_unix_connection(str(self.path))
        except OSError as exc:
            return False, Ended("live_unavailable", f"the ingest worker is unreachable: {exc}")
        try:
            writer.write(request_line(camera_id, stream))
            await writer.drain()
            while True:
                header = await reader.readexactly(HEADER.size)
                kind, keyframe, _, length = parse_header(header)
                raw = header + await reader.readexactly(length)
                if kind is FrameKind.ERROR:
                    body = json.loads(raw[HEADER.size :])
                    return delivered, Ended(str(body["code"]), str(body["message"]))
                delivered = True
                self._relay(raw, kind, keyframe)
        except (asyncio.IncompleteReadError, OSError):
            return delivered, Ended("live_ended", "the camera's live feed ended")
        finally:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()

    def _relay(self, raw: bytes, kind: FrameKind, keyframe: bool) -> None:
        self.frames += 1
        if kind is FrameKind.INIT:
            self.init, self.gop = raw, []
            for viewer in self.viewers:
                viewer.offer(raw, False, raw)
            return
        if keyframe:
            self.gop = []
        if self.gop or keyframe:
            self.gop.append(raw)
        for viewer in self.viewers:
            viewer.offer(raw, keyframe, self.init)

    def _end(self, ended: Ended) -> None:
        for viewer in self.viewers:
            viewer.end(ended)


@dataclass
class LiveHub:
    """The upstreams of one API process. Used from its event loop only."""

    data_dir: Path
    workers: int = 1
    upstreams: dict[Key, Upstream] = field(default_factory=dict)

    def socket_for(self, camera_id: int) -> Path:
        """The socket of the ingest worker that records `camera_id` (sharded by id)."""
        return socket_path(self.data_dir, camera_id % max(1, self.workers))

    def watch(self, camera_id: int, stream: StreamChoice) -> Viewer:
        key = (camera_id, stream)
        upstream = self.upstreams.get(key)
        if upstream is None or (upstream.task is not None and upstream.task.done()):
            upstream = Upstream(key, self.socket_for(camera_id))
            upstream.task = asyncio.get_running_loop().create_task(upstream.run())
            self.upstreams[key] = upstream
        if upstream.closer is not None:
            upstream.closer.cancel()
            upstream.closer = None
        viewer = Viewer(key)
        upstream.add(viewer)
        return viewer

    def leave(self, viewer: Viewer) -> None:
        upstream = self.upstreams.get(viewer.key)
        if upstream is None:
            return
        upstream.viewers.discard(viewer)
        if not upstream.viewers and upstream.closer is None:
            loop = asyncio.get_running_loop()
            upstream.closer = loop.call_later(LINGER_SECONDS, self._close, upstream)

    def viewers(self) -> int:
        return sum(len(u.viewers) for u in self.upstreams.values())

    def _close(self, upstream: Upstream) -> None:
        upstream.closer = None
        if upstream.viewers:
            return
        if upstream.task is not None:
            upstream.task.cancel()
        if self.upstreams.get(upstream.key) is upstream:
            del self.upstreams[upstream.key]

    async def close(self) -> None:
        for upstream in list(self.upstreams.values()):
            if upstream.closer is not None:
                upstream.closer.cancel()
            if upstream.task is not None:
                upstream.task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await upstream.task
        self.upstreams.clear()
