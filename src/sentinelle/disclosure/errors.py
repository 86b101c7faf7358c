"""Disclosure errors with their stable codes."""

from __future__ import annotations

from sentinelle.core.errors import Conflict, InvalidInput, NotFound, SentinelleError, Unavailable


def disclosure_not_found(ref: object) -> NotFound:
    return NotFound("disclosure_not_found", f"no disclosure {ref}")


def export_not_ready(reference: str, status: str) -> Conflict:
    return Conflict(
        "export_not_ready", f"export {reference} is {status}; only a finished export is disclosed"
    )


def file_not_in_export(reference: str, file: str) -> InvalidInput:
    return InvalidInput(
        "disclosure_file_unknown",
        f"export {reference} lists no video {file!r}; choose one of its manifest's items",
        {"file": file},
    )


def source_integrity(file: str, why: str) -> SentinelleError:
    return Unavailable(
        "disclosure_source_integrity",
        f"the exported file {file} {why}: nothing was anonymised nor signed",
        {"file": file},
    )


def wrong_status(reference: str, status: str, action: str) -> Conflict:
    return Conflict(
        "disclosure_wrong_status", f"disclosure {reference} is {status}: cannot {action} now"
    )


def plan_missing(reference: str) -> Conflict:
    return Conflict(
        "disclosure_plan_missing",
        f"disclosure {reference} has no reviewed plan: review the detections and save first",
    )


def plan_outdated(reference: str) -> Conflict:
    return Conflict(
        "disclosure_plan_outdated",
        f"the plan of {reference} was changed by someone else meanwhile; reload it",
    )


def disk_full(path: str) -> Unavailable:
    return Unavailable(
        "disclosure_disk_full",
        f"no space left to write the disclosure in {path}; nothing was left behind",
    )


class Cancelled(Exception):
    """Raised inside a running job when its disclosure was cancelled."""


def too_long(file: str, seconds: float, limit: int) -> InvalidInput:
    return InvalidInput(
        "disclosure_too_long",
        f"{file} lasts {seconds / 60:.0f} min, more than {limit // 60} min: export only the"
        " minutes concerned, then anonymise that file",
        {"seconds": round(seconds, 1), "limit": limit},
    )
