"""Run the kb_index command line: `python -m kb_index --help`."""

from __future__ import annotations

import logging
import sys

from kb_index.cli import main

logger = logging.getLogger(__name__)

if __name__ == "__main__":
    sys.exit(main())
