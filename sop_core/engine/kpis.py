"""How each KPI is shown: one table that tiles, comparisons, exports and the CLI read.

:data:`KPIS` maps a KPI's key (as in :attr:`PlanResult.kpis`) to its short label, its
format (``money``, ``pct`` or ``units``) and whether a rise is good (``True``), bad
(``False``) or neither (``None``). The long description is
:data:`sop_core.engine.planner.KPI_LABELS`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

Format = Literal["money", "pct", "units"]


@dataclass(frozen=True)
class Kpi:
    key: str
    label: str
    format: Format
    up_is_good: bool | None


KPIS: dict[str, Kpi] = {
    k.key: k
    for k in (
        Kpi("total_cost", "Total cost", "money", False),
        Kpi("fill_rate", "Fill rate", "pct", True),
        Kpi("average_inventory", "Average inventory", "units", None),
        Kpi("peak_inventory", "Peak inventory", "units", None),
        Kpi("peak_backlog", "Peak backlog", "units", False),
        Kpi("workforce_changes", "Workforce change", "units", False),
        Kpi("hires", "Hires", "units", None),
        Kpi("layoffs", "Layoffs", "units", False),
        Kpi("overtime_share", "Overtime share", "pct", None),
        Kpi("subcontract_share", "Subcontracted", "pct", None),
        Kpi("regular_utilisation", "Utilisation", "pct", None),
        Kpi("revenue", "Revenue", "money", True),
        Kpi("margin", "Margin", "money", True),
        Kpi("safety_stock_met", "Safety stock met", "pct", True),
    )
}
#: The KPI tiles of the Plan and Executive pages, in order.
TILES: tuple[str, ...] = (
    "total_cost",
    "fill_rate",
    "average_inventory",
    "workforce_changes",
    "margin",
)
MINUS = "−"  # U+2212 for values; deltas use "-" so the UI reads their direction


def money(x: float | None, *, compact: bool = False) -> str:
    """'$1,234,567'; compact: '$1.23M', '$45.6k' (for tiles that must fit)."""
    if x is None or not math.isfinite(x):
        return "–"
    sign = MINUS if x < -0.5 else ""
    x = abs(x)
    if compact and x >= 1e6:
        return f"{sign}${x / 1e6:,.2f}M"
    if compact and x >= 1e5:
        return f"{sign}${x / 1e3:,.0f}k"
    return f"{sign}${x:,.0f}"


def pct(x: float | None) -> str:
    return "–" if x is None or not math.isfinite(x) else f"{100 * x:.1f}%"


def units(x: float | None) -> str:
    if x is None or not math.isfinite(x):
        return "–"
    return f"{MINUS if x < -0.5 else ''}{abs(x):,.0f}"


def show(key: str, value: float | None, *, compact: bool = False) -> str:
    """``value`` of KPI ``key`` formatted as the table says."""
    fmt = KPIS[key].format if key in KPIS else "units"
    if fmt == "money":
        return money(value, compact=compact)
    return pct(value) if fmt == "pct" else units(value)


def delta(
    key: str, value: float | None, base: float | None, *, compact: bool = False
) -> str | None:
    """The change from ``base`` to ``value`` with an ASCII sign ('+$1,200', '-2.5 pts'),
    or ``None`` when there is none worth showing."""
    if value is None or base is None or abs(value - base) < 1e-6 * max(1.0, abs(base)):
        return None
    d = value - base
    sign = "+" if d > 0 else "-"
    if key in KPIS and KPIS[key].format == "pct":
        return f"{sign}{100 * abs(d):.1f} pts"
    return sign + show(key, abs(d), compact=compact)


def delta_colour(key: str) -> Literal["normal", "inverse", "off"]:
    """Streamlit's delta colour: green when the change is good, red when bad."""
    good = KPIS[key].up_is_good if key in KPIS else None
    return "off" if good is None else "normal" if good else "inverse"
