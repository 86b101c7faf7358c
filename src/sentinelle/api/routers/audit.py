"""The journal: browse, export for an inspection, verify."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Query, Response

from sentinelle.access.models import Permission
from sentinelle.api.schemas.audit import AuditEntryOut, VerifyOut
from sentinelle.api.schemas.common import ERROR_RESPONSES, MAX_PAGE, Page
from sentinelle.api.security import PrincipalDep, RuntimeDep, actor_of, guarded
from sentinelle.audit import service
from sentinelle.audit.repository import EntryFilter
from sentinelle.core.errors import InvalidInput

router = APIRouter(prefix="/api/audit", tags=["audit"], responses=ERROR_RESPONSES)
_MEDIA = {"csv": "text/csv; charset=utf-8", "json": "application/json"}


def _filter(
    since: datetime | None,
    until: datetime | None,
    actor: str | None,
    camera_id: int | None,
    action: str | None,
) -> EntryFilter:
    for name, value in (("since", since), ("until", until)):
        if value is not None and value.tzinfo is None:
            raise InvalidInput("naive_datetime", f"{name} needs a time zone (e.g. Z or +01:00)")
    if since and until and until <= since:
        raise InvalidInput("invalid_period", "until must be after since")
    return EntryFilter(
        since=since, until=until, actor_name=actor, camera_id=camera_id, action=action
    )


@router.get("/entries", **guarded(Permission.AUDIT_READ))
def list_entries(
    rt: RuntimeDep,
    since: datetime | None = None,
    until: datetime | None = None,
    actor: str | None = None,
    camera_id: int | None = None,
    action: str | None = None,
    limit: int = Query(100, ge=1, le=MAX_PAGE),
    offset: int = Query(0, ge=0),
) -> Page[AuditEntryOut]:
    """Newest first."""
    flt = _filter(since, until, actor, camera_id, action)
    entries, total = service.list_page(rt, flt, limit, offset)
    return Page(
        items=[AuditEntryOut.of(e) for e in entries], total=total, limit=limit, offset=offset
    )


@router.get("/export", **guarded(Permission.AUDIT_EXPORT))
def export(
    principal: PrincipalDep,
    rt: RuntimeDep,
    format: Literal["csv", "json"] = "csv",  # noqa: A002 - the public parameter name
    since: datetime | None = None,
    until: datetime | None = None,
    actor: str | None = None,
    camera_id: int | None = None,
    reason: str = Query("", max_length=2000),
) -> Response:
    """The filtered journal with its hashes, as a file; the export itself is journalled."""
    flt = _filter(since, until, actor, camera_id, None)
    text = service.do_export(rt, actor_of(principal), flt, format, reason)
    filename = f"sentinelle-journal.{format}"
    return Response(
        text,
        media_type=_MEDIA[format],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.post("/verify", **guarded(Permission.AUDIT_VERIFY))
def verify(principal: PrincipalDep, rt: RuntimeDep) -> VerifyOut:
    return VerifyOut.of(service.do_verify(rt, actor_of(principal)))
