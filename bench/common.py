"""What every benchmark shares: a timing and how to take one."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Timing:
    """`count` units of work done in `seconds`."""

    count: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.count / self.seconds if self.seconds > 0 else float("inf")


def timed(count: int, work: Callable[[], object]) -> Timing:
    start = time.perf_counter()
    work()
    return Timing(count, time.perf_counter() - start)
