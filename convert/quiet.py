"""Silence native (C++) chatter on stderr, which TF_CPP_MIN_LOG_LEVEL no longer reaches.

TensorFlow prints absl/oneDNN/CUDA notices from C++ before its log level is read, and the TFLite converter
prints its settings the same way; they would bury the one line a user needs. Python's `sys.stderr` cannot
catch them, so file descriptor 2 itself is pointed at a temp file for the block. When the block fails, the
captured text is replayed so nothing needed for debugging is lost.
"""
from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator


@contextlib.contextmanager
def native_stderr() -> Iterator[None]:
    """Hide what the block writes to file descriptor 2; replay it if the block raises."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as captured:
        os.dup2(captured.fileno(), 2)
        try:
            yield
        except BaseException:
            os.dup2(saved, 2)
            captured.seek(0)
            os.write(2, captured.read())
            raise
        finally:
            os.dup2(saved, 2)
            os.close(saved)
