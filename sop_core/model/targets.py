"""The scorecard's targets: what the company wants of each of the five aims of S&OP.

A scenario's ``targets`` object (optional; every field ``null`` or absent means no
target, so the scorecard says "no target" for that measure)::

    targets
      fill_rate_min          share of demand served in its own period, 0–1 (0.95 = 95 %)
      backlog_max            [units] average backlog at the end of a period, all families
      cover_days_min         [days] the target band of days of cover: at least …
      cover_days_max         [days] … and at most
      turns_min              [turns / year] inventory turns at least
      lead_time_max          [days] customer lead time at most
      production_change_max  share of the mean production, 0–1: period-on-period change at most
      workforce_change_max   share of the mean workforce, 0–1: period-on-period change at most
      revenue_tolerance      share of the business plan's revenue the plan may fall short
                             of and still meet it, 0–1 (null: 0, the business plan in full)
      margin_min             gross margin as a share of revenue, 0–1, at least

The measures themselves are defined in :mod:`sop_core.engine.scorecard` and
:mod:`sop_core.process.scorecard`; the company keeps its targets with its plan (a
``setting`` item of its workspace, :mod:`sop_core.process.workspace`).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from sop_core.base.limits import MAX_MAGNITUDE


def _strict_number(value: Any) -> Any:
    """Refuse JSON ``true``/``false`` and text where a number is expected (no coercion)."""
    if isinstance(value, (bool, str)):
        raise PydanticCustomError("strict_number", "must be a number", {"value": value})
    return value


Amount = Annotated[float, Field(ge=0, le=MAX_MAGNITUDE), BeforeValidator(_strict_number)]
Share = Annotated[float, Field(ge=0, le=1), BeforeValidator(_strict_number)]

#: the targets' fields, in the order the scorecard reads them
TARGET_FIELDS: tuple[str, ...] = (
    "fill_rate_min",
    "backlog_max",
    "cover_days_min",
    "cover_days_max",
    "turns_min",
    "lead_time_max",
    "production_change_max",
    "workforce_change_max",
    "revenue_tolerance",
    "margin_min",
)
#: the fields that are shares (0–1); the others are amounts in their unit
SHARE_FIELDS: frozenset[str] = frozenset(
    {
        "fill_rate_min",
        "production_change_max",
        "workforce_change_max",
        "revenue_tolerance",
        "margin_min",
    }
)


class Targets(BaseModel):
    """The company's targets for the scorecard (see the module docstring); None: none."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    fill_rate_min: Share | None = None
    backlog_max: Amount | None = None
    cover_days_min: Amount | None = None
    cover_days_max: Amount | None = None
    turns_min: Amount | None = None
    lead_time_max: Amount | None = None
    production_change_max: Share | None = None
    workforce_change_max: Share | None = None
    revenue_tolerance: Share | None = None
    margin_min: Share | None = None

    @field_validator("cover_days_max")
    @classmethod
    def _band(cls, high: float | None, info: ValidationInfo) -> float | None:
        """The band's top is not below its bottom."""
        low = info.data.get("cover_days_min")
        if high is not None and low is not None and high < low:
            raise PydanticCustomError(
                "band",
                f"must be at least the fewest days of cover ({low:g}); raise it or lower "
                "the fewest",
            )
        return high

    def is_empty(self) -> bool:
        """Whether no target is set at all."""
        return all(getattr(self, f) is None for f in TARGET_FIELDS)
