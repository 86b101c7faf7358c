"""Analyses and plans to JSON and back; garbage is refused with its code."""

from __future__ import annotations

import json
from typing import Any

import pytest

from sentinelle.core.errors import InvalidInput
from sentinelle.privacy.anonymise.models import (
    Analysis,
    Box,
    Effect,
    ManualRegion,
    RedactionPlan,
    Track,
    TrackBox,
    TrackKind,
    VideoFacts,
)
from sentinelle.privacy.anonymise.serial import (
    analysis_from_json,
    analysis_to_json,
    plan_from_json,
    plan_to_json,
)

ANALYSIS = Analysis(
    VideoFacts(30, 25.0, 1280, 720, "hevc"),
    (
        Track(
            1,
            TrackKind.PERSON,
            (TrackBox(0, Box(0.1, 0.2, 0.3, 0.4)), TrackBox(1, Box(0.12, 0.2, 0.3, 0.4), False)),
            None,
            2.5,
        ),
        Track(2, TrackKind.FACE, (TrackBox(1, Box(0.2, 0.21, 0.05, 0.06)),), 1, 12.0),
    ),
    {"person": "hog", "params": {"working_width": 640}},
)
PLAN = RedactionPlan(
    Effect.PIXELATE,
    frozenset({1}),
    frozenset({2}),
    (ManualRegion("a", 0, 10, Box(0.5, 0.5, 0.1, 0.25)),),
    frozenset({3}),
)


def test_round_trips_through_json_text() -> None:
    text = json.dumps(analysis_to_json(ANALYSIS))
    assert analysis_from_json(json.loads(text)) == ANALYSIS
    assert plan_from_json(json.loads(json.dumps(plan_to_json(PLAN)))) == PLAN
    assert plan_from_json({}) == RedactionPlan()


def broken(mutate: Any) -> dict[str, Any]:
    doc = json.loads(json.dumps(analysis_to_json(ANALYSIS)))
    mutate(doc)
    return doc  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    "doc",
    [
        None,
        [],
        "analysis",
        {},
        broken(lambda d: d.update(version=2)),
        broken(lambda d: d["facts"].update(frames="30")),
        broken(lambda d: d["facts"].update(fps=float("nan"))),
        broken(lambda d: d["tracks"][0].update(kind="car")),
        broken(lambda d: d["tracks"][0].update(boxes=[])),
        broken(lambda d: d["tracks"][0]["boxes"][0].pop()),
        broken(lambda d: d["tracks"][0]["boxes"].reverse()),
        broken(lambda d: d["tracks"][0]["boxes"][1].__setitem__(0, 30)),
        broken(lambda d: d["tracks"][0]["boxes"][0].__setitem__(3, -0.1)),
        broken(lambda d: d["tracks"][1].update(id=1)),
        broken(lambda d: d["tracks"][1].update(parent=True)),
    ],
)
def test_garbage_analysis_is_refused(doc: Any) -> None:
    with pytest.raises(InvalidInput) as caught:
        analysis_from_json(doc)
    assert caught.value.code == "redaction_document_invalid"


@pytest.mark.parametrize(
    "doc",
    [
        None,
        {"effect": "smudge"},
        {"keep": [1.5]},
        {"keep": "1"},
        {"dismissed": [-1]},
        {"manual": [{"id": "a", "first_frame": 0, "last_frame": 1}]},
        {"manual": [{"id": 3, "first_frame": 0, "last_frame": 1, "box": [0, 0, 1, 1]}]},
        {"manual": [{"id": "a", "first_frame": 0, "last_frame": 1, "box": [0, 0, 1]}]},
        {"manual": [{"id": "a", "first_frame": 0, "last_frame": 1, "box": [0, 0, "1", 1]}]},
        {"manual": ["a"]},
    ],
)
def test_garbage_plan_is_refused(doc: Any) -> None:
    with pytest.raises(InvalidInput) as caught:
        plan_from_json(doc)
    assert caught.value.code == "redaction_document_invalid"
