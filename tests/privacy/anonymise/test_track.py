"""The tracker: association, interpolation over gaps, padding, single detections, face links,
ids in order of first appearance."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from sentinelle.privacy.anonymise.geometry import Detection
from sentinelle.privacy.anonymise.models import Box, TrackKind
from sentinelle.privacy.anonymise.track import TrackerParams, build_tracks

P = TrackerParams(iou_min=0.2, max_gap=4, pad=2)


def person(x: float, y: float = 0.2, w: float = 0.1, h: float = 0.4) -> Detection:
    return Detection(TrackKind.PERSON, Box(x, y, w, h), 1.0)


def face(x: float, y: float) -> Detection:
    return Detection(TrackKind.FACE, Box(x, y, 0.03, 0.05), 5.0)


def test_a_walker_is_one_track_interpolated_over_a_gap_and_padded() -> None:
    frames: list[list[Detection]] = [[] for _ in range(20)]
    for f in (5, 6, 7, 11, 12):  # missed 8, 9, 10 (gap 3 <= 4)
        frames[f] = [person(0.1 + 0.01 * f)]
    (track,) = build_tracks(frames, P)
    assert track.id == 1
    assert [b.frame for b in track.boxes] == list(range(3, 15))
    assert [b.frame for b in track.boxes if b.detected] == [5, 6, 7, 11, 12]
    middle = track.box_at(9)
    assert middle is not None
    assert abs(middle.x - 0.19) < 1e-9  # halfway between frame 7 (0.17) and 11 (0.21)


def test_a_gap_longer_than_the_limit_splits_the_track() -> None:
    frames: list[list[Detection]] = [[] for _ in range(20)]
    frames[2], frames[8] = [person(0.3)], [person(0.3)]  # 5 frames missed > 4
    tracks = build_tracks(frames, P)
    assert len(tracks) == 2
    assert [t.id for t in tracks] == [1, 2]
    assert tracks[0].last_frame == 4
    assert tracks[1].first_frame == 6


def test_two_walkers_crossing_keep_their_tracks() -> None:
    frames = [[person(0.1 + 0.02 * f), person(0.7 - 0.02 * f)] for f in range(30)]
    tracks = build_tracks(frames, P)
    assert len(tracks) == 2
    left = next(t for t in tracks if t.boxes[0].box.x < 0.5)
    assert all(abs(b.box.x - (0.1 + 0.02 * b.frame)) < 1e-9 for b in left.boxes if b.detected)


def test_a_single_detection_is_a_track_and_faces_link_to_their_person() -> None:
    frames: list[list[Detection]] = [[] for _ in range(10)]
    for f in range(10):
        frames[f] = [person(0.5), face(0.535, 0.22)]
    frames[4] = [*frames[4], person(0.05, 0.6, 0.05, 0.2)]  # a lone false positive
    tracks = build_tracks(frames, P)
    kinds = [(t.id, t.kind, t.first_frame) for t in tracks]
    assert kinds == [(1, TrackKind.PERSON, 0), (2, TrackKind.FACE, 0), (3, TrackKind.PERSON, 2)]
    assert tracks[1].parent == 1
    assert tracks[2].parent is None
    assert [b.frame for b in tracks[2].boxes] == [2, 3, 4, 5, 6]


def test_a_face_outside_any_person_has_no_parent() -> None:
    frames = [[person(0.1), face(0.8, 0.1)] for _ in range(5)]
    tracks = build_tracks(frames, P)
    assert next(t for t in tracks if t.kind == TrackKind.FACE).parent is None


def test_a_person_owns_one_face_and_a_shared_face_belongs_to_nobody() -> None:
    """A bystander's face beside the subject's head (in the subject's wide HOG box) is not
    linked to the subject; nor is a face lying in two people's boxes (fails closed)."""
    frames = [[person(0.5, w=0.2), face(0.585, 0.21), face(0.52, 0.26)] for _ in range(8)]
    tracks = build_tracks(frames, P)
    faces = sorted((t for t in tracks if t.kind == TrackKind.FACE), key=lambda t: t.boxes[0].box.x)
    assert [f.parent for f in faces] == [None, 1]  # the one nearest the head's place only
    crowd = [[person(0.3, w=0.2), person(0.42, w=0.2), face(0.44, 0.22)] for _ in range(8)]
    shared = next(t for t in build_tracks(crowd, P) if t.kind == TrackKind.FACE)
    assert shared.parent is None


def test_no_detection_no_track() -> None:
    assert build_tracks([[] for _ in range(5)], P) == ()


walk = st.lists(
    st.tuples(st.floats(0.0, 0.8), st.floats(0.0, 0.5), st.integers(0, 39), st.integers(1, 30)),
    min_size=1,
    max_size=4,
)


@settings(max_examples=60, deadline=None)
@given(walk, st.data())
def test_properties(walkers: list[tuple[float, float, int, int]], data: st.DataObject) -> None:
    """Whatever the detections: ids 1..n by first frame, boxes sorted with one per frame,
    every detection is in a track, and frames between detections no further apart than the
    gap limit are covered."""
    frames: list[list[Detection]] = [[] for _ in range(40)]
    seen: list[tuple[int, Box]] = []
    for x, y, start, length in walkers:
        for f in range(start, min(40, start + length)):
            if data.draw(st.booleans()):
                d = person(x, y)
                frames[f].append(d)
                seen.append((f, d.box))
    tracks = build_tracks(frames, P)
    assert [t.id for t in tracks] == list(range(1, len(tracks) + 1))
    assert [t.first_frame for t in tracks] == sorted(t.first_frame for t in tracks)
    for t in tracks:
        frame_list = [b.frame for b in t.boxes]
        assert frame_list == list(range(t.first_frame, t.last_frame + 1))  # no hole
        assert t.first_frame >= 0
        assert t.last_frame < 40
    for f, box in seen:
        assert any(t.box_at(f) == box for t in tracks)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(1, P.max_gap + 1), min_size=1, max_size=8), st.integers(0, 5))
def test_gaps_within_the_limit_make_one_track(steps: list[int], start: int) -> None:
    """One walker detected with gaps of at most `max_gap` frames: one track, covering from
    `pad` frames before its first detection to `pad` after its last."""
    hits, f = [], start
    for step in steps:
        hits.append(f)
        f += step
    frames: list[list[Detection]] = [[] for _ in range(hits[-1] + 10)]
    for h in hits:
        frames[h] = [person(0.2 + 0.002 * h)]
    (track,) = build_tracks(frames, P)
    assert track.first_frame == max(0, hits[0] - P.pad)
    assert track.last_frame == hits[-1] + P.pad
    assert [b.frame for b in track.boxes if b.detected] == hits


def test_a_walker_entering_at_the_edge_is_hidden_back_to_the_edge() -> None:
    """Seen first whole at x = 0.88 (its box touching the right side), walking left: the
    track goes back `edge_frames` toward the side (each box holding the first one), not
    just `pad` frames, and stops once out of the picture."""
    params = TrackerParams(iou_min=0.2, max_gap=4, pad=2, edge_frames=30, edge_near=0.25)
    frames: list[list[Detection]] = [[] for _ in range(40)]
    for f in range(10, 40):
        frames[f] = [person(0.88 - 0.01 * (f - 10))]
    (track,) = build_tracks(frames, params)
    first = track.boxes[0]
    assert first.frame == 0  # frame 0 would be at x = 0.98: still in the picture
    assert not first.detected
    assert first.box.x <= 0.88 <= first.box.x + first.box.w
    assert first.box.x + first.box.w >= 0.98 + 0.1 - 1e-9
    frames = [[] for _ in range(40)]
    for f in range(25, 40):
        frames[f] = [person(0.885 - 0.01 * (f - 25))]
    (late,) = build_tracks(frames, params)
    assert late.first_frame == 25 - 11  # 12 frames back it is at x = 1.005: out of the picture
