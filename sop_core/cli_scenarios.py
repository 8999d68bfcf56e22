"""Placeholder: filled in by its own issue."""

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    return None
