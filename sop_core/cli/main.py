"""Command line: ``python -m sop_core COMMAND ...``.

Each command lives in its own module with a ``register(subparsers)`` function that adds
its parser and sets ``func`` (returning the exit code). Exit codes everywhere:
0 success, 1 a valid input with no feasible plan, 2 invalid input (the message names the
field or option, the value and the fix). No traceback reaches the user: an unexpected
failure (a bug) is one line naming the input, exit 2; ``SOP_DEBUG=1`` shows the traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from sop_core.base.errors import InputError
from sop_core.cli import (
    actuals,
    audit,
    business_plan,
    capacity,
    companies,
    consensus,
    cycle,
    demand,
    history,
    pack,
    plan,
    plans,
    portfolio,
    scenarios,
    schedule,
    scorecard,
    tradeoffs,
)

#: every command module, in the order ``--help`` lists them: the files first (solve,
#: forecast, accuracy, schedule), then a company's month in the order it runs
COMMANDS = (
    plan,
    demand,
    schedule,
    companies,
    history,
    actuals,
    portfolio,
    consensus,
    capacity,
    business_plan,
    plans,
    scenarios,
    cycle,
    audit,
    pack,
    scorecard,
    tradeoffs,
)

EXIT_OK, EXIT_INFEASIBLE, EXIT_INVALID = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m sop_core", description="S&OP workbench: forecast, plan, keep scenarios."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMANDS:
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # argparse printed the usage and what is wrong (or --help)
        return exc.code if isinstance(exc.code, int) else EXIT_INVALID
    try:
        return int(args.func(args))
    except InputError as exc:
        print(f"error: invalid input\n{exc}", file=sys.stderr)
        return EXIT_INVALID
    except BrokenPipeError:  # `... | head` closed the pipe: not an error of ours
        return EXIT_OK
    except (Exception, RecursionError) as exc:  # a bug of ours: one line, not a traceback
        if os.environ.get("SOP_DEBUG"):
            raise
        inputs = " ".join(str(v) for k, v in vars(args).items() if k in _INPUT_ARGS and v)
        print(
            f"error: unexpected failure on {inputs or 'this input'} "
            f"({type(exc).__name__}: {str(exc)[:200]}); this is a bug of the workbench: "
            "please report it with the file (SOP_DEBUG=1 shows the traceback)",
            file=sys.stderr,
        )
        return EXIT_INVALID


_INPUT_ARGS = ("scenario", "history", "file", "name")
