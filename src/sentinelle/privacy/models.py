"""Privacy mask vocabulary: fills, enforcement modes, the inputs of the use cases (pydantic,
reused as API request bodies) and the immutable types the services hand out.

Coordinates are normalised to the picture: (0, 0) is the top-left corner, (1, 1) the
bottom-right one, whatever the resolution, so a mask still fits when a camera's resolution
changes. Shape rules (point counts, bounds, area, self-intersection, coverage) are checked by
`geometry.validate_polygons`, which raises errors with stable codes; the pydantic models only
bound the size of a request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

Point = tuple[float, float]


class MaskFill(StrEnum):
    """How a server-side mask hides what is behind it."""

    OPAQUE = "opaque"  # a flat fill
    PIXELATE = "pixelate"  # blocks coarse enough that nothing behind can be recognised


class MaskMode(StrEnum):
    """Who applies the masks, chosen by the administrator for each camera."""

    CAMERA = "camera"  # the camera applies its own masks; Sentinelle verifies them (audit)
    SERVER = "server"  # Sentinelle burns the masks in before anything is stored or shown


class Enforcement(StrEnum):
    """What the video pipeline must do for a camera now (see `policy.enforcement`)."""

    CAMERA_SIDE = "camera_side"  # pass the stream through; the camera masks it
    BURN_IN = "burn_in"  # decode, fill the polygons, encode again
    BLACKOUT = "blackout"  # server masks cannot follow this camera: hide the whole picture


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class MaskPolygon(_Input):
    """One named private area, e.g. "fenêtres 12 rue Victor-Hugo"."""

    name: str = Field(min_length=1, max_length=200, examples=["fenêtres 12 rue Victor-Hugo"])
    points: list[tuple[float, float]] = Field(
        max_length=1000,
        description="vertices (x, y) normalised to the picture: 0..1, origin top-left",
        examples=[[[0.1, 0.1], [0.4, 0.1], [0.4, 0.3], [0.1, 0.3]]],
    )
    ptz_preset: str | None = Field(
        default=None,
        min_length=1,
        max_length=64,
        description="PTZ cameras only: the preset whose view this polygon is drawn on",
    )
    fill: MaskFill = MaskFill.OPAQUE


class MaskSetInput(_Input):
    """A complete new set of polygons for one camera (replaces the current set)."""

    polygons: list[MaskPolygon] = Field(max_length=200)
    reason: str = Field(default="", max_length=2000, description="why the masks change (required)")


class MaskModeInput(_Input):
    mode: MaskMode
    reason: str = Field(default="", max_length=2000, description="why (required)")


class ConfirmFixedInput(_Input):
    reason: str = Field(
        default="", max_length=2000, description="what was repaired and how it was checked"
    )


# --- what the services hand out ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Polygon:
    """A validated polygon: points rounded to the stored precision, repeated points removed."""

    name: str
    points: tuple[Point, ...]
    ptz_preset: str | None = None
    fill: MaskFill = MaskFill.OPAQUE

    def as_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "points": [[x, y] for x, y in self.points],
            "ptz_preset": self.ptz_preset,
            "fill": str(self.fill),
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Polygon:
        """The polygon stored as `as_json` wrote it."""
        preset = raw.get("ptz_preset")
        return cls(
            name=str(raw["name"]),
            points=tuple((float(x), float(y)) for x, y in raw["points"]),
            ptz_preset=None if preset is None else str(preset),
            fill=MaskFill(str(raw.get("fill", MaskFill.OPAQUE))),
        )


@dataclass(frozen=True, slots=True)
class MaskVersion:
    """One immutable version of a camera's masks: the polygons and the chosen mode.

    Version 0 is the implicit state of a camera never configured (no polygons, camera mode);
    it is never stored. `effective_from` is the instant from which the version governs the
    camera's video (the pipeline switches at the first keyframe at or after it)."""

    camera_id: int
    version: int
    polygons: tuple[Polygon, ...]
    mode: MaskMode
    created_by: str
    created_at: datetime | None
    reason: str
    effective_from: datetime | None
    digest: str  # SHA-256 of the canonical polygons JSON, also written to the journal


@dataclass(frozen=True, slots=True)
class Latch:
    """Server mode forced on a camera after a failed mask audit, until an administrator
    confirms the camera is fixed (`confirmed_at` set)."""

    id: int
    camera_id: int
    forced_at: datetime
    forced_by: str
    reason: str
    confirmed_at: datetime | None
    confirmed_by: str | None
    confirm_reason: str | None

    @property
    def open(self) -> bool:
        return self.confirmed_at is None


@dataclass(frozen=True, slots=True)
class MaskProblem:
    """Something wrong with a camera's current configuration, told to the administrator."""

    code: str
    message: str


@dataclass(frozen=True, slots=True)
class CameraMasks:
    """A camera's masks as they stand: the version in force, the latch, what the pipeline
    must do, and the problems to fix."""

    camera_id: int
    camera_kind: str
    current: MaskVersion
    latch: Latch | None  # the open latch, if any
    effective_mode: MaskMode
    enforcement: Enforcement
    problems: tuple[MaskProblem, ...]
