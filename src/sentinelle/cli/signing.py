"""`sentinelle signing init|show|import`: the site signing certificate that seals exports."""

from __future__ import annotations

from pathlib import Path

import typer

from sentinelle.cli import common
from sentinelle.core.errors import InvalidInput
from sentinelle.evidence import signing
from sentinelle.evidence.signing import SiteSigner

signing_app = typer.Typer(
    help="The site signing certificate (seals export packages).", no_args_is_help=True
)


@signing_app.command("init")
@common.handle_errors
def init() -> None:
    """Create the site's signing key and self-signed certificate, once (idempotent)."""
    with common.runtime() as rt:
        existed = signing.has_signer(rt)
        signer = signing.load_signer(rt)
    typer.echo("signing certificate already present" if existed else "signing certificate created")
    _describe(signer)


@signing_app.command("show")
@common.handle_errors
def show() -> None:
    """The current signing certificate, and the replaced ones kept for older exports."""
    with common.runtime() as rt:
        signer = signing.read_signer(rt)
        previous = signing.previous_certificates(rt)
    _describe(signer)
    for name, cert in previous:
        typer.echo(f"previous:     {name}  {signing.fingerprint(cert)}")


@signing_app.command("import")
@common.handle_errors
def import_(
    cert: Path = typer.Option(..., "--cert", help="PEM certificate (leaf, then its chain)"),
    key: Path = typer.Option(..., "--key", help="PEM private key (RSA, at least 2048 bits)"),
    password_file: Path | None = typer.Option(
        None, "--password-file", help="file holding the private key's password"
    ),
    reason: str = typer.Option(..., help="why the certificate changes (journalled)"),
) -> None:
    """Install a certificate issued by the city's PKI; the replaced pair is kept."""
    if not reason.strip():
        raise InvalidInput("reason_required", "say why the signing certificate is replaced")
    password = None if password_file is None else _read(password_file).rstrip(b"\r\n")
    cert_pem, key_pem = _read(cert), _read(key)
    with common.runtime() as rt:
        signer = signing.import_certificate(
            rt, common.cli_actor(), cert_pem, key_pem, password, reason=reason.strip()
        )
    typer.echo("signing certificate imported")
    _describe(signer)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InvalidInput("unreadable_file", f"cannot read {path}: {exc.strerror}") from exc


def _describe(signer: SiteSigner) -> None:
    cert = signer.certificate
    typer.echo(f"subject:      {signer.subject()}")
    typer.echo(f"issuer:       {cert.issuer.rfc4514_string()}")
    typer.echo(f"sha-256:      {signer.fingerprint()}")
    typer.echo(
        f"valid:        {cert.not_valid_before_utc:%Y-%m-%d %H:%M} → "
        f"{signer.not_after():%Y-%m-%d %H:%M} UTC"
    )
    typer.echo(f"key:          RSA {signer.signature_size * 8} bits")
