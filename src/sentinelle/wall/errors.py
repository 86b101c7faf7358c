"""Wall layout errors with their stable codes."""

from __future__ import annotations

from sentinelle.core.errors import Conflict, Forbidden, InvalidInput, NotFound


def layout_not_found(layout_id: int) -> NotFound:
    return NotFound("layout_not_found", f"no layout {layout_id}")


def layout_name_taken(name: str) -> Conflict:
    return Conflict("layout_name_taken", f"you already have a layout named {name!r}")


def invalid_grid(grid: int) -> InvalidInput:
    return InvalidInput("invalid_grid", f"a wall has 1, 4, 9 or 16 tiles, not {grid}")


def too_many_tiles(grid: int, tiles: int) -> InvalidInput:
    return InvalidInput("too_many_tiles", f"{tiles} tiles do not fit a grid of {grid}")


def duplicate_camera(camera_id: int) -> InvalidInput:
    return InvalidInput("duplicate_camera", f"camera {camera_id} is on two tiles")


def layout_not_owned(layout_id: int) -> Forbidden:
    return Forbidden("layout_not_owned", f"layout {layout_id} belongs to someone else")
