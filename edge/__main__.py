"""Entry point for `python -m edge` and the `digitcam` command."""
import sys

from edge.cli import main

if __name__ == "__main__":
    sys.exit(main())
