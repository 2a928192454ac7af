#!/bin/sh
# The Raspberry Pi's virtualenv, for `make run` on a Pi and for install.sh alike:
#   - made with --system-site-packages: picamera2, libcamera, OpenCV and numpy come from apt, built together;
#   - a pip constraints file pins numpy to the system's version, so pip never brings in a numpy that breaks them;
#   - pip installs only what apt does not have: the `edge` extra of pyproject.toml less numpy and OpenCV
#     (ai-edge-litert, which has 64-bit wheels only).
# usage: pi-venv.sh PYTHON VENV [--no-pip]      (--no-pip: make the venv and the constraints, install nothing)
set -eu

python=$1
venv=$2
pip=yes
if [ "${3:-}" = --no-pip ]; then pip=no; fi
here=$(cd "$(dirname "$0")" && pwd)

fail() { echo "digitcam: $*" >&2; exit 1; }

"$python" -c 'import struct, sys; sys.exit(struct.calcsize("P") != 8)' ||
    fail "this is a 32-bit OS: ai-edge-litert (the TFLite runtime) has 64-bit wheels only. Install Raspberry Pi OS (64-bit)."
numpy=$("$python" -c 'import numpy; print(numpy.__version__)' 2>/dev/null) ||
    fail "$python has no numpy: sudo apt install python3-numpy python3-opencv python3-picamera2"
"$python" -c 'import cv2' 2>/dev/null ||
    fail "$python has no OpenCV: sudo apt install python3-opencv"

if [ ! -x "$venv/bin/python" ]; then
    if [ "$pip" = yes ]; then
        "$python" -m venv --system-site-packages "$venv"
    else
        "$python" -m venv --system-site-packages --without-pip "$venv"
    fi
fi
printf '# numpy comes from apt (python3-numpy); pip must never replace it.\nnumpy==%s\n' "$numpy" > "$venv/constraints.txt"

# The edge extra's requirements, less what apt provides.
requirements=$("$python" - "$here/../pyproject.toml" <<'PY'
import re, sys, tomllib
with open(sys.argv[1], "rb") as f:
    extra = tomllib.load(f)["project"]["optional-dependencies"]["edge"]
apt = {"numpy", "opencv-python", "opencv-python-headless", "opencv-contrib-python"}
print("\n".join(r for r in extra if re.split(r"[\s<>=!~\[;]", r, maxsplit=1)[0].lower() not in apt))
PY
)
echo "$requirements" > "$venv/requirements.txt"
if [ "$pip" = yes ]; then
    "$venv/bin/python" -m pip install --quiet --constraint "$venv/constraints.txt" --requirement "$venv/requirements.txt"
fi
