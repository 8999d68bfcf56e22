"""The Plan page's levers as one small model: what a what-if changes in a scenario.

A :class:`WhatIf` is what the URL carries (``?overtime=15&safety_months=1``), what a
kept what-if saves (its :meth:`WhatIf.to_dict` in the scenario's provenance); exports
list the settings of the scenario it makes (:func:`sop_core.reports.exports.whatif_settings`).
``None`` keeps the scenario's own value.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from sop_core.base.fields import AIM_NAMES
from sop_core.model.scenario import STRATEGIES, Scenario, with_changes

#: URL / widget keys of the what-if, in lever order.
WHATIF_KEYS: tuple[str, ...] = (
    "overtime",
    "workers_min",
    "workers_max",
    "safety_months",
    "strategy",
)
#: URL / saved keys of the aim a what-if holds (not sliders: set from a frontier point)
AIM_KEYS: tuple[str, ...] = ("aim", "aim_level")
STRATEGY_NAMES: dict[str, str] = {
    "optimal": "Optimal (cost)",
    "level": "Level workforce",
    "chase": "Chase demand",
}


@dataclass(frozen=True)
class WhatIf:
    """The levers. ``None`` keeps the scenario's own value.

    overtime: max overtime hours per worker per period; workers_min / workers_max: the
    workforce floor and ceiling (``inf``: no ceiling); safety_months: safety stock as
    months of cover of the next period's demand (0: the scenario's own); strategy:
    optimal, level or chase; aim / aim_level: a second aim the plan is held at, the
    cheapest plan at that level (a point of a cost frontier: fill rate at least, average
    inventory or the largest workforce change at most ``aim_level``; None: none)."""

    overtime: float | None = None
    workers_min: float | None = None
    workers_max: float | None = None
    safety_months: float = 0.0
    strategy: str | None = None
    aim: str | None = None
    aim_level: float | None = None

    @property
    def held(self) -> bool:
        """Whether the plan is held at a second aim's level."""
        return self.aim in AIM_NAMES and self.aim_level is not None

    def aim_words(self) -> str:
        """The aim held, in words ("fill rate at least 98.0%"; "" when none)."""
        if not self.held:
            return ""
        level = float(self.aim_level)  # type: ignore[arg-type]
        if self.aim == "fill_rate":
            return f"fill rate at least {100 * level:.1f}%"
        if self.aim == "average_inventory":
            return f"average inventory at most {level:,.0f} units"
        return f"workforce change at most {level:,.2f} workers a period"

    def changes(self) -> dict[str, Any]:
        """The changes for :func:`~sop_core.model.scenario.with_changes`."""
        out: dict[str, Any] = {}
        if self.overtime is not None:
            out["max_overtime_hours_per_worker"] = float(self.overtime)
        if self.workers_min is not None:
            out["min_workers"] = float(self.workers_min) if self.workers_min > 0 else None
        if self.workers_max is not None:
            top = self.workers_max
            out["max_workers"] = float(top) if math.isfinite(top) else None
        if self.safety_months > 0:
            out["safety_stock_months"] = float(self.safety_months)
        if self.strategy is not None:
            out["strategy"] = self.strategy
        return out

    def apply(self, scenario: Scenario) -> Scenario:
        """The scenario with these levers applied."""
        return with_changes(scenario, **self.changes())

    def describe(self, scenario: Scenario) -> str:
        """What differs from the scenario, in words ("overtime ≤ 15 h/worker, level")."""
        wf = scenario.workforce
        parts = []
        if self.overtime is not None and self.overtime != wf.max_overtime_hours_per_worker:
            parts.append(f"overtime ≤ {self.overtime:g} h/worker")
        if self.workers_min is not None and (self.workers_min or None) != wf.min_workers:
            parts.append(f"≥ {self.workers_min:g} workers")
        if self.workers_max is not None and (
            (self.workers_max if math.isfinite(self.workers_max) else None) != wf.max_workers
        ):
            top = f"{self.workers_max:g}" if math.isfinite(self.workers_max) else "no limit"
            parts.append(f"≤ {top} workers")
        if self.safety_months > 0:
            parts.append(f"safety stock {self.safety_months:g} months")
        if self.strategy and self.strategy != scenario.policy.strategy:
            parts.append(STRATEGY_NAMES[self.strategy].lower())
        if self.held:
            parts.append(self.aim_words())
        return ", ".join(parts) or "as in the scenario"

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe: no ceiling (``inf``) is saved as ``None``, which keeps the
        scenario's own ceiling; the Plan page uses ``inf`` only where it has none."""
        out = asdict(self)
        if out["workers_max"] is not None and not math.isfinite(out["workers_max"]):
            out["workers_max"] = None
        return out


def whatif_from_params(params: Mapping[str, Any]) -> WhatIf:
    """The what-if of URL parameters (``overtime``, …), ignoring bad values."""

    def num(key: str) -> float | None:
        try:
            value = float(params[key])
        except (KeyError, TypeError, ValueError):
            return None
        return value if math.isfinite(value) and value >= 0 else None

    strategy = params.get("strategy")
    aim = params.get("aim")
    level = num("aim_level") if aim in AIM_NAMES else None
    if aim == "fill_rate" and level is not None and level > 1:
        level = None
    return WhatIf(
        overtime=num("overtime"),
        workers_min=num("workers_min"),
        workers_max=num("workers_max"),
        safety_months=num("safety_months") or 0.0,
        strategy=strategy if strategy in STRATEGIES else None,
        aim=aim if level is not None else None,
        aim_level=level,
    )


def whatif_from_dict(data: Mapping[str, Any] | None) -> WhatIf:
    """A what-if saved with :meth:`WhatIf.to_dict` (unknown keys ignored; ``None``: none)."""
    if not data:
        return WhatIf()
    known = {k: data[k] for k in (*WHATIF_KEYS, *AIM_KEYS) if k in data}
    if known.get("aim") not in AIM_NAMES or known.get("aim_level") is None:
        known.pop("aim", None)
        known.pop("aim_level", None)
    if known.get("workers_max") is None and "workers_max" in known:
        known.pop("workers_max")
    return WhatIf(**known)
