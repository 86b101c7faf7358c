"""Testing a camera stream before it is registered: properties, 2007 conformity (being built)."""

from __future__ import annotations

from fastapi import APIRouter

from sentinelle.api.schemas.common import ERROR_RESPONSES

router = APIRouter(prefix="/api", tags=["registry"], responses=ERROR_RESPONSES)
