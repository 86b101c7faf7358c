"""Masked exports (privacy, issue 6 item 4): which recorded segments of an export must leave
the system re-encoded with the privacy masks applied.

A segment recorded while the camera masked itself (`mask_version` NULL) that overlaps a mask
flag — footage of a period when a mask audit found the camera's own masks failing — is
decoded, each frame masked with the version in force at its instant and encoded again
(`playback.masking.reencode`, the burn-in's masking), into a fragmented MP4 like the recorded
ones, which the export then copies instead of the source. Whole segments are re-encoded (the
simplest correct shape: a segment starts at a keyframe, so no GOP is cut). A server-mode
segment is already masked and a segment outside every flag is copied losslessly, as before.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import av
import av.error

from sentinelle.core.errors import Unavailable
from sentinelle.ingest.writer import MaskStamp
from sentinelle.playback import masking
from sentinelle.privacy import audit_service
from sentinelle.privacy import service as privacy_service
from sentinelle.privacy.audit_service import MaskFlag
from sentinelle.runtime import Runtime
from sentinelle.storage.tables import SegmentRow

# The manifest's statement, in the manifest's language (English, like its keys).
STATEMENT = (
    "Re-encoded for privacy (CSI L251-3): this footage was recorded while the camera applied "
    "its own masks and a mask audit found them failing; the masks in force at each instant "
    "were burnt in by Sentinelle. The listed source segments are not included: their SHA-256 "
    "are recorded for the chain of custody."
)


@dataclass(frozen=True, slots=True)
class MaskedSource:
    """A source segment and its re-encoded bytes, with why and how it was masked."""

    row: SegmentRow
    data: bytes  # the re-encoded segment (fragmented MP4, as recorded segments are)
    flags: tuple[MaskFlag, ...]
    masks: tuple[MaskStamp, ...]  # the versions burnt in, in order of first use


Masker = Callable[[SegmentRow, memoryview], MaskedSource | None]


def no_masking(row: SegmentRow, data: memoryview) -> MaskedSource | None:
    """The masker of a camera without flags: every segment is copied losslessly."""
    return None


def masker(rt: Runtime, camera_id: int) -> Masker:
    """The masker of one camera of an export: re-encodes its flagged camera-mode segments."""
    flags = audit_service.flags(rt, camera_id)
    if not flags:
        return no_masking
    masks = privacy_service.camera_masks(rt, camera_id)

    def mask(row: SegmentRow, data: memoryview) -> MaskedSource | None:
        hits = flagged(row, flags)
        if not hits:
            return None
        versions = masking.versions_of(rt, camera_id, row.start_at, row.end_at)
        choose = masking.chooser(versions)
        try:
            encoded, used = masking.reencode(data, row.start_at, choose, masks)
        except (av.error.FFmpegError, OSError, ValueError) as exc:
            raise reencode_failed(row.path, exc) from exc
        return MaskedSource(row, encoded, hits, used)

    return mask


def reencode_failed(path: str, exc: Exception) -> Unavailable:
    """A flagged segment could not be masked: the export fails rather than leak it (P1)."""
    return Unavailable(
        "privacy_reencode_failed",
        f"the recorded segment {path} must be masked (a mask audit failed) but could not be "
        f"re-encoded ({type(exc).__name__}): the export is refused and nothing was signed",
        {"segment": path},
    )


def flagged(row: SegmentRow, flags: list[MaskFlag]) -> tuple[MaskFlag, ...]:
    """The flags a camera-mode segment overlaps (none for a server-mode segment)."""
    return masking.flagged(row.start_at, row.end_at, row.mask_version, flags)
