"""A generated street clip with pedestrian-like figures on known trajectories, for the
anonymisation tests and benchmark: the ground truth (each figure's box in each frame) and
which figure is the subject (the person concerned by a disclosure).

The scene: a façade with windows over a tiled pavement, fine noise for texture (static, so
that what a redaction removes can be measured against the source). The figures: standing
adults drawn with the proportions HOG was trained on (head about 1/8 of the height, legs about
1/2), legs swinging as they walk, optionally with a procedural frontal face. Nothing of this
ground truth is ever given to the detector: the tests compare its output to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import av
import av.video
import numpy as np
import numpy.typing as npt

from sentinelle.demo.walkers import Figure, background, draw_figure
from sentinelle.privacy.anonymise.effects import pixel_rect
from sentinelle.privacy.anonymise.geometry import intersection
from sentinelle.privacy.anonymise.models import Analysis, Box, RedactionPlan, TrackKind
from sentinelle.privacy.anonymise.plan import hidden_regions


@dataclass(frozen=True, slots=True)
class PeopleClip:
    """The generated file and its ground truth: `truth[frame][figure]` is that figure's box
    (normalised, clipped to the picture) in that frame, absent when it is not visible."""

    path: Path
    width: int
    height: int
    fps: int
    frames: int
    figures: tuple[Figure, ...]
    subject: int
    truth: tuple[dict[int, Box], ...] = field(default=())

    def third_parties(self) -> list[int]:
        return [i for i in range(len(self.figures)) if i != self.subject]


def default_figures(width: int, height: int, fps: int) -> tuple[Figure, ...]:
    """Four walkers at 960×540: the subject crossing left to right, a third party crossing
    right to left (they cross mid-clip), one walking in from the right edge and out again, one
    standing still with a face; sizes scale with the picture."""
    s = height / 540
    step = 60.0 * s / fps  # about 6 px a frame at 10 fps: a slow walk
    return (
        Figure(150 * s, 430 * s, step, 0.0, 250 * s, (30, 30, 90), face=True),
        Figure(800 * s, 450 * s, -step, 0.0, 260 * s, (90, 40, 30)),
        Figure(width + 40 * s, 500 * s, -step * 1.6, 0.0, 270 * s, (30, 70, 30)),
        Figure(520 * s, 420 * s, 0.0, 0.0, 240 * s, (60, 60, 60), face=True),
    )


def write_people_clip(
    path: Path,
    *,
    width: int = 960,
    height: int = 540,
    fps: int = 10,
    seconds: float = 6.0,
    figures: tuple[Figure, ...] | None = None,
    subject: int = 0,
    crf: int = 18,
    codec: str = "libx264",
) -> PeopleClip:
    """Write the clip (MP4, H.264 or `codec`, a keyframe every second) and return it with its
    ground truth."""
    figs = figures if figures is not None else default_figures(width, height, fps)
    count = round(seconds * fps)
    base = background(width, height)
    truth: list[dict[int, Box]] = []
    with av.open(str(path), "w") as out:
        stream = out.add_stream(codec, rate=fps)
        assert isinstance(stream, av.video.VideoStream)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.time_base = Fraction(1, fps)
        stream.codec_context.gop_size = fps
        stream.options = {"crf": str(crf), "preset": "veryfast"}
        if codec == "libx265":
            stream.options |= {"x265-params": "log-level=error"}
        for n in range(count):
            img = base.copy()
            order = sorted(range(len(figs)), key=lambda i: figs[i].feet(n)[1])
            boxes: dict[int, Box] = {}
            for i in order:
                fig = figs[i]
                if fig.first <= n <= fig.last:
                    draw_figure(img, fig, n)
                    x0, y0, x1, y1 = fig.box_px(n)
                    box = Box(x0 / width, y0 / height, (x1 - x0) / width, (y1 - y0) / height)
                    clipped = box.clipped()
                    if clipped.w > 0 and clipped.h > 0:
                        boxes[i] = clipped
            truth.append(boxes)
            frame = av.VideoFrame.from_ndarray(img, format="bgr24")
            frame.pts = n
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return PeopleClip(path, width, height, fps, count, figs, subject, tuple(truth))


@dataclass(frozen=True, slots=True)
class Scores:
    """How well a redaction plan hides the clip's third parties and shows its subject.

    recall: share of (frame, third party) pairs whose box is at least 90 % hidden;
    area_precision: share of the hidden pixels that lie on some figure's box;
    region_precision: share of the hidden regions (per frame) that overlap some figure;
    subject_visible: share of the frames where the subject's box is under 10 % hidden, among
    those where it overlaps no third party."""

    recall: float
    area_precision: float
    region_precision: float
    subject_visible: float
    pairs: int
    subject_frames: int

    def as_dict(self) -> dict[str, float]:
        return {
            "recall": round(self.recall, 4),
            "area_precision": round(self.area_precision, 4),
            "region_precision": round(self.region_precision, 4),
            "subject_visible": round(self.subject_visible, 4),
            "pairs": self.pairs,
            "subject_frames": self.subject_frames,
        }


def box_mask(boxes: list[Box], width: int, height: int) -> npt.NDArray[np.bool_]:
    """The pixels the boxes cover, rounded outward as the effects round them."""
    mask = np.zeros((height, width), np.bool_)
    for b in boxes:
        rect = pixel_rect(b, width, height)
        if rect is not None:
            x0, y0, x1, y1 = rect
            mask[y0:y1, x0:x1] = True
    return mask


def score_plan(clip: PeopleClip, analysis: Analysis, plan: RedactionPlan) -> Scores:
    """The figures of `Scores` for the regions `plan.hidden_regions` gives each frame."""
    w, h = clip.width, clip.height
    covered = pairs = sub_ok = sub_n = on_people = regions = 0
    hidden_px = hidden_on_people = 0
    for n in range(clip.frames):
        hidden = hidden_regions(analysis, plan, n)
        mask = box_mask(hidden, w, h)
        truth = clip.truth[n]
        people = box_mask(list(truth.values()), w, h)
        hidden_px += int(mask.sum())
        hidden_on_people += int((mask & people).sum())
        regions += len(hidden)
        on_people += sum(1 for r in hidden if any(intersection(r, g) > 0 for g in truth.values()))
        for i, g in truth.items():
            share = _share(mask, g, w, h)
            if i != clip.subject:
                pairs += 1
                covered += share >= 0.9
            elif not any(intersection(g, truth[j]) > 0 for j in truth if j != i):
                sub_n += 1
                sub_ok += share < 0.1
    return Scores(
        covered / max(1, pairs),
        hidden_on_people / max(1, hidden_px),
        on_people / max(1, regions),
        sub_ok / max(1, sub_n),
        pairs,
        sub_n,
    )


def _share(mask: npt.NDArray[np.bool_], box: Box, width: int, height: int) -> float:
    rect = pixel_rect(box, width, height)
    if rect is None:
        return 0.0
    x0, y0, x1, y1 = rect
    return float(mask[y0:y1, x0:x1].mean())


def pick_subject(clip: PeopleClip, analysis: Analysis, frame: int) -> int:
    """The person track an agent would click for the subject in `frame`: the one whose box
    holds most of the subject's box (ties: the smaller track box)."""
    g = clip.truth[frame][clip.subject]
    best = max(
        (t for t in analysis.tracks if t.kind == TrackKind.PERSON and t.box_at(frame)),
        key=lambda t: _fit(t.box_at(frame), g),
    )
    return best.id


def _fit(box: Box | None, g: Box) -> tuple[float, float]:
    assert box is not None
    return round(intersection(box, g) / (g.w * g.h), 2), -box.w * box.h


def review_plan(analysis: Analysis, subject: int, max_hits: int = 3) -> RedactionPlan:
    """What an agent reviewing the tracks would decide: keep the subject's track, and dismiss
    the flickers on the subject — person tracks of at most `max_hits` detections whose every
    detected box lies on the subject's (sharing at least 60 % of the smaller of the two) —
    the detector seeing the subject twice, at another scale. Nothing else is dismissed."""
    kept = analysis.track(subject)
    assert kept is not None
    dismissed = set()
    for t in analysis.tracks:
        hits = [b for b in t.boxes if b.detected]
        if t.id == subject or t.kind != TrackKind.PERSON or len(hits) > max_hits:
            continue
        if all(_on(b.box, kept.box_at(b.frame)) for b in hits):
            dismissed.add(t.id)
    return RedactionPlan(keep=frozenset({subject}), dismissed=frozenset(dismissed))


def _on(box: Box, other: Box | None) -> bool:
    if other is None:
        return False
    smaller = min(box.w * box.h, other.w * other.h)
    return intersection(box, other) >= 0.6 * smaller


def subject_tracks(clip: PeopleClip, analysis: Analysis, share: float = 0.8) -> frozenset[int]:
    """The person tracks an agent scrubbing the whole clip would keep: those whose detected
    boxes hold the subject (half of its box or more) at least `share` of the time — the
    agent's eyes, not the detector's (a track that followed someone else for a while is not
    kept: keeping it would show that person)."""
    kept = set()
    for t in analysis.tracks:
        hits = [b for b in t.boxes if b.detected]
        if t.kind != TrackKind.PERSON or not hits:
            continue
        on = sum(
            1
            for b in hits
            if (g := clip.truth[b.frame].get(clip.subject)) is not None
            and intersection(b.box, g) >= 0.5 * g.w * g.h
        )
        if on >= share * len(hits):
            kept.add(t.id)
    return frozenset(kept)
