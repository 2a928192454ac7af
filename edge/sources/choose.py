"""Turn a `--source` string into a Source: the one place that knows every kind of source by name."""
from __future__ import annotations

import logging
import re
from pathlib import Path

from edge.sources.base import Source, SourceError
from edge.sources.files import IMAGE_SUFFIXES, VIDEO_SUFFIXES, FolderSource, ImageSource, VideoSource
from edge.sources.opencv import CaptureSource, webcam_opens
from edge.sources.picamera import PicameraSource

log = logging.getLogger(__name__)

DEMO_CLIP = Path(__file__).resolve().parents[2] / "models" / "demo.mp4"  # what `auto` plays with no camera
URL_SCHEMES = ("rtsp", "rtsps", "rtmp", "http", "https", "udp", "tcp", "srt")
HELP = ("auto, picamera, a webcam index (0, 1...), /dev/videoN, a video, an image, a folder of images, "
        f"or a URL ({', '.join(URL_SCHEMES)})")


def open_source(spec: str, *, width: int = 640, height: int = 480, loop: bool = False,
                fps: float | None = None) -> Source:
    """The source `spec` names, not started yet. `fps`: None plays files as fast as they are read, a rate
    paces them (and asks cameras for it), NATIVE_FPS plays a video at its own rate. SourceError if unknown."""
    spec = spec.strip()
    if spec == "auto":
        spec = auto_spec(DEMO_CLIP)
        log.info("source auto: %s", spec)
    if spec == "picamera":
        return PicameraSource(width, height, fps=fps)
    if spec.isdigit():
        return CaptureSource(int(spec), width=width, height=height, fps=fps)
    if re.fullmatch(r"/dev/video\d+", spec):
        return CaptureSource(spec, width=width, height=height, fps=fps)
    if "://" in spec:
        scheme = spec.split("://", 1)[0].lower()
        if scheme not in URL_SCHEMES:
            raise SourceError(f"unknown source {spec!r}: URL scheme {scheme!r} is not one of {', '.join(URL_SCHEMES)}")
        return CaptureSource(spec, width=width, height=height, fps=fps)
    return _open_path(spec, loop, fps)


def _open_path(spec: str, loop: bool, fps: float | None) -> Source:
    path = Path(spec).expanduser()
    if path.is_dir():
        return FolderSource(path, loop=loop, fps=fps)
    if not path.exists():
        raise SourceError(f"unknown source {spec!r}: no such file or folder; a source is {HELP}")
    suffix = path.suffix.lower()
    if suffix in IMAGE_SUFFIXES:
        return ImageSource(path, fps=fps)
    if suffix in VIDEO_SUFFIXES:
        return VideoSource(path, loop=loop, fps=fps)
    raise SourceError(f"unknown source {spec!r}: {suffix or 'no suffix'} is neither an image "
                      f"({' '.join(sorted(IMAGE_SUFFIXES))}) nor a video ({' '.join(sorted(VIDEO_SUFFIXES))})")


def auto_spec(demo_clip: Path) -> str:
    """The best source this machine has: the Pi camera, else webcam 0, else the demo clip."""
    if picamera_listed():
        return "picamera"
    if webcam_opens(0):
        return "0"
    return str(demo_clip)


def picamera_listed() -> bool:
    """Whether picamera2 imports and libcamera lists a Pi camera (a USB webcam it lists is OpenCV's job)."""
    try:
        from picamera2 import Picamera2
    except ImportError:
        return False
    try:
        cameras = Picamera2.global_camera_info()
    except Exception as exc:  # libcamera present but broken: say so, then fall back
        log.warning("picamera2 cannot list cameras: %s", exc)
        return False
    return any("/usb" not in str(camera.get("Id", "")) for camera in cameras)
