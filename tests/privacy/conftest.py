"""Privacy fixtures: the API's client and town (every role logged in), and mask builders."""

from __future__ import annotations

from typing import Any

from sentinelle.privacy.models import MaskPolygon
from tests.api.conftest import client, town

__all__ = ["client", "polygon", "rect", "town"]


def rect(x0: float, y0: float, x1: float, y1: float) -> list[tuple[float, float]]:
    """The corners of a rectangle, clockwise from the top-left."""
    return [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]


def polygon(name: str, points: list[tuple[float, float]], **extra: Any) -> MaskPolygon:
    return MaskPolygon(name=name, points=points, **extra)
