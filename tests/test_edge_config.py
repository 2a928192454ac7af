"""The live recognizer's config: TOML then flags, every bad value rejected with its key named."""
from __future__ import annotations

from pathlib import Path

import pytest

from edge.config import Config, ConfigError, from_mapping, parse_host_port, resolve


def test_defaults_are_valid() -> None:
    c = Config()
    assert (c.source, c.display, c.http, c.threads) == ("auto", "auto", "127.0.0.1:8080", 1)


def test_toml_then_flags(tmp_path: Path) -> None:
    f = tmp_path / "d.toml"
    f.write_text('source = "/dev/video2"\nthreads = 2\nmin_confidence = 0.7\nrecord = "out.mp4"\n')
    c = resolve(f, {"threads": 4, "source": None})
    assert c.source == "/dev/video2" and c.threads == 4 and c.min_confidence == 0.7
    assert c.record == Path("out.mp4")


def test_digitcam_table_is_accepted(tmp_path: Path) -> None:
    f = tmp_path / "d.toml"
    f.write_text('[digitcam]\ndisplay = "http"\nhttp = "0.0.0.0:9000"\n')
    assert resolve(f, {}).http == "0.0.0.0:9000"


@pytest.mark.parametrize(
    ("values", "key"),
    [
        ({"colour": "red"}, "colour"),
        ({"threads": "2"}, "threads"),
        ({"threads": 0}, "threads"),
        ({"width": True}, "width"),
        ({"min_confidence": 1.5}, "min_confidence"),
        ({"display": "hologram"}, "display"),
        ({"http": "localhost"}, "http"),
        ({"http": "host:99999"}, "http"),
        ({"debug_inset": 1}, "debug_inset"),
        ({"smoothing": 0}, "smoothing"),
    ],
)
def test_bad_values_name_their_key(values: dict, key: str) -> None:
    with pytest.raises(ConfigError, match=f"^{key}:"):
        from_mapping(values)


def test_bad_toml_file(tmp_path: Path) -> None:
    f = tmp_path / "bad.toml"
    f.write_text("threads = = 2")
    with pytest.raises(ConfigError, match="not valid TOML"):
        resolve(f, {})
    with pytest.raises(ConfigError, match="missing.toml"):
        resolve(tmp_path / "missing.toml", {})


def test_host_port() -> None:
    assert parse_host_port("[::1]:8080") == ("::1", 8080)
    assert parse_host_port("127.0.0.1:0") == ("127.0.0.1", 0)
