"""The scenario: one model for the UI, the planning engine, the store and the CLI.

A scenario file is JSON with this shape (units in brackets; every number ≥ 0; ``null``
or absent means unlimited for the ``max_*``/``min_*`` limits)::

    name                        str
    periods                     [str] labels, e.g. "2027-01"; default "1".."T"
    workforce
      initial                   workers at the start (W_0)
      regular_hours_per_worker  [h / worker / period]
      regular_cost_per_worker   [$ / worker / period]
      overtime_cost_per_hour    [$ / h]
      max_overtime_hours_per_worker [h / worker / period]
      hire_cost, layoff_cost    [$ / worker]
      min_workers, max_workers, max_hires, max_layoffs   optional limits [workers]
    families                    one or more
      name                      str, unique
      demand                    [units / period], one value per period
      labor_hours_per_unit      [h / unit]
      material_cost             [$ / unit produced in house]
      holding_cost              [$ / unit in stock at the end of a period]
      backorder_cost            [$ / unit backlogged at the end of a period]
      subcontract_cost          [$ / unit bought in]
      max_subcontract           optional [units / period]
      initial_inventory, initial_backorder  [units], default 0
      safety_stock              [units], one number or one per period, default 0
      ending_inventory_min      [units] at the end of the horizon, default 0
      backorders_allowed        default true
      price                     optional [$ / unit], for revenue and margin
      safety_stock_shortfall_cost  optional [$ / unit below safety stock / period];
                                default halfway between holding and backorder cost
      resource_hours            {resource name: [h / unit]}, default {}
      launch                    optional: a new family (see :class:`Launch`)
        start                   the period label of its first sales
        like                    the family whose plan demand gives its shape
        volume | factor         [units] in its first 12 months, or × the like-family
        ramp_months             [periods] a linear ramp-up, default 1 (full from the start)
        ramp_shares             or the shares of full demand of its first months, e.g. [0.2, 0.5]
        cannibalise, cannibalise_share   the family it takes demand from, and the share
                                of its own demand taken from that family (0..1)
      phase_out                 optional: the family ends (see :class:`PhaseOut`)
        end_period              the period label of its last sales
        last_time_buy           [units] in stock at the end period, default 0
        replacement             optional family that takes its demand after the end
      sku_launches              optional: new SKUs of the family (see :class:`SkuLaunch`)
        sku                     the new SKU's code
        start, like, volume | factor, ramp_months, ramp_shares   as a launch's, ``like``
                                an SKU of the family
        cannibalise, cannibalise_share   an SKU of the family it takes demand from
        demand                  [units / period] its demand, one per period (worked out
                                when it is entered, from the like-SKU's)
      sku_phase_outs            optional: SKUs of the family that end (see :class:`SkuPhaseOut`)
        sku                     the SKU's code
        end_period, last_time_buy   as a phase-out's
        replacement             optional SKU of the family that takes its demand
        demand                  [units / period] its demand, one per period, as forecast
                                when the phase-out was entered
    resources                   rough-cut resources (lines, machines, a key supplier), default []
      name                      str, unique
      hours_available           [h / period], one number or one per period
      overtime_hours_max        [h / period], one number or one per period, default 0
      overtime_cost_per_hour    [$ / h], default 0
    calendar                    optional working-day calendar (see sop_core/model/workdays.py)
      country, subdivision      public holidays of this country (ISO code, e.g. "DE")
      shutdowns                 [dates] plant shutdown days, e.g. ["2027-08-02", ...]
      weekdays                  working weekdays, 0 = Monday, default [0, 1, 2, 3, 4]
      working_days              optional [days], one per period: taken as given
      standard_days             optional [days] of a standard period; default the mean
                                number of weekdays per period. Regular hours per worker
                                and resource hours given as one number scale by
                                working days ÷ standard days
    policy
      strategy                  "optimal" | "level" | "chase", default "optimal"
      integer_workforce         default false
      ending_backorders_allowed default false
      frozen_periods            [periods] the planning time fence, default 0: production
                                and subcontracting of the first k periods stay as in the
                                last approved plan
    targets                     optional: the scorecard's targets (sop_core/model/targets.py);
                                they judge a plan, they do not change it

Limits (:mod:`sop_core.base.limits`), so that no file can hang or crash the workbench:

- every number is a JSON number (``true``/``false`` and text such as ``"5"`` are
  refused), finite, and ≤ 1e12 (1,000,000,000,000) in its unit;
- at most 520 periods, 200 families and 20,000 family-periods (periods × families);
- names and labels at most 200 characters;
- the file at most 5 MB, nesting ``[``/``{`` at most 20 deep, integer literals at most
  30 digits.

Validation happens once, here, and raises :class:`~sop_core.base.errors.InputError` whose
problems read like ``families[0].holding_cost: must be ≥ 0, got -2``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)
from pydantic_core import PydanticCustomError

from sop_core.base.errors import InputError, Problem
from sop_core.base.limits import (
    MAX_FAMILIES,
    MAX_INT_DIGITS,
    MAX_JSON_DEPTH,
    MAX_MAGNITUDE,
    MAX_PERIODS,
    MAX_PLAN_CELLS,
    MAX_SCENARIO_BYTES,
    MAX_TEXT_CHARS,
    limit_text,
)
from sop_core.base.text import plural
from sop_core.model.targets import Targets

Strategy = Literal["optimal", "level", "chase"]
STRATEGIES: tuple[str, ...] = ("optimal", "level", "chase")


def _strict_number(value: Any) -> Any:
    """Refuse JSON ``true``/``false`` and text where a number is expected (no coercion)."""
    if isinstance(value, (bool, str)):
        raise PydanticCustomError("strict_number", "must be a number", {"value": value})
    return value


NonNegative = Annotated[float, Field(ge=0, le=MAX_MAGNITUDE), BeforeValidator(_strict_number)]
Positive = Annotated[float, Field(gt=0, le=MAX_MAGNITUDE), BeforeValidator(_strict_number)]
Limit = NonNegative | None


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, validate_assignment=False)


class Workforce(_Model):
    """The shared workforce and its costs (Chopra & Meindl's W, H, L, O)."""

    initial: NonNegative
    regular_hours_per_worker: Positive
    regular_cost_per_worker: NonNegative
    overtime_cost_per_hour: NonNegative
    max_overtime_hours_per_worker: Limit = None
    hire_cost: NonNegative
    layoff_cost: NonNegative
    min_workers: Limit = None
    max_workers: Limit = None
    max_hires: Limit = None
    max_layoffs: Limit = None


Share = Annotated[float, Field(ge=0, le=1), BeforeValidator(_strict_number)]


class Launch(_Model):
    """A new family's launch, as product development states it: the first period it sells
    in, the existing family whose plan demand gives it its shape (the like-item), its scale
    (``volume``: units over its first 12 months, or ``factor``: times the like-item), its
    ramp-up (linear over ``ramp_months``, or the given ``ramp_shares`` of its first
    months) and what it takes from another family (``cannibalise_share`` of its own
    demand comes out of ``cannibalise``'s). :mod:`sop_core.model.portfolio` computes it."""

    start: Annotated[str, Field(min_length=1)]
    like: Annotated[str, Field(min_length=1)]
    volume: Positive | None = None
    factor: Positive | None = None
    ramp_months: Annotated[int, Field(ge=1, le=MAX_PERIODS)] = 1
    ramp_shares: list[Share] | None = None
    cannibalise: str | None = None
    cannibalise_share: Share = 0.0


class PhaseOut(_Model):
    """A family's end of life: its last period of sales, the stock it ends that period
    with (the last-time-buy quantity, default 0) and the family that takes its demand
    after it (optional)."""

    end_period: Annotated[str, Field(min_length=1)]
    last_time_buy: NonNegative = 0.0
    replacement: str | None = None


class SkuLaunch(Launch):
    """A new SKU inside a family: a :class:`Launch` whose ``like`` and ``cannibalise``
    are SKUs of the family, with the new SKU's code and its ``demand`` per period, worked
    out when it is entered (the like-SKU's demand × scale × ramp,
    :func:`sop_core.model.portfolio.launch_curve`) and kept as the launch's forecast on
    the record. The family's plan demand gains it, less the share it takes from a
    sibling (:func:`sop_core.model.portfolio.planned_demand`)."""

    sku: Annotated[str, Field(min_length=1)]
    demand: list[NonNegative] = Field(default_factory=list)


class SkuPhaseOut(PhaseOut):
    """An SKU's end of life inside its family: a :class:`PhaseOut` whose ``replacement``
    is an SKU of the family, with the SKU's code and its ``demand`` per period as
    forecast when the phase-out was entered: after the end period that demand stops
    (or moves to the replacement, and the family's demand keeps it)."""

    sku: Annotated[str, Field(min_length=1)]
    demand: list[NonNegative] = Field(default_factory=list)


class Family(_Model):
    """One product family: its demand and the costs and limits of supplying it."""

    name: Annotated[str, Field(min_length=1)]
    demand: Annotated[list[NonNegative], Field(min_length=1)]
    labor_hours_per_unit: NonNegative
    material_cost: NonNegative
    holding_cost: NonNegative
    backorder_cost: NonNegative
    subcontract_cost: NonNegative
    max_subcontract: Limit = None
    initial_inventory: NonNegative = 0.0
    initial_backorder: NonNegative = 0.0
    safety_stock: NonNegative | list[NonNegative] = 0.0
    ending_inventory_min: NonNegative = 0.0
    backorders_allowed: bool = True
    price: Limit = None
    safety_stock_shortfall_cost: Limit = None
    resource_hours: dict[str, NonNegative] = Field(default_factory=dict)
    launch: Launch | None = None
    phase_out: PhaseOut | None = None
    sku_launches: list[SkuLaunch] = Field(default_factory=list)
    sku_phase_outs: list[SkuPhaseOut] = Field(default_factory=list)

    def safety_stock_series(self, horizon: int) -> list[float]:
        """Safety stock per period as a list of ``horizon`` values."""
        if isinstance(self.safety_stock, list):
            return list(self.safety_stock)
        return [float(self.safety_stock)] * horizon


class Policy(_Model):
    """How the plan is made: the strategy and integrality of the workforce."""

    strategy: Strategy = "optimal"
    integer_workforce: bool = False
    ending_backorders_allowed: bool = False
    frozen_periods: Annotated[int, Field(ge=0)] = 0


class Resource(_Model):
    """A rough-cut resource: a line, a machine or a critical supplier, in hours."""

    name: Annotated[str, Field(min_length=1)]
    hours_available: NonNegative | list[NonNegative]
    overtime_hours_max: NonNegative | list[NonNegative] = 0.0
    overtime_cost_per_hour: NonNegative = 0.0

    def hours_series(self, horizon: int, factors: list[float] | None = None) -> list[float]:
        """Hours available per period; one number scales with the working-day
        ``factors`` (a list per period is taken as given)."""
        if isinstance(self.hours_available, list):
            return list(self.hours_available)
        factors = factors if factors is not None else [1.0] * horizon
        return [float(self.hours_available) * float(k) for k in factors]

    def overtime_series(self, horizon: int) -> list[float]:
        if isinstance(self.overtime_hours_max, list):
            return list(self.overtime_hours_max)
        return [float(self.overtime_hours_max)] * horizon


class Calendar(_Model):
    """Working days per period: weekdays less public holidays and shutdown days."""

    country: str | None = None
    subdivision: str | None = None
    shutdowns: list[dt.date] = Field(default_factory=list)
    weekdays: list[Annotated[int, Field(ge=0, le=6)]] = Field(
        default_factory=lambda: [0, 1, 2, 3, 4]
    )
    working_days: list[NonNegative] | None = None
    standard_days: Positive | None = None


class Scenario(_Model):
    """A complete planning problem; see the module docstring for fields and units."""

    name: Annotated[str, Field(min_length=1)] = "Scenario"
    periods: list[str] | None = None
    workforce: Workforce
    families: Annotated[list[Family], Field(min_length=1)]
    policy: Policy = Field(default_factory=Policy)
    resources: list[Resource] = Field(default_factory=list)
    calendar: Calendar | None = None
    targets: Targets | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        problems = _cross_field_problems(self)
        if problems:
            raise ValueError("\n".join(str(p) for p in problems))
        return self

    @property
    def horizon(self) -> int:
        """Number of periods T."""
        return len(self.families[0].demand)

    @property
    def period_labels(self) -> list[str]:
        """Period labels, ``periods`` when given, else "1".."T"."""
        return list(self.periods) if self.periods else [str(t) for t in range(1, self.horizon + 1)]

    @property
    def family_names(self) -> list[str]:
        return [f.name for f in self.families]

    @property
    def shape(self) -> tuple[int, int]:
        """(periods, families): scenarios of one shape share one compiled model."""
        return (self.horizon, len(self.families))

    def period_days(self) -> tuple:
        """The calendar of each period (:class:`sop_core.model.workdays.PeriodDays`); empty
        without a calendar. Raises :class:`InputError` if the labels are not dates."""
        from sop_core.model.workdays import calendar_days

        c = self.calendar
        if c is None:
            return ()
        return calendar_days(
            tuple(self.period_labels),
            c.country,
            c.subdivision,
            tuple(c.shutdowns),
            tuple(sorted(set(c.weekdays))),
            tuple(c.working_days) if c.working_days is not None else None,
        )

    def working_day_factors(self) -> list[float]:
        """Per period, working days ÷ standard days (all 1 without a calendar): the share
        of a standard period's regular and resource hours that can be worked."""
        if self.calendar is None:
            return [1.0] * self.horizon
        from sop_core.model.workdays import standard_days

        days = self.period_days()
        std = standard_days(days, self.calendar.standard_days)
        return [p.working_days / std for p in days]

    def to_json(self, indent: int | None = 2) -> str:
        """The scenario file's JSON text (round-trips through :func:`parse_scenario`)."""
        return self.model_dump_json(indent=indent)


_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def period_position(labels: list[str], period: str) -> int | None:
    """Where ``period`` falls on the plan's ``labels``: its index when it is one of them;
    for month labels ("YYYY-MM") a month outside the horizon too, counted from the first
    (−1: the month before it; len(labels): the month after the last), so a launch that
    started or a phase-out that ended before a rolled horizon keeps its place; None when
    it is neither."""
    if period in labels:
        return labels.index(period)
    got, first = _MONTH.match(str(period)), _MONTH.match(str(labels[0])) if labels else None
    if got is None or first is None:
        return None
    return (int(got[1]) - int(first[1])) * 12 + int(got[2]) - int(first[2])


def _cross_field_problems(s: Scenario) -> list[Problem]:
    problems: list[Problem] = []
    horizon = s.horizon
    for i, fam in enumerate(s.families):
        if len(fam.demand) != horizon:
            problems.append(
                Problem(
                    f"families[{i}].demand",
                    f"must have {horizon} values, one per period like families[0].demand, "
                    f"got {len(fam.demand)}",
                )
            )
        if isinstance(fam.safety_stock, list) and len(fam.safety_stock) != horizon:
            problems.append(
                Problem(
                    f"families[{i}].safety_stock",
                    f"must be one number or {horizon} values (one per period), "
                    f"got {len(fam.safety_stock)} values",
                )
            )
    seen: dict[str, int] = {}
    for i, fam in enumerate(s.families):
        if fam.name in seen:
            problems.append(
                Problem(
                    f"families[{i}].name",
                    f"must be unique, got {fam.name!r} again (also families[{seen[fam.name]}])",
                )
            )
        seen.setdefault(fam.name, i)
    if s.periods is not None and len(s.periods) != horizon:
        problems.append(
            Problem(
                "periods",
                f"must have {horizon} labels, one per demand value, got {len(s.periods)}",
            )
        )
    problems += _resource_problems(s)
    problems += _portfolio_problems(s)
    wf = s.workforce
    if (
        wf.min_workers is not None
        and wf.max_workers is not None
        and wf.min_workers > wf.max_workers
    ):
        problems.append(
            Problem(
                "workforce.min_workers",
                f"must be ≤ workforce.max_workers ({_num(wf.max_workers)}), "
                f"got {_num(wf.min_workers)}",
            )
        )
    return problems


def _portfolio_problems(s: Scenario) -> list[Problem]:
    """A launch's or phase-out's periods must be the plan's, its families other families
    of the plan; a launch is sized by a volume or a factor (one of them); a family cannot
    end before it starts."""
    problems: list[Problem] = []
    labels, names = s.period_labels, s.family_names
    shown = ", ".join(labels[:3]) + (f" … {labels[-1]}" if len(labels) > 3 else "")

    def period(where: str, value: str) -> None:
        if period_position(labels, value) is None:
            problems.append(
                Problem(where, f"must be one of the plan's periods ({shown}), got {value!r}")
            )

    def family(where: str, value: str | None, own: str) -> None:
        if value is None:
            return
        if value == own:
            problems.append(Problem(where, f"must be another family than {own!r} itself"))
        elif value not in names:
            known = ", ".join(repr(n) for n in names)
            problems.append(Problem(where, f"names {value!r}, not a family (known: {known})"))

    for i, fam in enumerate(s.families):
        if fam.launch is not None:
            at, ln = f"families[{i}].launch", fam.launch
            period(f"{at}.start", ln.start)
            family(f"{at}.like", ln.like, fam.name)
            family(f"{at}.cannibalise", ln.cannibalise, fam.name)
            if (ln.volume is None) == (ln.factor is None):
                problems.append(
                    Problem(
                        f"{at}.volume",
                        "give either the volume of its first 12 months or a factor on the "
                        "like-family, not both nor neither",
                    )
                )
            if ln.cannibalise_share > 0 and ln.cannibalise is None:
                problems.append(
                    Problem(
                        f"{at}.cannibalise",
                        f"is blank with a share of {_num(ln.cannibalise_share)}; name the "
                        "family it takes demand from, or set the share to 0",
                    )
                )
        if fam.phase_out is not None:
            at, po = f"families[{i}].phase_out", fam.phase_out
            period(f"{at}.end_period", po.end_period)
            family(f"{at}.replacement", po.replacement, fam.name)
            ln = fam.launch
            end = period_position(labels, po.end_period)
            begin = None if ln is None else period_position(labels, ln.start)
            if ln is not None and end is not None and begin is not None and end < begin:
                problems.append(
                    Problem(
                        f"{at}.end_period",
                        f"is {po.end_period!r}, before the launch in {ln.start!r}; end it "
                        "at or after its launch",
                    )
                )
        problems += _sku_portfolio_problems(fam, f"families[{i}]", labels, period)
    return problems


def _sku_portfolio_problems(fam: Family, at: str, labels: list[str], period: Any) -> list[Problem]:
    """An SKU launch's or phase-out's periods must be the plan's (``period`` records
    them), its demand one value per period, the SKUs it names other SKUs than its own,
    a new SKU launched once and sized by a volume or a factor."""
    problems: list[Problem] = []
    horizon = len(labels)
    launched: list[str] = []
    items: list[tuple[str, SkuLaunch | SkuPhaseOut]] = [
        *((f"{at}.sku_launches[{k}]", ln) for k, ln in enumerate(fam.sku_launches)),
        *((f"{at}.sku_phase_outs[{k}]", po) for k, po in enumerate(fam.sku_phase_outs)),
    ]
    for where, item in items:
        if len(item.demand) != horizon:
            problems.append(
                Problem(
                    f"{where}.demand",
                    f"must have {horizon} values, one per period, got {len(item.demand)}",
                )
            )
        if isinstance(item, SkuLaunch):
            period(f"{where}.start", item.start)
            named = {"like": item.like, "cannibalise": item.cannibalise}
            if item.sku in launched:
                problems.append(Problem(f"{where}.sku", f"{item.sku!r} is launched twice"))
            launched.append(item.sku)
            if (item.volume is None) == (item.factor is None):
                problems.append(
                    Problem(f"{where}.volume", "give either a volume or a factor, one of them")
                )
        else:
            period(f"{where}.end_period", item.end_period)
            named = {"replacement": item.replacement}
        for key, sku in named.items():
            if sku is not None and sku == item.sku:
                problems.append(
                    Problem(f"{where}.{key}", f"must be another SKU than {item.sku!r} itself")
                )
    return problems


def _resource_problems(s: Scenario) -> list[Problem]:
    problems: list[Problem] = []
    horizon, names = s.horizon, [r.name for r in s.resources]
    for i, res in enumerate(s.resources):
        if res.name in names[:i]:
            problems.append(
                Problem(
                    f"resources[{i}].name",
                    f"must be unique, got {res.name!r} again (also resources"
                    f"[{names.index(res.name)}])",
                )
            )
        for key in ("hours_available", "overtime_hours_max"):
            value = getattr(res, key)
            if isinstance(value, list) and len(value) != horizon:
                problems.append(
                    Problem(
                        f"resources[{i}].{key}",
                        f"must be one number or {horizon} values (one per period), "
                        f"got {len(value)} values",
                    )
                )
    for i, fam in enumerate(s.families):
        for name in fam.resource_hours:
            if name not in names:
                known = ", ".join(repr(n) for n in names) or "none: add it under resources"
                problems.append(
                    Problem(
                        f"families[{i}].resource_hours",
                        f"names resource {name!r}, which is not in resources (known: {known})",
                    )
                )
    cal = s.calendar
    if cal is not None and cal.working_days is not None and len(cal.working_days) != horizon:
        problems.append(
            Problem(
                "calendar.working_days",
                f"must have {horizon} values, one per period, got {len(cal.working_days)}",
            )
        )
    elif cal is not None and not problems:
        try:  # the labels are dates and the country is known (cached for the solves)
            s.period_days()
        except InputError as exc:
            problems += exc.problems
    if s.policy.frozen_periods > horizon:
        problems.append(
            Problem(
                "policy.frozen_periods",
                f"must be at most the {horizon} periods of the plan, got {s.policy.frozen_periods}",
            )
        )
    return problems


def _num(x: Any) -> str:
    if isinstance(x, bool):
        return "true" if x else "false"  # as written in JSON
    if isinstance(x, float) and x.is_integer() and abs(x) < 1e16:
        return str(int(x))
    if isinstance(x, str):
        return repr(x if len(x) <= 60 else x[:57] + "...")
    if isinstance(x, (list, dict)):
        text = json.dumps(x, default=str)
        return text if len(text) <= 60 else text[:57] + "..."
    return str(x)


def _path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif not str(part).isidentifier():
            continue  # pydantic's union branch names ("list[constrained-float]") are noise
        else:
            out += f".{part}" if out else str(part)
    return out


_TOO_BIG = "must be ≤ {limit} (the largest number accepted; see the scenario file's limits)"


def _message(err: dict[str, Any]) -> str:
    kind, ctx, value = err["type"], err.get("ctx") or {}, err.get("input")
    got = f", got {_num(value)}"
    if kind == "greater_than_equal":
        return f"must be ≥ {_num(ctx['ge'])}{got}"
    if kind == "greater_than":
        return f"must be > {_num(ctx['gt'])}{got}"
    if kind == "less_than_equal":
        return _TOO_BIG.format(limit=limit_text(ctx["le"])) + got
    if kind in ("float_type", "float_parsing", "int_type", "int_parsing", "strict_number"):
        return f"must be a number{got}"
    if kind == "finite_number":
        return f"must be a finite number ≤ {limit_text(MAX_MAGNITUDE)}{got}"
    if kind == "missing":
        return "is required but missing"
    if kind == "extra_forbidden":
        return f"is not a known field (check its spelling){got}"
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected', '')}{got}"
    if kind in ("bool_type", "bool_parsing"):
        return f"must be true or false{got}"
    if kind in ("string_type",):
        return f"must be text{got}"
    if kind == "too_short":
        least = int(ctx.get("min_length", 1))
        return f"must have at least {plural(least, 'item')}{got}"
    if kind in ("list_type",):
        return f"must be a list{got}"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"must be an object {{...}}{got}"
    return f"{err['msg']}{got}"


def _problems(exc: ValidationError) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[str] = set()
    for err in exc.errors(include_url=False):
        if err["type"] == "value_error" and not err["loc"]:
            # cross-field checks: the message already carries "field: ..." lines
            text = str(err["ctx"]["error"]) if "error" in err.get("ctx", {}) else err["msg"]
            for line in text.splitlines():
                field, _, msg = line.partition(": ")
                problems.append(Problem(field, msg))
            continue
        field = _path(tuple(err["loc"]))
        # a union (number or list) reports each branch; keep the first per field
        if field in seen:
            continue
        seen.add(field)
        problems.append(Problem(field, _message(err)))
    # a union's "must be a number, got [1, true]" says less than its item's own problem
    deeper = {p.field.rsplit("[", 1)[0] for p in problems if p.field.endswith("]")}
    return [p for p in problems if p.field not in deeper or p.field.endswith("]")]


MAX_LISTED = 20
"""Problems listed in one error before the rest are counted."""


def _listed(problems: list[Problem]) -> list[Problem]:
    if len(problems) <= MAX_LISTED:
        return problems
    more = Problem("", f"… and {plural(len(problems) - MAX_LISTED, 'more problem')} like these")
    return [*problems[:MAX_LISTED], more]


class _HugeInt:
    """An integer literal longer than :data:`MAX_INT_DIGITS`, kept as text (not converted)."""

    def __init__(self, text: str) -> None:
        self.digits = len(text.lstrip("-"))


def _parse_int(text: str) -> int | _HugeInt:
    return int(text) if len(text) <= MAX_INT_DIGITS else _HugeInt(text)


_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{},]', re.S)
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)


def _max_depth(text: str) -> int:
    """How deep ``[``/``{`` nest in JSON text (strings skipped), at C speed."""
    marks = np.frombuffer(_JSON_STRING.sub("", text).encode("utf-8"), dtype=np.uint8)
    step = np.isin(marks, (91, 123)).astype(np.int32) - np.isin(marks, (93, 125))
    return int(np.cumsum(step).max(initial=0))


def _depth_problem(text: str) -> Problem | None:
    """The first place ``text`` nests ``[``/``{`` deeper than :data:`MAX_JSON_DEPTH`."""
    if text.count("[") + text.count("{") <= MAX_JSON_DEPTH or _max_depth(text) <= MAX_JSON_DEPTH:
        return None
    stack: list[list[Any]] = []  # [kind, key or index, expecting a key]
    for m in _JSON_TOKEN.finditer(text):
        tok = m.group()
        if tok in "[{":
            stack.append(["[", 0, False] if tok == "[" else ["{", None, True])
            if len(stack) > MAX_JSON_DEPTH:
                where = ""
                for kind, key, _ in stack[:-1][:6]:
                    where += f"[{key}]" if kind == "[" else (f".{key}" if where else str(key))
                line = text.count("\n", 0, m.start()) + 1
                return Problem(
                    where + ("…" if len(stack) > 7 else ""),
                    f"nests [ and {{ more than {MAX_JSON_DEPTH} levels deep (at line {line}); "
                    "a scenario file nests at most 4 deep (families[0].safety_stock[0])",
                )
        elif tok in "]}":
            if stack:
                stack.pop()
        elif tok == ",":
            if stack and stack[-1][0] == "[":
                stack[-1][1] += 1
            elif stack:
                stack[-1][2] = True
        elif stack and stack[-1][0] == "{" and stack[-1][2]:
            stack[-1][1], stack[-1][2] = json.loads(tok), False
    return None


def _size_problems(data: dict[str, Any]) -> list[Problem]:
    """Limits on the parsed file, checked before validation so that none can hang it:
    list lengths (periods, families), text lengths, integer literals."""
    problems: list[Problem] = []
    todo: list[tuple[str, Any]] = [("", data)]
    while todo:
        path, value = todo.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                name = str(key)
                if len(name) > MAX_TEXT_CHARS:
                    problems.append(
                        Problem(path, f"has a key of {len(name):,} characters; not a known field")
                    )
                    continue
                todo.append((f"{path}.{name}" if path else name, item))
        elif isinstance(value, list):
            limit = MAX_FAMILIES if path == "families" else MAX_PERIODS
            what = "families" if path == "families" else "values (periods)"
            if len(value) > limit:
                problems.append(
                    Problem(
                        path, f"has {len(value):,} items; at most {limit:,} {what} are accepted"
                    )
                )
                continue
            todo.extend((f"{path}[{i}]", item) for i, item in enumerate(value))
        elif isinstance(value, str) and len(value) > MAX_TEXT_CHARS:
            problems.append(
                Problem(
                    path,
                    f"is {len(value):,} characters long; names and labels are at most "
                    f"{MAX_TEXT_CHARS} characters",
                )
            )
        elif isinstance(value, _HugeInt):
            problems.append(
                Problem(
                    path,
                    _TOO_BIG.format(limit=limit_text(MAX_MAGNITUDE))
                    + f", got a number with {value.digits:,} digits",
                )
            )
    families = data.get("families")
    if not problems and isinstance(families, list) and families:
        first = families[0]
        demand = first.get("demand") if isinstance(first, dict) else None
        horizon = len(demand) if isinstance(demand, list) else 0
        if horizon * len(families) > MAX_PLAN_CELLS:
            problems.append(
                Problem(
                    "families",
                    f"{len(families):,} families × {horizon:,} periods = "
                    f"{len(families) * horizon:,} family-periods; at most {MAX_PLAN_CELLS:,} "
                    "are accepted (fewer families, or a coarser calendar)",
                )
            )
    return sorted(problems, key=lambda p: p.field)


def parse_scenario(data: dict[str, Any] | str | bytes) -> Scenario:
    """Validate a scenario from a dict or JSON text; raise :class:`InputError` if invalid.

    The limits of the module docstring are checked first, so that no input hangs or
    crashes validation: every failure is an :class:`InputError` naming its field."""
    if isinstance(data, (str, bytes)):
        data = _loads(data)
    if not isinstance(data, dict):
        raise InputError(
            Problem("", f"a scenario must be a JSON object {{...}}, got {type(data).__name__}")
        )
    problems = _size_problems(data)
    if problems:
        raise InputError(_listed(problems))
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise InputError(_listed(_problems(exc))) from None


def _too_big(size: int) -> Problem:
    return Problem(
        "",
        f"the file is {size / 1024 / 1024:.1f} MB; a scenario file is at most "
        f"{MAX_SCENARIO_BYTES // 1024 // 1024} MB",
    )


def _loads(text: str | bytes) -> Any:
    if len(text) > MAX_SCENARIO_BYTES:
        raise InputError(_too_big(len(text)))
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InputError(
                Problem("", f"is not UTF-8 text (byte {exc.start}); save the scenario as UTF-8")
            ) from None
    if text.startswith("PK\x03\x04"):
        raise InputError(
            Problem("", "this looks like a zip file (an Excel workbook?), not a scenario's JSON")
        )
    deep = _depth_problem(text)
    if deep is not None:
        raise InputError(deep)
    try:
        return json.loads(text, parse_int=_parse_int)
    except json.JSONDecodeError as exc:
        raise InputError(
            Problem(
                "",
                f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}; "
                "a scenario file is one JSON object",
            )
        ) from None
    except RecursionError:  # pragma: no cover - the depth check comes first
        raise InputError(Problem("", "nests [ and { too deep to read")) from None


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file; every failure is an :class:`InputError`."""
    p = Path(path)
    if not p.is_file():
        raise InputError(Problem(str(p), "no such file; give the path of a scenario .json file"))
    try:
        size = p.stat().st_size
        if size > MAX_SCENARIO_BYTES:
            raise InputError(Problem(p.name, _too_big(size).message))
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(Problem(str(p), f"cannot be read as UTF-8 text ({exc})")) from None
    try:
        return parse_scenario(text)
    except InputError as exc:
        raise InputError(
            [Problem(p.name + (f" {q.field}" if q.field else ""), q.message) for q in exc.problems]
        ) from None


def with_changes(scenario: Scenario, **changes: Any) -> Scenario:
    """A copy of ``scenario`` with what-if changes applied, without re-validating.

    Keys: ``strategy``, ``integer_workforce`` (policy); any workforce field such as
    ``max_overtime_hours_per_worker``, ``min_workers``, ``max_workers``; and
    ``safety_stock_months``: safety stock of each family as months of cover of the
    next period's demand (the last period repeats its own demand).
    """
    policy_keys = set(Policy.model_fields)
    workforce_keys = set(Workforce.model_fields)
    unknown = set(changes) - policy_keys - workforce_keys - {"safety_stock_months"}
    if unknown:
        raise InputError(Problem(", ".join(sorted(unknown)), "is not a what-if setting"))
    out = scenario
    pol = {k: v for k, v in changes.items() if k in policy_keys}
    if pol:
        out = out.model_copy(update={"policy": out.policy.model_copy(update=pol)})
    wf = {k: v for k, v in changes.items() if k in workforce_keys}
    if wf:
        out = out.model_copy(update={"workforce": out.workforce.model_copy(update=wf)})
    months = changes.get("safety_stock_months")
    if months is not None:
        fams = [
            f.model_copy(update={"safety_stock": months_of_cover(f.demand, months)})
            for f in out.families
        ]
        out = out.model_copy(update={"families": fams})
    return out


def months_of_cover(demand: list[float], months: float) -> list[float]:
    """Safety stock per period covering ``months`` periods of the following demand.

    Whole months cover the next demands in full and a fraction covers part of the one
    after; beyond the horizon the last period's demand repeats.
    """
    horizon = len(demand)
    out: list[float] = []
    for t in range(horizon):
        remaining, level, k = months, 0.0, t + 1
        while remaining > 1e-12:
            d = demand[min(k, horizon - 1)]
            share = min(1.0, remaining)
            level += share * d
            remaining -= share
            k += 1
        out.append(level)
    return out


def same_plan(a: Scenario, b: Scenario) -> bool:
    """Whether two scenarios plan the same: every input equal, their names (and the
    scorecard's targets, which judge a plan and do not change it) aside."""
    return a.model_dump(exclude={"name", "targets"}) == b.model_dump(exclude={"name", "targets"})
