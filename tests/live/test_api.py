"""Opening live views (journal, reason, scope, rule 1) and the WebSocket's checks (grant,
scope, Origin), then a real feed: a loopback RTSP camera recorded by a camera session, its
ingest live socket, and viewers over the API's WebSocket sharing one upstream."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from sentinelle.access.models import Role
from sentinelle.core.clock import FakeClock, SystemClock
from sentinelle.ingest.clips import write_clip
from sentinelle.ingest.events import EventKind, GapReason, SessionEvent
from sentinelle.ingest.fanout import FanOut
from sentinelle.ingest.live_server import LiveServer
from sentinelle.ingest.livewire import FrameKind, StreamChoice, decode, init_codec, socket_path
from sentinelle.ingest.service import record_events
from sentinelle.ingest.session import CameraSession, LivePacket, SessionConfig
from sentinelle.runtime import Runtime
from tests import factories as f
from tests.api.conftest import Town
from tests.ingest.test_live_muxer import _probe
from tests.support.rtsp import rtsp_server

STARTED, STOPPED = "video.live_started", "video.live_stopped"


def journal(rt: Runtime, action: str) -> list[dict[str, Any]]:
    with rt.db.read() as s:
        rows = s.execute(
            sa.text(
                "SELECT actor_name, camera_id, reason, details FROM audit_entries "
                "WHERE action = :a ORDER BY seq"
            ),
            {"a": action},
        )
        out = [dict(r._mapping) for r in rows]
    for row in out:
        if isinstance(row["details"], str):
            row["details"] = json.loads(row["details"])
    return out


def _open(client: TestClient, town: Town, role: Role, cameras: list[int], **body: Any) -> Any:
    return client.post(
        "/api/live", json={"camera_ids": cameras, **body}, headers=town.headers(role)
    )


def test_an_operator_opens_live_view_without_a_reason(
    rt: Runtime, client: TestClient, town: Town
) -> None:
    response = _open(client, town, Role.OPERATOR, [town.in_scope.id, town.out_of_scope.id])
    assert response.status_code == 200, response.text
    body = response.json()
    assert [c["code"] for c in body["cameras"]] == ["CAM-001", "CAM-002"]
    first = body["cameras"][0]
    assert first["url"] == f"/api/live/{town.in_scope.id}?stream=main&grant={first['grant']}"
    entries = journal(rt, STARTED)
    assert [e["camera_id"] for e in entries] == [town.in_scope.id, town.out_of_scope.id]
    assert entries[0]["reason"] == ""
    assert entries[0]["details"]["stream"] == "main"


def test_an_external_viewer_must_give_a_reason(rt: Runtime, client: TestClient, town: Town) -> None:
    refused = _open(client, town, Role.EXTERNAL_VIEWER, [town.in_scope.id])
    assert refused.status_code == 422
    assert refused.json()["code"] == "reason_required"
    assert journal(rt, STARTED) == []
    ok = _open(client, town, Role.EXTERNAL_VIEWER, [town.in_scope.id], reason="PV 2026/77")
    assert ok.status_code == 200
    assert journal(rt, STARTED)[0]["reason"] == "PV 2026/77"


def test_one_camera_out_of_scope_refuses_the_whole_request(
    rt: Runtime, client: TestClient, town: Town
) -> None:
    cameras = [town.in_scope.id, town.out_of_scope.id]
    response = _open(client, town, Role.EXTERNAL_VIEWER, cameras, reason="PV 2026/77")
    assert response.status_code == 403
    assert response.json()["code"] == "camera_out_of_scope"
    missing = _open(client, town, Role.OPERATOR, [town.in_scope.id, 999_999])
    assert missing.status_code == 404
    assert missing.json()["code"] == "camera_not_found"
    assert journal(rt, STARTED) == []


def test_a_camera_not_lawfully_shown_is_refused(rt: Runtime, client: TestClient) -> None:
    town = Town(rt)
    with rt.db.write() as s:
        s.execute(
            sa.text("UPDATE cameras SET status = 'out_of_service' WHERE id = :i"),
            {"i": town.in_scope.id},
        )
    response = _open(client, town, Role.OPERATOR, [town.in_scope.id])
    assert response.status_code == 422
    assert response.json()["code"] == "camera_not_lawful"
    assert journal(rt, STARTED) == []


def _refusal(client: TestClient, url: str, headers: dict[str, str]) -> tuple[int, str]:
    """The close code and error code of a refused WebSocket."""
    with client.websocket_connect(url, headers=headers) as ws:
        body = json.loads(ws.receive_text())
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_bytes()
    assert closed.value.reason == body["code"]
    return closed.value.code, str(body["code"])


def test_the_websocket_checks_scope_and_grant(
    rt: Runtime, clock: FakeClock, client: TestClient, town: Town
) -> None:
    external = town.headers(Role.EXTERNAL_VIEWER)
    url = f"/api/live/{town.out_of_scope.id}?grant=x"
    assert _refusal(client, url, external) == (4403, "camera_out_of_scope")
    assert _refusal(client, f"/api/live/{town.in_scope.id}?grant=x", {}) == (
        4401,
        "not_authenticated",
    )
    auditor = town.headers(Role.AUDITOR)
    assert _refusal(client, f"/api/live/{town.in_scope.id}?grant=x", auditor) == (
        4403,
        "permission_denied",
    )
    operator = town.headers(Role.OPERATOR)
    opened = _open(client, town, Role.OPERATOR, [town.in_scope.id, town.out_of_scope.id])
    first, second = opened.json()["cameras"]
    assert _refusal(client, f"/api/live/{town.in_scope.id}?grant=forged.x", operator) == (
        4403,
        "invalid_grant",
    )
    other_camera = f"/api/live/{town.in_scope.id}?grant={second['grant']}"
    assert _refusal(client, other_camera, operator) == (4403, "invalid_grant")
    theirs = f.user(rt, "paul", Role.OPERATOR)
    del theirs
    supervisor = town.headers(Role.SUPERVISOR)
    assert _refusal(client, first["url"], supervisor) == (4403, "grant_not_yours")
    clock.advance(timedelta(minutes=3))
    assert _refusal(client, first["url"], operator) == (4403, "grant_expired")


def _cookie_login(rt: Runtime, client: TestClient, username: str) -> str:
    f.user(rt, username, Role.OPERATOR)
    done = client.post("/api/auth/login", json={"username": username, "password": f.PASSWORD})
    assert done.json()["stage"] == "done"  # operators need no second factor
    return f"sentinelle_session={client.cookies['sentinelle_session']}"


def test_a_session_cookie_needs_this_origin(rt: Runtime, client: TestClient, town: Town) -> None:
    cookie = _cookie_login(rt, client, "olga")
    url = f"/api/live/{town.in_scope.id}?grant=x"
    evil = {"cookie": cookie, "origin": "https://evil.example"}
    assert _refusal(client, url, evil) == (4403, "origin_not_allowed")
    assert _refusal(client, url, {"cookie": cookie}) == (4403, "origin_not_allowed")
    mine = {"cookie": cookie, "host": "csu.example:8443", "origin": "https://csu.example:8443"}
    assert _refusal(client, url, mine) == (4403, "invalid_grant")  # authenticated: next check


# --- a real feed ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def rtsp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    clip = write_clip(tmp_path_factory.mktemp("rtsp") / "cam.mp4", 60, fps=10, gop_seconds=1)
    with rtsp_server({"cam": clip}) as base:
        yield base


class Worker:
    """What an ingest worker does for one camera: a session, and its live socket."""

    def __init__(self, rt: Runtime, camera_id: int, url: str, root: Path) -> None:
        self.camera_id = camera_id
        self.session = CameraSession(
            SessionConfig(camera_id, url, root), SystemClock(), lambda s: None, lambda e: None
        )
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.session.run, args=(self.stop,), daemon=True)
        path = socket_path(rt.settings.resolved_data_dir, 0)
        self.server = LiveServer(path, self.lookup)

    def lookup(self, camera_id: int, stream: StreamChoice) -> FanOut[LivePacket] | None:
        return self.session.fanout if camera_id == self.camera_id else None

    def close(self) -> None:
        self.server.close()
        self.stop.set()
        self.thread.join(20)


@pytest.fixture
def worker(rt: Runtime, town: Town, rtsp: str, tmp_path: Path) -> Iterator[Worker]:
    w = Worker(rt, town.in_scope.id, f"{rtsp}/cam", tmp_path / "rec")
    w.server.start()
    w.thread.start()
    yield w
    w.close()


def test_viewers_share_one_upstream_and_their_views_are_journalled(
    rt: Runtime, client: TestClient, town: Town, worker: Worker, tmp_path: Path
) -> None:
    opened = _open(client, town, Role.EXTERNAL_VIEWER, [town.in_scope.id], reason="PV 9")
    url = opened.json()["cameras"][0]["url"]
    headers = town.headers(Role.EXTERNAL_VIEWER)
    with client.websocket_connect(url, headers=headers) as one:
        frames = [decode(one.receive_bytes()) for _ in range(12)]
        with client.websocket_connect(url, headers=headers) as two:
            late = [decode(two.receive_bytes()) for _ in range(3)]
            assert len(worker.server.feeds) == 1
            assert worker.server.viewers() == 1  # one upstream for both viewers
            assert worker.session.fanout.subscribers == 1
    for got in (frames, late):
        assert got[0].kind is FrameKind.INIT
        assert got[1].kind is FrameKind.FRAGMENT
        assert got[1].keyframe
    codec, init = init_codec(frames[0].payload)
    assert codec.startswith("avc1.")
    path = tmp_path / "watched.mp4"
    path.write_bytes(init + b"".join(fr.payload for fr in frames[1:]))
    assert _probe(path)["nb_read_frames"] == "11"
    stops = _eventually(lambda: journal(rt, STOPPED), 2)
    assert {s["reason"] for s in stops} == {"PV 9"}
    assert all(s["details"]["duration_seconds"] >= 0 for s in stops)


def test_a_camera_without_a_running_feed_closes_with_a_reason(
    rt: Runtime, client: TestClient, town: Town, worker: Worker
) -> None:
    opened = _open(client, town, Role.OPERATOR, [town.out_of_scope.id])
    url = opened.json()["cameras"][0]["url"]
    with client.websocket_connect(url, headers=town.headers(Role.OPERATOR)) as ws:
        body = json.loads(ws.receive_text())
        assert body["code"] == "camera_not_live"
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_bytes()
    assert closed.value.code == 4503
    _eventually(lambda: journal(rt, STOPPED), 1)


def _eventually(
    read: Callable[[], list[dict[str, Any]]], count: int, seconds: float = 10.0
) -> list[dict[str, Any]]:
    """The entries once there are `count` of them (a viewer's end is journalled after the
    client has gone)."""
    deadline = time.monotonic() + seconds
    while len(rows := read()) < count:
        assert time.monotonic() < deadline, rows
        time.sleep(0.05)
    assert len(rows) == count
    return rows


def test_live_status_says_recording_no_signal_or_out_of_service(
    rt: Runtime, client: TestClient, town: Town
) -> None:
    now = rt.now()
    record_events(
        rt,
        [
            SessionEvent(town.in_scope.id, EventKind.CONNECTED, now - timedelta(minutes=5)),
            SessionEvent(
                town.out_of_scope.id, EventKind.DISCONNECTED, now, "lost", GapReason.UNREACHABLE
            ),
            SessionEvent(town.out_of_scope.id, EventKind.CORRUPT_DATA, now, "skipped"),
        ],
    )
    response = client.get("/api/live/status", headers=town.headers(Role.OPERATOR))
    assert response.status_code == 200
    states = {c["code"]: (c["state"], c["reason"]) for c in response.json()}
    assert states == {"CAM-001": ("recording", None), "CAM-002": ("no_signal", "unreachable")}
    external = client.get("/api/live/status", headers=town.headers(Role.EXTERNAL_VIEWER))
    assert [c["code"] for c in external.json()] == ["CAM-001"]  # only their scope
    with rt.db.write() as s:
        s.execute(
            sa.text("UPDATE cameras SET status = 'out_of_service' WHERE id = :i"),
            {"i": town.in_scope.id},
        )
    again = client.get("/api/live/status", headers=town.headers(Role.OPERATOR)).json()
    assert again[0]["state"] == "out_of_service"
    assert journal(rt, STARTED) == []
