"""The web console (web/, built by scripts/setup into ./console/): static files at `/`.

The console's files are public, the data behind them is not: every call it makes goes through
the guarded `/api/*` operations. These routes are not API operations, so they are kept out of
the OpenAPI document (and out of `create_app`'s access check, which reads that document).
Unknown paths outside `/api/` answer `index.html` (the console routes them itself); hashed
assets are cached for a year, `index.html` never; every answer carries a strict
Content-Security-Policy that names no other origin, except a configured map tile server's,
from which images may be loaded (`csp_for`).
"""

from __future__ import annotations

import html
from pathlib import Path
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response

from sentinelle.api.errors import error_body
from sentinelle.core.settings import Settings
from sentinelle.runtime import Runtime

CONSOLE_DIR = Path(__file__).parent / "console"
IMG_SRC = "img-src 'self' data: blob:"
CSP = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        IMG_SRC,
        "font-src 'self'",
        "connect-src 'self'",
        "media-src 'self' blob:",
        "manifest-src 'self'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


def csp_for(settings: Settings) -> str:
    """The console's policy; a configured map tile server's origin may serve images."""
    if not settings.map_tile_url:
        return CSP
    parts = urlsplit(settings.map_tile_url)
    host = parts.netloc.rsplit("@", 1)[-1].replace("{s}", "*")
    return CSP.replace(IMG_SRC, f"{IMG_SRC} {parts.scheme}://{host}")


ASSET_CACHE = "public, max-age=31536000, immutable"
NO_CACHE = "no-cache"
_RESERVED = ("api", "docs", "redoc", "openapi.json")

NOT_BUILT = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Sentinelle — console non construite</title>
<style>body{{font:16px system-ui,sans-serif;background:#0f141a;color:#dfe6ee;margin:4rem auto;
max-width:44rem;line-height:1.5}}code{{background:#1b232d;padding:.1rem .35rem;border-radius:3px}}
</style></head><body>
<h1>La console de Sentinelle n'est pas construite</h1>
<p>L'API fonctionne (documentation sur <a href="/docs" style="color:#7fb2ff">/docs</a>), mais les
fichiers de la console web sont absents de <code>{folder}</code>.</p>
<p>Pour la construire, lancez depuis la racine du dépôt :</p>
<p><code>./scripts/setup</code> (Node.js 20 et npm requis), ou à la main :
<code>cd web &amp;&amp; npm ci &amp;&amp; npm run build</code>, puis rechargez cette page.</p>
</body></html>"""


def install(app: FastAPI, rt: Runtime, folder: Path = CONSOLE_DIR) -> None:
    """Add the console's routes last, after every API router."""
    root = folder.resolve()
    csp = csp_for(rt.settings)

    def _headers(cache: str, *, strict: bool = True) -> dict[str, str]:
        return _security_headers(cache, csp if strict else NOT_BUILT_CSP)

    def index() -> Response:
        page = root / "index.html"
        if not page.is_file():
            body = NOT_BUILT.format(folder=html.escape(str(root)))
            return HTMLResponse(body, status_code=503, headers=_headers(NO_CACHE, strict=False))
        text = page.read_text(encoding="utf-8")
        text = text.replace("__SENTINELLE_SITE_NAME__", html.escape(rt.settings.site_name))
        text = text.replace("__SENTINELLE_SITE_TIMEZONE__", html.escape(rt.settings.site_timezone))
        return HTMLResponse(text, headers=_headers(NO_CACHE))

    async def serve(request: Request, path: str = "") -> Response:
        first = path.split("/", 1)[0]
        if first in _RESERVED:
            return JSONResponse(
                error_body("not_found", f"no such resource: /{path}"), status_code=404
            )
        if path in ("", "index.html"):
            return index()
        candidate = (root / path).resolve()
        if candidate.is_file() and candidate.is_relative_to(root):
            immutable = path.startswith("assets/")
            return FileResponse(candidate, headers=_headers(ASSET_CACHE if immutable else NO_CACHE))
        if path.startswith("assets/"):
            return Response(status_code=404, headers=_headers(NO_CACHE))
        return index()

    app.add_api_route("/", serve, methods=["GET", "HEAD"], include_in_schema=False)
    app.add_api_route("/{path:path}", serve, methods=["GET", "HEAD"], include_in_schema=False)


# the "not built" page has its own small inline style and nothing else
NOT_BUILT_CSP = "default-src 'none'; style-src 'unsafe-inline'"


def _security_headers(cache: str, csp: str) -> dict[str, str]:
    return dict(SECURITY_HEADERS) | {"Cache-Control": cache, "Content-Security-Policy": csp}
