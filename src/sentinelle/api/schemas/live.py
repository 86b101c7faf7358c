"""Live-view response shapes (the request body is the live domain's own input model)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from sentinelle.ingest.livewire import StreamChoice
from sentinelle.live.models import CameraLiveStatus, LiveState, OpenedLive


class LiveCameraOut(BaseModel):
    camera_id: int
    code: str
    name: str
    grant: str
    expires_at: datetime
    url: str  # the WebSocket's path and query, on this API's host


class LiveOut(BaseModel):
    stream: StreamChoice
    cameras: list[LiveCameraOut]

    @classmethod
    def of(cls, opened: OpenedLive, url: str) -> LiveOut:
        return cls(
            stream=opened.stream,
            cameras=[
                LiveCameraOut(
                    camera_id=c.camera.id,
                    code=c.camera.code,
                    name=c.camera.name,
                    grant=c.token,
                    expires_at=c.grant.expires_at,
                    url=url.format(camera_id=c.camera.id, stream=opened.stream, grant=c.token),
                )
                for c in opened.cameras
            ],
        )


class CameraLiveStatusOut(BaseModel):
    camera_id: int
    code: str
    name: str
    state: LiveState
    since: datetime | None
    reason: str | None

    @classmethod
    def of(cls, status: CameraLiveStatus) -> CameraLiveStatusOut:
        return cls(
            camera_id=status.camera_id,
            code=status.code,
            name=status.name,
            state=status.state,
            since=status.since,
            reason=status.reason,
        )
