# digitcam: `make run` starts the live recognizer, `make test` runs the whole suite. Both set everything up.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# MNIST for tests and training: $DIGITCAM_MNIST if set, else the shared copy beside the repo when present.
DIGITCAM_MNIST ?= $(wildcard $(abspath ../shared/data/mnist.npz))
export DIGITCAM_MNIST
export TF_CPP_MIN_LOG_LEVEL ?= 2
TRAIN_ARGS ?=
CONVERT_ARGS ?=
PYTEST_ARGS ?=

# Programs the tests drive as a user would: a virtual screen, a window manager, screenshots, a browser.
TEST_TOOLS := Xvfb:xvfb xwd:x11-apps openbox:openbox xdotool:xdotool chromium:chromium \
              systemd-analyze:systemd desktop-file-validate:desktop-file-utils shellcheck:shellcheck
RUN_ARGS ?=

.PHONY: run test train model clean venv system-deps test-tools

# On a Raspberry Pi (or wherever the system Python has apt's picamera2) the venv is made as the kiosk's install
# does it (systemd/pi-venv.sh): it sees apt's picamera2, OpenCV and numpy, a constraints file pins numpy to the
# system's version, and pip installs only the rest of the edge extra. Looked up once, only when the venv is made;
# `make ON_PI=yes` or `make ON_PI=` decides by hand.
ON_PI = $(eval ON_PI := $(shell test -e /etc/rpi-issue || $(PYTHON) -c 'import picamera2' >/dev/null 2>&1 && echo yes))$(ON_PI)

venv: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "digitcam needs Python 3.11 or newer")'
	$(MAKE) system-deps
	$(if $(ON_PI),sh systemd/pi-venv.sh $(PYTHON) $(VENV),$(PYTHON) -m venv $(VENV))
	$(if $(ON_PI),,$(PY) -m pip install --quiet --upgrade pip)
	$(if $(ON_PI),,$(PY) -m pip install --quiet -e '.[edge,train,dev]')
	@touch $@

# OpenCV's wheel needs libGL.so.1, which slim Debian lacks; install it when we can, say so when we cannot.
system-deps:
	@if ! ldconfig -p 2>/dev/null | grep -q 'libGL.so.1'; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libgl1 libglib2.0-0 >/dev/null; \
	  else echo "note: OpenCV needs libGL.so.1: sudo apt-get install libgl1"; fi; \
	fi

# Tests that need one of these skip with a reason where they cannot be installed (not root, no apt).
test-tools:
	@missing=""; for pair in $(TEST_TOOLS); do \
	  command -v "$${pair%%:*}" >/dev/null 2>&1 || missing="$$missing $${pair##*:}"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing test tools:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "note: tests that need$$missing will skip (install them with apt-get)"; fi; \
	fi

run: $(STAMP)
	$(PY) -m edge run $(RUN_ARGS)

test: $(STAMP) test-tools
	$(PY) -m pytest $(PYTEST_ARGS)

train: $(STAMP)
	$(PY) -m train $(TRAIN_ARGS)

model: train
	$(PY) -m convert $(CONVERT_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
