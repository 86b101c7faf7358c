"""The mask audit's check, pure: is each private area really hidden in a decoded frame?

A camera in camera mode masks its own picture; the audit looks at a frame it sent and, for
each polygon, measures what is left inside (the polygon's pixels, eroded by `erosion(width)`
pixels so that the encoder's ringing along the mask's border does not count):

- `std`: the standard deviation of the luma, and `chroma_std` the larger one of the two
  chroma planes: an opaque fill is uniform (both small);
- `flat_share`: the share of neighbouring pixel pairs (across and down) whose luma differs by
  at most `FLAT_STEP`: a pixelated area is block-constant, so nearly every pair is flat and
  only block edges differ;
- `detail`: the mean absolute luma step between neighbours (told, not decided on).

A polygon is masked when it is uniform (`std <= STD_MAX` and `chroma_std <= STD_MAX`) or
pixelated (`flat_share >= FLAT_MIN`); otherwise it shows detail: the audit fails. The same
measures on the rest of the picture (outside every polygon) say whether the frame could show
detail at all: if the rest would pass as "masked" too (night, lens covered, fog), a polygon
that looks masked proves nothing and its verdict is `inconclusive` (never a pass, never a
fail). The thresholds were chosen from measures on real H.264 frames (docs/design/privacy.md,
"Audit").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np
import numpy.typing as npt

from sentinelle.privacy.geometry import Raster

STD_MAX = 4.0  # luma / chroma standard deviation of a uniform fill, after erosion
FLAT_STEP = 3  # a luma step this small between neighbours is "flat"
FLAT_MIN = 0.85  # a pixelated area: at least this share of neighbour pairs is flat
COARSE_PER_WIDTH = 1 / 160  # pairs this far apart (2 at 320, 8 at 1280, 12 at 1920)...
COARSE_MIN = 0.75  # ...are flat this often in a mosaic of blocks >= width / 40 (0.92+)
CELL_PER_WIDTH = 1 / 40  # the polygon is also judged cell by cell (8 at 320, 48 at 1920)
CELL_MIN = 8  # pixels: the smallest cell side
CELL_FILL = 0.5  # a cell is judged when this share of it is inside the (eroded) polygon
MIN_PIXELS = 64  # fewer pixels left after erosion: too small to judge
EROSION_MIN = 2  # pixels eroded from each border at 320 pixels wide...
EROSION_PER_WIDTH = 1 / 240  # ...growing with the width (8 pixels at 1920)

Plane = npt.NDArray[np.uint8]
Mask = npt.NDArray[np.bool_]


class Verdict(StrEnum):
    PASS = "pass"  # noqa: S105 - a verdict; every polygon is hidden, and the picture shows detail elsewhere
    FAIL = "fail"  # detail is visible inside a polygon: the camera's mask is lost
    INCONCLUSIVE = "inconclusive"  # nothing could be told (dark or featureless picture)


@dataclass(frozen=True, slots=True)
class Measures:
    pixels: int
    std: float
    chroma_std: float
    flat_share: float
    detail: float
    coarse_share: float = 1.0  # flat pairs `coarse(width)` apart: block-constancy at scale
    cells: int = 0  # cells judged (a polygon's measures; 0 for the reference)
    cells_shown: int = 0  # cells of them neither uniform nor block-constant

    @property
    def uniform(self) -> bool:
        return self.std <= STD_MAX and self.chroma_std <= STD_MAX

    @property
    def pixelated(self) -> bool:
        return self.flat_share >= FLAT_MIN and self.coarse_share >= COARSE_MIN

    @property
    def hidden(self) -> bool:
        """Nothing recoverable: a uniform fill or coarse block-constant pixels, everywhere
        (no cell of the polygon shows detail)."""
        return (self.uniform or self.pixelated) and self.cells_shown == 0

    def as_json(self) -> dict[str, float | int]:
        return {
            "pixels": self.pixels,
            "std": round(self.std, 2),
            "chroma_std": round(self.chroma_std, 2),
            "flat_share": round(self.flat_share, 4),
            "detail": round(self.detail, 2),
            "coarse_share": round(self.coarse_share, 4),
            "cells": self.cells,
            "cells_shown": self.cells_shown,
        }


@dataclass(frozen=True, slots=True)
class PolygonResult:
    name: str
    verdict: Verdict
    why: str
    measures: Measures

    @property
    def too_small(self) -> bool:
        """Too few pixels left after erosion to judge: left out of the frame's verdict."""
        return self.measures.pixels < MIN_PIXELS

    def as_json(self) -> dict[str, object]:
        hidden = not self.too_small and self.measures.hidden
        return {
            "name": self.name,
            "verdict": str(self.verdict),
            "why": self.why,
            "hidden": hidden,
            "too_small": self.too_small,
        }


@dataclass(frozen=True, slots=True)
class FrameResult:
    """The audit of one frame: its verdict, each polygon's, and the rest of the picture's
    measures (the reference that says whether the frame could show detail)."""

    verdict: Verdict
    width: int
    height: int
    polygons: tuple[PolygonResult, ...]
    reference: Measures

    def as_json(self) -> dict[str, object]:
        return {
            "verdict": str(self.verdict),
            "size": [self.width, self.height],
            "reference": self.reference.as_json(),
            "polygons": [p.as_json() | {"measures": p.measures.as_json()} for p in self.polygons],
        }


def erosion(width: int) -> int:
    """Pixels dropped along each border of a polygon at this picture width."""
    return max(EROSION_MIN, round(width * EROSION_PER_WIDTH))


def coarse(width: int) -> int:
    """The distance of the pairs that tell a coarse mosaic from a fine one."""
    return max(2, round(width * COARSE_PER_WIDTH))


def cell_size(width: int) -> int:
    """The side of the cells a polygon is judged by, at this picture width."""
    return max(CELL_MIN, round(width * CELL_PER_WIDTH))


def raster_mask(raster: Raster) -> Mask:
    """A raster as a boolean array (rows × columns)."""
    flat = np.frombuffer(raster.to_bytes(1), np.uint8)
    return flat.reshape(raster.height, raster.width).astype(np.bool_)


def check_frame(
    luma: Plane,
    chroma: tuple[Plane, Plane] | None,
    polygons: Sequence[tuple[str, Mask]],
) -> FrameResult:
    """Audit one decoded frame: `luma` (rows × columns), optional chroma planes (4:2:0 or any
    subsampling: they are measured at their own size) and each polygon's mask at the luma's
    size. A fail anywhere fails the frame; otherwise any inconclusive polygon makes the frame
    inconclusive. A polygon too small to judge (`too_small`; its own verdict inconclusive) is
    left out: the others tell the frame's verdict (inconclusive when none is left)."""
    height, width = luma.shape
    radius = erosion(width)
    union = np.zeros((height, width), np.bool_)
    for _, mask in polygons:
        union |= mask
    reference = measure(luma, chroma, _erode(~union, radius))
    results = tuple(
        _judge(name, _measure_polygon(luma, chroma, mask, radius), reference)
        for name, mask in polygons
    )
    verdicts = {r.verdict for r in results if not r.too_small}
    if Verdict.FAIL in verdicts:
        verdict = Verdict.FAIL
    elif Verdict.INCONCLUSIVE in verdicts or not verdicts:
        verdict = Verdict.INCONCLUSIVE
    else:
        verdict = Verdict.PASS
    return FrameResult(verdict, width, height, results, reference)


def _judge(name: str, inside: Measures, reference: Measures) -> PolygonResult:
    if inside.pixels < MIN_PIXELS:
        return PolygonResult(name, Verdict.INCONCLUSIVE, "too small to judge", inside)
    if not inside.hidden:
        return PolygonResult(name, Verdict.FAIL, "detail visible inside the mask", inside)
    how = "uniform fill" if inside.uniform else "pixelated"
    if reference.pixels < MIN_PIXELS or reference.hidden:
        why = f"{how}, but the rest of the picture shows no detail either"
        return PolygonResult(name, Verdict.INCONCLUSIVE, why, inside)
    return PolygonResult(name, Verdict.PASS, how, inside)


def _measure_polygon(
    luma: Plane, chroma: tuple[Plane, Plane] | None, mask: Mask, radius: int
) -> Measures:
    """`measure` of the eroded polygon, on the planes cropped to its box (an even box, so
    that the chroma planes crop with it): a polygon costs its size, not the picture's."""
    if not mask.any():
        return measure(luma, chroma, mask)
    rows, cols = _box(mask)
    top, left = rows.start // 2 * 2, cols.start // 2 * 2
    bottom = min(luma.shape[0], rows.stop + rows.stop % 2)
    right = min(luma.shape[1], cols.stop + cols.stop % 2)
    crop = (slice(top, bottom), slice(left, right))
    inside = mask[crop]
    if top > 0 or left > 0 or bottom < luma.shape[0] or right < luma.shape[1]:
        padded = np.zeros((inside.shape[0] + 2, inside.shape[1] + 2), np.bool_)
        padded[1:-1, 1:-1] = inside  # the box's edge is not the picture's: erode past it
        inside = _erode(padded, radius)[1:-1, 1:-1]
    else:
        inside = _erode(inside, radius)
    planes = None
    if chroma is not None:
        sy, sx = luma.shape[0] // chroma[0].shape[0], luma.shape[1] // chroma[0].shape[1]
        ccrop = (slice(top // sy, -(-bottom // sy)), slice(left // sx, -(-right // sx)))
        planes = (chroma[0][ccrop], chroma[1][ccrop])
    width = luma.shape[1]
    return measure(luma[crop], planes, inside, coarse(width), cell_size(width))


def measure(
    luma: Plane,
    chroma: tuple[Plane, Plane] | None,
    mask: Mask,
    distance: int = 0,
    cell: int = 0,
) -> Measures:
    """The measures of the pixels of `mask` (see the module); `distance` > 0: also the share
    of flat pairs that far apart; `cell` > 0: also judge the mask cell by cell."""
    pixels = int(mask.sum())
    if pixels == 0:
        return Measures(0, 0.0, 0.0, 1.0, 0.0)
    rows, cols = _box(mask)
    y, m = luma[rows, cols].astype(np.int16), mask[rows, cols]
    pairs = _pairs(y, m, 1)
    flat = float((pairs <= FLAT_STEP).mean()) if pairs.size else 1.0
    detail = float(pairs.mean()) if pairs.size else 0.0
    far = _pairs(y, m, distance) if distance else pairs[:0]
    coarse_share = float((far <= FLAT_STEP).mean()) if far.size else 1.0
    chroma_std = max((_chroma_std(c, mask) for c in chroma), default=0.0) if chroma else 0.0
    cells, shown = _cells(y, m, distance, cell) if cell else (0, 0)
    return Measures(pixels, float(y[m].std()), chroma_std, flat, detail, coarse_share, cells, shown)


def _pairs(y: npt.NDArray[np.int16], m: Mask, d: int) -> npt.NDArray[np.int16]:
    """The absolute luma steps between the pixels of `m` `d` apart, across and down."""
    return np.concatenate(
        [
            np.abs(y[:, d:] - y[:, :-d])[m[:, d:] & m[:, :-d]],
            np.abs(y[d:, :] - y[:-d, :])[m[d:, :] & m[:-d, :]],
        ]
    )


def _cells(y: npt.NDArray[np.int16], m: Mask, distance: int, cell: int) -> tuple[int, int]:
    """Judge the mask by square cells of side `cell` (a strip of the scene left visible, or
    a fine mosaic, shows in its cells even when the whole looks masked): the cells judged
    (at least `CELL_FILL` of them inside) and those neither uniform nor coarse
    block-constant (`FLAT_MIN` of their neighbour pairs and `COARSE_MIN` of their pairs
    `distance` apart flat)."""
    n = _per_cell(m, cell)
    judged = n >= CELL_FILL * cell * cell
    if not judged.any():
        return 0, 0
    values = np.where(m, y, 0).astype(np.int32)
    count = np.maximum(n, 1)
    mean = _per_cell(values, cell) / count
    std = np.sqrt(np.maximum(_per_cell(values * values, cell) / count - mean * mean, 0.0))
    block = np.ones_like(judged)
    for d, share in ((1, FLAT_MIN), (distance, COARSE_MIN)):
        (across, a_in), (down, d_in) = _steps(y, m, d)
        flat = ((across <= FLAT_STEP) & a_in).view(np.uint8) + ((down <= FLAT_STEP) & d_in)
        pairs = a_in.view(np.uint8) + d_in
        block &= _per_cell(flat, cell) >= share * _per_cell(pairs, cell)
    shown = judged & ~((std <= STD_MAX) | block)
    return int(judged.sum()), int(shown.sum())


def _steps(y: npt.NDArray[np.int16], m: Mask, d: int) -> list[tuple[npt.NDArray[np.int16], Mask]]:
    """The luma steps to the pixel `d` across and `d` down, each at the first pixel's place
    (full size, zero where none), and whether both pixels are in `m`."""
    out = []
    for across in (True, False):
        step, inside = np.zeros(y.shape, np.int16), np.zeros(y.shape, np.bool_)
        if across and y.shape[1] > d:
            step[:, :-d] = np.abs(y[:, d:] - y[:, :-d])
            inside[:, :-d] = m[:, d:] & m[:, :-d]
        elif not across and y.shape[0] > d:
            step[:-d, :] = np.abs(y[d:, :] - y[:-d, :])
            inside[:-d, :] = m[d:, :] & m[:-d, :]
        out.append((step, inside))
    return out


def _per_cell(a: npt.NDArray[Any], cell: int) -> npt.NDArray[np.int64]:
    """The sums of `a` over square cells of side `cell` from its corner (the last ones cut)."""
    h, w = a.shape
    rows, cols = -(-h // cell), -(-w // cell)
    padded = np.zeros((rows * cell, cols * cell), np.int32)
    padded[:h, :w] = a
    sums: npt.NDArray[np.int64] = padded.reshape(rows, cell, cols, cell).sum(axis=(1, 3))
    return sums


def _chroma_std(plane: Plane, mask: Mask) -> float:
    """The deviation of a (subsampled) chroma plane over the pixels of the luma `mask`: a
    chroma sample counts when every luma pixel it covers is in the mask."""
    sy, sx = max(1, mask.shape[0] // plane.shape[0]), max(1, mask.shape[1] // plane.shape[1])
    rows, cols = mask.shape[0] // sy, mask.shape[1] // sx
    covered = np.ones((rows, cols), np.bool_)
    for dy in range(sy):
        for dx in range(sx):
            covered &= mask[dy : rows * sy : sy, dx : cols * sx : sx]
    values = plane[:rows, :cols][covered]
    return float(values.std()) if values.size else 0.0


def _box(mask: Mask) -> tuple[slice, slice]:
    """The smallest row and column ranges holding the mask (the arrays are cropped to it)."""
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    return slice(int(rows[0]), int(rows[-1]) + 1), slice(int(cols[0]), int(cols[-1]) + 1)


def _erode(mask: Mask, radius: int) -> Mask:
    """`mask` without the pixels within `radius` (4-neighbour steps) of its outside; the
    picture's edge counts as outside."""
    out = mask.copy()
    for _ in range(radius):
        shrunk = out.copy()
        shrunk[1:, :] &= out[:-1, :]
        shrunk[:-1, :] &= out[1:, :]
        shrunk[:, 1:] &= out[:, :-1]
        shrunk[:, :-1] &= out[:, 1:]
        shrunk[0, :] = shrunk[-1, :] = False
        shrunk[:, 0] = shrunk[:, -1] = False
        out = shrunk
    return out
