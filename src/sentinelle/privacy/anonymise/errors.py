"""Anonymisation errors with their stable codes: a bad redaction plan, a source file that
cannot be read, a frame out of range. Messages say what is wrong and what to do."""

from __future__ import annotations

from pathlib import Path

from sentinelle.core.errors import InvalidInput, NotFound, Unavailable

MAX_MANUAL_REGIONS = 500


def unknown_track(track_id: int) -> InvalidInput:
    return InvalidInput(
        "redaction_unknown_track",
        f"track {track_id} is not in this analysis; choose among the tracks it found",
        {"track": track_id},
    )


def keep_and_dismiss(track_id: int) -> InvalidInput:
    return InvalidInput(
        "redaction_keep_and_dismiss",
        f"track {track_id} is both kept visible and dismissed; choose one",
        {"track": track_id},
    )


def hidden_and_shown(track_id: int) -> InvalidInput:
    return InvalidInput(
        "redaction_hidden_and_shown",
        f"track {track_id} is both hidden and kept or dismissed; choose one",
        {"track": track_id},
    )


def region_invalid(region_id: str, why: str) -> InvalidInput:
    return InvalidInput(
        "redaction_region_invalid",
        f"manual region {region_id!r}: {why}; redraw it",
        {"region": region_id, "why": why},
    )


def region_duplicate(region_id: str) -> InvalidInput:
    return InvalidInput(
        "redaction_region_duplicate",
        f"two manual regions are named {region_id!r}; give each its own id",
        {"region": region_id},
    )


def too_many_regions(count: int) -> InvalidInput:
    return InvalidInput(
        "redaction_too_many_regions",
        f"{count} manual regions, more than {MAX_MANUAL_REGIONS}; merge neighbouring ones "
        "or lengthen them over more frames",
        {"regions": count, "limit": MAX_MANUAL_REGIONS},
    )


def source_missing(path: Path) -> Unavailable:
    return Unavailable(
        "redaction_source_missing",
        f"the source file {path.name} cannot be found; export the footage again",
        {"file": path.name},
    )


def source_unreadable(path: Path, detail: str) -> InvalidInput:
    return InvalidInput(
        "redaction_source_unreadable",
        f"the source file {path.name} cannot be decoded ({detail}); export the footage again",
        {"file": path.name, "detail": detail},
    )


def source_empty(path: Path) -> InvalidInput:
    return InvalidInput(
        "redaction_source_empty",
        f"the source file {path.name} holds no video frame; export the footage again",
        {"file": path.name},
    )


def analysis_mismatch(path: Path, what: str) -> InvalidInput:
    return InvalidInput(
        "redaction_analysis_mismatch",
        f"the analysis does not describe {path.name} ({what}); analyse that file again",
        {"file": path.name, "what": what},
    )


def render_failed(path: Path, detail: str) -> Unavailable:
    return Unavailable(
        "redaction_render_failed",
        f"the redacted copy {path.name} could not be written ({detail}); check the disk "
        "and try again",
        {"file": path.name, "detail": detail},
    )


def detector_unavailable(what: str) -> Unavailable:
    return Unavailable(
        "redaction_detector_unavailable",
        f"OpenCV's {what} cannot be loaded; reinstall the opencv-python-headless package",
        {"detector": what},
    )


def frame_out_of_range(index: int, frames: int) -> NotFound:
    return NotFound(
        "redaction_frame_not_found",
        f"frame {index} is not in the source, which has {frames} frames (0 to {frames - 1})",
        {"frame": index, "frames": frames},
    )


def bad_document(what: str, why: str) -> InvalidInput:
    return InvalidInput(
        "redaction_document_invalid",
        f"the stored {what} is not valid ({why}); analyse the footage again",
        {"what": what, "why": why},
    )
