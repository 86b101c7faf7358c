"""Live wall layouts: each user's own, and the presets shared with everyone who watches live."""

from __future__ import annotations

from fastapi import APIRouter

from sentinelle.access.models import Permission
from sentinelle.api.schemas.common import ERROR_RESPONSES
from sentinelle.api.schemas.wall import LayoutOut
from sentinelle.api.security import PrincipalDep, RuntimeDep, guarded
from sentinelle.wall import service
from sentinelle.wall.models import LayoutInput

router = APIRouter(prefix="/api/wall", tags=["wall"], responses=ERROR_RESPONSES)
LIVE = Permission.VIDEO_LIVE


@router.get("/layouts", **guarded(LIVE))
def list_layouts(rt: RuntimeDep, principal: PrincipalDep) -> list[LayoutOut]:
    """The caller's layouts, then others' shared presets; cameras outside the caller's live
    scope read as empty tiles."""
    return [LayoutOut.of(x, principal.user_id) for x in service.list_layouts(rt, principal)]


@router.post("/layouts", status_code=201, **guarded(LIVE))
def create_layout(body: LayoutInput, rt: RuntimeDep, principal: PrincipalDep) -> LayoutOut:
    """Save a layout (every camera must be in the caller's live scope); journalled."""
    return LayoutOut.of(service.do_save_layout(rt, principal, body), principal.user_id)


@router.put("/layouts/{layout_id}", **guarded(LIVE))
def replace_layout(
    layout_id: int, body: LayoutInput, rt: RuntimeDep, principal: PrincipalDep
) -> LayoutOut:
    """Replace one of the caller's layouts; journalled."""
    layout = service.do_save_layout(rt, principal, body, layout_id)
    return LayoutOut.of(layout, principal.user_id)


@router.delete("/layouts/{layout_id}", status_code=204, **guarded(LIVE))
def delete_layout(layout_id: int, rt: RuntimeDep, principal: PrincipalDep) -> None:
    """Delete one of the caller's layouts; journalled."""
    service.do_delete_layout(rt, principal, layout_id)
