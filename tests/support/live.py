"""A reader of an ingest worker's live socket (the API's side of `livewire`), for tests and
benchmarks."""

from __future__ import annotations

import socket
from pathlib import Path

from sentinelle.ingest.livewire import HEADER, Frame, StreamChoice, parse_header, request_line


class FeedReader:
    def __init__(self, path: Path, camera_id: int, stream: StreamChoice = StreamChoice.MAIN):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(10)
        self.sock.connect(str(path))
        self.sock.sendall(request_line(camera_id, stream))

    def frame(self) -> Frame:
        kind, keyframe, arrived, length = parse_header(self._exactly(HEADER.size))
        return Frame(kind, keyframe, arrived, self._exactly(length))

    def frames(self, count: int) -> list[Frame]:
        return [self.frame() for _ in range(count)]

    def close(self) -> None:
        self.sock.close()

    def _exactly(self, size: int) -> bytes:
        data = b""
        while len(data) < size:
            chunk = self.sock.recv(size - len(data))
            if not chunk:
                raise EOFError("the feed ended")
            data += chunk
        return data
