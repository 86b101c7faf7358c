"""The FastAPI app factory."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.routing import APIRoute

from sentinelle import __version__
from sentinelle.api import errors
from sentinelle.api.routers import audit, auth, registry, system, users
from sentinelle.api.security import rule_of
from sentinelle.core.errors import ConfigurationError
from sentinelle.runtime import Runtime

ROUTERS = (auth.router, users.router, registry.router, audit.router, system.router)


def create_app(rt: Runtime) -> FastAPI:
    """Build the API on `rt`. Refuses to build if any route lacks an access declaration."""
    app = FastAPI(
        title="Sentinelle API",
        version=__version__,
        description="API of Sentinelle, the software of a municipal urban supervision centre.",
    )
    app.state.runtime = rt
    errors.install(app)
    for router in ROUTERS:
        app.include_router(router)
    undeclared = [r.path for r in api_routes(app) if rule_of(r.openapi_extra) is None]
    if undeclared:
        raise ConfigurationError(
            "undeclared_route_access", f"routes without an access rule: {undeclared}"
        )
    return app


def api_routes(app: FastAPI) -> list[APIRoute]:
    return [r for r in app.routes if isinstance(r, APIRoute) and r.path.startswith("/api")]
