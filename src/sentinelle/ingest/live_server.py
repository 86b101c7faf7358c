"""The live feeds of an ingest worker's cameras, served on a Unix socket (see `livewire`).

One `LiveFeed` per camera stream being watched, however many clients: it subscribes to the
camera session's fan-out, muxes once (`LiveMuxer`) and hands each frame to every client. A new
client gets the init segment and the fragments since the last keyframe first, so its picture
appears at once. A client that falls behind (its queue full) loses frames up to the next
keyframe, where it resumes with the init segment: never a corrupt stream, never a stalled
session (the session's fan-out itself drops for a slow feed, which then resumes at a
keyframe too). A feed ends when its last client leaves.

The socket is created mode 0600 in a directory of mode 0700: only the service's own account
(the API) may connect.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import socket
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sentinelle.ingest.fanout import FanOut
from sentinelle.ingest.live import GOP_CACHE_MAX, LiveInit, LiveItem, LiveMuxer
from sentinelle.ingest.livewire import (
    REQUEST_MAX,
    Frame,
    FrameKind,
    StreamChoice,
    error_frame,
    init_frame,
    parse_request,
)
from sentinelle.ingest.session import LivePacket

log = logging.getLogger(__name__)
CLIENT_QUEUE = 120  # frames (4 s at 30 fps) a client may lag before it skips to a keyframe
REQUEST_SECONDS = 5.0
FEED_DEPTH = 512  # packets the feed may lag behind the session before it skips

FeedKey = tuple[int, StreamChoice]
Lookup = Callable[[int, StreamChoice], FanOut[LivePacket] | None]


@dataclass(eq=False)
class LiveClient:
    """One connection's queue of frames, with the skip-to-keyframe policy."""

    capacity: int = CLIENT_QUEUE
    skipped: int = 0  # frames lost by falling behind
    _frames: deque[Frame] = field(default_factory=deque)
    _ready: threading.Condition = field(default_factory=threading.Condition)
    _lagging: bool = False
    closed: bool = False

    def offer(self, frame: Frame, init: Frame | None) -> None:
        """Queue `frame`; `init` is the feed's current init segment (sent again when a
        lagging client resumes at a keyframe)."""
        with self._ready:
            if self._lagging or len(self._frames) >= self.capacity:
                if not self._lagging:
                    self.skipped += len(self._frames)
                    self._frames.clear()
                    self._lagging = True
                if not frame.starts_gop or init is None:
                    self.skipped += frame.kind is FrameKind.FRAGMENT
                    return
                self._lagging = False
                self._frames.append(init)
            self._frames.append(frame)
            self._ready.notify()

    def wait_for_keyframe(self) -> None:
        """Start at the next keyframe (with the init segment)."""
        with self._ready:
            self._lagging = True

    def take(self, timeout: float) -> Frame | None:
        with self._ready:
            if not self._frames and not self.closed:
                self._ready.wait(timeout)
            return self._frames.popleft() if self._frames else None

    def close(self) -> None:
        with self._ready:
            self.closed = True
            self._ready.notify_all()


@dataclass(eq=False)
class LiveFeed:
    """Muxes one camera stream for its clients, in a thread of its own."""

    key: FeedKey
    fanout: FanOut[LivePacket]
    on_idle: Callable[[LiveFeed], None]
    muxer: LiveMuxer = field(default_factory=LiveMuxer)
    clients: list[LiveClient] = field(default_factory=list)
    _init: Frame | None = None
    _gop: list[Frame] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self._run, name=f"live-{self.key[0]}-{self.key[1]}", daemon=True
        )
        self._thread.start()

    def join(self, client: LiveClient) -> None:
        """Add `client`, which first receives the init segment and the current GOP."""
        with self._lock:
            if self._init is not None and self._gop:
                for frame in (self._init, *self._gop):
                    client.offer(frame, self._init)
            else:
                client.wait_for_keyframe()
            self.clients.append(client)

    def leave(self, client: LiveClient) -> bool:
        """Remove `client`; True if it was the last (the feed then stops)."""
        with self._lock:
            if client in self.clients:
                self.clients.remove(client)
            last = not self.clients
        if last:
            self._stop.set()
        return last

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(5)

    def _run(self) -> None:
        sub = self.fanout.subscribe(FEED_DEPTH)
        seen = 0
        try:
            while not self._stop.is_set():
                try:
                    item = sub.get(timeout=0.5)
                except queue.Empty:
                    if self.fanout.closed:
                        break  # the camera session ended: so does the feed
                    continue
                if sub.dropped != seen:  # the session dropped packets for us: resync
                    seen = sub.dropped
                    self.muxer.reset()
                self._publish(self._mux(item))
        finally:
            self.fanout.unsubscribe(sub)
            self._stop.set()
            with self._lock:
                clients = list(self.clients)
            for client in clients:
                client.close()  # their connections end: the API's viewers are told
            self.on_idle(self)

    def _mux(self, item: LivePacket) -> list[tuple[LiveItem, int]]:
        packet = item.packet
        if self.muxer.extradata is None and item.extradata:
            self.muxer.extradata = item.extradata
        tb = float(packet.time_base)
        offset = (packet.pts - packet.dts) * tb
        items = self.muxer.push(
            bytes(packet),
            keyframe=packet.is_keyframe,
            at=item.at,
            offset=offset,
            duration=(packet.duration or 0) * tb,
        )
        arrived = round(item.arrived * 1_000_000)
        return [(i, arrived) for i in items]

    def _publish(self, items: list[tuple[LiveItem, int]]) -> None:
        for item, arrived in items:
            if isinstance(item, LiveInit):
                frame = init_frame(item.codec, item.data, arrived)
                with self._lock:
                    self._init, self._gop = frame, []
                    clients = list(self.clients)
                for client in clients:
                    client.offer(frame, frame)
                continue
            frame = Frame(FrameKind.FRAGMENT, item.keyframe, arrived, item.data)
            with self._lock:
                if item.keyframe:
                    self._gop = []
                if self._gop or item.keyframe:
                    self._gop.append(frame)
                if len(self._gop) > GOP_CACHE_MAX:
                    self._gop = []  # too long to replay: new clients wait for a keyframe
                init, clients = self._init, list(self.clients)
            for client in clients:
                client.offer(frame, init)


@dataclass
class LiveServer:
    """Serves the live feeds of the cameras `lookup` knows, on the Unix socket at `path`."""

    path: Path
    lookup: Lookup
    on_released: Callable[[int, StreamChoice], None] = lambda camera_id, stream: None
    feeds: dict[FeedKey, LiveFeed] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _sock: socket.socket | None = None
    _thread: threading.Thread | None = None
    _closing: threading.Event = field(default_factory=threading.Event)

    def start(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.parent.chmod(0o700)
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()  # left by a worker that died
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old = os.umask(0o177)
        try:
            sock.bind(str(self.path))
        finally:
            os.umask(old)
        self.path.chmod(0o600)
        sock.listen(64)
        sock.settimeout(0.5)
        self._sock = sock
        self._thread = threading.Thread(target=self._accept, name="live-server", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._closing.set()
        if self._thread is not None:
            self._thread.join(5)
        if self._sock is not None:
            self._sock.close()
        with self._lock:
            feeds = list(self.feeds.values())
        for feed in feeds:
            for client in list(feed.clients):
                client.close()
            feed.stop()
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()

    def viewers(self) -> int:
        with self._lock:
            return sum(len(f.clients) for f in self.feeds.values())

    def _accept(self) -> None:
        sock = self._sock
        if sock is None:
            return
        while not self._closing.is_set():
            try:
                conn, _ = sock.accept()
            except TimeoutError:
                continue
            except OSError:
                if self._closing.is_set():
                    return
                raise
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(REQUEST_SECONDS)
            try:
                camera_id, stream = parse_request(_read_line(conn))
            except (OSError, ValueError, KeyError, TypeError):
                _send(conn, error_frame("invalid_request", "expected a JSON request line"))
                return
            fanout = self.lookup(camera_id, stream)
            if fanout is None:
                message = f"camera {camera_id} is not being recorded by this worker"
                _send(conn, error_frame("camera_not_live", message))
                return
            conn.settimeout(None)
            client = LiveClient()
            feed = self._feed((camera_id, stream), fanout, client)
            threading.Thread(target=_watch_hangup, args=(conn, client), daemon=True).start()
            try:
                self._relay(conn, client)
            finally:
                client.close()
                with contextlib.suppress(OSError):  # wakes the hang-up watcher; the peer
                    conn.shutdown(socket.SHUT_RDWR)  # sees the end of the connection
                if feed.leave(client):
                    self.on_released(camera_id, stream)

    def _feed(self, key: FeedKey, fanout: FanOut[LivePacket], client: LiveClient) -> LiveFeed:
        with self._lock:
            feed = self.feeds.get(key)
            if feed is None or feed.fanout is not fanout or feed.stopping:
                feed = LiveFeed(key, fanout, self._forget)
                self.feeds[key] = feed
                feed.start()
            feed.join(client)
        return feed

    def _forget(self, feed: LiveFeed) -> None:
        with self._lock:
            if self.feeds.get(feed.key) is feed:
                del self.feeds[feed.key]

    def _relay(self, conn: socket.socket, client: LiveClient) -> None:
        while not client.closed and not self._closing.is_set():
            frame = client.take(timeout=0.5)
            if frame is None:
                continue
            try:
                conn.sendall(frame.encode())
            except OSError:
                return


def _read_line(conn: socket.socket) -> bytes:
    data = b""
    while b"\n" not in data:
        chunk = conn.recv(REQUEST_MAX)
        if not chunk:
            raise ValueError("no request")
        data += chunk
        if len(data) > REQUEST_MAX:
            raise ValueError("request too long")
    return data.split(b"\n", 1)[0]


def _send(conn: socket.socket, frame: Frame) -> None:
    with contextlib.suppress(OSError):
        conn.sendall(frame.encode())


def _watch_hangup(conn: socket.socket, client: LiveClient) -> None:
    """The client sends nothing after its request: end of file (or an error) is a hang-up."""
    try:
        while conn.recv(1024):
            pass
    except OSError:
        pass
    client.close()
