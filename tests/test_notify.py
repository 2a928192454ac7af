"""The systemd notify protocol against a real datagram socket set as NOTIFY_SOCKET: the Notifier alone, then the
real `python -m edge run` (an image source, and the fake Pi camera unplugged mid-run to stall the source)."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest

from edge.classify import DEFAULT_MODEL
from edge.notify import Notifier

ROOT = Path(__file__).resolve().parents[1]
WATCHDOG_USEC = 200_000  # a WatchdogSec of 0.2 s: the service pings at most every 0.1 s


@pytest.fixture
def listener(tmp_path: Path) -> Iterator[socket.socket]:
    """systemd's side: a datagram socket bound at a path, as NOTIFY_SOCKET names it."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(tmp_path / "notify"))
    yield sock
    sock.close()


def pending(sock: socket.socket) -> list[str]:
    """Every message already queued (a datagram is queued by the time sendto returns), without waiting."""
    messages = []
    sock.setblocking(False)
    try:
        while True:
            messages.append(sock.recv(4096).decode())
    except BlockingIOError:
        return messages
    finally:
        sock.setblocking(True)


def test_outside_systemd_nothing_is_sent() -> None:
    notifier = Notifier.from_env({})
    assert not notifier.enabled and not notifier.send("READY=1")
    notifier.frame()
    notifier.stopping()
    assert not notifier.is_ready


def test_ready_once_with_status_then_stopping(listener: socket.socket) -> None:
    notifier = Notifier.from_env({"NOTIFY_SOCKET": listener.getsockname()})
    notifier.ready("reading frames")
    notifier.ready("again")
    notifier.status("no frame from picamera for 5 s\nsecond line")
    notifier.stopping()
    assert pending(listener) == ["READY=1\nSTATUS=reading frames", "STATUS=no frame from picamera for 5 s",
                                 "STOPPING=1\nSTATUS=stopping"]


def test_abstract_namespace_socket() -> None:
    name = f"digitcam-test-{os.getpid()}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(b"\0" + name.encode())
        Notifier.from_env({"NOTIFY_SOCKET": f"@{name}"}).ready()
        assert pending(sock) == ["READY=1"]


def test_watchdog_pings_at_most_every_half_period(listener: socket.socket) -> None:
    now = [100.0]
    notifier = Notifier(listener.getsockname(), watchdog_usec=1_000_000, clock=lambda: now[0])
    sent = []
    for t in (100.0, 100.2, 100.49, 100.5, 100.7, 101.0, 103.0):
        now[0] = t
        notifier.watchdog()
        sent.append(len(pending(listener)))
    assert sent == [1, 0, 0, 1, 0, 1, 1]


@pytest.mark.parametrize("env", [{}, {"WATCHDOG_USEC": "1000000", "WATCHDOG_PID": "1"}, {"WATCHDOG_USEC": "x"}])
def test_no_watchdog_unless_asked_for_this_process(listener: socket.socket, env: dict[str, str]) -> None:
    notifier = Notifier.from_env({"NOTIFY_SOCKET": listener.getsockname(), **env}, pid=4242)
    notifier.frame()
    notifier.frame()
    assert pending(listener) == ["READY=1\nSTATUS=reading frames"]


def test_watchdog_pid_of_this_process(listener: socket.socket) -> None:
    env = {"NOTIFY_SOCKET": listener.getsockname(), "WATCHDOG_USEC": "1000000", "WATCHDOG_PID": "4242"}
    Notifier.from_env(env, pid=4242).frame()
    assert pending(listener) == ["READY=1\nSTATUS=reading frames", "WATCHDOG=1"]


def test_a_missing_socket_or_odd_address_never_raises(tmp_path: Path) -> None:
    gone = Notifier(str(tmp_path / "no-such-socket"), watchdog_usec=1_000_000)
    gone.frame()
    assert gone.enabled and not gone.is_ready and not gone.send("STATUS=x")
    assert not Notifier.from_env({"NOTIFY_SOCKET": "vsock:2:1234"}).enabled


# The real service process.

needs_model = pytest.mark.skipif(not DEFAULT_MODEL.exists(), reason="no shipped model")


class Recorder:
    """Collect (time, line) from a pipe or (time, message) from a socket on a thread, as they arrive."""

    def __init__(self, read: Callable[[], str]) -> None:
        self.items: list[tuple[float, str]] = []
        self.cond = threading.Condition()
        self._read = read
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        while True:
            try:
                item = self._read()
            except TimeoutError:  # the socket's timeout: nothing yet, look again (until it is closed)
                continue
            except OSError:
                return
            if not item:
                return
            with self.cond:
                self.items.append((time.monotonic(), item.strip()))
                self.cond.notify_all()

    def wait_for(self, predicate: Callable[[list[str]], bool], timeout: float = 60.0) -> list[tuple[float, str]]:
        with self.cond:
            if not self.cond.wait_for(lambda: predicate([m for _, m in self.items]), timeout):
                raise AssertionError(f"timed out; got {[m for _, m in self.items][-20:]}")
            return list(self.items)


def start_service(listener: socket.socket, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    listener.settimeout(0.5)  # so the recording thread notices when the socket is closed
    return subprocess.Popen([sys.executable, "-m", "edge", "run", "--display", "none", *args], cwd=ROOT,
                            env={**os.environ, "NOTIFY_SOCKET": listener.getsockname(),
                                 "WATCHDOG_USEC": str(WATCHDOG_USEC), **(env or {})},
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def stop_service(proc: subprocess.Popen[str], messages: Recorder) -> None:
    """SIGTERM, as systemd stops a unit: STOPPING=1 comes, and the process exits cleanly."""
    proc.send_signal(signal.SIGTERM)
    messages.wait_for(lambda m: "STOPPING=1\nSTATUS=stopping" in m, timeout=20)
    assert proc.wait(timeout=20) == 0


@needs_model
def test_service_ready_at_first_frame_watchdog_while_frames_flow_stopping_on_sigterm(
        tmp_path: Path, listener: socket.socket) -> None:
    image = np.full((240, 320, 3), 235, np.uint8)
    cv2.putText(image, "42", (90, 160), cv2.FONT_HERSHEY_SIMPLEX, 3, (20, 20, 20), 9)
    cv2.imwrite(str(tmp_path / "sheet.png"), image)
    proc = start_service(listener, "--source", str(tmp_path / "sheet.png"))
    messages = Recorder(lambda: listener.recv(4096).decode())
    try:
        got = messages.wait_for(lambda m: m.count("WATCHDOG=1") >= 9)
        stop_service(proc, messages)
    finally:
        proc.kill()
        proc.wait()
    texts = [m for _, m in got]
    assert texts[0] == "READY=1\nSTATUS=reading frames" and texts.count("READY=1\nSTATUS=reading frames") == 1
    assert set(texts[1:]) == {"WATCHDOG=1"}
    pings = [t for t, m in got if m == "WATCHDOG=1"]
    # Rate-limited to one per 0.1 s, though frames come at 30 fps. The median, as a busy test process may read
    # two queued pings back to back.
    assert np.median(np.diff(pings)) >= WATCHDOG_USEC / 2e6 * 0.9


FAKE_CAMERA = """
import signal
from tests.fake_picamera2 import Rig

_rig = Rig(fps=30.0)
_module = _rig.module()
Picamera2, Preview = _module.Picamera2, _module.Preview
signal.signal(signal.SIGUSR1, lambda *_: _rig.unplug())  # the test pulls the ribbon cable
signal.signal(signal.SIGUSR2, lambda *_: _rig.plug())
"""


@needs_model
def test_no_watchdog_while_the_camera_stalls(tmp_path: Path, listener: socket.socket) -> None:
    """The fake Pi camera (as `picamera2` in the subprocess) stops giving frames: pings stop until it is back."""
    (tmp_path / "picamera2.py").write_text(FAKE_CAMERA)
    config = tmp_path / "digitcam.toml"
    config.write_text('source = "picamera"\nwidth = 320\nheight = 240\nstall_seconds = 1.0\n')
    proc = start_service(listener, "--config", str(config), env={"PYTHONPATH": str(tmp_path)})
    assert proc.stderr is not None
    messages = Recorder(lambda: listener.recv(4096).decode())
    log = Recorder(proc.stderr.readline)
    try:
        messages.wait_for(lambda m: m.count("WATCHDOG=1") >= 3)
        proc.send_signal(signal.SIGUSR1)
        stalled = log.wait_for(lambda lines: any("no frame from picamera" in line for line in lines))[-1][0]
        before = messages.wait_for(lambda m: True)
        proc.send_signal(signal.SIGUSR2)
        resumed = messages.wait_for(lambda m: m.count("WATCHDOG=1") >= len(before) + 2)
        stop_service(proc, messages)
    finally:
        proc.kill()
        proc.wait()
    last_ping = max(t for t, m in before if m == "WATCHDOG=1")
    # The loop reports the stall a full stall_seconds (1 s) after the last frame; no ping came in between
    # (the margin allows for this busy test process reading the ping late).
    assert stalled - last_ping > 0.5, (stalled - last_ping, before)
    assert any(t > stalled and m == "WATCHDOG=1" for t, m in resumed)  # back with the camera
    assert [m for _, m in resumed].count("READY=1\nSTATUS=reading frames") == 1
