"""The live feed's wire format, between an ingest worker and the API (Unix socket) and from the
API to the browser (one WebSocket binary message per frame, the same bytes).

A client sends one request line, JSON: `{"camera_id": 12, "stream": "main"}` (or "sub"), then
reads frames until it closes the connection. A frame is a 14-byte header, big-endian
(kind: u8, flags: u8, arrived: i64 Unix microseconds, length: u32), then `length` bytes:

- INIT (1): an init segment. Payload: codec string length (u8), the codec string (ASCII, RFC
  6381, e.g. `avc1.64001f`), then the ftyp + moov bytes.
- FRAGMENT (2): one moof + mdat; flags bit 0: it starts with a keyframe.
- ERROR (3): JSON `{"code": ..., "message": ...}`; the server then closes.

`arrived` is the instant the ingest worker received the frame's packet (for an INIT, that of
the keyframe it precedes), on the worker's clock: receivers measure the delay against it.
"""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass
from enum import IntEnum, StrEnum
from pathlib import Path
from typing import Any

HEADER = struct.Struct(">BBqI")
KEYFRAME_FLAG = 1
REQUEST_MAX = 4096


class FrameKind(IntEnum):
    INIT = 1
    FRAGMENT = 2
    ERROR = 3


class StreamChoice(StrEnum):
    MAIN = "main"
    SUB = "sub"


@dataclass(frozen=True, slots=True)
class Frame:
    kind: FrameKind
    keyframe: bool
    arrived_us: int
    payload: bytes

    def encode(self) -> bytes:
        flags = KEYFRAME_FLAG if self.keyframe else 0
        return HEADER.pack(self.kind, flags, self.arrived_us, len(self.payload)) + self.payload

    @property
    def starts_gop(self) -> bool:
        return self.kind is FrameKind.FRAGMENT and self.keyframe


def init_frame(codec: str, data: bytes, arrived_us: int) -> Frame:
    name = codec.encode("ascii")
    return Frame(FrameKind.INIT, False, arrived_us, bytes([len(name)]) + name + data)


def error_frame(code: str, message: str) -> Frame:
    body = json.dumps({"code": code, "message": message}).encode()
    return Frame(FrameKind.ERROR, False, 0, body)


def parse_header(header: bytes) -> tuple[FrameKind, bool, int, int]:
    kind, flags, arrived, length = HEADER.unpack(header)
    return FrameKind(kind), bool(flags & KEYFRAME_FLAG), arrived, length


def decode(data: bytes) -> Frame:
    """A whole frame (header and payload), as a WebSocket message carries it."""
    kind, keyframe, arrived, length = parse_header(data[: HEADER.size])
    return Frame(kind, keyframe, arrived, data[HEADER.size : HEADER.size + length])


def init_codec(payload: bytes) -> tuple[str, bytes]:
    """The codec string and the init segment of an INIT frame's payload."""
    size = payload[0]
    return payload[1 : 1 + size].decode("ascii"), payload[1 + size :]


def request_line(camera_id: int, stream: StreamChoice) -> bytes:
    return json.dumps({"camera_id": camera_id, "stream": str(stream)}).encode() + b"\n"


def parse_request(line: bytes) -> tuple[int, StreamChoice]:
    raw: Any = json.loads(line)
    camera_id = raw["camera_id"]
    if not isinstance(camera_id, int):
        raise ValueError("camera_id")
    return camera_id, StreamChoice(raw.get("stream", "main"))


def socket_path(data_dir: Path, shard_index: int) -> Path:
    """Where ingest worker `shard_index` serves the live feeds of its cameras."""
    return data_dir / "run" / f"ingest-{shard_index}.sock"
