"""Start the loopback RTSP server (tests/support/rtsp_server.py) for a test session."""

from __future__ import annotations

import random
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SERVER = Path(__file__).with_name("rtsp_server.py")
DEBIAN_PYTHON = "/usr/bin/python3"  # the interpreter that has GStreamer's bindings


# Ports a test chooses itself lie below the system's ephemeral range (32768 and up on Linux),
# from which servers binding port 0 — the loopback RTSP server, in every xdist process — get
# theirs: a port found free here and bound a moment later can then not have been handed to
# another process meanwhile (GStreamer's RTSP server reuses addresses: two servers on one
# port would split the connections between them).
_CHOSEN = range(20000, 32000)


def free_port() -> int:
    """A port free on loopback now, outside the ephemeral range (see above)."""
    rng = random.Random()  # noqa: S311 - not for security
    for _ in range(200):
        port = rng.choice(_CHOSEN)
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free loopback port in 20000-31999")


@contextmanager
def rtsp_server(
    clips: dict[str, Path], port: int | None = None, *, h265: bool = False
) -> Iterator[str]:
    """Serve each clip at rtsp://127.0.0.1:PORT/NAME (H.264 clips, or H.265 ones with
    `h265`); yields the base URL."""
    with rtsp_server_process(clips, port, h265=h265) as (base, _):
        yield base


@contextmanager
def rtsp_server_process(
    clips: dict[str, Path], port: int | None = None, *, h265: bool = False
) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """As `rtsp_server`, with the server's process (to freeze it with SIGSTOP, say). Without
    `port`, the server listens on one the system chooses (no race with parallel tests)."""
    codec = ["--h265"] if h265 else []
    mounts = [f"{n}={p}" for n, p in clips.items()]
    args = [DEBIAN_PYTHON, str(SERVER), str(port or 0), *codec, *mounts]
    with subprocess.Popen(args, stdout=subprocess.PIPE, text=True) as server:
        assert server.stdout is not None
        line = server.stdout.readline()
        ready, _, bound = line.strip().partition(" ")
        assert ready == "READY", f"RTSP server did not start: {line!r}"
        try:
            yield f"rtsp://127.0.0.1:{bound}", server
        finally:
            server.kill() if server.poll() is None and _stopped(server) else server.terminate()
            server.wait(10)


def _stopped(server: subprocess.Popen[str]) -> bool:
    """Whether the process is frozen (SIGSTOP): it would not answer SIGTERM."""
    try:
        state = Path(f"/proc/{server.pid}/stat").read_text().split(") ", 1)[1][0]
    except (OSError, IndexError):
        return False
    return state == "T"
