"""The full scorecard of the five aims of S&OP: the plan's measures
(:mod:`sop_core.engine.scorecard`) and the management handle, revenue and gross margin
against the business plan, each judged against the company's targets, and the views
people read of it.

The management handle (the plan in money and its gap: :mod:`sop_core.process.business_plan`)::

    plan_revenue        the plan's revenue over the months and families the business plan
                        covers (:func:`~sop_core.process.business_plan.budget_gap`; the
                        whole horizon without a business plan). Target: the business
                        plan's revenue less ``targets.revenue_tolerance`` (a share, none: 0)
    gross_margin_share  Σ gross margin ÷ Σ revenue over the same months (gross margin =
                        revenue − cost of goods,
                        :func:`~sop_core.process.business_plan.plan_money`).
                        Target: ``targets.margin_min`` (the business plan holds no margin)

Both are NaN for a scope where a family has no price. A family missing from the business
plan is measured over the horizon, with no revenue target.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd

from sop_core.base.fields import MISSING, format_number, term
from sop_core.engine.kpis import money
from sop_core.engine.results import PlanResult
from sop_core.engine.scorecard import AIMS, ALL, MEASURES, judged, plan_measures
from sop_core.model.scenario import Scenario
from sop_core.model.targets import Targets
from sop_core.process.business_plan import budget_gap, plan_money

#: the columns of :func:`scorecard_table`, as people read them
TABLE_COLUMNS: tuple[str, ...] = ("Aim", "Measure", "Value", "Target", "Status")


def handle_measures(
    scenario: Scenario, result: PlanResult, budget: pd.DataFrame | None
) -> pd.DataFrame:
    """Revenue and gross margin % per plan and per family, with revenue's target from
    the business plan ``budget`` (columns family, aim, measure, value, target_low,
    target_high; rules in the module docstring)."""
    money_frame = plan_money(scenario, result)
    names = list(dict.fromkeys(money_frame["family"]))
    gap = budget_gap(money_frame, budget) if budget is not None and len(budget) else None
    tolerance = (scenario.targets.revenue_tolerance if scenario.targets else None) or 0.0
    covered = set(zip(gap["family"], gap["period"], strict=True)) if gap is not None else set()
    in_budget = money_frame[
        [
            (f, p) in covered
            for f, p in zip(money_frame["family"], money_frame["period"], strict=True)
        ]
    ]
    rows = []
    for name in [ALL, *names]:
        if name == ALL:
            rows_of = in_budget if gap is not None and len(gap) else money_frame
            budgeted = gap
        else:
            mine = in_budget[in_budget["family"] == name]
            rows_of = mine if len(mine) else money_frame[money_frame["family"] == name]
            budgeted = gap[gap["family"] == name] if gap is not None and len(mine) else None
        revenue = float(rows_of["revenue"].sum(skipna=False))
        margin = float(rows_of["gross_margin"].sum(skipna=False))
        low = math.nan
        if budgeted is not None and len(budgeted):
            low = float(budgeted["budget_revenue"].sum()) * (1.0 - tolerance)
        share = margin / revenue if revenue > 0 else math.nan
        rows.append(_row(name, "plan_revenue", revenue, low))
        rows.append(_row(name, "gross_margin_share", share, math.nan))
    return pd.DataFrame(rows)


def _row(family: str, measure: str, value: float, low: float) -> dict[str, object]:
    return {
        "family": family,
        "aim": MEASURES[measure],
        "measure": measure,
        "value": value,
        "target_low": low,
        "target_high": math.nan,
    }


def scorecard(
    scenario: Scenario, result: PlanResult, budget: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The scorecard of the optimal plan ``result`` of ``scenario`` against its targets
    and the business plan ``budget`` (optional): the tidy table
    :data:`~sop_core.engine.scorecard.SCORECARD_COLUMNS`, the plan's rows (family
    :data:`~sop_core.engine.scorecard.ALL`) first, then each family's, measures in the
    order of :data:`~sop_core.engine.scorecard.MEASURES`."""
    plan = plan_measures(scenario, result)
    handle = handle_measures(scenario, result, budget)
    both = pd.concat([plan, handle], ignore_index=True)
    order = {f: i for i, f in enumerate(dict.fromkeys([ALL, *plan["family"]]))}
    rank = {m: i for i, m in enumerate(MEASURES)}
    both = both.assign(_f=both["family"].map(order), _m=both["measure"].map(rank)).sort_values(
        ["_f", "_m"], kind="stable"
    )
    return judged(both.drop(columns=["_f", "_m"]), scenario.targets)


# --------------------------------------------------------------------------- as people read it


def value_text(measure: str, value: float, *, compact: bool = False) -> str:
    """A measure's value in its kind's format ("96.0%", "15.2", "$1,234,567"; compact
    money "$1.23M"), :data:`~sop_core.base.fields.MISSING` when it has none."""
    if value is None or not math.isfinite(value):
        return MISSING
    kind = term(measure).kind
    if kind == "money":
        return money(value, compact=compact)
    return format_number(kind, value)


def target_text(measure: str, low: float, high: float, *, compact: bool = False) -> str:
    """The target in words: "at least 95.0%", "at most 10.0", "20.0 to 45.0", "" for none."""
    has_low, has_high = not math.isnan(low), not math.isnan(high)
    lo, hi = (value_text(measure, x, compact=compact) for x in (low, high))
    if has_low and has_high:
        return f"{lo} to {hi}"
    if has_low:
        return f"at least {lo}"
    if has_high:
        return f"at most {hi}"
    return ""


def scorecard_table(card: pd.DataFrame, family: str = ALL) -> pd.DataFrame:
    """One scope's rows as people read them (:data:`TABLE_COLUMNS`): the aim and the
    measure in words, the value, the target and the status."""
    rows = card[card["family"] == family]
    return pd.DataFrame(
        {
            "Aim": [AIMS[a] for a in rows["aim"]],
            "Measure": [_measure_label(m) for m in rows["measure"]],
            "Value": [
                value_text(m, v) for m, v in zip(rows["measure"], rows["value"], strict=True)
            ],
            "Target": [
                target_text(m, lo, hi)
                for m, lo, hi in zip(
                    rows["measure"], rows["target_low"], rows["target_high"], strict=True
                )
            ],
            "Status": list(rows["status"]),
        },
        columns=list(TABLE_COLUMNS),
    )


def _measure_label(measure: str) -> str:
    t = term(measure)
    said = t.unit and t.kind == "days" and t.unit.lower() not in t.label.lower()
    return f"{t.label} ({t.unit})" if said else t.label


def family_table(card: pd.DataFrame) -> pd.DataFrame:
    """Each measure (rows, labelled) of every scope (columns: the plan, then each family),
    a cell reading "96.0% (met)"; a scope without the measure is blank."""
    scopes = list(dict.fromkeys(card["family"]))
    out: dict[str, list[str]] = {"Measure": [_measure_label(m) for m in MEASURES]}
    for scope in scopes:
        mine = card[card["family"] == scope].set_index("measure")
        cells = []
        for m in MEASURES:
            if m not in mine.index:
                cells.append("")
                continue
            r = mine.loc[m]
            shown = value_text(m, float(r["value"]))
            cells.append(shown if r["status"] == "no target" else f"{shown} ({r['status']})")
        out[scope] = cells
    return pd.DataFrame(out)


def compare_scorecards(cards: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """The plans' rows of several scorecards side by side: one row per measure, one
    column per plan ("96.0% (met)"), the target in the last column (the first card's)."""
    out = family_table(pd.DataFrame(columns=["family", "measure"])).iloc[:, :1]
    target = None
    for name, card in cards.items():
        whole = card[card["family"] == ALL].assign(family=name)
        out[name] = family_table(whole)[name]
        if target is None:
            by = whole.set_index("measure")
            target = [
                target_text(m, float(by.loc[m, "target_low"]), float(by.loc[m, "target_high"]))
                if m in by.index
                else ""
                for m in MEASURES
            ]
    out["Target"] = target or [""] * len(out)
    return out


def scenario_scorecards(
    planned: Mapping[str, tuple[Scenario, PlanResult]],
    targets: Targets | None,
    budget: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Several plans' scorecards side by side (:func:`compare_scorecards`), each judged
    against the same ``targets`` (the company's, whatever a saved scenario kept) and the
    business plan ``budget``; a plan that is not feasible reads "no feasible plan"."""
    cards, infeasible = {}, []
    for name, (scenario, result) in planned.items():
        if not result.optimal:
            infeasible.append(name)
            continue
        cards[name] = scorecard(scenario.model_copy(update={"targets": targets}), result, budget)
    out = compare_scorecards(cards) if cards else pd.DataFrame({"Measure": [], "Target": []})
    for name in infeasible:
        out.insert(len(out.columns) - 1, name, "no feasible plan")
    return out[["Measure", *planned, "Target"]]


def statuses(card: pd.DataFrame, family: str = ALL) -> dict[str, int]:
    """How many measures of a scope are met, not met, without target, without value."""
    rows = card[card["family"] == family]
    counts = rows["status"].value_counts()
    return {s: int(counts.get(s, 0)) for s in ("met", "not met", "no target", "no value")}


def aim_lines(
    card: pd.DataFrame, family: str = ALL
) -> list[tuple[str, list[tuple[str, str, str, str]]]]:
    """Per aim (words), its measures as (measure key, short label, compact value, status):
    the strip the Executive page and its projected view draw."""
    rows = card[card["family"] == family]
    out = []
    for aim, words in AIMS.items():
        mine = rows[rows["aim"] == aim]
        out.append(
            (
                words,
                [
                    (
                        m,
                        term(m).short or term(m).label,
                        value_text(m, float(v), compact=True),
                        str(s),
                    )
                    for m, v, s in zip(mine["measure"], mine["value"], mine["status"], strict=True)
                ],
            )
        )
    return out
