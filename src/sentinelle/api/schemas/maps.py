"""The map's response shapes: where its background comes from, where it opens, and whether
each camera's stream is being received."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field


class TileMode(StrEnum):
    NONE = "none"  # a plain background: the map makes no tile request at all
    URL = "url"  # tiles from the configured tile server
    LOCAL = "local"  # tiles from the local tile directory, served by /api/map/tiles


class BoundsOut(BaseModel):
    """A WGS 84 rectangle."""

    south: float
    west: float
    north: float
    east: float


class MapConfigOut(BaseModel):
    mode: TileMode
    tile_url: str | None = Field(description="Leaflet URL template ({z}/{x}/{y}); null with none")
    attribution: str
    min_zoom: int
    max_zoom: int
    bounds: BoundsOut | None = Field(
        description="initial view: the placed cameras the caller may see (null when none)"
    )


class RecordingOut(BaseModel):
    """Whether a camera's stream is being received by an ingest worker (no video shown)."""

    camera_id: int
    recording: bool
    since: datetime | None
    reason: str | None
