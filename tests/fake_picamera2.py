"""A fake of the parts of picamera2 that edge.sources.picamera uses, faithful to the real library's behaviour
(learned from picamera2's own source, not copied): the same names and signatures, configuration dicts of the
same shape, libcamera's stride alignment, YUV420 laid out as picamera2 hands it over (a Y plane of height rows
of `stride` bytes, then U and V at half resolution), "RGB888" stored as B, G, R bytes, a camera event loop that
keeps only the newest completed request, jobs that stay queued after a wait times out, a fixed number of
buffers that a leaked request holds, a camera that stays busy until closed, and previews: one event loop per
camera (a preview must be started before `start`, which otherwise starts the null one), overlays only on a
started, configured preview (the DRM one keeps the RGBA image it is given), and `close` stopping the preview.

`Rig` is the hardware on the bench: tests plug, unplug and break cameras through it, and install
`rig.module()` as sys.modules["picamera2"].
"""
from __future__ import annotations

import collections
import enum
import threading
import types
from concurrent.futures import CancelledError, Future
from typing import Any

import numpy as np

RGB_BYTES = {"RGB888": 3, "BGR888": 3, "XBGR8888": 4, "XRGB8888": 4}
YUV_FORMATS = ("YUV420", "YVU420")
RED = 7  # the red level of every pixel of the scene, so a red/blue swap shows


def luma(sequence: int, width: int, height: int) -> np.ndarray:
    """What the sensor sees as brightness in frame `sequence`; pixel (0, 0) carries the sequence number."""
    y, x = np.mgrid[0:height, 0:width]
    return ((x * 3 + y * 5 + sequence) % 256).astype(np.uint8)


def scene(sequence: int, width: int, height: int) -> np.ndarray:
    """The main stream's picture in OpenCV order (B, G, R): green carries the sequence number."""
    image = np.empty((height, width, 3), np.uint8)
    image[..., 0] = luma(0, width, height)
    image[..., 1] = sequence % 256
    image[..., 2] = RED
    return image


class Rig:
    """The cameras on the bench and what they do."""

    def __init__(self, fps: float = 200.0, stride_align: int = 64, models: tuple[str, ...] = ("imx708",)) -> None:
        self.period = 1.0 / fps
        self.stride_align = stride_align
        self.cameras = [{"Model": m, "Location": 2, "Rotation": 180, "Num": i,
                         "Id": f"/base/axi/pcie@120000/rp1/i2c@88000/{m}@1a"} for i, m in enumerate(models)]
        self.plugged = True
        self.broken: str | None = None
        self.lock = threading.Lock()
        self.held: set[int] = set()  # camera numbers acquired by an open Picamera2
        self.instances: list[Any] = []
        self.made_arrays: list[str] = []  # stream names passed to make_array
        # (stream, frame sequence, array) of what make_buffer handed out lately
        self.handed_buffers: collections.deque[tuple[str, int, np.ndarray]] = collections.deque(maxlen=8)
        self.previews: list[Any] = []  # every preview started, in order
        self.sequence = 0

    def module(self) -> types.ModuleType:
        """A `picamera2` module whose cameras are this rig's."""
        rig = self

        class Picamera2(FakePicamera2):
            _rig = rig

        module = types.ModuleType("picamera2")
        module.Picamera2 = Picamera2  # type: ignore[attr-defined]
        module.Preview = Preview  # type: ignore[attr-defined]
        return module

    def unplug(self) -> None:
        """The ribbon cable comes out: frames stop and libcamera lists no camera."""
        self.plugged = False

    def plug(self) -> None:
        self.plugged = True

    def break_camera(self, message: str = "failed to find buffer") -> None:
        """Buffers stop mapping and the camera cannot be acquired: calls raise RuntimeError."""
        self.broken = message

    def repair(self) -> None:
        self.broken = None

    def next_sequence(self) -> int:
        with self.lock:
            self.sequence += 1
            return self.sequence


class NullPreview:
    """picamera2.previews.NullPreview: runs the camera's event loop and shows nothing; overlays are ignored."""

    def __init__(self, x: int | None = None, y: int | None = None, width: int | None = None,
                 height: int | None = None, transform: Any = None) -> None:
        self.window = (x, y, width, height)
        self.picam2: FakePicamera2 | None = None
        self.running = False

    def start(self, picam2: FakePicamera2) -> None:
        self.picam2 = picam2
        picam2.attach_preview(self)
        picam2._rig.previews.append(self)
        self.running = True

    def set_overlay(self, overlay: np.ndarray | None) -> None:
        pass

    def stop(self) -> None:
        self.running = False
        if self.picam2 is not None:
            self.picam2.detach_preview()


class DrmPreview(NullPreview):
    """picamera2.previews.DrmPreview: the camera's display stream on a DRM plane in `window` (640x480 at the
    top left unless told), letterboxed; an overlay plane on top takes an RGBA image scaled to the same rectangle."""

    def __init__(self, x: int = 0, y: int = 0, width: int = 640, height: int = 480, transform: Any = None) -> None:
        super().__init__(x, y, width, height, transform)
        self.overlay: np.ndarray | None = None
        self.overlays_set = 0  # calls of set_overlay, None included

    def set_overlay(self, overlay: np.ndarray | None) -> None:
        picam2 = self.picam2
        if picam2 is None:
            raise RuntimeError("Preview must be started before setting an overlay")
        if not picam2.camera_config:
            raise RuntimeError("Preview must be configured before setting an overlay")
        if picam2.camera_config["buffer_count"] < 2:
            raise RuntimeError("Need at least buffer_count=2 to set overlay")
        self.overlay = None if overlay is None else np.ascontiguousarray(overlay).copy()  # copied into a DRM buffer
        self.overlays_set += 1

    def stop(self) -> None:
        self.overlay = None
        super().stop()


class Preview(enum.Enum):
    """picamera2.Preview: what start_preview accepts besides a preview object (the Qt ones need a desktop)."""

    NULL = NullPreview
    DRM = DrmPreview


class Job:
    """picamera2.job.Job: functions run by the event loop until done; the result arrives through a Future."""

    def __init__(self, functions: list[Any], signal_function: Any = None) -> None:
        self._functions = functions
        self._future: Future[Any] = Future()
        self._future.set_running_or_notify_cancel()
        self._signal_function = signal_function
        self._result: Any = None

    def execute(self) -> bool:
        try:
            while self._functions:
                done, result = self._functions[0]()
                if not done:
                    break
                self._functions.pop(0)
            if not self._functions:
                self._result = result
        except Exception as exc:
            self._future.set_exception(exc)
            self._functions = []
        return not self._functions

    def signal(self) -> None:
        if not self._future.done():
            self._future.set_result(self._result)
        if self._signal_function:
            self._signal_function(self)

    def get_result(self, timeout: float | None = None) -> Any:
        return self._future.result(timeout=timeout)

    def cancel(self) -> None:
        self._future.set_exception(CancelledError())


class CompletedRequest:
    """One captured frame of every configured stream; it holds a camera buffer until released."""

    def __init__(self, picam2: FakePicamera2, buffers: dict[str, np.ndarray], sequence: int) -> None:
        self.picam2 = picam2
        self.sequence = sequence
        self.config = dict(picam2.camera_config)
        self.buffers = buffers
        self.ref_count = 1

    def _buffer(self, name: str) -> np.ndarray:
        if self.ref_count <= 0:
            raise RuntimeError("CompletedRequest: used after release")
        if self.config.get(name) is None:
            raise RuntimeError(f"Stream {name!r} is not defined")
        if self.picam2._rig.broken:
            raise RuntimeError(self.picam2._rig.broken)
        return self.buffers[name]

    def make_buffer(self, name: str) -> np.ndarray:
        """A 1-D copy of the stream's whole buffer, padding and chroma included."""
        result = np.array(self._buffer(name), dtype=np.uint8)
        self.picam2._rig.handed_buffers.append((name, self.sequence, result))
        return result

    def make_array(self, name: str) -> np.ndarray:
        """A 2-D (or H x W x C) copy of the stream, padding sliced off (YUV420 keeps it, as picamera2 does)."""
        flat = self._buffer(name)
        self.picam2._rig.made_arrays.append(name)
        config = self.config[name]
        (width, height), stride, fmt = config["size"], config["stride"], config["format"]
        if fmt in RGB_BYTES:
            depth = RGB_BYTES[fmt]
            array = flat.reshape(height, stride)[:, : width * depth].reshape(height, width, depth)
        else:
            array = flat.reshape(height * 3 // 2, stride)
        return np.ascontiguousarray(array).copy()

    def release(self) -> None:
        with self.picam2.lock:
            self.ref_count -= 1
            if self.ref_count < 0:
                raise RuntimeError("CompletedRequest: lock now has negative ref_count")
            if self.ref_count == 0:
                self.picam2.buffers_in_use -= 1


def _align(value: int, to: int) -> int:
    return -(-value // to) * to


class FakePicamera2:
    """picamera2.Picamera2, for the calls the adapter makes."""

    _rig: Rig

    @classmethod
    def global_camera_info(cls) -> list[dict[str, Any]]:
        return [dict(camera) for camera in cls._rig.cameras] if cls._rig.plugged else []

    def __init__(self, camera_num: int = 0, verbose_console: Any = None, tuning: Any = None,
                 allocator: Any = None) -> None:
        self.is_open = False
        self.started = False
        num = self.global_camera_info()[camera_num]["Num"]  # IndexError when not listed, as in picamera2
        rig = self._rig
        with rig.lock:
            if rig.broken or num in rig.held:
                reason = rig.broken or "Failed to acquire camera: Device or resource busy"
                raise RuntimeError("Camera __init__ sequence did not complete.") from RuntimeError(reason)
            rig.held.add(num)
        rig.instances.append(self)
        self.camera_idx = num
        self.is_open = True
        self.camera_config: dict[str, Any] = {}
        self.lock = threading.Lock()
        self.completed_requests: list[CompletedRequest] = []
        self._job_list: list[Job] = []
        self._max_queue_len = 0
        self.buffers_in_use = 0
        self._halt = threading.Event()
        self._loop: threading.Thread | None = None
        self._preview: NullPreview | None = None
        self._event_loop_running = False

    def create_preview_configuration(self, main: dict[str, Any] = {}, lores: dict[str, Any] | None = None,
                                     raw: dict[str, Any] | None = {}, transform: Any = None, colour_space: Any = None,
                                     buffer_count: int = 4, controls: dict[str, Any] = {}, display: str | None = "main",
                                     encode: str | None = "main", queue: bool = True, sensor: dict[str, Any] = {},
                                     use_case: str = "preview") -> dict[str, Any]:
        if not self.is_open:
            raise RuntimeError("Camera not opened")
        main_config = _stream({"format": "XBGR8888", "size": (640, 480), "preserve_ar": True}, main)
        lores_config = None if lores is None else _stream(
            {"format": "YUV420", "size": main_config["size"], "preserve_ar": False}, lores)
        raw_config = None if raw is None else {"format": "SRGGB10_CSI2P", "size": main_config["size"]}
        defaults = {"NoiseReductionMode": 1, "FrameDurationLimits": (100, 83333)}  # 12 fps up to the sensor's best
        return {"use_case": use_case, "transform": transform, "colour_space": colour_space,
                "buffer_count": buffer_count, "queue": queue, "main": main_config, "lores": lores_config,
                "raw": raw_config, "controls": defaults | controls, "sensor": sensor, "display": display,
                "encode": encode}

    def configure(self, camera_config: Any = None) -> None:
        if self.started:
            raise RuntimeError("Camera must be stopped before configuring")
        if camera_config is None:
            camera_config = self.create_preview_configuration()
        if not isinstance(camera_config, dict):
            raise TypeError("Invalid type for `camera_config` given")
        config = dict(camera_config)
        for key in ("colour_space", "transform", "main", "lores", "raw"):
            if key not in config:
                raise RuntimeError(f"{key!r} key expected in camera configuration")
        for name in ("main", "lores"):
            if config[name] is not None:
                config[name] = self._check_and_fill(dict(config[name]), name)
        if config["lores"] is not None:
            (mw, mh), (lw, lh) = config["main"]["size"], config["lores"]["size"]
            if lw > mw or lh > mh:
                raise RuntimeError("lores stream dimensions may not exceed main stream")
            if config["lores"]["format"] not in YUV_FORMATS:
                raise RuntimeError("lores stream must be YUV")
        self._max_queue_len = 1 if config["queue"] and config["buffer_count"] > 1 else 0
        self.camera_config = config

    def _check_and_fill(self, stream: dict[str, Any], name: str) -> dict[str, Any]:
        """Check a stream the way picamera2 does, then add libcamera's stride and frame size."""
        fmt, size = stream.get("format"), stream.get("size")
        if not isinstance(fmt, str) or (fmt not in RGB_BYTES and fmt not in YUV_FORMATS):
            raise RuntimeError(f"Bad format {fmt} in stream {name}")
        if type(size) is not tuple or len(size) != 2:
            raise RuntimeError(f"size in {name} stream should be (width, height)")
        if size[0] % 2 or size[1] % 2:
            raise RuntimeError("width and height should be even")
        width, height = size
        if fmt in RGB_BYTES:
            stream["stride"] = _align(width * RGB_BYTES[fmt], self._rig.stride_align)
            stream["framesize"] = stream["stride"] * height
        else:
            stream["stride"] = _align(width, self._rig.stride_align)
            stream["framesize"] = stream["stride"] * height * 3 // 2
        return stream

    def camera_configuration(self) -> dict[str, Any]:
        return self.camera_config

    def stream_configuration(self, name: str = "main") -> dict[str, Any]:
        return self.camera_config[name]

    def start_preview(self, preview: Any = None, **kwargs: Any) -> None:
        """Start a preview (None or False: the null one; a Preview member, made with `kwargs`; or an object)."""
        if self._event_loop_running:
            raise RuntimeError("An event loop is already running")
        if preview is None or preview is False:
            preview = NullPreview(**kwargs)
        elif isinstance(preview, Preview):
            preview = preview.value(**kwargs)
        preview.start(self)

    def attach_preview(self, preview: NullPreview) -> None:
        self._preview = preview
        self._event_loop_running = True

    def detach_preview(self) -> None:
        self._preview = None
        self._event_loop_running = False

    def stop_preview(self) -> None:
        if self._preview is None:
            raise RuntimeError("No preview specified.")
        self._preview.stop()

    def set_overlay(self, overlay: np.ndarray | None) -> None:
        if self._preview is None:
            raise RuntimeError("No preview specified.")
        if overlay is not None and (overlay.ndim != 3 or overlay.shape[2] != 4):
            raise RuntimeError("Overlay must be a 4-channel image")
        self._preview.set_overlay(overlay)

    def start(self, config: Any = None, show_preview: bool | None = False) -> None:
        if not self.camera_config and config is None:
            config = self.create_preview_configuration()
        if config is not None:
            self.configure(config)
        if show_preview is not None and not self._event_loop_running:
            self.start_preview(show_preview)
        if self.started:
            return
        self.started = True
        self._halt.clear()
        self._loop = threading.Thread(target=self._event_loop, name="fake libcamera", daemon=True)
        self._loop.start()

    def _event_loop(self) -> None:
        """A frame every period while plugged in and a buffer is free; jobs run as frames arrive."""
        while not self._halt.wait(self._rig.period):
            if not self._rig.plugged or self.buffers_in_use >= self.camera_config["buffer_count"]:
                continue
            request = self._expose(self._rig.next_sequence())
            finished = []
            with self.lock:
                self.buffers_in_use += 1
                self.completed_requests.append(request)
                finished = self._run_jobs()
                while len(self.completed_requests) > self._max_queue_len:
                    self.completed_requests.pop(0).ref_count -= 1
                    self.buffers_in_use -= 1
            for job in finished:
                job.signal()

    def _run_jobs(self) -> list[Job]:
        finished = []
        while self._job_list and self._job_list[0].execute():
            finished.append(self._job_list.pop(0))
        return finished

    def _expose(self, sequence: int) -> CompletedRequest:
        """Fill every configured stream's buffer with frame `sequence`, in the stream's memory layout."""
        buffers = {}
        for name in ("main", "lores"):
            config = self.camera_config.get(name)
            if config is None:
                continue
            (width, height), stride, fmt = config["size"], config["stride"], config["format"]
            if fmt in YUV_FORMATS:
                planes = np.full((height * 3 // 2, stride), 0xEE, np.uint8)  # 0xEE: row padding
                planes[:height, :width] = luma(sequence, width, height)
                chroma = planes[height:].reshape(-1)
                chroma[: chroma.size // 2] = 0x55
                chroma[chroma.size // 2:] = 0xAA
            else:
                picture = scene(sequence, width, height)
                if fmt in ("BGR888", "XBGR8888"):  # R, G, B in memory; "RGB888" and "XRGB8888" are B, G, R
                    picture = picture[..., ::-1]
                depth = RGB_BYTES[fmt]
                pixels = np.full((height, width, depth), 255, np.uint8)  # the X byte reads 255
                pixels[..., :3] = picture
                planes = np.full((height, stride), 0xEE, np.uint8)
                planes[:, : width * depth] = pixels.reshape(height, width * depth)
            buffers[name] = planes.reshape(-1)
        return CompletedRequest(self, buffers, sequence)

    def dispatch_functions(self, functions: list[Any], wait: Any, signal_function: Any = None,
                           immediate: bool = False) -> Any:
        if wait is None:
            wait = signal_function is None
        timeout = None if wait is True else wait
        job = Job(functions, signal_function)
        finished = []
        with self.lock:
            self._job_list.append(job)
            if len(self._job_list) == 1 and self.completed_requests:
                finished = self._run_jobs()
        for done in finished:
            done.signal()
        return job.get_result(timeout=timeout) if wait else job

    def _capture_request(self) -> tuple[bool, Any]:
        if not self.completed_requests:
            return (False, None)
        return (True, self.completed_requests.pop(0))

    def capture_request(self, wait: Any = None, signal_function: Any = None, flush: Any = None) -> Any:
        """The next completed request; the caller must release it."""
        return self.dispatch_functions([self._capture_request], wait, signal_function)

    def wait(self, job: Job, timeout: float | None = None) -> Any:
        return job.get_result(timeout=timeout)

    def cancel_all_and_flush(self) -> None:
        with self.lock:
            for job in self._job_list:
                job.cancel()
            self._job_list = []

    def stop(self) -> None:
        if not self.started:
            return
        self._halt.set()
        if self._loop is not None:
            self._loop.join()
        with self.lock:
            for request in self.completed_requests:
                request.ref_count -= 1
                self.buffers_in_use -= 1
            self.completed_requests = []
        self.started = False

    def close(self) -> None:
        if self._preview is not None:
            self.stop_preview()
        if not self.is_open:
            return
        self.stop()
        with self._rig.lock:
            self._rig.held.discard(self.camera_idx)
        self.is_open = False
        self.camera_config = {}


def _stream(defaults: dict[str, Any], updates: dict[str, Any]) -> dict[str, Any]:
    """picamera2's _make_initial_stream_config and align_stream(optimal=False): known keys only, even size."""
    stream = dict(defaults)
    for key, value in updates.items():
        if key not in ("format", "size", "stride", "preserve_ar"):
            raise ValueError(f"Bad key {key!r}: valid stream configuration keys are "
                             "('format', 'size', 'stride', 'preserve_ar')")
        stream[key] = value
    width, height = stream["size"]
    stream["size"] = (width - width % 2, height - height % 2)
    return stream
