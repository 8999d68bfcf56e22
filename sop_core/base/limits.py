"""Input limits, in one place: the largest inputs the workbench accepts, and why.

Every boundary (scenario files and dicts, history uploads, the command line, the app's
uploads) checks against these numbers and answers with an
:class:`~sop_core.base.errors.InputError` naming the field, the value and the limit, instead
of a traceback, a hang or a solver status nobody can act on.

The sizes keep one solve within seconds on one core: a scenario of
:data:`MAX_PLAN_CELLS` family-periods (e.g. 100 families × 200 periods) solves in about
5 s; the textbook and sample scenarios are below 100 cells.
"""

from __future__ import annotations

MAX_MAGNITUDE: float = 1e12
"""Largest number anywhere in a scenario or history (costs [$], quantities [units],
hours, workers). Larger values are typing mistakes and push the LP's coefficients past
what a floating-point solver can tell apart from infinity."""

MAX_PERIODS: int = 520
"""Most periods in a scenario's horizon (ten years of weeks)."""

MAX_FAMILIES: int = 200
"""Most product families in a scenario."""

MAX_PLAN_CELLS: int = 20_000
"""Most family-periods (periods × families) in a scenario."""

MAX_TEXT_CHARS: int = 200
"""Longest name or label in a scenario (scenario, family and period names)."""

MAX_SCENARIO_BYTES: int = 5 * 1024 * 1024
"""Largest scenario file [bytes]; the largest valid scenario is well below 1 MB."""

MAX_JSON_DEPTH: int = 20
"""Deepest nesting of ``[`` and ``{`` in a scenario file (a valid one nests 4 deep)."""

MAX_INT_DIGITS: int = 30
"""Longest integer literal read as a number; longer ones are refused by field (far above
:data:`MAX_MAGNITUDE` anyway, and Python refuses to convert ones above 4,300 digits)."""

MAX_HISTORY_BYTES: int = 20 * 1024 * 1024
"""Largest history file [bytes] (CSV or .xlsx); the app's upload limit is the same."""

MAX_HISTORY_ROWS: int = 1_000_000
"""Most data rows in a history file."""

MAX_SERIES: int = 10_000
"""Most series (families, or family and SKU pairs) in a history."""

MAX_HISTORY_PERIODS: int = 1_040
"""Longest history calendar, first period to last (20 years of weeks, 86 of months)."""


def limit_text(x: float) -> str:
    """A limit as people write it: ``1e12`` → "1,000,000,000,000"."""
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:g}"
