"""Pure box arithmetic and the detection type shared by the detectors and the tracker (no
OpenCV here: the tracker and the plan import this)."""

from __future__ import annotations

from dataclasses import dataclass

from sentinelle.privacy.anonymise.models import Box, TrackKind


@dataclass(frozen=True, slots=True)
class Detection:
    """One box a detector found in a frame (normalised), with its score: the HOG SVM margin
    for people, the number of neighbouring hits for faces."""

    kind: TrackKind
    box: Box
    score: float


def intersection(a: Box, b: Box) -> float:
    """The area the two boxes share (0 when they do not overlap)."""
    iw = min(a.x + a.w, b.x + b.w) - max(a.x, b.x)
    ih = min(a.y + a.h, b.y + b.h) - max(a.y, b.y)
    return iw * ih if iw > 0 and ih > 0 else 0.0


def iou(a: Box, b: Box) -> float:
    """Intersection over union of two boxes (0 when either is empty)."""
    inter = intersection(a, b)
    if inter <= 0:
        return 0.0
    union = a.w * a.h + b.w * b.h - inter
    return inter / union if union > 0 else 0.0


def lerp(a: Box, b: Box, t: float) -> Box:
    """The box a fraction `t` of the way from `a` to `b`."""
    return Box(
        a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t, a.w + (b.w - a.w) * t, a.h + (b.h - a.h) * t
    )


def shifted(box: Box, dx: float, dy: float) -> Box:
    """The box moved by (dx, dy)."""
    return Box(box.x + dx, box.y + dy, box.w, box.h)


def hull(a: Box, b: Box) -> Box:
    """The smallest box holding both."""
    x0, y0 = min(a.x, b.x), min(a.y, b.y)
    x1, y1 = max(a.x + a.w, b.x + b.w), max(a.y + a.h, b.y + b.h)
    return Box(x0, y0, x1 - x0, y1 - y0)


def centre_inside(inner: Box, outer: Box) -> bool:
    """Whether the centre of `inner` lies in `outer`."""
    cx, cy = inner.x + inner.w / 2, inner.y + inner.h / 2
    return outer.x <= cx <= outer.x + outer.w and outer.y <= cy <= outer.y + outer.h
