"""The site signing certificate: creation, storage at rest, import from a PKI, signatures
checked by independent tools (cryptography's verifiers, the `openssl cms` command)."""

from __future__ import annotations

import base64
import dataclasses
import json
import secrets
import subprocess
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.x509.oid import NameOID
from typer.testing import CliRunner

from sentinelle.audit.models import AuditAction, Entry
from sentinelle.audit.repository import EntryFilter, list_entries
from sentinelle.cli.main import app
from sentinelle.core.clock import FakeClock
from sentinelle.core.errors import ConfigurationError, InvalidInput, NotFound
from sentinelle.evidence import signing
from sentinelle.evidence.signing import import_certificate, load_signer
from sentinelle.runtime import Runtime
from tests.factories import ADMIN

OPENSSL = "/usr/bin/openssl"


def keys_dir(rt: Runtime) -> Path:
    return rt.settings.resolved_data_dir / "keys"


def journal(rt: Runtime, action: AuditAction) -> list[Entry]:
    with rt.db.read() as s:
        return list_entries(s, EntryFilter(action=str(action)), limit=None, newest_first=False)


def pss(salt: int) -> padding.PSS:
    return padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=salt)


def test_created_once_then_reloaded_identical(rt: Runtime) -> None:
    first = load_signer(rt)
    again = load_signer(rt)
    assert again.certificate_der() == first.certificate_der()
    assert again.fingerprint() == first.fingerprint()
    cert = first.certificate
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == (
        "Sentinelle — signature des preuves"
    )
    assert cert.issuer == cert.subject
    assert first.signature_size == 384  # RSA 3072
    assert first.not_after() - rt.now() >= timedelta(days=3650)
    constraints = cert.extensions.get_extension_for_class(x509.BasicConstraints)
    assert constraints.critical
    assert not constraints.value.ca
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature
    assert usage.content_commitment
    assert not usage.key_cert_sign
    cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
    expected = ":".join(f"{b:02X}" for b in cert.fingerprint(hashes.SHA256()))
    assert first.fingerprint() == expected
    created = journal(rt, AuditAction.SIGNING_CERTIFICATE_CREATED)
    assert len(created) == 1
    assert created[0].actor_kind == "system"
    assert created[0].target_id == first.fingerprint()
    assert json.loads(created[0].details)["key_bits"] == 3072


def test_key_at_rest_is_private_and_encrypted(rt: Runtime) -> None:
    signer = load_signer(rt)
    key_file = keys_dir(rt) / "signing.key.pem"
    assert keys_dir(rt).stat().st_mode & 0o777 == 0o700
    assert key_file.stat().st_mode & 0o777 == 0o600
    text = key_file.read_bytes()
    assert b"BEGIN ENCRYPTED PRIVATE KEY" in text
    assert b"BEGIN PRIVATE KEY" not in text
    assert b"BEGIN RSA PRIVATE KEY" not in text
    with pytest.raises(TypeError):  # no password: refused by the PEM reader
        serialization.load_pem_private_key(text, None)
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"sentinelle/signing-key"
    ).derive(rt.site_secret)
    key = serialization.load_pem_private_key(text, base64.b64encode(derived))
    assert isinstance(key, rsa.RSAPrivateKey)
    public = signer.certificate.public_key()
    assert isinstance(public, rsa.RSAPublicKey)
    assert key.public_key().public_numbers() == public.public_numbers()
    assert "PRIVATE" not in repr(signer)


def test_wrong_site_secret_is_refused_clearly(rt: Runtime) -> None:
    load_signer(rt)
    other = dataclasses.replace(rt, site_secret=secrets.token_bytes(32))
    with pytest.raises(ConfigurationError) as caught:
        load_signer(other)
    assert caught.value.code == "signing_key_undecryptable"


def test_key_of_another_certificate_is_refused(rt: Runtime) -> None:
    load_signer(rt)
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"sentinelle/signing-key"
    ).derive(rt.site_secret)
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    (keys_dir(rt) / "signing.key.pem").write_bytes(
        stranger.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(base64.b64encode(derived)),
        )
    )
    with pytest.raises(ConfigurationError) as caught:
        load_signer(rt)
    assert caught.value.code == "signing_key_mismatch"


def test_group_readable_key_is_refused(rt: Runtime) -> None:
    load_signer(rt)
    (keys_dir(rt) / "signing.key.pem").chmod(0o640)
    with pytest.raises(ConfigurationError) as caught:
        load_signer(rt)
    assert caught.value.code == "unsafe_signing_key_file"


def test_signatures_verify_with_the_certificate(rt: Runtime) -> None:
    signer = load_signer(rt)
    public = signer.certificate.public_key()
    assert isinstance(public, rsa.RSAPublicKey)
    data = b'{"schema": "sentinelle.export/1"}'
    signature = signer.sign_pss(data)
    assert len(signature) == signer.signature_size
    public.verify(signature, data, pss(32), hashes.SHA256())
    with pytest.raises(InvalidSignature):
        public.verify(signature, data + b" ", pss(32), hashes.SHA256())
    digest = hashes.Hash(hashes.SHA256())
    digest.update(data)
    sealed = signer.sign_digest_pss(digest.finalize())
    public.verify(sealed, data, pss(20), hashes.SHA256())
    with pytest.raises(InvalidSignature):  # the salt length is part of the scheme
        public.verify(sealed, data, pss(32), hashes.SHA256())
    with pytest.raises(ValueError, match="32 bytes"):
        signer.sign_digest_pss(b"short")


def openssl_cms_verify(tmp: Path, signature: bytes, data: bytes, ca_pem: bytes) -> int:
    (tmp / "sig.der").write_bytes(signature)
    (tmp / "data.bin").write_bytes(data)
    (tmp / "certificate.pem").write_bytes(ca_pem)
    command = [OPENSSL, "cms", "-verify", "-binary", "-inform", "DER", "-in", "sig.der"]
    command += ["-content", "data.bin", "-CAfile", "certificate.pem", "-purpose", "any"]
    command += ["-out", "/dev/null"]
    return subprocess.run(command, cwd=tmp, capture_output=True, check=False).returncode


def test_cms_detached_signature_verified_by_openssl(rt: Runtime, tmp_path: Path) -> None:
    signer = load_signer(rt)
    data = b"manifest bytes\n" * 100
    signature = signer.sign_cms_detached(data)
    assert openssl_cms_verify(tmp_path, signature, data, signer.certificate_pem()) == 0
    tampered = bytearray(data)
    tampered[17] ^= 0x01
    assert openssl_cms_verify(tmp_path, signature, bytes(tampered), signer.certificate_pem()) != 0


# --- the city's PKI -----------------------------------------------------------------------------


@dataclasses.dataclass
class Pki:
    ca_cert: x509.Certificate
    leaf_cert: x509.Certificate
    leaf_key: rsa.RSAPrivateKey

    def chain_pem(self) -> bytes:
        return b"".join(
            c.public_bytes(serialization.Encoding.PEM) for c in (self.leaf_cert, self.ca_cert)
        )

    def key_pem(self, password: bytes | None) -> bytes:
        encryption: serialization.KeySerializationEncryption = (
            serialization.BestAvailableEncryption(password)
            if password
            else serialization.NoEncryption()
        )
        return self.leaf_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
        )


def _name(cn: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Ville de Valence"),
        ]
    )


def make_pki(now: datetime, bits: int = 2048, valid: timedelta = timedelta(days=730)) -> Pki:
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name("AC Ville de Valence"))
        .issuer_name(_name("AC Ville de Valence"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=30))
        .not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    leaf_key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    leaf = (
        x509.CertificateBuilder()
        .subject_name(_name("CSU Valence — preuves vidéo"))
        .issuer_name(ca.subject)
        .public_key(leaf_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + valid)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    return Pki(ca, leaf, leaf_key)


def test_import_from_the_city_pki_keeps_the_old_pair(
    rt: Runtime, clock: FakeClock, tmp_path: Path
) -> None:
    old = load_signer(rt)
    pki = make_pki(rt.now())
    clock.advance(timedelta(hours=1))
    new = import_certificate(
        rt, ADMIN, pki.chain_pem(), pki.key_pem(b"s3cret"), b"s3cret", reason="PKI de la ville"
    )
    assert new.certificate == pki.leaf_cert
    assert new.certificate_pem() == pki.chain_pem()
    assert load_signer(rt).fingerprint() == new.fingerprint() != old.fingerprint()
    archived = keys_dir(rt) / "signing.20261122T100000Z.crt.pem"
    kept = x509.load_pem_x509_certificates(archived.read_bytes())[0]
    assert signing.fingerprint(kept) == old.fingerprint()
    archived_key = keys_dir(rt) / "signing.20261122T100000Z.key.pem"
    assert b"BEGIN ENCRYPTED PRIVATE KEY" in archived_key.read_bytes()
    assert [name for name, _ in signing.previous_certificates(rt)] == [archived.name]
    assert b"ENCRYPTED" in (keys_dir(rt) / "signing.key.pem").read_bytes()
    imported = journal(rt, AuditAction.SIGNING_CERTIFICATE_IMPORTED)
    assert len(imported) == 1
    details = json.loads(imported[0].details)
    assert details["fingerprint"] == new.fingerprint()
    assert details["previous_fingerprint"] == old.fingerprint()
    assert imported[0].reason == "PKI de la ville"
    assert imported[0].actor_name == ADMIN.name
    data = b"a manifest"
    ca_pem = pki.ca_cert.public_bytes(serialization.Encoding.PEM)
    assert openssl_cms_verify(tmp_path, new.sign_cms_detached(data), data, ca_pem) == 0


def test_import_with_an_unencrypted_key_and_nothing_before(rt: Runtime) -> None:
    pki = make_pki(rt.now())
    signer = import_certificate(rt, ADMIN, pki.chain_pem(), pki.key_pem(None), None)
    assert signer.signature_size == 256
    assert signing.previous_certificates(rt) == []
    assert b"BEGIN ENCRYPTED PRIVATE KEY" in (keys_dir(rt) / "signing.key.pem").read_bytes()
    assert journal(rt, AuditAction.SIGNING_CERTIFICATE_CREATED) == []


def refused_material(now: datetime, case: str) -> tuple[bytes, bytes, bytes]:
    """A certificate, key and password that the import must refuse for `case`."""
    pki = make_pki(now, bits=1024 if case == "small_key" else 2048)
    if case == "expired":
        pki = make_pki(now - timedelta(days=800), valid=timedelta(days=30))
    cert_pem, key_pem, password = pki.chain_pem(), pki.key_pem(b"pw"), b"pw"
    if case == "mismatched_key":
        key_pem = make_pki(now).key_pem(b"pw")
    elif case == "wrong_password":
        password = b"nope"
    elif case == "not_pem":
        cert_pem = b"garbage"
    return cert_pem, key_pem, password


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("mismatched_key", "signing_key_mismatch"),
        ("small_key", "signing_key_too_small"),
        ("expired", "certificate_not_valid"),
        ("wrong_password", "invalid_private_key"),
        ("not_pem", "invalid_certificate"),
    ],
)
def test_import_refusals_leave_the_pair_untouched(rt: Runtime, case: str, code: str) -> None:
    current = load_signer(rt)
    cert_pem, key_pem, password = refused_material(rt.now(), case)
    with pytest.raises(InvalidInput) as caught:
        import_certificate(rt, ADMIN, cert_pem, key_pem, password, reason="essai")
    assert caught.value.code == code
    assert load_signer(rt).fingerprint() == current.fingerprint()
    assert signing.previous_certificates(rt) == []
    assert journal(rt, AuditAction.SIGNING_CERTIFICATE_IMPORTED) == []


def test_read_signer_does_not_create(rt: Runtime) -> None:
    assert not signing.has_signer(rt)
    with pytest.raises(NotFound):
        signing.read_signer(rt)
    assert not (keys_dir(rt) / "signing.crt.pem").exists()


def test_half_a_pair_is_refused(rt: Runtime) -> None:
    load_signer(rt)
    (keys_dir(rt) / "signing.crt.pem").unlink()
    with pytest.raises(ConfigurationError) as caught:
        load_signer(rt)
    assert caught.value.code == "signing_pair_incomplete"


def test_cli_init_show_import(rt: Runtime, tmp_path: Path) -> None:
    env = {
        "SENTINELLE_DATA_DIR": str(rt.settings.resolved_data_dir),
        "SENTINELLE_DATABASE_URL": rt.settings.resolved_database_url,
    }
    runner = CliRunner()

    def run(*args: str) -> tuple[int, str, str]:
        result = runner.invoke(app, list(args), env=env)
        return result.exit_code, result.stdout, result.stderr

    code, _, err = run("signing", "show")
    assert code == 3
    assert "signing_certificate_missing" in err
    code, out, _ = run("signing", "init")
    assert code == 0
    assert "created" in out
    assert "RSA 3072 bits" in out
    code, out, _ = run("signing", "init")
    assert code == 0
    assert "already present" in out
    fingerprint = next(line for line in out.splitlines() if line.startswith("sha-256:"))
    code, out, _ = run("signing", "show")
    assert code == 0
    assert fingerprint in out
    assert "Sentinelle — signature des preuves" in out
    pki = make_pki(datetime.now().astimezone())
    (tmp_path / "leaf.pem").write_bytes(pki.chain_pem())
    (tmp_path / "leaf.key").write_bytes(pki.key_pem(b"pw"))
    (tmp_path / "pw.txt").write_bytes(b"pw\n")
    args = ["signing", "import", "--cert", str(tmp_path / "leaf.pem")]
    args += ["--key", str(tmp_path / "leaf.key"), "--reason", "PKI"]
    code, _, err = run(*args, "--password-file", str(tmp_path / "pw.txt"))
    assert code == 0, err
    code, out, _ = run("signing", "show")
    assert "CSU Valence" in out
    assert "previous:" in out
    assert fingerprint.split()[-1] in out
    code, _, err = run(*args)  # the key needs its password
    assert code == 2
    assert "private_key_password" in err
