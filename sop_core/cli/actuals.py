"""``python -m sop_core actuals …``: to be built (issue 22)."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``actuals`` command (none yet)."""
