"""Live view: open a journalled live view of cameras, then watch each over a WebSocket
(fragmented MP4 for Media Source Extensions, relayed from the ingest worker; see
`ingest.livewire` for the messages and docs/design/live-view.md)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging

from fastapi import APIRouter, FastAPI, WebSocket, WebSocketDisconnect
from fastapi.concurrency import run_in_threadpool

from sentinelle.access.models import Permission, Principal
from sentinelle.api.errors import error_body
from sentinelle.api.schemas.common import ERROR_RESPONSES
from sentinelle.api.schemas.live import CameraLiveStatusOut, LiveOut
from sentinelle.api.security import (
    PrincipalDep,
    RuntimeDep,
    guarded,
    guarded_websocket,
    refuse_websocket,
)
from sentinelle.core.errors import SentinelleError
from sentinelle.ingest.livewire import StreamChoice
from sentinelle.live import service
from sentinelle.live.models import LiveInput
from sentinelle.live.relay import Ended, LiveHub, Viewer
from sentinelle.runtime import Runtime

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api", tags=["live"], responses=ERROR_RESPONSES)

LIVE = Permission.VIDEO_LIVE
SOCKET_URL = "/api/live/{camera_id}?stream={stream}&grant={grant}"
CLOSE_ENDED = 4503  # the feed ended (camera lost, worker restarted): reopen later


@router.post("/live", **guarded(LIVE))
def open_live(body: LiveInput, principal: PrincipalDep, rt: RuntimeDep) -> LiveOut:
    """Open live viewing of 1 to 16 cameras: all must be within the caller's scope and
    lawfully shown, or nothing is opened. External viewers give a reason. Each camera's
    start is journalled before its grant is returned; a grant opens its WebSocket for about
    two minutes (the view itself lasts as long as the socket)."""
    opened = service.do_open_live(rt, principal, body)
    return LiveOut.of(opened, SOCKET_URL)


@router.get("/live/status", **guarded(LIVE))
def get_live_status(principal: PrincipalDep, rt: RuntimeDep) -> list[CameraLiveStatusOut]:
    """The live state of every camera the caller may watch: `recording` (its stream is
    received), `no_signal` (with the gap's reason when known) or `out_of_service` (not
    lawfully shown). Not journalled: no video is shown."""
    return [CameraLiveStatusOut.of(c) for c in service.live_status(rt, principal)]


def hub_of(app: FastAPI, rt: Runtime) -> LiveHub:
    """The app's live hub (created on first use, in the event loop)."""
    hub: LiveHub | None = getattr(app.state, "live_hub", None)
    if hub is None:
        hub = LiveHub(rt.settings.resolved_data_dir, rt.settings.ingest_workers)
        app.state.live_hub = hub
    return hub


@router.websocket("/live/{camera_id}")
@guarded_websocket(LIVE, camera="camera_id")
async def watch_live(
    websocket: WebSocket, camera_id: int, grant: str = "", stream: StreamChoice = StreamChoice.MAIN
) -> None:
    """Binary messages, one `livewire` frame each (INIT, then FRAGMENTs); closes with 4000 +
    HTTP status and a stable code when refused or when the feed ends."""
    rt: Runtime = websocket.app.state.runtime
    principal: Principal = websocket.state.principal
    try:
        _, reason, camera = await run_in_threadpool(
            service.check_viewing, rt, principal, grant, camera_id
        )
    except SentinelleError as exc:
        await refuse_websocket(websocket, exc)
        return
    began = rt.now()
    await websocket.accept()
    hub = hub_of(websocket.app, rt)
    viewer = hub.watch(camera_id, stream)
    ended: Ended | None = None
    try:
        ended = await _relay(websocket, viewer)
    finally:
        hub.leave(viewer)
        details = {"stream": str(stream), "skipped_frames": viewer.skipped}
        # shielded: a server that cancels the handler when the viewer goes still journals it
        stop = run_in_threadpool(
            service.do_stop_live, rt, principal, camera, reason, began, details
        )
        await asyncio.shield(asyncio.ensure_future(stop))
    if ended is not None:
        with contextlib.suppress(RuntimeError, WebSocketDisconnect):
            await websocket.send_text(json.dumps(error_body(ended.code, ended.message)))
            await websocket.close(code=CLOSE_ENDED, reason=ended.code)


async def _relay(websocket: WebSocket, viewer: Viewer) -> Ended | None:
    """Send the viewer's frames until it disconnects (None) or the feed ends."""
    hangup = asyncio.ensure_future(_hangup(websocket))
    try:
        while True:
            item = asyncio.ensure_future(viewer.next())
            done, _ = await asyncio.wait({item, hangup}, return_when=asyncio.FIRST_COMPLETED)
            if hangup in done:
                item.cancel()
                return None
            frame = item.result()
            if isinstance(frame, Ended):
                return frame
            try:
                await websocket.send_bytes(frame)
            except (WebSocketDisconnect, RuntimeError, OSError):
                return None
    finally:
        hangup.cancel()


async def _hangup(websocket: WebSocket) -> None:
    """Returns when the viewer disconnects (anything it sends is ignored)."""
    with contextlib.suppress(WebSocketDisconnect, RuntimeError):
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                return
