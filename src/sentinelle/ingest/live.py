"""The live muxer: a camera's H.264 packets, as the session demuxed them, become fragmented MP4
for the browser's Media Source Extensions — no decoding, no transcoding.

One `LiveMuxer` per camera stream, however many viewers: it builds the init segment (ftyp +
moov, with an avcC record from the stream's SPS and PPS) and one media fragment (moof + mdat)
per frame, and keeps the fragments since the last keyframe (the GOP cache) so that a new viewer
starts at once: `start()` is the init segment and that cache. A change of parameter sets
(resolution, profile) produces a new init segment; so does the first keyframe after `reset()`
(a reconnection). Until a keyframe arrives, nothing is produced.

Packets may be Annex B (RTSP, MPEG-TS: start codes; libavformat's RTSP demuxer gives these,
with the SDP's parameter sets as Annex B extradata) or length-prefixed (MP4 sources, avcC
extradata). Samples are written length-prefixed (4 bytes) without their in-band parameter sets
and access unit delimiters, which the init segment carries.

Time: 90 kHz, decode times taken from the packets' server instants (monotonic across
reconnections, which the session's anchoring guarantees), so a fragment's time tells when it
was filmed relative to the viewer's first fragment.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from datetime import datetime
from enum import IntEnum

from sentinelle.core.isobmff import box, full_box
from sentinelle.ingest import bitstream

TIMESCALE = 90_000
DEFAULT_DURATION = TIMESCALE // 25
GOP_CACHE_MAX = 600  # fragments; a longer GOP is not cached (new viewers wait for a keyframe)
_SPS, _PPS, _AUD, _IDR = 7, 8, 9, 5
_KEY_FLAGS = 0x02000000  # sample_depends_on = 2 (an I picture)
_DELTA_FLAGS = 0x01010000  # depends on others, not a sync sample
_MATRIX = struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)


class Kind(IntEnum):
    INIT = 1
    FRAGMENT = 2


@dataclass(frozen=True, slots=True)
class LiveInit:
    """An init segment, and what MSE needs to open a source buffer for it."""

    data: bytes
    codec: str  # RFC 6381, e.g. avc1.64001f
    width: int
    height: int
    at: datetime

    @property
    def mime(self) -> str:
        return f'video/mp4; codecs="{self.codec}"'


@dataclass(frozen=True, slots=True)
class LiveFragment:
    """One frame's moof + mdat; `at` is the server instant its packet arrived."""

    data: bytes
    keyframe: bool
    at: datetime


LiveItem = LiveInit | LiveFragment


def split_units(data: bytes, annex_b: bool) -> list[bytes]:
    """The NAL units of an access unit (without start codes or length prefixes)."""
    units: list[bytes] = []
    if annex_b:
        for part in data.split(bitstream.START_CODE):
            unit = part.rstrip(b"\x00")  # a 4-byte start code's first zero
            if unit:
                units.append(unit)
        return units
    at = 0
    while at + 4 <= len(data):
        (size,) = struct.unpack_from(">I", data, at)
        units.append(data[at + 4 : at + 4 + size])
        at += 4 + size
    return units


def units_of_extradata(extradata: bytes | None) -> list[bytes]:
    """The parameter sets of a stream's extradata, Annex B or an avcC record."""
    if not extradata:
        return []
    if bitstream.is_annex_b(extradata):
        return split_units(extradata, annex_b=True)
    units: list[bytes] = []
    at, count = 6, extradata[5] & 0x1F  # avcC: version, profile, compat, level, size, #SPS
    for group in range(2):
        for _ in range(count):
            (size,) = struct.unpack_from(">H", extradata, at)
            units.append(extradata[at + 2 : at + 2 + size])
            at += 2 + size
        if group == 0 and at < len(extradata):
            count, at = extradata[at], at + 1
    return units


_HIGH_PROFILES = frozenset({100, 110, 122, 144})  # their avcC carries chroma and bit depths


def avcc_extension(sps: bytes) -> bytes:
    """The tail an avcC record has for High profiles (ISO/IEC 14496-15 5.3.3.1): chroma
    format, luma and chroma bit depths, no SPS extension; b"" for the other profiles."""
    if sps[1] not in _HIGH_PROFILES:
        return b""
    bits = _Bits(sps[4:].replace(b"\x00\x00\x03", b"\x00\x00"))  # emulation prevention
    bits.ue()  # seq_parameter_set_id
    chroma = bits.ue()
    if chroma == 3:
        bits.bit()  # separate_colour_plane_flag
    luma_depth, chroma_depth = bits.ue(), bits.ue()
    return bytes([0xFC | (chroma & 3), 0xF8 | (luma_depth & 7), 0xF8 | (chroma_depth & 7), 0])


class _Bits:
    """Reads an RBSP bit by bit (Exp-Golomb codes)."""

    def __init__(self, data: bytes) -> None:
        self.data, self.at = data, 0

    def bit(self) -> int:
        byte = self.data[self.at >> 3] if self.at >> 3 < len(self.data) else 0
        self.at += 1
        return (byte >> (7 - ((self.at - 1) & 7))) & 1

    def ue(self) -> int:
        zeros = 0
        while self.bit() == 0 and zeros < 32:
            zeros += 1
        value = 0
        for _ in range(zeros):
            value = (value << 1) | self.bit()
        return (1 << zeros) - 1 + value


def codec_string(sps: bytes) -> str:
    return f"avc1.{sps[1]:02x}{sps[2]:02x}{sps[3]:02x}"


@dataclass
class LiveMuxer:
    """fMP4 from one H.264 stream's packets; see the module's docstring."""

    extradata: bytes | None = None
    init: LiveInit | None = None
    gop: list[LiveFragment] = field(default_factory=list)
    _params: tuple[bytes, bytes] | None = None  # (SPS, PPS) the init segment describes
    _sequence: int = 0
    _origin: datetime | None = None
    _last_decode: int = -1
    _waiting: bool = True  # for a keyframe (start, reset, or a lost packet)

    def reset(self) -> None:
        """Packets were lost (a reconnection, a slow reader): resume at the next keyframe,
        with a new init segment."""
        self._waiting = True
        self._params = None
        self.gop = []

    def start(self) -> list[LiveItem]:
        """What a new viewer receives first: the init segment and the fragments since the
        last keyframe (nothing before the first keyframe)."""
        if self.init is None or self._waiting:
            return []
        return [self.init, *self.gop]

    def push(
        self,
        data: bytes,
        *,
        keyframe: bool,
        at: datetime,
        offset: float = 0.0,
        duration: float | None = None,
    ) -> list[LiveItem]:
        """Mux one access unit that arrived at `at` (its presentation instant); `offset` is
        pts - dts and `duration` its duration, in seconds. Returns what to send to viewers
        that already have the stream: a new init segment if the parameters changed, then
        the fragment; nothing while waiting for a keyframe."""
        annex_b = bitstream.is_annex_b(self.extradata)  # no extradata: RTSP's in-band sets
        units = split_units(data, annex_b)
        keyframe = keyframe or any(u[0] & 0x1F == _IDR for u in units if u)
        if self._waiting and not keyframe:
            return []
        out: list[LiveItem] = []
        if keyframe:
            fresh = self._parameters(units)
            if fresh is None:
                return []  # no parameter sets known yet: nothing a decoder could use
            if fresh != self._params:
                self._params = fresh
                self.init = init_segment(*fresh, self._size(fresh, units), at)
                out.append(self.init)
            self._waiting = False
            self.gop = []
        sample = b"".join(
            struct.pack(">I", len(u)) + u
            for u in units
            if u and u[0] & 0x1F not in (_SPS, _PPS, _AUD)
        )
        fragment = LiveFragment(
            self._fragment(sample, keyframe, at, offset, duration), keyframe, at
        )
        if len(self.gop) < GOP_CACHE_MAX:
            self.gop.append(fragment)
        out.append(fragment)
        return out

    def _parameters(self, units: list[bytes]) -> tuple[bytes, bytes] | None:
        sps = next((u for u in units if u and u[0] & 0x1F == _SPS), None)
        pps = next((u for u in units if u and u[0] & 0x1F == _PPS), None)
        if sps is None or pps is None:
            known = units_of_extradata(self.extradata)
            sps = sps or next((u for u in known if u and u[0] & 0x1F == _SPS), None)
            pps = pps or next((u for u in known if u and u[0] & 0x1F == _PPS), None)
        if sps is None or pps is None:
            return self._params
        return sps, pps

    @staticmethod
    def _size(params: tuple[bytes, bytes], units: list[bytes]) -> tuple[int, int]:
        """The picture size, from decoding the keyframe (once per parameter change)."""
        annex_b = b"".join(b"\x00\x00\x00\x01" + u for u in (*params, *units))
        return bitstream.picture_size("h264", annex_b) or (0, 0)

    def _fragment(
        self, sample: bytes, keyframe: bool, at: datetime, offset: float, duration: float | None
    ) -> bytes:
        if self._origin is None:
            self._origin = at
        presentation = round((at - self._origin).total_seconds() * TIMESCALE)
        cto = round(offset * TIMESCALE)
        decode = max(presentation - cto, self._last_decode + 1)
        cto = presentation - decode
        self._last_decode = decode
        length = round(duration * TIMESCALE) if duration else DEFAULT_DURATION
        self._sequence += 1
        return media_fragment(self._sequence, decode, length, cto, keyframe, sample)


def init_segment(sps: bytes, pps: bytes, size: tuple[int, int], at: datetime) -> LiveInit:
    width, height = size
    avcc = box(
        b"avcC",
        bytes([1, sps[1], sps[2], sps[3], 0xFF, 0xE1]),
        struct.pack(">H", len(sps)),
        sps,
        b"\x01",
        struct.pack(">H", len(pps)),
        pps,
        avcc_extension(sps),
    )
    avc1 = box(
        b"avc1",
        bytes(6),
        struct.pack(">H", 1),  # data reference index
        bytes(16),
        struct.pack(">HHIIIH", width, height, 0x480000, 0x480000, 0, 1),
        bytes(32),  # compressor name
        struct.pack(">Hh", 0x18, -1),
        avcc,
    )
    stbl = box(
        b"stbl",
        full_box(b"stsd", 0, 0, struct.pack(">I", 1), avc1),
        full_box(b"stts", 0, 0, struct.pack(">I", 0)),
        full_box(b"stsc", 0, 0, struct.pack(">I", 0)),
        full_box(b"stsz", 0, 0, struct.pack(">II", 0, 0)),
        full_box(b"stco", 0, 0, struct.pack(">I", 0)),
    )
    minf = box(
        b"minf",
        full_box(b"vmhd", 0, 1, bytes(8)),
        box(b"dinf", full_box(b"dref", 0, 0, struct.pack(">I", 1), full_box(b"url ", 0, 1))),
        stbl,
    )
    mdia = box(
        b"mdia",
        full_box(b"mdhd", 0, 0, struct.pack(">IIIIHH", 0, 0, TIMESCALE, 0, 0x55C4, 0)),
        full_box(b"hdlr", 0, 0, bytes(4), b"vide", bytes(12), b"Sentinelle live\x00"),
        minf,
    )
    tkhd = full_box(
        b"tkhd",
        0,
        3,  # enabled, in movie
        struct.pack(">IIIII", 0, 0, 1, 0, 0),
        bytes(8),
        struct.pack(">hhhH", 0, 0, 0, 0),
        _MATRIX,
        struct.pack(">II", width << 16, height << 16),
    )
    mvhd = full_box(
        b"mvhd",
        0,
        0,
        struct.pack(">IIIIIH", 0, 0, TIMESCALE, 0, 0x10000, 0x100),
        bytes(10),
        _MATRIX,
        bytes(24),
        struct.pack(">I", 2),  # next track id
    )
    trex = full_box(b"trex", 0, 0, struct.pack(">IIIII", 1, 1, 0, 0, 0))
    moov = box(b"moov", mvhd, box(b"trak", tkhd, mdia), box(b"mvex", trex))
    ftyp = box(b"ftyp", b"isom", struct.pack(">I", 0x200), b"isomiso6avc1mp41")
    return LiveInit(ftyp + moov, codec_string(sps), width, height, at)


def media_fragment(
    sequence: int, decode: int, duration: int, cto: int, keyframe: bool, sample: bytes
) -> bytes:
    """moof + mdat of one sample (track 1, base offset the moof, trun version 1)."""
    flags = _KEY_FLAGS if keyframe else _DELTA_FLAGS

    def moof(data_offset: int) -> bytes:
        trun = full_box(
            b"trun",
            1,
            0x000F01,  # data offset; sample duration, size, flags, composition offset
            struct.pack(">IiIIIi", 1, data_offset, duration, len(sample), flags, cto),
        )
        traf = box(
            b"traf",
            full_box(b"tfhd", 0, 0x020000, struct.pack(">I", 1)),  # default-base-is-moof
            full_box(b"tfdt", 1, 0, struct.pack(">Q", decode)),
            trun,
        )
        return box(b"moof", full_box(b"mfhd", 0, 0, struct.pack(">I", sequence)), traf)

    size = len(moof(0))
    return moof(size + 8) + box(b"mdat", sample)
