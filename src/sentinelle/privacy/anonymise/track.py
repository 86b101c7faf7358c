"""The tracker: detections frame to frame become tracks (pure, no OpenCV).

Rules, per kind (people and faces are tracked apart):
* association: each frame, the open tracks' boxes are predicted (last detected box moved at
  the track's recent speed) and paired greedily with the frame's detections by IoU, best
  first, pairs under `iou_min` refused; a detection left over opens a new track (a single
  detection is a track too: hiding a false positive costs less than leaking a person);
* a track stays open `max_gap` frames without a detection; the frames it was missed are
  filled by interpolating between the detections around them (`detected=False`);
* every track is extended `pad` frames before its first and after its last detection with
  its edge box (fails closed: a person entering or leaving is hidden a little early and late);
* a face track's `parent` is the person track whose box holds the face's centre in the upper
  half in most of the face's frames (at least `parent_share` of them);
* ids 1..n in order of first appearance (first frame, then people before faces, then left to
  right).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from sentinelle.privacy.anonymise.geometry import Detection, centre_inside, iou, lerp, shifted
from sentinelle.privacy.anonymise.models import Box, Track, TrackBox, TrackKind


@dataclass(frozen=True, slots=True)
class TrackerParams:
    """The tracker's settings (they go into the redaction log)."""

    iou_min: float = 0.2
    max_gap: int = 10  # frames a track may be missed and still continue
    pad: int = 3  # frames added before the first and after the last detection
    parent_share: float = 0.5
    speed_window: int = 5  # detections the speed is measured over

    def describe(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class _Open:
    """A track being built: its detections (frame, box, score), in frame order."""

    kind: TrackKind
    hits: list[tuple[int, Box, float]] = field(default_factory=list)

    def predict(self, frame: int, window: int) -> Box:
        """The last detected box moved at the speed seen over the last `window` detections."""
        last_frame, last, _ = self.hits[-1]
        ref_frame, ref, _ = self.hits[max(0, len(self.hits) - window)]
        if ref_frame == last_frame:
            return last
        span = last_frame - ref_frame
        vx = (last.x + last.w / 2 - ref.x - ref.w / 2) / span
        vy = (last.y + last.h / 2 - ref.y - ref.h / 2) / span
        vx = max(-last.w / 2, min(last.w / 2, vx))  # no faster than half a box a frame
        vy = max(-last.h / 2, min(last.h / 2, vy))
        ahead = frame - last_frame
        return shifted(last, vx * ahead, vy * ahead)


def build_tracks(
    detections: Sequence[Sequence[Detection]], params: TrackerParams | None = None
) -> tuple[Track, ...]:
    """Tracks from the detections of each frame (`detections[f]`: frame f's, empty where
    the detector found nothing or did not run)."""
    p = params or TrackerParams()
    frames = len(detections)
    built: list[_Open] = []
    for kind in (TrackKind.PERSON, TrackKind.FACE):
        built.extend(_associate(detections, kind, p))
    tracks = [_finish(b, frames, p) for b in built]
    order = sorted(
        range(len(tracks)),
        key=lambda i: (tracks[i][0].frame, built[i].kind != TrackKind.PERSON, tracks[i][0].box.x),
    )
    numbered = [
        Track(n, built[i].kind, tracks[i], None, max(s for _, _, s in built[i].hits))
        for n, i in enumerate(order, 1)
    ]
    return _link_faces(numbered, p)


def _associate(
    detections: Sequence[Sequence[Detection]], kind: TrackKind, p: TrackerParams
) -> list[_Open]:
    """Greedy IoU association, frame by frame, of one kind's detections."""
    done: list[_Open] = []
    live: list[_Open] = []
    for frame, found in enumerate(detections):
        mine = [d for d in found if d.kind == kind]
        still = [t for t in live if frame - t.hits[-1][0] - 1 <= p.max_gap]
        done.extend(t for t in live if frame - t.hits[-1][0] - 1 > p.max_gap)
        live = still
        if not mine:
            continue
        predicted = [t.predict(frame, p.speed_window) for t in live]
        pairs = sorted(
            (
                (iou(box, d.box), ti, di)
                for ti, box in enumerate(predicted)
                for di, d in enumerate(mine)
            ),
            reverse=True,
        )
        used_t: set[int] = set()
        used_d: set[int] = set()
        for overlap, ti, di in pairs:
            if overlap < p.iou_min:
                break
            if ti in used_t or di in used_d:
                continue
            used_t.add(ti)
            used_d.add(di)
            live[ti].hits.append((frame, mine[di].box, mine[di].score))
        for di, d in enumerate(mine):
            if di not in used_d:
                live.append(_Open(kind, [(frame, d.box, d.score)]))
    return done + live


def _finish(track: _Open, frames: int, p: TrackerParams) -> tuple[TrackBox, ...]:
    """The track's boxes: detections, interpolation between them, the padding around."""
    hits = track.hits
    first_frame, first_box, _ = hits[0]
    last_frame, last_box, _ = hits[-1]
    boxes = [TrackBox(f, first_box, False) for f in range(max(0, first_frame - p.pad), first_frame)]
    for (fa, ba, _), (fb, bb, _) in itertools.pairwise(hits):
        boxes.append(TrackBox(fa, ba, True))
        boxes.extend(
            TrackBox(f, lerp(ba, bb, (f - fa) / (fb - fa)), False) for f in range(fa + 1, fb)
        )
    boxes.append(TrackBox(last_frame, last_box, True))
    end = min(frames - 1, last_frame + p.pad)
    boxes.extend(TrackBox(f, last_box, False) for f in range(last_frame + 1, end + 1))
    return tuple(boxes)


def _link_faces(tracks: list[Track], p: TrackerParams) -> tuple[Track, ...]:
    """Each face track with the person track it lies in, if any."""
    people = [t for t in tracks if t.kind == TrackKind.PERSON]
    linked = []
    for t in tracks:
        if t.kind != TrackKind.FACE:
            linked.append(t)
            continue
        votes: dict[int, int] = {}
        for tb in t.boxes:
            for person in people:
                pbox = person.box_at(tb.frame)
                if pbox is not None and centre_inside(tb.box, _upper_half(pbox)):
                    votes[person.id] = votes.get(person.id, 0) + 1
        best = max(votes, key=lambda k: (votes[k], -k), default=None)
        if best is not None and votes[best] >= p.parent_share * len(t.boxes):
            linked.append(Track(t.id, t.kind, t.boxes, best, t.score))
        else:
            linked.append(t)
    return tuple(linked)


def _upper_half(box: Box) -> Box:
    return Box(box.x, box.y, box.w, box.h / 2)
