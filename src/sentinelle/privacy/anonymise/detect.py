"""The detectors: OpenCV's HOG people detector and Haar frontal-face cascade on one frame.

Both run offline from the OpenCV wheel (no model download). People are searched on a copy
scaled to a working width (HOG needs a person at least ~100 px tall there, its window being
64×128). Faces are searched twice: on the whole working copy (faces of 24 px and more there),
and on the head zone of each person found, cut from the full-resolution frame and enlarged,
so that the small faces of people far from the camera are not missed. Nothing identifies
anyone: a detection is a box and a score.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from sentinelle.privacy.anonymise import errors
from sentinelle.privacy.anonymise.geometry import Detection, iou
from sentinelle.privacy.anonymise.models import Box, TrackKind

FACE_CASCADE = "haarcascade_frontalface_default.xml"
HOG_WINDOW = (64, 128)  # width, height of the default people detector's window


@dataclass(frozen=True, slots=True)
class DetectorParams:
    """The detectors' settings (they go into the redaction log)."""

    working_width: int = 640  # people (and the whole-frame face pass) at this width
    hog_win_stride: int = 8
    hog_padding: int = 8
    hog_scale: float = 1.05
    hog_hit_threshold: float = 0.0
    face_scale: float = 1.1
    face_min_neighbors: int = 4
    face_min_px: int = 24  # the smallest face searched, in pixels of the searched picture
    head_zone: float = 0.45  # top share of a person box searched for a face
    head_width_px: int = 120  # a head zone narrower than this is enlarged to it


class Detectors:
    """The two OpenCV detectors, loaded once; `detect` runs both on a frame."""

    def __init__(self, params: DetectorParams | None = None) -> None:
        self.params = params or DetectorParams()
        self._hog = cv2.HOGDescriptor()
        self._hog.setSVMDetector(
            np.asarray(cv2.HOGDescriptor.getDefaultPeopleDetector(), np.float32)
        )
        self._faces = cv2.CascadeClassifier(cv2.data.haarcascades + FACE_CASCADE)  # type: ignore[attr-defined]
        if self._faces.empty():
            raise errors.detector_unavailable(FACE_CASCADE)

    def describe(self) -> dict[str, Any]:
        """Names, versions and parameters of the detectors, for the redaction log."""
        return {
            "person": "opencv HOG default people detector (Dalal-Triggs, 64x128)",
            "face": f"opencv Haar cascade {FACE_CASCADE}",
            "opencv": cv2.__version__,
            "params": asdict(self.params),
        }

    def detect(self, frame: npt.NDArray[np.uint8]) -> list[Detection]:
        """People and faces in a frame: grey (H×W) or colour (H×W×3, RGB) pixels."""
        gray = (
            frame
            if frame.ndim == 2
            else np.asarray(cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY), np.uint8)
        )
        height, width = gray.shape
        scale = min(1.0, self.params.working_width / width)
        small = gray if scale == 1.0 else _resize(gray, scale)
        people = self._people(small, scale, width, height)
        faces = self._whole_faces(small, scale, width, height)
        for person in people:
            faces.extend(self._head_faces(gray, person.box))
        return people + _dedupe(faces)

    def _people(
        self, small: npt.NDArray[np.uint8], scale: float, w: int, h: int
    ) -> list[Detection]:
        p = self.params
        if small.shape[0] < HOG_WINDOW[1] or small.shape[1] < HOG_WINDOW[0]:
            return []  # no person fits the window (and OpenCV would crash on such a picture)
        rects, weights = self._hog.detectMultiScale(
            small,
            hitThreshold=p.hog_hit_threshold,
            winStride=(p.hog_win_stride, p.hog_win_stride),
            padding=(p.hog_padding, p.hog_padding),
            scale=p.hog_scale,
        )
        scores = np.asarray(weights, dtype=np.float64).ravel()
        return [
            Detection(TrackKind.PERSON, _norm(r, scale, w, h), float(scores[i]))
            for i, r in enumerate(np.asarray(rects).reshape(-1, 4))
        ]

    def _whole_faces(
        self, small: npt.NDArray[np.uint8], scale: float, w: int, h: int
    ) -> list[Detection]:
        rects, hits = self._cascade(small)
        return [
            Detection(TrackKind.FACE, _norm(r, scale, w, h), float(n))
            for r, n in zip(rects, hits, strict=True)
        ]

    def _head_faces(self, gray: npt.NDArray[np.uint8], person: Box) -> list[Detection]:
        """Faces in the head zone of a person box, searched at full resolution, enlarged."""
        height, width = gray.shape
        x0, y0 = max(0, int(person.x * width)), max(0, int(person.y * height))
        x1 = min(width, int((person.x + person.w) * width))
        y1 = min(height, int((person.y + person.h * self.params.head_zone) * height))
        if x1 - x0 < 8 or y1 - y0 < 8:
            return []
        crop = gray[y0:y1, x0:x1]
        up = max(1.0, self.params.head_width_px / (x1 - x0))
        if up > 1.0:
            crop = np.asarray(
                cv2.resize(crop, None, fx=up, fy=up, interpolation=cv2.INTER_LINEAR), np.uint8
            )
        rects, hits = self._cascade(crop)
        found = []
        for (rx, ry, rw, rh), n in zip(rects, hits, strict=True):
            box = Box(
                (x0 + rx / up) / width, (y0 + ry / up) / height, rw / up / width, rh / up / height
            )
            found.append(Detection(TrackKind.FACE, box, float(n)))
        return found

    def _cascade(
        self, gray: npt.NDArray[np.uint8]
    ) -> tuple[list[tuple[int, int, int, int]], list[int]]:
        p = self.params
        size = (p.face_min_px, p.face_min_px)
        if gray.shape[0] < size[1] or gray.shape[1] < size[0]:
            return [], []
        rects, hits = self._faces.detectMultiScale2(
            gray, scaleFactor=p.face_scale, minNeighbors=p.face_min_neighbors, minSize=size
        )
        boxes = [
            (int(x), int(y), int(w), int(h)) for x, y, w, h in np.asarray(rects).reshape(-1, 4)
        ]
        return boxes, [int(n) for n in np.asarray(hits).ravel()]


def _resize(gray: npt.NDArray[np.uint8], scale: float) -> npt.NDArray[np.uint8]:
    height, width = gray.shape
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return np.asarray(cv2.resize(gray, size, interpolation=cv2.INTER_AREA), np.uint8)


def _norm(rect: Any, scale: float, width: int, height: int) -> Box:
    """A pixel rectangle of the scaled copy as a normalised box of the frame."""
    x, y, w, h = (float(v) / scale for v in rect)
    return Box(x / width, y / height, w / width, h / height)


def _dedupe(faces: list[Detection]) -> list[Detection]:
    """One face where the two passes found the same one (IoU ≥ 0.3): the larger is kept."""
    kept: list[Detection] = []
    for face in sorted(faces, key=lambda d: -d.box.w * d.box.h):
        if all(iou(face.box, other.box) < 0.3 for other in kept):
            kept.append(face)
    return kept
