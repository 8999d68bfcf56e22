"""From statistical forecast to the plan's demand: planner adjustments and the hand-over.

:func:`adjust_forecast` applies the consensus meeting's changes (per family and
period, in % or in units, each with a comment) and keeps both numbers: ``forecast``
stays the statistical forecast, ``adjusted`` is what the plan will use.
:func:`scenario_with_forecast` writes a forecast (adjusted or not) into a scenario's
``demand`` lists and ``periods`` labels, in one call.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from sop_core.base.errors import InputError, Problem
from sop_core.base.text import noun
from sop_core.model.scenario import Scenario, parse_scenario

Unit = Literal["%", "units"]


@dataclass(frozen=True)
class Adjustment:
    """One planner change to a forecast.

    Attributes:
        family: the family it applies to.
        period: "YYYY-MM" (or "YYYY-MM-DD" for weekly), or None for every period.
        change: +10 with unit "%" raises the forecast by 10 %; +500 with unit
            "units" adds 500 units; negative values lower it.
        unit: "%" or "units".
        comment: why (shown next to the number in the consensus view).
    """

    family: str
    period: str | None
    change: float
    unit: Unit = "%"
    comment: str = ""


ADJUSTMENT_COLUMNS = ("family", "period", "change", "unit", "comment")


def adjustments_from_frame(frame: pd.DataFrame) -> list[Adjustment]:
    """Adjustments from a table with columns family, period, change, unit, comment."""
    missing = [c for c in ("family", "change") if c not in frame.columns]
    if missing:
        raise InputError(
            Problem(
                "adjustments",
                f"missing {noun(len(missing), 'column')} {', '.join(missing)}; "
                f"need {ADJUSTMENT_COLUMNS}",
            )
        )
    out = []
    for row in frame.to_dict("records"):
        period = row.get("period")
        if period is None or (isinstance(period, float) and np.isnan(period)) or period == "":
            period = None
        out.append(
            Adjustment(
                family=str(row["family"]),
                period=None if period is None else _period_text(period),
                change=row["change"],
                unit=_text(row.get("unit")) or "%",  # type: ignore[arg-type]
                comment=_text(row.get("comment")),
            )
        )
    return out


def _text(value: object) -> str:
    """A table cell as text; empty for None, NaN and blanks (an edited table's gaps)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return str(value).strip()


def _period_text(value: object) -> str:
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m") if value.day == 1 else value.strftime("%Y-%m-%d")
    return str(value).strip()


def month_or_day_labels(periods: pd.Series) -> pd.Series:
    ts = pd.to_datetime(periods)
    monthly = bool((ts.dt.day == 1).all())
    return ts.dt.strftime("%Y-%m" if monthly else "%Y-%m-%d")


def adjust_forecast(
    forecast: pd.DataFrame,
    adjustments: Sequence[Adjustment] | pd.DataFrame,
    *,
    id_col: str = "family",
    time_col: str = "period",
    value_col: str = "forecast",
) -> pd.DataFrame:
    """Apply planner adjustments to a family-level forecast.

    Adjustments apply in order: a % change multiplies the value so far, a units change
    adds to it. Returns a copy of ``forecast`` with ``adjusted`` [units] and
    ``comment`` (the comments of the adjustments on that row, joined by "; ");
    ``forecast`` keeps the statistical value.

    Raises:
        InputError: an unknown family or period, a unit other than % or units, a
            non-numeric change, or an adjusted value below 0; each names the
            adjustment (numbered from 1).
    """
    if isinstance(adjustments, pd.DataFrame):
        adjustments = adjustments_from_frame(adjustments)
    out = forecast.copy()
    if "sku" in out.columns:
        raise InputError(
            Problem("forecast", "is at SKU level; adjust the family forecast (level family)")
        )
    labels = month_or_day_labels(out[time_col])
    adjusted = out[value_col].to_numpy(dtype=float).copy()
    comments: list[list[str]] = [[] for _ in range(len(out))]
    families = set(out[id_col].astype(str))
    problems: list[Problem] = []
    for i, adj in enumerate(adjustments, start=1):
        where = f"adjustment {i} (family {adj.family!r}, period {adj.period or 'all'})"
        try:
            change = float(adj.change)
        except (TypeError, ValueError):
            problems.append(Problem(where, f"change must be a number, got {adj.change!r}"))
            continue
        if not np.isfinite(change):
            problems.append(Problem(where, f"change must be a finite number, got {adj.change!r}"))
            continue
        if adj.unit not in ("%", "units"):
            problems.append(Problem(where, f"unit must be '%' or 'units', got {adj.unit!r}"))
            continue
        if adj.family not in families:
            problems.append(
                Problem(
                    where,
                    f"no such family in the forecast; families: {', '.join(sorted(families))}",
                )
            )
            continue
        mask = (out[id_col].astype(str) == adj.family).to_numpy()
        if adj.period is not None:
            mask = mask & (labels == adj.period).to_numpy()
            if not mask.any():
                shown = ", ".join(sorted(set(labels)))
                problems.append(Problem(where, f"no such period in the forecast; periods: {shown}"))
                continue
        if adj.unit == "%":
            adjusted[mask] *= 1 + change / 100
        else:
            adjusted[mask] += change
        if (adjusted[mask] < -1e-9).any():
            problems.append(
                Problem(
                    where,
                    f"makes demand negative ({adjusted[mask].min():g} units); "
                    "lower the change so demand stays ≥ 0",
                )
            )
        for j in np.flatnonzero(mask):
            if adj.comment:
                comments[j].append(adj.comment)
    if problems:
        raise InputError(problems)
    out["adjusted"] = np.clip(adjusted, 0, None)
    out["comment"] = ["; ".join(c) for c in comments]
    return out


def scenario_with_forecast(
    scenario: Scenario,
    forecast: pd.DataFrame,
    *,
    value_col: str | None = None,
    id_col: str = "family",
    time_col: str = "period",
) -> Scenario:
    """A copy of ``scenario`` whose families' demand and periods come from ``forecast``.

    Families are matched by name; SKU rows are summed into their family; forecast
    families absent from the scenario are ignored. ``value_col`` defaults to
    ``adjusted`` when present, else ``forecast``. Periods become "YYYY-MM" labels
    ("YYYY-MM-DD" for weekly forecasts).

    Raises:
        InputError: a scenario family with no forecast, a family missing some
            periods, or a scenario that no longer validates (e.g. a per-period safety
            stock list of another length).
    """
    col = value_col or ("adjusted" if "adjusted" in forecast.columns else "forecast")
    for c in (id_col, time_col, col):
        if c not in forecast.columns:
            raise InputError(Problem("forecast", f"missing column {c!r}"))
    totals = forecast.groupby([id_col, time_col], sort=True)[col].sum().unstack(time_col)
    periods = list(totals.columns)
    labels = list(month_or_day_labels(pd.Series(periods)))
    available = [str(f) for f in totals.index]
    problems: list[Problem] = []
    data = scenario.model_dump()
    for i, fam in enumerate(data["families"]):
        if fam["name"] not in available:
            problems.append(
                Problem(
                    f"families[{i}].name",
                    f"family {fam['name']!r} has no forecast; forecast families are: "
                    f"{', '.join(available)}; rename the family or forecast it",
                )
            )
            continue
        values = totals.loc[fam["name"]]
        if values.isna().any():
            gaps = [lbl for lbl, v in zip(labels, values, strict=True) if pd.isna(v)]
            problems.append(
                Problem(
                    f"families[{i}].demand",
                    f"the forecast of {fam['name']!r} has no value for {', '.join(gaps)}",
                )
            )
            continue
        fam["demand"] = [round(float(v), 6) for v in values]
    if problems:
        raise InputError(problems)
    data["periods"] = labels
    return parse_scenario(data)
