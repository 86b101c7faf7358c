"""A real RTSP server for the tests: GStreamer's RTSP server (Debian packages), serving H.264
(or, with `--h265`, H.265: an HEVC camera) clips over RTP at real time. Runs under Debian's
/usr/bin/python3, which has the GStreamer bindings:
`rtsp_server.py PORT [--h265] NAME=CLIP.mp4 ...`; prints `READY <port>` when it listens (PORT 0:
a free port the system chooses, so that parallel test processes never race for one)."""

import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402


def main() -> None:
    Gst.init(None)
    port, mounts = sys.argv[1], sys.argv[2:]
    codec = "h264"
    if mounts and mounts[0] == "--h265":
        codec, mounts = "h265", mounts[1:]
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(port)
    points = server.get_mount_points()
    for mount in mounts:
        name, clip = mount.split("=", 1)
        factory = GstRtspServer.RTSPMediaFactory()
        factory.set_launch(
            f'( filesrc location="{clip}" ! qtdemux ! {codec}parse config-interval=-1 '
            f"! rtp{codec}pay name=pay0 pt=96 )"
        )
        factory.set_shared(True)
        points.add_factory(f"/{name}", factory)
    if server.attach(None) == 0:
        print(f"FAILED cannot listen on port {port}", flush=True)  # noqa: T201
        sys.exit(1)
    print(f"READY {server.get_bound_port()}", flush=True)  # noqa: T201 - the fixture's protocol
    GLib.MainLoop().run()


if __name__ == "__main__":
    main()
