"""A tiny RTSP camera for the capture tests: GStreamer's RTSP server on 127.0.0.1.

Usage: /usr/bin/python3 rtsp_server.py PORT [MOUNT] [WIDTHxHEIGHT] [FPS]

Serves a live H.264 test pattern at rtsp://127.0.0.1:PORT/MOUNT (default /cam). Prints one line,
"ready <port>", once the server listens, and runs until killed. Killing it is how a test simulates a
camera dropping off the network.

Needs the Debian packages gir1.2-gst-rtsp-server-1.0, python3-gi, gstreamer1.0-plugins-base,
-good and -ugly (x264enc). ffmpeg cannot serve RTSP to a client, which is why this is GStreamer.
"""

import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402


def main() -> int:
    port = int(sys.argv[1])
    mount = sys.argv[2] if len(sys.argv) > 2 else "/cam"
    width, height = (int(v) for v in (sys.argv[3] if len(sys.argv) > 3 else "320x240").split("x"))
    fps = int(sys.argv[4]) if len(sys.argv) > 4 else 15

    Gst.init(None)
    missing = [name for name in ("videotestsrc", "x264enc", "rtph264pay") if Gst.ElementFactory.find(name) is None]
    if missing:
        print(f"missing GStreamer elements: {', '.join(missing)} "
              "(apt-get install gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-ugly)",
              file=sys.stderr, flush=True)
        return 2

    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(str(port))

    factory = GstRtspServer.RTSPMediaFactory()
    # key-int-max = fps: a new client waits at most a second for a key frame.
    factory.set_launch(
        f"( videotestsrc is-live=true pattern=smpte ! video/x-raw,width={width},height={height},framerate={fps}/1 "
        f"! x264enc tune=zerolatency speed-preset=ultrafast key-int-max={fps} "
        "! rtph264pay name=pay0 pt=96 config-interval=1 )")
    factory.set_shared(True)
    server.get_mount_points().add_factory(mount, factory)

    if server.attach(None) == 0:
        print(f"cannot listen on 127.0.0.1:{port}", file=sys.stderr, flush=True)
        return 1

    print(f"ready {port}", flush=True)
    GLib.MainLoop().run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
