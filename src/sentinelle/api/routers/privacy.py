"""Privacy masks of each camera (being built)."""

from __future__ import annotations

from fastapi import APIRouter

from sentinelle.api.schemas.common import ERROR_RESPONSES

router = APIRouter(prefix="/api", tags=["privacy"], responses=ERROR_RESPONSES)
