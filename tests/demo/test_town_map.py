"""The demo town draws well on the map: each zone has a valid perimeter and every camera
stands inside its own zone's perimeter, in no other."""

from __future__ import annotations

from sentinelle.demo import town
from sentinelle.registry.perimeter import Perimeter, check


def _inside(point: tuple[float, float], ring: list[tuple[float, float]]) -> bool:
    x, y = point
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def test_each_camera_stands_inside_its_zone_and_no_other() -> None:
    rings = [list(ring) for ring in town._PERIMETERS]
    for ring in rings:
        check(town._perimeter(tuple(ring)))  # raises InvalidInput on a bad perimeter
    for spec in town._CAMERAS:
        code, zone, lat, lon = spec[0], spec[2], spec[8], spec[9]
        within = [i for i, ring in enumerate(rings) if _inside((lon, lat), ring)]
        assert within == [zone], code


def test_perimeters_are_closed_geojson_polygons() -> None:
    shape = town._perimeter(town._PERIMETERS[0])
    assert isinstance(shape, Perimeter)
    ring = shape.coordinates[0]
    assert ring[0] == ring[-1]
    assert len(town._PERIMETERS) == len(town._ZONES)
