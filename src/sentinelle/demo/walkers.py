"""The demo's street scene: a façade over a pavement with pedestrian-like figures walking
(drawn with the proportions OpenCV's people detector was trained on), so that the demo town
has a camera whose footage shows what anonymising a disclosure does. Also the drawing the
anonymisation tests generate their clips with (`tests/support/people_clip.py`).

The demo's scene is a loop of JPEG frames (`street_frames`) that GStreamer's `multifilesrc`
plays in a loop behind the camera's clock and label: the walkers wrap around the picture, so
the loop has no seam. Fictional figures: nobody is filmed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

Image = npt.NDArray[np.uint8]
LOOP_FRAMES = 100  # 8 s at 12.5 images/s
FRAME_NAME = "%04d.jpg"  # multifilesrc's pattern


@dataclass(frozen=True, slots=True)
class Figure:
    """A walker: feet at (x, y) in pixels at frame 0, moving (vx, vy) pixels a frame,
    `height` pixels tall; `face` draws a frontal face on the head."""

    x: float
    y: float
    vx: float
    vy: float
    height: float
    colour: tuple[int, int, int] = (40, 40, 60)
    face: bool = False
    first: int = 0  # the frame it appears (it is absent before)
    last: int = 10**9  # the last frame it is drawn

    def feet(self, frame: int) -> tuple[float, float]:
        return self.x + self.vx * frame, self.y + self.vy * frame

    def box_px(self, frame: int) -> tuple[float, float, float, float]:
        """The figure's bounding box in pixels (x0, y0, x1, y1), not clipped."""
        fx, fy = self.feet(frame)
        half = self.height * 0.17
        return fx - half, fy - self.height, fx + half, fy


def background(width: int, height: int, seed: int = 7) -> Image:
    """A façade with windows over a tiled pavement, with fine noise (BGR)."""
    rng = np.random.default_rng(seed)
    img = np.empty((height, width, 3), np.uint8)
    horizon = int(height * 0.55)
    img[:horizon] = (150, 165, 180)
    img[horizon:] = (120, 125, 125)
    for gx in range(0, width, max(8, width // 12)):
        for gy in range(int(height * 0.06), horizon - height // 12, max(8, height // 7)):
            cv2.rectangle(
                img,
                (gx + width // 48, gy),
                (gx + width // 24 + width // 48, gy + height // 12),
                (110, 105, 95),
                -1,
            )
    for gx in range(0, width, max(8, width // 16)):
        cv2.line(img, (gx, horizon), (gx - width // 10, height), (105, 110, 110), 2)
    noise = rng.integers(-14, 15, size=img.shape, dtype=np.int16)
    return np.asarray(np.clip(img.astype(np.int16) + noise, 0, 255), np.uint8)


def draw_figure(img: Image, fig: Figure, frame: int) -> None:
    """A standing adult: head, neck, torso, arms and two legs swinging with the gait."""
    fx, fy = fig.feet(frame)
    h = fig.height
    colour = fig.colour
    head_r = h / 16
    head_c = (fx, fy - h + head_r)
    shoulder_y = fy - h * 0.82
    hip_y = fy - h * 0.50
    half_shoulder = h * 0.12
    half_hip = h * 0.085
    torso = np.array(
        [
            (fx - half_shoulder, shoulder_y),
            (fx + half_shoulder, shoulder_y),
            (fx + half_hip, hip_y),
            (fx - half_hip, hip_y),
        ]
    )
    _poly(img, torso, colour)
    _line(img, (fx, shoulder_y), (fx, head_c[1] + head_r), colour, h * 0.04)
    phase = math.sin(frame * 0.7 + fx * 0.01) if fig.vx or fig.vy else 0.0
    for side in (-1, 1):
        swing = side * phase * h * 0.1
        _line(
            img, (fx + side * h * 0.04, hip_y), (fx + side * h * 0.05 + swing, fy), colour, h * 0.06
        )
        arm_end = (fx + side * (half_shoulder + h * 0.02) - swing * 0.6, hip_y + h * 0.04)
        _line(img, (fx + side * half_shoulder, shoulder_y + h * 0.02), arm_end, colour, h * 0.04)
    skin = (120, 150, 190)
    cv2.circle(
        img, _pt(head_c), max(1, round(head_r)), skin if fig.face else colour, -1, cv2.LINE_AA
    )
    if fig.face:
        draw_face(img, head_c, head_r)


def draw_face(img: Image, centre: tuple[float, float], r: float) -> None:
    """A procedural frontal face in the head circle: dark eye bands and brows, a brighter
    nose bridge, a dark mouth (the contrasts Haar features look for)."""
    cx, cy = centre
    dark = (40, 45, 60)
    for side in (-1, 1):
        ex = cx + side * r * 0.38
        cv2.ellipse(
            img,
            _pt((ex, cy - r * 0.15)),
            (max(1, round(r * 0.22)), max(1, round(r * 0.1))),
            0,
            0,
            360,
            dark,
            -1,
            cv2.LINE_AA,
        )
        _line(img, (ex - r * 0.25, cy - r * 0.42), (ex + r * 0.25, cy - r * 0.42), dark, r * 0.1)
    _line(img, (cx, cy - r * 0.2), (cx, cy + r * 0.2), (170, 195, 225), r * 0.14)
    _line(img, (cx - r * 0.3, cy + r * 0.5), (cx + r * 0.3, cy + r * 0.5), (50, 50, 110), r * 0.12)


def _pt(p: tuple[float, float]) -> tuple[int, int]:
    return round(p[0]), round(p[1])


def _line(
    img: Image,
    a: tuple[float, float],
    b: tuple[float, float],
    colour: tuple[int, int, int],
    thick: float,
) -> None:
    cv2.line(img, _pt(a), _pt(b), colour, max(1, round(thick)), cv2.LINE_AA)


def _poly(img: Image, points: npt.NDArray[np.float64], colour: tuple[int, int, int]) -> None:
    cv2.fillPoly(img, [np.round(points).astype(np.int32)], colour, cv2.LINE_AA)


def _street_figures(width: int, height: int, frames: int) -> tuple[Figure, ...]:
    """Five walkers crossing at different depths and speeds, each covering the picture's
    width (plus a margin) a whole number of times per loop; two with a visible face."""
    s = height / 540
    span = width + 200 * s
    return tuple(
        Figure(x * width, y * height, direction * laps * span / frames, 0.0, h * s, colour, face)
        for x, y, direction, laps, h, colour, face in (
            (0.10, 0.80, 1, 1, 250, (30, 30, 90), True),
            (0.70, 0.84, -1, 1, 270, (90, 40, 30), False),
            (0.35, 0.92, 1, 2, 300, (30, 70, 30), False),
            (0.55, 0.75, -1, 1, 220, (60, 60, 60), True),
            (0.90, 0.88, 1, 1, 280, (90, 80, 40), False),
        )
    )


def street_frame(width: int, height: int, n: int, frames: int = LOOP_FRAMES) -> Image:
    """Frame `n` of the looping street scene (BGR)."""
    img = background(width, height)
    margin = 100 * height / 540
    span = width + 2 * margin
    for fig in sorted(_street_figures(width, height, frames), key=lambda f: f.y):
        k = n % frames
        x = (fig.x + fig.vx * k + margin) % span - margin  # wraps around: no seam
        moved = Figure(x - fig.vx * k, fig.y, fig.vx, 0.0, fig.height, fig.colour, fig.face)
        draw_figure(img, moved, k)
    return img


def street_frames(folder: Path, width: int, height: int, frames: int = LOOP_FRAMES) -> Path:
    """The loop's JPEG frames in `folder` (made once; kept while the size is the same)."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = folder / "size.txt"
    size = f"{width}x{height}x{frames}"
    if stamp.exists() and stamp.read_text() == size:
        return folder
    for n in range(frames):
        cv2.imwrite(str(folder / (FRAME_NAME % n)), street_frame(width, height, n, frames),
                    [cv2.IMWRITE_JPEG_QUALITY, 90])  # fmt: skip
    stamp.write_text(size)
    return folder
