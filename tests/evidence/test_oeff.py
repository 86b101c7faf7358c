"""ONVIF Export File Format: a real recorded fragmented MP4 sealed with the site certificate,
its box tree read back by an independent parser, ffprobe still reading it, and the verifier
accepting it and refusing any changed byte."""

from __future__ import annotations

import hashlib
import struct
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa, utils

from sentinelle.evidence.oeff import ExportUnit, SealedMeta, TrackSource, file_meta
from sentinelle.evidence.signing import SiteSigner, load_signer
from sentinelle.evidence.verifier import verify_oeff_file
from sentinelle.ingest.clips import write_clip
from sentinelle.runtime import Runtime
from sentinelle.storage import layout
from tests import factories as f
from tests.evidence.test_signing import make_pki
from tests.support.footage import record_clip

FFPROBE = "/usr/bin/ffprobe"
ANCHOR = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)
UNIT = ExportUnit(
    name="Sentinelle CSU Valmont",
    url="https://csu.valmont.example/",
    mac="08:00:27:00:0C:15",
    time=datetime(2026, 11, 22, 9, 0, 1, tzinfo=UTC),
    operator="agent.dupont (PV 2026/004512)",
)


# --- an independent reading of ISO BMFF boxes -------------------------------------------------


def boxes(data: bytes, start: int = 0, end: int | None = None) -> Iterator[tuple[bytes, int, int]]:
    """(type, payload start, box end) of the boxes laid in data[start:end]."""
    end = len(data) if end is None else end
    at = start
    while at < end:
        size, kind = struct.unpack_from(">I4s", data, at)
        header = 8
        if size == 1:
            size, header = struct.unpack_from(">Q", data, at + 8)[0], 16
        assert size >= header
        assert at + size <= end
        yield kind, at + header, at + size
        at += size


def child_map(data: bytes, start: int, end: int) -> dict[bytes, tuple[int, int]]:
    found = list(boxes(data, start, end))
    return {kind: (body, stop) for kind, body, stop in found}


def kinds(data: bytes, start: int, end: int) -> list[bytes]:
    return [kind for kind, _, _ in boxes(data, start, end)]


def cstring(data: bytes, at: int) -> tuple[str, int]:
    nul = data.index(b"\0", at)
    return data[at:nul].decode(), nul + 1


# --- footage and sealing ----------------------------------------------------------------------


@pytest.fixture
def recorded(rt: Runtime, tmp_path: Path) -> Path:
    """A fragmented MP4 segment recorded through the real writer (its mfra, if any, cut)."""
    _, _, cameras = f.town(rt)
    clip = write_clip(tmp_path / "clip.mp4", 6, fps=10, gop_seconds=1)
    segments = record_clip(rt, cameras[0].id, clip, ANCHOR)
    source = layout.recordings_root(rt.settings.resolved_data_dir) / segments[0].path
    data = source.read_bytes()
    cut = next((body - 8 for kind, body, _ in boxes(data) if kind == b"mfra"), len(data))
    target = tmp_path / "segment.mp4"
    target.write_bytes(data[:cut])
    return target


def build_meta(signer: SiteSigner) -> SealedMeta:
    sources = [
        TrackSource(1, "CAM-001 — Place de la Mairie", "rtsp://10.0.0.7/main", "", "1"),
        TrackSource(2, "CAM-001 — incrustation horaire"),
    ]
    return file_meta(UNIT, sources, [(1, ANCHOR)], signer.certificate_der(), signer.signature_size)


def seal(source: Path, target: Path, signer: SiteSigner) -> SealedMeta:
    """Seal as the export writer does: hash the file, then the zeroed meta; sign; append."""
    data = source.read_bytes()
    digest = hashlib.sha256(data)
    meta = build_meta(signer)
    digest.update(meta.data)
    signature = signer.sign_digest_pss(digest.digest(), 20)
    target.write_bytes(data + meta.with_signature(signature))
    return meta


def flip(path: Path, offset: int) -> Path:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))
    return path


def codes(path: Path, certificate_der: bytes | None = None) -> list[str]:
    return [p.code for p in verify_oeff_file(path, certificate_der=certificate_der)]


# --- tests --------------------------------------------------------------------------------------


def test_box_tree_is_the_specified_one(rt: Runtime, recorded: Path, tmp_path: Path) -> None:
    signer = load_signer(rt)
    sealed = tmp_path / "sealed.mp4"
    meta = seal(recorded, sealed, signer)
    data = sealed.read_bytes()
    top = kinds(data, 0, len(data))
    assert top[:2] == [b"ftyp", b"moov"]
    assert b"moof" in top
    assert b"mfra" not in top
    assert top[-1] == b"meta"
    meta_start = len(data) - len(meta.data)
    _, body, end = list(boxes(data))[-1]
    assert body == meta_start + 8
    assert data[body : body + 4] == b"\0\0\0\0"  # FullBox version 0, flags 0
    assert kinds(data, body + 4, end) == [b"hdlr", b"suep", b"ipro"]
    children = child_map(data, body + 4, end)
    hdlr = children[b"hdlr"][0]
    assert data[hdlr : hdlr + 24] == b"\0" * 8 + b"null" + b"\0" * 12
    check_suep(data, *children[b"suep"])
    ipro, ipro_end = children[b"ipro"]
    assert data[ipro : ipro + 6] == b"\0\0\0\0\0\1"  # version 0, protection_count 1
    assert kinds(data, ipro + 6, ipro_end) == [b"sinf"]
    sinf = child_map(data, ipro + 6, ipro_end)[b"sinf"]
    assert kinds(data, *sinf) == [b"cstb", b"schm", b"schi"]
    parts = child_map(data, *sinf)
    cstb = parts[b"cstb"][0]
    unix = int(ANCHOR.timestamp())
    assert struct.unpack_from(">IIQ", data, cstb) == (1, 1, (unix + 11_644_473_600) * 10**7)
    schm = parts[b"schm"][0]
    assert data[schm : schm + 12] == b"\0\0\0\0" + b"oeff" + b"\x00\x01\x00\x00"
    assert kinds(data, *parts[b"schi"]) == [b"sibo", b"cert"]
    schi = child_map(data, *parts[b"schi"])
    sibo, sibo_end = schi[b"sibo"]
    assert sibo == meta_start + meta.signature_offset
    assert sibo_end - sibo == signer.signature_size == 384
    cert, cert_end = schi[b"cert"]
    assert data[cert:cert_end] == signer.certificate_der()
    check_signature_independently(data, sibo, sibo_end, signer)


def check_suep(data: bytes, body: int, end: int) -> None:
    assert data[body : body + 4] == b"\x01\0\0\0"  # version 1
    at = body + 4
    name, at = cstring(data, at)
    url, at = cstring(data, at)
    mac, at = cstring(data, at)
    (seconds,) = struct.unpack_from(">Q", data, at)
    operator, at = cstring(data, at + 8)
    (count,) = struct.unpack_from(">I", data, at)
    at += 4
    assert (name, url, mac, operator) == (UNIT.name, UNIT.url, UNIT.mac, UNIT.operator)
    assert datetime(1904, 1, 1, tzinfo=UTC) + timedelta(seconds=seconds) == UNIT.time
    entries = []
    for _ in range(count):
        (track,) = struct.unpack_from(">H", data, at)
        fields = []
        at += 2
        for _ in range(4):
            value, at = cstring(data, at)
            fields.append(value)
        entries.append((track, *fields))
    assert entries == [
        (1, "CAM-001 — Place de la Mairie", "rtsp://10.0.0.7/main", "", "1"),
        (2, "CAM-001 — incrustation horaire", "", "", ""),
    ]
    assert at == end


def check_signature_independently(data: bytes, sibo: int, end: int, signer: SiteSigner) -> None:
    zeroed = data[:sibo] + bytes(end - sibo) + data[end:]
    public = signer.certificate.public_key()
    assert isinstance(public, rsa.RSAPublicKey)
    pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=20)
    public.verify(
        data[sibo:end], hashlib.sha256(zeroed).digest(), pss, utils.Prehashed(hashes.SHA256())
    )


def ffprobe_video_packets(path: Path) -> int:
    command = [FFPROBE, "-v", "error", "-count_packets", "-select_streams", "v:0"]
    command += ["-show_entries", "stream=nb_read_packets", "-of", "csv=p=0", str(path)]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    assert result.stderr == ""
    return int(result.stdout.strip())


def test_ffprobe_reads_the_sealed_file_alike(rt: Runtime, recorded: Path, tmp_path: Path) -> None:
    sealed = tmp_path / "sealed.mp4"
    seal(recorded, sealed, load_signer(rt))
    before = ffprobe_video_packets(recorded)
    assert before >= 50
    assert ffprobe_video_packets(sealed) == before


def test_verifier_accepts_the_seal_and_refuses_any_changed_byte(
    rt: Runtime, recorded: Path, tmp_path: Path
) -> None:
    signer = load_signer(rt)
    sealed = tmp_path / "sealed.mp4"
    meta = seal(recorded, sealed, signer)
    assert codes(sealed) == []
    assert codes(sealed, certificate_der=signer.certificate_der()) == []
    data = sealed.read_bytes()
    offsets = {
        "moov": data.index(b"moov") + 40,
        "mdat": data.rindex(b"mdat") + 100,
        "suep": data.rindex(b"suep") + 12,
        "cstb": data.rindex(b"cstb") + 10,
        "sibo": len(data) - len(meta.data) + meta.signature_offset + 7,
        "cert": data.rindex(b"cert") + 200,
    }
    for where, offset in offsets.items():
        copy = tmp_path / f"flipped-{where}.mp4"
        copy.write_bytes(data)
        found = codes(flip(copy, offset))
        assert found, where
        assert set(found) <= {"onvif_signature_invalid", "onvif_structure_invalid"}, where
    (tmp_path / "tail.mp4").write_bytes(data + b"\0\0\0\x08free")
    assert codes(tmp_path / "tail.mp4") == ["onvif_signature_invalid"]


def test_seal_of_a_plain_mp4_clip(rt: Runtime, tmp_path: Path) -> None:
    signer = load_signer(rt)
    clip = write_clip(tmp_path / "clip.mp4", 2, fps=10)
    seal(clip, tmp_path / "sealed.mp4", signer)
    assert codes(tmp_path / "sealed.mp4") == []
    with (tmp_path / "sealed.mp4").open("rb") as stream:
        assert verify_oeff_file(stream) == []


def test_wrong_certificate_missing_seal_truncated_file(
    rt: Runtime, recorded: Path, tmp_path: Path
) -> None:
    signer = load_signer(rt)
    sealed = tmp_path / "sealed.mp4"
    seal(recorded, sealed, signer)
    other = b"0" * 800
    assert codes(sealed, certificate_der=other) == ["onvif_certificate_mismatch"]
    assert codes(recorded) == ["onvif_signature_missing"]
    truncated = tmp_path / "truncated.mp4"
    truncated.write_bytes(sealed.read_bytes()[:-300])
    assert codes(truncated) == ["onvif_structure_invalid"]


def test_signature_of_another_length_is_refused(rt: Runtime) -> None:
    meta = build_meta(load_signer(rt))
    with pytest.raises(ValueError, match="signature of 10 bytes"):
        meta.with_signature(b"x" * 10)
    assert len(meta.with_signature(b"\xff" * meta.signature_size)) == len(meta.data)


# --- repeated signing (ONVIF Export File Format, "Repeated signing") --------------------------


def countersign(data: bytes, signer: SiteSigner, extra: bytes = b"") -> bytes:
    """Append a signing instance as the specification's procedure does: a new `sinf` at the
    foot of `ipro` (protection_count unchanged, sizes of `ipro` and `meta` grown), its `sibo`
    zeroed while the whole file is hashed, then filled."""
    meta_start = [body - 8 for kind, body, _ in boxes(data) if kind == b"meta"][-1]
    ipro = data.index(b"ipro", meta_start) - 4
    size = signer.signature_size
    cert = signer.certificate_der()
    schi_body = struct.pack(">I4s", 8 + size, b"sibo") + bytes(size)
    schi_body += struct.pack(">I4s", 8 + len(cert), b"cert") + cert + extra
    schm = struct.pack(">I4sI4sI", 20, b"schm", 0, b"oeff", 0x00010000)
    schi = struct.pack(">I4s", 8 + len(schi_body), b"schi") + schi_body
    sinf = struct.pack(">I4s", 8 + len(schm) + len(schi), b"sinf") + schm + schi
    grown = bytearray(data + sinf)
    for at in (meta_start, ipro):
        struct.pack_into(">I", grown, at, struct.unpack_from(">I", grown, at)[0] + len(sinf))
    signature = signer.sign_digest_pss(hashlib.sha256(grown).digest(), 20)
    sibo = len(data) + len(sinf) - len(schi_body) + 8
    grown[sibo : sibo + size] = signature
    return bytes(grown)


def stamp_signer(rt: Runtime) -> SiteSigner:
    pki = make_pki(rt.now())
    return SiteSigner(pki.leaf_cert, pki.leaf_key)


def test_repeated_signing_verifies_every_instance(
    rt: Runtime, recorded: Path, tmp_path: Path
) -> None:
    signer = load_signer(rt)
    sealed = tmp_path / "sealed.mp4"
    seal(recorded, sealed, signer)
    twice = tmp_path / "twice.mp4"
    twice.write_bytes(countersign(sealed.read_bytes(), stamp_signer(rt)))
    assert codes(twice, certificate_der=signer.certificate_der()) == []
    assert ffprobe_video_packets(twice) == ffprobe_video_packets(recorded)
    second_sibo = len(sealed.read_bytes()) + 8 + 20 + 8 + 8  # sinf, schm, schi, sibo headers
    problems = verify_oeff_file(flip(twice, second_sibo + 5))
    assert [(p.code, "n° 2" in p.message) for p in problems] == [("onvif_signature_invalid", True)]


def test_non_default_algorithm_is_reported_unsupported(
    rt: Runtime, recorded: Path, tmp_path: Path
) -> None:
    sealed = tmp_path / "sealed.mp4"
    seal(recorded, sealed, load_signer(rt))
    sig_c = struct.pack(">I4s", 8 + 15, b"sigC") + bytes.fromhex("300d06092a864886f70d01010a0500")
    configured = tmp_path / "configured.mp4"
    configured.write_bytes(countersign(sealed.read_bytes(), stamp_signer(rt), sig_c))
    assert codes(configured) == ["onvif_signature_unsupported"]
