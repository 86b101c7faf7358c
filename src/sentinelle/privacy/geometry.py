"""Mask geometry, pure: polygon validation and rasterisation at any resolution.

Coordinates are normalised (0..1, origin top-left) and stored with `PRECISION` decimals. Both
the validation and the rasterisation work on those values as exact integers (units of
1/`SCALE` of the picture), so their answers never depend on floating-point rounding: a
polygon found simple here is simple for the burn-in, and two runs give the same pixels.

Rasterisation rule: a pixel is masked when its centre lies inside a polygon (even-odd rule;
a valid polygon is simple, so even-odd and nonzero agree); a centre exactly on a left or top
edge is inside, on a right or bottom edge outside, so two polygons sharing a side never both
claim, nor both miss, a pixel. The union of a set of polygons is the mask.

No NumPy here (it is not a dependency yet): a `Raster` is kept as runs of masked pixels per
row and gives row-major bytes that `numpy.frombuffer(r.to_bytes(), numpy.uint8)
.reshape(r.height, r.width)` turns into the array the burn-in and the audit will use.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sentinelle.privacy import errors
from sentinelle.privacy.models import MaskPolygon, Point, Polygon

MAX_POLYGONS = 32
MAX_POINTS = 64
COVERAGE_LIMIT = 0.9  # the union of the masks may not hide this much of the picture
COVERAGE_GRID = 512  # the coverage is measured on a grid of this many pixels a side
PRECISION = 6  # decimals kept: a millionth of the picture, far below one pixel
SCALE = 10**PRECISION

IntPoint = tuple[int, int]


# --- validation ---------------------------------------------------------------------------


def validate_polygons(polygons: Sequence[MaskPolygon]) -> tuple[Polygon, ...]:
    """Check a whole set (limits, names, each shape, coverage); return it normalised.

    Raises the first problem found, with its stable code and the polygon's index and name."""
    if len(polygons) > MAX_POLYGONS:
        raise errors.too_many_polygons(len(polygons), MAX_POLYGONS)
    seen: set[str] = set()
    out: list[Polygon] = []
    for index, polygon in enumerate(polygons):
        key = polygon.name.casefold()
        if key in seen:
            raise errors.duplicate_name(index, polygon.name)
        seen.add(key)
        out.append(validate_polygon(index, polygon))
    fraction = coverage(p.points for p in out)
    if fraction >= COVERAGE_LIMIT:
        raise errors.covers_image(fraction, COVERAGE_LIMIT)
    return tuple(out)


def validate_polygon(index: int, polygon: MaskPolygon) -> Polygon:
    """One polygon: points in the picture, at least 3 distinct, an area, no crossing."""
    name, raw = polygon.name, polygon.points
    if not raw:
        raise errors.polygon_empty(index, name)
    if len(raw) > MAX_POINTS:
        raise errors.too_many_points(index, name, len(raw), MAX_POINTS)
    for k, (x, y) in enumerate(raw):
        if not (_in_unit(x) and _in_unit(y)):
            raise errors.outside_image(index, name, k)
    points = _without_repeats([(round(x, PRECISION), round(y, PRECISION)) for x, y in raw])
    if len(points) < 3:
        raise errors.too_few_points(index, name, len(set(points)))
    ints = [_to_int(p) for p in points]
    if _collinear(ints):
        raise errors.zero_area(index, name)
    crossing = first_crossing(ints)
    if crossing is not None:
        raise errors.self_intersecting(index, name, crossing)
    if twice_area(ints) == 0:  # cannot happen to a simple ring off one line; kept as a guard
        raise errors.zero_area(index, name)
    return Polygon(name, tuple(points), polygon.ptz_preset, polygon.fill)


def _in_unit(v: float) -> bool:
    return math.isfinite(v) and 0.0 <= v <= 1.0


def _without_repeats(points: list[Point]) -> list[Point]:
    """Drop consecutive repeats, and a last point that closes the ring on the first."""
    out: list[Point] = []
    for p in points:
        if not out or out[-1] != p:
            out.append(p)
    while len(out) > 1 and out[-1] == out[0]:
        out.pop()
    return out


def _to_int(p: Point) -> IntPoint:
    return round(p[0] * SCALE), round(p[1] * SCALE)


def _collinear(ring: Sequence[IntPoint]) -> bool:
    """Whether every point lies on one line (the ring then encloses nothing)."""
    a, b = ring[0], ring[1]
    return all(_orient(a, b, c) == 0 for c in ring[2:])


def twice_area(ring: Sequence[IntPoint]) -> int:
    """Twice the signed area (shoelace), exact; 0 for a flat ring."""
    n = len(ring)
    return sum(
        ring[i][0] * ring[(i + 1) % n][1] - ring[(i + 1) % n][0] * ring[i][1] for i in range(n)
    )


def _orient(a: IntPoint, b: IntPoint, c: IntPoint) -> int:
    """Sign of the turn a → b → c: 1 left, -1 right, 0 collinear (exact)."""
    v = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])
    return (v > 0) - (v < 0)


def _on_segment(a: IntPoint, b: IntPoint, p: IntPoint) -> bool:
    """Whether p, known collinear with a and b, lies on the closed segment a-b."""
    return min(a[0], b[0]) <= p[0] <= max(a[0], b[0]) and min(a[1], b[1]) <= p[1] <= max(a[1], b[1])


def segments_intersect(a: IntPoint, b: IntPoint, c: IntPoint, d: IntPoint) -> bool:
    """Whether the closed segments a-b and c-d share at least one point (touching counts)."""
    o1, o2, o3, o4 = _orient(a, b, c), _orient(a, b, d), _orient(c, d, a), _orient(c, d, b)
    if o1 != o2 and o3 != o4 and 0 not in (o1, o2, o3, o4):
        return True  # a proper crossing
    return (
        (o1 == 0 and _on_segment(a, b, c))
        or (o2 == 0 and _on_segment(a, b, d))
        or (o3 == 0 and _on_segment(c, d, a))
        or (o4 == 0 and _on_segment(c, d, b))
    )


def first_crossing(ring: Sequence[IntPoint]) -> tuple[int, int] | None:
    """The first pair of sides (indices; side i joins point i to point i+1) that meet other
    than at the corner two neighbouring sides share; None for a simple polygon.

    Sides that are not neighbours may not touch at all (a ring touching itself at a point is
    refused too); neighbours may not fold back over each other."""
    n = len(ring)
    for i in range(n):
        a, b = ring[i], ring[(i + 1) % n]
        c = ring[(i + 2) % n]
        if n > 3 and _folds_back(a, b, c):
            return i, (i + 1) % n
        for j in range(i + 2, n):
            if i == 0 and j == n - 1:
                continue  # neighbours through the closing corner
            if segments_intersect(a, b, ring[j], ring[(j + 1) % n]):
                return i, j
    return None


def _folds_back(a: IntPoint, b: IntPoint, c: IntPoint) -> bool:
    """Whether side b-c goes back along side a-b (collinear, turning around at b)."""
    if _orient(a, b, c) != 0:
        return False
    return (a[0] - b[0]) * (c[0] - b[0]) + (a[1] - b[1]) * (c[1] - b[1]) > 0


# --- rasterisation ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Raster:
    """The masked pixels of a picture `width` × `height`: sorted, disjoint runs
    (row, first column, end column exclusive)."""

    width: int
    height: int
    runs: tuple[tuple[int, int, int], ...]

    @classmethod
    def full(cls, width: int, height: int) -> Raster:
        """Every pixel masked: the picture of a blackout."""
        return cls(width, height, tuple((row, 0, width) for row in range(height)))

    def count(self) -> int:
        """How many pixels are masked."""
        return sum(end - start for _, start, end in self.runs)

    def fraction(self) -> float:
        return self.count() / (self.width * self.height)

    def masked(self, x: int, y: int) -> bool:
        """Whether pixel (column x, row y) is masked."""
        return any(r == y and s <= x < e for r, s, e in self.runs)

    def to_bytes(self, on: int = 255) -> bytes:
        """Row-major uint8 picture: `on` where masked, 0 elsewhere."""
        out = bytearray(self.width * self.height)
        for row, start, end in self.runs:
            base = row * self.width
            out[base + start : base + end] = bytes([on]) * (end - start)
        return bytes(out)

    def bounds(self) -> tuple[int, int, int, int] | None:
        """The smallest pixel rectangle (x0, y0, x1, y1; ends exclusive) holding every masked
        pixel, or None when nothing is masked: where pixelation blocks are computed."""
        if not self.runs:
            return None
        x0 = min(s for _, s, _ in self.runs)
        x1 = max(e for _, _, e in self.runs)
        return x0, self.runs[0][0], x1, self.runs[-1][0] + 1


def rasterize(polygons: Iterable[Sequence[Point]], width: int, height: int) -> Raster:
    """The union of `polygons` (normalised rings) as the pixels of a `width` × `height`
    picture, by pixel centres (see the module's rule)."""
    if width <= 0 or height <= 0:
        msg = f"a picture has a positive size, not {width}x{height}"
        raise ValueError(msg)
    rows: dict[int, list[tuple[int, int]]] = {}
    for ring in polygons:
        for row, spans in _polygon_spans([_to_int(p) for p in ring], width, height).items():
            rows.setdefault(row, []).extend(spans)
    runs = [(row, s, e) for row in sorted(rows) for s, e in _merge(rows[row])]
    return Raster(width, height, tuple(runs))


def coverage(polygons: Iterable[Sequence[Point]]) -> float:
    """The share of the picture the union of `polygons` hides (on a `COVERAGE_GRID` grid)."""
    return rasterize(polygons, COVERAGE_GRID, COVERAGE_GRID).fraction()


def _polygon_spans(
    ring: Sequence[IntPoint], width: int, height: int
) -> dict[int, list[tuple[int, int]]]:
    """Per row, the column spans [start, end) whose pixel centres are inside `ring`."""
    crossings: dict[int, list[int]] = {}
    n = len(ring)
    for i in range(n):
        (x0, y0), (x1, y1) = ring[i], ring[(i + 1) % n]
        if y0 == y1:
            continue  # a horizontal side crosses no row centre line
        if y0 > y1:
            x0, y0, x1, y1 = x1, y1, x0, y0
        # rows whose centre y = (2i+1)/(2H) lies in [y0, y1)
        first = max(0, _ceil_div(2 * height * y0 - SCALE, 2 * SCALE))
        last = min(height, _ceil_div(2 * height * y1 - SCALE, 2 * SCALE))
        den = 2 * SCALE * 2 * height * (y1 - y0)
        for row in range(first, last):
            # column k = ceil(W * x - 1/2) where the side crosses the row's centre line
            num = (2 * width * x0 - SCALE) * 2 * height * (y1 - y0) + 2 * width * (
                (2 * row + 1) * SCALE - 2 * height * y0
            ) * (x1 - x0)
            k = min(width, max(0, _ceil_div(num, den)))
            crossings.setdefault(row, []).append(k)
    spans: dict[int, list[tuple[int, int]]] = {}
    for row, ks in crossings.items():
        ks.sort()
        pairs = [(ks[j], ks[j + 1]) for j in range(0, len(ks) - 1, 2) if ks[j] < ks[j + 1]]
        if pairs:
            spans[row] = pairs
    return spans


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out
