"""The HTTP view, against a real server on a free port: routes, MJPEG, health, stalled and many viewers, the page."""
from __future__ import annotations

import http.client
import json
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest

from edge.displays import DisplayError, open_display
from edge.displays.web import BOUNDARY, HttpDisplay
from edge.overlay import SURE, draw
from edge.reading import make_reading, to_json

pytestmark = pytest.mark.timeout(60)  # a display that blocks fails the test instead of hanging the suite

LATEST = {"text": "42", "digits": [{"digit": 4, "confidence": 0.97, "box": [1, 2, 3, 4]}], "time": 1.5, "fps": 30.0}


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def served(clock: FakeClock) -> Iterator[HttpDisplay]:
    display = HttpDisplay("127.0.0.1", 0, stale_after=3.0, clock=clock)
    display.start()
    yield display
    display.stop()


@pytest.fixture(scope="module")
def routes() -> Iterator[HttpDisplay]:
    """One server with one frame shown, for the many route checks that change nothing."""
    display = HttpDisplay("127.0.0.1", 0)
    display.start()
    display.show(numbered(1), LATEST)
    yield display
    display.stop()


def numbered(k: int, noise: bool = False) -> np.ndarray:
    """A frame that says its own number (three 16-level blocks survive JPEG); optional noise makes it big."""
    image = np.zeros((600 if noise else 240, 480, 3), np.uint8)
    for i in range(3):
        image[:120, i * 160:(i + 1) * 160] = (k >> (4 * i) & 15) * 16 + 8
    if noise:
        image[120:] = np.random.default_rng(k).integers(0, 256, (480, 480, 3), dtype=np.uint8)
    return image


def number_of(jpeg: bytes) -> int:
    image = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    assert image is not None, "a part that is not a JPEG"
    return sum(int(image[20:100, i * 160 + 20:i * 160 + 140].mean()) // 16 << (4 * i) for i in range(3))


def get(display: HttpDisplay, path: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    """One request with the path sent exactly as given (no client-side normalising)."""
    conn = http.client.HTTPConnection(*display.address, timeout=10)
    try:
        conn.request(method, path)
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


class Stream:
    """A viewer of /stream.mjpg that parses the multipart parts itself."""

    def __init__(self, display: HttpDisplay) -> None:
        self.conn = http.client.HTTPConnection(*display.address, timeout=10)
        self.conn.request("GET", "/stream.mjpg")
        self.response = self.conn.getresponse()

    def next(self) -> bytes:
        line = self.response.readline()
        while line == b"\r\n":
            line = self.response.readline()
        if not line:
            raise EOFError("stream ended")
        assert line == f"--{BOUNDARY}\r\n".encode()
        headers = {}
        while (line := self.response.readline()) not in (b"\r\n", b""):
            key, value = line.decode().split(":", 1)
            headers[key.lower()] = value.strip()
        assert headers["content-type"] == "image/jpeg"
        return self.response.read(int(headers["content-length"]))

    def close(self) -> None:
        self.conn.close()


def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.005)


def test_open_display_serves_on_a_free_port() -> None:
    display = open_display("http", http="127.0.0.1:0", title="cam <1>")
    display.start()
    try:
        host, port = display.address  # type: ignore[attr-defined]
        assert host == "127.0.0.1" and port > 0
        status, headers, body = get(display, "/")  # type: ignore[arg-type]
        assert status == 200 and headers["content-type"].startswith("text/html")
        assert b"/stream.mjpg" in body and b"/api/latest" in body
        assert b"cam &lt;1&gt;" in body and b"cam <1>" not in body
        assert "script-src 'sha256-" in headers["content-security-policy"]
    finally:
        display.stop()
        display.stop()  # idempotent


def test_binds_loopback_by_default() -> None:
    display = open_display("http")
    assert display.address == ("127.0.0.1", 8080)  # type: ignore[attr-defined]


def test_a_taken_port_is_a_display_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        display = HttpDisplay("127.0.0.1", taken.getsockname()[1])
        with pytest.raises(DisplayError, match="cannot serve HTTP on 127.0.0.1"):
            display.start()


def test_unknown_display_name() -> None:
    with pytest.raises(ValueError, match="unknown display 'tv'.*window, fullscreen, drm, http, none"):
        open_display("tv")


def test_none_display_accepts_frames_and_reports_no_keys() -> None:
    display = open_display("none")
    display.start()
    display.show(numbered(1), LATEST)
    assert display.keys() == []
    display.stop()
    display.stop()


def test_stream_parts_are_the_shown_frames_as_jpegs(served: HttpDisplay) -> None:
    stream = Stream(served)
    try:
        assert stream.response.status == 200
        assert stream.response.getheader("Content-Type") == f"multipart/x-mixed-replace; boundary={BOUNDARY}"
        for k in (5, 6, 300, 4000):
            served.show(numbered(k), LATEST)
            jpeg = stream.next()
            assert jpeg[:2] == b"\xff\xd8" and jpeg[-2:] == b"\xff\xd9"
            assert cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR).shape == (240, 480, 3)
            assert number_of(jpeg) == k
    finally:
        stream.close()


def test_latest_is_the_last_reading_as_json(served: HttpDisplay) -> None:
    status, headers, body = get(served, "/api/latest")
    assert status == 503 and json.loads(body) == {"error": "no frame yet"}
    served.show(numbered(1), {"text": "", "digits": [], "time": 1.0, "fps": 0.0})
    served.show(numbered(2), LATEST)
    status, headers, body = get(served, "/api/latest?poll=1")
    assert status == 200 and headers["content-type"] == "application/json"
    assert headers["cache-control"] == "no-store"
    assert json.loads(body) == LATEST


def test_latest_carries_the_read_json_schema() -> None:
    reading = make_reading([(10, 20, 30, 40)], [[0]], np.eye(10, dtype=np.float32)[[7]], 0.5)
    display = HttpDisplay("127.0.0.1", 0)
    display.start()
    try:
        display.show(draw(numbered(1), reading), {**to_json(reading), "time": 12.5, "fps": 29.9})
        status, _, body = get(display, "/api/latest")
        doc = json.loads(body)
        assert status == 200
        assert doc["text"] == "7" and doc["time"] == 12.5 and doc["fps"] == 29.9
        assert doc["digits"] == [{"digit": 7, "confidence": 1.0, "box": [10, 20, 30, 40]}]
    finally:
        display.stop()


def test_healthz_is_ok_only_while_frames_flow(served: HttpDisplay, clock: FakeClock) -> None:
    status, _, body = get(served, "/healthz")
    assert (status, body) == (503, b"no frame yet\n")
    served.show(numbered(1), LATEST)
    assert get(served, "/healthz")[:3:2] == (200, b"ok\n")
    clock.now += 2.9
    assert get(served, "/healthz")[0] == 200
    clock.now += 2.0
    status, _, body = get(served, "/healthz")
    assert (status, body) == (503, b"no frame for 5 s\n")
    served.show(numbered(2), LATEST)
    assert get(served, "/healthz")[0] == 200


@pytest.mark.parametrize("path", ["/../etc/passwd", "/etc/passwd", "//etc/passwd", "/stream.mjpg/../../etc/passwd",
                                  "/index.html", "/api", "/api/latest/x", "/healthz/", "/%2e%2e/etc/passwd",
                                  "/static/../../../../etc/passwd", "/.git/config"])
def test_other_paths_are_not_found(routes: HttpDisplay, path: str) -> None:
    status, headers, body = get(routes, path)
    assert status == 404
    assert body == b"not found\n"


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "BREW"])
@pytest.mark.parametrize("path", ["/", "/api/latest", "/stream.mjpg", "/nowhere"])
def test_only_get_is_allowed(routes: HttpDisplay, method: str, path: str) -> None:
    status, headers, _ = get(routes, path, method)
    assert status == 405 and headers["allow"] == "GET"
    assert json.loads(get(routes, "/api/latest")[2]) == LATEST  # nothing changed


def test_frames_are_encoded_only_for_viewers_and_at_most_once(served: HttpDisplay) -> None:
    for k in range(10):
        served.show(numbered(k), LATEST)
    assert served.encoded_frames == 0
    streams = [Stream(served) for _ in range(3)]
    try:
        for s in streams:
            assert number_of(s.next()) == 9  # the newest frame, waiting when they came
        assert served.encoded_frames == 1  # one encoding shared by three viewers
        served.show(numbered(10), LATEST)
        assert {number_of(s.next()) for s in streams} == {10}
        assert served.encoded_frames == 2
    finally:
        for s in streams:
            s.close()


def test_a_stalled_viewer_blocks_neither_the_loop_nor_other_viewers(served: HttpDisplay) -> None:
    stalled = socket.socket()
    stalled.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    stalled.connect(served.address)
    stalled.sendall(b"GET /stream.mjpg HTTP/1.0\r\n\r\n")  # ... and never reads
    try:
        wait_until(lambda: served.viewers == 1)
        viewer = Stream(served)
        wait_until(lambda: served.viewers == 2)
        sent = 0
        for k in range(100):  # ~17 MB of noisy frames: far more than the stalled socket's buffers (< 5 MB) hold
            served.show(numbered(k, noise=True), LATEST)
            jpeg = viewer.next()
            assert number_of(jpeg) == k
            sent += len(jpeg)
        viewer.close()
        stalled.setblocking(False)
        buffered = 0
        try:
            while chunk := stalled.recv(1 << 20):
                buffered += len(chunk)
        except BlockingIOError:
            pass
        assert buffered < sent / 2, (buffered, sent)  # it really was stuck, so neither loop nor viewer waited on it
    finally:
        stalled.close()


def test_twenty_viewers_at_once_all_keep_getting_new_frames(served: HttpDisplay) -> None:
    count, parts = 20, 5
    got: dict[int, list[int]] = {}
    errors: list[BaseException] = []
    all_done = threading.Event()
    lock = threading.Lock()

    def watch(i: int) -> None:
        try:
            stream = Stream(served)
            got[i] = [number_of(stream.next()) for _ in range(parts)]
            stream.close()
        except BaseException as exc:  # reported by the test thread
            errors.append(exc)
        with lock:
            if len(got) + len(errors) == count:
                all_done.set()

    threads = [threading.Thread(target=watch, args=(i,), daemon=True) for i in range(count)]
    for t in threads:
        t.start()
    shown = 0
    while not all_done.wait(1 / 120):  # the "camera": a new frame every 8 ms until every viewer has its parts
        served.show(numbered(shown), LATEST)
        shown += 1
        assert shown < 4096, "viewers stopped getting frames"
    assert not errors, errors
    for numbers in got.values():
        assert numbers == sorted(set(numbers))  # always newer frames: no repeats, no backlog replayed
    assert served.encoded_frames <= shown


def test_stop_ends_open_streams(clock: FakeClock) -> None:
    display = HttpDisplay("127.0.0.1", 0, clock=clock)
    display.start()
    stream = Stream(display)
    display.show(numbered(1), LATEST)
    assert number_of(stream.next()) == 1
    display.stop()
    with pytest.raises((EOFError, ConnectionError)):
        while True:
            stream.next()
    stream.close()


CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--virtual-time-budget=2000", "--window-size=1100,700"]


@pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian's chromium is not installed (apt-get install chromium)")
def test_page_in_headless_chromium(tmp_path: Path) -> None:
    """The real page in a real browser: the script fills in the reading, the stream shows the annotated frame."""
    frame = np.full((480, 640, 3), 235, np.uint8)
    reading = make_reading([(100, 150, 60, 90), (200, 150, 60, 90)], [[0, 1]], np.eye(10, dtype=np.float32)[[4, 2]],
                           0.5)
    annotated = draw(frame, reading)
    display = HttpDisplay("127.0.0.1", 0)
    display.start()
    stop = threading.Event()

    def camera() -> None:
        while not stop.wait(1 / 30):
            display.show(annotated, {**to_json(reading), "time": time.time(), "fps": 30.0})

    feeder = threading.Thread(target=camera, daemon=True)
    feeder.start()
    url = "http://%s:%d/" % display.address
    try:
        def chromium(*args: str) -> bytes:
            profile = tmp_path / f"profile{len(list(tmp_path.iterdir()))}"
            return subprocess.run(["chromium", *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args, url],
                                  capture_output=True, timeout=60, check=True).stdout

        dom = chromium("--dump-dom").decode()
        assert '<pre id="reading">42</pre>' in dom  # the script ran (CSP allowed it) and polled /api/latest
        assert "30.0 fps" in dom
        shot = tmp_path / "page.png"
        for _ in range(3):  # the first frame can arrive after the screenshot; then try again
            chromium(f"--screenshot={shot}")
            image = cv2.imread(str(shot))
            assert image is not None and image.std() > 10  # not blank
            box_pixels = np.all(np.abs(image.astype(int) - SURE) < 40, axis=2).sum()
            if box_pixels > 500:  # the annotated frame's green boxes and tags are on the page
                break
        assert box_pixels > 500, f"the stream is not on the page: see {shot}"
    finally:
        stop.set()
        feeder.join()
        display.stop()


def test_a_frame_that_cannot_be_encoded_is_skipped(served: HttpDisplay) -> None:
    stream = Stream(served)
    try:
        served.show(np.zeros((10, 10, 7), np.float64), LATEST)  # no JPEG has seven channels
        wait_until(lambda: served.encoded_frames == 1)  # the encoder tried it, failed, and lives on
        served.show(numbered(3), LATEST)
        assert number_of(stream.next()) == 3
    finally:
        stream.close()
