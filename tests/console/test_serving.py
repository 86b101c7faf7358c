"""The console's static files as the API serves them: the SPA fallback, cache headers, the
Content-Security-Policy, the page shown when the console was not built, and the API untouched."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from sentinelle.api import console
from sentinelle.api.app import create_app
from sentinelle.runtime import Runtime

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


@pytest.fixture
def built(tmp_path: Path) -> Path:
    folder = tmp_path / "console"
    (folder / "assets").mkdir(parents=True)
    (folder / "index.html").write_text(
        '<html><head><meta name="sentinelle-site-name" content="__SENTINELLE_SITE_NAME__">'
        '<meta name="sentinelle-site-timezone" content="__SENTINELLE_SITE_TIMEZONE__">'
        "</head><body>console</body></html>",
        encoding="utf-8",
    )
    (folder / "assets" / "index-abc123.js").write_text("console.log(1)", encoding="utf-8")
    (folder / "favicon.svg").write_text("<svg/>", encoding="utf-8")
    return folder


def _client(rt: Runtime, folder: Path) -> TestClient:
    app = FastAPI()
    console.install(app, rt, folder)
    return TestClient(app, base_url="http://127.0.0.1")


def test_index_with_site_settings_no_cache_and_strict_csp(rt: Runtime, built: Path) -> None:
    with _client(rt, built) as client:
        response = client.get("/")
    assert response.status_code == 200
    assert 'content="Centre de supervision urbain"' in response.text
    assert 'content="Europe/Paris"' in response.text
    assert response.headers["cache-control"] == "no-cache"
    csp = response.headers["content-security-policy"]
    assert "default-src 'none'" in csp
    assert "script-src 'self'" in csp
    assert "http" not in csp
    assert "unsafe" not in csp
    assert response.headers["x-frame-options"] == "DENY"


def test_unknown_console_paths_answer_index(rt: Runtime, built: Path) -> None:
    with _client(rt, built) as client:
        for path in ("/exports", "/mur", "/journal/42", "/index.html"):
            response = client.get(path)
            assert response.status_code == 200, path
            assert "console" in response.text


def test_assets_are_cached_for_long_and_missing_assets_are_404(rt: Runtime, built: Path) -> None:
    with _client(rt, built) as client:
        asset = client.get("/assets/index-abc123.js")
        assert asset.status_code == 200
        assert asset.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert client.get("/favicon.svg").headers["cache-control"] == "no-cache"
        assert client.get("/assets/gone.js").status_code == 404
        assert client.get("/assets/../../secret").status_code in (200, 404)  # never a file outside
        assert "console" in client.get("/..%2F..%2Fetc%2Fpasswd").text


def test_api_paths_are_not_the_console(rt: Runtime, built: Path) -> None:
    with _client(rt, built) as client:
        response = client.get("/api/nothing")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_not_built_page_says_how_to_build_in_french(rt: Runtime, tmp_path: Path) -> None:
    with _client(rt, tmp_path / "absent") as client:
        response = client.get("/")
    assert response.status_code == 503
    assert "La console de Sentinelle n'est pas construite" in response.text
    assert "./scripts/setup" in response.text
    assert "npm ci" in response.text


def test_app_serves_console_outside_the_api_contract(rt: Runtime) -> None:
    app = create_app(rt)
    paths = app.openapi()["paths"]
    assert "/" not in paths
    assert "/{path}" not in paths
    with TestClient(app, base_url="http://127.0.0.1") as client:
        assert client.get("/api/health").json()["status"] == "ok"
        assert client.get("/api/nothing").json()["code"] == "not_found"
        assert client.get("/docs").status_code == 200
        assert client.get("/openapi.json").json()["paths"] == paths
        assert client.get("/api/auth/me").status_code == 401
        assert client.get("/exports").status_code in (200, 503)  # 503 when not built
