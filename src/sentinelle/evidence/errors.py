"""Evidence errors with their stable codes."""

from __future__ import annotations

from sentinelle.core.errors import Conflict, InvalidInput, NotFound, SentinelleError, Unavailable


def export_not_found(ref: object) -> NotFound:
    return NotFound("export_not_found", f"no export {ref}")


def range_in_future() -> InvalidInput:
    return InvalidInput("range_in_future", "the period starts in the future")


def no_footage(camera_code: str) -> NotFound:
    return NotFound("no_footage", f"camera {camera_code} has no recorded footage in the period")


def source_integrity(path: str, why: str) -> SentinelleError:
    return Unavailable(
        "source_integrity",
        f"the recorded segment {path} {why}: the export is refused and nothing was signed",
        {"segment": path},
    )


def export_not_cancellable(ref: str, status: str) -> Conflict:
    return Conflict("export_finished", f"export {ref} is already {status}")


class Cancelled(Exception):
    """Raised inside a running export when its cancellation was requested."""


def disk_full(path: str) -> Unavailable:
    return Unavailable(
        "export_disk_full",
        f"no space left to write the export in {path}; nothing was left behind",
    )


def interrupted(ref: str) -> Unavailable:
    return Unavailable(
        "export_interrupted", f"export {ref} was interrupted (process stopped); request it again"
    )
