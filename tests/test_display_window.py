"""The window display on a real X server (Xvfb): the overlay is on screen, keys reach the loop, no desktop is an error.

The window runs in a child process: a GUI toolkit binds to one display for a process's whole life, and one
that cannot connect aborts the process, which must not be pytest's.
"""
from __future__ import annotations

import os
import queue
import select
import shutil
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest

from edge.displays import DisplayError, open_display
from edge.overlay import SURE

pytestmark = pytest.mark.timeout(90)

REPO = Path(__file__).resolve().parents[1]
TITLE = "digitcam-test"
BACKGROUND = (160, 90, 40)  # BGR: a blue no desktop shows by chance
BOX = (100, 150, 60, 90)  # the first digit's box in the frame

CHILD = f"""
import sys, time
import numpy as np
from edge.displays import open_display
from edge.overlay import Stats, draw
from edge.reading import make_reading

display = open_display(sys.argv[1], title={TITLE!r})
display.start()
frame = np.full((480, 640, 3), {BACKGROUND!r}, np.uint8)
reading = make_reading([{BOX!r}, (200, 150, 60, 90)], [[0, 1]], np.eye(10, dtype=np.float32)[[4, 2]], 0.5)
annotated = draw(frame, reading, Stats(fps=30.0, stages={{"classify": 1.0}}))
deadline = time.monotonic() + 30
shown = False
while time.monotonic() < deadline:
    display.show(annotated, {{}})
    if not shown:
        print("ready", flush=True)
        shown = True
    for key in display.keys():
        print(key, flush=True)
        if key == "quit":
            display.stop()
            display.stop()
            sys.exit(0)
    time.sleep(1 / 60)  # a 60 Hz "camera"
display.stop()
sys.exit(2)
"""


def test_keys_have_meanings() -> None:
    from edge.displays.window import key_name

    assert [key_name(ord(c)) for c in "qQ dDsS"] == ["quit", "quit", "pause", "debug", "debug", "snapshot",
                                                      "snapshot"]
    assert key_name(27) == "quit"  # Esc
    assert key_name(-1) is None and key_name(ord("x")) is None


def test_no_desktop_is_a_one_line_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    display = open_display("window")
    with pytest.raises(DisplayError, match="DISPLAY is not set.*--display http or none"):
        display.start()
    display.stop()  # nothing opened: still safe


@pytest.fixture(scope="module")
def xserver() -> Iterator[str]:
    """A private X desktop: Xvfb and the openbox window manager, as on any desktop or kiosk.

    Without a window manager full screen is never granted, and Qt leaves a new window black far more often
    (see `wait_for_screen`). Each program reports readiness itself (Xvfb writes its display number, openbox
    runs its --startup command): no guessing, no sleeping.
    """
    for tool, package in (("Xvfb", "xvfb"), ("xwd", "x11-apps"), ("openbox", "openbox"), ("xdotool", "xdotool")):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed (apt-get install {package})")
    read_end, write_end = os.pipe()
    server = subprocess.Popen(["Xvfb", "-displayfd", str(write_end), "-screen", "0", "1600x1200x24", "-nolisten", "tcp"],
                              pass_fds=(write_end,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_end)
    with os.fdopen(read_end) as pipe:
        number = pipe.readline().strip() if select.select([pipe], [], [], 30)[0] else ""
    if not number.isdigit():
        server.kill()
        pytest.fail("Xvfb did not start")
    display = f":{number}"
    manager = subprocess.Popen(["openbox", "--sm-disable", "--startup", "echo openbox-ready"], text=True,
                               env={**os.environ, "DISPLAY": display}, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL)
    ready = threading.Event()

    def read_messages() -> None:  # openbox also prints its messages on stdout: keep reading so it never blocks
        assert manager.stdout is not None
        for line in manager.stdout:
            if line.strip() == "openbox-ready":
                ready.set()

    threading.Thread(target=read_messages, daemon=True).start()
    try:
        assert ready.wait(30), "openbox did not start"
        yield display
    finally:
        manager.terminate()
        manager.wait(10)
        server.terminate()
        server.wait(10)


class Child:
    """The display in its own process; its stdout lines arrive on a queue so the test can wait for each one."""

    def __init__(self, display: str, mode: str) -> None:
        env = {**os.environ, "DISPLAY": display, "PYTHONPATH": str(REPO), "QT_QPA_PLATFORM": "xcb"}
        env.pop("WAYLAND_DISPLAY", None)
        self.errors = tempfile.TemporaryFile("w+")  # a file, not a pipe: Qt's chatter can never block the child
        self.proc = subprocess.Popen([sys.executable, "-c", CHILD, mode], env=env, cwd=REPO, text=True,
                                     stdout=subprocess.PIPE, stderr=self.errors)
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.strip())

    def next_line(self, timeout: float) -> str | None:
        """The child's next line, or None when none came within `timeout` seconds."""
        try:
            return self.lines.get(timeout=timeout)
        except queue.Empty:
            return None

    def expect(self, line: str, timeout: float = 30) -> None:
        got = self.next_line(timeout)
        if got is None:
            self.proc.kill()
            self.proc.wait(10)
            self.errors.seek(0)
            raise AssertionError(f"no {line!r} from the display: {self.errors.read()[-2000:]}")
        assert got == line

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
        self.proc.wait(10)
        self.errors.close()


def screenshot(display: str) -> np.ndarray:
    """The whole X screen as BGR, from `xwd` (ZPixmap, 24-bit TrueColor: blue in the lowest byte)."""
    data = subprocess.run(["xwd", "-root", "-silent", "-display", display], capture_output=True, check=True,
                          timeout=30).stdout
    field = struct.unpack(">25I", data[:100])
    header, depth, width, height = field[0], field[3], field[4], field[5]
    byte_order, bits, line, colours = field[7], field[11], field[12], field[19]
    if depth != 24 or bits not in (24, 32) or field[14:17] != (0xFF0000, 0xFF00, 0xFF):
        pytest.skip(f"unexpected xwd format: depth {depth}, {bits} bits per pixel")
    rows = np.frombuffer(data, np.uint8, count=height * line, offset=header + colours * 12).reshape(height, line)
    pixels = rows[:, :width * bits // 8].reshape(height, width, bits // 8)
    bgr = pixels[:, :, :3] if byte_order == 0 else pixels[:, :, ::-1][:, :, :3]
    return np.ascontiguousarray(bgr)


def near(image: np.ndarray, colour: tuple[int, int, int], tolerance: int = 0) -> np.ndarray:
    return np.all(np.abs(image.astype(np.int16) - colour) <= tolerance, axis=2)


def wait_for_screen(display: str, shot: Path, condition: Callable[[np.ndarray], bool]) -> np.ndarray:
    """Screenshots until `condition` holds (mapping and painting a window take a moment); the last is saved.

    opencv-python's bundled Qt now and then misses a new window's first Expose and leaves it black
    (opencv/opencv-python#362; here a few windows in a hundred: Qt waits for a MapNotify it never saw). After
    3 s the window is unmapped and mapped once, so the test checks what this project draws, not that Qt bug.
    """
    started = time.monotonic()
    remapped = False
    while not (done := condition(image := screenshot(display))) and time.monotonic() < started + 20:
        if not remapped and time.monotonic() > started + 3:
            xdotool(display, "search", "--name", f"^{TITLE}$", "windowunmap", "--sync", "%@", "windowmap", "--sync",
                    "%@")
            remapped = True
    cv2.imwrite(str(shot), image)
    assert done, f"not on screen in time: see {shot}"
    return image


@pytest.fixture
def window(xserver: str) -> Iterator[Child]:
    child = Child(xserver, "window")
    yield child
    child.close()


def test_window_shows_the_overlay(xserver: str, window: Child, tmp_path: Path) -> None:
    window.expect("ready")
    def whole_frame(image: np.ndarray) -> bool:  # painted completely, at its own size: one pixel per pixel
        ys, xs = np.nonzero(near(image, BACKGROUND))
        return len(ys) > 280_000 and (np.ptp(ys) + 1, np.ptp(xs) + 1) == (480, 640)

    image = wait_for_screen(xserver, tmp_path / "window.png", whole_frame)
    ys, xs = np.nonzero(near(image, BACKGROUND))
    top, left = ys.min(), xs.min()
    x, y, w, h = BOX
    sure = near(image, SURE)
    assert sure[top + y + h // 2, left + x] and sure[top + y + h // 2, left + x + w - 1]  # the box's sides
    assert sure[top + y - 5, left + x + 30]  # its tag
    assert (image[top + y + 10:top + y + h - 10, left + x + 10:left + x + w - 10] == BACKGROUND).all()
    reading_panel = image[top + 8:top + 60, left + 8:left + 60]
    assert (reading_panel.max(axis=2) > 200).any() and (reading_panel.max(axis=2) < 80).any()  # white on dark


def xdotool(display: str, *args: str) -> str:
    return subprocess.run(["xdotool", *args], env={**os.environ, "DISPLAY": display}, capture_output=True, text=True,
                          timeout=30, check=True).stdout


def press(display: str, *keys: str) -> None:
    """Focus the test window as a click would, then type; at a person's pace, as HighGUI keeps one key
    between two waitKey calls (xdotool's default is 12 ms a key)."""
    xdotool(display, "search", "--sync", "--name", f"^{TITLE}$", "windowactivate", "--sync")
    xdotool(display, "key", "--delay", "150", *keys)


def press_until(display: str, window: Child, keys: tuple[str, ...], meaning: str) -> None:
    """Press `keys` until the loop reports a line, which must be `meaning`. A key the X server never handed to
    the window (as the close request in one CI run) is pressed again, as a person would, three times at most."""
    for _ in range(3):
        press(display, *keys)
        if (got := window.next_line(10)) is not None:
            break
    assert got == meaning


def test_keys_reach_the_loop(xserver: str, window: Child) -> None:
    window.expect("ready")
    for key, meaning in (("space", "pause"), ("d", "debug"), ("s", "snapshot")):
        press_until(xserver, window, (key,), meaning)
    press_until(xserver, window, ("x", "Escape"), "quit")  # x means nothing: the next line is Esc's, which quits
    assert window.proc.wait(10) == 0


def test_closing_the_window_quits(xserver: str, window: Child) -> None:
    """openbox closes the window on Alt+F4, as its title bar's close button would.

    A person whose click did nothing clicks again, and so does this test: in one CI run (stop 33's) the first
    request never reached the window and no line came at all; 25 runs here, some on a loaded machine, never.
    """
    window.expect("ready")
    press_until(xserver, window, ("alt+F4",), "quit")
    assert window.proc.wait(10) == 0


def test_fullscreen_covers_the_screen(xserver: str) -> None:
    child = Child(xserver, "fullscreen")
    try:
        child.expect("ready")
        deadline = time.monotonic() + 20
        while (size := window_size(xserver)) != (1600, 1200) and time.monotonic() < deadline:
            pass
        assert size == (1600, 1200)  # the whole screen, without a frame; what it shows is checked above
    finally:
        child.close()


def window_size(display: str) -> tuple[int, int]:
    geometry = xdotool(display, "search", "--name", f"^{TITLE}$", "getwindowgeometry", "--shell", "%@")
    values = dict(line.split("=", 1) for line in geometry.split())
    return int(values["WIDTH"]), int(values["HEIGHT"])
