"""Tell systemd how the service is doing: the sd_notify protocol, one datagram per message to $NOTIFY_SOCKET.

systemd starts a `Type=notify` unit with NOTIFY_SOCKET set (a path, or `@name` in the abstract namespace) and,
when the unit has `WatchdogSec=`, WATCHDOG_USEC. Outside systemd neither is set and every call does nothing,
so the same code runs from a terminal. A lost message must never stop the loop: send errors are only logged.
"""
from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable, Mapping

log = logging.getLogger(__name__)

SEND_TIMEOUT = 1.0  # seconds a send may block when systemd's queue is full; then the message is dropped


class Notifier:
    """READY, WATCHDOG, STOPPING and STATUS messages to one notify socket (None: not under systemd)."""

    def __init__(self, address: str | None, watchdog_usec: int = 0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.address = _socket_address(address)
        self.watchdog_interval = watchdog_usec / 2e6 if self.address is not None else 0.0  # ping at twice the rate
        self.clock = clock
        self.is_ready = False
        self._last_ping: float | None = None
        self._socket: socket.socket | None = None
        self._failed = False  # a send failed already: later failures are logged quietly, not once per frame

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ, pid: int | None = None) -> Notifier:
        """The notifier systemd asked for, or a silent one. WATCHDOG_PID, when set, must be this process."""
        usec = env.get("WATCHDOG_USEC", "")
        watchdog_pid = env.get("WATCHDOG_PID", "")
        mine = not watchdog_pid or watchdog_pid == str(os.getpid() if pid is None else pid)
        return cls(env.get("NOTIFY_SOCKET"), int(usec) if usec.isdigit() and mine else 0)

    @property
    def enabled(self) -> bool:
        return self.address is not None

    def send(self, *fields: str) -> bool:
        """Send `KEY=value` fields as one message; True if it went out."""
        if self.address is None:
            return False
        try:
            if self._socket is None:
                self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
                self._socket.settimeout(SEND_TIMEOUT)
            self._socket.sendto("\n".join(fields).encode(), self.address)
        except OSError as exc:
            log.log(logging.DEBUG if self._failed else logging.WARNING, "systemd notify: %s", exc)
            self._failed = True
            return False
        return True

    def ready(self, status: str | None = None) -> None:
        """Start-up is over (systemd marks the unit started); only the first call sends."""
        if not self.is_ready:
            self.is_ready = self.send("READY=1", *([f"STATUS={status}"] if status else []))

    def watchdog(self) -> None:
        """Keep the watchdog fed: at most one ping per half of WatchdogSec, none when the unit has no watchdog."""
        if not self.watchdog_interval:
            return
        now = self.clock()
        if self._last_ping is None or now - self._last_ping >= self.watchdog_interval:
            if self.send("WATCHDOG=1"):
                self._last_ping = now

    def frame(self) -> None:
        """The loop's `on_frame`: the first frame makes the service ready, every frame feeds the watchdog."""
        self.ready("reading frames")
        self.watchdog()

    def status(self, text: str) -> None:
        """One line for `systemctl status`."""
        self.send(f"STATUS={text.splitlines()[0] if text else ''}")

    def stopping(self) -> None:
        self.send("STOPPING=1", "STATUS=stopping")

    def close(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None


def _socket_address(value: str | None) -> str | bytes | None:
    """NOTIFY_SOCKET as an address for sendto: a path, or `@name` as the abstract name b'\\0name'."""
    if not value:
        return None
    if value.startswith("@"):
        return b"\0" + os.fsencode(value[1:])
    if value.startswith("/"):
        return value
    log.warning("systemd notify: unsupported NOTIFY_SOCKET %r (only paths and @abstract names)", value)
    return None
