"""Shapes of the mask editor's reference picture (`POST /api/cameras/{id}/masks/reference`)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class ReferenceOut(BaseModel):
    """The camera's current picture, unmasked, to draw masks on: its first keyframe as a JPEG,
    shown only to a caller whose habilitation covers the camera; journalled as an image
    access."""

    camera_id: int
    width: int = Field(description="the stored picture's width in pixels")
    height: int
    codec: str
    taken_at: datetime
    jpeg_base64: str = Field(description="the keyframe as a base64 JPEG")
