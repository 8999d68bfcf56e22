"""The command line's documentation holds: every command is in the README's table, and
every option's help says what it is."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from sop_core.cli.main import build_parser

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def commands(parser: argparse.ArgumentParser, prefix: str = ""):
    """(the command's words, its parser) for every command and subcommand."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from commands(sub, f"{prefix} {name}".strip())
            return
    yield prefix, parser


def test_every_command_is_in_the_readmes_table():
    table = README[README.index("## Command line") : README.index("Exit codes:")]
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    missing = []
    for words, _ in commands(build_parser()):
        group, _, sub = words.partition(" ")
        row = [r for r in rows if re.search(rf"`{re.escape(group)}\b", r)]
        if not row or (sub and not any(sub in r for r in row)):
            missing.append(words)
    assert missing == [], f"not in the README's command table: {missing}"


def test_every_option_says_what_it_is():
    unexplained = []
    for words, parser in commands(build_parser()):
        for action in parser._actions:
            if isinstance(action, argparse._HelpAction) or not action.option_strings:
                continue
            if not (action.help or "").strip():
                unexplained.append(f"{words} {action.option_strings[0]}")
    assert unexplained == [], f"options without a help text: {unexplained}"
