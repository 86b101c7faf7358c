"""The effects that make a hidden region unrecognisable, on a decoded picture (H×W×C, uint8:
RGB, or one plane of YUV as H×W×1; render applies them to the Y, U and V planes).

* BLUR: the region is shrunk by a factor `k` = max(8, smaller side / 4) (area averaging: a
  face becomes about 4×4 samples), smoothed there by a 3×3 Gaussian (sigma 0.8 sample, about
  0.8·k pixels of the frame) and enlarged back linearly: shapes and colours stay, no feature
  of a face survives.
* PIXELATE: blocks of `max(12 px, smaller side / 8)` aligned on the region's top-left corner,
  each filled with its mean colour.
Boxes are turned to pixels outward (floor of the start, ceiling of the end): fails closed.
Pixels outside the boxes are not touched.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import cv2
import numpy as np
import numpy.typing as npt

from sentinelle.privacy.anonymise.models import Box, Effect

Image = npt.NDArray[np.uint8]
MIN_BLOCK_PX = 12


def pixel_rect(box: Box, width: int, height: int) -> tuple[int, int, int, int] | None:
    """The box as pixel bounds (x0, y0, x1, y1), rounded outward, clipped; None if empty."""
    x0 = max(0, math.floor(box.x * width))
    y0 = max(0, math.floor(box.y * height))
    x1 = min(width, math.ceil((box.x + box.w) * width))
    y1 = min(height, math.ceil((box.y + box.h) * height))
    return (x0, y0, x1, y1) if x1 > x0 and y1 > y0 else None


def hide(image: Image, boxes: Iterable[Box], effect: Effect) -> Image:
    """Hide every box of `image` in place with `effect`; returns the image."""
    height, width = image.shape[:2]
    for box in boxes:
        rect = pixel_rect(box, width, height)
        if rect is None:
            continue
        x0, y0, x1, y1 = rect
        region = image[y0:y1, x0:x1]
        region[...] = blur(region) if effect == Effect.BLUR else pixelate(region)
    return image


def blur_factor(w: int, h: int) -> int:
    """The shrink factor of BLUR for a region of w×h pixels."""
    return max(8, min(w, h) // 4)


def blur(region: Image) -> Image:
    """The region shrunk, smoothed and enlarged back (see the module's docstring)."""
    h, w = region.shape[:2]
    k = blur_factor(w, h)
    small = cv2.resize(
        region, (max(1, round(w / k)), max(1, round(h / k))), interpolation=cv2.INTER_AREA
    )
    small = cv2.GaussianBlur(small, (3, 3), 0.8, borderType=cv2.BORDER_REPLICATE)
    up = cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)
    return np.asarray(up, np.uint8).reshape(region.shape)


def block_size(w: int, h: int) -> int:
    """The block side of PIXELATE for a region of w×h pixels."""
    return max(MIN_BLOCK_PX, math.ceil(min(w, h) / 8))


def pixelate(region: Image) -> Image:
    """The region as blocks of its mean colour (see the module's docstring)."""
    h, w = region.shape[:2]
    b = block_size(w, h)
    rows, cols = math.ceil(h / b), math.ceil(w / b)
    padded = np.pad(region, ((0, rows * b - h), (0, cols * b - w), (0, 0)), mode="edge")
    tiles = padded.reshape(rows, b, cols, b, -1).astype(np.float32)
    counts = np.ones((rows, b, cols, b, 1), np.float32)
    counts[-1, h - (rows - 1) * b :, :, :, :] = 0  # padding rows do not count
    counts[:, :, -1, w - (cols - 1) * b :, :] = 0  # nor padding columns
    means = (tiles * counts).sum(axis=(1, 3)) / counts.sum(axis=(1, 3))
    blocks = np.repeat(np.repeat(np.round(means).astype(np.uint8), b, axis=0), b, axis=1)
    return blocks[:h, :w]


def parameters(effect: Effect) -> dict[str, object]:
    """How strong `effect` is, for the redaction log (a region of w×h pixels)."""
    if effect == Effect.BLUR:
        return {
            "shrink_factor": "max(8, min(w, h) // 4)",
            "gaussian": {"kernel": 3, "sigma": 0.8},
            "enlarge": "linear",
        }
    return {"block_px": f"max({MIN_BLOCK_PX}, ceil(min(w, h) / 8))", "fill": "block mean"}
