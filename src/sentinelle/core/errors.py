"""One error hierarchy for the whole system: every failure has a kind and a stable code.

The kind decides how an entry point reports the error (HTTP status, CLI exit code); the code is
a stable, English, machine-readable identifier (``camera_code_taken``) that clients and tests
rely on; the message is for humans. Foreign errors are mapped to these at the adapter.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class ErrorKind(StrEnum):
    """What kind of failure: decides the HTTP status and the CLI exit code."""

    INVALID = "invalid"
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"
    UNAUTHENTICATED = "unauthenticated"
    FORBIDDEN = "forbidden"
    RULE_VIOLATION = "rule_violation"
    UNAVAILABLE = "unavailable"


class SentinelleError(Exception):
    """Base of every error Sentinelle raises on purpose."""

    kind: ErrorKind = ErrorKind.INVALID

    def __init__(self, code: str, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details: dict[str, Any] = details or {}

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class InvalidInput(SentinelleError):
    """The request itself is malformed or out of bounds."""

    kind = ErrorKind.INVALID


class NotFound(SentinelleError):
    """The target does not exist (or is not visible to the actor)."""

    kind = ErrorKind.NOT_FOUND


class Conflict(SentinelleError):
    """The request clashes with existing state (duplicate, stale)."""

    kind = ErrorKind.CONFLICT


class Unauthenticated(SentinelleError):
    """No valid identity: missing session, wrong password, bad MFA code."""

    kind = ErrorKind.UNAUTHENTICATED


class Forbidden(SentinelleError):
    """The identity is known but not allowed to do this."""

    kind = ErrorKind.FORBIDDEN


class RuleViolation(SentinelleError):
    """The request is well formed but a rule of law or of the product forbids it."""

    kind = ErrorKind.RULE_VIOLATION


class Unavailable(SentinelleError):
    """A dependency (database, disk, camera) cannot serve the request now."""

    kind = ErrorKind.UNAVAILABLE


class ConfigurationError(SentinelleError):
    """Settings are missing, unsafe or inconsistent; the process must not start."""

    kind = ErrorKind.INVALID
