"""The site signing certificate: the RSA key and X.509 certificate that seal every export.

Owns `<data_dir>/keys/` (mode 0700): `signing.crt.pem` (leaf, then any chain) and
`signing.key.pem` (PKCS #8, mode 0600, encrypted with a passphrase derived from the site
secret; the key is never written or logged in clear). The pair is created at installation
(`sentinelle signing init`, or the first `load_signer`) as a self-signed certificate, or
imported from the city's PKI; a replaced pair is kept as `signing.<UTC time>.crt.pem/.key.pem`
because older exports are verified with it. Creation and import are journalled.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import os
import socket
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa, utils
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import NameOID

from sentinelle.audit.models import Actor, AuditAction, EntryDraft
from sentinelle.audit.service import record
from sentinelle.core.errors import ConfigurationError, InvalidInput, NotFound
from sentinelle.runtime import Runtime
from sentinelle.storage.layout import fsync_dir

KEYS_DIR = "keys"
CERT_FILE = "signing.crt.pem"
KEY_FILE = "signing.key.pem"
KEY_BITS = 3072
MIN_IMPORTED_KEY_BITS = 2048  # ONVIF Export File Format: RSA, modulus of at least 2048 bits
VALIDITY = timedelta(days=3652)  # ten years
BACKDATE = timedelta(minutes=5)  # tolerates a verifier whose clock is slightly behind
COMMON_NAME = "Sentinelle — signature des preuves"
_PASSPHRASE_INFO = b"sentinelle/signing-key"
_TARGET = "signing_certificate"


class SiteSigner:
    """The site's signing certificate and key: signs manifests, CMS envelopes and MP4 seals."""

    __slots__ = ("_certificate", "_chain", "_key")

    def __init__(
        self,
        certificate: x509.Certificate,
        key: rsa.RSAPrivateKey,
        chain: tuple[x509.Certificate, ...] = (),
    ) -> None:
        self._certificate = certificate
        self._key = key
        self._chain = chain

    def __repr__(self) -> str:
        return f"SiteSigner({self.subject()!r}, {self.fingerprint()})"

    @property
    def certificate(self) -> x509.Certificate:
        return self._certificate

    def certificate_pem(self) -> bytes:
        """The leaf certificate, then the chain certificates given at import (PEM)."""
        certs = (self._certificate, *self._chain)
        return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)

    def certificate_der(self) -> bytes:
        return self._certificate.public_bytes(serialization.Encoding.DER)

    def fingerprint(self) -> str:
        """SHA-256 of the DER certificate, as "AB:CD:…"."""
        return fingerprint(self._certificate)

    def subject(self) -> str:
        return self._certificate.subject.rfc4514_string()

    def not_after(self) -> datetime:
        return self._certificate.not_valid_after_utc

    @property
    def signature_size(self) -> int:
        """Length in bytes of every RSA signature this key makes."""
        return (self._key.key_size + 7) // 8

    def sign_pss(self, data: bytes, salt_length: int = 32) -> bytes:
        """RSASSA-PSS, SHA-256, MGF1-SHA-256 over `data`."""
        return self._key.sign(data, _pss(salt_length), hashes.SHA256())

    def sign_digest_pss(self, digest: bytes, salt_length: int = 20) -> bytes:
        """RSASSA-PSS as `sign_pss`, over an already computed SHA-256 digest."""
        if len(digest) != hashes.SHA256.digest_size:
            msg = f"a SHA-256 digest has 32 bytes, not {len(digest)}"
            raise ValueError(msg)
        return self._key.sign(digest, _pss(salt_length), utils.Prehashed(hashes.SHA256()))

    def sign_cms_detached(self, data: bytes) -> bytes:
        """A detached CMS (PKCS #7) SignedData over `data`, DER, certificates included
        (RSA PKCS #1 v1.5 with SHA-256, what every CMS verifier accepts)."""
        builder = pkcs7.PKCS7SignatureBuilder().set_data(data)
        builder = builder.add_signer(self._certificate, self._key, hashes.SHA256())
        for cert in self._chain:
            builder = builder.add_certificate(cert)
        options = [pkcs7.PKCS7Options.DetachedSignature, pkcs7.PKCS7Options.Binary]
        return builder.sign(serialization.Encoding.DER, options)


@dataclass(frozen=True, slots=True)
class _Paths:
    directory: Path
    cert: Path
    key: Path


def fingerprint(certificate: x509.Certificate) -> str:
    return ":".join(f"{b:02X}" for b in certificate.fingerprint(hashes.SHA256()))


def has_signer(rt: Runtime) -> bool:
    """Whether the site signing pair exists (created or imported)."""
    return _present(_paths(rt))


def load_signer(rt: Runtime) -> SiteSigner:
    """The site signer, created (self-signed, journalled) if the site has none yet."""
    paths = _paths(rt)
    with _locked(paths, fcntl.LOCK_SH):
        if _present(paths):
            return _read(rt, paths)
    with _locked(paths, fcntl.LOCK_EX):
        if _present(paths):
            return _read(rt, paths)
        return _create(rt, paths)


def read_signer(rt: Runtime) -> SiteSigner:
    """The existing site signer; NotFound when none was created or imported yet."""
    paths = _paths(rt)
    if not _present(paths):
        raise NotFound(
            "signing_certificate_missing",
            "no site signing certificate yet: run `sentinelle signing init`",
        )
    with _locked(paths, fcntl.LOCK_SH):
        return _read(rt, paths)


def previous_certificates(rt: Runtime) -> list[tuple[str, x509.Certificate]]:
    """The replaced certificates kept in the keys directory (file name, leaf), oldest first."""
    directory = _paths(rt).directory
    if not directory.is_dir():
        return []
    files = sorted(p for p in directory.glob("signing.*.crt.pem") if p.name != CERT_FILE)
    return [(p.name, x509.load_pem_x509_certificates(p.read_bytes())[0]) for p in files]


def import_certificate(
    rt: Runtime,
    actor: Actor,
    cert_pem: bytes,
    key_pem: bytes,
    password: bytes | None,
    *,
    reason: str = "",
) -> SiteSigner:
    """Install a certificate of the city's PKI (leaf first, then its chain) and its key, keeping
    the replaced pair; journalled. Refuses non-RSA or short keys, a key that does not match,
    and a certificate not valid now."""
    certs = _parse_certificates(cert_pem)
    key = _parse_private_key(key_pem, password)
    _check_importable(certs[0], key, rt.now())
    signer = SiteSigner(certs[0], key, tuple(certs[1:]))
    paths = _paths(rt)
    with _locked(paths, fcntl.LOCK_EX):
        previous = _current_certificate(paths)
        details = _details(signer) | {
            "issuer": signer.certificate.issuer.rfc4514_string(),
            "previous_fingerprint": fingerprint(previous) if previous else None,
            "archived_as": _archive(paths, rt.now()) if _present(paths) else None,
        }
        _journal(rt, actor, AuditAction.SIGNING_CERTIFICATE_IMPORTED, signer, details, reason)
        _install(rt, paths, signer, key)
    return signer


def _paths(rt: Runtime) -> _Paths:
    directory = rt.settings.resolved_data_dir / KEYS_DIR
    return _Paths(directory, directory / CERT_FILE, directory / KEY_FILE)


def _present(paths: _Paths) -> bool:
    return paths.cert.exists() or paths.key.exists()


def _current_certificate(paths: _Paths) -> x509.Certificate | None:
    if not paths.cert.exists():
        return None
    return x509.load_pem_x509_certificates(paths.cert.read_bytes())[0]


@contextlib.contextmanager
def _locked(paths: _Paths, mode: int) -> Iterator[None]:
    """Serialises creation and import, and keeps readers from seeing half a replacement
    (an advisory lock file, shared for readers, exclusive for writers)."""
    if not paths.directory.exists():
        paths.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        paths.directory.chmod(0o700)
    fd = os.open(paths.directory / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, mode)
        yield
    finally:
        os.close(fd)


def _passphrase(rt: Runtime) -> bytes:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_PASSPHRASE_INFO).derive(
        rt.site_secret
    )
    return base64.b64encode(derived)


def _pss(salt_length: int) -> padding.PSS:
    return padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=salt_length)


def _read(rt: Runtime, paths: _Paths) -> SiteSigner:
    if not (paths.cert.exists() and paths.key.exists()):
        raise ConfigurationError(
            "signing_pair_incomplete",
            f"{paths.directory} holds only half of the signing pair ({CERT_FILE}, {KEY_FILE}); "
            "restore the missing file from a backup or import a certificate",
        )
    if paths.key.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigurationError(
            "unsafe_signing_key_file",
            f"signing key file {paths.key} is readable by other users; run chmod 600 on it",
        )
    try:
        certs = x509.load_pem_x509_certificates(paths.cert.read_bytes())
    except ValueError as exc:
        raise ConfigurationError(
            "signing_certificate_corrupt", f"{paths.cert} holds no readable PEM certificate"
        ) from exc
    key = _decrypt_key(paths.key.read_bytes(), _passphrase(rt), paths.key)
    if not _matches(certs[0], key):
        raise ConfigurationError(
            "signing_key_mismatch",
            f"the signing key {paths.key} does not belong to the certificate {paths.cert}",
        )
    return SiteSigner(certs[0], key, tuple(certs[1:]))


def _decrypt_key(data: bytes, passphrase: bytes, path: Path) -> rsa.RSAPrivateKey:
    try:
        key = serialization.load_pem_private_key(data, passphrase)
    except (ValueError, TypeError) as exc:
        raise ConfigurationError(
            "signing_key_undecryptable",
            f"the signing key {path} cannot be decrypted with this site's secret key file",
        ) from exc
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ConfigurationError("signing_key_not_rsa", f"the signing key {path} is not RSA")
    return key


def _matches(certificate: x509.Certificate, key: rsa.RSAPrivateKey) -> bool:
    public = certificate.public_key()
    return (
        isinstance(public, rsa.RSAPublicKey)
        and public.public_numbers() == key.public_key().public_numbers()
    )


def _create(rt: Runtime, paths: _Paths) -> SiteSigner:
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    signer = SiteSigner(_self_signed(key, rt.now()), key)
    _journal(
        rt, Actor.system(), AuditAction.SIGNING_CERTIFICATE_CREATED, signer, _details(signer), ""
    )
    _install(rt, paths, signer, key)
    return signer


def _self_signed(key: rsa.RSAPrivateKey, now: datetime) -> x509.Certificate:
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, COMMON_NAME),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, f"Sentinelle — {socket.gethostname()}"),
        ]
    )
    usage = x509.KeyUsage(
        digital_signature=True,
        content_commitment=True,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - BACKDATE)
        .not_valid_after(now + VALIDITY)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )


def _details(signer: SiteSigner) -> dict[str, object]:
    return {
        "fingerprint": signer.fingerprint(),
        "subject": signer.subject(),
        "not_after": signer.not_after().isoformat(),
        "key_bits": signer.signature_size * 8,
    }


def _journal(
    rt: Runtime,
    actor: Actor,
    action: AuditAction,
    signer: SiteSigner,
    details: dict[str, object],
    reason: str,
) -> None:
    draft = EntryDraft(actor, action, _TARGET, signer.fingerprint(), reason=reason, details=details)
    with rt.db.write() as s:
        record(s, draft, rt.now())


def _install(rt: Runtime, paths: _Paths, signer: SiteSigner, key: rsa.RSAPrivateKey) -> None:
    """Write the key (encrypted), then the certificate, each atomically (temporary file,
    fsync, rename); the caller holds the exclusive lock."""
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(_passphrase(rt)),
    )
    _write_atomic(paths.key, key_pem, 0o600)
    _write_atomic(paths.cert, signer.certificate_pem(), 0o644)
    fsync_dir(paths.directory)


def _write_atomic(path: Path, data: bytes, mode: int) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    tmp.replace(path)


def _archive(paths: _Paths, now: datetime) -> str:
    """Keep the current pair under a time-stamped name (hard links: no moment without one);
    returns the archived certificate's name."""
    stamp = f"{now.astimezone(UTC):%Y%m%dT%H%M%SZ}"
    name, n = f"signing.{stamp}", 1
    while (paths.directory / f"{name}.crt.pem").exists() or (
        paths.directory / f"{name}.key.pem"
    ).exists():
        n += 1
        name = f"signing.{stamp}-{n}"
    for current, kind in ((paths.key, "key"), (paths.cert, "crt")):
        if current.exists():
            os.link(current, paths.directory / f"{name}.{kind}.pem")
    fsync_dir(paths.directory)
    return f"{name}.crt.pem"


def _parse_certificates(cert_pem: bytes) -> list[x509.Certificate]:
    try:
        certs = x509.load_pem_x509_certificates(cert_pem)
    except ValueError as exc:
        raise InvalidInput(
            "invalid_certificate", "the certificate file is not PEM X.509 certificates"
        ) from exc
    return certs


def _parse_private_key(key_pem: bytes, password: bytes | None) -> rsa.RSAPrivateKey:
    try:
        key = serialization.load_pem_private_key(key_pem, password)
    except TypeError as exc:
        raise InvalidInput(
            "private_key_password", "the private key needs a password (or was given one it has not)"
        ) from exc
    except ValueError as exc:
        raise InvalidInput(
            "invalid_private_key", "the private key is not PEM, or the password is wrong"
        ) from exc
    if not isinstance(key, rsa.RSAPrivateKey):
        raise InvalidInput("signing_key_not_rsa", "the ONVIF export format requires an RSA key")
    return key


def _check_importable(cert: x509.Certificate, key: rsa.RSAPrivateKey, now: datetime) -> None:
    if key.key_size < MIN_IMPORTED_KEY_BITS:
        raise InvalidInput(
            "signing_key_too_small",
            f"the key has {key.key_size} bits; at least {MIN_IMPORTED_KEY_BITS} are required",
        )
    if not _matches(cert, key):
        raise InvalidInput(
            "signing_key_mismatch", "the private key does not belong to the (first) certificate"
        )
    if not cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
        raise InvalidInput(
            "certificate_not_valid",
            f"the certificate is valid from {cert.not_valid_before_utc:%Y-%m-%d %H:%M} to "
            f"{cert.not_valid_after_utc:%Y-%m-%d %H:%M} UTC, not now",
        )
    _check_usage(cert)


def _check_usage(cert: x509.Certificate) -> None:
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return
    if not (usage.digital_signature or usage.content_commitment):
        raise InvalidInput(
            "certificate_usage",
            "the certificate's key usage allows neither digitalSignature nor nonRepudiation",
        )
