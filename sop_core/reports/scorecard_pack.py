"""The meeting pack's scorecard pages: the five aims of S&OP for the plan, against the
company's targets and the business plan, and per family.

:func:`scorecard_sections` gives :func:`sop_core.reports.meeting_pack.meeting_sections`
its pages. The PDF prints the tables as people read them (the vocabulary's formats,
statuses in words); the Excel pack keeps the numbers (value and target bounds at full
precision, per plan and per family, one row per measure).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sop_core.base.fields import label, term
from sop_core.engine.planner import PlanResult
from sop_core.engine.scorecard import AIMS, ALL
from sop_core.model.scenario import Scenario
from sop_core.process.scorecard import family_table, scorecard, scorecard_table
from sop_core.reports.pack import Section

#: the numeric columns of :func:`numbers_table`, shown to two decimals in the Excel pack
NUMBER_COLUMNS: tuple[str, ...] = ("Value", "Target, at least", "Target, at most")


def numbers_table(card: pd.DataFrame) -> pd.DataFrame:
    """The scorecard with its numbers, headed in words (the Excel pack's sheet); rates
    in % (96.5, not 0.965), each row's unit said."""
    rate = np.array([term(m).kind == "rate" for m in card["measure"]])
    scale = np.where(rate, 100.0, 1.0)
    return pd.DataFrame(
        {
            "Family": list(card["family"]),
            "Aim": [AIMS[a] for a in card["aim"]],
            "Measure": [label(m) for m in card["measure"]],
            "Unit": [
                "%" if r else term(m).unit for m, r in zip(card["measure"], rate, strict=True)
            ],
            "Value": card["value"].to_numpy(float) * scale,
            "Target, at least": card["target_low"].to_numpy(float) * scale,
            "Target, at most": card["target_high"].to_numpy(float) * scale,
            "Status": list(card["status"]),
        }
    )


def scorecard_sections(
    scenario: Scenario,
    result: PlanResult,
    *,
    plan_name: str,
    budget: pd.DataFrame | None = None,
) -> list[Section]:
    """The scorecard of ``result`` (the plan of ``scenario``, named ``plan_name``): one
    page for the plan (each measure's value, target and status), one per family; a page
    saying so when the plan is not feasible."""
    title = "Scorecard: the five aims of S&OP"
    if not result.optimal:
        return [Section(title, text=[f"{plan_name} has no feasible plan: nothing to score."])]
    card = scorecard(scenario, result, budget if budget is not None and len(budget) else None)
    plan = card[card["family"] == ALL]
    counts = plan["status"].value_counts()
    met, missed = int(counts.get("met", 0)), int(counts.get("not met", 0))
    targets = met + missed + int(counts.get("no value", 0))
    summary = (
        f"{plan_name}: {met} of {targets} targets met, {missed} not met."
        if targets
        else f"{plan_name}: no target is set yet (an executive sets them on the Executive page)."
    )
    notes = [  # a KPI's help already opens with its name ("Fill rate: share of …")
        term(m).help + "." if term(m).help.startswith(label(m)) else f"{label(m)}: {term(m).help}."
        for m in dict.fromkeys(card["measure"])
        if term(m).help
    ]
    return [
        Section(
            title,
            text=[
                summary,
                "Customer service, inventory, customer lead time, production stability and "
                "the management handle, against the company's targets and the business plan.",
            ],
            table=numbers_table(plan),
            display=scorecard_table(card),
            sheet="Scorecard",
            notes=("Definitions: " + " ".join(notes),),
            number_formats=dict.fromkeys(NUMBER_COLUMNS, "#,##0.00"),
        ),
        Section(
            "Scorecard per family",
            text=["Each measure per family, with its status where a target is set."],
            table=family_table(card),  # as people read it, in the PDF and the Excel pack
            sheet="Scorecard per family",
        ),
    ]
