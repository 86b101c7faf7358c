"""ONVIF Export File Format, build side: the file-level `meta` box that seals an exported MP4.

The box is appended after the last fragment (no `mfra` follows it):

    meta (FullBox v0)
      hdlr   handler 'null': ISO/IEC 14496-12 §8.4.3.3, a primary meta box that "is merely
             being used to hold resources" (here the export and signature boxes)
      suep   SurveillanceExportBox, version 1: export unit, export time, operator, one entry
             per track (its source camera)
      ipro   ItemProtectionBox, protection_count = 1
        sinf
          cstb   CorrectStartTimeBox: UTC start of each listed track (100 ns since 1601)
          schm   scheme 'oeff', version 0x00010000
          schi
            sibo   the signature (zeros while the file is hashed)
            cert   the signer's certificate (DER)

Box order and placement follow the specification's box-structure annex. The signature
(RSASSA-PSS, SHA-256, MGF1-SHA-256, salt 20) covers every byte of the file with the `sibo`
payload set to zeros: the writer hashes the MP4, then `SealedMeta.data`, signs the digest and
writes `SealedMeta.with_signature(signature)`. Verification lives in `verifier.py`.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sentinelle.core.clock import ensure_utc
from sentinelle.core.errors import InvalidInput
from sentinelle.evidence.boxes import box, full_box

SCHEME_TYPE = b"oeff"  # 0x6F656666, "ONVIF Export File Format"
SCHEME_VERSION = 0x00010000
HANDLER_TYPE = b"null"
SUEP_VERSION = 1
ISO_EPOCH = datetime(1904, 1, 1, tzinfo=UTC)  # ISO/IEC 14496-12 times: seconds since then
FILETIME_EPOCH = datetime(1601, 1, 1, tzinfo=UTC)  # cstb: 100 ns intervals since then
_HEADER = 8  # size + type of a plain box
_FULL_HEADER = 12  # ... + version and flags


@dataclass(frozen=True, slots=True)
class ExportUnit:
    """The system that made the export, when, and for whom."""

    name: str
    url: str
    mac: str
    time: datetime
    operator: str


@dataclass(frozen=True, slots=True)
class TrackSource:
    """The source of one track of the file (a camera, for the video and its caption track)."""

    track_id: int
    name: str
    url: str = ""
    mac: str = ""
    line: str = ""


@dataclass(frozen=True, slots=True)
class SealedMeta:
    """The meta box, its `sibo` payload zeroed, and where that payload lies in it."""

    data: bytes
    signature_offset: int
    signature_size: int

    def with_signature(self, signature: bytes) -> bytes:
        """The meta box with `signature` written over the zeroed `sibo` payload."""
        if len(signature) != self.signature_size:
            msg = f"signature of {len(signature)} bytes, the box holds {self.signature_size}"
            raise ValueError(msg)
        end = self.signature_offset + self.signature_size
        return self.data[: self.signature_offset] + signature + self.data[end:]


def file_meta(
    unit: ExportUnit,
    sources: Sequence[TrackSource],
    start_times: Sequence[tuple[int, datetime]],
    certificate_der: bytes,
    signature_size: int,
) -> SealedMeta:
    """The file-level meta box of an export, ready to be hashed (see the module docstring)."""
    if signature_size <= 0 or not certificate_der:
        raise InvalidInput("invalid_oeff_seal", "a seal needs a certificate and a signature size")
    hdlr, suep = _hdlr(), _suep(unit, sources)
    cstb, schm = _cstb(start_times), _schm()
    schi = box(b"schi", box(b"sibo", bytes(signature_size)), box(b"cert", certificate_der))
    sinf = box(b"sinf", cstb, schm, schi)
    ipro = full_box(b"ipro", 0, 0, struct.pack(">H", 1), sinf)
    data = full_box(b"meta", 0, 0, hdlr, suep, ipro)
    offset = (
        _FULL_HEADER + len(hdlr) + len(suep)  # meta header, hdlr, suep
        + _FULL_HEADER + 2  # ipro header, protection_count
        + _HEADER + len(cstb) + len(schm)  # sinf header, cstb, schm
        + _HEADER + _HEADER  # schi header, sibo header
    )  # fmt: skip
    return SealedMeta(data, offset, signature_size)


def iso_time(instant: datetime) -> int:
    """Whole seconds since 1904-01-01 UTC (ISO/IEC 14496-12 `creation_time` and the like)."""
    delta = ensure_utc(instant) - ISO_EPOCH
    return delta.days * 86_400 + delta.seconds


def filetime(instant: datetime) -> int:
    """100-nanosecond intervals since 1601-01-01 UTC (the `cstb` start time)."""
    delta = ensure_utc(instant) - FILETIME_EPOCH
    return (delta.days * 86_400 + delta.seconds) * 10_000_000 + delta.microseconds * 10


def _hdlr() -> bytes:
    # pre_defined, handler_type, reserved[3], name (empty string)
    return full_box(b"hdlr", 0, 0, struct.pack(">I4s12x", 0, HANDLER_TYPE), b"\0")


def _suep(unit: ExportUnit, sources: Sequence[TrackSource]) -> bytes:
    if not sources:
        raise InvalidInput("invalid_oeff_seal", "the export box lists at least one track")
    head = [_string(unit.name), _string(unit.url), _string(unit.mac)]
    head.append(struct.pack(">Q", iso_time(unit.time)))
    head += [_string(unit.operator), struct.pack(">I", len(sources))]
    entries = [_source(source) for source in sources]
    return full_box(b"suep", SUEP_VERSION, 0, *head, *entries)


def _source(source: TrackSource) -> bytes:
    if not 0 < source.track_id <= 0xFFFF:
        raise InvalidInput("invalid_oeff_seal", f"track id {source.track_id} out of range")
    fields = (source.name, source.url, source.mac, source.line)
    return struct.pack(">H", source.track_id) + b"".join(_string(f) for f in fields)


def _cstb(start_times: Sequence[tuple[int, datetime]]) -> bytes:
    if not start_times:
        return b""  # the box is optional; without start times it is left out
    entries = []
    for track_id, start in start_times:
        if not 0 < track_id <= 0xFFFFFFFF:
            raise InvalidInput("invalid_oeff_seal", f"track id {track_id} out of range")
        entries.append(struct.pack(">IQ", track_id, filetime(start)))
    return box(b"cstb", struct.pack(">I", len(entries)), *entries)


def _schm() -> bytes:
    return full_box(b"schm", 0, 0, struct.pack(">4sI", SCHEME_TYPE, SCHEME_VERSION))


def _string(value: str) -> bytes:
    """A NUL-terminated UTF-8 string; an empty value is the terminator alone."""
    if "\0" in value:
        raise InvalidInput("invalid_oeff_seal", f"NUL character in {value!r}")
    return value.encode() + b"\0"
