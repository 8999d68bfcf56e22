"""The monthly S&OP cycle: started, its steps signed off in order, commented, and its
assumptions and decisions logged and closed.

Each writing function is one user action in one transaction: the store checks that the
person owns the step (or holds the right), that steps are signed off in order and that
a sign-off is final, freezes what the step hands on (the consensus, the recommended or
approved plan), writes the audit row and returns the cycle as it now stands.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd

from sop_core.base.access import Actor
from sop_core.base.errors import InputError
from sop_core.demand.forecast import MODEL_CHOICES, forecast, label_periods
from sop_core.demand.launch import forecast_with_launches, launches_in
from sop_core.process.cycle import Cycle
from sop_core.process.fva import forecast_value_added, snapshot_frame, unscored_periods
from sop_core.process.sop_sheet import monthly_sales
from sop_core.services.companies import company_history, company_state
from sop_core.services.workbench import Workbench

# --------------------------------------------------------------------------- reading


def months(wb: Workbench, company: str) -> list[str]:
    """The months (``YYYY-MM``) the company has a cycle for, oldest first."""
    return wb.cycles.months(company)


def cycle_of(wb: Workbench, company: str, month: str) -> Cycle:
    """The company's cycle of ``month`` (refused, naming the month, when it has none)."""
    return wb.cycles.get(company, month)


def current_cycle(wb: Workbench, company: str, today: date | None = None) -> Cycle | None:
    """The company's cycle of this month (of ``today``), else the newest before it, else
    None."""
    return wb.cycles.current(company, today)


def history_of(wb: Workbench, company: str, before: str) -> list[Cycle]:
    """The company's cycles before month ``before``, oldest first."""
    return [cycle_of(wb, company, m) for m in months(wb, company) if m < before]


def statistical_forecast(
    wb: Workbench, company: str, model: str | None = None
) -> pd.DataFrame | None:
    """The statistical forecast the demand review's sign-off freezes next to the
    consensus, as the Cycle page computes it: the company's stored sales history (its
    families named as the company names them) forecast over the plan's horizon with
    ``model`` (default: the model recorded when the consensus was handed to the plan,
    else ``auto``), with its launches (:mod:`sop_core.demand.launch`). Columns family,
    period (the plan's labels, "2027-01"), forecast (units): what :func:`sign_off` takes
    as ``statistical``. ``None`` when the company has no history or cannot be planned
    yet; :class:`InputError` when the history cannot be forecast. Fitted in this process
    (no worker pool)."""
    state = company_state(wb, company)
    history = company_history(wb, state)
    if history is None or history.empty:
        return None
    try:
        scenario = state.scenario()
    except InputError:
        return None
    horizon = scenario.horizon
    recorded = state.forecast_model
    chosen = model or (recorded if recorded in MODEL_CHOICES else MODEL_CHOICES[0])
    result = forecast(
        state.planned_history(history), horizon=horizon, model=chosen, backend="sequential"
    )
    fc = forecast_with_launches(result.forecast, result.freq, launches_in(scenario))
    return pd.DataFrame(
        {
            "family": fc["family"].astype(str).to_numpy(),
            "period": label_periods(fc["period"], result.freq).to_numpy(),
            "forecast": fc["forecast"].to_numpy(float),
        }
    )


# --------------------------------------------------------------------------- writing


def start_cycle(
    wb: Workbench, company: str, month: str | None = None, *, author: str | Actor
) -> Cycle:
    """Start the company's cycle of ``month`` (default: this month); open assumptions and
    decisions are carried from the cycle before."""
    return wb.cycles.create(company, month, author=author)


def sign_off(
    wb: Workbench,
    company: str,
    month: str,
    step: str,
    *,
    author: str | Actor,
    comment: str = "",
    recommended: Sequence[tuple[str, int] | str] | None = None,
    approve: tuple[str, int] | str | None = None,
    statistical: pd.DataFrame | None = None,
) -> Cycle:
    """Sign off ``step`` of the company's ``month`` cycle (final), freezing what it hands
    on: the consensus (and ``statistical``, the forecast it was adjusted from), the
    ``recommended`` plans, or the plan the executive meeting ``approve``s."""
    return wb.cycles.sign_off(
        company,
        month,
        step,
        author=author,
        comment=comment,
        recommended=recommended,
        approve=approve,
        statistical=statistical,
    )


def mark_in_review(
    wb: Workbench, company: str, month: str, step: str, *, author: str | Actor
) -> Cycle:
    """Mark ``step`` as being in review (its owner, or whoever holds its right)."""
    return wb.cycles.set_status(company, month, step, "in_review", author=author)


def comment(
    wb: Workbench, company: str, month: str, step: str, text: str, *, author: str | Actor
) -> Cycle:
    """Add a comment to ``step`` of the ``month`` cycle."""
    return wb.cycles.comment(company, month, step, text, author=author)


def add_assumption(
    wb: Workbench,
    company: str,
    month: str,
    text: str,
    *,
    owner: str,
    family: str | None = None,
    author: str | Actor,
) -> int:
    """Log an assumption (carried to later cycles until closed); returns its number."""
    return wb.cycles.add_assumption(company, month, text, owner=owner, family=family, author=author)


def add_decision(
    wb: Workbench,
    company: str,
    month: str,
    text: str,
    *,
    owner: str,
    due: date | None = None,
    family: str | None = None,
    author: str | Actor,
) -> int:
    """Log a decision (carried until closed); returns its number."""
    return wb.cycles.add_decision(
        company, month, text, owner=owner, due=due, family=family, author=author
    )


def close_entry(
    wb: Workbench, company: str, month: str, entry_id: int, *, author: str | Actor
) -> Cycle:
    """Close the open assumption or decision number ``entry_id``."""
    return wb.cycles.close(company, month, entry_id, author=author)


def forecast_value_added_of(
    wb: Workbench, company: str, found: Sequence[Cycle]
) -> tuple[pd.DataFrame | None, str]:
    """The company's forecast value added over its cycles ``found`` (a cycle and those
    before it: :func:`~sop_core.process.fva.forecast_value_added`, pooled rows included),
    or ``None`` and why nothing can be scored yet (in words, for a caption). What the
    Cycle page shows and the meeting pack's "Forecast value added" section takes."""
    state = company_state(wb, company)
    stored = company_history(wb, state)
    history = None if stored is None else state.planned_history(stored)
    if history is None:
        return None, "upload the sales history on the Demand page to score the forecasts"
    try:
        sales = monthly_sales(history)
    except InputError as exc:
        return None, "; ".join(str(p) for p in exc.problems)
    frozen = [c for c in found if c.snapshot("consensus") is not None]
    snapshots = snapshot_frame(frozen)
    fva = forecast_value_added(snapshots, sales)
    if len(fva):
        return fva, ""
    odd = unscored_periods(frozen)
    if not frozen:
        return None, "no demand review has been signed off yet, so no forecast is frozen"
    if odd and snapshots.empty:
        shown = ", ".join(odd[:4]) + ("…" if len(odd) > 4 else "")
        return None, (
            f"the frozen forecasts' periods are not months ({shown}), so they cannot meet "
            "the monthly sales; plan in months such as 2027-01"
        )
    return None, (
        "no month a cycle forecast has sales in the history yet; the first scores come "
        "once the next month's sales are uploaded"
    )
