"""Review frames: frame n of the source as JPEG, the same picture as the n-th decoded frame;
indexes out of range are refused."""

from __future__ import annotations

import av
import cv2
import numpy as np
import numpy.typing as npt
import pytest

from sentinelle.core.errors import NotFound
from sentinelle.privacy.anonymise.frames import frame_jpeg
from tests.support.people_clip import PeopleClip


def decode(jpeg: bytes) -> npt.NDArray[np.uint8]:
    picture = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    assert picture is not None
    return np.asarray(picture, np.uint8)


def test_a_frame_between_keyframes_is_that_frame(people_clip: PeopleClip) -> None:
    with av.open(str(people_clip.path)) as c:
        decoded = [f.to_ndarray(format="bgr24") for f in c.decode(video=0)]
    for index in (0, 35, people_clip.frames - 1):  # keyframes every 10 frames
        jpeg = frame_jpeg(people_clip.path, index)
        picture = decode(jpeg)
        assert picture.shape == decoded[index].shape
        errors = [float(np.abs(picture.astype(int) - d.astype(int)).mean()) for d in decoded]
        assert int(np.argmin(errors)) == index


def test_the_width_is_capped(people_clip: PeopleClip) -> None:
    picture = decode(frame_jpeg(people_clip.path, 3, 480))
    assert picture.shape == (270, 480, 3)


@pytest.mark.parametrize("index", [-1, 60, 10**6])
def test_an_index_out_of_range_is_not_found(people_clip: PeopleClip, index: int) -> None:
    with pytest.raises(NotFound) as caught:
        frame_jpeg(people_clip.path, index)
    assert caught.value.code == "redaction_frame_not_found"
    assert caught.value.details["frames"] == people_clip.frames
