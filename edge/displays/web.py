"""The HTTP view: a small page, the annotated stream as MJPEG, the latest reading as JSON, and a health check.

The loop must never wait for a viewer. `show` only keeps a reference to the newest frame; one encoder thread
JPEG-encodes it (once, and only when a viewer is ready for a new frame), and each viewer's thread sends the
newest JPEG it has not sent yet, skipping whatever it missed. A viewer that stops reading blocks only its own thread, until the
socket timeout ends it. Read-only by design: fixed routes, nothing taken from the request is used as a path.
"""
from __future__ import annotations

import base64
import hashlib
import html
import json
import logging
import socket
import socketserver
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import cv2
import numpy as np

from edge.config import parse_host_port
from edge.displays import DisplayError

log = logging.getLogger(__name__)

BOUNDARY = "digitcam-frame"
JPEG_QUALITY = 75
STALE_AFTER = 3.0  # seconds without a frame before /healthz says 503
MAX_STREAMS = 64  # viewers at once; more get 503 rather than exhaust the device's threads
SOCKET_TIMEOUT = 10.0  # a viewer that reads nothing for this long is dropped

__all__ = ["HttpDisplay", "parse_address"]


def parse_address(text: str) -> tuple[str, int]:
    """'127.0.0.1:8080' -> ('127.0.0.1', 8080); '[::1]:0' works too (port 0: any free port)."""
    return parse_host_port(text)


_STYLE = """
body { margin: 0; background: #16181c; color: #e8e8e8; font: 16px system-ui, sans-serif; }
main { display: flex; flex-wrap: wrap; gap: 16px; padding: 16px; align-items: flex-start; }
img { max-width: min(100%, 960px); background: #000; border-radius: 6px; }
#reading { font: bold 64px/1.1 ui-monospace, monospace; white-space: pre; margin: 0; min-height: 1.1em; }
#status { color: #9aa0a6; }
h1 { font-size: 18px; font-weight: 600; margin: 0 0 12px; }
"""

_SCRIPT = """
const readingLine = document.getElementById("reading"), statusLine = document.getElementById("status");
document.getElementById("stream").src = "/stream.mjpg";
async function poll() {
  try {
    const response = await fetch("/api/latest", {cache: "no-store"});
    if (!response.ok) throw new Error("waiting for frames");
    const latest = await response.json();
    readingLine.textContent = latest.text || "";
    statusLine.textContent = (latest.text ? "" : "no digits in view \\u00b7 ") + (latest.fps ?? 0).toFixed(1) + " fps";
  } catch (error) {
    statusLine.textContent = "waiting for frames\\u2026";
  }
  setTimeout(poll, 500);
}
poll();
"""


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


# Only this page's own inline style and script may run; the stream and the JSON come from this server alone.
_CSP = (f"default-src 'none'; img-src 'self'; connect-src 'self'; script-src {_sha256(_SCRIPT)}; "
        f"style-src {_sha256(_STYLE)}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")


def _page(title: str) -> bytes:
    """The viewer: the stream (its src set by the script, so the page's load event does not wait on it)."""
    t = html.escape(title)
    return (f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{t}</title><style>{_STYLE}</style></head><body><main>"
            f'<img id="stream" alt="live camera view with the digits marked">'
            f'<section><h1>{t}</h1><pre id="reading"></pre><p id="status">waiting for frames\u2026</p></section>'
            f"</main><script>{_SCRIPT}</script></body></html>\n").encode()


class _Frames:
    """The newest frame and its JPEG, shared by the loop, the encoder and every viewer under one Condition."""

    def __init__(self, quality: int, clock: Callable[[], float]) -> None:
        self.cond = threading.Condition()
        self.quality = quality
        self.clock = clock
        self.image: np.ndarray | None = None
        self.number = 0  # frames shown
        self.jpeg = b""
        self.jpeg_number = 0  # the frame self.jpeg was encoded from
        self.encoded = 0  # JPEG encodings done: at most one per frame, only when a viewer waits for one
        self.waiting = 0  # viewers waiting for a newer JPEG than the last one
        self.latest: bytes | None = None
        self.last_frame: float | None = None
        self.streams: set[socket.socket] = set()
        self.closed = False

    def put(self, image: np.ndarray, latest: dict[str, Any]) -> None:
        body = json.dumps(latest).encode()
        with self.cond:
            self.image, self.number = image, self.number + 1
            self.latest, self.last_frame = body, self.clock()
            if self.waiting:
                self.cond.notify_all()

    def encode_forever(self) -> None:
        """The encoder thread: JPEG-encode the newest frame when a viewer is waiting for one, never twice."""
        while True:
            with self.cond:
                self.cond.wait_for(lambda: self.closed or (self.waiting > 0 and self.number > self.jpeg_number))
                if self.closed:
                    return
                image, number = self.image, self.number
            try:
                ok, jpeg = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, self.quality])  # type: ignore[arg-type]
            except cv2.error:  # not an image OpenCV can encode: skip it, keep serving the next ones
                ok = False
                log.warning("frame %d could not be JPEG-encoded", number)
            with self.cond:
                self.encoded += 1
                if ok:
                    self.jpeg = jpeg.tobytes()
                self.jpeg_number = number  # even if encoding failed: do not retry the same frame forever
                self.cond.notify_all()

    def next_jpeg(self, sent: int) -> tuple[bytes, int] | None:
        """Wait for a JPEG newer than frame `sent`; None once the display stops."""
        with self.cond:
            self.waiting += 1
            self.cond.notify_all()  # the encoder may have a frame that nobody wanted until now
            try:
                self.cond.wait_for(lambda: self.closed or (self.jpeg_number > sent and bool(self.jpeg)))
            finally:
                self.waiting -= 1
            return None if self.closed else (self.jpeg, self.jpeg_number)

    def close(self) -> None:
        with self.cond:
            self.closed = True
            self.cond.notify_all()
            for sock in self.streams:  # wake viewers stuck in a send: shutdown interrupts it at once
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


class _Handler(BaseHTTPRequestHandler):
    """GET on four fixed routes; every other method is 405, every other path 404."""

    server: _Server
    timeout = SOCKET_TIMEOUT
    server_version = "digitcam"
    sys_version = ""

    def do_GET(self) -> None:  # noqa: N802 (the name http.server dispatches to)
        route = urlsplit(self.path).path
        frames = self.server.frames
        if route == "/":
            self._send(200, self.server.page, "text/html; charset=utf-8", {"Content-Security-Policy": _CSP})
        elif route == "/stream.mjpg":
            self._stream(frames)
        elif route == "/api/latest":
            with frames.cond:
                latest = frames.latest
            if latest is None:
                self._send(503, b'{"error": "no frame yet"}\n', "application/json")
            else:
                self._send(200, latest, "application/json")
        elif route == "/healthz":
            with frames.cond:
                last = frames.last_frame
            if last is not None and frames.clock() - last <= self.server.stale_after:
                self._send(200, b"ok\n", "text/plain; charset=utf-8")
            else:
                why = "no frame yet" if last is None else f"no frame for {frames.clock() - last:.0f} s"
                self._send(503, f"{why}\n".encode(), "text/plain; charset=utf-8")
        else:
            self._send(404, b"not found\n", "text/plain; charset=utf-8")

    def __getattr__(self, name: str) -> Any:
        """Any other method (POST, PUT, HEAD, ...) is refused: nothing here changes state."""
        if name.startswith("do_"):
            return self._not_allowed
        raise AttributeError(name)

    def _not_allowed(self) -> None:
        self._send(405, b"method not allowed\n", "text/plain; charset=utf-8", {"Allow": "GET"})

    def _send(self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self._common_headers(content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _common_headers(self, content_type: str) -> None:
        self.send_header("Content-Type", content_type)
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")

    def _stream(self, frames: _Frames) -> None:
        """Multipart MJPEG: the newest JPEG each time one is ready, until the viewer leaves or the display stops."""
        with frames.cond:
            full = len(frames.streams) >= MAX_STREAMS or frames.closed
            if not full:
                frames.streams.add(self.connection)
        if full:
            self._send(503, b"too many viewers\n", "text/plain; charset=utf-8")
            return
        try:
            self.send_response(200)
            self._common_headers(f"multipart/x-mixed-replace; boundary={BOUNDARY}")
            self.end_headers()
            sent = 0
            while (jpeg := frames.next_jpeg(sent)) is not None:
                data, sent = jpeg
                self.wfile.write(f"--{BOUNDARY}\r\nContent-Type: image/jpeg\r\nContent-Length: {len(data)}\r\n\r\n"
                                 .encode() + data + b"\r\n")
        except OSError:  # the viewer left, stalled past the timeout, or the display stopped
            self.close_connection = True
        finally:
            with frames.cond:
                frames.streams.discard(self.connection)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the base class's name)
        log.debug("%s %s", self.address_string(), format % args)


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # viewers never keep the process alive
    request_queue_size = MAX_STREAMS  # socketserver's 5 drops the rest of a burst of viewers: they retry 1 s later
    frames: _Frames
    page: bytes
    stale_after: float

    def server_bind(self) -> None:
        # HTTPServer looks up the host's FQDN here, which stalls for seconds on a Pi without DNS; it is unused.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = str(self.server_address[0]), int(self.server_address[1])


class _Server6(_Server):
    address_family = socket.AF_INET6


class HttpDisplay:
    """Serve the annotated stream and the latest reading on HOST:PORT (127.0.0.1 unless told otherwise)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 8080, *, title: str = "digitcam",
                 quality: int = JPEG_QUALITY, stale_after: float = STALE_AFTER,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.host, self.port = host, port
        self.title = title
        self.stale_after = stale_after
        self.frames = _Frames(quality, clock)
        self._server: _Server | None = None
        self._threads: list[threading.Thread] = []

    @property
    def address(self) -> tuple[str, int]:
        """Where it listens: the real port once started, even when asked for port 0."""
        if self._server is None:
            return self.host, self.port
        return str(self._server.server_address[0]), int(self._server.server_address[1])

    @property
    def viewers(self) -> int:
        """How many viewers are connected to the stream now."""
        with self.frames.cond:
            return len(self.frames.streams)

    @property
    def encoded_frames(self) -> int:
        """How many JPEG encodings were done (at most one per shown frame, none while nobody streams)."""
        with self.frames.cond:
            return self.frames.encoded

    def start(self) -> None:
        if self._server is not None:
            return
        cls = _Server6 if ":" in self.host else _Server
        try:
            server = cls((self.host, self.port), _Handler)
        except OSError as exc:
            raise DisplayError(f"cannot serve HTTP on {self.host}:{self.port}: {exc.strerror or exc}") from None
        server.frames, server.page, server.stale_after = self.frames, _page(self.title), self.stale_after
        self._server = server
        self._threads = [
            threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, name="http", daemon=True),
            threading.Thread(target=self.frames.encode_forever, name="mjpeg-encoder", daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def show(self, image: np.ndarray, latest: dict[str, Any]) -> None:
        """Keep a reference to `image` (the caller must not draw on it afterwards) and the latest reading."""
        self.frames.put(image, latest)

    def keys(self) -> list[str]:
        return []  # the page is read-only: nothing a viewer does reaches the loop

    def stop(self) -> None:
        if self._server is None:
            return
        server, self._server = self._server, None
        self.frames.close()
        server.shutdown()
        server.server_close()
        for thread in self._threads:
            thread.join()
