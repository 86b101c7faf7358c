"""Shapes of the stream test (`POST /api/cameras/probe`)."""

from __future__ import annotations

import base64

from pydantic import BaseModel, ConfigDict, Field

from sentinelle.api.schemas.registry import LegalMinimumsOut
from sentinelle.ingest.probe import ProbeReport
from sentinelle.registry.models import FieldOfView, Placement, SiteCategory


class ProbeIn(BaseModel):
    """The stream to test and what the camera is (its 2007 minimums follow from it)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    url: str = Field(min_length=1, max_length=1000, examples=["rtsp://10.0.0.7:554/main"])
    field_of_view: FieldOfView
    fast_flows: bool = False
    placement: Placement | None = None
    site_category: SiteCategory | None = None


class PreviewOut(BaseModel):
    """The first keyframe, for habilitated staff only (`reason` says why it is withheld:
    `habilitation_required`, `camera_out_of_scope`, `camera_not_lawful`)."""

    available: bool
    jpeg_base64: str | None = None
    reason: str | None = Field(default=None, examples=["habilitation_required"])
    masked: bool = Field(
        default=False, description="a registered camera's masks in force are burnt in"
    )


class ProbeOut(BaseModel):
    url: str = Field(description="the URL tested, credentials redacted")
    codec: str
    width: int
    height: int
    fps: float = Field(description="real frame rate measured over about a second")
    frames_measured: int
    legal_minimums: LegalMinimumsOut
    conforming: bool
    problems: list[str]
    preview: PreviewOut

    @classmethod
    def of(cls, report: ProbeReport) -> ProbeOut:
        facts, result = report.facts, report.assessment
        mins = result.minimums
        if facts.jpeg is not None:
            jpeg = base64.b64encode(facts.jpeg).decode()
            preview = PreviewOut(available=True, jpeg_base64=jpeg, masked=report.masked)
        else:
            reason = report.preview_withheld or "habilitation_required"
            preview = PreviewOut(available=False, reason=reason)
        return cls(
            url=report.url_redacted,
            codec=facts.codec,
            width=facts.width,
            height=facts.height,
            fps=facts.fps,
            frames_measured=facts.frames_measured,
            legal_minimums=LegalMinimumsOut(width=mins.width, height=mins.height, fps=mins.fps),
            conforming=result.ok,
            problems=list(result.problems),
            preview=preview,
        )
