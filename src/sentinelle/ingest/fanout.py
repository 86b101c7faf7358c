"""Packet fan-out: one camera session feeds many subscribers (live viewers, analytics) through
bounded queues. A slow subscriber loses its oldest packets; it never stalls the session, and
the segment writer is not a subscriber: it is fed first, synchronously."""

from __future__ import annotations

import queue
import threading
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")
DEFAULT_DEPTH = 256


@dataclass(eq=False)
class Subscription(Generic[T]):
    items: queue.Queue[T]
    dropped: int = 0

    def get(self, timeout: float | None = None) -> T:
        return self.items.get(timeout=timeout)


@dataclass
class FanOut(Generic[T]):
    _subscriptions: list[Subscription[T]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    closed: bool = False  # the source ended: nothing more will be published

    def close(self) -> None:
        self.closed = True

    def subscribe(self, depth: int = DEFAULT_DEPTH) -> Subscription[T]:
        sub: Subscription[T] = Subscription(queue.Queue(maxsize=depth))
        with self._lock:
            self._subscriptions.append(sub)
        return sub

    def unsubscribe(self, sub: Subscription[T]) -> None:
        with self._lock:
            if sub in self._subscriptions:
                self._subscriptions.remove(sub)

    def publish(self, item: T) -> None:
        with self._lock:
            subscriptions = list(self._subscriptions)
        for sub in subscriptions:
            while True:
                try:
                    sub.items.put_nowait(item)
                    break
                except queue.Full:
                    try:
                        sub.items.get_nowait()
                        sub.dropped += 1
                    except queue.Empty:
                        pass

    @property
    def subscribers(self) -> int:
        with self._lock:
            return len(self._subscriptions)
