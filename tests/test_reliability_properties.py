"""Property-based tests over the pure functions not covered elsewhere: settings, smoothing and the overlay, and
the model watcher under any sequence of replacements. Arbitrary input never raises anything unexpected, and the
outputs keep their schema and ranges."""
from __future__ import annotations

import json
import tempfile
from pathlib import Path

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from edge import atomic
from edge.classify import DEFAULT_MODEL, Classifier, sidecar_path
from edge.config import Config, ConfigError, from_mapping, parse_host_port
from edge.order import reading_rows
from edge.overlay import Stats, draw
from edge.reading import UNSURE
from edge.smooth import Smoother
from edge.watch import ModelWatcher

FIELDS = [f for f in Config.__dataclass_fields__]
TOML_VALUES = st.one_of(  # what tomllib can hand us: strings, ints of any size, floats with nan and inf, booleans,
    st.text(max_size=30), st.integers(), st.floats(), st.booleans(),  # arrays and tables
    st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=5), st.integers(), max_size=2))


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=12), TOML_VALUES, max_size=5))
def test_any_settings_are_a_config_or_an_error_naming_a_key(values: dict) -> None:
    try:
        config = from_mapping(values)
    except ConfigError as exc:
        named = [key if key.isprintable() else repr(key) for key in values]
        assert any(str(exc).startswith(f"{key}: ") for key in named) and "\n" not in str(exc), str(exc)
    else:
        assert isinstance(config, Config)
        assert 1 <= config.threads <= 64 and 0.0 <= config.min_confidence <= 1.0
        assert config.record is None or config.record.suffix.lower() in (".mp4", ".avi")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30))
def test_any_address_text_parses_or_is_a_config_error(text: str) -> None:
    try:
        host, port = parse_host_port(text)
    except ConfigError as exc:
        assert str(exc).startswith("http: ")
    else:
        assert host and 0 <= port <= 65535


BOXES = st.tuples(st.integers(-50, 500), st.integers(-50, 400), st.integers(1, 300), st.integers(1, 300))


@st.composite
def frames_of_detections(draw_: st.DrawFn) -> list[tuple[list, np.ndarray]]:
    """A few frames, each with some boxes and a probability row per box (any values in [0, 1])."""
    frames = []
    for _ in range(draw_(st.integers(1, 6))):
        boxes = draw_(st.lists(BOXES, max_size=8))
        probabilities = draw_(hnp.arrays(np.float32, (len(boxes), 10), elements=st.floats(0, 1, width=32)))
        frames.append((boxes, probabilities))
    return frames


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frames_of_detections(), st.integers(1, 400), st.integers(1, 400), st.booleans(), st.floats(0, 1))
def test_smoothing_and_drawing_any_detections_on_any_frame(frames, height: int, width: int, grey: bool,
                                                            min_confidence: float) -> None:
    smoother = Smoother(reading_rows, min_confidence=min_confidence, window=4, min_hits=1)
    frame = np.random.default_rng(height * width).integers(0, 256, (height, width) if grey else (height, width, 3),
                                                           dtype=np.uint8)
    before = frame.copy()
    for boxes, probabilities in frames:
        reading = smoother.update(boxes, probabilities)
        for digit in reading.digits:
            assert 0 <= digit.digit <= 9 and 0.0 <= digit.confidence <= 1.0 + 1e-6
            assert digit.sure == (digit.confidence >= min_confidence)
        assert reading.text.replace("\n", "").replace(UNSURE, "0").isdigit() or reading.text == ""
        assert len(reading.text.replace("\n", "")) == len(reading.digits)
        crops = np.random.default_rng(0).random((len(reading.digits), 28, 28)).astype(np.float32)
        out = draw(frame, reading, Stats(fps=29.7, stages={"segment": 3.2}), crops)
        assert out.shape == (height, width, 3) and out.dtype == np.uint8
    np.testing.assert_array_equal(frame, before)  # drawing works on a copy


MODEL = DEFAULT_MODEL.read_bytes() if DEFAULT_MODEL.exists() else b""
ACTIONS = st.lists(st.sampled_from(["good", "garbage", "model only", "delete", "tick"]), min_size=1, max_size=8)


@pytest.mark.skipif(not DEFAULT_MODEL.exists(), reason="no shipped model")
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ACTIONS)
def test_the_watcher_always_hands_out_a_working_model(actions: list[str]) -> None:
    """Any sequence of replacements, good and bad: the loop always gets a classifier that works, a good model
    installed is in use by the second look after it, and each bad replacement is reported at most once."""
    sidecar = json.loads(sidecar_path(DEFAULT_MODEL).read_text())
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "m.tflite"
        atomic.write_bytes(path, MODEL)
        atomic.write_text(sidecar_path(path), json.dumps(sidecar))
        now = [0.0]
        events: list[str] = []
        watcher = ModelWatcher(Classifier(path), on_event=events.append, interval=1.0, clock=lambda: now[0])
        crops = np.zeros((1, 28, 28), np.float32)
        installed = 0
        for step, action in enumerate(actions):
            if action == "good":
                installed = step
                atomic.write_bytes(path, MODEL)
                named = [f"{step}:{d}" for d in range(10)] + sidecar["labels"][10:]  # the shipped none output
                atomic.write_text(sidecar_path(path), json.dumps({**sidecar, "labels": named}))
            elif action == "garbage":
                atomic.write_bytes(path, b"garbage %d" % step)
            elif action == "model only":
                atomic.write_bytes(path, MODEL[:-4] + bytes(4))  # its sidecar's sha256 no longer matches
            elif action == "delete":
                path.unlink(missing_ok=True)
            for _ in range(2):
                now[0] += 1.0
                current = watcher.current()
                assert current.probabilities(crops).shape == (1, 10)
            if action == "good":
                assert current.labels[0] == f"{installed}:0"
        problems = [e for e in events if not e.startswith("model reloaded")]
        assert len(problems) <= sum(a in ("garbage", "model only", "delete") for a in actions)  # once each
