"""Building ISO base media file format boxes (MP4): the generic helpers that the evidence
exports and the live muxer share."""

from __future__ import annotations

import struct


def box(kind: bytes, *payload: bytes) -> bytes:
    """A box of `kind` holding the concatenated payload."""
    body = b"".join(payload)
    return struct.pack(">I4s", 8 + len(body), kind) + body


def full_box(kind: bytes, version: int, flags: int, *payload: bytes) -> bytes:
    return box(kind, struct.pack(">I", (version << 24) | flags), *payload)
