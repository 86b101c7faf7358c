"""Legal holds and the destruction register, for the console's administration (being built)."""

from __future__ import annotations

from fastapi import APIRouter

from sentinelle.api.schemas.common import ERROR_RESPONSES

router = APIRouter(prefix="/api", tags=["records"], responses=ERROR_RESPONSES)
