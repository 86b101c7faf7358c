"""Vérificateur autonome d'un paquet d'extraction vidéo Sentinelle.

Usage : python3 verifier.py DOSSIER_DU_PAQUET_OU_FICHIER.zip
Affiche un rapport en français ; code de sortie 0 si tout est conforme, 1 sinon (2 : usage).
Ne demande que Python 3 et le module `cryptography` (pip install cryptography).

Standalone verifier of an export package, shipped in every package as
`verification/verifier.py` and used by `sentinelle export verify`: it imports nothing but the
standard library and `cryptography`. It owns the checks of the design document
(docs/design/playback-and-evidence.md, "Verification"): the manifest's signature against
`certificate.pem`; each listed file's size and SHA-256; no unlisted file; each MP4's ONVIF
Export File Format seal (RSASSA-PSS over the file with the `sibo` payload zeroed) and that it is
made with the package's certificate; the links of the source segments' hash chain. Every problem
names the file it concerns. Files are read in 1 MiB chunks: no video is loaded whole.
One file on purpose, past the usual size of a module: it travels alone in every package.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import sys
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, BinaryIO

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa, utils

MANIFEST = "manifest.json"
MANIFEST_SIG = "manifest.json.sig"
MANIFEST_P7S = "manifest.json.p7s"
CERTIFICATE = "certificate.pem"
UNLISTED_ALLOWED = frozenset({MANIFEST, MANIFEST_SIG, MANIFEST_P7S})
CHUNK = 1 << 20
MANIFEST_PSS_SALT = 32
ONVIF_PSS_SALT = 20  # ONVIF Export File Format, default signature algorithm
ONVIF_SCHEME = (b"oeff", 0x00010000)
META_LIMIT = 16 << 20  # a file-level meta box larger than this is not a seal
_READ_ERRORS = (OSError, EOFError, zipfile.BadZipFile, zlib.error)


@dataclass(frozen=True)
class Problem:
    """One thing that does not hold: the file concerned, a stable code, a French message."""

    path: str
    code: str
    message: str


@dataclass
class Report:
    """The outcome: `ok` when no problem was found; the certificate that signed the package."""

    ok: bool
    problems: list[Problem]
    files_checked: int
    videos_checked: int
    certificate_fingerprint: str
    certificate_subject: str = ""


@dataclass(frozen=True)
class _Expected:
    size: int
    sha256: str
    video: bool = False


class _Invalid(Exception):
    """A box structure that does not follow ISO/IEC 14496-12 or the ONVIF format."""


# --- the package: a directory or a ZIP -------------------------------------------------------


class _Package:
    """The files of a package, by path relative to its root (with "/" separators)."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.problems: list[Problem] = []

    def names(self) -> set[str]:
        raise NotImplementedError

    def open(self, name: str) -> IO[bytes]:
        raise NotImplementedError


class _DirPackage(_Package):
    def __init__(self, root: Path) -> None:
        super().__init__(str(root))
        self.root = root

    def names(self) -> set[str]:
        found: set[str] = set()
        for folder, _dirs, files in os.walk(self.root):
            rel = Path(folder).relative_to(self.root)
            found.update((rel / f).as_posix() for f in files)
        return found

    def open(self, name: str) -> IO[bytes]:
        return (self.root / name).open("rb")


class _ZipPackage(_Package):
    """A ZIP whose files lie at its root or in one folder holding `manifest.json`."""

    def __init__(self, archive: zipfile.ZipFile, label: str) -> None:
        super().__init__(label)
        self.archive = archive
        members = Counter(i.filename for i in archive.infolist() if not i.is_dir())
        self.prefix = _zip_root(list(members))
        self._members: dict[str, str] = {}
        for member in sorted(members):
            if members[member] > 1:
                self.problems.append(Problem(member, "zip_duplicate_entry", _msg_duplicate()))
            if member.startswith(self.prefix):
                self._members[member[len(self.prefix) :]] = member
            else:
                self.problems.append(Problem(member, "file_not_listed", _msg_outside()))

    def names(self) -> set[str]:
        return set(self._members)

    def open(self, name: str) -> IO[bytes]:
        return self.archive.open(self._members[name])


def _zip_root(members: list[str]) -> str:
    """The folder of the package inside the archive ("" when it is the archive's root)."""
    if MANIFEST in members:
        return ""
    roots = [m[: -len(MANIFEST)] for m in members if m.endswith("/" + MANIFEST)]
    top = [r for r in roots if r.count("/") == 1]
    return top[0] if len(top) == 1 else ""


@contextmanager
def _open_package(path: Path) -> Iterator[_Package]:
    if path.is_dir():
        yield _DirPackage(path)
        return
    with zipfile.ZipFile(path) as archive:
        yield _ZipPackage(archive, str(path))


# --- entry points ------------------------------------------------------------------------------


def verify_package(path: Path) -> Report:
    """Verify a package (its directory or its ZIP) and report every problem found."""
    path = Path(path)
    try:
        with _open_package(path) as package:
            return _verify(package)
    except (OSError, zipfile.BadZipFile) as exc:
        problem = Problem(str(path), "package_unreadable", f"paquet illisible : {exc}")
        return Report(False, [problem], 0, 0, "")


def verify_oeff_file(
    path_or_stream: str | os.PathLike[str] | BinaryIO,
    *,
    certificate_der: bytes | None = None,
    name: str | None = None,
) -> list[Problem]:
    """The problems of one MP4's ONVIF seal (empty: valid); with `certificate_der`, also that
    the seal was made with that certificate."""
    if isinstance(path_or_stream, (str, os.PathLike)):
        label = name or os.fspath(path_or_stream)
        with Path(path_or_stream).open("rb") as stream:
            return _scan_mp4(stream, label, certificate_der)[2]
    label = name or str(getattr(path_or_stream, "name", "video.mp4"))
    return _scan_mp4(path_or_stream, label, certificate_der)[2]


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or args[0] in ("-h", "--help"):
        sys.stderr.write("usage : python3 verifier.py DOSSIER_DU_PAQUET_OU_FICHIER.zip\n")
        return 2
    report = verify_package(Path(args[0]))
    if hasattr(sys.stdout, "reconfigure"):  # a console that cannot show « é » gets « ? »
        sys.stdout.reconfigure(errors="replace")
    sys.stdout.write(format_report(report, args[0]))
    return 0 if report.ok else 1


def format_report(report: Report, label: str) -> str:
    """The French report printed by the command line."""
    lines = [
        f"Vérification du paquet d'extraction : {label}",
        f"Certificat de signature : {report.certificate_subject or '(illisible)'}",
        f"Empreinte SHA-256 du certificat : {report.certificate_fingerprint or '(aucune)'}",
        "  (à comparer avec l'empreinte communiquée par le service qui a fait l'extraction)",
        (
            f"Fichiers contrôlés : {report.files_checked}, dont {report.videos_checked} "
            "vidéo(s) scellée(s) au format ONVIF."
        ),
        "",
    ]
    if report.ok:
        lines.append(
            "RÉSULTAT : CONFORME. Le paquet est complet et aucun fichier n'a été modifié "
            "depuis sa signature."
        )
    else:
        lines.append(f"RÉSULTAT : NON CONFORME. {len(report.problems)} problème(s) :")
        lines += [f"  - {p.path} : {p.message} [{p.code}]" for p in report.problems]
    return "\n".join(lines) + "\n"


# --- the package checks ------------------------------------------------------------------------


def _verify(package: _Package) -> Report:
    problems = list(package.problems)
    names = package.names()
    certificate = _load_certificate(package, names, problems)
    manifest = _load_manifest(package, names, certificate, problems)
    files = videos = 0
    if manifest is not None:
        expected = _expected_files(manifest, problems)
        cert_der = certificate.public_bytes(serialization.Encoding.DER) if certificate else None
        files, videos = _check_files(package, names, expected, cert_der, problems)
        problems += [
            Problem(name, "file_not_listed", "fichier présent mais absent du manifeste")
            for name in sorted(names - set(expected) - UNLISTED_ALLOWED)
        ]
        problems += _check_chains(manifest)
    return Report(
        ok=not problems,
        problems=problems,
        files_checked=files,
        videos_checked=videos,
        certificate_fingerprint=_fingerprint(certificate) if certificate else "",
        certificate_subject=certificate.subject.rfc4514_string() if certificate else "",
    )


def _load_certificate(
    package: _Package, names: set[str], problems: list[Problem]
) -> x509.Certificate | None:
    if CERTIFICATE not in names:
        problems.append(Problem(CERTIFICATE, "file_missing", "certificat de signature absent"))
        return None
    try:
        with package.open(CERTIFICATE) as stream:
            return _first_certificate(stream.read(CHUNK))
    except (*_READ_ERRORS, ValueError):
        problems.append(Problem(CERTIFICATE, "certificate_invalid", "certificat illisible"))
        return None


def _load_manifest(
    package: _Package,
    names: set[str],
    certificate: x509.Certificate | None,
    problems: list[Problem],
) -> dict[str, Any] | None:
    if MANIFEST not in names:
        problems.append(Problem(MANIFEST, "file_missing", "manifeste absent"))
        return None
    data = _read_small(package, MANIFEST, problems)
    if data is None:
        return None
    if MANIFEST_SIG not in names:
        problems.append(Problem(MANIFEST_SIG, "file_missing", "signature du manifeste absente"))
    elif certificate is not None:
        signature = _read_small(package, MANIFEST_SIG, problems)
        valid = signature is not None and _pss_valid(
            certificate, signature, data, MANIFEST_PSS_SALT, prehashed=False
        )
        if signature is not None and not valid:
            problems.append(_manifest_signature_problem(certificate, signature))
    try:
        manifest = json.loads(data.decode("utf-8"))
    except ValueError:
        problems.append(Problem(MANIFEST, "manifest_invalid", "manifeste illisible (JSON)"))
        return None
    if not isinstance(manifest, dict):
        problems.append(Problem(MANIFEST, "manifest_invalid", "manifeste sans objet JSON"))
        return None
    if certificate is not None:
        problems += _check_declared_certificate(manifest, certificate)
    return manifest


def _first_certificate(pem: bytes) -> x509.Certificate:
    """The first certificate of a PEM file (the leaf; a chain may follow it)."""
    begin, end = b"-----BEGIN CERTIFICATE-----", b"-----END CERTIFICATE-----"
    start = pem.find(begin)
    stop = pem.find(end, start)
    if start < 0 or stop < 0:
        raise ValueError("no PEM certificate")
    return x509.load_pem_x509_certificate(pem[start : stop + len(end)])


def _manifest_signature_problem(certificate: x509.Certificate, signature: bytes) -> Problem:
    """Name the file to blame: a signature that still opens as a well-formed PSS encoding
    under the certificate's key was made with it, so the manifest changed after signing."""
    if _pss_well_formed(certificate, signature, MANIFEST_PSS_SALT):
        message = "manifeste modifié après sa signature (manifest.json.sig est intacte)"
        return Problem(MANIFEST, "manifest_signature_invalid", message)
    message = "signature altérée, ou faite avec une autre clé que celle de certificate.pem"
    return Problem(MANIFEST_SIG, "manifest_signature_invalid", message)


def _check_declared_certificate(
    manifest: dict[str, Any], certificate: x509.Certificate
) -> list[Problem]:
    declared = manifest.get("certificate")
    stated = declared.get("sha256_fingerprint") if isinstance(declared, dict) else None
    if stated != _fingerprint(certificate):
        message = "le certificat n'est pas celui que déclare le manifeste"
        return [Problem(CERTIFICATE, "certificate_mismatch", message)]
    return []


def _expected_files(manifest: dict[str, Any], problems: list[Problem]) -> dict[str, _Expected]:
    """Every file the manifest lists, with its size and hash; problems for malformed lists."""
    expected: dict[str, _Expected] = {}
    files = manifest.get("files")
    if not isinstance(files, list):
        problems.append(Problem(MANIFEST, "manifest_invalid", "liste « files » absente"))
        files = []
    for entry in files:
        _add_expected(expected, entry, "path", False, problems)
    items = manifest.get("items")
    for item in items if isinstance(items, list) else []:
        _add_expected(expected, item, "file", _item_is_sealed(item), problems)
        index = item.get("index") if isinstance(item, dict) else None
        if index is not None and index not in expected:
            problems.append(Problem(str(index), "manifest_invalid", _msg_index()))
    return expected


def _item_is_sealed(item: object) -> bool:
    """Whether a manifest item's MP4 carries an ONVIF seal (true unless stated otherwise)."""
    return not (isinstance(item, dict) and item.get("onvif_signature") is False)


def _add_expected(
    expected: dict[str, _Expected],
    entry: object,
    key: str,
    video: bool,
    problems: list[Problem],
) -> None:
    fields = _entry_fields(entry, key)
    if fields is None:
        path = entry.get(key) if isinstance(entry, dict) else None
        shown = path if isinstance(path, str) else MANIFEST
        problems.append(Problem(shown, "manifest_invalid", _msg_entry(key)))
        return
    path, size, digest = fields
    old = expected.get(path)
    if old is not None and (old.size, old.sha256) != (size, digest):
        problems.append(Problem(path, "manifest_invalid", "déclaré deux fois, différemment"))
    expected[path] = _Expected(size, digest, video or (old is not None and old.video))


def _entry_fields(entry: object, key: str) -> tuple[str, int, str] | None:
    """(path, bytes, sha256) of a well-formed manifest entry, else None."""
    if not isinstance(entry, dict):
        return None
    path, size, digest = entry.get(key), entry.get("bytes"), entry.get("sha256")
    if not (isinstance(path, str) and _safe_path(path) and isinstance(digest, str)):
        return None
    if not isinstance(size, int) or isinstance(size, bool) or size < 0 or not _is_sha256(digest):
        return None
    return path, size, digest


def _safe_path(path: object) -> bool:
    if not isinstance(path, str) or not path or "\\" in path or path.startswith("/"):
        return False
    parts = path.split("/")
    return all(p not in ("", ".", "..") for p in parts) and path not in UNLISTED_ALLOWED


def _is_sha256(value: object) -> bool:
    hexdigits = "0123456789abcdef"
    return isinstance(value, str) and len(value) == 64 and all(c in hexdigits for c in value)


def _check_files(
    package: _Package,
    names: set[str],
    expected: dict[str, _Expected],
    cert_der: bytes | None,
    problems: list[Problem],
) -> tuple[int, int]:
    files = videos = 0
    for name in sorted(expected):
        want = expected[name]
        if name not in names:
            problems.append(Problem(name, "file_missing", "fichier listé mais absent"))
            continue
        try:
            with package.open(name) as stream:
                size, digest, seal_problems = _examine(stream, name, want.video, cert_der)
        except _READ_ERRORS as exc:
            problems.append(Problem(name, "file_changed", f"fichier illisible ou altéré : {exc}"))
            continue
        files, videos = files + 1, videos + want.video
        if (size, digest) != (want.size, want.sha256):
            problems.append(Problem(name, "file_changed", _msg_changed(want, size, digest)))
        problems += seal_problems
    return files, videos


def _examine(
    stream: IO[bytes], name: str, video: bool, cert_der: bytes | None
) -> tuple[int, str, list[Problem]]:
    """Size, SHA-256 and, for a sealed video, the problems of its seal (one reading)."""
    if video:
        return _scan_mp4(stream, name, cert_der)
    size, digest = _digest(stream)
    return size, digest, []


def _check_chains(manifest: dict[str, Any]) -> list[Problem]:
    problems: list[Problem] = []
    items = manifest.get("items")
    for item in items if isinstance(items, list) else []:
        try:
            problems += _check_chain(item) + _check_privacy(item)
        except (AttributeError, KeyError, TypeError, ValueError):
            name = item.get("file", MANIFEST) if isinstance(item, dict) else MANIFEST
            problems.append(Problem(str(name), "manifest_invalid", _msg_segments()))
    return problems


def _check_chain(item: dict[str, Any]) -> list[Problem]:
    """Each segment's link recomputed, and consecutive links joined (prev = previous hash)."""
    name, camera_id = str(item["file"]), int(item["camera"]["id"])
    problems: list[Problem] = []
    previous: dict[str, Any] | None = None
    for seg in item["segments"]:
        text = (
            f"{seg['prev_chain_hash']}|{seg['sha256']}|{camera_id}|"
            f"{seg['start']}|{seg['end']}|{int(seg['bytes'])}"
        )
        if "mask_version" in seg:  # a segment masked by the server binds its mask version
            text += f"|mask={int(seg['mask_version'])}:{seg['mask_digest']}"
        if hashlib.sha256(text.encode()).hexdigest() != seg["chain_hash"]:
            problems.append(Problem(name, "chain_broken", _msg_link(seg)))
        if (
            previous is not None
            and int(seg["chain_seq"]) == int(previous["chain_seq"]) + 1
            and seg["prev_chain_hash"] != previous["chain_hash"]
        ):
            problems.append(Problem(name, "chain_broken", _msg_join(seg)))
        previous = seg
    return problems


def _check_privacy(item: dict[str, Any]) -> list[Problem]:
    """A file re-encoded for privacy: the manifest signs that file (its own hash), and each
    source it names, not included, is one of the item's chained segments."""
    privacy = item.get("privacy")
    if privacy is None:
        return []
    name = str(item["file"])
    chained = {str(seg["sha256"]) for seg in item["segments"]}
    sources = [part["source"] for part in privacy["parts"]]
    if (
        privacy["file"] != item["file"]
        or privacy["sha256"] != item["sha256"]
        or not sources
        or any(src["sha256"] not in chained or src["included"] is not False for src in sources)
    ):
        return [Problem(name, "manifest_invalid", _msg_privacy())]
    return []


# --- reading and hashing ----------------------------------------------------------------------


def _read_small(package: _Package, name: str, problems: list[Problem]) -> bytes | None:
    """A small file whole, or None and a problem when it cannot be read (a damaged ZIP)."""
    try:
        with package.open(name) as stream:
            return stream.read()
    except _READ_ERRORS as exc:
        problems.append(Problem(name, "file_changed", f"fichier illisible ou altéré : {exc}"))
        return None


def _copy(stream: IO[bytes], length: int | None, sink: Callable[[bytes], None]) -> int:
    """Feed `length` bytes (None: up to the end) of `stream` to `sink`; the count fed."""
    done = 0
    while length is None or done < length:
        chunk = stream.read(CHUNK if length is None else min(CHUNK, length - done))
        if not chunk:
            break
        sink(chunk)
        done += len(chunk)
    return done


def _digest(stream: IO[bytes]) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = _copy(stream, None, digest.update)
    return size, digest.hexdigest()


def _read_exactly(stream: IO[bytes], length: int) -> bytes:
    parts, missing = [], length
    while missing:
        chunk = stream.read(missing)
        if not chunk:
            break
        parts.append(chunk)
        missing -= len(chunk)
    return b"".join(parts)


def _fingerprint(certificate: x509.Certificate) -> str:
    return ":".join(f"{b:02X}" for b in certificate.fingerprint(hashes.SHA256()))


def _pss_valid(
    certificate: x509.Certificate, signature: bytes, data: bytes, salt: int, *, prehashed: bool
) -> bool:
    key = certificate.public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        return False
    pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=salt)
    algorithm = utils.Prehashed(hashes.SHA256()) if prehashed else hashes.SHA256()
    try:
        key.verify(signature, data, pss, algorithm)
    except InvalidSignature:
        return False
    return True


def _pss_well_formed(certificate: x509.Certificate, signature: bytes, salt: int) -> bool:
    """Whether the RSA public operation on `signature` gives a well-formed EMSA-PSS encoding
    (RFC 8017 §9.1.2, SHA-256, MGF1-SHA-256), whatever message it was made for."""
    key = certificate.public_key()
    if not isinstance(key, rsa.RSAPublicKey) or len(signature) != (key.key_size + 7) // 8:
        return False
    numbers, value = key.public_numbers(), int.from_bytes(signature, "big")
    em_bits = key.key_size - 1
    em_len, h_len = (em_bits + 7) // 8, 32
    try:
        em = pow(value, numbers.e, numbers.n).to_bytes(em_len, "big")
    except OverflowError:
        return False
    if value >= numbers.n or em[-1] != 0xBC or em_len < h_len + salt + 2:
        return False
    masked, digest = em[: em_len - h_len - 1], em[em_len - h_len - 1 : -1]
    mask = _mgf1(digest, len(masked))
    db = (int.from_bytes(masked, "big") ^ int.from_bytes(mask, "big")).to_bytes(len(masked), "big")
    db = bytes([db[0] & (0xFF >> (8 * em_len - em_bits))]) + db[1:]
    pad = len(db) - salt - 1
    return db[:pad] == bytes(pad) and db[pad] == 1


def _mgf1(seed: bytes, length: int) -> bytes:
    blocks = (length + 31) // 32
    stream = b"".join(hashlib.sha256(seed + i.to_bytes(4, "big")).digest() for i in range(blocks))
    return stream[:length]


# --- ONVIF Export File Format --------------------------------------------------------------------


@dataclass(frozen=True)
class _Box:
    kind: bytes
    start: int
    header: int
    size: int

    @property
    def body(self) -> int:
        return self.start + self.header

    @property
    def end(self) -> int:
        return self.start + self.size

    @property
    def label(self) -> str:
        return self.kind.decode("latin-1")


@dataclass(frozen=True)
class _Instance:
    """One signing instance (`sinf`): its signature box, certificate, non-default algorithm."""

    sibo: _Box
    signature: bytes
    certificate: bytes
    configured: bool


@dataclass(frozen=True)
class _Seal:
    raw: bytes
    meta: _Box
    ipro: _Box
    sinfs: list[_Box]
    instances: list[_Instance]


@dataclass
class _Scanner:
    """Hashes a file as it streams by: the whole file, and for the last seal found, the file as
    each of its signing instances signed it."""

    whole: Any = field(default_factory=hashlib.sha256)
    size: int = 0
    seal: _Seal | None = None
    seal_error: str = ""
    signed: list[Any] = field(default_factory=list)

    def feed(self, data: bytes) -> None:
        self.whole.update(data)
        self.size += len(data)
        for digest in self.signed:
            digest.update(data)

    def meta(self, raw: bytes) -> None:
        prefix = self.whole.copy()
        try:
            seal = _parse_seal(raw)
        except _Invalid as exc:
            self.feed(raw)
            self.seal, self.seal_error, self.signed = None, str(exc), []
            return
        self.feed(raw)
        if seal is None:
            return
        self.seal, self.seal_error, self.signed = seal, "", []
        for i in range(len(seal.instances)):
            digest = prefix.copy()
            digest.update(_as_signed(seal, i))
            self.signed.append(digest)


def _scan_mp4(
    stream: IO[bytes], name: str, cert_der: bytes | None
) -> tuple[int, str, list[Problem]]:
    """One pass over an MP4: its size, its SHA-256 and the problems of its ONVIF seal."""
    scanner = _Scanner()
    try:
        _scan_boxes(stream, scanner)
    except _Invalid as exc:
        _copy(stream, None, scanner.feed)
        problem = Problem(name, "onvif_structure_invalid", f"structure MP4 invalide : {exc}")
        return scanner.size, scanner.whole.hexdigest(), [problem]
    return scanner.size, scanner.whole.hexdigest(), _seal_problems(scanner, name, cert_der)


def _scan_boxes(stream: IO[bytes], scanner: _Scanner) -> None:
    """Walk the top-level boxes, feeding every byte to the scanner (meta boxes whole)."""
    while True:
        header = _read_exactly(stream, 8)
        if not header:
            return
        size, kind = struct.unpack(">I4s", header.ljust(8, b"\0"))
        if size == 1:
            header += _read_exactly(stream, 8)
            size = struct.unpack(">Q", header[8:].ljust(8, b"\0"))[0]
        if len(header) not in (8, 16) or (size and size < len(header)):
            scanner.feed(header)
            raise _Invalid(f"en-tête de boîte invalide à l'octet {scanner.size - len(header)}")
        if kind == b"meta" and 0 < size <= META_LIMIT:
            raw = header + _read_exactly(stream, size - len(header))
            if len(raw) < size:
                scanner.feed(raw)
                raise _Invalid("fichier tronqué dans la boîte « meta »")
            scanner.meta(raw)
            continue
        scanner.feed(header)
        if size == 0:  # the last box, up to the end of the file
            _copy(stream, None, scanner.feed)
            return
        if _copy(stream, size - len(header), scanner.feed) < size - len(header):
            raise _Invalid(f"fichier tronqué dans la boîte « {kind.decode('latin-1')} »")


def _seal_problems(scanner: _Scanner, name: str, cert_der: bytes | None) -> list[Problem]:
    if scanner.seal_error:
        message = f"sceau ONVIF invalide : {scanner.seal_error}"
        return [Problem(name, "onvif_structure_invalid", message)]
    if scanner.seal is None:
        message = "aucun sceau ONVIF (boîte « meta » de niveau fichier, schéma « oeff »)"
        return [Problem(name, "onvif_signature_missing", message)]
    problems: list[Problem] = []
    for number, instance in enumerate(scanner.seal.instances):
        digest = scanner.signed[number].digest()
        expected = cert_der if number == 0 else None
        problems += _instance_problems(instance, digest, number + 1, name, expected)
    return problems


def _instance_problems(
    instance: _Instance, digest: bytes, number: int, name: str, cert_der: bytes | None
) -> list[Problem]:
    if instance.configured:
        message = f"signature n° {number} : algorithme non standard (boîte « sigC ») non vérifié"
        return [Problem(name, "onvif_signature_unsupported", message)]
    try:
        certificate = x509.load_der_x509_certificate(instance.certificate)
    except ValueError:
        message = f"signature n° {number} : certificat (boîte « cert ») illisible"
        return [Problem(name, "onvif_structure_invalid", message)]
    problems = []
    if cert_der is not None and instance.certificate != cert_der:
        message = "la vidéo n'est pas scellée avec le certificat du paquet"
        problems.append(Problem(name, "onvif_certificate_mismatch", message))
    if not _pss_valid(certificate, instance.signature, digest, ONVIF_PSS_SALT, prehashed=True):
        message = f"signature ONVIF n° {number} invalide : la vidéo a été modifiée"
        problems.append(Problem(name, "onvif_signature_invalid", message))
    return problems


def _parse_seal(raw: bytes) -> _Seal | None:
    """The ONVIF seal in a top-level meta box; None when the box is not one."""
    meta = _Box(b"meta", 0, 16 if struct.unpack_from(">I", raw)[0] == 1 else 8, len(raw))
    kids = _children(raw, meta.body + 4, meta.end)
    ipros = [k for k in kids if k.kind == b"ipro"]
    if not ipros:
        return None
    ipro = ipros[0]
    if ipro.size < ipro.header + 6:
        raise _Invalid("boîte « ipro » trop courte")
    sinfs = _children(raw, ipro.body + 6, ipro.end)
    if not any(_scheme(raw, s) == ONVIF_SCHEME[0] for s in sinfs if s.kind == b"sinf"):
        return None
    _check_meta(raw, meta, kids, ipro, sinfs)
    instances = [_instance(raw, s) for s in sinfs]
    return _Seal(raw, meta, ipro, sinfs, instances)


def _check_meta(raw: bytes, meta: _Box, kids: list[_Box], ipro: _Box, sinfs: list[_Box]) -> None:
    if raw[meta.body] != 0:
        raise _Invalid("boîte « meta » de version non nulle")
    for kind in (b"hdlr", b"suep", b"ipro"):
        _one(kids, kind, "meta")
    _check_suep(raw, _one(kids, b"suep", "meta"))
    if struct.unpack_from(">H", raw, ipro.body + 4)[0] != 1:
        raise _Invalid("« protection_count » de la boîte « ipro » différent de 1")
    if any(s.kind != b"sinf" for s in sinfs):
        raise _Invalid("boîte inattendue dans « ipro »")


def _instance(raw: bytes, sinf: _Box) -> _Instance:
    kids = _children(raw, sinf.body, sinf.end)
    schm = _one(kids, b"schm", "sinf")
    scheme = struct.unpack_from(">4sI", raw, schm.body + 4) if schm.size >= schm.header + 12 else ()
    if tuple(scheme) != ONVIF_SCHEME:
        raise _Invalid("boîte « schm » : schéma différent de « oeff » version 1")
    schi_kids = _children(raw, (schi := _one(kids, b"schi", "sinf")).body, schi.end)
    sibo, cert = _one(schi_kids, b"sibo", "schi"), _one(schi_kids, b"cert", "schi")
    if sibo.size == sibo.header:
        raise _Invalid("boîte « sibo » vide")
    return _Instance(
        sibo=sibo,
        signature=raw[sibo.body : sibo.end],
        certificate=raw[cert.body : cert.end],
        configured=any(k.kind == b"sigC" for k in schi_kids),
    )


def _check_suep(raw: bytes, suep: _Box) -> None:
    """SurveillanceExportBox version 1: five export fields, then one entry per track."""
    if suep.size < suep.header + 4 or raw[suep.body] != 1:
        raise _Invalid("boîte « suep » absente de version 1")
    at = suep.body + 4
    for _ in range(3):
        at = _skip_string(raw, at, suep.end)
    at = _skip_string(raw, at + 8, suep.end)
    if at + 4 > suep.end:
        raise _Invalid("boîte « suep » tronquée")
    (count,) = struct.unpack_from(">I", raw, at)
    at += 4
    for _ in range(count):
        at += 2
        for _ in range(4):
            at = _skip_string(raw, at, suep.end)
    if at != suep.end:
        raise _Invalid("boîte « suep » : longueur incohérente")


def _skip_string(raw: bytes, at: int, end: int) -> int:
    nul = raw.find(b"\0", at, end)
    if nul < 0:
        raise _Invalid("boîte « suep » : chaîne non terminée")
    try:
        raw[at:nul].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _Invalid("boîte « suep » : chaîne non UTF-8") from exc
    return nul + 1


def _scheme(raw: bytes, sinf: _Box) -> bytes:
    for kid in _children(raw, sinf.body, sinf.end):
        if kid.kind == b"schm" and kid.size >= kid.header + 12:
            return bytes(raw[kid.body + 4 : kid.body + 8])
    return b""


def _one(boxes: list[_Box], kind: bytes, parent: str) -> _Box:
    found = [b for b in boxes if b.kind == kind]
    if len(found) != 1:
        label = kind.decode("latin-1")
        raise _Invalid(f"{len(found)} boîte(s) « {label} » dans « {parent} » au lieu d'une")
    return found[0]


def _children(raw: bytes, start: int, end: int) -> list[_Box]:
    boxes, at = [], start
    while at < end:
        if end - at < 8:
            raise _Invalid(f"octets en trop à la position {at} de la boîte « meta »")
        size, kind = struct.unpack_from(">I4s", raw, at)
        header = 8
        if size == 1 and end - at >= 16:
            size, header = struct.unpack_from(">Q", raw, at + 8)[0], 16
        elif size == 0:
            size = end - at
        if size < header or at + size > end:
            raise _Invalid(f"la boîte « {kind.decode('latin-1')} » déborde de son conteneur")
        boxes.append(_Box(bytes(kind), at, header, size))
        at += size
    return boxes


def _as_signed(seal: _Seal, index: int) -> bytes:
    """The meta box as signing instance `index` signed it: later `sinf` boxes removed (sizes
    of `ipro` and `meta` reduced accordingly), its own `sibo` payload zeroed."""
    buffer = bytearray(seal.raw)
    if index + 1 < len(seal.sinfs):
        cut_from, cut_to = seal.sinfs[index + 1].start, seal.sinfs[-1].end
        del buffer[cut_from:cut_to]
        for outer in (seal.ipro, seal.meta):
            _resize(buffer, outer, outer.size - (cut_to - cut_from))
    sibo = seal.instances[index].sibo
    buffer[sibo.body : sibo.end] = bytes(sibo.end - sibo.body)
    return bytes(buffer)


def _resize(buffer: bytearray, box: _Box, size: int) -> None:
    if box.header == 16:
        struct.pack_into(">Q", buffer, box.start + 8, size)
    elif struct.unpack_from(">I", buffer, box.start)[0] != 0:
        struct.pack_into(">I", buffer, box.start, size)


# --- messages ----------------------------------------------------------------------------------


def _msg_changed(want: _Expected, size: int, digest: str) -> str:
    if size != want.size:
        return f"fichier modifié : {size} octets au lieu de {want.size}"
    return f"fichier modifié : empreinte SHA-256 {digest[:16]}… au lieu de {want.sha256[:16]}…"


def _msg_duplicate() -> str:
    return "nom présent plusieurs fois dans l'archive ZIP"


def _msg_outside() -> str:
    return "fichier de l'archive hors du dossier du paquet"


def _msg_index() -> str:
    return "index de vidéo absent de la liste « files » du manifeste"


def _msg_entry(key: str) -> str:
    return f"entrée du manifeste invalide (« {key} », « bytes » ou « sha256 »)"


def _msg_segments() -> str:
    return "description des segments sources invalide"


def _msg_privacy() -> str:
    return (
        "description du ré-encodage pour la vie privée incohérente avec le fichier ou ses sources"
    )


def _msg_link(seg: dict[str, Any]) -> str:
    return f"segment source n° {seg['chain_seq']} : maillon de la chaîne d'empreintes faux"


def _msg_join(seg: dict[str, Any]) -> str:
    return f"segment source n° {seg['chain_seq']} : non relié au segment précédent"


if __name__ == "__main__":
    sys.exit(main())
