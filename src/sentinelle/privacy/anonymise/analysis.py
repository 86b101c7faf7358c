"""Analysis of a source file: decode every frame, run the detectors on every `stride`-th one,
track, and return the tracks with the file's facts and every parameter used.

The tracker's limits follow the frame rate: a track may be missed for up to half a second
(`GAP_SECONDS`, at least two strides) and is extended a quarter of a second (`PAD_SECONDS`,
at least two frames) before and after its detections, a second and a half (`EDGE_SECONDS`)
where it starts or ends at a side of the picture.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from sentinelle.core.errors import InvalidInput
from sentinelle.privacy.anonymise import errors, source
from sentinelle.privacy.anonymise.detect import DetectorParams, Detectors
from sentinelle.privacy.anonymise.geometry import Detection
from sentinelle.privacy.anonymise.models import Analysis
from sentinelle.privacy.anonymise.track import TrackerParams, build_tracks

GAP_SECONDS = 0.5
PAD_SECONDS = 0.25
EDGE_SECONDS = 1.5
HOG_WINDOW_HEIGHT = 128  # pixels of the working copy (OpenCV's default people detector)


def analyse(
    path: Path,
    *,
    on_progress: Callable[[float], None] | None = None,
    stride: int = 1,
    working_width: int = 640,
) -> Analysis:
    """Detect and track people and faces in the MP4 at `path` (H.264 or H.265)."""
    if stride < 1 or stride > 25:
        raise InvalidInput("redaction_stride_invalid", "the stride must be 1 to 25 frames")
    if not 160 <= working_width <= 3840:
        raise InvalidInput(
            "redaction_working_width_invalid", "the working width must be 160 to 3840 pixels"
        )
    detectors = Detectors(DetectorParams(working_width=working_width))
    per_frame: list[list[Detection]] = []
    with source.open_video(path) as (container, stream):
        progress = source.Progress(on_progress, source.expected_frames(stream), time.monotonic)
        for frame in source.decoded(path, container, stream):
            index = len(per_frame)
            if index % stride == 0:
                gray = np.asarray(frame.to_ndarray(format="gray"), np.uint8)
                per_frame.append(detectors.detect(gray))
            else:
                per_frame.append([])
            progress.tick(index + 1)
        facts = source.facts(stream, len(per_frame))
    if not per_frame:
        raise errors.source_empty(path)
    tracker = tracker_params(facts.fps, stride)
    tracks = build_tracks(per_frame, tracker)
    progress.finish()
    detector = detectors.describe() | {
        "stride": stride,
        "tracker": tracker.describe(),
        "smallest_person_share": smallest_person_share(working_width, facts.width, facts.height),
    }
    return Analysis(facts, tracks, detector)


def smallest_person_share(working_width: int, width: int, height: int) -> float:
    """The height of the smallest person box HOG finds (its 128-pixel window on the working
    copy), as a share of the picture's height: smaller people are not detected, and the
    review screen tells the agent to hide them by hand."""
    scale = min(1.0, working_width / width) if width > 0 else 1.0
    return round(min(1.0, HOG_WINDOW_HEIGHT / (scale * height)), 3) if height > 0 else 1.0


def tracker_params(fps: float, stride: int) -> TrackerParams:
    """The tracker's limits for this frame rate and stride (see the module's docstring)."""
    rate = fps if fps > 0 else 25.0
    return TrackerParams(
        max_gap=max(round(rate * GAP_SECONDS), 2 * stride),
        pad=max(2, round(rate * PAD_SECONDS), stride),  # no frame left unlooked-at unpadded
        edge_frames=max(2, round(rate * EDGE_SECONDS), stride),
    )
