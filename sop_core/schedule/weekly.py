"""The weekly master schedule: the family plan, disaggregated into SKUs and weeks.

The aggregate plan says how much of each *family* to make (and buy in) each month; the
master schedule says which *SKU* each production line makes each *week*, inside it.

Method: equal run-out times (Hax & Meal's disaggregation rule)
----------------------------------------------------------------
Time is cut into buckets: a calendar week (Monday to Sunday) inside one month; a week
that straddles two months is two buckets, so that every bucket draws on exactly one
month of the family plan.

1. *Time phasing.* A family's monthly production P (and subcontracted supply C) is spread
   over the month's buckets in proportion to their working days: every week carries the
   same share of the month's load as of the month's capacity, so a week's labour hours
   never exceed its share of the month's hours (the plan keeps Σ_f h_f·P_f ≤ R·W + O).
2. *SKU split.* Each bucket's family quantity Q goes to the SKUs so that they all run out
   at the same time τ: SKU s receives x_s = max(0, ss_s + D_s(t0, τ) − N_s), where N_s is
   its stock before the bucket, ss_s its safety stock and D_s(t0, τ) its forecast demand
   from the bucket's start t0 until τ; τ is the one time at which Σ_s x_s = Q (found
   by bracketing and false position, all families at once). SKUs that are short get
   stock first; a surplus goes where it lasts equally long. τ may lie before t0: then
   even the safety stocks cannot all be kept, and the shortfall is spread as equal days
   of demand.
3. *Minimum batches.* A SKU whose share in a bucket is above zero but below its
   ``min_batch`` gets a whole batch if it would otherwise end the bucket below safety
   stock (the neediest first, while the family's quantity lasts), else nothing yet (its
   need grows until it is worth a batch); the others share the rest as in 2. If no SKU
   is left to take the rest, it goes on top of a batch, or, when there is none (the
   family's quantity is smaller than every batch), to the neediest SKU, and the
   schedule reports the batch it could not keep. Batches add cycle stock that the
   family plan does not hold, so other SKUs may dip below safety stock: the schedule
   shows where.

Why this method: it needs no solver (vectorised numpy: 5,000 SKUs × 52 weeks in well
under a second, see ``benchmarks/schedule_speed.py``), family totals are exact by
construction, and it does what a scheduler asks of a family plan: keep every SKU above
its safety stock while the family's stock allows, and when it does not, share the
shortfall fairly instead of starving some SKUs. A per-family LP (minimise shortfall
below safety stock) would make the same choices on most weeks but costs a solve per
family, and minimum batches would make it a MIP. The proportional split (every SKU gets
its forecast share of each week, ``method="proportional"``) is the baseline: it ignores
stock, so SKUs that start short stay short.

Rounding (``whole_units=True``): running totals. A family's production up to the end of
every bucket is the plan's, rounded to the nearest unit (halves up); a month's total is
therefore the plan's running total rounded at the month's end minus the same at the
previous month's end, within one unit of the plan's (exact when the plan is in whole
units), and a week's within one unit of its exact share. Each bucket's whole quantity is
split over the SKUs by largest remainders (Hamilton), which keeps the sum exact.
Subcontracted units are rounded the same way; within a SKU's receipt the made part is
the largest-remainder share of the family's made units.

Inputs
------
- the family plan: an optimal :class:`~sop_core.engine.planner.PlanResult` of the scenario
  (``families`` frame: production, subcontract, inventory, backorder, safety_stock;
  ``periods`` frame: regular and overtime hours available). Periods are months
  labelled "YYYY-MM"; other labels need ``start`` (the first month).
- SKU demand: a frame with columns family, sku, period ("YYYY-MM", one of the plan's
  periods), demand [units / month]; :func:`sku_demand` makes it from a SKU-level
  forecast (:func:`sop_core.demand.forecast.forecast` with ``level="sku"``), scaled per family
  and month to the scenario's (consensus) family demand. A month's demand is spread
  evenly over its calendar days. SKUs of a family the plan does not have are not
  scheduled; the notes name them.
- SKU stock (optional, :func:`read_sku_stock`; CSV or Excel), one row per SKU::

      sku           str     required
      family        str     optional; checked against the SKU's family in the demand
      on_hand       units   stock at the start of the plan, ≥ 0
      safety_stock  units   ≥ 0, the same in every month
      min_batch     units   ≥ 0, the least a SKU is made in a week when made at all

  Blank cells and SKUs not in the table take the defaults: on_hand is the family's
  initial inventory (minus initial backorder) split by each SKU's share of the family's
  first-month demand; safety_stock is the family's safety stock in each month split by
  the SKU's share of that month's demand; min_batch is 0 (no minimum); a blank family
  is the SKU's own. A row of a SKU of a family the plan does not have (by the demand, or
  else by its family cell) is not scheduled and the notes name it; a SKU in no family's
  demand is refused (most likely a typo).
- ``working_days(days) -> weights``: the working fraction of each calendar day (1 = a
  full day). The default, :func:`calendar_days`, counts every day; a plant calendar (the
  resources issue's) plugs in here and changes both the time phasing and the capacity.

Results (:class:`Schedule`)
---------------------------
``weeks``    one row per SKU and week: family, sku, week (its Monday, "YYYY-MM-DD"),
             days (of the plan's horizon in that week), demand, made, bought, stock (at
             the week's end; negative is backlog), safety_stock, shortfall (units below
             safety stock at the week's end), cover_weeks (weeks the stock lasts against
             the forecast from the week's end; inf when no demand follows), firm (inside
             the time fence). Balance: stock = previous stock + made + bought − demand.
``load``     one row per week: week, days, capacity_hours (the week's working-day share
             of each month's regular plus overtime hours; inf when overtime is
             unlimited), load_hours (Σ labour hours per unit × made), utilisation.
``months``   one row per family and month: the plan's production and subcontract, what
             the schedule makes and buys in, the plan's and the SKUs' stock at the end.
``skus``     one row per SKU: its stock data, demand, made, bought, end_stock,
             min_cover_weeks, weeks_short (weeks ending a unit or more below safety
             stock; any amount when not in whole units), max_shortfall, batch_misses
             (weeks made below min_batch because the family's quantity was smaller than
             every batch).
``notes``    plain sentences: the defaults used, SKUs not scheduled (of a family the
             plan does not have), SKUs short, batches missed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Literal

import numpy as np
import pandas as pd

from sop_core.base.errors import InputError, Problem
from sop_core.demand.forecast import forecast
from sop_core.demand.history import infer_freq, parse_table
from sop_core.engine.planner import PlanResult
from sop_core.model.scenario import Scenario

WorkingDays = Callable[[pd.DatetimeIndex], np.ndarray]
Method = Literal["runout", "proportional"]
METHODS: tuple[str, ...] = ("runout", "proportional")

DEMAND_COLUMNS = ("family", "sku", "period", "demand")
STOCK_COLUMNS = ("sku", "family", "on_hand", "safety_stock", "min_batch")
WEEK_COLUMNS = (
    "family",
    "sku",
    "week",
    "days",
    "demand",
    "made",
    "bought",
    "stock",
    "safety_stock",
    "shortfall",
    "cover_weeks",
    "firm",
)
LOAD_COLUMNS = ("week", "days", "capacity_hours", "load_hours", "utilisation")
MONTH_COLUMNS = (
    "family",
    "period",
    "plan_production",
    "scheduled_production",
    "plan_subcontract",
    "scheduled_subcontract",
    "plan_stock",
    "scheduled_stock",
)
SKU_COLUMNS = (
    "family",
    "sku",
    "on_hand",
    "safety_stock",
    "min_batch",
    "demand",
    "made",
    "bought",
    "end_stock",
    "min_cover_weeks",
    "weeks_short",
    "max_shortfall",
    "batch_misses",
)
MAX_STOCK_BYTES = 5 * 1024 * 1024
_ROOT_STEPS = 40
_TOL = 1e-9


@dataclass(frozen=True)
class Schedule:
    """A SKU × week schedule inside a family plan; see the module docstring."""

    weeks: pd.DataFrame
    load: pd.DataFrame
    months: pd.DataFrame
    skus: pd.DataFrame
    method: str
    whole_units: bool
    notes: list[str] = field(default_factory=list)

    @property
    def week_labels(self) -> list[str]:
        return list(self.load["week"])

    def table(self, family: str, value: str = "made") -> pd.DataFrame:
        """One family's ``value`` (a column of ``weeks``) as SKU rows × week columns."""
        part = self.weeks[self.weeks["family"] == family]
        out = part.pivot(index="sku", columns="week", values=value)
        return out[[w for w in self.week_labels if w in out.columns]]


def calendar_days(days: pd.DatetimeIndex) -> np.ndarray:
    """Every calendar day is a full working day (the default calendar)."""
    return np.ones(len(days))


# --------------------------------------------------------------------------- inputs


def _labels(periods: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(periods):
        monthly = bool((periods.dt.day == 1).all())
        return periods.dt.strftime("%Y-%m" if monthly else "%Y-%m-%d")
    return periods.astype(str).str.strip()


def sku_demand(
    scenario: Scenario, sku_forecast: pd.DataFrame, *, value_col: str = "forecast"
) -> pd.DataFrame:
    """SKU demand per month (columns :data:`DEMAND_COLUMNS`) whose family sums are the
    scenario's demand, from a SKU-level forecast (columns family, sku, period, forecast).

    Each SKU keeps its forecast share of its family in each month; a month whose SKU
    forecasts are all zero uses the SKUs' shares of the whole horizon (evenly if none).
    SKUs of families the scenario does not have keep their forecast (0 in months it
    lacks): :func:`schedule` does not schedule them but names them in its notes.

    Raises:
        InputError: a scenario family without SKUs, or a plan period the forecast lacks.
    """
    missing = [c for c in ("family", "sku", "period", value_col) if c not in sku_forecast]
    if missing:
        raise InputError(
            Problem(
                "SKU forecast",
                f"missing column(s) {', '.join(missing)}; a SKU forecast has family, sku, "
                f"period and {value_col}",
            )
        )
    fc = sku_forecast.assign(
        label=_labels(sku_forecast["period"]),
        family=sku_forecast["family"].astype(str),
        sku=sku_forecast["sku"].astype(str),
    )
    labels = scenario.period_labels
    known = sorted(fc["family"].unique())
    problems: list[Problem] = []
    parts: list[pd.DataFrame] = []
    for i, fam in enumerate(scenario.families):
        part = fc[fc["family"] == fam.name]
        if part.empty:
            problems.append(
                Problem(
                    f"families[{i}].name",
                    f"family {fam.name!r} has no SKUs in the history; SKU families are: "
                    f"{', '.join(known) or 'none'}; the schedule needs every family's SKUs",
                )
            )
            continue
        table = part.pivot_table(index="sku", columns="label", values=value_col, aggfunc="sum")
        gaps = [p for p in labels if p not in table.columns]
        if gaps:
            have = sorted(table.columns)
            problems.append(
                Problem(
                    "periods",
                    f"the SKU forecast of {fam.name!r} has no value for {', '.join(gaps[:4])}"
                    f"{' …' if len(gaps) > 4 else ''} (it covers {have[0]} – {have[-1]}); "
                    f"forecast the months {labels[0]} – {labels[-1]} of the plan",
                )
            )
            continue
        m = table[labels].fillna(0.0).clip(lower=0.0).to_numpy(dtype=float)
        d = _shares(m) * np.asarray(fam.demand, dtype=float)[None, :]
        parts.append(
            pd.DataFrame(
                {
                    "family": fam.name,
                    "sku": np.repeat(table.index.astype(str), len(labels)),
                    "period": np.tile(labels, len(table)),
                    "demand": d.ravel(),
                }
            )
        )
    if problems:
        raise InputError(problems)
    others = fc[~fc["family"].isin(scenario.family_names)]
    if not others.empty:
        value = pd.to_numeric(others[value_col], errors="coerce").fillna(0.0).clip(lower=0.0)
        table = (
            others.assign(**{value_col: value})
            .pivot_table(index=["family", "sku"], columns="label", values=value_col, aggfunc="sum")
            .reindex(columns=labels)
            .fillna(0.0)
        )
        parts.append(
            pd.DataFrame(
                {
                    "family": np.repeat(table.index.get_level_values("family"), len(labels)),
                    "sku": np.repeat(table.index.get_level_values("sku"), len(labels)),
                    "period": np.tile(labels, len(table)),
                    "demand": table.to_numpy(dtype=float).ravel(),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)[list(DEMAND_COLUMNS)]


def sku_demand_from_history(
    scenario: Scenario,
    history: pd.DataFrame,
    *,
    model: str = "naive",
    start: str | pd.Timestamp | None = None,
    backend: Literal["processes", "sequential"] = "sequential",
) -> pd.DataFrame:
    """Forecast every SKU of a validated monthly ``history`` up to the plan's last month
    and reconcile to the scenario's family demand (:func:`sku_demand`).

    The forecast only sets the mix inside each family (the consensus sets the totals),
    so the default model is the seasonal naive one: each SKU's share as in the same
    month last year.

    Raises:
        InputError: a history without SKUs, a weekly history, or a plan that starts
            before the history ends.
    """
    if "sku" not in history.columns:
        raise InputError(
            Problem(
                "history",
                "has no sku column; the schedule needs sales per SKU (period, family, sku, demand)",
            )
        )
    if history.empty:
        raise InputError(
            [
                Problem(f"families[{i}].name", f"family {name!r} has no SKUs in the history")
                for i, name in enumerate(scenario.family_names)
            ]
        )
    if not infer_freq(history).upper().startswith("M"):
        raise InputError(Problem("history", "is weekly; the schedule needs a monthly history"))
    months = _month_starts(scenario, start)
    last = pd.Timestamp(history["period"].max()).to_period("M")
    first_plan, last_plan = months[0].to_period("M"), months[-1].to_period("M")
    if first_plan <= last:
        raise InputError(
            Problem(
                "periods",
                f"the plan starts in {first_plan} but the history runs to {last}; the schedule "
                "forecasts the SKUs from the month after the history",
            )
        )
    horizon = (last_plan - last).n
    fc = forecast(history, level="sku", horizon=horizon, model=model, backend=backend)
    out = fc.forecast
    if start is not None:  # the plan's own labels, month by month
        labels = dict(zip(months.strftime("%Y-%m"), scenario.period_labels, strict=True))
        out = out.assign(period=_labels(out["period"]).map(labels))
        out = out[out["period"].notna()]
    return sku_demand(scenario, out)


def _shares(m: np.ndarray) -> np.ndarray:
    """Column shares of a (SKUs, months) array; all-zero columns use the row totals'
    shares (evenly when those are zero too)."""
    total = m.sum(axis=0)
    rows = m.sum(axis=1)
    fallback = rows / rows.sum() if rows.sum() > 0 else np.full(len(rows), 1.0 / len(rows))
    safe = np.where(total > 0, total, 1.0)
    return np.where(total[None, :] > 0, m / safe[None, :], fallback[:, None])


def read_sku_stock(
    source: str | Path | bytes | IO[bytes], *, filename: str | None = None
) -> pd.DataFrame:
    """Read and validate a SKU stock table (.csv or .xlsx; columns :data:`STOCK_COLUMNS`)."""
    if isinstance(source, (str, Path)):
        path = Path(source)
        if not path.is_file():
            raise InputError(Problem(str(path), "no such file; give a .csv or .xlsx stock table"))
        data, name = path.read_bytes(), filename or path.name
    elif isinstance(source, (bytes, bytearray)):
        data, name = bytes(source), filename or "stock.csv"
    else:
        data, name = source.read(), filename or str(getattr(source, "name", "") or "stock.csv")
    if len(data) > MAX_STOCK_BYTES:
        raise InputError(Problem(name, "is larger than 5 MB; one row per SKU is enough"))
    if not data.strip():
        raise InputError(
            Problem(name, f"is empty; it needs a header row {','.join(STOCK_COLUMNS)}")
        )
    return validate_sku_stock(parse_table(data, name), name=name)


def validate_sku_stock(raw: pd.DataFrame, *, name: str = "stock table") -> pd.DataFrame:
    """A stock table with columns :data:`STOCK_COLUMNS` (NaN: use the default).

    Column names ignore case and spaces; other columns are ignored. The index is the
    row numbers that messages name: a file's (:func:`read_sku_stock`; the header is row
    1), counted from 1 for a frame with the default index, else the frame's index.

    Raises:
        InputError: no sku column, a repeated SKU, or a value that is not a number ≥ 0;
            each problem names the row and column.
    """
    frame = raw.rename(columns=lambda c: str(c).strip().lower().replace(" ", "_"))
    if "sku" not in frame.columns:
        raise InputError(
            Problem(
                name,
                f"has no sku column (columns: {', '.join(map(str, raw.columns))}); "
                f"expected {', '.join(STOCK_COLUMNS)}",
            )
        )
    problems: list[Problem] = []
    rows = _row_numbers(frame.index)
    out: dict[str, np.ndarray] = {
        "sku": np.array([_text(v) for v in frame["sku"].to_numpy(dtype=object)], dtype=object)
    }
    out["family"] = np.array(
        [_text(v) or None for v in frame["family"].to_numpy(dtype=object)]
        if "family" in frame
        else [None] * len(frame),
        dtype=object,
    )
    for col in ("on_hand", "safety_stock", "min_batch"):
        values = np.full(len(frame), np.nan)
        if col in frame and pd.api.types.is_numeric_dtype(frame[col]):
            values = frame[col].to_numpy(dtype=float, copy=True)
            bad = ~np.isnan(values) & (~np.isfinite(values) | (values < 0))
            for j in np.flatnonzero(bad):
                problems.append(
                    Problem(
                        f"row {rows[j]}, column {col}", f"must be a number ≥ 0, got {values[j]:g}"
                    )
                )
            values[bad] = np.nan
        elif col in frame:
            cells = frame[col].to_numpy(dtype=object)
            for j, cell in enumerate(cells):
                if _blank(cell):
                    continue
                try:
                    v = (
                        float(str(cell).strip().replace(",", ""))
                        if isinstance(cell, str)
                        else float(cell)
                    )
                except (TypeError, ValueError):
                    v = -1.0
                if not np.isfinite(v) or v < 0:
                    problems.append(
                        Problem(
                            f"row {rows[j]}, column {col}", f"must be a number ≥ 0, got {cell!r}"
                        )
                    )
                    continue
                values[j] = v
        out[col] = values
    seen: dict[str, object] = {}
    for row, sku in zip(rows, out["sku"], strict=True):
        if not sku:
            problems.append(Problem(f"row {row}, column sku", "is blank; every row names a SKU"))
        elif sku in seen:
            problems.append(
                Problem(f"row {row}, column sku", f"{sku!r} is listed again (also row {seen[sku]})")
            )
        else:
            seen[sku] = row
    if problems:
        raise InputError(problems)
    return pd.DataFrame(out, index=pd.Index(rows, name="row"))[list(STOCK_COLUMNS)]


def _row_numbers(index: pd.Index) -> np.ndarray:
    """Row numbers for messages: 1, 2, … for a default index, else the index."""
    if isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1:
        return np.arange(1, len(index) + 1)
    return index.to_numpy()


def _text(v: object) -> str:
    return "" if _blank(v) else str(v).strip()


def _blank(v: object) -> bool:
    """None, NaN, NA, NaT or only spaces."""
    if isinstance(v, str):
        return not v.strip()
    return v is None or bool(pd.api.types.is_scalar(v) and pd.isna(v))


# --------------------------------------------------------------------------- calendar


@dataclass(frozen=True)
class _Calendar:
    days: pd.DatetimeIndex  # every day of the horizon
    day_month: np.ndarray  # (D,) month of each day
    month_days: np.ndarray  # (T,) calendar days per month
    b_start: np.ndarray  # (B,) first day of each bucket (index into days)
    b_end: np.ndarray  # (B,) one past its last day
    b_month: np.ndarray  # (B,)
    b_week: np.ndarray  # (B,) week index
    b_share: np.ndarray  # (B,) share of its month's working days
    weeks: list[str]  # Monday of each week
    week_days: np.ndarray  # (W,) horizon days per week


def plan_months(scenario: Scenario, start: str | pd.Timestamp | None = None) -> pd.DatetimeIndex:
    """The first day of each of the plan's months: its "YYYY-MM" labels, or ``start``
    and the months after it.

    Raises:
        InputError: labels that are not consecutive months and no ``start``.
    """
    return _month_starts(scenario, start)


def _month_starts(scenario: Scenario, start: str | pd.Timestamp | None) -> pd.DatetimeIndex:
    labels = scenario.period_labels
    if start is not None:
        try:
            first = pd.Timestamp(str(start)).to_period("M").to_timestamp()
        except ValueError:
            raise InputError(
                Problem("start", f"must be a month like 2027-01, got {start!r}")
            ) from None
        return pd.date_range(first, periods=len(labels), freq="MS")
    try:
        months = pd.to_datetime(pd.Series(labels), format="%Y-%m")
    except ValueError:
        raise InputError(
            Problem(
                "periods",
                f"the schedule needs months labelled like 2027-01, got {labels[0]!r}; "
                "give the first month (start, --start YYYY-MM)",
            )
        ) from None
    expected = pd.date_range(months.iloc[0], periods=len(labels), freq="MS")
    if not (months.to_numpy() == expected.to_numpy()).all():
        raise InputError(Problem("periods", f"must be consecutive months, got {', '.join(labels)}"))
    return expected


def _calendar(
    starts: pd.DatetimeIndex, working_days: WorkingDays, notes: list[str], labels: list[str]
) -> _Calendar:
    end = starts[-1] + pd.offsets.MonthEnd(0)
    days = pd.date_range(starts[0], end, freq="D")
    day_month = np.searchsorted(starts.to_numpy(), days.to_numpy(), side="right") - 1
    month_days = np.bincount(day_month, minlength=len(starts)).astype(float)
    monday = (days - pd.to_timedelta(days.day_of_week, unit="D")).to_numpy()
    new_week = np.r_[True, monday[1:] != monday[:-1]]
    new_bucket = new_week | np.r_[True, day_month[1:] != day_month[:-1]]
    b_start = np.flatnonzero(new_bucket)
    b_end = np.r_[b_start[1:], len(days)]
    week_of_day = np.cumsum(new_week) - 1
    wd = np.asarray(working_days(days), dtype=float)
    if wd.shape != (len(days),) or not np.isfinite(wd).all() or (wd < 0).any():
        raise ValueError("working_days must give one finite weight ≥ 0 per day")
    month_wd = np.bincount(day_month, weights=wd, minlength=len(starts))
    idle = month_wd <= 0
    if idle.any():
        notes.append(
            f"No working days in {', '.join(np.asarray(labels)[idle])}: "
            "that month's plan is spread over its calendar days."
        )
        wd = np.where(idle[day_month], 1.0, wd)
        month_wd = np.where(idle, month_days, month_wd)
    b_month = day_month[b_start]
    b_wd = np.add.reduceat(wd, b_start)
    return _Calendar(
        days=days,
        day_month=day_month,
        month_days=month_days,
        b_start=b_start,
        b_end=b_end,
        b_month=b_month,
        b_week=week_of_day[b_start],
        b_share=b_wd / month_wd[b_month],
        weeks=[pd.Timestamp(m).strftime("%Y-%m-%d") for m in monday[new_week]],
        week_days=np.bincount(week_of_day).astype(float),
    )


# --------------------------------------------------------------------------- rounding


def _running_round(e: np.ndarray) -> np.ndarray:
    """Whole units whose running totals along the last axis are e's, rounded (halves up)."""
    r = np.floor(np.cumsum(e, axis=-1) + 0.5 + 1e-9)
    return np.diff(r, axis=-1, prepend=0.0)


def _largest_remainder(
    x: np.ndarray, totals: np.ndarray, fam: np.ndarray, first: np.ndarray
) -> np.ndarray:
    """Whole units per SKU, near ``x``, summing to each family's whole ``totals``.

    Floors first; the units left go to the largest remainders (Hamilton's method)."""
    fl = np.floor(x + 1e-7)
    rem = x - fl
    left = np.rint(totals - np.bincount(fam, weights=fl, minlength=len(totals)))
    order = np.lexsort((-rem, fam))
    rank = np.empty(len(x), dtype=np.int64)
    rank[order] = np.arange(len(x)) - first[fam[order]]
    out = fl + (rank < left[fam])
    if (left < 0).any():  # float noise only; take units back from the largest floors
        for f in np.flatnonzero(left < 0):
            idx = np.flatnonzero(fam == f)
            for k in idx[np.argsort(-fl[idx])][: int(-left[f])]:
                out[k] -= 1
    return out


# --------------------------------------------------------------------------- the split


@dataclass
class _Fill:
    """Equal run-out split of one bucket, all families at once.

    A SKU's cumulative demand is linear within a month (its demand is spread evenly over
    the month's days): C_s(t) = cum_s[m] + rate_s[m]·(t − start[m]) for t in month m,
    extended before the first and after the last month at their rates."""

    a: np.ndarray  # (S*T,) cum_s[m] − rate_s[m]·start[m], rows flattened
    b: np.ndarray  # (S*T,) rate_s[m] + eps_s: units per day, rows flattened
    start: np.ndarray  # (T,) first day of each month (days from the horizon's start)
    fam: np.ndarray  # (S,)
    row: np.ndarray  # (S,) offset of each SKU's row in a and b
    n_fam: int
    ahead: np.ndarray  # (F,) run-out time of the last split, days after its bucket's start

    @classmethod
    def make(
        cls,
        cum: np.ndarray,
        rate: np.ndarray,
        start: np.ndarray,
        eps: np.ndarray,
        fam: np.ndarray,
        n_fam: int,
    ) -> _Fill:
        """From cumulative demand at the month starts (S, T), rates (S, T) [units/day],
        the months' first days (T,), the eps rates (S,) and each SKU's family: the
        curves plus eps·t."""
        S, T = rate.shape
        return cls(
            a=(cum - rate * start[None, :]).ravel(),
            b=(rate + eps[:, None]).ravel(),
            start=start,
            fam=fam,
            row=np.arange(S) * T,
            n_fam=n_fam,
            ahead=np.full(n_fam, 7.0),
        )

    def curve(self, tau_f: np.ndarray) -> np.ndarray:
        """Cumulative demand of each SKU at its family's time tau_f, plus the eps ramp."""
        m_f = np.searchsorted(self.start, tau_f, side="right") - 1
        np.clip(m_f, 0, len(self.start) - 1, out=m_f)
        idx = self.row + m_f[self.fam]
        return self.a[idx] + self.b[idx] * tau_f[self.fam]

    def split(self, q: np.ndarray, gap: np.ndarray, t0: float, elig: np.ndarray) -> np.ndarray:
        """x_s = max(0, C_s(τ_f) − C_s(t0) + gap_s) for eligible SKUs with Σ_f x = q_f;
        gap_s = safety stock − stock before the bucket. τ_f by bracketing and false
        position (Illinois); the result interpolates between the bracket's ends, so
        the family sums are exact whatever the bracket's width."""
        fam, F = self.fam, self.n_fam
        base = gap - self.curve(np.full(F, float(t0)))
        active = q > _TOL

        def need(tau_f: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            x = self.curve(tau_f)
            x += base
            np.maximum(x, 0.0, out=x)
            x *= elig
            return x, np.bincount(fam, weights=x, minlength=F)

        # bracket the root around the last split's run-out time (cover changes slowly)
        guess = t0 + self.ahead
        lo, hi = guess - 1.0, guess + 1.0
        g_lo, g_hi = need(lo)[1], need(hi)[1]
        step = np.full(F, 4.0)
        for _ in range(200):
            bad = active & (g_lo > q)
            if not bad.any():
                break
            lo[bad] -= step[bad]
            step[bad] *= 4.0
            g_lo = need(lo)[1]
        step = np.full(F, 4.0)
        for _ in range(200):
            bad = active & (g_hi < q)
            if not bad.any():
                break
            hi[bad] += step[bad]
            step[bad] *= 4.0
            g_hi = need(hi)[1]
        f_lo, f_hi = g_lo - q, g_hi - q  # ≤ 0 and ≥ 0 on an active family
        tol = 1e-7 * np.maximum(1.0, q)
        closed = ~active
        kept = np.zeros(F)  # +1: hi was kept last step, −1: lo was
        for _ in range(_ROOT_STEPS):
            open_ = ~closed & (hi - lo > 1e-7)
            if not open_.any():
                break
            span = f_hi - f_lo
            w = np.where(open_ & (span > 0), -f_lo / np.where(span > 0, span, 1.0), 0.5)
            mid = lo + np.clip(w, 0.0, 1.0) * (hi - lo)
            f_mid = need(mid)[1] - q
            # close to the root: stop there, keeping a bracket (the interpolation below
            # makes the sums exact)
            closed |= open_ & (np.abs(f_mid) <= tol)
            up = open_ & (f_mid < 0)  # the root is above mid
            down = open_ & (f_mid >= 0)
            # Illinois: an end kept twice in a row counts half, so that it moves too
            f_hi = np.where(up & (kept > 0), 0.5 * f_hi, f_hi)
            f_lo = np.where(down & (kept < 0), 0.5 * f_lo, f_lo)
            lo, f_lo = np.where(up, mid, lo), np.where(up, f_mid, f_lo)
            hi, f_hi = np.where(down, mid, hi), np.where(down, f_mid, f_hi)
            kept = np.where(up, 1.0, np.where(down, -1.0, kept))
        self.ahead = np.where(active, np.clip(0.5 * (lo + hi) - t0, -3650, 3650), self.ahead)
        x_lo, g_lo = need(lo)
        x_hi, g_hi = need(hi)
        span = g_hi - g_lo
        w = np.where(span > _TOL, (q - g_lo) / np.where(span > _TOL, span, 1.0), 1.0)
        x = x_lo + np.clip(w, 0.0, 1.0)[fam] * (x_hi - x_lo)
        # a family whose bracket failed (degenerate data): spread its quantity evenly
        got = np.bincount(fam, weights=x, minlength=F)
        off = active & (np.abs(got - q) > 1e-6 * np.maximum(1.0, q))
        if off.any():
            n = np.bincount(fam, weights=elig.astype(float), minlength=F)
            even = np.where(n > 0, q / np.where(n > 0, n, 1.0), 0.0)[fam] * elig
            x = np.where(off[fam], even, x)
        return np.where(active[fam], x, 0.0)


# --------------------------------------------------------------------------- schedule


def schedule(
    plan: PlanResult,
    scenario: Scenario,
    demand: pd.DataFrame,
    stock: pd.DataFrame | None = None,
    *,
    weeks: int | None = None,
    firm_weeks: int = 0,
    working_days: WorkingDays = calendar_days,
    whole_units: bool = True,
    method: Method = "runout",
    start: str | pd.Timestamp | None = None,
) -> Schedule:
    """Disaggregate ``plan`` (a solved plan of ``scenario``) into SKUs and weeks.

    Args:
        plan: an optimal plan of ``scenario``.
        scenario: the scenario planned (hours per unit, initial stock, safety stocks).
        demand: SKU demand per month, columns :data:`DEMAND_COLUMNS` (:func:`sku_demand`).
        stock: optional SKU stock table (:func:`validate_sku_stock`); defaults otherwise.
        weeks: keep the first ``weeks`` weeks in the results (all are computed).
        firm_weeks: weeks inside the time fence, marked ``firm``.
        working_days: working fraction of each day (see :func:`calendar_days`).
        whole_units: whole units, running-total rounding (see the module docstring).
        method: "runout" (equal run-out times) or "proportional" (forecast shares).
        start: first month when the plan's periods are not "YYYY-MM" labels.

    Raises:
        InputError: a plan that is not optimal, SKU demand that does not match the plan,
            a stock table naming a SKU in no family's demand or in another family than
            its own, or bad options; each names the field.
    """
    if not plan.optimal:
        raise InputError(
            Problem("plan", f"is {plan.status}; only a feasible plan can be scheduled")
        )
    if method not in METHODS:
        raise InputError(Problem("method", f"must be one of {', '.join(METHODS)}, got {method!r}"))
    if weeks is not None and weeks < 1:
        raise InputError(Problem("weeks", f"must be ≥ 1, got {weeks}"))
    if firm_weeks < 0:
        raise InputError(Problem("firm_weeks", f"must be ≥ 0, got {firm_weeks}"))
    notes: list[str] = []
    labels = scenario.period_labels
    names = scenario.family_names
    F, T = len(names), len(labels)
    cal = _calendar(_month_starts(scenario, start), working_days, notes, labels)
    B, D = len(cal.b_start), len(cal.days)

    # the family plan, in scenario order
    fp = plan.families.set_index(["family", "period"])
    idx = pd.MultiIndex.from_product([names, labels])
    P = fp.loc[idx, "production"].to_numpy(dtype=float).reshape(F, T).clip(min=0.0)
    C = fp.loc[idx, "subcontract"].to_numpy(dtype=float).reshape(F, T).clip(min=0.0)
    net = (fp.loc[idx, "inventory"] - fp.loc[idx, "backorder"]).to_numpy(dtype=float)
    plan_stock = net.reshape(F, T)
    hours = np.array([f.labor_hours_per_unit for f in scenario.families])
    per = plan.periods.set_index("period").loc[labels]
    cap_month = per["regular_hours_available"].to_numpy(dtype=float) + per[
        "overtime_hours_available"
    ].to_numpy(dtype=float)
    cap_month = np.where(np.isnan(cap_month), np.inf, cap_month)

    # supply per family and bucket
    supply_p = P[:, cal.b_month] * cal.b_share[None, :]
    supply_c = C[:, cal.b_month] * cal.b_share[None, :]
    if whole_units:
        supply_p, supply_c = _running_round(supply_p), _running_round(supply_c)
    supply = supply_p + supply_c

    # SKUs, grouped by family in scenario order
    sku_frame, dem, unplanned = _sku_demand_matrix(demand, names, labels)
    fam = sku_frame["f"].to_numpy()
    S = len(fam)
    first = np.searchsorted(fam, np.arange(F))
    daily = dem / cal.month_days[None, :]  # (S, T) units per day
    grid = np.zeros((S, D + 1))
    np.cumsum(daily[:, cal.day_month], axis=1, out=grid[:, 1:])
    bucket_demand = grid[:, cal.b_end] - grid[:, cal.b_start]  # (S, B)
    fam_dem = np.zeros((F, T))
    np.add.at(fam_dem, fam, dem)
    scen_dem = np.array([f.demand for f in scenario.families], dtype=float)
    if not np.allclose(fam_dem, scen_dem, rtol=1e-6, atol=1e-6):
        notes.append(
            "The SKU demand does not add up to the scenario's family demand; "
            "SKU stocks will drift from the plan's family stock."
        )

    on_hand, ss, batch, table = _stock_data(scenario, sku_frame, dem, stock, unplanned, notes)
    if whole_units:
        batch = np.ceil(batch - 1e-9)

    mean_rate = np.bincount(fam, weights=daily.mean(axis=1), minlength=F) / np.maximum(
        1, np.bincount(fam, minlength=F)
    )
    month_start = np.searchsorted(cal.day_month, np.arange(T)).astype(float)
    fill = _Fill.make(
        grid[:, month_start.astype(np.int64)],
        daily,
        month_start,
        1e-7 * np.maximum(mean_rate[fam], 1e-3),
        fam,
        F,
    )
    made = np.zeros((S, B))
    got = np.zeros((S, B))
    end_stock = np.zeros((S, B))
    n_stock = on_hand.copy()
    ratio_p = np.divide(supply_p, supply, out=np.zeros_like(supply), where=supply > _TOL)
    for b in range(B):
        q = supply[:, b]
        if method == "proportional":
            x = _proportional(q, bucket_demand[:, b], fam, F)
        else:
            gap = ss[:, cal.b_month[b]] - n_stock
            urgent = gap + bucket_demand[:, b] > 1e-9
            x = _runout(fill, q, gap, cal.b_start[b], batch, urgent)
        if whole_units:
            x = _largest_remainder(x, q, fam, first)
            m = _largest_remainder(x * ratio_p[fam, b], supply_p[:, b], fam, first)
        else:
            m = x * ratio_p[fam, b]
        made[:, b], got[:, b] = m, x
        n_stock = n_stock + x - bucket_demand[:, b]
        end_stock[:, b] = n_stock

    # weeks: buckets of a week are consecutive
    wk_first = np.searchsorted(cal.b_week, np.arange(len(cal.weeks)))
    wk_last = np.r_[wk_first[1:], B] - 1
    made_w = np.add.reduceat(made, wk_first, axis=1)
    got_w = np.add.reduceat(got, wk_first, axis=1)
    dem_w = np.add.reduceat(bucket_demand, wk_first, axis=1)
    stock_w = end_stock[:, wk_last]
    ss_w = ss[:, cal.b_month[wk_last]]
    t_end = cal.b_end[wk_last].astype(float)
    cover = _cover(grid, daily[:, -1], stock_w, t_end)
    W = len(cal.weeks)
    shown = W if weeks is None else min(weeks, W)
    firm = np.arange(W) < firm_weeks
    misses = ((got_w > 1e-6) & (got_w < batch[:, None] - 1e-6))[:, :shown].sum(axis=1)

    weeks_frame = pd.DataFrame(
        {
            "family": np.repeat(sku_frame["family"].to_numpy(), shown),
            "sku": np.repeat(sku_frame["sku"].to_numpy(), shown),
            "week": np.tile(cal.weeks[:shown], S),
            "days": np.tile(cal.week_days[:shown], S).astype(int),
            "demand": dem_w[:, :shown].ravel(),
            "made": made_w[:, :shown].ravel(),
            "bought": (got_w - made_w)[:, :shown].ravel(),
            "stock": stock_w[:, :shown].ravel(),
            "safety_stock": ss_w[:, :shown].ravel(),
            "shortfall": np.maximum(0.0, ss_w - stock_w)[:, :shown].ravel(),
            "cover_weeks": cover[:, :shown].ravel(),
            "firm": np.tile(firm[:shown], S),
        }
    )

    fam_made_w = np.add.reduceat(made_w, first, axis=0)  # (F, W)
    cap_b = np.where(cal.b_share > 0, cap_month[cal.b_month], 0.0) * cal.b_share
    cap_w = np.add.reduceat(cap_b, wk_first)
    load_w = hours @ fam_made_w
    load = pd.DataFrame(
        {
            "week": cal.weeks[:shown],
            "days": cal.week_days[:shown].astype(int),
            "capacity_hours": cap_w[:shown],
            "load_hours": load_w[:shown],
            "utilisation": np.divide(
                load_w, cap_w, out=np.zeros(W), where=np.isfinite(cap_w) & (cap_w > 0)
            )[:shown],
        }
    )

    mo_first = np.searchsorted(cal.b_month, np.arange(T))
    mo_last = np.r_[mo_first[1:], B] - 1
    fam_made_m = np.add.reduceat(np.add.reduceat(made, first, axis=0), mo_first, axis=1)
    fam_got_m = np.add.reduceat(np.add.reduceat(got, first, axis=0), mo_first, axis=1)
    fam_stock_m = np.add.reduceat(end_stock[:, mo_last], first, axis=0)
    months = pd.DataFrame(
        {
            "family": np.repeat(names, T),
            "period": np.tile(labels, F),
            "plan_production": P.ravel(),
            "scheduled_production": fam_made_m.ravel(),
            "plan_subcontract": C.ravel(),
            "scheduled_subcontract": (fam_got_m - fam_made_m).ravel(),
            "plan_stock": plan_stock.ravel(),
            "scheduled_stock": fam_stock_m.ravel(),
        }
    )

    short = np.maximum(0.0, ss_w - stock_w)[:, :shown]
    skus = table.assign(
        demand=dem_w[:, :shown].sum(axis=1),
        made=made_w[:, :shown].sum(axis=1),
        bought=(got_w - made_w)[:, :shown].sum(axis=1),
        end_stock=stock_w[:, shown - 1],
        min_cover_weeks=cover[:, :shown].min(axis=1),
        weeks_short=(short >= (1.0 if whole_units else 1e-6)).sum(axis=1),
        max_shortfall=short.max(axis=1),
        batch_misses=misses.astype(int),
    )[list(SKU_COLUMNS)]
    n_short = int((skus["weeks_short"] > 0).sum())
    if n_short:
        notes.append(
            f"{n_short} of {S} SKUs fall a unit or more below safety stock in some week: "
            "the family plan's stock does not cover every SKU's safety stock then."
        )
    if misses.any():
        notes.append(
            f"{int((misses > 0).sum())} SKU(s) made below their minimum batch in some week: "
            "the family's quantity that week was smaller than every batch."
        )
    return Schedule(
        weeks=weeks_frame,
        load=load,
        months=months,
        skus=skus.reset_index(drop=True),
        method=method,
        whole_units=whole_units,
        notes=notes,
    )


def _sku_demand_matrix(
    demand: pd.DataFrame, names: list[str], labels: list[str]
) -> tuple[pd.DataFrame, np.ndarray, dict[str, list[str]]]:
    """The SKUs (family index f, family, sku; grouped by family in plan order, SKUs
    sorted), their demand per month (S, T), and the SKUs of each family the plan does
    not have (not scheduled; "" for a blank family)."""
    missing = [c for c in DEMAND_COLUMNS if c not in demand.columns]
    if missing:
        raise InputError(
            Problem("SKU demand", f"missing column(s) {', '.join(missing)}; need {DEMAND_COLUMNS}")
        )
    fam_of = {n: i for i, n in enumerate(names)}
    codes, uniq = pd.factorize(demand["family"].to_numpy(dtype=object), use_na_sentinel=False)
    fam_code = np.array([fam_of.get(str(u), np.nan) for u in uniq], dtype=float)[codes]
    fam_text = np.array([_text(u) for u in uniq], dtype=object)[codes]
    codes, uniq = pd.factorize(demand["period"].to_numpy(), use_na_sentinel=False)
    t_code = pd.Index(labels).get_indexer(_labels(pd.Series(uniq)))[codes]
    keep = (t_code >= 0) & ~np.isnan(fam_code)  # months after the horizon are not scheduled
    sku_codes, sku_names = pd.factorize(demand["sku"].to_numpy(dtype=object), use_na_sentinel=False)
    sku_names = np.array([str(u) for u in sku_names], dtype=object)
    other = np.isnan(fam_code)
    other_skus = pd.DataFrame({"family": fam_text[other], "sku": sku_names[sku_codes[other]]})
    sku_codes = sku_codes[keep]
    fam_code, t_code = fam_code[keep].astype(np.int64), t_code[keep]
    values = demand["demand"].to_numpy(dtype=float)[keep]
    problems: list[Problem] = []
    for i, name in enumerate(names):
        if not (fam_code == i).any():
            problems.append(
                Problem(
                    f"families[{i}].name",
                    f"family {name!r} has no SKU demand; every family of the plan needs its SKUs",
                )
            )
    if not np.isfinite(values).all() or (values < 0).any():
        problems.append(Problem("SKU demand", "must be a number ≥ 0 everywhere"))
    if problems:
        raise InputError(problems)
    codes, kept = pd.factorize(sku_codes)
    uniq = sku_names[kept]
    sku_fam = np.full(len(uniq), -1)
    sku_fam[codes] = fam_code
    clash = np.flatnonzero(
        np.bincount(codes, weights=fam_code != sku_fam[codes], minlength=len(uniq))
    )
    if len(clash):
        raise InputError(
            [
                Problem(
                    "SKU demand",
                    f"SKU {uniq[k]!r} is in more than one family; SKU names must be unique",
                )
                for k in clash[:10]
            ]
        )
    order = np.lexsort((uniq.astype(str), sku_fam))
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    dem = np.zeros((len(uniq), len(labels)))
    seen = np.zeros((len(uniq), len(labels)), dtype=bool)
    np.add.at(dem, (rank[codes], t_code), values)
    seen[rank[codes], t_code] = True
    if not seen.all():
        holes = [labels[t] for t in np.flatnonzero(~seen.all(axis=0))]
        raise InputError(
            Problem(
                "SKU demand",
                f"has no value for some SKUs in {', '.join(holes[:4])}; give every SKU a "
                "demand in every month of the plan (0 when none)",
            )
        )
    frame = pd.DataFrame(
        {
            "f": sku_fam[order],
            "family": np.asarray(names, dtype=object)[sku_fam[order]],
            "sku": uniq[order],
        }
    )
    other_skus = other_skus[~other_skus["sku"].isin(frame["sku"])].drop_duplicates("sku")
    unplanned = {f: list(g["sku"]) for f, g in other_skus.groupby("family", sort=False)}
    return frame, dem, unplanned


def _unplanned_notes(unplanned: dict[str, list[str]]) -> list[str]:
    """One sentence per family the plan does not have: its SKUs, not scheduled."""
    notes = []
    for family in sorted(unplanned):
        skus = sorted(set(unplanned[family]))
        shown = f"{', '.join(skus[:5])}{' …' if len(skus) > 5 else ''}"
        if family:
            notes.append(
                f"{len(skus)} SKU(s) of family {family!r}, which the plan does not have, "
                f"are not scheduled: {shown}"
            )
        else:
            notes.append(f"{len(skus)} SKU(s) without a family are not scheduled: {shown}")
    return notes


def _stock_data(
    scenario: Scenario,
    skus: pd.DataFrame,
    dem: np.ndarray,
    stock: pd.DataFrame | None,
    unplanned: dict[str, list[str]],
    notes: list[str],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, pd.DataFrame]:
    """On hand (S,), safety stock per month (S, T), min batch (S,), and the SKU table.

    A blank family cell is the SKU's family; a stock row of a SKU of a family the plan
    does not have joins ``unplanned`` (the notes name them)."""
    T = dem.shape[1]
    fam = skus["f"].to_numpy()
    share = np.zeros_like(dem)
    for f in range(len(scenario.families)):
        rows = fam == f
        share[rows] = _shares(dem[rows])
    init = np.array([f.initial_inventory - f.initial_backorder for f in scenario.families])
    fam_ss = np.array([f.safety_stock_series(T) for f in scenario.families], dtype=float)
    on_hand = init[fam] * share[:, 0]
    ss = fam_ss[fam] * share
    batch = np.zeros(len(fam))
    if stock is not None:
        stock = validate_sku_stock(stock)
        rows = stock.index.to_numpy()
        names = skus["sku"].to_numpy(dtype=object)
        families = skus["family"].to_numpy(dtype=object)
        pos = pd.Index(names).get_indexer(stock["sku"].to_numpy(dtype=object))
        given = [_text(v) for v in stock["family"].to_numpy(dtype=object)]
        home_of = {sku: f for f, other in unplanned.items() for sku in other}
        planned = set(scenario.family_names)
        known = f"{', '.join(names[:8])}{' …' if len(names) > 8 else ''}"
        problems: list[Problem] = []
        unknown = 0
        for j, sku in enumerate(stock["sku"].to_numpy(dtype=object)):
            if pos[j] >= 0:
                home = families[pos[j]]
            elif sku in home_of:
                home = home_of[sku]
            elif given[j] and given[j] not in planned:
                unplanned.setdefault(given[j], []).append(sku)
                continue
            else:
                unknown += 1
                if unknown <= 20:
                    problems.append(
                        Problem(
                            f"stock row {rows[j]}, column sku",
                            f"{sku!r} is in no family's SKU history; known SKUs: {known}; "
                            "check the SKU or remove the row",
                        )
                    )
                continue
            if given[j] and given[j] != home:
                problems.append(
                    Problem(
                        f"stock row {rows[j]}, column family",
                        f"{sku!r} belongs to {home!r} in the history, got {given[j]!r}; "
                        f"write {home!r} or leave the cell blank",
                    )
                )
        if problems:
            raise InputError(problems)
        notes.extend(_unplanned_notes(unplanned))
        ours = pos >= 0
        for col, target in (("on_hand", on_hand), ("min_batch", batch)):
            v = stock[col].to_numpy(dtype=float)
            m = ours & ~np.isnan(v)
            target[pos[m]] = v[m]
        v = stock["safety_stock"].to_numpy(dtype=float)
        m = ours & ~np.isnan(v)
        ss[pos[m]] = v[m][:, None]
        absent = len(fam) - len(np.unique(pos[ours]))
        if absent:
            notes.append(f"{absent} SKU(s) not in the stock table use the default stock data.")
    else:
        notes.extend(_unplanned_notes(unplanned))
        notes.append(
            "No SKU stock table: on-hand split by first-month demand share, safety stock by "
            "each month's demand share of the family's, no minimum batches."
        )
    table = skus[["family", "sku"]].assign(on_hand=on_hand, safety_stock=ss[:, 0], min_batch=batch)
    return on_hand, ss, batch, table


def _proportional(q: np.ndarray, d: np.ndarray, fam: np.ndarray, F: int) -> np.ndarray:
    """The baseline: each SKU's share of its family's demand in the bucket."""
    total = np.bincount(fam, weights=d, minlength=F)
    n = np.bincount(fam, minlength=F)
    w = np.where(total[fam] > 0, d / np.where(total > 0, total, 1.0)[fam], 1.0 / n[fam])
    return q[fam] * w


def _runout(
    fill: _Fill, q: np.ndarray, gap: np.ndarray, t0: int, batch: np.ndarray, urgent: np.ndarray
) -> np.ndarray:
    """Equal run-out split of one bucket with minimum batches (module docstring, 2–3).

    ``urgent``: SKUs that end the bucket below safety stock unless made in it."""
    fam, F = fill.fam, fill.n_fam
    free = np.ones(len(fam), dtype=bool)
    fixed = np.zeros(len(fam))
    frozen = np.zeros(F, dtype=bool)
    while True:
        rest = q - np.bincount(fam, weights=fixed, minlength=F)
        x = fill.split(rest, gap - fixed, t0, free)
        small = free & (x > 1e-6) & (x < batch - 1e-6) & ~frozen[fam]
        if not small.any():
            return x + fixed
        # urgent SKUs below their batch get a whole batch, the neediest first, while
        # the family's quantity lasts; the others wait until their need is worth one
        u = np.flatnonzero(small & urgent)
        if len(u):
            o = u[np.lexsort((-x[u] / batch[u], fam[u]))]
            b, f = batch[o], fam[o]
            c = np.cumsum(b)
            first = np.r_[0, np.flatnonzero(np.diff(f)) + 1]
            before = np.repeat(c[first] - b[first], np.diff(np.r_[first, len(o)]))
            ok = c - before <= rest[f] + 1e-9
            fixed[o[ok]] = b[ok]
        free &= ~small
        rest = q - np.bincount(fam, weights=fixed, minlength=F)
        takers = np.bincount(fam, weights=free.astype(float), minlength=F)
        for f in np.flatnonzero((rest > 1e-6) & (takers == 0)):
            rows = np.flatnonzero(fam == f)
            have = rows[fixed[rows] > 0]
            # the rest goes on top of a batch if there is one, else to the neediest SKU
            free[have[0] if len(have) else rows[np.argmax(x[rows])]] = True
            frozen[f] = True


def _cover(grid: np.ndarray, end_rate: np.ndarray, stock: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Weeks each SKU's ``stock`` (S, W) lasts from day ``t`` (W,) against its forecast;
    0 when the stock is not positive, inf when no demand follows."""
    S, n = grid.shape
    D = n - 1
    k = t.astype(np.int64)
    start = grid[:, k]  # (S, W)
    target = start + np.maximum(stock, 0.0)
    top = grid[:, -1][:, None]
    inside = target <= top
    # first day index whose cumulative demand reaches the target, row by row
    span = float(grid[:, -1].max()) + 1.0
    offsets = (np.arange(S) * span)[:, None]
    flat = (grid + offsets).ravel()
    pos = np.searchsorted(flat, (np.minimum(target, top) + offsets).ravel(), side="left")
    pos = pos.reshape(S, -1) - (np.arange(S) * n)[:, None]
    pos = np.clip(pos, 1, D)
    prev = np.take_along_axis(grid, pos - 1, axis=1)
    nxt = np.take_along_axis(grid, pos, axis=1)
    step = nxt - prev
    day = np.where(step > 0, pos - 1 + (target - prev) / np.where(step > 0, step, 1.0), pos)
    rate = end_rate[:, None]
    beyond = D + np.divide(target - top, rate, out=np.full_like(target, np.inf), where=rate > 0)
    days = np.where(inside, day, beyond) - t[None, :]
    days = np.where(stock > 0, np.maximum(days, 0.0), 0.0)
    return days / 7.0


__all__ = [
    "DEMAND_COLUMNS",
    "LOAD_COLUMNS",
    "METHODS",
    "MONTH_COLUMNS",
    "SKU_COLUMNS",
    "STOCK_COLUMNS",
    "WEEK_COLUMNS",
    "Schedule",
    "calendar_days",
    "plan_months",
    "read_sku_stock",
    "schedule",
    "sku_demand",
    "sku_demand_from_history",
    "validate_sku_stock",
]


def fence_weeks(scenario: Scenario, start: str | pd.Timestamp | None = None) -> int:
    """How many of the schedule's weeks lie wholly inside the plan's time fence
    (``policy.frozen_periods`` months): the weeks shown as firm."""
    k = scenario.policy.frozen_periods
    if k <= 0:
        return 0
    months = _month_starts(scenario, start)
    end = months[k] if k < len(months) else months[-1] + pd.offsets.MonthBegin(1)
    first_monday = months[0] - pd.Timedelta(days=months[0].weekday())
    return max(0, (end - first_monday).days // 7)
