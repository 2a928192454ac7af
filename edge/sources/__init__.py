"""Frame sources: hardware behind tiny start/read/stop classes chosen by name, each importing its library only
inside itself, with file sources for tests. The newest frame always wins; cameras are released in `finally`."""
from edge.sources.base import NATIVE_FPS, Frame, Source, SourceEnded, SourceError
from edge.sources.choose import DEMO_CLIP, auto_spec, open_source
from edge.sources.retry import Retrying

__all__ = ["DEMO_CLIP", "NATIVE_FPS", "Frame", "Retrying", "Source", "SourceEnded", "SourceError", "auto_spec",
           "open_source"]
