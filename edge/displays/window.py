"""A desktop window (webcam mode) or the kiosk's full screen, through OpenCV's HighGUI."""
from __future__ import annotations

import os
import sys
from typing import Any

import cv2
import numpy as np

from edge.displays import DisplayError

KEYMAP = {ord("q"): "quit", ord("Q"): "quit", 27: "quit", ord(" "): "pause",
          ord("d"): "debug", ord("D"): "debug", ord("s"): "snapshot", ord("S"): "snapshot"}


def key_name(code: int) -> str | None:
    """What a `cv2.waitKey` code means to the loop, or None for no key or one without a meaning."""
    return KEYMAP.get(code)


class WindowDisplay:
    """One resizable window (or a full-screen one); keys are read in `show`, where HighGUI pumps its events."""

    def __init__(self, title: str, fullscreen: bool = False) -> None:
        self.title = title
        self.fullscreen = fullscreen
        self._pending: list[str] = []
        self._open = False
        self._sized = False

    def start(self) -> None:
        # Without a desktop the GUI toolkit aborts the whole process; say so first, in one line.
        if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
            raise DisplayError("no desktop to open a window on (DISPLAY is not set): use --display http or none")
        flags = cv2.WINDOW_NORMAL | cv2.WINDOW_KEEPRATIO | cv2.WINDOW_GUI_NORMAL  # no toolbar: just the picture
        try:
            cv2.namedWindow(self.title, flags)
            if self.fullscreen:  # granted by the window manager or compositor, as on any desktop or kiosk
                cv2.setWindowProperty(self.title, cv2.WND_PROP_FULLSCREEN, cv2.WINDOW_FULLSCREEN)
        except cv2.error as exc:  # an OpenCV built without HighGUI (opencv-python-headless)
            raise DisplayError(f"this OpenCV cannot open windows ({str(exc).strip().splitlines()[-1]}): "
                               "use --display http or none") from None
        self._open = True

    def show(self, image: np.ndarray, latest: dict[str, Any]) -> None:
        if not self._open:
            return
        if not self._sized and not self.fullscreen:  # one camera pixel per screen pixel to begin with
            cv2.resizeWindow(self.title, image.shape[1], image.shape[0])
            self._sized = True
        cv2.imshow(self.title, image)
        key = key_name(cv2.waitKey(1))
        if key:
            self._pending.append(key)
        if self._closed_by_user():
            self._pending.append("quit")
            self._open = False

    def _closed_by_user(self) -> bool:
        try:
            return cv2.getWindowProperty(self.title, cv2.WND_PROP_VISIBLE) < 1
        except cv2.error:  # some backends raise once the window is gone
            return True

    def keys(self) -> list[str]:
        pending, self._pending = self._pending, []
        return pending

    def stop(self) -> None:
        if self._open:
            self._open = False
            try:
                cv2.destroyWindow(self.title)
                cv2.waitKey(1)  # let the toolkit take the window off the screen now
            except cv2.error:
                pass
