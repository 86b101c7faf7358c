"""Crash recovery of partly written segments (invariant S6).

A `.part` file left by a killed writer holds `ftyp`, `moov` and a run of complete
`moof`+`mdat` fragments, possibly followed by a torn one. Recovery cuts the file after its
last complete fragment, reads what it holds, and finalises it like any segment (flagged
`recovered`); at most the torn fragment, about one second, is lost.

A segment the server burnt the masks into keeps the mask version and digest it was burnt
with: the writer put them in the file's `moov` (`MaskStamp.as_comment`), which recovery reads
back. A stamp that does not name a version of the camera's masks with that digest is not
believed: the segment is catalogued as camera-mode footage (no version), which the masked
playback and exports re-encode whenever a flag covers it — never footage the catalogue
claims was masked without proof. A file with no stamp is the camera's own stream.
"""

from __future__ import annotations

import dataclasses
import logging
import struct
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import av
from sqlalchemy.exc import SQLAlchemyError

from sentinelle.core.errors import SentinelleError
from sentinelle.ingest import repository
from sentinelle.ingest.writer import FinishedSegment, MaskStamp
from sentinelle.privacy import repository as privacy_repository
from sentinelle.runtime import Runtime
from sentinelle.storage import layout
from sentinelle.storage.service import NewSegment, do_catalogue_segment

log = logging.getLogger(__name__)
_HEADER = struct.Struct(">I4s")
_LARGE = struct.Struct(">Q")


@dataclass(frozen=True, slots=True)
class Recovered:
    segment: FinishedSegment | None  # None: nothing complete to keep (file removed)
    part: Path  # the file recovered
    kind: str = "partial"  # or "uncatalogued": a complete file that had no row


def complete_length(path: Path) -> int:
    """Bytes up to the end of the last complete fragment (0 if none)."""
    data = path.read_bytes()
    offset, keep, seen_moov, pending_moof = 0, 0, False, False
    while offset + _HEADER.size <= len(data):
        size, kind = _HEADER.unpack_from(data, offset)
        header = _HEADER.size
        if size == 1:
            if offset + 16 > len(data):
                break
            size, header = _LARGE.unpack_from(data, offset + 8)[0], 16
        if size < header or offset + size > len(data):
            break  # a torn box: stop before it
        seen_moov |= kind == b"moov"
        if kind == b"moof":
            pending_moof = True
        elif kind == b"mdat" and pending_moof and seen_moov:
            keep, pending_moof = offset + size, False
        offset += size
    return keep


def recover_part(root: Path, part: Path, camera_id: int) -> Recovered:
    """Cut `part` after its last complete fragment and finalise it as a segment."""
    keep = complete_length(part)
    if keep == 0:
        part.unlink()
        log.warning("recovery: %s held no complete fragment; removed", part)
        return Recovered(None, part)
    with part.open("r+b") as handle:
        handle.truncate(keep)
    layout.fsync_file(part)
    final = part.with_name(part.name.removesuffix(layout.PART_SUFFIX))
    part.rename(final)
    layout.fsync_dir(final.parent)
    return Recovered(_finished(root, final, camera_id, recovered=True), part)


def _finished(
    root: Path, final: Path, camera_id: int, *, recovered: bool = False
) -> FinishedSegment:
    """A finalised file described as the writer would have: its facts are read from it."""
    start = _start_of(final)
    facts = _read_facts(final, start)
    return FinishedSegment(
        camera_id=camera_id,
        start=start,
        end=facts.end,
        path=final.relative_to(root).as_posix(),
        size=final.stat().st_size,
        sha256=layout.sha256_of(final),
        codec=facts.codec,
        width=facts.width,
        height=facts.height,
        fps=facts.fps,
        keyframes_ms=facts.keyframes_ms,
        recovered=recovered,
        mask_version=None if facts.mask is None else facts.mask.version,
        mask_digest=None if facts.mask is None else facts.mask.digest,
    )


RECENT_DAYS = 2  # day folders per camera that recovery looks at (a crash leaves files there)


Cameras = Callable[[int], bool]  # which cameras' folders to look at


def _every_camera(camera_id: int) -> bool:
    return True


def recent_days(
    root: Path, days: int | None = RECENT_DAYS, cameras: Cameras = _every_camera
) -> list[tuple[int, Path]]:
    """The latest `days` day folders (all if None) of each of `cameras`, with its id."""
    if not root.exists():
        return []
    found = []
    for camera in sorted(root.iterdir()):
        if camera.is_dir() and camera.name.isdigit() and cameras(int(camera.name)):
            folders = sorted(p for p in camera.glob("*/*/*") if p.is_dir())
            found += [(int(camera.name), day) for day in folders[-days if days else 0 :]]
    return found


def find_parts(
    root: Path, days: int | None = RECENT_DAYS, cameras: Cameras = _every_camera
) -> list[tuple[int, Path]]:
    """The `.part` files of the recent day folders, with their camera's id."""
    folders = recent_days(root, days, cameras)
    return [(cam, part) for cam, day in folders for part in sorted(day.glob("*.part"))]


def find_uncatalogued(
    rt: Runtime, root: Path, days: int | None = RECENT_DAYS, cameras: Cameras = _every_camera
) -> list[tuple[int, Path]]:
    """Finished files of the recent day folders that have no catalogue row (a crash between
    steps 3 and 5 of S3, or a catalogue failure), with their camera's id."""
    found = []
    for camera_id, day in recent_days(root, days, cameras):
        files = {f.relative_to(root).as_posix(): f for f in sorted(day.glob("*.mp4"))}
        with rt.db.read() as s:
            known = repository.catalogued_paths(s, list(files))
        found += [(camera_id, f) for rel, f in files.items() if rel not in known]
    return found


@dataclass(frozen=True, slots=True)
class _Facts:
    end: datetime
    codec: str
    width: int
    height: int
    fps: float
    keyframes_ms: tuple[int, ...]
    mask: MaskStamp | None  # the burn-in's stamp the file carries (server mode)


def _start_of(final: Path) -> datetime:
    return datetime.strptime(final.stem, "%Y%m%dT%H%M%S%fZ").replace(tzinfo=UTC)


def _read_facts(path: Path, start: datetime) -> _Facts:
    with av.open(str(path), format="mp4") as container:
        stream = container.streams.video[0]
        tb = stream.time_base
        assert tb is not None  # noqa: S101 - MP4 video streams always have one
        first: int | None = None
        last_end, frames, keyframes = 0.0, 0, []
        for packet in container.demux(stream):
            if packet.pts is None:
                continue
            first = packet.pts if first is None else first
            offset = float((packet.pts - first) * tb)
            if packet.is_keyframe:
                keyframes.append(round(offset * 1000))
            last_end = max(last_end, offset + float((packet.duration or 0) * tb))
            frames += 1
        ctx = stream.codec_context
        seconds = max(last_end, 1e-6)
        return _Facts(
            end=start + timedelta(seconds=last_end),
            codec=ctx.name,
            width=ctx.width,
            height=ctx.height,
            fps=round(frames / seconds, 3),
            keyframes_ms=tuple(keyframes),
            mask=MaskStamp.from_comment(container.metadata.get("comment")),
        )


def recover_all(
    rt: Runtime, days: int | None = RECENT_DAYS, cameras: Cameras = _every_camera
) -> list[Recovered]:
    """Recover and catalogue the `.part` files and the uncatalogued files of the `days` latest
    day folders (all if None) of `cameras` (run before their sessions start)."""
    root = layout.recordings_root(rt.settings.resolved_data_dir)
    results = []
    for camera_id, part in find_parts(root, days, cameras):
        result = recover_part(root, part, camera_id)
        if result.segment is not None:
            segment = _believed(rt, result.segment)
            result = dataclasses.replace(result, segment=segment)
            catalogue(rt, segment, recovered=True)
            log.warning("recovery: %s recovered up to its last complete fragment", part)
        results.append(result)
    for camera_id, path in find_uncatalogued(rt, root, days, cameras):
        segment = _believed(rt, _finished(root, path, camera_id))
        try:
            catalogue(rt, segment, recovered=True)
        except (SQLAlchemyError, SentinelleError):
            log.exception("recovery: %s could not be catalogued; `storage check` reports it", path)
            continue
        log.warning("recovery: %s had no catalogue row; catalogued", path)
        results.append(Recovered(segment, path, "uncatalogued"))
    return results


def _believed(rt: Runtime, segment: FinishedSegment) -> FinishedSegment:
    """`segment` with its mask stamp if the camera has that version with that digest, else
    as camera-mode footage (no version: re-encoded on the way out when flagged)."""
    if segment.mask_version is None:
        return segment
    with rt.db.read() as s:
        known = {(v.version, v.digest) for v in privacy_repository.versions(s, segment.camera_id)}
    if (segment.mask_version, segment.mask_digest) in known:
        return segment
    log.warning(
        "recovery: %s says it was masked with version %s, which camera %s does not have "
        "with that digest; catalogued as the camera's own footage",
        segment.path,
        segment.mask_version,
        segment.camera_id,
    )
    return dataclasses.replace(segment, mask_version=None, mask_digest=None)


def catalogue(rt: Runtime, seg: FinishedSegment, *, recovered: bool = False) -> None:
    """Step 5 of S3: the segment's row and its place in the camera's chain."""
    do_catalogue_segment(
        rt,
        NewSegment(
            camera_id=seg.camera_id,
            start=seg.start,
            end=seg.end,
            path=seg.path,
            size=seg.size,
            codec=seg.codec,
            width=seg.width,
            height=seg.height,
            fps=seg.fps,
            keyframes_ms=seg.keyframes_ms,
            sha256=seg.sha256,
            recovered=recovered or seg.recovered,
            mask_version=seg.mask_version,
            mask_digest=seg.mask_digest,
        ),
    )
