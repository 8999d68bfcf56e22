"""``python -m sop_core cycle …``: to be built (issue 22)."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``cycle`` command (none yet)."""
