"""Mask geometry: every bad polygon refused with its code; rasterisation by pixel centres,
checked on counted shapes, across resolutions and against an exact point-by-point reference."""

from __future__ import annotations

from fractions import Fraction
from math import cos, pi, sin

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sentinelle.core.errors import SentinelleError
from sentinelle.privacy import geometry
from sentinelle.privacy.models import MaskPolygon, Point
from tests.privacy.conftest import polygon, rect

BAD = {
    "empty": ([], "mask_polygon_empty"),
    "two points": ([(0.1, 0.1), (0.5, 0.5)], "mask_polygon_too_few_points"),
    "repeated points": (
        [(0.1, 0.1), (0.1, 0.1), (0.6, 0.6), (0.6, 0.6), (0.1, 0.1)],
        "mask_polygon_too_few_points",
    ),
    "right of the picture": ([(0.1, 0.1), (1.2, 0.1), (0.5, 0.5)], "mask_outside_image"),
    "above the picture": ([(0.1, -0.01), (0.9, 0.1), (0.5, 0.5)], "mask_outside_image"),
    "not a number": ([(0.1, 0.1), (float("nan"), 0.1), (0.5, 0.5)], "mask_outside_image"),
    "flat": ([(0.1, 0.1), (0.5, 0.5), (0.9, 0.9)], "mask_polygon_zero_area"),
    "bow tie": ([(0.1, 0.1), (0.9, 0.9), (0.9, 0.1), (0.1, 0.9)], "mask_self_intersecting"),
    "touching itself at a corner": (
        [(0.1, 0.1), (0.5, 0.5), (0.9, 0.1), (0.9, 0.9), (0.5, 0.5), (0.1, 0.9)],
        "mask_self_intersecting",
    ),
    "folding back on a side": (
        [(0.1, 0.1), (0.6, 0.1), (0.3, 0.1), (0.3, 0.5)],
        "mask_self_intersecting",
    ),
    "whole picture": (rect(0, 0, 1, 1), "mask_covers_image"),
    "too many points": (
        [(0.5 + 0.4 * cos(2 * pi * k / 65), 0.5 + 0.4 * sin(2 * pi * k / 65)) for k in range(65)],
        "mask_too_many_points",
    ),
}


def _code(polygons: list[MaskPolygon]) -> str:
    with pytest.raises(SentinelleError) as caught:
        geometry.validate_polygons(polygons)
    return caught.value.code


@pytest.mark.parametrize("case", sorted(BAD))
def test_each_bad_polygon_is_refused_with_its_code(case: str) -> None:
    points, code = BAD[case]
    assert _code([polygon("ok", rect(0.1, 0.1, 0.2, 0.2)), polygon(case, points)]) == code


def test_the_refusal_names_the_polygon_and_explains() -> None:
    with pytest.raises(SentinelleError) as caught:
        geometry.validate_polygons([polygon("Balcon 3", BAD["bow tie"][0])])
    assert caught.value.details["name"] == "Balcon 3"
    assert caught.value.details["polygon"] == 0
    assert "crosses itself" in caught.value.message


def test_polygons_that_together_hide_the_picture_are_refused() -> None:
    halves = [polygon("gauche", rect(0, 0, 0.5, 1)), polygon("droite", rect(0.5, 0, 1, 1))]
    assert _code(halves) == "mask_covers_image"
    with pytest.raises(SentinelleError) as caught:
        geometry.validate_polygons([polygon("presque tout", rect(0, 0, 0.95, 0.95))])
    assert caught.value.details["coverage"] == pytest.approx(0.9025, abs=0.005)
    assert "out of service" in caught.value.message
    assert geometry.validate_polygons([polygon("grand", rect(0, 0, 0.92, 0.92))])  # 85 %


def test_too_many_polygons_and_duplicate_names_are_refused() -> None:
    many = [polygon(f"p{k}", rect(k / 40, 0, k / 40 + 0.01, 0.1)) for k in range(33)]
    assert _code(many) == "mask_too_many_polygons"
    same = [polygon("Fenêtres", rect(0, 0, 0.1, 0.1)), polygon("fenêtres", rect(0.5, 0, 0.6, 0.1))]
    assert _code(same) == "mask_name_duplicate"


def test_points_are_rounded_and_the_closing_point_dropped() -> None:
    ring = [(0.1, 0.1), (0.1234567891, 0.1), (0.1234567891, 0.1), (0.5, 0.5), (0.1, 0.1)]
    (checked,) = geometry.validate_polygons([polygon("a", ring)])
    assert checked.points == ((0.1, 0.1), (0.123457, 0.1), (0.5, 0.5))


def test_a_concave_polygon_and_a_straight_through_corner_are_accepted() -> None:
    ell = [(0.1, 0.1), (0.3, 0.1), (0.3, 0.4), (0.6, 0.4), (0.6, 0.6), (0.1, 0.6)]
    straight = [(0.1, 0.1), (0.3, 0.1), (0.5, 0.1), (0.5, 0.5)]
    assert len(geometry.validate_polygons([polygon("L", ell), polygon("s", straight)])) == 2


def test_segment_intersection_counts_touching_and_overlap() -> None:
    s = geometry.segments_intersect
    assert s((0, 0), (10, 10), (0, 10), (10, 0))  # crossing
    assert s((0, 0), (10, 0), (5, 0), (5, 5))  # touching at an end
    assert s((0, 0), (10, 0), (5, 0), (15, 0))  # overlapping, collinear
    assert not s((0, 0), (10, 0), (11, 0), (15, 0))  # collinear, apart
    assert not s((0, 0), (10, 0), (0, 1), (10, 2))  # apart


# --- rasterisation --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("width", "height", "pixels"), [(640, 480, 320 * 120), (1920, 1080, 960 * 270)]
)
def test_a_rectangle_masks_the_counted_pixels(width: int, height: int, pixels: int) -> None:
    raster = geometry.rasterize([rect(0.25, 0.25, 0.75, 0.5)], width, height)
    assert raster.count() == pixels
    assert raster.bounds() == (width // 4, height // 4, 3 * width // 4, height // 2)
    assert raster.masked(width // 4, height // 4)
    assert not raster.masked(width // 4 - 1, height // 4)
    assert not raster.masked(3 * width // 4, height // 4)


@pytest.mark.parametrize("n", [64, 100])
def test_a_triangle_masks_the_pixels_whose_centres_are_inside(n: int) -> None:
    raster = geometry.rasterize([[(0, 0), (1, 0), (0, 1)]], n, n)
    assert raster.count() == n * (n - 1) // 2  # centres with x + y < 1
    data = raster.to_bytes()
    assert len(data) == n * n
    assert data[0] == 255  # top-left corner
    assert data[n - 1] == 0  # top-right corner: its centre is past the diagonal


def test_overlapping_and_neighbouring_polygons_form_one_union() -> None:
    left, right = rect(0, 0, 0.5, 0.5), rect(0.5, 0, 1, 0.5)
    assert geometry.rasterize([left, right], 100, 100).count() == 100 * 50
    overlapping = [rect(0.1, 0.1, 0.3, 0.3), rect(0.2, 0.2, 0.4, 0.4)]
    assert geometry.rasterize(overlapping, 100, 100).count() == 400 + 400 - 100


def test_normalised_masks_still_fit_when_the_resolution_changes() -> None:
    shape = [rect(0.25, 0.25, 0.75, 0.75)]
    small = geometry.rasterize(shape, 704, 576)
    large = geometry.rasterize(shape, 1920, 1080)
    assert small.fraction() == large.fraction() == 0.25
    assert small.bounds() == (176, 144, 528, 432)
    assert large.bounds() == (480, 270, 1440, 810)
    window = [[(0.13, 0.21), (0.37, 0.19), (0.41, 0.52), (0.11, 0.49)]]
    fractions = [geometry.rasterize(window, w, h).fraction() for w, h in ((704, 576), (1920, 1080))]
    assert fractions[0] == pytest.approx(fractions[1], rel=0.01)


def _inside(ring: list[Point], x: Fraction, y: Fraction) -> bool:
    """Exact crossing number of the ray to the right of (x, y), sides half-open in y."""
    pts = [
        (Fraction(round(px * 10**6), 10**6), Fraction(round(py * 10**6), 10**6)) for px, py in ring
    ]
    odd = False
    for (x0, y0), (x1, y1) in zip(pts, pts[1:] + pts[:1], strict=True):
        spans = (y0 <= y < y1) or (y1 <= y < y0)
        if spans and x0 + (y - y0) * (x1 - x0) / (y1 - y0) > x:
            odd = not odd
    return odd


@st.composite
def _star(draw: st.DrawFn) -> list[Point]:
    """A random star-shaped (so simple) polygon inside the picture."""
    n = draw(st.integers(3, 9))
    cx, cy = draw(st.floats(0.3, 0.7)), draw(st.floats(0.3, 0.7))
    angles = sorted(draw(st.lists(st.floats(0, 2 * pi), min_size=n, max_size=n, unique=True)))
    radii = draw(st.lists(st.floats(0.02, 0.29), min_size=n, max_size=n))
    return [(cx + r * cos(a), cy + r * sin(a)) for a, r in zip(angles, radii, strict=True)]


@settings(max_examples=60, deadline=None)
@given(st.lists(_star(), min_size=1, max_size=3), st.integers(1, 23), st.integers(1, 23))
def test_rasterisation_matches_an_exact_pixel_by_pixel_reference(
    rings: list[list[Point]], width: int, height: int
) -> None:
    raster = geometry.rasterize(rings, width, height)
    for row in range(height):
        for col in range(width):
            x, y = Fraction(2 * col + 1, 2 * width), Fraction(2 * row + 1, 2 * height)
            expected = any(_inside(r, x, y) for r in rings)
            assert raster.masked(col, row) == expected, (col, row)


@st.composite
def _simple_star(draw: st.DrawFn) -> list[Point]:
    """A star-shaped polygon with well separated angles: simple, with room to spare."""
    n = draw(st.integers(3, 12))
    turn = draw(st.floats(0, 2 * pi))
    jitter = [draw(st.floats(-pi / (3 * n), pi / (3 * n))) for _ in range(n)]
    radii = [draw(st.floats(0.05, 0.3)) for _ in range(n)]
    angles = [turn + 2 * pi * k / n + jitter[k] for k in range(n)]
    return [(0.5 + r * cos(a), 0.5 + r * sin(a)) for a, r in zip(angles, radii, strict=True)]


@settings(max_examples=100, deadline=None)
@given(_simple_star())
def test_simple_polygons_are_accepted(ring: list[Point]) -> None:
    assert len(geometry.validate_polygons([polygon("p", ring)])[0].points) == len(ring)


@settings(max_examples=100, deadline=None)
@given(st.integers(4, 12), st.floats(0, 2 * pi), st.floats(0.05, 0.45), st.data())
def test_swapping_two_neighbours_of_a_convex_polygon_makes_it_cross_itself(
    n: int, turn: float, radius: float, data: st.DataObject
) -> None:
    ring = [
        (0.5 + radius * cos(turn + 2 * pi * k / n), 0.5 + radius * sin(turn + 2 * pi * k / n))
        for k in range(n)
    ]
    i = data.draw(st.integers(0, n - 1))
    j = (i + 1) % n
    ring[i], ring[j] = ring[j], ring[i]
    assert _code([polygon("p", ring)]) == "mask_self_intersecting"


def test_a_full_raster_masks_every_pixel() -> None:
    full = geometry.Raster.full(704, 576)
    assert full.count() == 704 * 576
    assert full.bounds() == (0, 0, 704, 576)
    assert set(full.to_bytes()) == {255}
