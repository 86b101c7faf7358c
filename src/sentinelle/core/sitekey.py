"""The site secret: a key file generated on first start, and the sealed box built from it.

The key file holds 32 random bytes (base64), mode 0600; it is never logged. Values sealed with
`SecretBox` (camera credentials, later signing keys) are authenticated-encrypted (Fernet) with a
key derived from the site secret for one purpose, so one secret can serve several purposes.
"""

from __future__ import annotations

import base64
import os
import secrets
import stat
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from sentinelle.core.errors import ConfigurationError, Unavailable

_SECRET_BYTES = 32


def load_or_create_secret(path: Path) -> bytes:
    """Return the site secret, creating the key file (0600) if it does not exist yet."""
    if not path.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        encoded = base64.b64encode(secrets.token_bytes(_SECRET_BYTES))
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return load_or_create_secret(path)
        with os.fdopen(fd, "wb") as handle:
            handle.write(encoded + b"\n")
            handle.flush()
            os.fsync(handle.fileno())
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigurationError(
            "unsafe_secret_key_file",
            f"secret key file {path} is readable by other users; run chmod 600 on it",
        )
    try:
        raw = base64.b64decode(path.read_bytes().strip(), validate=True)
    except ValueError as exc:
        raise ConfigurationError(
            "corrupt_secret_key_file", f"secret key file {path} is not valid base64"
        ) from exc
    if len(raw) != _SECRET_BYTES:
        raise ConfigurationError(
            "corrupt_secret_key_file", f"secret key file {path} does not hold a 32-byte key"
        )
    return raw


class SecretBox:
    """Seals and opens small secrets with a key derived from the site secret for `purpose`."""

    def __init__(self, site_secret: bytes, purpose: str) -> None:
        derived = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=purpose.encode()
        ).derive(site_secret)
        self._fernet = Fernet(base64.urlsafe_b64encode(derived))

    def seal(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode("ascii")

    def open(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode()
        except InvalidToken as exc:
            raise Unavailable(
                "secret_undecryptable",
                "a stored secret cannot be decrypted with this site's key file",
            ) from exc
