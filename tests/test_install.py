"""systemd/install.sh, its venv recipe (pi-venv.sh, shared with `make` on a Pi) and the post-install self-check.

Installs go into a temporary --root: files, modes and the venv are real; apt, the user, pip, the self-check and
systemctl are skipped there (and said so). The venv uses this interpreter as the "system" Python.
"""
from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import numpy as np
import pytest

from edge.classify import DEFAULT_MODEL

ROOT = Path(__file__).resolve().parents[1]
INSTALL = ROOT / "systemd" / "install.sh"
PI_VENV = ROOT / "systemd" / "pi-venv.sh"
SELFCHECK = ROOT / "systemd" / "selfcheck.py"


def install(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(INSTALL), "--python", sys.executable, *args], capture_output=True, text=True,
                          timeout=120, env={**os.environ, **(env or {})})


def tree(root: Path) -> dict[str, int]:
    """Every file and directory under `root` and its mode, but for what is inside the venv (python -m venv's)."""
    return {str(p.relative_to(root)): p.stat().st_mode & 0o7777 for p in root.rglob("*")
            if "opt/digitcam/venv/" not in str(p.relative_to(root))}


def edge_sources() -> set[str]:
    return {str(p.relative_to(ROOT)) for p in (ROOT / "edge").rglob("*.py")}


# --dry-run

def test_dry_run_prints_the_whole_plan_and_changes_nothing() -> None:
    prefix = Path("/opt/digitcam-dry-run-test")
    assert not prefix.exists()
    result = install("--dry-run", "--screen", "drm", "--prefix", str(prefix))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert re.search(r"^\+ .*apt-get install -y --no-install-recommends python3-picamera2 python3-opencv ", out, re.M)
    assert re.search(r"^\+ (useradd --system .*--groups video,render .*|usermod .*video,render) digitcam$", out, re.M)
    assert f"+ sh {ROOT}/systemd/pi-venv.sh {sys.executable} {prefix}/venv\n" in out  # pip runs on a real install
    assert f"+ {prefix}/venv/bin/python {prefix}/bin/selfcheck.py {prefix}/app/models/digits_int8.tflite" in out
    assert f"+ {prefix}/venv/bin/python -m edge run --config /etc/digitcam/digitcam.toml --check-config" in out
    steps = [line for line in out.splitlines() if line.startswith("+ systemctl")]
    assert steps == ["+ systemctl daemon-reload", "+ systemctl enable digitcam.service",
                     "+ systemctl restart digitcam.service"]
    assert "skip" not in out and out.strip().endswith("dry run: nothing was changed")
    assert not prefix.exists()


def test_dry_run_into_a_temp_root_writes_nothing_and_skips_the_system(tmp_path: Path) -> None:
    result = install("--dry-run", "--root", str(tmp_path), "--screen", "http")
    assert result.returncode == 0, result.stderr
    assert not any(tmp_path.iterdir())
    for step in ("apt-get install", "useradd", "systemctl enable", "selfcheck.py", "pip install"):
        assert re.search(rf"^skip \(--root is not /\): .*{step}", result.stdout, re.M), step


# A real install into a temporary root.

def test_install_files_and_modes(tmp_path: Path) -> None:
    result = install("--root", str(tmp_path), "--screen", "drm")
    assert result.returncode == 0, result.stderr
    files = tree(tmp_path)
    app = "opt/digitcam/app/"
    expected = {f"{app}{p}" for p in edge_sources()} | {
        f"{app}models/digits_int8.tflite", f"{app}models/digits_int8.json", "opt/digitcam/bin/selfcheck.py",
        "opt/digitcam/bin/digitcam-desktop", "opt/digitcam/installed", "etc/digitcam/digitcam.toml",
        "etc/systemd/system/digitcam.service", "etc/systemd/user/digitcam-desktop.service"}
    plain = {path for path in files if not (tmp_path / path).is_dir() and "__pycache__" not in path}
    assert plain == expected
    assert not any(p.startswith("etc/xdg") for p in files)  # the autostart entry is for --screen desktop only
    for path, mode in files.items():
        if (tmp_path / path).is_dir():
            assert mode == 0o755, path
        else:
            assert mode == (0o755 if path.endswith("bin/digitcam-desktop") else 0o644), (path, oct(mode))
    assert (tmp_path / app / "edge" / "__pycache__").is_dir()  # compiled: the service cannot write bytecode
    assert (tmp_path / app / "models/digits_int8.tflite").read_bytes() == DEFAULT_MODEL.read_bytes()
    assert (tmp_path / "etc/systemd/system/digitcam.service").read_text() == (ROOT / "systemd/digitcam.service").read_text()
    config = tomllib.loads((tmp_path / "etc/digitcam/digitcam.toml").read_text())["digitcam"]
    assert config["display"] == "drm" and config["source"] == "picamera"


def test_the_venv_sees_system_packages_and_pins_numpy(tmp_path: Path) -> None:
    assert install("--root", str(tmp_path), "--screen", "http").returncode == 0
    venv = tmp_path / "opt/digitcam/venv"
    assert "include-system-site-packages = true" in (venv / "pyvenv.cfg").read_text()
    assert f"numpy=={np.__version__}" in (venv / "constraints.txt").read_text().splitlines()
    extra = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]["edge"]
    assert (venv / "requirements.txt").read_text().split() == [r for r in extra if r.startswith("ai-edge-litert")]
    (pth,) = venv.glob("lib/python3.*/site-packages/digitcam.pth")
    assert pth.read_text().strip() == "/opt/digitcam/app"


@pytest.mark.skipif(not DEFAULT_MODEL.exists(), reason="no shipped model")
def test_installed_app_and_config_pass_check_config(tmp_path: Path) -> None:
    assert install("--root", str(tmp_path), "--screen", "http").returncode == 0
    app = tmp_path / "opt/digitcam/app"
    result = subprocess.run([sys.executable, "-m", "edge", "run", "--config", str(tmp_path / "etc/digitcam/digitcam.toml"),
                             "--check-config"], cwd=app, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert f"model {app}/models/digits_int8.tflite loads" in result.stderr  # the installed copy, not the repo's


def test_reinstall_keeps_the_config_and_replaces_the_app_uninstall_keeps_only_an_edited_config(
        tmp_path: Path) -> None:
    assert install("--root", str(tmp_path), "--screen", "drm").returncode == 0
    config = tmp_path / "etc/digitcam/digitcam.toml"
    edited = config.read_text() + "threads = 2\n"
    config.write_text(edited)
    stale = tmp_path / "opt/digitcam/app/edge/removed_module.py"
    stale.write_text("")
    again = install("--root", str(tmp_path), "--screen", "http")
    assert again.returncode == 0, again.stderr
    assert config.read_text() == edited and "keeping your /etc/digitcam/digitcam.toml" in again.stdout
    assert "your config says 'display = \"drm\"'" in again.stdout  # the screen asked for is not the kept one
    assert not stale.exists() and (tmp_path / "opt/digitcam/app/edge/cli.py").exists()
    gone = install("--root", str(tmp_path), "--uninstall")
    assert gone.returncode == 0, gone.stderr
    left = [str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file()]
    assert left == ["etc/digitcam/digitcam.toml"] and config.read_text() == edited
    assert "keeping your edited /etc/digitcam/digitcam.toml" in gone.stdout


def test_desktop_install_switch_to_drm_and_uninstall_leaves_nothing(tmp_path: Path) -> None:
    assert install("--root", str(tmp_path), "--screen", "desktop").returncode == 0
    autostart = tmp_path / "etc/xdg/autostart/digitcam.desktop"
    assert autostart.read_text() == (ROOT / "systemd/digitcam.desktop").read_text()
    assert 'display = "fullscreen"' in (tmp_path / "etc/digitcam/digitcam.toml").read_text().splitlines()
    switched = install("--root", str(tmp_path), "--screen", "drm")
    assert switched.returncode == 0 and not autostart.exists()  # one instance: the system service's
    assert "keeping /etc/digitcam/digitcam.toml (unchanged since installed)" in switched.stdout
    assert install("--root", str(tmp_path), "--uninstall").returncode == 0
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]
    assert not (tmp_path / "opt/digitcam").exists() and not (tmp_path / "etc/digitcam").exists()


def test_auto_screen_is_desktop_where_a_display_manager_is_enabled(tmp_path: Path) -> None:
    (tmp_path / "etc/systemd/system").mkdir(parents=True)
    (tmp_path / "etc/systemd/system/display-manager.service").symlink_to("/lib/systemd/system/lightdm.service")
    result = install("--root", str(tmp_path))
    assert result.returncode == 0 and "screen desktop" in result.stdout, result.stdout
    assert (tmp_path / "etc/xdg/autostart/digitcam.desktop").exists()


def test_prefix_moves_the_app_and_every_path_in_the_units(tmp_path: Path) -> None:
    assert install("--root", str(tmp_path), "--prefix", "/srv/digitcam", "--screen", "desktop").returncode == 0
    for unit in ("etc/systemd/system/digitcam.service", "etc/systemd/user/digitcam-desktop.service",
                 "etc/xdg/autostart/digitcam.desktop"):
        text = (tmp_path / unit).read_text()
        assert "/opt/digitcam" not in text and "/srv/digitcam/" in text, unit
    assert (tmp_path / "srv/digitcam/venv/bin/python").exists()


def test_bad_arguments_and_uninstall_without_install(tmp_path: Path) -> None:
    bad = install("--root", str(tmp_path), "--screen", "tv")
    assert bad.returncode == 1 and "--screen must be auto, drm, http or desktop" in bad.stderr
    none = install("--root", str(tmp_path), "--uninstall")
    assert none.returncode == 1 and "no digitcam install" in none.stderr


def stub(tmp_path: Path, name: str, script: str) -> dict[str, str]:
    bin_dir = tmp_path / "stubs"
    bin_dir.mkdir(exist_ok=True)
    (bin_dir / name).write_text(script)
    (bin_dir / name).chmod(0o755)
    return {"PATH": f"{bin_dir}:{os.environ['PATH']}"}


def test_a_32_bit_os_is_refused_clearly(tmp_path: Path) -> None:
    result = install("--root", str(tmp_path / "root"), env=stub(tmp_path, "getconf", "#!/bin/sh\necho 32\n"))
    assert result.returncode == 1 and "32-bit OS" in result.stderr and "64-bit" in result.stderr
    assert not (tmp_path / "root").exists()
    python32 = f'#!/bin/sh\ncase "$2" in *calcsize*) exit 1;; esac\nexec {sys.executable} "$@"\n'
    stub(tmp_path, "python32", python32)
    venv = subprocess.run(["sh", str(PI_VENV), str(tmp_path / "stubs/python32"), str(tmp_path / "venv"), "--no-pip"],
                          capture_output=True, text=True, timeout=60)
    assert venv.returncode == 1 and "32-bit OS" in venv.stderr and not (tmp_path / "venv").exists()


# The self-check after installing.

FAKE_PICAMERA2 = """
from tests.fake_picamera2 import Rig
Picamera2 = Rig().module().Picamera2
"""


def selfcheck(model: Path, fake_camera: Path | None) -> subprocess.CompletedProcess[str]:
    path = [str(ROOT)] + ([str(fake_camera)] if fake_camera else [])
    return subprocess.run([sys.executable, str(SELFCHECK), str(model)], capture_output=True, text=True, timeout=120,
                          cwd=ROOT / "systemd", env={**os.environ, "PYTHONPATH": os.pathsep.join(path)})


@pytest.mark.skipif(not DEFAULT_MODEL.exists(), reason="no shipped model")
def test_selfcheck_runs_every_library_and_the_model(tmp_path: Path) -> None:
    (tmp_path / "picamera2.py").write_text(FAKE_PICAMERA2)
    result = selfcheck(DEFAULT_MODEL, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 4 and all(line.startswith("ok    ") for line in lines)
    assert f"numpy {np.__version__}" in lines[0] and "cameras: imx708" in lines[2]
    assert "ai_edge_litert.interpreter runs digits_int8.tflite" in lines[3]


@pytest.mark.skipif(not DEFAULT_MODEL.exists(), reason="no shipped model")
def test_selfcheck_reports_each_failure_in_one_line(tmp_path: Path) -> None:
    broken = tmp_path / "broken.tflite"
    broken.write_bytes(hashlib.sha256(b"not a model").digest())
    result = selfcheck(broken, None)  # and no picamera2 at all
    assert result.returncode == 1 and "Traceback" not in result.stdout + result.stderr
    failures = [line for line in result.stdout.splitlines() if line.startswith("FAIL")]
    assert [line.split(":")[0] for line in failures] == ["FAIL  picamera2", "FAIL  model"]
    assert "ModuleNotFoundError" in failures[0] and "not a usable TFLite model" in failures[1]


# `make` on a Pi follows the same recipe; elsewhere nothing changed.

def make_plan(*args: str, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(["make", "-n", "-B", "VENV=/tmp/digitcam-plan-venv", "/tmp/digitcam-plan-venv/.installed",
                             *args], cwd=ROOT, capture_output=True, text=True, timeout=60,
                            env={**os.environ, **(env or {})})
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_make_on_a_pi_uses_the_system_site_venv_recipe() -> None:
    plan = make_plan("ON_PI=yes")
    assert "sh systemd/pi-venv.sh python3 /tmp/digitcam-plan-venv\n" in plan
    assert "pip install" not in plan and "-m venv" not in plan


def test_make_elsewhere_is_unchanged() -> None:
    plan = make_plan("ON_PI=")
    assert "python3 -m venv /tmp/digitcam-plan-venv\n" in plan and "pi-venv.sh" not in plan
    assert "/tmp/digitcam-plan-venv/bin/python -m pip install --quiet -e '.[edge,train,dev]'\n" in plan


def test_make_detects_a_pi_by_its_picamera2(tmp_path: Path) -> None:
    (tmp_path / "picamera2.py").write_text("")
    assert "pi-venv.sh" in make_plan(env={"PYTHONPATH": str(tmp_path)})
    if not Path("/etc/rpi-issue").exists():
        assert "pi-venv.sh" not in make_plan(env={"PYTHONPATH": ""})
