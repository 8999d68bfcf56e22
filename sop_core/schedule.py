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
   from the bucket's start t0 until τ; τ is the one time at which Σ_s x_s = Q (found by
   bisection, all families at once). SKUs that are short get stock first; a surplus goes
   where it lasts equally long. τ may lie before t0: then even the safety stocks cannot
   all be kept, and the shortfall is spread as equal days of demand.
3. *Minimum batches.* A SKU whose share in a bucket is above zero but below its
   ``min_batch`` is left out of that bucket and the split is redone without it; its need
   grows until it is worth a batch. If every SKU would be left out (the family quantity
   is smaller than every batch), the SKU that needs it most takes it all and the schedule
   reports the batch it could not keep.

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
- the family plan: an optimal :class:`~sop_core.planner.PlanResult` of the scenario
  (``families`` frame: production, subcontract, inventory, backorder, safety_stock;
  ``periods`` frame: regular and overtime hours available). Periods are months
  labelled "YYYY-MM"; other labels need ``start`` (the first month).
- SKU demand: a frame with columns family, sku, period ("YYYY-MM", one of the plan's
  periods), demand [units / month]; :func:`sku_demand` makes it from a SKU-level
  forecast (:func:`sop_core.forecast.forecast` with ``level="sku"``), scaled per family
  and month to the scenario's (consensus) family demand. A month's demand is spread
  evenly over its calendar days.
- SKU stock (optional, :func:`read_sku_stock`; CSV or Excel), one row per SKU::

      sku           str     required
      family        str     optional; checked against the forecast's family
      on_hand       units   stock at the start of the plan, ≥ 0
      safety_stock  units   ≥ 0, the same in every month
      min_batch     units   ≥ 0, the least a SKU is made in a week when made at all

  Blank cells and SKUs not in the table take the defaults: on_hand is the family's
  initial inventory (minus initial backorder) split by each SKU's share of the family's
  first-month demand; safety_stock is the family's safety stock in each month split by
  the SKU's share of that month's demand; min_batch is 0 (no minimum).
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
             min_cover_weeks, weeks_short, max_shortfall, batch_misses (weeks made below
             min_batch because the family's quantity was smaller than every batch).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Literal

import numpy as np
import pandas as pd

from sop_core.errors import InputError, Problem
from sop_core.history import parse_table
from sop_core.planner import PlanResult
from sop_core.scenario import Scenario

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
_BISECTIONS = 36
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
    return pd.concat(parts, ignore_index=True)[list(DEMAND_COLUMNS)]


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

    Column names ignore case and spaces; other columns are ignored.

    Raises:
        InputError: no sku column, a repeated SKU, or a value that is not a number ≥ 0;
            each problem names the row (spreadsheet numbering for files) and column.
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
    out = pd.DataFrame(index=frame.index)
    out["sku"] = frame["sku"].map(lambda v: "" if _blank(v) else str(v).strip())
    out["family"] = (
        frame["family"].map(lambda v: None if _blank(v) else str(v).strip())
        if "family" in frame
        else None
    )
    for col in ("on_hand", "safety_stock", "min_batch"):
        values = np.full(len(frame), np.nan)
        if col in frame:
            for j, (row, cell) in enumerate(frame[col].items()):
                if _blank(cell):
                    continue
                try:
                    v = (
                        float(str(cell).strip().replace(",", ""))
                        if isinstance(cell, str)
                        else float(cell)
                    )
                except (TypeError, ValueError):
                    v = np.nan
                    problems.append(
                        Problem(f"row {row}, column {col}", f"must be a number ≥ 0, got {cell!r}")
                    )
                    continue
                if not np.isfinite(v) or v < 0:
                    problems.append(
                        Problem(f"row {row}, column {col}", f"must be a number ≥ 0, got {cell!r}")
                    )
                    continue
                values[j] = v
        out[col] = values
    seen: dict[str, object] = {}
    for row, sku in out["sku"].items():
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
    return out.reset_index(drop=True)[list(STOCK_COLUMNS)]


def _blank(v: object) -> bool:
    return v is None or (isinstance(v, float) and np.isnan(v)) or str(v).strip() == ""


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
    """Equal run-out split of one bucket, all families at once."""

    flat: np.ndarray  # cumulative demand on the day grid, rows flattened (S*(D+1),)
    row: np.ndarray  # (S,) offset of each SKU's row in flat
    eps: np.ndarray  # (S,) tiny demand rate that makes every curve strictly increasing
    fam: np.ndarray  # (S,)
    n_fam: int
    last: int  # D - 1

    def curve(self, tau: np.ndarray) -> np.ndarray:
        """Cumulative demand of each SKU at time tau (days; beyond the grid: its end
        rates), plus the eps ramp."""
        k = np.clip(np.floor(tau), 0, self.last).astype(np.int64)
        lo = self.flat[self.row + k]
        hi = self.flat[self.row + k + 1]
        return lo + (tau - k) * (hi - lo) + self.eps * tau

    def split(self, q: np.ndarray, gap: np.ndarray, t0: float, elig: np.ndarray) -> np.ndarray:
        """x_s = max(0, C_s(τ_f) − C_s(t0) + gap_s) for eligible SKUs with Σ_f x = q_f;
        gap_s = safety stock − stock before the bucket."""
        fam, F = self.fam, self.n_fam
        base = gap - self.curve(np.full(len(gap), float(t0)))
        active = q > _TOL

        def need(tau_f: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            x = np.maximum(0.0, self.curve(tau_f[fam]) + base) * elig
            return x, np.bincount(fam, weights=x, minlength=F)

        lo = np.full(F, t0 - 1.0)
        hi = np.full(F, t0 + 7.0)
        for _ in range(200):
            bad = active & (need(lo)[1] > q)
            if not bad.any():
                break
            lo[bad] = t0 - 4.0 * (t0 - lo[bad])
        for _ in range(200):
            bad = active & (need(hi)[1] < q)
            if not bad.any():
                break
            hi[bad] = t0 + 4.0 * (hi[bad] - t0)
        for _ in range(_BISECTIONS):
            mid = 0.5 * (lo + hi)
            below = need(mid)[1] <= q
            lo = np.where(below, mid, lo)
            hi = np.where(below, hi, mid)
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
            a stock table naming unknown SKUs, or bad options; each names the field.
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
    sku_frame, dem = _sku_demand_matrix(demand, names, labels)
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

    on_hand, ss, batch, table = _stock_data(scenario, sku_frame, dem, stock, notes)
    if whole_units:
        batch = np.ceil(batch - 1e-9)

    mean_rate = np.bincount(fam, weights=daily.mean(axis=1), minlength=F) / np.maximum(
        1, np.bincount(fam, minlength=F)
    )
    fill = _Fill(
        flat=grid.ravel(),
        row=np.arange(S) * (D + 1),
        eps=1e-7 * np.maximum(mean_rate[fam], 1e-3),
        fam=fam,
        n_fam=F,
        last=D - 1,
    )
    made = np.zeros((S, B))
    got = np.zeros((S, B))
    end_stock = np.zeros((S, B))
    n_stock = on_hand.copy()
    ratio_p = np.divide(supply_p, supply, out=np.zeros_like(supply), where=supply > _TOL)
    all_skus = np.ones(S, dtype=bool)
    for b in range(B):
        q = supply[:, b]
        if method == "proportional":
            x = _proportional(q, bucket_demand[:, b], fam, F)
        else:
            x = _runout(fill, q, ss[:, cal.b_month[b]] - n_stock, cal.b_start[b], batch, all_skus)
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
        weeks_short=(short > 1e-6).sum(axis=1),
        max_shortfall=short.max(axis=1),
        batch_misses=misses.astype(int),
    )[list(SKU_COLUMNS)]
    n_short = int((skus["weeks_short"] > 0).sum())
    if n_short:
        notes.append(
            f"{n_short} of {S} SKUs fall below safety stock in some week: "
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
) -> tuple[pd.DataFrame, np.ndarray]:
    """The SKUs (family index f, family, sku; grouped by family in plan order, SKUs
    sorted) and their demand per month (S, T)."""
    missing = [c for c in DEMAND_COLUMNS if c not in demand.columns]
    if missing:
        raise InputError(
            Problem("SKU demand", f"missing column(s) {', '.join(missing)}; need {DEMAND_COLUMNS}")
        )
    d = demand.assign(
        family=demand["family"].astype(str),
        sku=demand["sku"].astype(str),
        period=_labels(demand["period"]),
    )
    problems: list[Problem] = []
    d = d[d["period"].isin(labels)]  # months after the plan's horizon are not scheduled
    table = d.pivot_table(
        index=["family", "sku"], columns="period", values="demand", aggfunc="sum"
    ).reindex(columns=labels)
    fams = table.index.get_level_values("family")
    for i, name in enumerate(names):
        if name not in set(fams):
            problems.append(
                Problem(
                    f"families[{i}].name",
                    f"family {name!r} has no SKU demand; every family of the plan needs its SKUs",
                )
            )
    if table.isna().to_numpy().any():
        holes = table.columns[table.isna().any(axis=0)]
        problems.append(
            Problem(
                "SKU demand",
                f"has no value for some SKUs in {', '.join(holes[:4])}; give every SKU a "
                "demand in every month of the plan (0 when none)",
            )
        )
    values = table.to_numpy(dtype=float)
    if (values < 0).any():
        problems.append(Problem("SKU demand", "must be ≥ 0 everywhere"))
    if problems:
        raise InputError(problems)
    order = {n: i for i, n in enumerate(names)}
    frame = table.index.to_frame(index=False)
    frame = frame[frame["family"].isin(order)]
    frame["f"] = frame["family"].map(order)
    frame = frame.sort_values(["f", "sku"], kind="stable")
    dem = table.loc[pd.MultiIndex.from_frame(frame[["family", "sku"]])].to_numpy(dtype=float)
    return frame.reset_index(drop=True), dem


def _stock_data(
    scenario: Scenario,
    skus: pd.DataFrame,
    dem: np.ndarray,
    stock: pd.DataFrame | None,
    notes: list[str],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, pd.DataFrame]:
    """On hand (S,), safety stock per month (S, T), min batch (S,), and the SKU table."""
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
        pos = {s: i for i, s in enumerate(skus["sku"])}
        problems: list[Problem] = []
        for j, row in enumerate(stock.itertuples(index=False)):
            i = pos.get(row.sku)
            if i is None:
                problems.append(
                    Problem(
                        f"stock row {j + 1}, column sku",
                        f"{row.sku!r} is not a SKU of the plan's families; "
                        f"known SKUs: {', '.join(list(pos)[:8])}{' …' if len(pos) > 8 else ''}",
                    )
                )
                continue
            given = None if _blank(row.family) else str(row.family)
            if given is not None and given != skus["family"].iloc[i]:
                problems.append(
                    Problem(
                        f"stock row {j + 1}, column family",
                        f"{row.sku!r} belongs to {skus['family'].iloc[i]!r} in the "
                        f"history, got {row.family!r}",
                    )
                )
                continue
            if not np.isnan(row.on_hand):
                on_hand[i] = row.on_hand
            if not np.isnan(row.safety_stock):
                ss[i] = row.safety_stock
            if not np.isnan(row.min_batch):
                batch[i] = row.min_batch
        if problems:
            raise InputError(problems)
        absent = len(fam) - len(set(stock["sku"]) & set(pos))
        if absent:
            notes.append(f"{absent} SKU(s) not in the stock table use the default stock data.")
    else:
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
    fill: _Fill, q: np.ndarray, gap: np.ndarray, t0: int, batch: np.ndarray, elig: np.ndarray
) -> np.ndarray:
    """Equal run-out split of one bucket with minimum batches (module docstring, 2–3)."""
    fam, F = fill.fam, fill.n_fam
    elig = elig.copy()
    frozen = np.zeros(F, dtype=bool)
    while True:
        x = fill.split(q, gap, t0, elig)
        small = elig & (x > 1e-6) & (x < batch - 1e-6) & ~frozen[fam]
        if not small.any():
            return x
        keep = elig & ~small
        left = np.bincount(fam, weights=keep.astype(float), minlength=F)
        for f in np.flatnonzero(
            (left == 0) & (np.bincount(fam, weights=small.astype(float), minlength=F) > 0)
        ):
            rows = np.flatnonzero(fam == f)
            keep[rows[np.argmax(x[rows])]] = True
            frozen[f] = True
        elig = keep


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
    "read_sku_stock",
    "schedule",
    "sku_demand",
    "validate_sku_stock",
]
