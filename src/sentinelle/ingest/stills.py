"""Still pictures shown to staff outside recording — the stream test's preview and the mask
editor's reference picture — and the privacy rules they follow (docs/design/privacy.md, Editor
and overlays; admin-registry.md, Stream test).

A still of a registered camera is an image of that camera: which registered cameras a URL
names (`registered`, host + port + path compared normalised, credentials and query ignored),
whether the caller may see it (`withheld`: habilitation covering the camera, lawful service),
and the masks in force burnt into the decoded keyframe (`masked`: the burn-in's own `plan_for`
and `apply`, P1) unless the camera masks itself."""

from __future__ import annotations

import contextlib
import ipaddress
import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import av.video.frame
import sqlalchemy as sa

from sentinelle.access.models import CameraScope
from sentinelle.ingest import burnin
from sentinelle.privacy import service as privacy_service
from sentinelle.privacy.models import CameraMasks, Enforcement
from sentinelle.registry import streams
from sentinelle.registry.service import is_lawful, today
from sentinelle.registry.tables import CameraRow
from sentinelle.runtime import Runtime

DEFAULT_PORTS = {"rtsp": 554, "rtsps": 322, "http": 80, "https": 443}


@dataclass(frozen=True, slots=True)
class Registered:
    """A registered camera a stream URL names: its id, groups, lawfulness today, masks."""

    camera_id: int
    group_ids: frozenset[int]
    lawful: bool
    masks: CameraMasks


def stream_key(url: str) -> tuple[str, int | None, str] | None:
    """Host, port and path of a URL, normalised (case, default port, IP spelling, dot
    segments, repeated and trailing slashes, percent-encoding); None without a host."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port or DEFAULT_PORTS.get(parts.scheme.lower())
    except ValueError:
        return None
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        return None
    with contextlib.suppress(ValueError):  # a name, not an IP literal
        host = str(ipaddress.ip_address(host))
    path = posixpath.normpath(re.sub("/+", "/", "/" + unquote(parts.path).lower()))
    return host, port, path


def registered(rt: Runtime, url: str) -> list[Registered]:
    """The registered cameras whose main or sub-stream is `url` (the stream URLs are read
    from the registry, sealed, and never leave the server)."""
    key = stream_key(url)
    if key is None:
        return []
    box = rt.box(streams.STREAM_PURPOSE)
    found = []
    with rt.db.read() as s:
        for camera in s.execute(sa.select(CameraRow).order_by(CameraRow.id)).scalars():
            sealed = [u for u in (camera.main_url_sealed, camera.sub_url_sealed) if u]
            if any(stream_key(box.open(u)) == key for u in sealed):
                masks = privacy_service.camera_view(s, camera)
                lawful = is_lawful(camera, today(rt))
                found.append(Registered(camera.id, camera.group_ids, lawful, masks))
    return found


def withheld(scope: CameraScope, cameras: Sequence[Registered]) -> str | None:
    """Why the still must not be shown to a caller with this video scope (a stable code),
    or None: a valid habilitation, covering every camera named, each in lawful service."""
    if scope == CameraScope.nothing():
        return "habilitation_required"
    if any(not scope.covers(c.group_ids) for c in cameras):
        return "camera_out_of_scope"
    if any(not c.lawful for c in cameras):
        return "camera_not_lawful"
    return None


def to_burn(cameras: Sequence[Registered]) -> list[CameraMasks]:
    """The masks the server must burn into a still of these cameras (not camera-side)."""
    return [c.masks for c in cameras if c.masks.enforcement is not Enforcement.CAMERA_SIDE]


def masked(
    frame: av.video.frame.VideoFrame, masks: Sequence[CameraMasks]
) -> av.video.frame.VideoFrame:
    """The keyframe with each of these masks burnt in, as the burn-in records it (a PTZ
    camera's position is unknown here: its whole picture is hidden, P1)."""
    for camera_masks in masks:
        frame = burnin.apply(burnin.plan_for(camera_masks, frame.width, frame.height), frame)
    return frame
