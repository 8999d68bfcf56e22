"""Monthly tables uploaded by planners (the business plan, actuals): one reader and one
validation, with the history's messages (:mod:`sop_core.demand.history`).

A monthly table has a header row with ``family``, ``period`` and its value columns (case
and surrounding spaces ignored, other columns ignored), then one row per family and month.
``period`` is "YYYY-MM", or the first or last day of the month as "YYYY-MM-DD" (or an
Excel date); it is returned as "YYYY-MM", as the plan's period labels are written. Values
are numbers ≥ 0. Rows are numbered as in a spreadsheet: the header is row 1.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd

from sop_core.base.errors import InputError, Problem
from sop_core.demand.history import (
    MAX_BYTES,
    parse_amounts,
    parse_names,
    parse_periods,
    parse_table,
    raise_problems,
    show_cell,
)

#: A month as the plan's period labels and the monthly tables write it: "2027-03".
MONTH_LABEL = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


def is_month_label(label: object) -> bool:
    """Whether ``label`` is a month written "YYYY-MM" (:data:`MONTH_LABEL`)."""
    return isinstance(label, str) and MONTH_LABEL.fullmatch(label) is not None


def read_monthly_table(
    source: str | Path | bytes | IO[bytes],
    value_cols: Sequence[str],
    what: str,
    *,
    filename: str | None = None,
    max_bytes: int = MAX_BYTES,
) -> pd.DataFrame:
    """Read a .csv or .xlsx monthly table (first sheet) and validate it.

    Args:
        source: a path, the file's bytes, or a binary file object (an upload).
        value_cols: the value columns after family and period, e.g. ("units", "revenue").
        what: what the table is, for messages ("business plan", "actuals").
        filename: the file's name when ``source`` is bytes or a file object.

    Raises:
        InputError: every problem, each naming the row, the column, the value and the fix.
    """
    if isinstance(source, (str, Path)):
        path = Path(source)
        name = filename or path.name
        if not path.is_file():
            raise InputError(Problem(str(path), f"no such file; give a .csv or .xlsx {what}"))
        data = path.read_bytes() if path.stat().st_size <= max_bytes else b"x" * (max_bytes + 1)
    elif isinstance(source, (bytes, bytearray, memoryview)):
        data, name = bytes(source), filename or f"{what.replace(' ', '_')}.csv"
    else:
        name = filename or str(getattr(source, "name", "") or f"{what.replace(' ', '_')}.csv")
        data = source.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise InputError(Problem(name, f"is larger than the limit of {max_bytes:,} bytes"))
    if not data.strip():
        header = ",".join(["family", "period", *value_cols])
        raise InputError(
            Problem(
                name,
                f"the file is empty; it needs a header row {header} and one row per family "
                "and month",
            )
        )
    return validate_monthly_table(parse_table(data, name), value_cols, what)


def validate_monthly_table(
    raw: pd.DataFrame, value_cols: Sequence[str], what: str, *, first_row: int = 2
) -> pd.DataFrame:
    """Validate a raw monthly table (cells as text, numbers or dates).

    Checks, each reported with the row, column, value and fix: missing columns, no rows,
    empty family names, periods that are not months, values that are not numbers ≥ 0,
    and a family and month given twice.

    Args:
        raw: the table as read; when its index is named "row" it holds the spreadsheet
            row numbers (as :func:`sop_core.demand.history.parse_table` returns it), else rows
            count from ``first_row``.

    Returns:
        Columns family, period, then ``value_cols``, sorted by family and period.
    """
    wanted = ["family", "period", *value_cols]
    cols = {str(c).strip().lower(): c for c in raw.columns}
    missing = [c for c in wanted if c not in cols]
    if missing:
        found = ", ".join(str(c) for c in raw.columns) or "none"
        raise InputError(
            Problem(
                "columns",
                f"missing column {', '.join(repr(c) for c in missing)}; the {what} needs "
                f"columns {', '.join(wanted)}, found: {found}",
            )
        )
    if len(raw) == 0:
        raise InputError(
            Problem("", "the file has a header but no data rows; add one row per family and month")
        )
    if raw.index.name == "row":
        rows = raw.index.to_numpy(dtype=int)
    else:
        rows = np.arange(first_row, first_row + len(raw))
    problems: list[Problem] = []
    family = parse_names(raw[cols["family"]], rows, "family", problems)
    stamps, month_text = parse_periods(raw[cols["period"]], rows, "period", problems)
    reported = {p.field for p in problems}
    for i, ts in enumerate(stamps):
        at_month = month_text[i] or ts.is_month_start or ts.is_month_end
        field = f"row {rows[i]}, column period"
        if not at_month and field not in reported:
            problems.append(
                Problem(
                    field,
                    f"must be a month (YYYY-MM, or its first or last day), got "
                    f"{show_cell(raw[cols['period']].iloc[i])}",
                )
            )
    values = {c: parse_amounts(raw[cols[c]], rows, c, problems) for c in value_cols}
    raise_problems(problems)
    out = pd.DataFrame({"family": family, "period": stamps.strftime("%Y-%m"), **values})
    dup = out[out.duplicated(["family", "period"], keep=False)]
    for (fam, period), grp in dup.groupby(["family", "period"], sort=False):
        numbers = [str(rows[i]) for i in grp.index]
        problems.append(
            Problem(
                f"rows {', '.join(numbers[:-1])} and {numbers[-1]}",
                f"family {fam!r}, period {period} appears more than once; keep one row per "
                f"family and month (add them up if they are parts of the same {what})",
            )
        )
    raise_problems(problems)
    return out.sort_values(["family", "period"], kind="stable").reset_index(drop=True)
