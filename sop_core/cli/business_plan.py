"""``python -m sop_core business-plan …``: to be built (issue 22)."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``business-plan`` command (none yet)."""
