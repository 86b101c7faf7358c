"""Pure decisions on layouts: what a valid layout is, what a reader may see of one."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sentinelle.wall import errors
from sentinelle.wall.models import GRIDS

InScope = Callable[[int], bool]


def check_tiles(grid: int, tiles: Sequence[int | None]) -> tuple[int | None, ...]:
    """The tiles padded to the grid; refuses unknown grids, overflow and a camera twice."""
    if grid not in GRIDS:
        raise errors.invalid_grid(grid)
    if len(tiles) > grid:
        raise errors.too_many_tiles(grid, len(tiles))
    seen: set[int] = set()
    for camera_id in tiles:
        if camera_id is None:
            continue
        if camera_id in seen:
            raise errors.duplicate_camera(camera_id)
        seen.add(camera_id)
    return (*tiles, *([None] * (grid - len(tiles))))


def visible_tiles(
    tiles: Sequence[int | None], in_scope: InScope
) -> tuple[tuple[int | None, ...], int]:
    """The tiles a reader may see (cameras out of their scope become empty) and how many
    were emptied: a shared preset never reveals a camera to someone who may not watch it."""
    shown = tuple(c if c is not None and in_scope(c) else None for c in tiles)
    hidden = sum(1 for c, s in zip(tiles, shown, strict=True) if c is not None and s is None)
    return shown, hidden
