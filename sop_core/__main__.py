"""``python -m sop_core``: see :mod:`sop_core.cli`."""

import sys

from sop_core.cli import main

sys.exit(main())
