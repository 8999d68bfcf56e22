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
