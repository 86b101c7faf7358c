"""A zone's perimeter on the map: one GeoJSON Polygon in WGS 84 (longitude, latitude), and the
pure checks that make it a valid, simple polygon before it is stored.

A valid perimeter has exactly one ring (the outer one; holes are refused), at least four
positions, its last position equal to its first, every position a `[longitude, latitude]` pair
within range, at least three distinct corners, a non-zero area, and no two edges crossing or
touching except adjacent edges at their shared corner. Each failure has its own stable code.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from sentinelle.core.errors import InvalidInput

MIN_POSITIONS = 4
MAX_POSITIONS = 500

Point = tuple[float, float]


class Perimeter(BaseModel):
    """A GeoJSON Polygon: `coordinates` is a list of rings, each a list of [lon, lat]."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["Polygon"] = Field(description="only GeoJSON Polygons are accepted")
    coordinates: list[list[list[float]]] = Field(
        description="one closed outer ring of [longitude, latitude] positions (WGS 84)",
        examples=[[[[4.89, 44.93], [4.90, 44.93], [4.90, 44.94], [4.89, 44.93]]]],
    )


def _invalid(code: str, message: str, **details: object) -> InvalidInput:
    return InvalidInput(code, message, dict(details))


def check(perimeter: Perimeter) -> list[Point]:
    """The outer ring as points (closed), or an InvalidInput naming what is wrong."""
    if len(perimeter.coordinates) != 1:
        raise _invalid(
            "perimeter_ring_count",
            "a perimeter has exactly one ring (its outline); holes are not supported",
            rings=len(perimeter.coordinates),
        )
    ring = _points(perimeter.coordinates[0])
    if len(ring) < MIN_POSITIONS:
        raise _invalid(
            "perimeter_too_few_positions",
            f"a perimeter needs at least {MIN_POSITIONS} positions (the first repeated last)",
            positions=len(ring),
        )
    if len(ring) > MAX_POSITIONS:
        raise _invalid(
            "perimeter_too_many_positions",
            f"a perimeter has at most {MAX_POSITIONS} positions",
            positions=len(ring),
        )
    if ring[0] != ring[-1]:
        raise _invalid("perimeter_not_closed", "the last position must repeat the first one")
    _check_simple(ring)
    return ring


def _points(positions: Sequence[Sequence[float]]) -> list[Point]:
    points: list[Point] = []
    for index, position in enumerate(positions):
        if len(position) != 2:
            raise _invalid(
                "perimeter_bad_position",
                f"position {index} must be [longitude, latitude]",
                index=index,
            )
        lon, lat = position
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise _invalid(
                "perimeter_out_of_range",
                f"position {index} is outside longitude -180..180 / latitude -90..90",
                index=index,
                position=[lon, lat],
            )
        points.append((lon, lat))
    return points


def _check_simple(ring: list[Point]) -> None:
    corners = ring[:-1]
    collinear = all(abs(_orientation(corners[0], corners[1], c)) < 1e-14 for c in corners)
    if len(set(corners)) < 3 or collinear:
        raise _invalid(
            "perimeter_degenerate", "the perimeter has no area (fewer than 3 distinct corners)"
        )
    if len(set(corners)) != len(corners):
        raise _invalid("perimeter_self_intersecting", "the outline passes twice by one corner")
    edges = list(itertools.pairwise(ring))
    count = len(edges)
    for i in range(count):
        for j in range(i + 1, count):
            adjacent = j == i + 1 or (i == 0 and j == count - 1)
            if adjacent:
                if _overlap_adjacent(edges[i], edges[j]):
                    raise _crossing(i, j)
            elif segments_touch(*edges[i], *edges[j]):
                raise _crossing(i, j)


def _crossing(i: int, j: int) -> InvalidInput:
    return _invalid(
        "perimeter_self_intersecting",
        f"the outline crosses itself (edges {i} and {j})",
        edges=[i, j],
    )


def signed_area(ring: list[Point]) -> float:
    """Shoelace area of a closed ring, in square degrees (positive when anticlockwise)."""
    return sum(a[0] * b[1] - b[0] * a[1] for a, b in itertools.pairwise(ring)) / 2


def _orientation(p: Point, q: Point, r: Point) -> float:
    return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])


def _on_segment(p: Point, q: Point, r: Point) -> bool:
    """r, known to be collinear with p-q, lies within the segment's bounding box."""
    return min(p[0], q[0]) <= r[0] <= max(p[0], q[0]) and min(p[1], q[1]) <= r[1] <= max(p[1], q[1])


def segments_touch(a: Point, b: Point, c: Point, d: Point) -> bool:
    """Segments a-b and c-d share at least one point (crossing, touching or overlapping)."""
    o1, o2 = _orientation(a, b, c), _orientation(a, b, d)
    o3, o4 = _orientation(c, d, a), _orientation(c, d, b)
    if ((o1 > 0 > o2) or (o1 < 0 < o2)) and ((o3 > 0 > o4) or (o3 < 0 < o4)):
        return True
    return (
        (o1 == 0 and _on_segment(a, b, c))
        or (o2 == 0 and _on_segment(a, b, d))
        or (o3 == 0 and _on_segment(c, d, a))
        or (o4 == 0 and _on_segment(c, d, b))
    )


def _overlap_adjacent(first: tuple[Point, Point], second: tuple[Point, Point]) -> bool:
    """Two consecutive edges share a corner; they are wrong only if they fold back on each
    other (collinear and pointing back), which makes the outline overlap itself."""
    shared = next(p for p in first if p in second)
    u = next(p for p in first if p != shared)
    v = next(p for p in second if p != shared)
    if _orientation(shared, u, v) != 0:
        return False
    dot = (u[0] - shared[0]) * (v[0] - shared[0]) + (u[1] - shared[1]) * (v[1] - shared[1])
    return dot > 0
