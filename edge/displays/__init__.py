"""Where annotated frames go: a desktop window, the kiosk's full screen, the Pi camera's DRM preview on a
screen without a desktop, an HTTP view, or nowhere.

Every display has the same four calls so the loop never knows which one it drives. Each is imported only
when chosen: a headless Pi serving HTTP never loads a GUI toolkit.
"""
from __future__ import annotations

from typing import Any, Protocol

import numpy as np

NAMES = ("window", "fullscreen", "drm", "http", "none")
KEYS = ("quit", "pause", "debug", "snapshot")


class DisplayError(Exception):
    """A display that cannot start (no desktop, port taken); the message says why in one line."""


class Display(Protocol):
    def start(self) -> None:
        """Open the window or bind the port; raises DisplayError when it cannot."""

    def show(self, image: np.ndarray, latest: dict[str, Any]) -> None:
        """Present one annotated BGR frame and the latest reading (the `read --json` schema plus time and fps).

        Never waits for a viewer. A display may keep `image` until the next call: do not draw on it afterwards.
        """

    def keys(self) -> list[str]:
        """Key presses since the last call, by meaning: 'quit', 'pause', 'debug', 'snapshot'."""

    def stop(self) -> None:
        """Close everything; safe to call more than once."""


def open_display(name: str, *, http: str = "127.0.0.1:8080", title: str = "digitcam", source: Any = None) -> Display:
    """The display called `name`; `http` is HOST:PORT for the HTTP view, `title` names the window, `source` is
    the (not yet started) source whose camera the DRM preview shows."""
    if name in ("window", "fullscreen"):
        from edge.displays.window import WindowDisplay
        return WindowDisplay(title, fullscreen=name == "fullscreen")
    if name == "drm":
        from edge.displays.drm import DrmDisplay
        return DrmDisplay(source)
    if name == "http":
        from edge.displays.web import HttpDisplay, parse_address
        host, port = parse_address(http)
        return HttpDisplay(host, port, title=title)
    if name == "none":
        from edge.displays.null import NullDisplay
        return NullDisplay()
    raise ValueError(f"unknown display {name!r}: choose one of {', '.join(NAMES)}")
