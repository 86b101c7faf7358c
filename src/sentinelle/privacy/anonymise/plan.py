"""The redaction plan applied to one frame (pure): which regions are hidden, and the checks a
plan must pass before it is rendered.

Hidden in a frame: every track that is neither kept nor dismissed, at its box in that frame
grown by a margin (people `PERSON_MARGIN`, faces `FACE_MARGIN` of their size on every side)
and clipped to the picture; a face linked to a kept person is kept with it; every manual
region active in that frame. Keeping a track never un-hides another one that overlaps it:
third parties first.
"""

from __future__ import annotations

import math

from sentinelle.privacy.anonymise import errors
from sentinelle.privacy.anonymise.models import (
    Analysis,
    Box,
    ManualRegion,
    RedactionPlan,
    Track,
    TrackKind,
)

PERSON_MARGIN = 0.08  # HOG boxes already hold a border around the body
FACE_MARGIN = 0.25
MIN_REGION = 0.002  # a manual box narrower or lower than this share of the picture is refused


def visible_tracks(analysis: Analysis, plan: RedactionPlan) -> set[int]:
    """The ids of the tracks left visible: kept, dismissed, and faces of kept people unless
    the agent hid them explicitly."""
    shown = set(plan.keep) | set(plan.dismissed)
    for t in analysis.tracks:
        if t.kind == TrackKind.FACE and t.parent is not None and t.parent in plan.keep:
            shown.add(t.id)
    return shown - set(plan.hidden)


def hidden_regions(analysis: Analysis, plan: RedactionPlan, frame: int) -> list[Box]:
    """The regions to hide in `frame`, clipped to the picture, none empty."""
    shown = visible_tracks(analysis, plan)
    regions = []
    for t in analysis.tracks:
        if t.id in shown or not t.first_frame <= frame <= t.last_frame:
            continue
        box = t.box_at(frame)
        if box is not None:
            regions.append(box.grown(_margin(t)).clipped())
    regions.extend(r.box.clipped() for r in plan.manual if r.first_frame <= frame <= r.last_frame)
    return [b for b in regions if b.w > 0 and b.h > 0]


def _margin(track: Track) -> float:
    return FACE_MARGIN if track.kind == TrackKind.FACE else PERSON_MARGIN


def check_plan(analysis: Analysis, plan: RedactionPlan) -> None:
    """Raise the first problem of the plan against the analysis (codes in `errors`)."""
    known = {t.id for t in analysis.tracks}
    for track_id in sorted(plan.keep | plan.dismissed | plan.hidden):
        if track_id not in known:
            raise errors.unknown_track(track_id)
    for track_id in sorted(plan.keep & plan.dismissed):
        raise errors.keep_and_dismiss(track_id)
    for track_id in sorted(plan.hidden & (plan.keep | plan.dismissed)):
        raise errors.hidden_and_shown(track_id)
    if len(plan.manual) > errors.MAX_MANUAL_REGIONS:
        raise errors.too_many_regions(len(plan.manual))
    seen: set[str] = set()
    for region in plan.manual:
        if region.id in seen:
            raise errors.region_duplicate(region.id)
        seen.add(region.id)
        problem = region_problem(region, analysis.facts.frames)
        if problem:
            raise errors.region_invalid(region.id, problem)


def region_problem(region: ManualRegion, frames: int) -> str | None:
    """Why a manual region is unusable in a source of `frames` frames, or None."""
    if not region.id.strip() or len(region.id) > 64:
        return "its id must be 1 to 64 characters"
    if region.first_frame < 0 or region.last_frame >= frames:
        return f"its frames must lie between 0 and {frames - 1}"
    if region.first_frame > region.last_frame:
        return "its first frame comes after its last"
    return box_problem(region.box)


def box_problem(b: Box) -> str | None:
    """Why a manual box is unusable (not a number, empty, out of the picture), or None."""
    if not all(math.isfinite(v) for v in (b.x, b.y, b.w, b.h)):
        return "its box is not a number"
    if b.w < MIN_REGION or b.h < MIN_REGION:
        return "its box is empty"
    if b.x < 0 or b.y < 0 or b.x + b.w > 1 + 1e-9 or b.y + b.h > 1 + 1e-9:
        return "its box goes out of the picture (coordinates are from 0 to 1)"
    return None
