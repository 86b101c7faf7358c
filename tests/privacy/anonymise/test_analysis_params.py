"""The analysis' parameters that follow from the source: the tracker's limits for a rate and
a stride, and the smallest person the detector can see (told to the agent)."""

from __future__ import annotations

import pytest

from sentinelle.privacy.anonymise.analysis import smallest_person_share, tracker_params


@pytest.mark.parametrize("stride", [1, 3, 8, 25])
def test_no_frame_between_two_looks_is_left_unpadded(stride: int) -> None:
    params = tracker_params(10.0, stride)
    assert params.pad >= stride
    assert params.edge_frames >= stride
    assert params.max_gap >= 2 * stride


def test_the_smallest_person_detected_is_stated_per_picture_size() -> None:
    assert smallest_person_share(640, 1920, 1080) == pytest.approx(128 / 360, abs=1e-3)
    assert smallest_person_share(640, 640, 360) == pytest.approx(128 / 360, abs=1e-3)
    assert smallest_person_share(1280, 1920, 1080) == pytest.approx(128 / 720, abs=1e-3)
    assert smallest_person_share(640, 320, 240) == pytest.approx(128 / 240, abs=1e-3)  # no upscale
