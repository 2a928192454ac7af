"""Bad settings that used to end in a traceback, now refused at start with the key named (exit 2, one line).
(Unknown keys, wrong types and ranges in general are in test_edge_config.py and test_live.py.)"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from edge import cli
from edge.classify import DEFAULT_MODEL

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(not DEFAULT_MODEL.exists(), reason="no shipped model")


@pytest.mark.parametrize(("flags", "line"), [
    (["--record", "out.mkv"], "edge: error: record: must name a .mp4 or .avi file, got 'out.mkv'"),
    (["--record", ""], "edge: error: record: must name a .mp4 or .avi file, got '.'"),
    (["--http", "127.0.0.1:\u00b2"], "edge: error: http: expected HOST:PORT, got '127.0.0.1:\u00b2'"),
    (["--http", "127.0.0.1:\u0663"], "edge: error: http: expected HOST:PORT, got '127.0.0.1:\u0663'"),
])
def test_bad_flags_stop_the_run_before_anything_opens(flags: list[str], line: str,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    for command in (["run", "--check-config"], ["run", "--source", "/dev/video57", "--display", "none"]):
        code = cli.main([*command, *flags])
        err = capsys.readouterr().err
        assert code == 2 and err.splitlines() == [line], err


@pytest.mark.parametrize(("toml", "line"), [
    ('source = "camera\\u0000"\n', "edge: error: source: contains a NUL character"),
    ('record = "clip\\u0000.mp4"\n', "edge: error: record: contains a NUL character"),
    ('model = "m\\u0000.tflite"\n', "edge: error: model: contains a NUL character"),
    ('"bad\\nkey" = 1\n', "edge: error: 'bad\\nkey': unknown setting"),
])
def test_bad_toml_values_name_their_key_in_one_line(tmp_path: Path, toml: str, line: str) -> None:
    config = tmp_path / "digitcam.toml"
    config.write_text(toml)
    result = subprocess.run([sys.executable, "-m", "edge", "run", "--config", str(config), "--display", "none"],
                            cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[0].startswith(line), result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
