"""`python -m edge run`: assemble source, model, display and loop from the config, and stop cleanly on signals."""
from __future__ import annotations

import os
import signal
import sys
import threading
from pathlib import Path
from edge.classify import Classifier
from edge.config import Config
from edge.displays import open_display
from edge.loop import Loop
from edge.notify import Notifier
from edge.sources import DEMO_CLIP, NATIVE_FPS, Retrying, auto_spec, open_source
from edge.watch import ModelWatcher


def display_name(config: Config) -> str:
    """`auto`: a window where there is a desktop, else the HTTP view."""
    if config.display != "auto":
        return config.display
    return "window" if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY") else "http"


def stop_on_signals(stop: threading.Event) -> None:
    """SIGTERM (systemd) and SIGINT (Ctrl-C) set the one stop event; the loop winds down and releases the camera."""
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())


def build(config: Config, stop: threading.Event, bench: bool = False) -> Loop:
    """Everything the loop needs, opened in the order that fails fastest (model first: no camera wasted).
    A video plays at its own pace, as a camera would; `bench` plays files as fast as they decode, looping."""
    classifier = Classifier(config.model, threads=config.threads)
    spec = auto_spec(DEMO_CLIP) if config.source == "auto" else config.source
    demo = Path(spec).resolve() == DEMO_CLIP  # the demo clip loops, so `make run` never runs out
    source = open_source(spec, width=config.width, height=config.height, loop=demo or bench,
                         fps=None if bench else NATIVE_FPS)
    name = display_name(config)
    display = open_display(name, http=config.http, source=source)
    print(f"digitcam: source {source.name}, display {name}, model {config.model}", file=sys.stderr)
    if source.live:  # a camera that fails is retried with backoff; a broken file is reported once
        source = Retrying(source, stop, frozen_seconds=config.stall_seconds)
    return Loop(config, source, display, classifier, stop, watcher=ModelWatcher(classifier, threads=config.threads))


def run(config: Config) -> int:
    stop = threading.Event()
    stop_on_signals(stop)
    notifier = Notifier.from_env()  # silent outside systemd
    loop = build(config, stop)
    loop.on_frame = notifier.frame  # READY at the first frame, then WATCHDOG only while frames keep coming
    try:
        loop.run()
    finally:
        notifier.stopping()
        notifier.close()
    return 0


def check(config: Config) -> int:
    """`--check-config`: the config parsed already; also prove the model loads. Opens no camera."""
    Classifier(config.model, threads=config.threads)
    print(f"digitcam: config ok, model {config.model} loads", file=sys.stderr)
    return 0
