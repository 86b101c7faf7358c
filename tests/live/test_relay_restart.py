"""The API's relay when the ingest worker restarts: its live socket disappears and comes back
(a real `LiveServer` on a Unix socket, stopped and started again, fed by a real camera session
from the loopback RTSP server). The viewer keeps its WebSocket and gets video again — a new
init segment, then a keyframe — without reopening the view; a worker that stays away ends the
view with the stable code, as before."""

from __future__ import annotations

import struct
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession
from starlette.websockets import WebSocketDisconnect

from sentinelle.access.models import Role
from sentinelle.ingest.live_server import LiveServer
from sentinelle.ingest.livewire import Frame, FrameKind, decode
from sentinelle.live import relay
from sentinelle.runtime import Runtime
from tests.api.conftest import Town
from tests.live.test_api import STARTED, Worker, journal, rtsp

__all__ = ["rtsp"]


@pytest.fixture
def worker(rt: Runtime, town: Town, rtsp: str, tmp_path: Path) -> Iterator[Worker]:
    w = Worker(rt, town.in_scope.id, f"{rtsp}/cam", tmp_path / "rec")
    w.server.start()
    w.thread.start()
    yield w
    w.close()


def _watch(client: TestClient, town: Town) -> tuple[str, dict[str, str]]:
    opened = client.post(
        "/api/live", json={"camera_ids": [town.in_scope.id]}, headers=town.headers(Role.OPERATOR)
    )
    assert opened.status_code == 200, opened.text
    return opened.json()["cameras"][0]["url"], town.headers(Role.OPERATOR)


def _frame(ws: WebSocketTestSession) -> Frame:
    message = ws.receive()
    assert "text" not in message or message["text"] is None, message  # no end of feed
    return decode(message["bytes"])


def _decode_time(fragment: Frame) -> int:
    at = fragment.payload.index(b"tfdt")
    return int(struct.unpack(">Q", fragment.payload[at + 8 : at + 16])[0])


def _restart(worker: Worker, away_seconds: float) -> None:
    """The worker's process goes (its socket with it), then a new one serves again."""
    path = worker.server.path
    worker.server.close()
    assert not path.exists()
    time.sleep(away_seconds)
    worker.server = LiveServer(path, worker.lookup)
    worker.server.start()


def test_the_relay_reconnects_to_a_restarted_worker_and_the_viewer_plays_on(
    rt: Runtime, client: TestClient, town: Town, worker: Worker
) -> None:
    url, headers = _watch(client, town)
    with client.websocket_connect(url, headers=headers) as ws:
        before = [_frame(ws) for _ in range(8)]
        assert before[0].kind is FrameKind.INIT
        last_before = before[-1]
        _restart(worker, away_seconds=1.5)  # the relay's first retries find no socket
        after = [_frame(ws)]
        while after[-1].kind is not FrameKind.INIT:  # frames the old worker had in flight
            after.append(_frame(ws))
        resumed = [_frame(ws) for _ in range(5)]
        assert resumed[0].keyframe
        assert all(f.kind is FrameKind.FRAGMENT for f in resumed)
        assert resumed[-1].arrived_us > last_before.arrived_us
        # A new worker muxes on a new timeline: the player starts a new MediaSource for it.
        assert _decode_time(resumed[0]) < _decode_time(last_before)
        (upstream,) = client.app.state.live_hub.upstreams.values()  # type: ignore[attr-defined]
        assert upstream.reconnects >= 1
        assert worker.server.viewers() == 1
    started = journal(rt, STARTED)
    assert len(started) == 1, started  # one view, never reopened


def test_a_worker_that_stays_away_ends_the_view_with_its_code(
    client: TestClient, town: Town, worker: Worker, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(relay, "RECONNECT_SECONDS", 1.0)
    url, headers = _watch(client, town)
    with client.websocket_connect(url, headers=headers) as ws:
        assert _frame(ws).kind is FrameKind.INIT
        worker.server.close()
        while (message := ws.receive())["type"] == "websocket.send" and message.get("bytes"):
            pass  # what was in flight
        assert message.get("text"), message
        assert '"live_unavailable"' in message["text"]
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_bytes()
    assert closed.value.code == 4503
    assert closed.value.reason == "live_unavailable"
