"""The kiosk's systemd units, autostart entry and default config: checked by systemd's own tools and by the CLI.

`systemd-analyze verify` checks that each command exists, so the units are verified with /opt/digitcam moved to
a temporary prefix holding an executable where the venv's python will be (as install.sh --prefix moves it).
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from edge.classify import DEFAULT_MODEL
from edge.config import Config

ROOT = Path(__file__).resolve().parents[1]
SYSTEMD = ROOT / "systemd"
UNIT = SYSTEMD / "digitcam.service"
USER_UNIT = SYSTEMD / "digitcam-desktop.service"
MAX_EXPOSURE = 2.0  # `systemd-analyze security` of the kiosk unit: 1.4; 9.2 (UNSAFE) with only User= of the hardening

needs_analyze = pytest.mark.skipif(shutil.which("systemd-analyze") is None,
                                   reason="systemd-analyze missing (make test-tools installs systemd)")


def directives(unit: Path) -> list[tuple[str, str, str]]:
    """(section, key, value) of every line, in order; repeated keys stay separate, as systemd reads them."""
    section, found = "", []
    for line in unit.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line.strip("[]")
        else:
            key, _, value = line.partition("=")
            found.append((section, key.strip(), value.strip()))
    return found


def values(unit: Path, key: str) -> list[str]:
    return [v for _, k, v in directives(unit) if k == key]


@pytest.fixture
def prefix(tmp_path: Path) -> Path:
    """Where install.sh --prefix would put the app: just the venv's python, executable."""
    python = tmp_path / "opt" / "digitcam" / "venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text("#!/bin/sh\nexit 0\n")
    python.chmod(0o755)
    return tmp_path / "opt" / "digitcam"


def moved(unit: Path, prefix: Path, out: Path) -> Path:
    out.mkdir(exist_ok=True)
    target = out / unit.name
    target.write_text(unit.read_text().replace("/opt/digitcam", str(prefix)))
    return target


def analyze(*args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    runtime = tmp_path / "runtime"  # the user manager's runtime directory, for --user
    runtime.mkdir(mode=0o700, exist_ok=True)
    env = {**os.environ, "XDG_RUNTIME_DIR": os.environ.get("XDG_RUNTIME_DIR", str(runtime)), "SYSTEMD_PAGER": ""}
    return subprocess.run(["systemd-analyze", *args], capture_output=True, text=True, env=env, timeout=60)


@needs_analyze
@pytest.mark.parametrize(("unit", "mode"), [(UNIT, []), (USER_UNIT, ["--user"])])
def test_units_verify_clean(unit: Path, mode: list[str], prefix: Path, tmp_path: Path) -> None:
    result = analyze(*mode, "verify", str(moved(unit, prefix, tmp_path / "units")), tmp_path=tmp_path)
    assert result.returncode == 0 and not result.stdout.strip() and not result.stderr.strip(), result


@needs_analyze
def test_verify_does_catch_a_broken_unit(prefix: Path, tmp_path: Path) -> None:
    """The check above can fail: a typo'd key and a missing command are reported."""
    broken = moved(UNIT, prefix, tmp_path / "units")
    broken.write_text(broken.read_text().replace("UMask=", "UMsk=").replace(str(prefix), "/nonexistent"))
    result = analyze("verify", str(broken), tmp_path=tmp_path)
    assert "Unknown key 'UMsk'" in result.stderr and "is not executable" in result.stderr


@needs_analyze
def test_hardening_exposure(tmp_path: Path) -> None:
    result = analyze("security", "--offline=true", str(UNIT), tmp_path=tmp_path)
    match = re.search(r"Overall exposure level for digitcam\.service: (\d+\.\d+)", result.stdout)
    assert match, result.stdout[-2000:] + result.stderr
    assert float(match[1]) <= MAX_EXPOSURE, result.stdout


def test_kiosk_unit_contract() -> None:
    assert values(UNIT, "Type") == ["notify"] and values(UNIT, "NotifyAccess") == ["main"]
    assert values(UNIT, "WatchdogSec") and values(UNIT, "Restart") == ["on-failure"] and values(UNIT, "RestartSec")
    assert values(UNIT, "User") == ["digitcam"] and values(UNIT, "SupplementaryGroups") == ["video render"]
    assert set(values(UNIT, "DeviceAllow")) == {"char-video4linux rw", "char-media rw", "char-dma_heap rw",
                                                "char-drm rw"}
    assert values(UNIT, "DevicePolicy") == ["closed"] and not values(UNIT, "PrivateDevices")
    for key, value in [("ProtectSystem", "strict"), ("ProtectHome", "yes"), ("NoNewPrivileges", "yes")]:
        assert values(UNIT, key) == [value], key
    (start,), (pre,) = values(UNIT, "ExecStart"), values(UNIT, "ExecStartPre")
    assert pre == f"{start} --check-config" and "--config /etc/digitcam/digitcam.toml" in start
    assert values(UNIT, "WantedBy") == ["multi-user.target"]


def test_desktop_variant_never_waits_for_graphical_session_target() -> None:
    for path in (USER_UNIT, SYSTEMD / "digitcam.desktop", SYSTEMD / "digitcam-desktop"):
        code = [line for line in path.read_text().splitlines() if not line.lstrip().startswith("#")]
        assert not any("graphical-session" in line for line in code), path
    ordering = {"After", "Before", "Wants", "Requires", "BindsTo", "PartOf", "WantedBy", "Requisite"}
    assert not [k for _, k, _ in directives(USER_UNIT) if k in ordering]  # started by the autostart entry alone
    assert values(USER_UNIT, "Type") == ["notify"] and values(USER_UNIT, "WatchdogSec")
    assert "QT_QPA_PLATFORM=xcb" in values(USER_UNIT, "Environment")[0]
    assert all("--display fullscreen" in v for v in values(USER_UNIT, "ExecStart") + values(USER_UNIT, "ExecStartPre"))


@pytest.mark.skipif(shutil.which("desktop-file-validate") is None, reason="desktop-file-utils missing")
def test_autostart_entry_is_valid() -> None:
    result = subprocess.run(["desktop-file-validate", str(SYSTEMD / "digitcam.desktop")], capture_output=True,
                            text=True, timeout=30)
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout
    assert values(SYSTEMD / "digitcam.desktop", "Exec") == ["/opt/digitcam/bin/digitcam-desktop"]


def fake_systemctl(tmp_path: Path) -> tuple[Path, Path]:
    bin_dir, calls = tmp_path / "bin", tmp_path / "calls"
    bin_dir.mkdir()
    (bin_dir / "systemctl").write_text(f'#!/bin/sh\necho "$*" >> {calls}\n')
    (bin_dir / "systemctl").chmod(0o755)
    return bin_dir, calls


def test_desktop_helper_imports_the_session_display_then_starts_the_user_unit(tmp_path: Path) -> None:
    bin_dir, calls = fake_systemctl(tmp_path)
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"}
    subprocess.run([str(SYSTEMD / "digitcam-desktop")], env=env, check=True, timeout=30)
    assert calls.read_text().splitlines() == ["--user import-environment DISPLAY WAYLAND_DISPLAY",
                                              "--user restart digitcam-desktop.service"]


def test_desktop_helper_outside_a_session_says_so(tmp_path: Path) -> None:
    bin_dir, calls = fake_systemctl(tmp_path)
    result = subprocess.run([str(SYSTEMD / "digitcam-desktop")], env={"PATH": f"{bin_dir}:/usr/bin:/bin"},
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 1 and "not in a desktop session" in result.stderr and not calls.exists()


@pytest.mark.skipif(shutil.which("shellcheck") is None, reason="shellcheck missing (make test-tools)")
def test_shell_scripts_pass_shellcheck() -> None:
    scripts = [SYSTEMD / "install.sh", SYSTEMD / "pi-venv.sh", SYSTEMD / "digitcam-desktop"]
    result = subprocess.run(["shellcheck", *map(str, scripts)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout


# The default config (installed as /etc/digitcam/digitcam.toml) and --check-config.

def test_commented_defaults_are_the_real_defaults() -> None:
    defaults, commented = Config(), {}
    for line in (SYSTEMD / "digitcam.toml").read_text().splitlines():
        match = re.fullmatch(r"# (\w+) = .+", line)
        if match and hasattr(defaults, match[1]):
            commented[match[1]] = tomllib.loads(line[2:])[match[1]]
    assert {"width", "height", "threads", "min_confidence", "smoothing", "stall_seconds", "model"} <= set(commented)
    for key, value in commented.items():
        if key == "model":  # the shipped model, where install.sh puts it
            assert value == "/opt/digitcam/app/models/" + DEFAULT_MODEL.name
        elif key != "record":  # record has no default: the line is an example
            assert value == getattr(defaults, key) or Path(value) == getattr(defaults, key), key


def check_config(config: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "edge", "run", "--config", str(config), "--check-config"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)


@pytest.mark.skipif(not DEFAULT_MODEL.exists(), reason="no shipped model")
def test_default_config_passes_check_config() -> None:
    result = check_config(SYSTEMD / "digitcam.toml")
    assert result.returncode == 0 and "config ok" in result.stderr, result.stderr


@pytest.mark.parametrize(("change", "key"), [(('display = "drm"', 'display = "hdmi"'), "display"),
                                             (("# threads = 1", "threads = 0"), "threads"),
                                             (('http = "127.0.0.1:8080"', 'http = "8080"'), "http"),
                                             (("# smoothing = 8", "smoothness = 8"), "smoothness")])
def test_a_bad_edit_fails_check_config_naming_the_key(tmp_path: Path, change: tuple[str, str], key: str) -> None:
    config = tmp_path / "digitcam.toml"
    text = (SYSTEMD / "digitcam.toml").read_text()
    assert change[0] in text
    config.write_text(text.replace(change[0], change[1]))
    result = check_config(config)
    assert result.returncode == 2 and result.stderr.strip().startswith(f"edge: error: {key}:"), result.stderr
    assert "Traceback" not in result.stderr
