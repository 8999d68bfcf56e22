"""The one error type for bad input, at every boundary (scenario files, histories, CLI).

Each problem names the field (a dotted path such as ``families[0].holding_cost``,
or a row and column of an uploaded file), the offending value and what is expected,
so a page or the command line can show it as it is.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where, what was found, and what is expected."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


class InputError(ValueError):
    """Invalid input. ``problems`` lists every issue found, each naming its field."""

    def __init__(self, problems: list[Problem] | Problem | str) -> None:
        if isinstance(problems, str):
            problems = [Problem("", problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class StoreUnavailable(RuntimeError):
    """The store's database cannot be reached or opened, or stayed busy: nothing was
    written (the message names the URL, never its password). Raised by the store; pages
    and the command line say it in words."""
