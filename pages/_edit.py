"""The Capacity page's editable tables: scenario -> tables -> validated scenario.

Importable without running a page, so the round trip is unit-tested."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from sop_core.scenario import Scenario, parse_scenario

# (field, label, unit): the editable settings, in the order a planner reads them
WORKFORCE_FIELDS = (
    ("initial", "Workers at the start", "workers"),
    ("regular_hours_per_worker", "Regular hours per worker", "h / worker / period"),
    ("regular_cost_per_worker", "Regular cost per worker", "$ / worker / period"),
    ("overtime_cost_per_hour", "Overtime cost", "$ / h"),
    ("max_overtime_hours_per_worker", "Max overtime per worker", "h / worker / period"),
    ("hire_cost", "Hiring cost", "$ / worker"),
    ("layoff_cost", "Layoff cost", "$ / worker"),
    ("min_workers", "Workforce floor", "workers (blank: none)"),
    ("max_workers", "Workforce ceiling", "workers (blank: none)"),
    ("max_hires", "Max hires per period", "workers (blank: none)"),
    ("max_layoffs", "Max layoffs per period", "workers (blank: none)"),
)
FAMILY_FIELDS = {
    "name": "Family",
    "labor_hours_per_unit": "Hours / unit",
    "material_cost": "Material $ / unit",
    "holding_cost": "Holding $ / unit / period",
    "backorder_cost": "Backorder $ / unit / period",
    "subcontract_cost": "Subcontract $ / unit",
    "max_subcontract": "Max subcontract units / period",
    "initial_inventory": "Initial inventory",
    "ending_inventory_min": "Min ending inventory",
    "price": "Price $ / unit",
}


def _num(value: Any) -> float | None:
    """An edited cell: blank/NaN means 'no limit' (None)."""
    if value is None:
        return None
    try:
        value = float(value)
    except (TypeError, ValueError):
        return value  # validation names the field and the bad value
    return None if math.isnan(value) else value


def workforce_frame(s: Scenario) -> pd.DataFrame:
    wf = s.workforce
    return pd.DataFrame(
        {
            "Setting": [label for _, label, _ in WORKFORCE_FIELDS],
            "Value": [getattr(wf, f) for f, _, _ in WORKFORCE_FIELDS],
            "Unit": [unit for _, _, unit in WORKFORCE_FIELDS],
        }
    )


def families_frame(s: Scenario) -> pd.DataFrame:
    return pd.DataFrame(
        [{label: getattr(f, k) for k, label in FAMILY_FIELDS.items()} for f in s.families]
    )


def edited_scenario(s: Scenario, wf_df: pd.DataFrame, fam_df: pd.DataFrame) -> Scenario:
    """The scenario with the tables' values, validated (raises InputError)."""
    data = s.model_dump()
    for (field, _, _), value in zip(WORKFORCE_FIELDS, wf_df["Value"], strict=True):
        data["workforce"][field] = _num(value)
    by_label = {label: k for k, label in FAMILY_FIELDS.items()}
    for i, row in enumerate(fam_df.to_dict(orient="records")):
        for label, value in row.items():
            key = by_label[label]
            data["families"][i][key] = value if key == "name" else _num(value)
    return parse_scenario(data)
