"""Liveness and system status."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from fastapi import APIRouter
from pydantic import BaseModel

from sentinelle import __version__
from sentinelle.access.models import Permission
from sentinelle.api.security import RuntimeDep, guarded
from sentinelle.migrations.runner import current_revision, head_revision

router = APIRouter(prefix="/api", tags=["system"])


class HealthOut(BaseModel):
    status: str
    version: str


class StatusOut(BaseModel):
    version: str
    time: datetime
    database: str
    schema_revision: str | None
    schema_up_to_date: bool
    site_timezone: str


@router.get("/health", **guarded(public=True))
def health(rt: RuntimeDep) -> HealthOut:
    """Liveness: answers when the API and its database answer."""
    with rt.db.read() as s:
        s.execute(sa.text("SELECT 1"))
    return HealthOut(status="ok", version=__version__)


@router.get("/system/status", **guarded(Permission.SYSTEM_HEALTH))
def status(rt: RuntimeDep) -> StatusOut:
    revision = current_revision(rt.db.engine)
    return StatusOut(
        version=__version__,
        time=rt.now(),
        database=rt.db.dialect,
        schema_revision=revision,
        schema_up_to_date=revision == head_revision(),
        site_timezone=rt.settings.site_timezone,
    )
