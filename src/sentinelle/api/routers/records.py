"""Legal holds and the destruction register, for the console's administration.

Holds are placed and released through the storage use cases (journalled there); placing one
needs `holds.write` and a habilitation covering every camera held, as acting on video does.
The register is read with `register.read`; its export is the CLI's `register export`."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response
from sqlalchemy.orm import Session

from sentinelle.access import errors as access_errors
from sentinelle.access.models import Permission, Principal
from sentinelle.api.schemas.common import ERROR_RESPONSES, MAX_PAGE, Page
from sentinelle.api.schemas.records import DestructionOut, HoldIn, HoldOut, ReleaseIn
from sentinelle.api.security import PrincipalDep, RuntimeDep, actor_of, guarded
from sentinelle.core.errors import InvalidInput
from sentinelle.registry import repository as registry_repository
from sentinelle.registry.service import camera_in_scope
from sentinelle.runtime import Runtime
from sentinelle.storage import repository
from sentinelle.storage.register import do_export_register
from sentinelle.storage.service import do_place_hold, do_release_hold
from sentinelle.storage.tables import LegalHoldRow

router = APIRouter(prefix="/api", tags=["records"], responses=ERROR_RESPONSES)
HOLDS = Permission.HOLDS_WRITE
REGISTER = Permission.REGISTER_READ
_MEDIA = {"csv": "text/csv; charset=utf-8", "html": "text/html; charset=utf-8"}


@router.get("/legal-holds", **guarded(REGISTER))
def list_holds(
    rt: RuntimeDep,
    include_released: bool = Query(False, alias="all", description="include released holds"),
) -> list[HoldOut]:
    """Active holds, newest first (with `all`, released ones too). Readable by whoever reads
    the destruction register (auditor, DPO): a hold explains why footage outlived retention."""
    with rt.db.read() as s:
        return _out(s, repository.list_holds(s, active_only=not include_released))


@router.post("/legal-holds", status_code=201, **guarded(HOLDS))
def place_hold(body: HoldIn, principal: PrincipalDep, rt: RuntimeDep) -> HoldOut:
    """Freeze a period of footage for a procedure; every camera must be in the caller's
    habilitation. Journalled with its reason."""
    _check_scope(rt, principal, body.camera_ids)
    row = do_place_hold(rt, actor_of(principal), body.as_input())
    with rt.db.read() as s:
        return _out(s, [repository.get_hold(s, row.id)])[0]


@router.post("/legal-holds/{hold_id}/release", **guarded(HOLDS))
def release_hold(hold_id: int, body: ReleaseIn, principal: PrincipalDep, rt: RuntimeDep) -> HoldOut:
    """Release a hold (reason journalled); footage past its retention goes at the next sweep."""
    with rt.db.read() as s:
        held = [i.camera_id for i in repository.get_hold(s, hold_id).items]
    _check_scope(rt, principal, held)
    do_release_hold(rt, actor_of(principal), hold_id, body.reason)
    with rt.db.read() as s:
        return _out(s, [repository.get_hold(s, hold_id)])[0]


@router.get("/destruction-register", **guarded(REGISTER))
def destruction_register(
    rt: RuntimeDep,
    camera_id: int | None = Query(None),
    since: datetime | None = Query(None, alias="from", description="destroyed at or after"),
    until: datetime | None = Query(None, alias="to", description="destroyed before"),
    limit: int = Query(50, ge=1, le=MAX_PAGE),
    offset: int = Query(0, ge=0),
) -> Page[DestructionOut]:
    """Register lines, newest destruction first."""
    _aware(since, until)
    with rt.db.read() as s:
        rows, total = repository.register_page(
            s, camera_id=camera_id, since=since, until=until, limit=limit, offset=offset
        )
        items = [DestructionOut.of(r) for r in rows]
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.get(
    "/destruction-register/export",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}, "text/html": {}}}},
    **guarded(REGISTER),
)
def export_register(
    rt: RuntimeDep,
    principal: PrincipalDep,
    since: datetime | None = Query(None, alias="from"),
    until: datetime | None = Query(None, alias="to"),
    fmt: Literal["csv", "html"] = Query("csv", alias="format"),
) -> Response:
    """The register for an inspection (as `sentinelle register export`); journalled."""
    _aware(since, until)
    text = do_export_register(rt, actor_of(principal), since, until, fmt)
    name = f"registre-destructions.{fmt}"
    return Response(
        text,
        media_type=_MEDIA[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _aware(*instants: datetime | None) -> None:
    if any(i is not None and i.tzinfo is None for i in instants):
        raise InvalidInput("naive_datetime", "from and to need a time zone (e.g. Z)")


def _check_scope(rt: Runtime, principal: Principal, camera_ids: Iterable[int]) -> None:
    scope = principal.video_scope
    if scope == scope.nothing():
        raise access_errors.habilitation_required()
    for camera_id in sorted(set(camera_ids)):
        if not camera_in_scope(rt, camera_id, scope):
            raise access_errors.camera_out_of_scope(camera_id)


def _out(s: Session, rows: list[LegalHoldRow]) -> list[HoldOut]:
    ids = {i.camera_id for r in rows for i in r.items}
    codes = {c: registry_repository.get_camera(s, c).code for c in sorted(ids)}
    return [HoldOut.of(r, codes) for r in rows]
