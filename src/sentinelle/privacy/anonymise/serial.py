"""Analyses and redaction plans as plain JSON types (dicts, lists, numbers, strings), and back
with their shape checked: anything else raises `redaction_document_invalid`.

An analysis: `{"version": 1, "facts": {...}, "detector": {...}, "tracks": [{"id", "kind",
"parent", "score", "boxes": [[frame, x, y, w, h, detected], ...]}]}` (coordinates rounded to
5 decimals, detected 1 or 0). A plan: `{"effect", "keep": [ids], "dismissed": [ids],
"manual": [{"id", "first_frame", "last_frame", "box": [x, y, w, h]}]}`.
"""

from __future__ import annotations

import math
from typing import Any

from sentinelle.core.errors import InvalidInput
from sentinelle.privacy.anonymise import errors
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

VERSION = 1


def analysis_to_json(a: Analysis) -> dict[str, Any]:
    """The analysis as JSON types."""
    f = a.facts
    return {
        "version": VERSION,
        "facts": {
            "frames": f.frames,
            "fps": f.fps,
            "width": f.width,
            "height": f.height,
            "codec": f.codec,
        },
        "detector": a.detector,
        "tracks": [
            {
                "id": t.id,
                "kind": t.kind.value,
                "parent": t.parent,
                "score": round(t.score, 4),
                "boxes": [[b.frame, *b.box.as_list(), int(b.detected)] for b in t.boxes],
            }
            for t in a.tracks
        ],
    }


def analysis_from_json(d: Any) -> Analysis:
    """The analysis back from JSON types; InvalidInput if its shape is wrong."""
    try:
        return _analysis(d)
    except InvalidInput:
        raise
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise errors.bad_document("analysis", f"{type(exc).__name__}: {exc}") from exc


def _analysis(d: Any) -> Analysis:
    doc = _dict(d, "analysis")
    if doc.get("version") != VERSION:
        raise errors.bad_document("analysis", f"version {doc.get('version')!r}, not {VERSION}")
    f = _dict(doc["facts"], "facts")
    facts = VideoFacts(
        _int(f["frames"], 0),
        _num(f["fps"]),
        _int(f["width"], 1),
        _int(f["height"], 1),
        _str(f["codec"]),
    )
    tracks = tuple(_track(t, facts.frames) for t in _list(doc["tracks"], "tracks"))
    ids = [t.id for t in tracks]
    if len(set(ids)) != len(ids):
        raise errors.bad_document("analysis", "two tracks share an id")
    return Analysis(facts, tracks, _dict(doc.get("detector", {}), "detector"))


def _track(t: Any, frames: int) -> Track:
    row = _dict(t, "track")
    boxes: list[TrackBox] = []
    for b in _list(row["boxes"], "boxes"):
        cells = _list(b, "box")
        if len(cells) != 6:
            raise errors.bad_document("analysis", "a track box has not 6 values")
        frame = _int(cells[0], 0)
        if frame >= frames or (boxes and frame <= boxes[-1].frame):
            raise errors.bad_document("analysis", "track boxes out of order or out of range")
        boxes.append(TrackBox(frame, _box(cells[1:5]), bool(_int(cells[5], 0))))
    if not boxes:
        raise errors.bad_document("analysis", "a track has no box")
    parent = row.get("parent")
    return Track(
        _int(row["id"], 1),
        TrackKind(row["kind"]),
        tuple(boxes),
        None if parent is None else _int(parent, 1),
        _num(row.get("score", 0.0)),
    )


def plan_to_json(p: RedactionPlan) -> dict[str, Any]:
    """The plan as JSON types."""
    return {
        "effect": p.effect.value,
        "keep": sorted(p.keep),
        "dismissed": sorted(p.dismissed),
        "hidden": sorted(p.hidden),
        "manual": [
            {
                "id": r.id,
                "first_frame": r.first_frame,
                "last_frame": r.last_frame,
                "box": r.box.as_list(),
            }
            for r in p.manual
        ],
    }


def plan_from_json(d: Any) -> RedactionPlan:
    """The plan back from JSON types; InvalidInput if its shape is wrong (its content is
    judged against an analysis by `plan.check_plan`)."""
    try:
        doc = _dict(d, "plan")
        manual = tuple(
            ManualRegion(
                _str(r["id"]),
                _int(r["first_frame"], 0),
                _int(r["last_frame"], 0),
                _box(_list(r["box"], "box")),
            )
            for r in (_dict(x, "region") for x in _list(doc.get("manual", []), "manual"))
        )
        return RedactionPlan(
            Effect(doc.get("effect", Effect.BLUR.value)),
            frozenset(_int(i, 1) for i in _list(doc.get("keep", []), "keep")),
            frozenset(_int(i, 1) for i in _list(doc.get("dismissed", []), "dismissed")),
            manual,
            frozenset(_int(i, 1) for i in _list(doc.get("hidden", []), "hidden")),
        )
    except InvalidInput:
        raise
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise errors.bad_document("plan", f"{type(exc).__name__}: {exc}") from exc


def _box(cells: list[Any]) -> Box:
    if len(cells) != 4:
        raise ValueError("a box has 4 values: x, y, w, h")
    x, y, w, h = (_num(c) for c in cells)
    if w < 0 or h < 0:
        raise ValueError("a box has a negative size")
    return Box(x, y, w, h)


def _dict(v: Any, what: str) -> dict[str, Any]:
    if not isinstance(v, dict):
        raise TypeError(f"{what} is not an object")
    return v


def _list(v: Any, what: str) -> list[Any]:
    if not isinstance(v, list):
        raise TypeError(f"{what} is not a list")
    return v


def _int(v: Any, least: int) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or v < least:
        raise ValueError(f"{v!r} is not an integer of at least {least}")
    return v


def _num(v: Any) -> float:
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
        raise ValueError(f"{v!r} is not a finite number")
    return float(v)


def _str(v: Any) -> str:
    if not isinstance(v, str):
        raise TypeError(f"{v!r} is not a string")
    return v
