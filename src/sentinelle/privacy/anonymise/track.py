"""The tracker: detections frame to frame become tracks (pure, no OpenCV).

Rules, per kind (people and faces are tracked apart):
* association: each frame, the open tracks' boxes are predicted (last detected box moved at
  the track's recent speed) and paired greedily with the frame's detections by IoU, best
  first, pairs under `iou_min` refused; a detection left over opens a new track (a single
  detection is a track too: hiding a false positive costs less than leaking a person);
* a track stays open `max_gap` frames without a detection; the frames it was missed are
  filled by interpolating between the detections around them (`detected=False`);
* every track is extended `pad` frames before its first and after its last detection, or
  `edge_frames` when it starts or ends near a side of the picture (a person entering or
  leaving is only seen whole by the detector once inside), the added boxes following the
  track's speed there but always holding its first/last box (fails closed);
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

from sentinelle.privacy.anonymise.geometry import (
    Detection,
    centre_inside,
    hull,
    iou,
    lerp,
    shifted,
)
from sentinelle.privacy.anonymise.models import Box, Track, TrackBox, TrackKind


@dataclass(frozen=True, slots=True)
class TrackerParams:
    """The tracker's settings (they go into the redaction log)."""

    iou_min: float = 0.2
    max_gap: int = 10  # frames a track may be missed and still continue
    pad: int = 3  # frames added before the first and after the last detection
    edge_frames: int = 10  # frames added instead when the track starts or ends at an edge
    edge_near: float = 0.25  # "at an edge": within this share of the box's size from it
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
        vx, vy = _speed(self.hits[-window:])
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
    """The track's boxes: detections, interpolation between them, the extensions around."""
    hits = track.hits
    boxes = _extension(hits, -1, frames, p)[::-1]
    for (fa, ba, _), (fb, bb, _) in itertools.pairwise(hits):
        boxes.append(TrackBox(fa, ba, True))
        boxes.extend(
            TrackBox(f, lerp(ba, bb, (f - fa) / (fb - fa)), False) for f in range(fa + 1, fb)
        )
    boxes.append(TrackBox(hits[-1][0], hits[-1][1], True))
    boxes.extend(_extension(hits, 1, frames, p))
    return tuple(boxes)


def _extension(
    hits: list[tuple[int, Box, float]], direction: int, frames: int, p: TrackerParams
) -> list[TrackBox]:
    """The frames added before (`direction` -1) or after (+1) the detections, nearest first:
    `pad` frames, or `edge_frames` when the edge box is near the picture's edge (someone
    entering or leaving, whom the detector sees whole only once inside). Each added box is
    the hull of the edge box and the edge box moved at the track's speed there: fails closed
    even when the speed is wrong. Stops at the file's ends and once out of the picture."""
    edge_frame, edge_box, _ = hits[0] if direction < 0 else hits[-1]
    window = hits[: p.speed_window] if direction < 0 else hits[-p.speed_window :]
    vx, vy = _speed(window)
    reach = p.edge_frames if _near_edge(edge_box, p.edge_near) else p.pad
    added = []
    for k in range(1, reach + 1):
        frame = edge_frame + direction * k
        if not 0 <= frame < frames:
            break
        moved = shifted(edge_box, direction * vx * k, direction * vy * k)
        if moved.clipped().w <= 0 or moved.clipped().h <= 0:
            break
        added.append(TrackBox(frame, hull(edge_box, moved), False))
    return added


def _speed(hits: list[tuple[int, Box, float]]) -> tuple[float, float]:
    """The centre's speed (per frame) from the first to the last of `hits`, at most half
    a box a frame; 0 for a single detection."""
    (fa, a, _), (fb, b, _) = hits[0], hits[-1]
    if fb == fa:
        return 0.0, 0.0
    vx = (b.x + b.w / 2 - a.x - a.w / 2) / (fb - fa)
    vy = (b.y + b.h / 2 - a.y - a.h / 2) / (fb - fa)
    return max(-b.w / 2, min(b.w / 2, vx)), max(-b.h / 2, min(b.h / 2, vy))


def _near_edge(box: Box, near: float) -> bool:
    """Whether the box is within `near` of its own size from a side of the picture."""
    return (
        box.x <= near * box.w
        or 1 - (box.x + box.w) <= near * box.w
        or box.y <= near * box.h
        or 1 - (box.y + box.h) <= near * box.h
    )


def _link_faces(tracks: list[Track], p: TrackerParams) -> tuple[Track, ...]:
    """Each face track with the person track it lies in, if any. In a frame, a person owns at
    most one face — the one nearest the top centre of its box — and a face that also lies in
    another person's box belongs to nobody there: a bystander's face beside or behind the
    person concerned is never kept with them (fails closed)."""
    people = [t for t in tracks if t.kind == TrackKind.PERSON]
    faces = [t for t in tracks if t.kind == TrackKind.FACE]
    owner = _face_owners(people, faces)
    linked = []
    for t in tracks:
        if t.kind != TrackKind.FACE:
            linked.append(t)
            continue
        votes: dict[int, int] = {}
        for tb in t.boxes:
            person_id = owner.get((t.id, tb.frame))
            if person_id is not None:
                votes[person_id] = votes.get(person_id, 0) + 1
        best = max(votes, key=lambda k: (votes[k], -k), default=None)
        if best is not None and votes[best] >= p.parent_share * len(t.boxes):
            linked.append(Track(t.id, t.kind, t.boxes, best, t.score))
        else:
            linked.append(t)
    return tuple(linked)


def _face_owners(people: list[Track], faces: list[Track]) -> dict[tuple[int, int], int]:
    """(face id, frame) → the person owning that face in that frame (see `_link_faces`)."""
    owner: dict[tuple[int, int], int] = {}
    frames = {tb.frame for f in faces for tb in f.boxes}
    for frame in frames:
        boxes = {t.id: b for t in people if (b := t.box_at(frame)) is not None}
        here = {f.id: b for f in faces if (b := f.box_at(frame)) is not None}
        for person_id, pbox in boxes.items():
            mine = [
                (fid, fbox)
                for fid, fbox in here.items()
                if centre_inside(fbox, _upper_half(pbox))
                and not any(centre_inside(fbox, o) for oid, o in boxes.items() if oid != person_id)
            ]
            if mine:
                head = (pbox.x + pbox.w / 2, pbox.y + pbox.h * 0.1)
                fid, _ = min(mine, key=lambda m: _distance(m[1], head))
                owner[(fid, frame)] = person_id
    return owner


def _distance(box: Box, point: tuple[float, float]) -> float:
    cx, cy = box.x + box.w / 2, box.y + box.h / 2
    return (cx - point[0]) ** 2 + (cy - point[1]) ** 2


def _upper_half(box: Box) -> Box:
    return Box(box.x, box.y, box.w, box.h / 2)
