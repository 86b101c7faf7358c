"""The plan on one frame (hidden regions) and its checks (error codes)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sentinelle.core.errors import InvalidInput
from sentinelle.privacy.anonymise.errors import MAX_MANUAL_REGIONS
from sentinelle.privacy.anonymise.geometry import intersection
from sentinelle.privacy.anonymise.models import (
    Analysis,
    Box,
    ManualRegion,
    RedactionPlan,
    Track,
    TrackBox,
    TrackKind,
    VideoFacts,
)
from sentinelle.privacy.anonymise.plan import PERSON_MARGIN, check_plan, hidden_regions

FACTS = VideoFacts(50, 10.0, 960, 540, "h264")


def still(
    track_id: int, kind: TrackKind, box: Box, first: int, last: int, parent: int | None = None
) -> Track:
    boxes = tuple(TrackBox(f, box) for f in range(first, last + 1))
    return Track(track_id, kind, boxes, parent, 1.0)


SUBJECT = Box(0.1, 0.2, 0.1, 0.5)
OTHER = Box(0.6, 0.2, 0.1, 0.5)
ANALYSIS = Analysis(
    FACTS,
    (
        still(1, TrackKind.PERSON, SUBJECT, 0, 49),
        still(2, TrackKind.PERSON, OTHER, 10, 30),
        still(3, TrackKind.FACE, Box(0.13, 0.22, 0.04, 0.06), 0, 49, parent=1),
        still(4, TrackKind.FACE, Box(0.63, 0.22, 0.04, 0.06), 10, 30, parent=2),
        still(5, TrackKind.PERSON, Box(0.95, 0.9, 0.1, 0.2), 0, 5),  # partly out of the picture
    ),
)


def test_everyone_is_hidden_by_default_grown_and_clipped() -> None:
    regions = hidden_regions(ANALYSIS, RedactionPlan(), 20)
    assert len(regions) == 4  # two people, two faces
    assert regions[0] == SUBJECT.grown(PERSON_MARGIN).clipped()
    early = hidden_regions(ANALYSIS, RedactionPlan(), 3)
    assert len(early) == 3  # the subject, its face, the one at the corner
    corner = early[2]
    assert corner.x + corner.w == 1.0
    assert corner.y + corner.h == 1.0
    assert len(hidden_regions(ANALYSIS, RedactionPlan(), 40)) == 2


def test_the_kept_subject_and_its_face_are_visible_the_others_hidden() -> None:
    plan = RedactionPlan(keep=frozenset({1}))
    for frame in range(50):
        regions = hidden_regions(ANALYSIS, plan, frame)
        assert not any(intersection(r, SUBJECT) > 0 for r in regions)
        assert any(intersection(r, OTHER) > 0 for r in regions) == (10 <= frame <= 30)


def test_a_dismissed_track_is_not_hidden_but_its_face_still_is() -> None:
    regions = hidden_regions(ANALYSIS, RedactionPlan(dismissed=frozenset({2})), 20)
    face_4 = ANALYSIS.tracks[3].boxes[0].box
    assert not any(r.w > 0.2 for r in regions if intersection(r, OTHER) > 0)  # no body box
    assert any(intersection(r, face_4) > 0 for r in regions)


def test_a_face_hidden_by_decision_stays_hidden_with_its_person_kept() -> None:
    face_3 = ANALYSIS.tracks[2].boxes[0].box
    kept = hidden_regions(ANALYSIS, RedactionPlan(keep=frozenset({1})), 20)
    assert not any(intersection(r, face_3) > 0 for r in kept)
    plan = RedactionPlan(keep=frozenset({1}), hidden=frozenset({3}))
    regions = hidden_regions(ANALYSIS, plan, 20)
    assert any(intersection(r, face_3) > 0 for r in regions)
    assert not any(r.h > 0.3 and intersection(r, SUBJECT) > 0 for r in regions)  # body shown


def test_keeping_never_unhides_an_overlapping_third_party() -> None:
    crossing = Analysis(
        FACTS,
        (
            still(1, TrackKind.PERSON, SUBJECT, 0, 9),
            still(2, TrackKind.PERSON, Box(0.15, 0.2, 0.1, 0.5), 0, 9),
        ),
    )
    regions = hidden_regions(crossing, RedactionPlan(keep=frozenset({1})), 3)
    assert regions == [Box(0.15, 0.2, 0.1, 0.5).grown(PERSON_MARGIN).clipped()]
    assert intersection(regions[0], SUBJECT) > 0


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 49), st.integers(0, 49), st.integers(0, 49))
def test_manual_regions_only_in_their_frames(first: int, length: int, frame: int) -> None:
    last = min(49, first + length)
    box = Box(0.3, 0.3, 0.1, 0.1)
    plan = RedactionPlan(
        keep=frozenset({1}),
        dismissed=frozenset({2, 4, 5}),
        manual=(ManualRegion("m", first, last, box),),
    )
    check_plan(ANALYSIS, plan)
    regions = hidden_regions(ANALYSIS, plan, frame)
    assert (box.clipped() in regions) == (first <= frame <= last)


REGION_BOX = Box(0.1, 0.1, 0.2, 0.2)


def region(first: int = 0, last: int = 5, box: Box = REGION_BOX, rid: str = "r") -> ManualRegion:
    return ManualRegion(rid, first, last, box)


@pytest.mark.parametrize(
    ("plan", "code"),
    [
        (RedactionPlan(keep=frozenset({9})), "redaction_unknown_track"),
        (RedactionPlan(dismissed=frozenset({0})), "redaction_unknown_track"),
        (
            RedactionPlan(keep=frozenset({1, 2}), dismissed=frozenset({2})),
            "redaction_keep_and_dismiss",
        ),
        (
            RedactionPlan(keep=frozenset({1}), hidden=frozenset({1})),
            "redaction_hidden_and_shown",
        ),
        (RedactionPlan(hidden=frozenset({42})), "redaction_unknown_track"),
        (RedactionPlan(manual=(region(first=-1),)), "redaction_region_invalid"),
        (RedactionPlan(manual=(region(last=50),)), "redaction_region_invalid"),
        (RedactionPlan(manual=(region(first=6, last=5),)), "redaction_region_invalid"),
        (RedactionPlan(manual=(region(box=Box(0.1, 0.1, 0.0, 0.2)),)), "redaction_region_invalid"),
        (RedactionPlan(manual=(region(box=Box(0.9, 0.1, 0.2, 0.2)),)), "redaction_region_invalid"),
        (RedactionPlan(manual=(region(box=Box(-0.1, 0.1, 0.2, 0.2)),)), "redaction_region_invalid"),
        (
            RedactionPlan(manual=(region(box=Box(float("nan"), 0.1, 0.2, 0.2)),)),
            "redaction_region_invalid",
        ),
        (RedactionPlan(manual=(region(rid=" "),)), "redaction_region_invalid"),
        (RedactionPlan(manual=(region(), region())), "redaction_region_duplicate"),
        (
            RedactionPlan(manual=tuple(region(rid=str(i)) for i in range(MAX_MANUAL_REGIONS + 1))),
            "redaction_too_many_regions",
        ),
    ],
)
def test_check_plan_errors(plan: RedactionPlan, code: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        check_plan(ANALYSIS, plan)
    assert caught.value.code == code


def test_a_good_plan_passes() -> None:
    manual = tuple(region(rid=str(i)) for i in range(MAX_MANUAL_REGIONS))
    check_plan(
        ANALYSIS, RedactionPlan(keep=frozenset({1}), dismissed=frozenset({5}), manual=manual)
    )
