"""Lossless MP4 for evidence: reading the samples of our recorded segments (fragmented MP4)
and writing an export file from them (invariant E3).

The export file is a fragmented MP4 (ISO 14496-12) with two tracks: the video, whose sample
entry and sample bytes are copied from the segments unchanged, and a timed-text track (3GPP
`tx3g`) giving camera, date and time every second. Only timestamps are rescaled (90 kHz).
"""

from __future__ import annotations

import itertools
import struct
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sentinelle.core.errors import InvalidInput
from sentinelle.evidence.boxes import Box, box, children, find, full_box, iter_boxes

VIDEO_TIMESCALE = 90_000
TEXT_TIMESCALE = 1_000
VIDEO_TRACK = 1
TEXT_TRACK = 2
_EPOCH_1904 = datetime(1904, 1, 1, tzinfo=UTC)
_NON_SYNC = 0x00010000
_TFHD_BASE_OFFSET, _TFHD_DESC, _TFHD_DURATION, _TFHD_SIZE, _TFHD_FLAGS = 0x1, 0x2, 0x8, 0x10, 0x20
_TRUN_DATA, _TRUN_FIRST, _TRUN_DURATION, _TRUN_SIZE, _TRUN_FLAGS, _TRUN_CTS = (
    0x1,
    0x4,
    0x100,
    0x200,
    0x400,
    0x800,
)


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True, slots=True)
class Sample:
    """One video sample of a source segment, times in the segment's timescale."""

    dts: int
    duration: int
    cts: int
    flags: int
    data: memoryview
    offset: int  # of `data` in the segment's bytes

    @property
    def is_sync(self) -> bool:
        return not self.flags & _NON_SYNC


@dataclass(frozen=True, slots=True)
class SourceTrack:
    """What a segment's video track declares: timescale, sample entry box, default flags."""

    timescale: int
    stsd: bytes
    defaults: tuple[int, int, int]  # trex duration, size, flags


def read_track(data: memoryview) -> SourceTrack:
    """The video track of a segment file held in `data`."""
    moov = find(data, None, "moov")
    trak = find(data, moov, "trak") if moov else None
    mdhd = find(data, trak, "mdia/mdhd") if trak else None
    stsd = find(data, trak, "mdia/minf/stbl/stsd") if trak else None
    if moov is None or mdhd is None or stsd is None:
        raise InvalidInput("corrupt_mp4", "the segment has no video track")
    version = data[mdhd.body]
    (timescale,) = struct.unpack_from(">I", data, mdhd.body + (20 if version == 1 else 12))
    trex = find(data, moov, "mvex/trex")
    defaults = (0, 0, 0)
    if trex is not None:
        defaults = struct.unpack_from(">III", data, trex.body + 12)
    return SourceTrack(timescale, bytes(data[stsd.start : stsd.end]), defaults)


_VISUAL_ENTRY_FIELDS = 78  # a VisualSampleEntry's fields before its child boxes


def description_key(stsd: bytes) -> bytes:
    """What decides whether two sample descriptions describe the same stream: the entry
    without its `btrt` (bit-rate hints, which differ between recording sessions)."""
    view = memoryview(stsd)
    entry = next(iter_boxes(view, 16, len(stsd)), None)  # stsd: header, version, count
    if entry is None or entry.size < entry.header + _VISUAL_ENTRY_FIELDS:
        return stsd
    fields_end = entry.body + _VISUAL_ENTRY_FIELDS
    kept = [bytes(view[entry.start : fields_end])]
    kept += [
        bytes(view[b.start : b.end])
        for b in iter_boxes(view, fields_end, entry.end)
        if b.kind != b"btrt"
    ]
    return b"".join(kept)


def read_samples(data: memoryview, track: SourceTrack) -> Iterator[list[Sample]]:
    """The samples of each fragment (moof + mdat) of a segment, in file order."""
    for moof in (b for b in iter_boxes(data) if b.kind == b"moof"):
        traf = find(data, moof, "traf")
        if traf is not None:
            yield list(_traf_samples(data, moof, traf, track))


def _traf_samples(data: memoryview, moof: Box, traf: Box, track: SourceTrack) -> Iterator[Sample]:
    base, dts = moof.start, 0
    duration, size, flags = track.defaults
    for child in children(data, traf):
        if child.kind == b"tfhd":
            base, duration, size, flags = _tfhd(data, child, moof.start, (duration, size, flags))
        elif child.kind == b"tfdt":
            version = data[child.body]
            fmt = ">Q" if version == 1 else ">I"
            (dts,) = struct.unpack_from(fmt, data, child.body + 4)
        elif child.kind == b"trun":
            for sample in _trun(data, child, base, dts, (duration, size, flags)):
                dts = sample.dts + sample.duration
                yield sample


def _tfhd(
    data: memoryview, tfhd: Box, moof_start: int, defaults: tuple[int, int, int]
) -> tuple[int, int, int, int]:
    (word,) = struct.unpack_from(">I", data, tfhd.body)
    flags_set = word & 0xFFFFFF
    at = tfhd.body + 8  # version/flags, track_ID
    base = moof_start
    duration, size, flags = defaults
    if flags_set & _TFHD_BASE_OFFSET:
        (base,) = struct.unpack_from(">Q", data, at)
        at += 8
    if flags_set & _TFHD_DESC:
        at += 4
    if flags_set & _TFHD_DURATION:
        (duration,) = struct.unpack_from(">I", data, at)
        at += 4
    if flags_set & _TFHD_SIZE:
        (size,) = struct.unpack_from(">I", data, at)
        at += 4
    if flags_set & _TFHD_FLAGS:
        (flags,) = struct.unpack_from(">I", data, at)
    return base, duration, size, flags


def _trun(
    data: memoryview, trun: Box, base: int, dts: int, defaults: tuple[int, int, int]
) -> Iterator[Sample]:
    (word, count) = struct.unpack_from(">II", data, trun.body)
    version, flags_set = word >> 24, word & 0xFFFFFF
    at = trun.body + 8
    offset = base
    if flags_set & _TRUN_DATA:
        (rel,) = struct.unpack_from(">i", data, at)
        offset, at = base + rel, at + 4
    first_flags = None
    if flags_set & _TRUN_FIRST:
        (first_flags,) = struct.unpack_from(">I", data, at)
        at += 4
    fields = [f for f in (_TRUN_DURATION, _TRUN_SIZE, _TRUN_FLAGS, _TRUN_CTS) if flags_set & f]
    cts_fmt = "i" if version == 1 else "I"
    fmt = ">" + "".join(cts_fmt if f == _TRUN_CTS else "I" for f in fields)
    step = 4 * len(fields)
    for i in range(count):
        values = dict(zip(fields, struct.unpack_from(fmt, data, at + i * step), strict=True))
        duration = values.get(_TRUN_DURATION, defaults[0])
        size = values.get(_TRUN_SIZE, defaults[1])
        flags = values.get(
            _TRUN_FLAGS, first_flags if i == 0 and first_flags is not None else defaults[2]
        )
        if offset + size > len(data):
            raise InvalidInput("corrupt_mp4", "a sample overruns the file")
        cts = values.get(_TRUN_CTS, 0)
        yield Sample(dts, duration, cts, flags, data[offset : offset + size], offset)
        dts += duration
        offset += size


# --------------------------------------------------------------------------- writing


@dataclass(frozen=True, slots=True)
class MovieFacts:
    """What the export file says about itself in `moov`."""

    title: str
    description: str
    created: datetime
    width: int
    height: int
    stsd: bytes
    place: str = ""
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True, slots=True)
class OutSample:
    """A video sample placed on the export's timeline (90 kHz from the origin)."""

    dts: int
    cts: int
    flags: int
    data: memoryview
    source_duration: int  # in 90 kHz, used for the last sample
    offset: int = -1  # of `data` in its source buffer, when known: neighbours are written as one


@dataclass
class FrameIndex:
    """Presentation times (90 kHz from the origin) of every frame written, keyframe indexes."""

    pts: list[int] = field(default_factory=list)
    keyframes: list[int] = field(default_factory=list)


Caption = Callable[[datetime], str]


class ExportWriter:
    """Writes the export MP4 to `write` fragment by fragment; never holds more than one
    fragment. `caption(instant)` gives the timed text shown from `instant` for a second."""

    def __init__(
        self,
        write: Callable[[Sequence[bytes | memoryview]], object],
        facts: MovieFacts,
        origin: datetime,
        caption: Caption,
        gap_caption: Callable[[datetime, datetime], str],
    ) -> None:
        self._write = write
        self._origin = origin
        self._caption = caption
        self._gap_caption = gap_caption
        self._pending: list[OutSample] = []
        self._sequence = 0
        self._text_at = 0  # ms from the origin already covered by text samples
        self.index = FrameIndex()
        self.last_end = 0  # 90 kHz end of the last written frame
        self._write([_ftyp() + _moov(facts)])

    def add(self, samples: Sequence[OutSample]) -> None:
        """Queue a source fragment's samples; the previous fragment is written once the next
        one's first decode time is known (it ends the previous one's last sample)."""
        if not samples:
            return
        if self._pending:
            self._flush(samples[0].dts)
        self._pending = list(samples)

    def finish(self) -> None:
        if self._pending:
            last = self._pending[-1]
            self._flush(last.dts + max(last.source_duration, 1))
            self._pending = []

    def _flush(self, next_dts: int) -> None:
        samples = self._pending
        durations = [b.dts - a.dts for a, b in itertools.pairwise(samples)]
        durations.append(max(next_dts - samples[-1].dts, 1))
        real_end = samples[-1].dts + max(samples[-1].source_duration, 1)
        for s in samples:
            if s.flags & _NON_SYNC == 0:
                self.index.keyframes.append(len(self.index.pts))
            self.index.pts.append(s.dts + s.cts)
        self.last_end = min(real_end, next_dts)
        texts = self._texts(samples[0].dts, self.last_end, next_dts)
        self._sequence += 1
        self._write_fragment(samples, durations, texts)

    def _texts(self, start: int, real_end: int, next_start: int) -> list[tuple[int, bytes]]:
        """Timed-text samples (duration ms, payload) from the text cursor to `next_start`:
        one per wall-clock second of footage, then one stating the gap if there is one."""
        out: list[tuple[int, bytes]] = []
        begin = max(self._text_at, start * TEXT_TIMESCALE // VIDEO_TIMESCALE)
        if begin > self._text_at:
            out.append((begin - self._text_at, _tx3g("")))
        end = real_end * TEXT_TIMESCALE // VIDEO_TIMESCALE
        at, phase = begin, self._origin.microsecond // 1000
        while at < end:
            stop = min(end, at + 1000 - (phase + at) % 1000)  # the next wall-clock second
            out.append((stop - at, _tx3g(self._caption(self._origin + timedelta(milliseconds=at)))))
            at = stop
        gap_end = next_start * TEXT_TIMESCALE // VIDEO_TIMESCALE
        if gap_end - at >= 1000:
            text = self._gap_caption(
                self._origin + timedelta(milliseconds=at),
                self._origin + timedelta(milliseconds=gap_end),
            )
            out.append((gap_end - at, _tx3g(text)))
            at = gap_end
        self._text_at = at
        return out

    def _write_fragment(
        self, samples: list[OutSample], durations: list[int], texts: list[tuple[int, bytes]]
    ) -> None:
        text_dts = self._text_at - sum(d for d, _ in texts)
        video_size = sum(len(s.data) for s in samples)
        moof_size = len(_moof(self._sequence, samples, durations, 0, texts, text_dts, 0))
        moof = _moof(
            self._sequence,
            samples,
            durations,
            moof_size + 8,
            texts,
            text_dts,
            moof_size + 8 + video_size,
        )
        payload = video_size + sum(len(t) for _, t in texts)
        header = moof + struct.pack(">I4s", 8 + payload, b"mdat")
        # one write per fragment (gathered by the writer, the samples' bytes never copied)
        self._write([header, *_spans(samples), *(t for _, t in texts)])


def _spans(samples: Sequence[OutSample]) -> list[memoryview]:
    """The samples' bytes as few buffers as possible: samples adjacent in the same source
    buffer (a source fragment's `mdat`) become one slice of it."""
    spans: list[memoryview] = []
    run: OutSample | None = None  # first sample of the current run
    end = -1
    for s in samples:
        if run is not None and end >= 0 and s.offset == end and s.data.obj is run.data.obj:
            end += len(s.data)
            continue
        if run is not None:
            spans.append(_span(run, end))
        run, end = s, (s.offset + len(s.data) if s.offset >= 0 else -1)
    if run is not None:
        spans.append(_span(run, end))
    return spans


def _span(first: OutSample, end: int) -> memoryview:
    if first.offset < 0 or end == first.offset + len(first.data):
        return first.data
    return memoryview(first.data.obj)[first.offset : end]


def _tx3g(text: str) -> bytes:
    raw = text.encode()
    return struct.pack(">H", len(raw)) + raw


def _moof(
    sequence: int,
    samples: Sequence[OutSample],
    durations: Sequence[int],
    video_offset: int,
    texts: Sequence[tuple[int, bytes]],
    text_dts: int,
    text_offset: int,
) -> bytes:
    video_rows = b"".join(
        struct.pack(">IIIi", d, len(s.data), s.flags, s.cts)
        for s, d in zip(samples, durations, strict=True)
    )
    video = _traf(VIDEO_TRACK, samples[0].dts, len(samples), video_offset, video_rows, 0xF01)
    text_rows = b"".join(struct.pack(">II", d, len(t)) for d, t in texts)
    text = _traf(TEXT_TRACK, text_dts, len(texts), text_offset, text_rows, 0x301) if texts else b""
    return box(b"moof", full_box(b"mfhd", 0, 0, struct.pack(">I", sequence)), video, text)


def _traf(track: int, dts: int, count: int, offset: int, rows: bytes, flags: int) -> bytes:
    return box(
        b"traf",
        full_box(b"tfhd", 0, 0x020000, struct.pack(">I", track)),
        full_box(b"tfdt", 1, 0, struct.pack(">Q", dts)),
        full_box(b"trun", 1, flags, struct.pack(">Ii", count, offset), rows),
    )


def _ftyp() -> bytes:
    return box(b"ftyp", b"isom", struct.pack(">I", 0x200), b"isomiso5iso6mp41")


def mp4_time(instant: datetime) -> int:
    """ISO 14496-12 time: seconds since 1904-01-01 UTC."""
    return int((instant - _EPOCH_1904).total_seconds())


def _moov(facts: MovieFacts) -> bytes:
    created = mp4_time(facts.created)
    return box(
        b"moov",
        _mvhd(created),
        _video_trak(facts, created),
        _text_trak(facts, created),
        box(b"mvex", _trex(VIDEO_TRACK), _trex(TEXT_TRACK)),
        _udta(facts),
    )


_MATRIX = struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)


def _mvhd(created: int) -> bytes:
    return full_box(
        b"mvhd",
        1,
        0,
        struct.pack(">QQIQ", created, created, TEXT_TIMESCALE, 0),
        struct.pack(">IH10x", 0x10000, 0x100),
        _MATRIX,
        bytes(24),
        struct.pack(">I", TEXT_TRACK + 1),
    )


def _tkhd(track: int, created: int, width: int, height: int, volume: int = 0) -> bytes:
    return full_box(
        b"tkhd",
        1,
        0x3,
        struct.pack(">QQI4xQ", created, created, track, 0),
        struct.pack(">8xhhH2x", 0, 0, volume),
        _MATRIX,
        struct.pack(">II", width << 16, height << 16),
    )


def _mdia(created: int, timescale: int, handler: bytes, name: bytes, minf: bytes) -> bytes:
    mdhd = full_box(
        b"mdhd", 1, 0, struct.pack(">QQIQ", created, created, timescale, 0), b"\x55\xc4\x00\x00"
    )
    hdlr = full_box(b"hdlr", 0, 0, bytes(4), handler, bytes(12), name + b"\x00")
    return box(b"mdia", mdhd, hdlr, minf)


def _stbl(stsd: bytes) -> bytes:
    empty = struct.pack(">I", 0)
    return box(
        b"stbl",
        stsd,
        full_box(b"stts", 0, 0, empty),
        full_box(b"stsc", 0, 0, empty),
        full_box(b"stsz", 0, 0, empty, empty),
        full_box(b"stco", 0, 0, empty),
    )


def _dinf() -> bytes:
    return box(b"dinf", full_box(b"dref", 0, 0, struct.pack(">I", 1), full_box(b"url ", 0, 1)))


def _video_trak(facts: MovieFacts, created: int) -> bytes:
    minf = box(b"minf", full_box(b"vmhd", 0, 1, bytes(8)), _dinf(), _stbl(facts.stsd))
    return box(
        b"trak",
        _tkhd(VIDEO_TRACK, created, facts.width, facts.height),
        _mdia(created, VIDEO_TIMESCALE, b"vide", b"Sentinelle video", minf),
    )


def _text_trak(facts: MovieFacts, created: int) -> bytes:
    height = max(facts.height // 12, 24)
    entry = box(
        b"tx3g",
        bytes(6),
        struct.pack(">H", 1),  # data_reference_index
        struct.pack(">IbB", 0, 1, 0xFF),  # display flags, centred, bottom
        struct.pack(">4B", 0, 0, 0, 0x99),  # background: translucent black
        struct.pack(">4h", facts.height - height, 0, facts.height, facts.width),
        struct.pack(">HHHBB4B", 0, 0, 1, 0, max(height * 2 // 3, 12), 255, 255, 255, 255),
        box(b"ftab", struct.pack(">HHB", 1, 1, 5), b"Serif"),
    )
    stsd = full_box(b"stsd", 0, 0, struct.pack(">I", 1), entry)
    minf = box(b"minf", full_box(b"nmhd", 0, 0), _dinf(), _stbl(stsd))
    return box(
        b"trak",
        _tkhd(TEXT_TRACK, created, facts.width, facts.height),
        _mdia(created, TEXT_TIMESCALE, b"text", b"Sentinelle horodatage", minf),
    )


def _trex(track: int) -> bytes:
    return full_box(b"trex", 0, 0, struct.pack(">5I", track, 1, 0, 0, 0))


def _text_atom(kind: bytes, text: str) -> bytes:
    """A QuickTime user-data text atom (`©nam`, `©cmt`): length, language, UTF-8 text; what
    common players and ffprobe show as title and comment."""
    raw = text.encode()
    return box(kind, struct.pack(">HH", len(raw), 0x55C4), raw)


def _language() -> bytes:
    code = sum((ord(c) - 0x60) << shift for c, shift in zip("fra", (10, 5, 0), strict=True))
    return struct.pack(">H", code)


def _udta(facts: MovieFacts) -> bytes:
    parts = [_text_atom(b"\xa9nam", facts.title), _text_atom(b"\xa9cmt", facts.description)]
    if facts.latitude is not None and facts.longitude is not None:
        parts.append(_loci(facts.place, facts.latitude, facts.longitude))
    return box(b"udta", *parts)


def _loci(place: str, latitude: float, longitude: float) -> bytes:
    """3GPP location (ETSI TS 126 244): name, role 1 (real), 16.16 fixed degrees."""
    return full_box(
        b"loci",
        0,
        0,
        _language(),
        place.encode() + b"\x00",
        struct.pack(">Biii", 1, round(longitude * 65536), round(latitude * 65536), 0),
        b"Earth\x00",
        b"\x00",
    )
