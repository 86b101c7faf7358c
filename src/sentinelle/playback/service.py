"""Playback use cases: open a playback (journalled, returns a grant), its playlists and segment
files, snapshots, timelines and their summaries.

Invariant E1: `do_open_playback` and `do_take_snapshot` commit their journal entries before
they return anything of the footage; playlists and segment files are served only under a
grant, which only `do_open_playback` issues, to the user it journalled, and only while that
user may still play back footage of the camera (E2, checked again at every request).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import BinaryIO

from sentinelle.access.models import Permission, Principal
from sentinelle.audit.models import AuditAction
from sentinelle.core.clock import ensure_utc
from sentinelle.playback import errors, grants, hls, masking, policy, repository, snapshot
from sentinelle.playback.access import Requester, actor_of, authorise, journal_access
from sentinelle.playback.grants import Grant
from sentinelle.playback.models import (
    Bucket,
    CameraFacts,
    CameraSummary,
    PlaybackInput,
    Snapshot,
    SnapshotInput,
    Timeline,
)
from sentinelle.playback.timeline import load_timeline, summaries
from sentinelle.privacy import audit_service
from sentinelle.privacy.audit_service import MaskFlag
from sentinelle.registry import errors as registry_errors
from sentinelle.runtime import Runtime
from sentinelle.storage import layout
from sentinelle.storage.models import SegmentState

log = logging.getLogger(__name__)
PLAYBACK = Permission.VIDEO_PLAYBACK
LONGEST_TIMELINE = timedelta(days=31)  # retention never exceeds 30 days
SEGMENTS_URL = "../segments/"  # from a playlist's URL to its segment files' (see the API)


@dataclass(frozen=True, slots=True)
class CameraPlayback:
    camera: CameraFacts
    timeline: Timeline


@dataclass(frozen=True, slots=True)
class OpenedPlayback:
    token: str
    grant: Grant
    cameras: tuple[CameraPlayback, ...]


def do_open_playback(rt: Runtime, principal: Principal, data: PlaybackInput) -> OpenedPlayback:
    """Check the request, journal one `video.playback_opened` per camera, then return the
    grant and each camera's timeline over the period."""
    reason = policy.check_reason(data.reason)
    start, end, now = ensure_utc(data.start), ensure_utc(data.end), rt.now()
    policy.check_range(start, end, now)
    with rt.db.write() as s:
        cameras = authorise(s, principal, data.camera_ids, PLAYBACK)
        period = {"from": start.isoformat(), "to": end.isoformat()}
        journal_access(
            s, actor_of(principal), AuditAction.PLAYBACK_OPENED, cameras, reason, period, now
        )
    ids = tuple(c.id for c in cameras)
    grant = Grant(principal.user_id, ids, start, end, now + grants.GRANT_LIFETIME)
    tz = rt.settings.timezone
    with rt.db.snapshot() as s:
        opened = tuple(
            CameraPlayback(c, load_timeline(s, c.id, start, end, now, tz)) for c in cameras
        )
    return OpenedPlayback(grants.issue(rt.site_secret, grant), grant, opened)


def read_grant(rt: Runtime, principal: Principal, token: str) -> Grant:
    """The grant of a token, if it was given to this user and has not expired."""
    grant = grants.read(rt.site_secret, token, rt.now())
    if grant.user_id != principal.user_id:
        raise errors.grant_not_yours()
    return grant


def playlist(rt: Runtime, principal: Principal, token: str, camera_id: int) -> str:
    """The HLS playlist of one camera of a grant, over the grant's period."""
    grant = read_grant(rt, principal, token)
    if not grant.covers(camera_id):
        raise errors.camera_not_in_grant(camera_id)
    with rt.db.read() as s:
        authorise(s, principal, [camera_id], PLAYBACK)
        rows = repository.playable_segments(s, camera_id, grant.start, grant.end)
    root = layout.recordings_root(rt.settings.resolved_data_dir)
    flags = audit_service.flags(rt, camera_id)  # flagged footage is served masked
    media = [m for row in rows if (m := _media_segment(rt, camera_id, root, row, flags))]
    return hls.render_playlist(media, grant.start, SEGMENTS_URL)


def _media_segment(
    rt: Runtime,
    camera_id: int,
    root: Path,
    row: repository.PlayableSegment,
    flags: list[MaskFlag],
) -> hls.MediaSegment | None:
    try:
        path = masking.served_file(rt, camera_id, row.id, root / row.path, flags)
        init = hls.init_length(path)
    except (OSError, hls.NotFragmented, masking.MaskingFailed) as exc:  # S1 broken or P1
        log.warning("segment %s left out of a playlist: %s", row.id, exc)
        return None
    size = row.bytes if path == root / row.path else path.stat().st_size
    return hls.MediaSegment(row.id, row.start, row.end, init, size)


@dataclass(frozen=True, slots=True)
class SegmentFile:
    """A stored segment file opened for serving (still readable if destroyed meanwhile)."""

    handle: BinaryIO
    size: int


def open_segment(rt: Runtime, principal: Principal, token: str, segment_id: int) -> SegmentFile:
    """A segment file of a camera of the grant overlapping its period, opened for reading."""
    grant = read_grant(rt, principal, token)
    with rt.db.read() as s:
        row = repository.stored_segment(s, segment_id)
        if row is None or not grant.covers(row.camera_id):
            raise errors.segment_not_found(segment_id)
        if not (row.start < grant.end and row.end > grant.start):
            raise errors.segment_not_found(segment_id)
        authorise(s, principal, [row.camera_id], PLAYBACK)
    if row.state != SegmentState.ACTIVE:
        raise errors.footage_destroyed(segment_id)
    path = _served(rt, row.camera_id, row.id, row.path)
    try:
        handle = path.open("rb")
    except FileNotFoundError as exc:
        raise errors.segment_file_missing(segment_id) from exc
    return SegmentFile(handle, os.fstat(handle.fileno()).st_size)


def _served(rt: Runtime, camera_id: int, segment_id: int, relative: str) -> Path:
    """The recorded file, or its masked re-encoding if flagged (never the recorded one then)."""
    path = layout.recordings_root(rt.settings.resolved_data_dir) / relative
    if not path.exists():
        raise errors.segment_file_missing(segment_id)
    try:
        return masking.served_file(rt, camera_id, segment_id, path, None)
    except masking.MaskingFailed as exc:
        raise errors.undecodable_footage(segment_id, str(exc)) from exc


def do_take_snapshot(rt: Runtime, who: Requester, camera_id: int, data: SnapshotInput) -> Snapshot:
    """Journal `video.snapshot_taken`, then decode and encode the frame displayed at `at`."""
    reason = policy.check_reason(data.reason)
    at, now = ensure_utc(data.at), rt.now()
    policy.check_instant(at, now)
    with rt.db.write() as s:
        (camera,) = authorise(s, who, [camera_id], PLAYBACK)
        row = repository.segment_at(s, camera_id, at)
        if row is None:
            raise errors.no_footage(camera_id, at)
        details = {"at": at.isoformat(), "format": str(data.format), "segment_id": row.id}
        journal_access(s, actor_of(who), AuditAction.SNAPSHOT_TAKEN, [camera], reason, details, now)
    path = _served(rt, camera_id, row.id, row.path)
    try:
        frame, instant = snapshot.frame_at(path, row.start, row.keyframes_ms, at)
    except snapshot.Undecodable as exc:
        raise errors.undecodable_footage(row.id, str(exc)) from exc
    return Snapshot(snapshot.encode(frame, data.format), data.format, instant, camera.code)


def camera_timeline(
    rt: Runtime, who: Requester, camera_id: int, start: datetime, end: datetime
) -> Timeline:
    """A camera's timeline, for someone who may play back its footage (not journalled: it
    shows when footage exists, not the footage)."""
    start, end, now = ensure_utc(start), ensure_utc(end), rt.now()
    policy.check_range(start, end, now, LONGEST_TIMELINE)
    with rt.db.snapshot() as s:
        authorise(s, who, [camera_id], PLAYBACK)
        return load_timeline(s, camera_id, start, end, now, rt.settings.timezone)


def camera_summaries(
    rt: Runtime,
    who: Requester,
    camera_ids: list[int],
    start: datetime,
    end: datetime,
    bucket: Bucket,
) -> list[CameraSummary]:
    """Per-day or per-hour recorded time of cameras `who` may play back."""
    start, end, now = ensure_utc(start), ensure_utc(end), rt.now()
    policy.check_range(start, end, now, LONGEST_TIMELINE)
    with rt.db.read() as s:
        cameras = authorise(s, who, camera_ids, PLAYBACK)
    return summaries(rt, [c.id for c in cameras], start, end, bucket)


def camera_id_for(rt: Runtime, ref: str) -> int:
    """A camera named by its code, or by its id."""
    with rt.db.read() as s:
        found = repository.camera_id_of(s, ref)
        if found is None and ref.isdigit() and repository.camera_facts(s, [int(ref)]):
            found = int(ref)
    if found is None:
        raise registry_errors.camera_not_found(ref)
    return found
