"""The effects: inside a hidden box the detail is gone, outside nothing changes."""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt
import pytest

from sentinelle.privacy.anonymise.effects import block_size, hide, pixel_rect
from sentinelle.privacy.anonymise.models import Box, Effect

Image = npt.NDArray[np.uint8]


def scene(height: int = 360, width: int = 640, channels: int = 3) -> Image:
    """Fine noise over bars and a checkerboard: plenty of high-frequency detail."""
    rng = np.random.default_rng(3)
    img = rng.integers(0, 256, size=(height, width, channels), dtype=np.uint8)
    img[::8] //= 3
    yy, xx = np.mgrid[0:height, 0:width]
    img[((yy // 4 + xx // 4) % 2 == 0)] //= 2
    return img


def detail(region: Image) -> float:
    """The standard deviation of the Laplacian: the picture's high-frequency energy."""
    gray = region.astype(np.float32).mean(axis=2)
    return float(cv2.Laplacian(gray, cv2.CV_32F).std())


BOXES = [Box(0.1, 0.1, 0.2, 0.5), Box(0.6, 0.3, 0.05, 0.08), Box(0.9, 0.9, 0.3, 0.3)]


@pytest.mark.parametrize("effect", list(Effect))
@pytest.mark.parametrize("channels", [3, 1])
def test_detail_is_gone_inside_and_untouched_outside(effect: Effect, channels: int) -> None:
    before = scene(channels=channels)
    after = hide(before.copy(), BOXES, effect)
    height, width = before.shape[:2]
    outside = np.ones((height, width), np.bool_)
    for box in BOXES:
        rect = pixel_rect(box, width, height)
        assert rect is not None
        x0, y0, x1, y1 = rect
        outside[y0:y1, x0:x1] = False
        inner_before, inner_after = before[y0:y1, x0:x1], after[y0:y1, x0:x1]
        assert detail(inner_after) < 0.1 * detail(inner_before), (effect, box)
        # colours stay: the region's mean moves little
        assert abs(float(inner_after.mean()) - float(inner_before.mean())) < 12
    assert np.array_equal(before[outside], after[outside])


def test_pixelate_blocks_are_at_least_12_px_and_an_eighth_of_the_box() -> None:
    before = scene()
    box = Box(0.1, 0.1, 0.5, 0.8)  # 320 × 288 px: blocks of 36
    after = hide(before.copy(), [box], Effect.PIXELATE)
    rect = pixel_rect(box, 640, 360)
    assert rect is not None
    x0, y0, x1, y1 = rect
    b = block_size(x1 - x0, y1 - y0)
    assert b == 36
    region = after[y0:y1, x0:x1]
    for by in range(0, y1 - y0, b):
        for bx in range(0, x1 - x0, b):
            block = region[by : by + b, bx : bx + b].reshape(-1, 3)
            assert (block == block[0]).all()
    assert block_size(40, 30) == 12


def test_boxes_round_outward_and_empty_ones_are_skipped() -> None:
    assert pixel_rect(Box(0.1001, 0.2, 0.1, 0.1), 100, 100) == (10, 20, 21, 31)
    assert pixel_rect(Box(0.5, 0.5, 0.0, 0.1), 100, 100) is None
    assert pixel_rect(Box(1.2, 0.5, 0.1, 0.1), 100, 100) is None
    img = scene()
    assert np.array_equal(hide(img.copy(), [Box(0.5, 0.5, 0.0, 0.0)], Effect.BLUR), img)
