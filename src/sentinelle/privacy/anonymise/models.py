"""Anonymisation vocabulary: what the detectors found (tracks of boxes over frames), what the
agent decided (the redaction plan) and what a run produced. Immutable types, no I/O.

Boxes are normalised to the picture like mask polygons: (0, 0) is the top-left corner, (1, 1)
the bottom-right one. Frames are counted from 0 in presentation order of the source file.
No identity is ever attached to a track: a track is "the same shape seen in consecutive
frames", nothing more (product rule 10: no recognition, no identification).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class TrackKind(StrEnum):
    """What a detector saw."""

    PERSON = "person"  # a whole body (HOG people detector)
    FACE = "face"  # a face (Haar cascade); linked to the person it lies in, if any


class Effect(StrEnum):
    """How a hidden region is made unrecognisable."""

    BLUR = "blur"  # a strong blur: shapes stay, no face or detail can be recovered
    PIXELATE = "pixelate"  # coarse blocks


@dataclass(frozen=True, slots=True)
class Box:
    """An axis-aligned rectangle, normalised: x, y of the top-left corner, width, height."""

    x: float
    y: float
    w: float
    h: float

    def clipped(self) -> Box:
        """The part of the box inside the picture (may be empty: w or h == 0)."""
        x0, y0 = min(max(self.x, 0.0), 1.0), min(max(self.y, 0.0), 1.0)
        x1, y1 = min(max(self.x + self.w, 0.0), 1.0), min(max(self.y + self.h, 0.0), 1.0)
        return Box(x0, y0, max(0.0, x1 - x0), max(0.0, y1 - y0))

    def grown(self, margin: float) -> Box:
        """The box enlarged by `margin` of its own size on every side (fails closed)."""
        dx, dy = self.w * margin, self.h * margin
        return Box(self.x - dx, self.y - dy, self.w + 2 * dx, self.h + 2 * dy)

    def as_list(self) -> list[float]:
        return [round(self.x, 5), round(self.y, 5), round(self.w, 5), round(self.h, 5)]


@dataclass(frozen=True, slots=True)
class TrackBox:
    """Where a track is in one frame; `detected` is False for a box the tracker interpolated
    or extended over frames where the detector missed it."""

    frame: int
    box: Box
    detected: bool = True


@dataclass(frozen=True, slots=True)
class Track:
    """One shape followed over consecutive frames. `parent` is the person track a face lies
    in (keeping that person visible keeps the face visible too)."""

    id: int
    kind: TrackKind
    boxes: tuple[TrackBox, ...]  # sorted by frame, at most one per frame
    parent: int | None = None
    score: float = 0.0  # the best detector score seen

    @property
    def first_frame(self) -> int:
        return self.boxes[0].frame

    @property
    def last_frame(self) -> int:
        return self.boxes[-1].frame

    def box_at(self, frame: int) -> Box | None:
        """The track's box in `frame`, or None when the track is not there."""
        lo, hi = 0, len(self.boxes)
        while lo < hi:
            mid = (lo + hi) // 2
            if self.boxes[mid].frame < frame:
                lo = mid + 1
            else:
                hi = mid
        if lo < len(self.boxes) and self.boxes[lo].frame == frame:
            return self.boxes[lo].box
        return None


@dataclass(frozen=True, slots=True)
class VideoFacts:
    """What the source file is: frame count, rate, size, codec."""

    frames: int
    fps: float
    width: int
    height: int
    codec: str


@dataclass(frozen=True, slots=True)
class Analysis:
    """The detectors' and tracker's result for one source file, with the parameters used
    (they go into the redaction log)."""

    facts: VideoFacts
    tracks: tuple[Track, ...]
    detector: dict[str, Any] = field(default_factory=dict)  # names, versions, parameters

    def track(self, track_id: int) -> Track | None:
        return next((t for t in self.tracks if t.id == track_id), None)


@dataclass(frozen=True, slots=True)
class ManualRegion:
    """A region the agent added by hand: hidden from `first_frame` to `last_frame`
    (inclusive) at `box`."""

    id: str
    first_frame: int
    last_frame: int
    box: Box


@dataclass(frozen=True, slots=True)
class RedactionPlan:
    """The agent's decisions. Every track is hidden unless its id is in `keep` (the person
    concerned, and the faces linked to them) or in `dismissed` (not a person: a false
    detection the agent removed); every manual region is hidden. A face in `hidden` is hidden
    even when the person it is linked to is kept (a bystander's face the tracker linked to
    the subject). Where a hidden region overlaps a kept one, hiding wins (third parties
    first)."""

    effect: Effect = Effect.BLUR
    keep: frozenset[int] = frozenset()
    dismissed: frozenset[int] = frozenset()
    manual: tuple[ManualRegion, ...] = ()
    hidden: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class RenderStats:
    """What a render did: frames written, frames with at least one hidden region, the number
    of regions hidden over the whole file, and the encoder used."""

    frames: int
    frames_redacted: int
    regions: int
    encoder: str
