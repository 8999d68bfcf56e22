"""The consensus step as actions: adjustments added or replaced, and the statistical
forecast of the company's stored sales history, adjusted, handed over to the plan.

The Demand page makes the same moves by hand: it forecasts the history in use, applies
the company's adjustments (:func:`sop_core.demand.consensus.adjust_forecast`) and hands
the adjusted forecast over (:func:`sop_core.services.demand.hand_over`). Here they are one
call each, for the command line and scripts: every change is one undoable, audited action
in one transaction, refused whole (nothing saved) when a row or a right is wrong.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

import pandas as pd

from sop_core.base.access import Actor, as_actor, require
from sop_core.base.errors import InputError, Problem
from sop_core.base.limits import MAX_MAGNITUDE, limit_text
from sop_core.demand.consensus import ADJUSTMENT_COLUMNS, adjust_forecast
from sop_core.demand.forecast import forecast
from sop_core.demand.launch import forecast_with_launches, launches_in
from sop_core.process.workspace import (
    ADJUSTMENT_FIELDS,
    Edit,
    WorkspaceState,
    adjustment_edits,
)
from sop_core.services.companies import company_history, company_state, edit_company
from sop_core.services.demand import hand_over
from sop_core.services.workbench import Workbench

#: an adjustment's period: a month (YYYY-MM) or, for a weekly plan, a day (YYYY-MM-DD)
PERIOD_LABEL = re.compile(r"\d{4}-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?")
#: what a person types for "every period"
ALL_PERIODS = frozenset({"", "all", "*"})
UNITS = ("%", "units")

Changed = tuple[WorkspaceState, list[Edit]]
"""What a writing function returns: the company's new state and the edits it saved."""


@dataclass(frozen=True)
class Consensus:
    """The consensus forecast of a company: ``forecast`` (family, period, forecast,
    lower, upper, model, then ``adjusted`` and the adjustments' ``comment``), the
    forecast's ``notes``, the statistical ``model`` asked for, the ``history_name`` it
    was made from and the history's frequency ``freq``."""

    forecast: pd.DataFrame
    notes: list[str]
    model: str
    history_name: str
    freq: str


# --------------------------------------------------------------------------- adjustments


def _blank(value: Any) -> bool:
    return (
        value is None or (isinstance(value, float) and math.isnan(value)) or not str(value).strip()
    )


def check_adjustments(
    state: WorkspaceState, table: pd.DataFrame, *, where: str = "row", first: int = 2
) -> pd.DataFrame:
    """``table``'s adjustments, checked against the company: columns family, period (blank
    or "all": every period), change, unit (% or units), comment. Each row's family must be
    the company's, its period a month (YYYY-MM) or a day (YYYY-MM-DD), its change a number
    other than 0 (above −100 in %), its unit given. Rows are named ``where`` and numbered
    from ``first`` (a CSV's first data row is row 2). Returns :data:`ADJUSTMENT_FIELDS`
    columns, period None for every period."""
    missing = [c for c in ("family", "change", "unit") if c not in table.columns]
    if missing:
        raise InputError(
            Problem(
                "columns",
                f"missing {', '.join(missing)}; adjustments need columns "
                f"{', '.join(ADJUSTMENT_COLUMNS)} (period and comment may be blank)",
            )
        )
    known = state.family_names
    problems: list[Problem] = []
    rows = []
    for n, row in enumerate(table.to_dict("records"), start=first):
        at = f"{where} {n}" if where else ""
        family, period, unit = (str(row.get(c) or "").strip() for c in ("family", "period", "unit"))
        if _blank(row.get("period")) or period.casefold() in ALL_PERIODS:
            period = ""
        if family not in known:
            shown = ", ".join(repr(f) for f in known) or "none yet"
            problems.append(
                Problem(
                    at or "family", f"{family!r} is not a family of {state.name}; families: {shown}"
                )
            )
        if period and not PERIOD_LABEL.fullmatch(period):
            problems.append(
                Problem(at or "period", f"the period must be YYYY-MM (or all), got {period!r}")
            )
        if unit not in UNITS:
            problems.append(Problem(at or "unit", f"the unit must be % or units, got {unit!r}"))
        change = _change(row.get("change"), unit, at or "change", problems)
        comment = "" if _blank(row.get("comment")) else str(row.get("comment")).strip()
        rows.append(
            {
                "family": family,
                "period": period or None,
                "change": change,
                "unit": unit,
                "comment": comment,
            }
        )
    if problems:
        raise InputError(problems)
    return pd.DataFrame(rows, columns=list(ADJUSTMENT_FIELDS))


def _change(value: Any, unit: str, at: str, problems: list[Problem]) -> float | None:
    """An adjustment's change: a finite number other than 0 (a % change above −100)."""
    try:
        number = float(str(value).replace(",", "").strip()) if not isinstance(value, bool) else None
    except ValueError:
        number = None
    if number is None or not math.isfinite(number) or abs(number) > MAX_MAGNITUDE:
        problems.append(
            Problem(
                at,
                f"the change must be a number such as 10 or -500 (at most "
                f"{limit_text(MAX_MAGNITUDE)}), got {value!r}",
            )
        )
        return None
    if number == 0:
        problems.append(Problem(at, "the change is 0, which changes nothing; give e.g. 10 or -500"))
    elif unit == "%" and number < -100:
        problems.append(
            Problem(at, f"a change of {number:g} % makes demand negative; give at least -100")
        )
    return number


def add_adjustment(
    wb: Workbench,
    company: str,
    family: str,
    period: str | None,
    change: float,
    *,
    unit: str = "units",
    comment: str = "",
    author: str | Actor,
) -> Changed:
    """Add one consensus adjustment: ``change`` (units, or % with ``unit="%"``) to
    ``family``'s forecast in ``period`` (None or "all": every period), with ``comment``
    saying why. Needs the right to adjust the consensus."""
    actor = as_actor(author)
    require(actor, "consensus")
    with wb.store.transaction():
        state = company_state(wb, company)
        row = pd.DataFrame(
            [
                {
                    "family": family,
                    "period": period,
                    "change": change,
                    "unit": unit,
                    "comment": comment,
                }
            ]
        )
        new = check_adjustments(state, row, where="")
        table = pd.concat([state.adjustments, new], ignore_index=True)
        edits = adjustment_edits(state, table)
        summary = f"adjusted {new.loc[0, 'family']}"
        return edit_company(wb, company, edits, author=actor, summary=summary), edits


def replace_adjustments(
    wb: Workbench, company: str, table: pd.DataFrame, filename: str, *, author: str | Actor
) -> Changed:
    """Make the company's adjustments the rows of ``table`` (read from ``filename``): a
    row matching a kept adjustment's family and period changes only what differs, the
    others are added, and kept adjustments no row matches are removed."""
    actor = as_actor(author)
    require(actor, "consensus")
    with wb.store.transaction():
        state = company_state(wb, company)
        return _replace(wb, state, check_adjustments(state, table), filename, actor)


def _replace(
    wb: Workbench, state: WorkspaceState, rows: pd.DataFrame, filename: str, actor: Actor
) -> Changed:
    kept = state.adjustments
    free = {
        k: (f, None if _blank(p) else p)
        for k, f, p in zip(kept["key"], kept["family"], kept["period"], strict=True)
    }
    keys = []
    for family, period in zip(rows["family"], rows["period"], strict=True):
        key = next((k for k, fp in free.items() if fp == (family, period)), None)
        free.pop(key, None)
        keys.append(key)
    edits = adjustment_edits(state, rows.assign(key=keys))
    summary = f"adjustments from {filename}"
    return edit_company(wb, state.name, edits, author=actor, summary=summary), edits


# --------------------------------------------------------------------------- the forecast


def _horizon(state: WorkspaceState) -> int:
    """The plan's periods: its families' demand, else its periods, else 12."""
    if state.families:
        return len(state.families[0].value["demand"])
    return len((state.value("plan") or {}).get("periods") or []) or 12


def _launches(state: WorkspaceState) -> dict:
    """The company's launches (none while it cannot be planned yet)."""
    try:
        return launches_in(state.scenario())
    except InputError:
        return {}


def consensus_forecast(
    wb: Workbench,
    company: str,
    *,
    model: str = "auto",
    horizon: int | None = None,
    adjustments: pd.DataFrame | None = None,
    workers: int | None = 1,
    state: WorkspaceState | None = None,
) -> Consensus:
    """The statistical forecast of the company's sales history in use (its families as
    the company names them) with ``model`` over ``horizon`` periods (default: the plan's),
    adjusted by the company's adjustments or by ``adjustments`` (checked rows, see
    :func:`check_adjustments`). Its launches are forecast as their like-families'
    forecast scaled and ramped (:mod:`sop_core.demand.launch`), so they enter the
    consensus like any family. ``workers``: processes fitting it (1: this one)."""
    state = state or company_state(wb, company)
    history = company_history(wb, state)
    if history is None:
        raise InputError(
            Problem("history", f"{company} has no sales history yet; upload one first")
        )
    planned = state.planned_history(history)
    if planned.empty:
        raise InputError(
            Problem(
                "history",
                f"none of the families in {state.history_upload['name']} is planned by "  # type: ignore[index]
                f"{company}; map them to its families when uploading it",
            )
        )
    result = forecast(
        planned,
        horizon=horizon or _horizon(state),
        model=model,
        backtest=False,
        backend="sequential" if (workers or 1) == 1 else "processes",
        workers=workers,
    )
    made = forecast_with_launches(result.forecast, result.freq, _launches(state))
    table = state.adjustments if adjustments is None else adjustments
    adjusted = adjust_forecast(made, table[list(ADJUSTMENT_COLUMNS)])
    name = str((state.history_upload or {}).get("name", ""))
    return Consensus(adjusted, list(result.notes), model, name, result.freq)


def hand_over_consensus(
    wb: Workbench,
    company: str,
    *,
    model: str = "auto",
    horizon: int | None = None,
    adjustments: pd.DataFrame | None = None,
    adjustments_name: str = "",
    workers: int | None = 1,
    author: str | Actor,
) -> tuple[WorkspaceState, Consensus, list[str]]:
    """Forecast the company's stored history with ``model``, adjust it and hand it over
    to the plan (its periods and each family's demand, ``model`` recorded), as the Demand
    page's *Use the consensus forecast in the plan* does. With ``adjustments`` (a table,
    read from ``adjustments_name``) they first become the company's adjustments, in the
    same transaction. Needs the right to hand the consensus over (and to adjust it, with
    ``adjustments``); refused before any fitting. Returns the new state, the consensus
    and the hand-over's notes (a family with no forecast, …)."""
    actor = as_actor(author)
    require(actor, "plan_demand")
    if adjustments is not None:
        require(actor, "consensus")
    state = company_state(wb, company)
    rows = None if adjustments is None else check_adjustments(state, adjustments)
    made = consensus_forecast(
        wb, company, model=model, horizon=horizon, adjustments=rows, workers=workers, state=state
    )
    with wb.store.transaction():
        if rows is not None:
            state, _ = _replace(wb, state, rows, adjustments_name or "a file", actor)
        new, notes = hand_over(
            wb,
            company,
            made.forecast,
            author=actor,
            model=model,
            history_name=made.history_name,
            based_on=state,
        )
    return new, made, notes
