"""Shapes of the mask editor's reference picture (`POST /api/cameras/{id}/masks/reference`)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class ReferenceOut(BaseModel):
    """The camera's current picture, unmasked, to draw masks on: its first keyframe as a JPEG
    (shown only to a caller whose habilitation covers the camera; journalled as an image
    access). When the camera gives no picture (`available` false), `reason` is the stream
    test's code and the console draws on a neutral frame."""

    camera_id: int
    available: bool
    reason: str | None = Field(default=None, examples=["probe_unreachable"])
    width: int | None = Field(default=None, description="the stored picture's width in pixels")
    height: int | None = None
    codec: str | None = None
    taken_at: datetime
    jpeg_base64: str | None = Field(default=None, description="the keyframe as a base64 JPEG")
