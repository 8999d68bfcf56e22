"""The portfolio in a workspace: a launch's family item, launches and phase-outs in words
and as the demand review's table.

A launch is a family item with a ``launch`` field (the scenario's
:class:`~sop_core.model.scenario.Launch`), a phase-out a family's ``phase_out`` field
(:class:`~sop_core.model.scenario.PhaseOut`); both are saved, logged and undone like any
edit of a family (:mod:`sop_core.process.workspace`). A launch's family starts with the
hours, costs and limits of the family it sells like (marked for review: supply and finance
confirm them), no stock, no safety stock, and its demand from
:func:`sop_core.model.portfolio.launch_demand` on the like-family's plan demand.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from sop_core.base.errors import InputError, Problem
from sop_core.base.fields import format_number, header
from sop_core.model.portfolio import launch_demand
from sop_core.model.scenario import Launch, PhaseOut, Scenario, SkuLaunch, SkuPhaseOut
from sop_core.process.workspace import Edit, WorkspaceState, family_of, next_key

#: the columns of :func:`portfolio_table` (vocabulary keys)
PORTFOLIO_COLUMNS: tuple[str, ...] = (
    "portfolio.kind",
    "portfolio.family",
    "portfolio.when",
    "portfolio.what",
)


def parse_shares(text: str, where: str = "ramp-up shares") -> list[float]:
    """Ramp-up shares as typed: "0.2, 0.5" or "20%, 50%" (blank: none); a part that is
    not a share is refused naming ``where``, the part and an example."""
    out: list[float] = []
    for part in str(text or "").replace(";", ",").split(","):
        raw = part.strip()
        if not raw:
            continue
        try:
            value = float(raw.rstrip("%").strip()) / (100 if raw.endswith("%") else 1)
        except ValueError:
            raise InputError(
                Problem(where, f"{raw!r} is not a share; give e.g. 0.2,0.5 or 20%,50%")
            ) from None
        out.append(value)
    return out


def launch_words(name: str, launch: Launch) -> str:
    """A launch's assumptions in one line, for the assumption log and the review:
    "Trail Pro sells from 2027-03 like Garden Tools × 0.8, full demand after 3 months,
    25% of it taken from Garden Tools"."""
    if launch.volume is not None:
        size = f"{format_number('units', launch.volume)} units in its first 12 months"
        shape = f"shaped like {launch.like}"
    else:
        size = f"× {format_number('factor', launch.factor or 0)}"
        shape = f"like {launch.like}"
    if launch.ramp_shares:
        shares = ", ".join(format_number("rate", s) for s in launch.ramp_shares)
        ramp = f"ramping up {shares} of full demand"
    elif launch.ramp_months > 1:
        ramp = f"full demand after {launch.ramp_months} months"
    else:
        ramp = "full demand from the start"
    text = f"{name} sells from {launch.start} {shape}, {size}, {ramp}"
    if launch.cannibalise is not None and launch.cannibalise_share > 0:
        share = format_number("rate", launch.cannibalise_share)
        text += f"; {share} of it taken from {launch.cannibalise}"
    return text


def phase_out_words(name: str, phase_out: PhaseOut) -> str:
    """A phase-out in one line: "Hand Tools ends after 2027-06 with 200 units in stock;
    Garden Tools takes its demand"."""
    stock = format_number("units", phase_out.last_time_buy)
    text = f"{name} ends after {phase_out.end_period} with {stock} units in stock"
    if phase_out.replacement is not None:
        text += f"; {phase_out.replacement} takes its demand"
    return text


def sku_launch_words(family: str, launch: SkuLaunch) -> str:
    """An SKU launch in one line: "PUMP-XL (Pumps) sells from 2027-03 like P-6, × 0.5,
    full demand after 2 months; 25% of it taken from P-4"."""
    return launch_words(f"{launch.sku} ({family})", launch)


def sku_phase_out_words(family: str, phase_out: SkuPhaseOut) -> str:
    """An SKU phase-out in one line: "P-4 (Pumps) ends after 2027-02 with 0 units in
    stock; P-6 takes its demand"."""
    return phase_out_words(f"{phase_out.sku} ({family})", phase_out)


def launch_item(state: WorkspaceState, name: str, launch: Launch) -> Edit:
    """The edit that adds launch ``name``: a family item with the like-family's hours,
    costs and limits, no stock and no safety stock, its demand the launch's
    (like-family's plan demand × scale × ramp), marked for review."""
    scenario = state.scenario()
    like = next(f for f in scenario.families if f.name == launch.like)
    demand = launch_demand(launch, like.demand, scenario.period_labels)
    copied = family_of(state.item("family", state.family_key(launch.like)).value)  # type: ignore[union-attr]
    value: dict[str, Any] = {
        **copied,
        "name": name,
        "demand": [round(float(v), 6) for v in demand],
        "initial_inventory": 0.0,
        "initial_backorder": 0.0,
        "safety_stock": 0.0,
        "launch": launch.model_dump(mode="json"),
        "phase_out": None,
        "history_names": [],
        "needs_review": True,
    }
    position = max((i.position for i in state.families), default=0) + 1
    return Edit("family", next_key(state, "family"), None, value, position=position)


def portfolio_table(scenario: Scenario, authors: Mapping[str, str] | None = None) -> pd.DataFrame:
    """One row per launch and phase-out, headed by the vocabulary: change (Launch or
    Phase-out), family, from / until, the assumptions in words; ``authors`` (family →
    who entered it) adds "Entered by"."""
    rows = []
    for fam in scenario.families:
        if fam.launch is not None:
            rows.append(("Launch", fam.name, f"from {fam.launch.start}",
                         launch_words(fam.name, fam.launch)))  # fmt: skip
        if fam.phase_out is not None:
            rows.append(("Phase-out", fam.name, f"until {fam.phase_out.end_period}",
                         phase_out_words(fam.name, fam.phase_out)))  # fmt: skip
        for ln in fam.sku_launches:
            rows.append(("SKU launch", fam.name, f"from {ln.start}",
                         sku_launch_words(fam.name, ln)))  # fmt: skip
        for po in fam.sku_phase_outs:
            rows.append(("SKU phase-out", fam.name, f"until {po.end_period}",
                         sku_phase_out_words(fam.name, po)))  # fmt: skip
    table = pd.DataFrame(rows, columns=[header(c) for c in PORTFOLIO_COLUMNS])
    if authors is not None:
        table[header("portfolio.by")] = [
            authors.get(f, "") for f in table[header("portfolio.family")]
        ]
    return table


def demand_effects(scenario: Scenario, planned: Any) -> pd.DataFrame:
    """Per family and period where the portfolio changes demand: the consensus demand,
    the demand the plan meets (``planned``, (F, T)) and their difference; long format
    with columns family, period, consensus, planned, change."""
    rows = []
    labels = scenario.period_labels
    for j, fam in enumerate(scenario.families):
        for t, label in enumerate(labels):
            before, after = float(fam.demand[t]), float(planned[j][t])
            if abs(after - before) > 1e-9:
                rows.append((fam.name, label, before, after, after - before))
    return pd.DataFrame(rows, columns=["family", "period", "consensus", "planned", "change"])
