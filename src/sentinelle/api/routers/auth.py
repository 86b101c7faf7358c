"""Login (password, then TOTP or TOTP enrolment), logout, the current user, own API tokens."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from sentinelle.access import errors as access_errors
from sentinelle.access import login, repository, service
from sentinelle.access.login import IssuedSession, LoginStage
from sentinelle.api.schemas.access import (
    LoginIn,
    LoginOut,
    MeOut,
    MfaIn,
    PasswordChangeIn,
    TokenCreatedOut,
    TokenIn,
    TokenOut,
)
from sentinelle.api.schemas.common import ERROR_RESPONSES
from sentinelle.api.security import SESSION_COOKIE, PrincipalDep, RuntimeDep, actor_of, guarded
from sentinelle.runtime import Runtime

router = APIRouter(prefix="/api/auth", tags=["auth"], responses=ERROR_RESPONSES)


def _client(request: Request) -> str:
    host = request.client.host if request.client else "?"
    return f"{host} {request.headers.get('user-agent', '')}"[:200]


def _set_cookie(rt: Runtime, response: Response, issued: IssuedSession) -> LoginOut:
    response.set_cookie(
        SESSION_COOKIE,
        issued.token,
        max_age=rt.settings.session_max_hours * 3600,
        httponly=True,
        samesite="strict",
        secure=rt.settings.cookie_secure,
        path="/",
    )
    return LoginOut(
        stage=LoginStage.DONE, csrf_token=issued.csrf_token, expires_at=issued.expires_at
    )


@router.post("/login", **guarded(public=True))
def post_login(body: LoginIn, request: Request, response: Response, rt: RuntimeDep) -> LoginOut:
    """First step. Wrong credentials, disabled or locked accounts answer 401/403."""
    step = login.do_login(rt, body.username, body.password, _client(request))
    if step.session is not None:
        return _set_cookie(rt, response, step.session)
    return LoginOut(
        stage=step.stage,
        challenge=step.challenge,
        provisioning_uri=step.provisioning_uri,
        totp_secret=step.totp_secret,
    )


@router.post("/login/mfa", **guarded(public=True))
def post_login_mfa(body: MfaIn, request: Request, response: Response, rt: RuntimeDep) -> LoginOut:
    """Second step: a TOTP code (or the first code of a newly enrolled secret)."""
    issued = login.do_login_mfa(rt, body.challenge, body.code, _client(request))
    return _set_cookie(rt, response, issued)


@router.post("/logout", status_code=204, **guarded())
def post_logout(request: Request, response: Response, rt: RuntimeDep) -> None:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        login.do_logout(rt, token)
    response.delete_cookie(SESSION_COOKIE, path="/")


@router.get("/me", **guarded())
def get_me(principal: PrincipalDep) -> MeOut:
    return MeOut.of(principal)


@router.post("/password", status_code=204, **guarded())
def post_password(
    body: PasswordChangeIn,
    principal: PrincipalDep,
    request: Request,
    response: Response,
    rt: RuntimeDep,
) -> None:
    """Change one's own password; every session ends (log in again)."""
    login.do_change_own_password(rt, principal.user_id, body.current_password, body.new_password)
    response.delete_cookie(SESSION_COOKIE, path="/")


@router.get("/tokens", **guarded())
def get_tokens(principal: PrincipalDep, rt: RuntimeDep) -> list[TokenOut]:
    with rt.db.read() as s:
        return [TokenOut.of(t) for t in repository.list_tokens(s, principal.user_id)]


@router.post("/tokens", status_code=201, **guarded())
def post_token(body: TokenIn, principal: PrincipalDep, rt: RuntimeDep) -> TokenCreatedOut:
    actor = actor_of(principal)
    row, secret = service.do_create_token(rt, actor, principal.user_id, body.name, body.days)
    return TokenCreatedOut(token=TokenOut.of(row), secret=secret)


@router.delete("/tokens/{token_id}", status_code=204, **guarded())
def delete_token(token_id: int, principal: PrincipalDep, rt: RuntimeDep) -> None:
    with rt.db.read() as s:
        if repository.get_token(s, token_id).user_id != principal.user_id:
            raise access_errors.token_not_found(token_id)
    service.do_revoke_token(rt, actor_of(principal), token_id)
