"""The map's configuration and its offline tiles (being built)."""

from __future__ import annotations

from fastapi import APIRouter

from sentinelle.api.schemas.common import ERROR_RESPONSES

router = APIRouter(prefix="/api/map", tags=["map"], responses=ERROR_RESPONSES)
