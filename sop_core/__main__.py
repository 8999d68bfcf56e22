"""``python -m sop_core``: see :mod:`sop_core.cli.main`."""

import sys

from sop_core.cli.main import main

if __name__ == "__main__":  # spawned worker processes import this module: do not run then
    sys.exit(main())
