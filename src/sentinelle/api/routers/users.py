"""Accounts and habilitations (administration)."""

from __future__ import annotations

from fastapi import APIRouter, Query

from sentinelle.access import repository, service
from sentinelle.access.models import Permission
from sentinelle.api.schemas.access import (
    HabilitationIn,
    HabilitationOut,
    RevokeIn,
    RolesOut,
    UserCreatedOut,
    UserIn,
    UserOut,
    UserPatch,
)
from sentinelle.api.schemas.common import ERROR_RESPONSES, MAX_PAGE, Page, Reason
from sentinelle.api.security import PrincipalDep, RuntimeDep, actor_of, guarded
from sentinelle.core.clock import local_date
from sentinelle.registry import repository as registry_repository

router = APIRouter(prefix="/api", tags=["users"], responses=ERROR_RESPONSES)


@router.get("/roles", **guarded(Permission.USERS_READ))
def list_roles() -> RolesOut:
    """Each role with the permissions it grants (what the roles screen shows)."""
    return RolesOut.build()


@router.get("/users", **guarded(Permission.USERS_READ))
def list_users(
    rt: RuntimeDep,
    limit: int = Query(100, ge=1, le=MAX_PAGE),
    offset: int = Query(0, ge=0),
) -> Page[UserOut]:
    now = rt.now()
    with rt.db.read() as s:
        rows, total = repository.list_users(s, limit=limit, offset=offset)
        items = [UserOut.of(r, now) for r in rows]
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.post("/users", status_code=201, **guarded(Permission.USERS_WRITE))
def create_user(body: UserIn, principal: PrincipalDep, rt: RuntimeDep) -> UserCreatedOut:
    new = service.NewUser(
        username=body.username,
        full_name=body.full_name,
        role=body.role,
        organisation=body.organisation,
        password=body.password,
    )
    row, generated = service.do_create_user(rt, actor_of(principal), new)
    return UserCreatedOut(user=UserOut.of(row, rt.now()), generated_password=generated)


@router.get("/users/{user_id}", **guarded(Permission.USERS_READ))
def get_user(user_id: int, rt: RuntimeDep) -> UserOut:
    with rt.db.read() as s:
        return UserOut.of(repository.get_user(s, user_id), rt.now())


@router.patch("/users/{user_id}", **guarded(Permission.USERS_WRITE))
def patch_user(user_id: int, body: UserPatch, principal: PrincipalDep, rt: RuntimeDep) -> UserOut:
    row = service.do_update_user(
        rt,
        actor_of(principal),
        user_id,
        role=body.role,
        active=body.active,
        full_name=body.full_name,
        organisation=body.organisation,
        reason=body.reason,
    )
    return UserOut.of(row, rt.now())


@router.post("/users/{user_id}/mfa-reset", status_code=204, **guarded(Permission.USERS_WRITE))
def reset_mfa(user_id: int, body: Reason, principal: PrincipalDep, rt: RuntimeDep) -> None:
    service.do_reset_mfa(rt, actor_of(principal), user_id, body.reason)


@router.get("/users/{user_id}/habilitations", **guarded(Permission.USERS_READ))
def list_habilitations(user_id: int, rt: RuntimeDep) -> list[HabilitationOut]:
    today = local_date(rt.now(), rt.settings.timezone)
    with rt.db.read() as s:
        user = repository.get_user(s, user_id)
        return [HabilitationOut.of(h, today) for h in user.habilitations]


@router.post(
    "/users/{user_id}/habilitations", status_code=201, **guarded(Permission.HABILITATIONS_WRITE)
)
def grant_habilitation(
    user_id: int, body: HabilitationIn, principal: PrincipalDep, rt: RuntimeDep
) -> HabilitationOut:
    with rt.db.read() as s:
        for group_id in body.group_ids:
            registry_repository.get_group(s, group_id)  # camera_group_not_found, not a 500
    new = service.NewHabilitation(
        **body.model_dump(exclude={"group_ids"}), group_ids=frozenset(body.group_ids)
    )
    row = service.do_grant_habilitation(rt, actor_of(principal), user_id, new)
    return HabilitationOut.of(row, local_date(rt.now(), rt.settings.timezone))


@router.post("/habilitations/{habilitation_id}/revoke", **guarded(Permission.HABILITATIONS_WRITE))
def revoke_habilitation(
    habilitation_id: int, body: RevokeIn, principal: PrincipalDep, rt: RuntimeDep
) -> HabilitationOut:
    row = service.do_revoke_habilitation(rt, actor_of(principal), habilitation_id, body.reason)
    return HabilitationOut.of(row, local_date(rt.now(), rt.settings.timezone))
