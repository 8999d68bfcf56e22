"""SKU demand per month: forecast, reconciled to the family demand, spread over the weeks.

SKU demand is a frame with columns family, sku, period ("YYYY-MM", one of the plan's
periods), demand [units / month]; :func:`sku_demand` makes it from a SKU-level forecast
(:func:`sop_core.demand.forecast.forecast` with ``level="sku"``), scaled per family and
month to the scenario's (consensus) family demand, and :func:`sku_demand_from_history`
from a monthly sales history. :func:`sku_buckets` checks it against the plan and spreads
each month's demand evenly over its calendar days, so over the week buckets. SKUs of a
family the plan does not have are not scheduled; the notes name them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from sop_core.base.errors import InputError, Problem
from sop_core.base.text import noun
from sop_core.demand.forecast import forecast
from sop_core.demand.history import infer_freq
from sop_core.model.portfolio import sku_mix, sold_demand
from sop_core.model.scenario import Family, Scenario
from sop_core.schedule.allocate import shares
from sop_core.schedule.stock import cell_text
from sop_core.schedule.weeks import Calendar, plan_months

DEMAND_COLUMNS = ("family", "sku", "period", "demand")


def _labels(periods: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(periods):
        monthly = bool((periods.dt.day == 1).all())
        return periods.dt.strftime("%Y-%m" if monthly else "%Y-%m-%d")
    return periods.astype(str).str.strip()


# ------------------------------------------------------------------ a history without SKUs

#: an SKU split: how a family's sales divide over its SKUs (shares of a family need not
#: add up to 1: they are scaled to)
SPLIT_COLUMNS = ("sku", "family", "share")


def read_sku_split(frame: pd.DataFrame) -> pd.DataFrame:
    """An SKU split table checked: columns sku, family, share; every share a number ≥ 0
    and each family's shares above 0 in all. Raises InputError naming the row and column."""
    missing = [c for c in SPLIT_COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(
            Problem(
                "SKU split",
                f"missing {noun(len(missing), 'column')} {', '.join(missing)}; give the "
                "columns sku, family, share (e.g. PUMP-S, Pumps, 0.6)",
            )
        )
    out = frame[list(SPLIT_COLUMNS)].copy()
    out["sku"] = out["sku"].map(cell_text)
    out["family"] = out["family"].map(cell_text)
    share = pd.to_numeric(out["share"], errors="coerce")
    problems = [
        Problem(f"SKU split row {i + 2}, share", f"must be a number ≥ 0, got {raw!r}")
        for i, (raw, v) in enumerate(zip(out["share"], share, strict=True))
        if not (v >= 0)
    ]
    problems += [
        Problem(f"SKU split row {i + 2}, {col}", "is blank; give every row a sku and a family")
        for col in ("sku", "family")
        for i, v in enumerate(out[col])
        if not v
    ]
    out["share"] = share
    totals = out.groupby("family")["share"].sum()
    problems += [
        Problem(f"SKU split, family {fam!r}", "its shares add up to 0; give one a share above 0")
        for fam, total in totals.items()
        if total <= 0
    ]
    if problems:
        raise InputError(problems)
    return out


def with_skus(history: pd.DataFrame, split: pd.DataFrame | None = None) -> pd.DataFrame:
    """A monthly history with a ``sku`` column: as it is when it has one; else each family
    divided over its SKUs by ``split`` (:func:`read_sku_split`; shares scaled to 1 per
    family), and a family the split does not name (or every family, without a split)
    scheduled as one SKU of its own name."""
    if "sku" in history.columns:
        return history
    if split is None or split.empty:
        return history.assign(sku=history["family"].astype(str))
    split = read_sku_split(split)
    shares_of = split.assign(
        share=split["share"] / split.groupby("family")["share"].transform("sum")
    )
    named = history[history["family"].isin(shares_of["family"])]
    rest = history[~history["family"].isin(shares_of["family"])]
    divided = named.merge(shares_of, on="family", how="inner")
    divided["demand"] = divided["demand"] * divided["share"]
    out = pd.concat(
        [divided.drop(columns="share"), rest.assign(sku=rest["family"].astype(str))],
        ignore_index=True,
    )
    return out[[*history.columns, "sku"]]


# ------------------------------------------------------------------ from a forecast


def sku_demand(
    scenario: Scenario, sku_forecast: pd.DataFrame, *, value_col: str = "forecast"
) -> pd.DataFrame:
    """SKU demand per month (columns :data:`DEMAND_COLUMNS`) whose family sums are what
    the family's SKUs sell (:func:`~sop_core.model.portfolio.sold_demand`: the demand the
    plan meets less SKU last-time buys), from a SKU-level forecast (columns family, sku,
    period, forecast).

    Each SKU keeps its forecast share of its family in each month, after the family's
    SKU launches (new rows) and phase-outs (0 after their end); a month whose SKU
    forecasts are all zero uses the SKUs' shares of the whole horizon (evenly if none).
    SKUs of families the scenario does not have keep their forecast (0 in months it
    lacks): :func:`~sop_core.schedule.weekly.schedule` does not schedule them but names
    them in its notes.

    Raises:
        InputError: a scenario family without SKUs, or a plan period the forecast lacks.
    """
    missing = [c for c in ("family", "sku", "period", value_col) if c not in sku_forecast]
    if missing:
        raise InputError(
            Problem(
                "SKU forecast",
                f"missing {noun(len(missing), 'column')} {', '.join(missing)}; "
                f"a SKU forecast has family, sku, period and {value_col}",
            )
        )
    fc = sku_forecast.assign(
        label=_labels(sku_forecast["period"]),
        family=sku_forecast["family"].astype(str),
        sku=sku_forecast["sku"].astype(str),
    )
    labels = scenario.period_labels
    known = sorted(fc["family"].unique())
    planned = sold_demand(scenario)
    problems: list[Problem] = []
    parts: list[pd.DataFrame] = []
    for i, fam in enumerate(scenario.families):
        part = fc[fc["family"] == fam.name]
        got = _family_demand(i, fam, part, labels, known, value_col, planned[i])
        (problems if isinstance(got, Problem) else parts).append(got)
    if problems:
        raise InputError(problems)
    others = fc[~fc["family"].isin(scenario.family_names)]
    if not others.empty:
        parts.append(_other_demand(others, labels, value_col))
    return pd.concat(parts, ignore_index=True)[list(DEMAND_COLUMNS)]


def _family_demand(
    i: int,
    fam: Family,
    part: pd.DataFrame,
    labels: list[str],
    known: list[str],
    value_col: str,
    planned: np.ndarray,
) -> pd.DataFrame | Problem:
    """Family ``fam``'s demand split by its SKUs' forecast shares (``part``: its rows of
    the forecast), or the problem that stops it. The consensus is split by the shares,
    its SKU launches and phase-outs applied to those units
    (:func:`~sop_core.model.portfolio.sku_mix`), and the result scaled to the family's
    ``planned`` demand (T,), which it already sums to unless a family launch or phase-out
    changed it. A launched family without SKUs yet is one SKU of its own name."""
    if part.empty and (fam.launch is not None or fam.sku_launches):
        part = pd.DataFrame(
            {"sku": fam.name, "label": labels, value_col: 1.0 if fam.launch else 0.0}
        )
    if part.empty:
        return Problem(
            f"families[{i}].name",
            f"family {fam.name!r} has no SKUs in the history; SKU families are: "
            f"{', '.join(known) or 'none'}; the schedule needs every family's SKUs",
        )
    table = part.pivot_table(index="sku", columns="label", values=value_col, aggfunc="sum")
    gaps = [p for p in labels if p not in table.columns]
    if gaps:
        have = sorted(table.columns)
        return Problem(
            "periods",
            f"the SKU forecast of {fam.name!r} has no value for {', '.join(gaps[:4])}"
            f"{' …' if len(gaps) > 4 else ''} (it covers {have[0]} – {have[-1]}); "
            f"forecast the months {labels[0]} – {labels[-1]} of the plan",
        )
    m = table[labels].fillna(0.0).clip(lower=0.0).to_numpy(dtype=float)
    units = shares(m) * np.asarray(fam.demand, dtype=float)[None, :]
    skus, units = sku_mix(fam, labels, [str(k) for k in table.index], units)
    d = shares(units) * planned[None, :]
    return pd.DataFrame(
        {
            "family": fam.name,
            "sku": np.repeat(skus, len(labels)),
            "period": np.tile(labels, len(skus)),
            "demand": d.ravel(),
        }
    )


def _other_demand(others: pd.DataFrame, labels: list[str], value_col: str) -> pd.DataFrame:
    """The forecast of SKUs of families the scenario does not have, as it is."""
    value = pd.to_numeric(others[value_col], errors="coerce").fillna(0.0).clip(lower=0.0)
    table = (
        others.assign(**{value_col: value})
        .pivot_table(index=["family", "sku"], columns="label", values=value_col, aggfunc="sum")
        .reindex(columns=labels)
        .fillna(0.0)
    )
    return pd.DataFrame(
        {
            "family": np.repeat(table.index.get_level_values("family"), len(labels)),
            "sku": np.repeat(table.index.get_level_values("sku"), len(labels)),
            "period": np.tile(labels, len(table)),
            "demand": table.to_numpy(dtype=float).ravel(),
        }
    )


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
    _check_sku_history(scenario, history)
    months = plan_months(scenario, start)
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


def _check_sku_history(scenario: Scenario, history: pd.DataFrame) -> None:
    """Raises InputError: a history without SKUs, or a weekly one."""
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


# ------------------------------------------------------------------ against the plan


@dataclass(frozen=True)
class SkuDemand:
    """The SKUs scheduled (S; grouped by family in the plan's order, SKUs sorted) and
    their demand in the calendar's months, days and buckets."""

    skus: pd.DataFrame  # f (family index), family, sku
    fam: np.ndarray  # (S,) family index
    first: np.ndarray  # (F,) each family's first SKU
    monthly: np.ndarray  # (S, T) units per month
    daily: np.ndarray  # (S, T) units per day in each month
    grid: np.ndarray  # (S, D + 1) cumulative demand at each day's start
    buckets: np.ndarray  # (S, B) demand in each bucket
    unplanned: dict[str, list[str]]  # SKUs of each family the plan does not have


def sku_buckets(
    scenario: Scenario, demand: pd.DataFrame, cal: Calendar, notes: list[str]
) -> SkuDemand:
    """The SKUs of SKU ``demand`` (columns :data:`DEMAND_COLUMNS`) that the plan has,
    their demand spread evenly over each month's days; ``notes`` says when it does not
    add up to the scenario's family demand."""
    labels, names = scenario.period_labels, scenario.family_names
    F, T = len(names), len(labels)
    frame, dem, unplanned = _sku_demand_matrix(demand, names, labels)
    fam = frame["f"].to_numpy()
    daily = dem / cal.month_days[None, :]  # (S, T) units per day
    grid = np.zeros((len(fam), len(cal.days) + 1))
    np.cumsum(daily[:, cal.day_month], axis=1, out=grid[:, 1:])
    fam_dem = np.zeros((F, T))
    np.add.at(fam_dem, fam, dem)
    scen_dem = sold_demand(scenario)
    if not np.allclose(fam_dem, scen_dem, rtol=1e-6, atol=1e-6):
        notes.append(
            "The SKU demand does not add up to the family demand the plan meets; "
            "SKU stocks will drift from the plan's family stock."
        )
    return SkuDemand(
        skus=frame,
        fam=fam,
        first=np.searchsorted(fam, np.arange(F)),
        monthly=dem,
        daily=daily,
        grid=grid,
        buckets=grid[:, cal.b_end] - grid[:, cal.b_start],
        unplanned=unplanned,
    )


@dataclass(frozen=True)
class _Rows:
    """The rows of SKU demand of a plan family in a plan month, coded."""

    sku: np.ndarray  # index into sku_names
    fam: np.ndarray  # family index
    t: np.ndarray  # month index
    values: np.ndarray  # demand
    sku_names: np.ndarray  # every SKU named, as text
    others: pd.DataFrame  # family, sku of the rows of families the plan does not have


def _sku_demand_matrix(
    demand: pd.DataFrame, names: list[str], labels: list[str]
) -> tuple[pd.DataFrame, np.ndarray, dict[str, list[str]]]:
    """The SKUs (family index f, family, sku; grouped by family in plan order, SKUs
    sorted), their demand per month (S, T), and the SKUs of each family the plan does
    not have (not scheduled; "" for a blank family)."""
    missing = [c for c in DEMAND_COLUMNS if c not in demand.columns]
    if missing:
        raise InputError(
            Problem(
                "SKU demand",
                f"missing {noun(len(missing), 'column')} {', '.join(missing)}; "
                f"need {DEMAND_COLUMNS}",
            )
        )
    rows = _coded_rows(demand, names, labels)
    _check_rows(rows, names)
    codes, uniq, sku_fam = _sku_families(rows)
    order = np.lexsort((uniq.astype(str), sku_fam))
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    dem = _monthly(rows, rank[codes], len(uniq), labels)
    frame = pd.DataFrame(
        {
            "f": sku_fam[order],
            "family": np.asarray(names, dtype=object)[sku_fam[order]],
            "sku": uniq[order],
        }
    )
    others = rows.others[~rows.others["sku"].isin(frame["sku"])].drop_duplicates("sku")
    unplanned = {f: list(g["sku"]) for f, g in others.groupby("family", sort=False)}
    return frame, dem, unplanned


def _coded_rows(demand: pd.DataFrame, names: list[str], labels: list[str]) -> _Rows:
    """The rows kept (months after the horizon are not scheduled) and the others'."""
    fam_of = {n: i for i, n in enumerate(names)}
    codes, uniq = pd.factorize(demand["family"].to_numpy(dtype=object), use_na_sentinel=False)
    fam_code = np.array([fam_of.get(str(u), np.nan) for u in uniq], dtype=float)[codes]
    fam_text = np.array([cell_text(u) for u in uniq], dtype=object)[codes]
    codes, uniq = pd.factorize(demand["period"].to_numpy(), use_na_sentinel=False)
    t_code = pd.Index(labels).get_indexer(_labels(pd.Series(uniq)))[codes]
    keep = (t_code >= 0) & ~np.isnan(fam_code)  # months after the horizon are not scheduled
    sku_codes, sku_names = pd.factorize(demand["sku"].to_numpy(dtype=object), use_na_sentinel=False)
    sku_names = np.array([str(u) for u in sku_names], dtype=object)
    other = np.isnan(fam_code)
    return _Rows(
        sku=sku_codes[keep],
        fam=fam_code[keep].astype(np.int64),
        t=t_code[keep],
        values=demand["demand"].to_numpy(dtype=float)[keep],
        sku_names=sku_names,
        others=pd.DataFrame({"family": fam_text[other], "sku": sku_names[sku_codes[other]]}),
    )


def _check_rows(rows: _Rows, names: list[str]) -> None:
    """Raises InputError: a plan family without SKU demand, or a demand not ≥ 0."""
    problems: list[Problem] = []
    for i, name in enumerate(names):
        if not (rows.fam == i).any():
            problems.append(
                Problem(
                    f"families[{i}].name",
                    f"family {name!r} has no SKU demand; every family of the plan needs its SKUs",
                )
            )
    if not np.isfinite(rows.values).all() or (rows.values < 0).any():
        problems.append(Problem("SKU demand", "must be a number ≥ 0 everywhere"))
    if problems:
        raise InputError(problems)


def _sku_families(rows: _Rows) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each kept row's SKU (codes into the SKUs), the SKUs' names and their families.

    Raises:
        InputError: a SKU in more than one family.
    """
    codes, kept = pd.factorize(rows.sku)
    uniq = rows.sku_names[kept]
    sku_fam = np.full(len(uniq), -1)
    sku_fam[codes] = rows.fam
    clash = np.flatnonzero(
        np.bincount(codes, weights=rows.fam != sku_fam[codes], minlength=len(uniq))
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
    return codes, uniq, sku_fam


def _monthly(rows: _Rows, sku_row: np.ndarray, n_skus: int, labels: list[str]) -> np.ndarray:
    """Demand per SKU (row ``sku_row`` of each kept row) and month (S, T).

    Raises:
        InputError: a month in which some SKU has no demand given.
    """
    dem = np.zeros((n_skus, len(labels)))
    seen = np.zeros((n_skus, len(labels)), dtype=bool)
    np.add.at(dem, (sku_row, rows.t), rows.values)
    seen[sku_row, rows.t] = True
    if not seen.all():
        holes = [labels[t] for t in np.flatnonzero(~seen.all(axis=0))]
        raise InputError(
            Problem(
                "SKU demand",
                f"has no value for some SKUs in {', '.join(holes[:4])}; give every SKU a "
                "demand in every month of the plan (0 when none)",
            )
        )
    return dem


__all__ = [
    "DEMAND_COLUMNS",
    "SkuDemand",
    "sku_buckets",
    "sku_demand",
    "sku_demand_from_history",
]
