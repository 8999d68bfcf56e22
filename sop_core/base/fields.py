"""The editable master data in words: one table of each field's label and unit.

The Capacity page's tables, the workspace workbook's columns and the README read these,
so a field is named the same everywhere. Scenario field names are in
:mod:`sop_core.model.scenario`.
"""

from __future__ import annotations

#: (field, label, unit): the workforce settings, in the order a planner reads them
WORKFORCE_FIELDS: tuple[tuple[str, str, str], ...] = (
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
#: field -> column label of the families table (per-period demand and safety stock lists
#: are in their own long table)
FAMILY_FIELDS: dict[str, str] = {
    "name": "Family",
    "labor_hours_per_unit": "Hours / unit",
    "material_cost": "Material $ / unit",
    "holding_cost": "Holding $ / unit / period",
    "backorder_cost": "Backorder $ / unit / period",
    "subcontract_cost": "Subcontract $ / unit",
    "max_subcontract": "Max subcontract units / period",
    "initial_inventory": "Initial inventory",
    "initial_backorder": "Initial backlog",
    "ending_inventory_min": "Min ending inventory",
    "backorders_allowed": "Backlog allowed",
    "price": "Price $ / unit",
    "safety_stock_shortfall_cost": "Below safety stock $ / unit / period (blank: default)",
}
#: field -> label of the policy settings
POLICY_FIELDS: dict[str, str] = {
    "strategy": "Strategy",
    "integer_workforce": "Whole workers",
    "ending_backorders_allowed": "Backlog allowed at the end",
    "frozen_periods": "Frozen periods (time fence)",
}

#: costs and prices, in the families and the workforce: finance's fields (see
#: :mod:`sop_core.base.access`); every other master-data field is capacity, the supply planner's
MONEY_FIELDS: frozenset[str] = frozenset(
    {
        "material_cost",
        "holding_cost",
        "backorder_cost",
        "subcontract_cost",
        "price",
        "safety_stock_shortfall_cost",
        "regular_cost_per_worker",
        "overtime_cost_per_hour",
        "hire_cost",
        "layoff_cost",
    }
)
