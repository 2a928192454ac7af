"""Loopback viewers of the HTTP view's MJPEG stream, for `edge soak`: in a process of their own (so they share no
interpreter lock with the loop they measure), each counts the JPEGs it receives and the longest wait between two;
a slow viewer asks for the stream and never reads a byte. Prints one JSON object when the streams end.

    python -m edge.viewers PORT [--host 127.0.0.1] [--clients 20] [--slow 1] [--seconds 60]
"""
from __future__ import annotations

import argparse
import http.client
import json
import resource
import socket
import threading
import time
from dataclasses import asdict, dataclass

BOUNDARY = b"--digitcam-frame"


@dataclass
class Watched:
    """What one viewer saw: JPEGs received, how long the first took from connecting, the longest gap after."""

    frames: int = 0
    first_s: float | None = None
    max_gap_s: float = 0.0
    error: str | None = None


def _next_jpeg(response: http.client.HTTPResponse) -> bytes | None:
    """The next part of the multipart stream, or None at its end."""
    line = response.readline()
    while line == b"\r\n":
        line = response.readline()
    if not line:
        return None
    if line.rstrip() != BOUNDARY:
        raise ValueError(f"expected a part boundary, got {line[:40]!r}")
    length = None
    while (line := response.readline()) not in (b"\r\n", b""):
        key, _, value = line.decode("latin-1").partition(":")
        if key.strip().lower() == "content-length":
            length = int(value)
    if length is None:
        raise ValueError("a part without Content-Length")
    data = response.read(length)
    if len(data) < length:
        return None
    if not (data.startswith(b"\xff\xd8") and data.endswith(b"\xff\xd9")):
        raise ValueError("a part that is not a whole JPEG")
    return data


def watch(host: str, port: int, until: float, result: Watched) -> None:
    """Read the stream until it ends or `until` (time.monotonic); every problem ends up in `result.error`."""
    last = time.monotonic()
    try:
        conn = http.client.HTTPConnection(host, port, timeout=15)
        conn.request("GET", "/stream.mjpg")
        response = conn.getresponse()
        if response.status != 200:
            result.error = f"HTTP {response.status}"
            return
        while time.monotonic() < until and _next_jpeg(response) is not None:
            now = time.monotonic()
            if result.frames:
                result.max_gap_s = max(result.max_gap_s, now - last)
            else:
                result.first_s = now - last
            result.frames += 1
            last = now
        conn.close()
    except (OSError, ValueError, http.client.HTTPException) as exc:
        result.error = f"{type(exc).__name__}: {exc}"


def stall(host: str, port: int, until: float, done: threading.Event) -> None:
    """A viewer that asks for the stream and never reads: its socket buffers fill, the server must not wait."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.connect((host, port))
        sock.sendall(b"GET /stream.mjpg HTTP/1.1\r\nHost: digitcam\r\n\r\n")
        done.wait(max(0.0, until - time.monotonic()))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m edge.viewers", description=__doc__.splitlines()[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("port", type=int, help="port of the HTTP view")
    p.add_argument("--host", type=str, default="127.0.0.1", help="host of the HTTP view")
    p.add_argument("--clients", type=int, default=20, help="viewers that read the stream")
    p.add_argument("--slow", type=int, default=1, help="viewers that never read")
    p.add_argument("--seconds", type=float, default=60.0, help="stop watching after this long at most")
    args = p.parse_args(argv)
    until = time.monotonic() + args.seconds
    results = [Watched() for _ in range(args.clients)]
    done = threading.Event()
    slow = [threading.Thread(target=stall, args=(args.host, args.port, until, done), daemon=True)
            for _ in range(args.slow)]
    readers = [threading.Thread(target=watch, args=(args.host, args.port, until, r), daemon=True) for r in results]
    for thread in slow + readers:
        thread.start()
    for thread in readers:
        thread.join()
    done.set()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"clients": [asdict(r) for r in results], "cpu_s": round(usage.ru_utime + usage.ru_stime, 2)}),
          flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
