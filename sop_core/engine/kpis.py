"""How each KPI is shown: one table that tiles, comparisons, exports and the CLI read.

:data:`KPIS` maps a KPI's key (as in :attr:`PlanResult.kpis`) to its short label, its
format (``money``, ``pct`` or ``units``) and whether a rise is good (``True``), bad
(``False``) or neither (``None``). Labels, kinds and the long description (help) come from
the one vocabulary, :data:`sop_core.base.fields.TERMS`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from sop_core.base.fields import KPI_KEYS, MINUS, MISSING, TERMS, format_number

Format = Literal["money", "pct", "units"]


@dataclass(frozen=True)
class Kpi:
    key: str
    label: str
    format: Format
    up_is_good: bool | None
    tile: str = ""  #: the label on a KPI tile (shorter where the full one does not fit)


_FORMATS: dict[str, Format] = {"money": "money", "rate": "pct"}


def _kpi(key: str, up_is_good: bool | None) -> Kpi:
    """The KPI ``key`` as the vocabulary (:mod:`sop_core.base.fields`) names and formats it."""
    t = TERMS[key]
    return Kpi(key, t.label, _FORMATS.get(t.kind, "units"), up_is_good, t.short or t.label)


#: Whether a rise of each KPI is good (True), bad (False) or neither (None).
UP_IS_GOOD: dict[str, bool | None] = {
    "total_cost": False,
    "fill_rate": True,
    "average_inventory": None,
    "peak_inventory": None,
    "peak_backlog": False,
    "workforce_changes": False,
    "hires": None,
    "layoffs": False,
    "overtime_share": None,
    "subcontract_share": None,
    "regular_utilisation": None,
    "safety_stock_met": True,
    "revenue": True,
    "margin": True,
}
KPIS: dict[str, Kpi] = {k: _kpi(k, UP_IS_GOOD[k]) for k in KPI_KEYS}
#: The KPI tiles of the Plan and Executive pages, in order.
TILES: tuple[str, ...] = (
    "total_cost",
    "fill_rate",
    "average_inventory",
    "workforce_changes",
    "margin",
)


def _missing(x: float | None) -> bool:
    return x is None or not math.isfinite(x)


def money(x: float | None, *, compact: bool = False) -> str:
    """'$1,234,567' (the vocabulary's money); compact: '$1.23M', '$456k' (for tiles that
    must fit)."""
    if _missing(x):
        return MISSING
    if compact and abs(x) >= 1e5:
        sign = MINUS if x < 0 else ""
        a = abs(x)
        return f"{sign}${a / 1e6:,.2f}M" if a >= 1e6 else f"{sign}${a / 1e3:,.0f}k"
    return format_number("money", x)


def pct(x: float | None) -> str:
    """'97.3%' (the vocabulary's rate)."""
    return MISSING if _missing(x) else format_number("rate", x)


def units(x: float | None) -> str:
    """'1,235' (the vocabulary's units: whole)."""
    return MISSING if _missing(x) else format_number("units", x)


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
