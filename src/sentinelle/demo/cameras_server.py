"""The demo town's simulated cameras: GStreamer's RTSP server with one live H.264 pipeline
per mount, as a real camera serves its stream.

Run by Debian's /usr/bin/python3 (the GStreamer bindings, `gi`, are Debian packages and are
not in the project's virtual environment), so this file imports nothing from Sentinelle; the
pipelines are described by `sentinelle.demo.cameras`. Protocol: a JSON document on stdin,
`{"port": N, "parent": PID, "mounts": {"name": "gst-launch description", ...}}`; prints
READY on stdout once it listens, or ERROR and why, and exits 1 (GStreamer's own messages go
to stderr). It quits on SIGTERM or
SIGINT, and when its parent process is gone (never left orphaned).
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import signal
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402

PR_SET_PDEATHSIG = 1


def main() -> int:
    spec = json.load(sys.stdin)
    parent = int(spec["parent"])
    _die_with(parent)
    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(str(spec["port"]))
    points = server.get_mount_points()
    for name, description in spec["mounts"].items():
        try:  # a missing element (plugin not installed) shows now, not at the first client
            Gst.parse_launch(description).set_state(Gst.State.NULL)
        except GLib.Error as exc:
            print(f"ERROR camera {name}: {exc.message}", flush=True)  # noqa: T201
            return 1
        factory = GstRtspServer.RTSPMediaFactory()
        factory.set_launch(f"( {description} )")
        factory.set_shared(True)  # one encoder per camera, whoever watches it
        points.add_factory(f"/{name}", factory)
    if server.attach(None) == 0:
        print(f"ERROR cannot listen on 127.0.0.1:{spec['port']} (in use?)", flush=True)  # noqa: T201
        return 1
    loop = GLib.MainLoop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        GLib.unix_signal_add(GLib.PRIORITY_HIGH, signum, _quit, loop)
    GLib.timeout_add_seconds(1, _parent_alive, parent, loop)
    print("READY", flush=True)  # noqa: T201 - the protocol with sentinelle.demo.cameras
    loop.run()
    return 0


def _die_with(parent: int) -> None:
    """Ask the kernel for SIGTERM when the parent dies (Linux), and check it is alive now."""
    with contextlib.suppress(OSError, AttributeError):  # not Linux: the periodic check will
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    if os.getppid() != parent:
        sys.exit(0)


def _parent_alive(parent: int, loop: GLib.MainLoop) -> bool:
    if os.getppid() != parent:
        loop.quit()
        return False
    return True


def _quit(loop: GLib.MainLoop) -> bool:
    loop.quit()
    return False


if __name__ == "__main__":
    sys.exit(main())
