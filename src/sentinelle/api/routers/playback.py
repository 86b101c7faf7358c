"""Playback: open a journalled playback, its HLS playlists and segment files (byte ranges),
snapshots, timelines and their summaries."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC
from typing import BinaryIO

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import AwareDatetime
from starlette.background import BackgroundTask

from sentinelle.access.models import Permission
from sentinelle.api.errors import error_body
from sentinelle.api.schemas.common import ERROR_RESPONSES
from sentinelle.api.schemas.playback import PlaybackOut, SummaryOut, TimelineOut
from sentinelle.api.security import PrincipalDep, RuntimeDep, guarded
from sentinelle.playback import hls, service
from sentinelle.playback.models import MAX_CAMERAS, Bucket, PlaybackInput, SnapshotInput

router = APIRouter(prefix="/api", tags=["playback"], responses=ERROR_RESPONSES)

PLAYBACK = Permission.VIDEO_PLAYBACK
PLAYLIST_URL = "/api/playback/{grant}/cameras/{camera_id}.m3u8"
_CHUNK = 1 << 20
_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


@router.post("/playback", **guarded(PLAYBACK))
def open_playback(body: PlaybackInput, principal: PrincipalDep, rt: RuntimeDep) -> PlaybackOut:
    """Open a playback of 1 to 16 cameras over one period (at most 24 h). Each camera's access
    is journalled with the reason before the grant is returned; the grant's URLs serve only
    this user, for about 4 hours."""
    opened = service.do_open_playback(rt, principal, body)
    return PlaybackOut.of(opened, PLAYLIST_URL)


@router.get(
    "/playback/{grant}/cameras/{camera_id}.m3u8",
    response_class=Response,
    responses={200: {"content": {hls.MEDIA_TYPE: {}}, "description": "HLS playlist"}},
    **guarded(PLAYBACK, camera="camera_id"),
)
def get_playlist(grant: str, camera_id: int, principal: PrincipalDep, rt: RuntimeDep) -> Response:
    """The HLS playlist (fMP4, VOD) of one camera of a playback."""
    text = service.playlist(rt, principal, grant, camera_id)
    return Response(text, media_type=hls.MEDIA_TYPE, headers={"Cache-Control": "private"})


@router.get(
    "/playback/{grant}/segments/{segment_id}",
    response_class=Response,
    responses={
        200: {"content": {"video/mp4": {}}, "description": "the stored segment file"},
        206: {"content": {"video/mp4": {}}, "description": "a byte range of it"},
        416: {"description": "range not satisfiable"},
    },
    **guarded(PLAYBACK),
)
def get_segment(
    grant: str, segment_id: int, request: Request, principal: PrincipalDep, rt: RuntimeDep
) -> Response:
    """A stored segment file, as recorded (byte ranges: `Range: bytes=first-last`)."""
    stored = service.open_segment(rt, principal, grant, segment_id)
    try:
        span = byte_range(request.headers.get("range"), stored.size)
    except RangeNotSatisfiable:
        stored.handle.close()
        return JSONResponse(
            error_body("range_not_satisfiable", f"the file holds {stored.size} bytes"),
            status_code=416,
            headers={"Content-Range": f"bytes */{stored.size}"},
        )
    first, last = span or (0, stored.size - 1)
    headers = {
        "Accept-Ranges": "bytes",
        "Cache-Control": "private",
        "Content-Length": str(last - first + 1),
    }
    if span is not None:
        headers["Content-Range"] = f"bytes {first}-{last}/{stored.size}"
    return StreamingResponse(
        _chunks(stored.handle, first, last - first + 1),
        status_code=206 if span else 200,
        media_type="video/mp4",
        headers=headers,
        # A player that aborts the request (hls.js on a seek) never runs the generator.
        background=BackgroundTask(stored.handle.close),
    )


class RangeNotSatisfiable(Exception):
    """A `Range` header no byte of the file can answer."""


def byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The one byte range (first, last; inclusive) a `Range` header asks of a file of `size`
    bytes; None to send the whole file (no header, another unit, several ranges)."""
    if header is None:
        return None
    found = _RANGE.fullmatch(header.strip())
    if found is None:
        return None
    first_text, last_text = found.groups()
    if not first_text:  # suffix: the last N bytes
        if not last_text or int(last_text) == 0 or size == 0:
            raise RangeNotSatisfiable
        return max(0, size - int(last_text)), size - 1
    first = int(first_text)
    last = min(int(last_text), size - 1) if last_text else size - 1
    if first >= size or (last_text and int(last_text) < first):
        raise RangeNotSatisfiable
    return first, last


def _chunks(handle: BinaryIO, offset: int, length: int) -> Iterator[bytes]:
    with handle:
        handle.seek(offset)
        while length > 0:
            chunk = handle.read(min(_CHUNK, length))
            if not chunk:
                return
            length -= len(chunk)
            yield chunk


@router.post(
    "/cameras/{camera_id}/snapshot",
    response_class=Response,
    responses={200: {"content": {"image/jpeg": {}, "image/png": {}}, "description": "image"}},
    **guarded(PLAYBACK, camera="camera_id"),
)
def take_snapshot(
    camera_id: int, body: SnapshotInput, principal: PrincipalDep, rt: RuntimeDep
) -> Response:
    """The frame displayed at `at` (the last frame presented at or before it), journalled
    with the reason. `X-Frame-Time` gives that frame's instant (UTC)."""
    shot = service.do_take_snapshot(rt, principal, camera_id, body)
    frame_at = shot.frame_at.astimezone(UTC)
    name = f"{shot.camera_code}_{frame_at:%Y%m%dT%H%M%S_%f}Z.{shot.format.extension}"
    headers = {
        "X-Frame-Time": frame_at.isoformat().replace("+00:00", "Z"),
        "X-Camera-Code": shot.camera_code,
        "Cache-Control": "private, no-store",
        "Content-Disposition": f'inline; filename="{name}"',
    }
    return Response(shot.image, media_type=shot.format.media_type, headers=headers)


@router.get("/cameras/{camera_id}/timeline", **guarded(PLAYBACK, camera="camera_id"))
def get_timeline(
    camera_id: int,
    principal: PrincipalDep,
    rt: RuntimeDep,
    start: AwareDatetime = Query(alias="from"),
    end: AwareDatetime = Query(alias="to"),
    segments: bool = Query(False, description="list each range's segments"),
) -> TimelineOut:
    """Recorded ranges and gaps (with their reason) over a period of at most 31 days."""
    found = service.camera_timeline(rt, principal, camera_id, start, end)
    return TimelineOut.of(found, with_segments=segments)


@router.get("/timelines/summary", **guarded(PLAYBACK))
def get_summaries(
    principal: PrincipalDep,
    rt: RuntimeDep,
    camera_id: list[int] = Query(min_length=1, max_length=MAX_CAMERAS),
    start: AwareDatetime = Query(alias="from"),
    end: AwareDatetime = Query(alias="to"),
    bucket: Bucket = Bucket.DAY,
) -> list[SummaryOut]:
    """Recorded time per day (or hour) of the site's time zone, per camera (`camera_id`
    repeated), for a scrub bar."""
    found = service.camera_summaries(rt, principal, camera_id, start, end, bucket)
    return [SummaryOut.of(summary) for summary in found]
