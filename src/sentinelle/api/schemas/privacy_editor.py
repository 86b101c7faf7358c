"""Shapes of the mask editor's reference picture (`POST /api/cameras/{id}/masks/reference`)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class ReferenceIn(BaseModel):
    """Optional: `raw` asks for the picture without the masks in force, with a reason that
    the journal keeps (`reason_required`)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    raw: bool = False
    reason: str | None = Field(default=None, max_length=500)


class ReferenceOut(BaseModel):
    """The camera's current picture to draw masks on: its first keyframe as a JPEG, with the
    masks in force burnt in for a camera the server masks (`masked`) unless `raw` was asked
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
    masked: bool = Field(default=False, description="the masks in force are burnt in")
    jpeg_base64: str | None = Field(default=None, description="the keyframe as a base64 JPEG")
