"""Privacy mask errors with their stable codes. Messages say what is wrong and what to do."""

from __future__ import annotations

from sentinelle.core.errors import Conflict, InvalidInput, NotFound, RuleViolation


def _where(index: int, name: str) -> dict[str, object]:
    return {"polygon": index, "name": name}


def polygon_empty(index: int, name: str) -> InvalidInput:
    return InvalidInput(
        "mask_polygon_empty", f"polygon {name!r} has no points; draw it", _where(index, name)
    )


def too_few_points(index: int, name: str, distinct: int) -> InvalidInput:
    return InvalidInput(
        "mask_polygon_too_few_points",
        f"polygon {name!r} has {distinct} distinct points; a polygon needs at least 3",
        _where(index, name) | {"distinct_points": distinct},
    )


def too_many_points(index: int, name: str, count: int, limit: int) -> InvalidInput:
    return InvalidInput(
        "mask_too_many_points",
        f"polygon {name!r} has {count} points, more than {limit}; simplify it",
        _where(index, name) | {"points": count, "limit": limit},
    )


def too_many_polygons(count: int, limit: int) -> InvalidInput:
    return InvalidInput(
        "mask_too_many_polygons",
        f"{count} polygons, more than {limit} per camera; merge neighbouring areas",
        {"polygons": count, "limit": limit},
    )


def outside_image(index: int, name: str, point: int) -> InvalidInput:
    return InvalidInput(
        "mask_outside_image",
        f"point {point + 1} of polygon {name!r} is outside the picture: coordinates are "
        "normalised, from 0 to 1",
        _where(index, name) | {"point": point},
    )


def zero_area(index: int, name: str) -> InvalidInput:
    return InvalidInput(
        "mask_polygon_zero_area",
        f"polygon {name!r} has no area (its points are on one line); it would hide nothing",
        _where(index, name),
    )


def self_intersecting(index: int, name: str, edges: tuple[int, int]) -> InvalidInput:
    return InvalidInput(
        "mask_self_intersecting",
        f"polygon {name!r} crosses itself (sides {edges[0] + 1} and {edges[1] + 1}); "
        "redraw it without crossings, or split it in two",
        _where(index, name) | {"edges": list(edges)},
    )


def duplicate_name(index: int, name: str) -> InvalidInput:
    return InvalidInput(
        "mask_name_duplicate",
        f"two polygons are named {name!r}; give each private area its own name",
        _where(index, name),
    )


def covers_image(fraction: float, limit: float) -> RuleViolation:
    return RuleViolation(
        "mask_covers_image",
        f"the masks hide {fraction:.0%} of the picture (limit {limit:.0%}): a camera that "
        "shows almost nothing must be taken out of service instead of masked",
        {"coverage": round(fraction, 4), "limit": limit},
    )


def preset_without_ptz(index: int, name: str, kind: str) -> InvalidInput:
    return InvalidInput(
        "mask_preset_without_ptz",
        f"polygon {name!r} is bound to a PTZ preset but this camera is {kind}, not PTZ; "
        "remove the preset",
        _where(index, name) | {"camera_kind": kind},
    )


def ptz_requires_camera_mode(unbound: list[str]) -> RuleViolation:
    return RuleViolation(
        "mask_ptz_requires_camera_mode",
        "a PTZ camera that moves freely must use camera-side masks: the server can only burn "
        "in polygons bound to a preset; bind every polygon to a preset or choose camera mode",
        {"unbound_polygons": unbound},
    )


def masks_unchanged(version: int) -> Conflict:
    return Conflict(
        "mask_unchanged", f"these masks are already version {version}; nothing to record"
    )


def mode_unchanged(mode: str) -> Conflict:
    return Conflict("mask_mode_unchanged", f"the camera is already in {mode} mode")


def mode_latched() -> RuleViolation:
    return RuleViolation(
        "mask_mode_latched",
        "a failed mask audit holds this camera in server mode; confirm the camera is fixed "
        "before choosing camera mode",
    )


def not_latched(camera_id: int) -> RuleViolation:
    return RuleViolation(
        "mask_not_latched",
        f"camera {camera_id} is not held in server mode by a failed audit; nothing to confirm",
    )


def version_not_found(camera_id: int, version: int) -> NotFound:
    return NotFound("mask_version_not_found", f"camera {camera_id} has no mask version {version}")


def reason_required(what: str) -> InvalidInput:
    return InvalidInput("reason_required", f"say why {what}: the journal keeps the reason")
