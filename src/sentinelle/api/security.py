"""Route access declarations and their enforcement.

`guarded(...)` is spread into every route decorator. It adds the dependency that authenticates
the caller and checks the permission (and the camera scope when the route names a camera path
parameter), and it records the declaration in the route's OpenAPI `x-sentinelle-access`, where
tests and tools read it. `create_app` refuses to start if any route lacks a declaration.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request

from sentinelle.access import errors as access_errors
from sentinelle.access.login import resolve_api_token, resolve_session
from sentinelle.access.models import VIDEO_PERMISSIONS, Permission, Principal
from sentinelle.audit.models import Actor
from sentinelle.core.errors import InvalidInput
from sentinelle.registry.service import camera_in_scope
from sentinelle.runtime import Runtime

SESSION_COOKIE = "sentinelle_session"
CSRF_HEADER = "X-CSRF-Token"
ACCESS_KEY = "x-sentinelle-access"
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
