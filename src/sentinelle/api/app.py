"""The FastAPI app factory."""

from __future__ import annotations

from fastapi import FastAPI

from sentinelle import __version__
from sentinelle.api import console, errors
from sentinelle.api.routers import (
    audit,
    auth,
    disclosures,
    exports,
    live,
    maps,
    playback,
    privacy,
    privacy_editor,
    probe,
    records,
    registry,
    system,
    users,
    wall,
)
from sentinelle.api.security import AccessRule, declared_websockets, rule_of
from sentinelle.core.errors import ConfigurationError
from sentinelle.runtime import Runtime

ROUTERS = (
    auth.router,
    users.router,
    registry.router,
    audit.router,
    system.router,
    exports.router,
    disclosures.router,
    playback.router,
    live.router,
    wall.router,
    maps.router,
    records.router,
    privacy.router,
    privacy_editor.router,
    probe.router,
)


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
    undeclared = [f"{m} {p}" for m, p, rule in declared_operations(app) if rule is None]
    undeclared += [f"WEBSOCKET {p}" for p, rule in declared_websockets(app) if rule is None]
    if undeclared:
        raise ConfigurationError(
            "undeclared_route_access", f"routes without an access rule: {undeclared}"
        )
    console.install(app, rt)  # last: its catch-all must not shadow an API route
    return app


def declared_operations(app: FastAPI) -> list[tuple[str, str, AccessRule | None]]:
    """Every API operation (method, path) with its declared access rule, read back from the
    OpenAPI document, where `guarded()` records it."""
    operations = []
    for path, item in app.openapi()["paths"].items():
        for method, operation in item.items():
            operations.append((method.upper(), path, rule_of(operation)))
    return sorted(operations, key=lambda op: (op[1], op[0]))
