"""Entry point for `python -m convert`."""
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # keep TensorFlow's start-up chatter off the user's screen

from convert.cli import main  # noqa: E402

sys.exit(main())
