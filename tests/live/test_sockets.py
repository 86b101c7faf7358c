"""The live WebSocket over real sockets: uvicorn on loopback (as `serve` runs it, without
per-message deflate), the `websockets` client as a browser would connect — session cookie
with this page's Origin, or a foreign Origin — and a real feed from a loopback RTSP camera."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
import websockets
from fastapi.testclient import TestClient

from sentinelle.access.models import Role
from sentinelle.api.app import create_app
from sentinelle.ingest.livewire import HEADER, FrameKind, parse_header
from sentinelle.runtime import Runtime
from tests import factories as f
from tests.api.conftest import Town
from tests.live.test_api import Worker, rtsp  # noqa: F401 - the RTSP camera fixture
from tests.support.rtsp import free_port


@pytest.fixture
def base(rt: Runtime) -> Iterator[str]:
    port = free_port()
    config = uvicorn.Config(
        create_app(rt),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        ws_per_message_deflate=False,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def worker(rt: Runtime, town: Town, rtsp: str, tmp_path: Path) -> Iterator[Worker]:  # noqa: F811
    w = Worker(rt, town.in_scope.id, f"{rtsp}/cam", tmp_path / "rec")
    w.server.start()
    w.thread.start()
    yield w
    w.close()


def _login(rt: Runtime, base: str) -> tuple[str, str]:
    """A session cookie (an operator's), and a grant of CAM-001's live view opened with it."""
    f.user(rt, "olga", Role.OPERATOR)
    with TestClient(create_app(rt), base_url=f"http://{base}") as client:
        done = client.post("/api/auth/login", json={"username": "olga", "password": f.PASSWORD})
        csrf = done.json()["csrf_token"]
        cookie = f"sentinelle_session={client.cookies['sentinelle_session']}"
        camera = client.get("/api/live/status").json()[0]["camera_id"]
        opened = client.post(
            "/api/live", json={"camera_ids": [camera]}, headers={"X-CSRF-Token": csrf}
        )
    return cookie, opened.json()["cameras"][0]["url"]


async def _first_messages(base: str, url: str, headers: dict[str, str], count: int) -> list[object]:
    async with websockets.connect(
        f"ws://{base}{url}", additional_headers=headers, max_size=None
    ) as ws:
        return [await asyncio.wait_for(ws.recv(), 10) for _ in range(count)]


def test_a_browser_session_watches_from_this_origin_only(
    rt: Runtime, base: str, town: Town, worker: Worker
) -> None:
    cookie, url = _login(rt, base)
    foreign = {"Cookie": cookie, "Origin": "https://evil.example"}
    (refusal,) = asyncio.run(_first_messages(base, url, foreign, 1))
    assert isinstance(refusal, str)
    assert json.loads(refusal)["code"] == "origin_not_allowed"
    mine = {"Cookie": cookie, "Origin": f"http://{base}"}
    messages = asyncio.run(_first_messages(base, url, mine, 5))
    kinds = [parse_header(m[: HEADER.size])[0] for m in messages if isinstance(m, bytes)]
    assert kinds == [FrameKind.INIT, *[FrameKind.FRAGMENT] * 4]
