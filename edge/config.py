"""One typed, strict configuration for the live recognizer: defaults, then a TOML file, then flags.

Every value is checked at start, so a bad config names its key and stops before a camera is opened.
"""
from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from edge.classify import DEFAULT_MODEL
from edge.record import CODECS

DISPLAYS = ("auto", "window", "fullscreen", "drm", "http", "none")
RECORD_SUFFIXES = tuple(CODECS)  # what the recorder can write; anything else is refused at start, not mid-run


class ConfigError(Exception):
    """A setting is unknown, of the wrong type or out of range; the message names the key."""


@dataclass(frozen=True)
class Config:
    """Settings of `python -m edge run`; TOML keys are these field names."""

    source: str = "auto"
    model: Path = DEFAULT_MODEL
    display: str = "auto"
    http: str = "127.0.0.1:8080"
    width: int = 640
    height: int = 480
    threads: int = 1
    min_confidence: float = 0.5
    smoothing: int = 8
    max_frames: int = 0
    record: Path | None = None
    snapshot_dir: Path = Path("snapshots")
    debug_inset: bool = False
    stall_seconds: float = 5.0

    def __post_init__(self) -> None:
        _check_range("width", self.width, 16, 8192)
        _check_range("height", self.height, 16, 8192)
        _check_range("threads", self.threads, 1, 64)
        _check_range("min_confidence", self.min_confidence, 0.0, 1.0)
        _check_range("smoothing", self.smoothing, 1, 120)
        _check_range("max_frames", self.max_frames, 0, 10**12)
        _check_range("stall_seconds", self.stall_seconds, 0.1, 3600.0)
        if self.display not in DISPLAYS:
            raise ConfigError(f"display: must be one of {', '.join(DISPLAYS)}, got {self.display!r}")
        parse_host_port(self.http)
        if self.record is not None and self.record.suffix.lower() not in RECORD_SUFFIXES:
            raise ConfigError(f"record: must name a {' or '.join(RECORD_SUFFIXES)} file, got {str(self.record)!r}")


def _check_range(key: str, value: float, low: float, high: float) -> None:
    if not low <= value <= high:
        raise ConfigError(f"{key}: must be between {low} and {high}, got {value}")


def parse_host_port(text: str) -> tuple[str, int]:
    """'127.0.0.1:8080' -> ('127.0.0.1', 8080); '[::1]:80' works too."""
    host, sep, port = text.rpartition(":")
    if not sep or not host or not (port.isascii() and port.isdigit()) or not 0 <= int(port) <= 65535:
        raise ConfigError(f"http: expected HOST:PORT, got {text!r}")
    return host.strip("[]"), int(port)


_FIELDS = [f.name for f in dataclasses.fields(Config)]
_TYPES: dict[str, tuple[type, ...]] = {
    "source": (str,), "model": (str, Path), "display": (str,), "http": (str,), "width": (int,), "height": (int,),
    "threads": (int,), "min_confidence": (float, int), "smoothing": (int,), "max_frames": (int,),
    "record": (str, Path), "snapshot_dir": (str, Path), "debug_inset": (bool,), "stall_seconds": (float, int),
}


def _coerce(key: str, value: Any) -> Any:
    expected = _TYPES[key]
    if isinstance(value, bool) and bool not in expected or not isinstance(value, expected):
        names = " or ".join(t.__name__ for t in expected if t is not Path)
        raise ConfigError(f"{key}: expected {names}, got {type(value).__name__} {value!r}")
    if isinstance(value, str) and "\0" in value:  # no file name or device can hold one; open() would raise
        raise ConfigError(f"{key}: contains a NUL character")
    if Path in expected:
        return Path(value)
    if float in expected:
        return float(value)
    return value


def from_mapping(values: dict[str, Any]) -> Config:
    """Build a Config from plain values (TOML or flags), rejecting unknown keys and wrong types by name."""
    unknown = sorted(set(values) - set(_FIELDS))
    if unknown:
        key = unknown[0] if unknown[0].isprintable() else repr(unknown[0])  # the error stays one line
        raise ConfigError(f"{key}: unknown setting (known: {', '.join(_FIELDS)})")
    return Config(**{k: _coerce(k, v) for k, v in values.items()})


def load_toml(path: Path) -> dict[str, Any]:
    """Read a TOML file's settings (a `[digitcam]` table or top-level keys)."""
    try:
        content = tomllib.loads(path.read_text())
    except OSError as exc:
        raise ConfigError(f"{path}: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    table = content.get("digitcam", content)
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [digitcam] must be a table")
    return table


def resolve(config_file: Path | None, flags: dict[str, Any]) -> Config:
    """Defaults, overridden by the TOML file, overridden by flags that were given (not None)."""
    values = load_toml(config_file) if config_file else {}
    values.update({k: v for k, v in flags.items() if v is not None})
    return from_mapping(values)
