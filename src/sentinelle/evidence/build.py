"""One camera's part of an export: its recorded segments, re-hashed as they are read (E5),
become one lossless MP4 (E3), sealed in the ONVIF Export File Format, and a frame index.

A change of stream description inside the period (resolution, profile) starts a new file:
one MP4 holds one sample description. So does a segment re-encoded for privacy
(`evidence.privacy`): a file is either a lossless copy or re-encoded, never both.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import mmap
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sentinelle.evidence import errors, mp4, oeff
from sentinelle.evidence.models import Period
from sentinelle.evidence.package import HashingFile, PackageWriter
from sentinelle.evidence.privacy import MaskedSource, Masker, no_masking
from sentinelle.evidence.signing import SiteSigner
from sentinelle.storage.tables import SegmentRow

_TOLERANCE = timedelta(milliseconds=1)


@dataclass(frozen=True, slots=True)
class CameraFacts:
    """What an export states about a camera."""

    id: int
    code: str
    name: str
    location: str
    latitude: float | None
    longitude: float | None
    url: str  # without credentials


@dataclass(frozen=True, slots=True)
class Context:
    """What every camera of one export shares."""

    signer: SiteSigner
    unit: oeff.ExportUnit
    timezone: ZoneInfo
    root: Path  # recordings root
    on_bytes: Callable[[int], None]  # progress: source bytes read; may raise Cancelled


@dataclass
class Item:
    """One exported file of one camera, and what the manifest says about it."""

    camera: CameraFacts
    file: str
    index: str
    bytes: int = 0
    sha256: str = ""
    covered: Period | None = None
    frames: int = 0
    width: int = 0
    height: int = 0
    codec: str = ""
    segments: list[SegmentRow] = field(default_factory=list)
    reencoded: list[MaskedSource] = field(default_factory=list)  # privacy: the sources masked
    prev_chain_hash: str = ""  # the link before the first segment (set by the service)


Sources = Iterator[tuple[SegmentRow, mmap.mmap]]


def export_camera(
    pkg: PackageWriter,
    ctx: Context,
    camera: CameraFacts,
    segments: Sequence[SegmentRow],
    period: Period,
    sources: Sources,
    masker: Masker = no_masking,
) -> list[Item]:
    """Write the camera's footage of `period` (from the keyframe at or before its start);
    `sources` yields the bytes of `segments`, in order (see `read_sources`); a segment the
    `masker` re-encodes for privacy is exported from its re-encoded bytes."""
    start = _start_keyframe(segments[0], period.start)
    part: _Part | None = None
    items: list[Item] = []
    for row, raw in itertools.islice(sources, len(segments)):
        ctx.on_bytes(len(raw))
        masked = masker(row, memoryview(raw))
        data = memoryview(masked.data if masked else raw)
        track = mp4.read_track(data)
        key = (mp4.description_key(track.stsd), masked is not None)
        if part is not None and part.key != key:
            items.append(part.finish(pkg, ctx))
            part = None
        for fragment in _kept(data, track, row, start, period.end):
            part = part or _Part(pkg, ctx, camera, row, track.stsd, fragment[0].dts_at, key)
            part.add(fragment, row, masked)
    if part is None:
        raise errors.no_footage(camera.code)
    items.append(part.finish(pkg, ctx))
    return items


def _start_keyframe(first: SegmentRow, wanted: datetime) -> datetime:
    """The keyframe at or before `wanted` in the first segment (its start if none)."""
    offsets = [first.start_at + timedelta(milliseconds=ms) for ms in first.keyframes_ms]
    before = [at for at in offsets if at <= wanted + _TOLERANCE]
    return max(before) if before else first.start_at


def read_sources(ctx: Context, segments: Sequence[SegmentRow]) -> Sources:
    """Each segment's bytes, checked against the catalogue (E5), across every camera of an
    export: the next segment is read and hashed in a thread while the caller works on the
    current one (reading and hashing release the GIL)."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="export-read") as pool:
        ahead: Future[mmap.mmap] | None = None
        for n, row in enumerate(segments):
            current = ahead or pool.submit(_read_source, ctx.root, row)
            following = segments[n + 1] if n + 1 < len(segments) else None
            ahead = pool.submit(_read_source, ctx.root, following) if following else None
            yield row, current.result()


def _read_source(root: Path, row: SegmentRow) -> mmap.mmap:
    """The segment mapped in memory (no copy), checked against the catalogue (E5)."""
    try:
        with (root / row.path).open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size != row.bytes or size == 0:
                raise errors.source_integrity(row.path, "does not have its catalogued size")
            mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    except FileNotFoundError as exc:
        raise errors.source_integrity(row.path, "is missing") from exc
    mapped.madvise(mmap.MADV_SEQUENTIAL)
    if hashlib.sha256(mapped).hexdigest() != row.sha256:
        raise errors.source_integrity(row.path, "does not match its catalogued SHA-256")
    return mapped


@dataclass(frozen=True, slots=True)
class _Timed:
    """A source sample, its times in seconds from its segment's start (`base`)."""

    sample: mp4.Sample
    base: datetime
    dts: float
    cts: float
    duration: float

    @property
    def dts_at(self) -> datetime:
        return self.base + timedelta(seconds=self.dts)

    @property
    def pts_at(self) -> datetime:
        return self.base + timedelta(seconds=self.dts + self.cts)


def _kept(
    data: memoryview, track: mp4.SourceTrack, row: SegmentRow, start: datetime, end: datetime
) -> Iterator[list[_Timed]]:
    """The samples of each fragment presented in [start, end), with their times."""
    first_pts: int | None = None
    scale = track.timescale
    low = (start - row.start_at - _TOLERANCE).total_seconds()
    high = (end - row.start_at).total_seconds()
    for fragment in mp4.read_samples(data, track):
        if first_pts is None and fragment:
            first_pts = fragment[0].dts + fragment[0].cts
        base = first_pts or 0
        kept = [
            _Timed(s, row.start_at, (s.dts - base) / scale, s.cts / scale, s.duration / scale)
            for s in fragment
            if low <= (s.dts + s.cts - base) / scale < high
        ]
        if kept:
            yield kept


class _Part:
    """One MP4 being written for a camera: opened on its first sample, sealed by `finish`."""

    def __init__(
        self,
        pkg: PackageWriter,
        ctx: Context,
        camera: CameraFacts,
        row: SegmentRow,
        stsd: bytes,
        origin: datetime,
        key: tuple[bytes, bool],
    ) -> None:
        stem = f"{camera.code}_{origin:%Y%m%dT%H%M%SZ}"
        self.item = Item(camera, f"video/{stem}.mp4", f"index/{stem}.json")
        self.item.width, self.item.height, self.item.codec = row.width, row.height, row.codec
        self.origin, self.key = origin, key
        self.handle: HashingFile = pkg.create(self.item.file)
        facts = _movie_facts(camera, origin, row, stsd)
        self.writer = mp4.ExportWriter(
            self.handle.write_parts,
            facts,
            origin,
            _caption(camera, ctx.timezone),
            _gap_caption(camera),
        )
        self._first: _Timed | None = None
        self._last: _Timed | None = None

    def add(self, fragment: list[_Timed], row: SegmentRow, masked: MaskedSource | None) -> None:
        if not self.item.segments or self.item.segments[-1] is not row:
            self.item.segments.append(row)
            if masked is not None:
                self.item.reencoded.append(masked)
        scale = mp4.VIDEO_TIMESCALE
        offset = (row.start_at - self.origin).total_seconds()
        self.writer.add(
            [
                mp4.OutSample(
                    round((offset + t.dts) * scale),
                    round(t.cts * scale),
                    t.sample.flags,
                    t.sample.data,
                    round(t.duration * scale),
                    t.sample.offset,
                )
                for t in fragment
            ]
        )
        self._first = self._first or fragment[0]
        self._last = fragment[-1]

    def finish(self, pkg: PackageWriter, ctx: Context) -> Item:
        """Write the last fragment, seal the file (ONVIF), write its frame index."""
        self.writer.finish()
        _seal(self.handle, ctx, self.item.camera, self.origin)
        entry = pkg.commit(self.item.file, self.handle)
        item = self.item
        item.bytes, item.sha256 = entry.bytes, entry.sha256
        item.frames = len(self.writer.index.pts)
        if self._first is None or self._last is None:
            raise errors.no_footage(item.camera.code)
        end = self._last.pts_at + timedelta(seconds=self._last.duration)
        item.covered = Period(self._first.pts_at, end)
        pkg.add(item.index, _index_json(item, self.origin, self.writer.index))
        return item


def _seal(handle: HashingFile, ctx: Context, camera: CameraFacts, origin: datetime) -> None:
    """Append the ONVIF file-level meta box, signed over the whole file (sibo zeroed)."""
    signer = ctx.signer
    meta = oeff.file_meta(
        ctx.unit,
        [
            oeff.TrackSource(mp4.VIDEO_TRACK, f"{camera.code} — {camera.name}", camera.url),
            oeff.TrackSource(mp4.TEXT_TRACK, f"{camera.code} — horodatage"),
        ],
        [(mp4.VIDEO_TRACK, origin)],
        signer.certificate_der(),
        signer.signature_size,
    )
    digest = handle.digest()
    digest.update(meta.data)
    handle.write(meta.with_signature(signer.sign_digest_pss(digest.digest(), 20)))


def _movie_facts(
    camera: CameraFacts, origin: datetime, row: SegmentRow, stsd: bytes
) -> mp4.MovieFacts:
    return mp4.MovieFacts(
        title=f"{camera.code} — {camera.name}",
        description=(
            f"Caméra {camera.code} ({camera.name}), {camera.location}; "
            f"début {origin.isoformat(timespec='milliseconds')} UTC"
        ),
        created=origin,
        width=row.width,
        height=row.height,
        stsd=stsd,
        place=camera.location,
        latitude=camera.latitude,
        longitude=camera.longitude,
    )


def _caption(camera: CameraFacts, tz: ZoneInfo) -> mp4.Caption:
    def caption(instant: datetime) -> str:
        local = instant.astimezone(tz)
        return (
            f"{camera.code} · {camera.name} · {local:%d/%m/%Y %H:%M:%S} ({tz.key}) · "
            f"{instant:%H:%M:%S} UTC"
        )

    return caption


def _gap_caption(camera: CameraFacts) -> Callable[[datetime, datetime], str]:
    def caption(start: datetime, end: datetime) -> str:
        return f"{camera.code} · PAS D'IMAGES de {start:%H:%M:%S} à {end:%H:%M:%S} UTC"

    return caption


def _index_json(item: Item, origin: datetime, index: mp4.FrameIndex) -> bytes:
    doc = {
        "file": item.file,
        "start_utc": origin.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "timescale": mp4.VIDEO_TIMESCALE,
        "pts": index.pts,
        "keyframes": index.keyframes,
    }
    return json.dumps(doc, separators=(",", ":")).encode()
