"""Route access declarations and their enforcement.

`guarded(...)` is spread into every route decorator. It adds the dependency that authenticates
the caller and checks the permission (and the camera scope when the route names a camera path
parameter), and it records the declaration in the route's OpenAPI `x-sentinelle-access`, where
tests and tools read it. `create_app` refuses to start if any route lacks a declaration.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar
from urllib.parse import urlsplit

from fastapi import Depends, FastAPI, Request, WebSocket
from fastapi.concurrency import run_in_threadpool
from starlette.routing import WebSocketRoute

from sentinelle.access import errors as access_errors
from sentinelle.access.login import resolve_api_token, resolve_session
from sentinelle.access.models import VIDEO_PERMISSIONS, Permission, Principal
from sentinelle.api.errors import STATUS_BY_KIND, error_body
from sentinelle.audit.models import Actor
from sentinelle.core.errors import Forbidden, InvalidInput, SentinelleError
from sentinelle.registry.service import camera_in_scope
from sentinelle.runtime import Runtime

SESSION_COOKIE = "sentinelle_session"
CSRF_HEADER = "X-CSRF-Token"
ACCESS_KEY = "x-sentinelle-access"
WEBSOCKET_ACCESS = "__sentinelle_access__"  # where a WebSocket endpoint keeps its rule
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True, slots=True)
class AccessRule:
    """What a route requires: nothing (public), a session, or a permission (+ camera scope)."""

    public: bool = False
    permission: Permission | None = None
    camera_param: str | None = None

    def as_openapi(self) -> dict[str, Any]:
        return {
            "public": self.public,
            "permission": None if self.permission is None else str(self.permission),
            "camera_param": self.camera_param,
        }


def get_runtime(request: Request) -> Runtime:
    rt: Runtime = request.app.state.runtime
    return rt


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def current_principal(request: Request, rt: RuntimeDep) -> Principal:
    """Authenticate by bearer token or session cookie (CSRF header on unsafe methods)."""
    cached: Principal | None = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    principal = _authenticate(request, rt)
    request.state.principal = principal
    return principal


def _authenticate(request: Request, rt: Runtime) -> Principal:
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return resolve_api_token(rt, auth[7:].strip())
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        raise access_errors.not_authenticated()
    principal, csrf = resolve_session(rt, cookie)
    if request.method not in _SAFE_METHODS and request.headers.get(CSRF_HEADER) != csrf:
        raise access_errors.csrf_failed()
    return principal


PrincipalDep = Annotated[Principal, Depends(current_principal)]


class _Guard:
    def __init__(self, rule: AccessRule) -> None:
        self.rule = rule

    def __call__(self, request: Request, rt: RuntimeDep) -> None:
        if self.rule.public:
            return
        principal = current_principal(request, rt)
        enforce(rt, self.rule, principal, request.path_params)


def enforce(
    rt: Runtime, rule: AccessRule, principal: Principal, path_params: dict[str, Any]
) -> None:
    """Check permission, habilitation (for video) and camera scope."""
    permission = rule.permission
    if permission is None:
        return
    if not principal.can(permission):
        raise access_errors.permission_denied(permission)
    scope = principal.scope_for(permission)
    if permission in VIDEO_PERMISSIONS and scope == scope.nothing():
        raise access_errors.habilitation_required()
    if rule.camera_param is not None:
        raw = str(path_params[rule.camera_param])
        if not raw.isdigit():
            raise InvalidInput("invalid_camera_id", f"camera id must be a number, not {raw!r}")
        camera_id = int(raw)
        if not camera_in_scope(rt, camera_id, scope):
            raise access_errors.camera_out_of_scope(camera_id)


def guarded(
    permission: Permission | None = None, *, camera: str | None = None, public: bool = False
) -> dict[str, Any]:
    """Keyword arguments for a route decorator that declare and enforce its access rule."""
    rule = AccessRule(public=public, permission=permission, camera_param=camera)
    return {
        "dependencies": [Depends(_Guard(rule))],
        "openapi_extra": {ACCESS_KEY: rule.as_openapi()},
    }


def rule_of(openapi_extra: dict[str, Any] | None) -> AccessRule | None:
    """Read a route's declared rule back (None when the route declares nothing)."""
    if not openapi_extra or ACCESS_KEY not in openapi_extra:
        return None
    raw = openapi_extra[ACCESS_KEY]  # the OpenAPI document drops keys whose value is null
    perm = raw.get("permission")
    return AccessRule(
        public=bool(raw.get("public", False)),
        permission=None if perm is None else Permission(perm),
        camera_param=raw.get("camera_param"),
    )


def actor_of(principal: Principal) -> Actor:
    """The journal's actor for a request's principal."""
    return Actor.user(principal.user_id, principal.username)


# --- WebSocket routes ---------------------------------------------------------------------
# The OpenAPI document does not list WebSocket routes: their rule is kept on the endpoint,
# `create_app` refuses one without it (`declared_websockets`), and the same `enforce` checks
# it before the endpoint runs. A refusal accepts the socket, sends the error body as a text
# message, then closes with code 4000 + the HTTP status and the stable code as reason.

Endpoint = TypeVar("Endpoint", bound=Callable[..., Awaitable[None]])


def guarded_websocket(
    permission: Permission, *, camera: str | None = None
) -> Callable[[Endpoint], Endpoint]:
    """Declare and enforce a WebSocket route's access rule. The endpoint takes `websocket`;
    the authenticated principal is in `websocket.state.principal`."""
    rule = AccessRule(permission=permission, camera_param=camera)

    def declare(endpoint: Endpoint) -> Endpoint:
        @functools.wraps(endpoint)
        async def checked(*args: Any, **kwargs: Any) -> None:
            websocket: WebSocket = kwargs["websocket"]
            rt: Runtime = websocket.app.state.runtime
            try:
                principal = await run_in_threadpool(_check_websocket, websocket, rt, rule)
            except SentinelleError as exc:
                await refuse_websocket(websocket, exc)
                return
            websocket.state.principal = principal
            await endpoint(*args, **kwargs)

        setattr(checked, WEBSOCKET_ACCESS, rule)
        return checked  # type: ignore[return-value]

    return declare


def declared_websockets(app: FastAPI) -> list[tuple[str, AccessRule | None]]:
    """Every WebSocket route (path) with its declared access rule."""
    out: list[tuple[str, AccessRule | None]] = []

    def walk(routes: list[Any], prefix: str) -> None:
        for route in routes:
            if isinstance(route, WebSocketRoute):
                rule = getattr(route.endpoint, WEBSOCKET_ACCESS, None)
                out.append((prefix + route.path, rule))
            inner = getattr(route, "original_router", None)  # an included router (FastAPI)
            if inner is not None:
                context = getattr(route, "include_context", None)
                walk(inner.routes, prefix + str(getattr(context, "prefix", "") or ""))

    walk(list(app.router.routes), "")
    return sorted(out, key=lambda r: r[0])


def authenticate_websocket(websocket: WebSocket, rt: Runtime) -> Principal:
    """Bearer token (scripts), or the session cookie of a page of this very origin: a
    browser sends its cookies to a WebSocket of any page, so the Origin must name the Host."""
    auth = websocket.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return resolve_api_token(rt, auth[7:].strip())
    cookie = websocket.cookies.get(SESSION_COOKIE)
    if not cookie:
        raise access_errors.not_authenticated()
    origin = websocket.headers.get("origin", "")
    if not origin or urlsplit(origin).netloc != websocket.headers.get("host"):
        raise Forbidden("origin_not_allowed", "this page's origin may not open the socket")
    principal, _ = resolve_session(rt, cookie)
    return principal


def _check_websocket(websocket: WebSocket, rt: Runtime, rule: AccessRule) -> Principal:
    principal = authenticate_websocket(websocket, rt)
    enforce(rt, rule, principal, dict(websocket.path_params))
    return principal


async def refuse_websocket(websocket: WebSocket, exc: SentinelleError) -> None:
    """Tell the client why (text message, JSON error body), then close with 4000 + status."""
    await websocket.accept()
    await websocket.send_text(json.dumps(error_body(exc.code, exc.message, exc.details)))
    await websocket.close(code=4000 + STATUS_BY_KIND[exc.kind], reason=exc.code)
