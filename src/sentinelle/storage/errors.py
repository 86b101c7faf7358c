"""Storage errors with their stable codes."""

from __future__ import annotations

from sentinelle.core.errors import Conflict, InvalidInput, NotFound


def hold_not_found(ref: object) -> NotFound:
    return NotFound("hold_not_found", f"no legal hold {ref}")


def hold_already_released(ref: int) -> Conflict:
    return Conflict("hold_already_released", f"legal hold {ref} is already released")


def invalid_segment(message: str) -> InvalidInput:
    return InvalidInput("invalid_segment", message)
