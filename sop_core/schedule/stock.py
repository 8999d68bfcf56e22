"""The SKU stock table: reading and checking it, and the defaults for what it leaves out.

A stock table (CSV or Excel) has one row per SKU::

    sku           str     required
    family        str     optional; checked against the SKU's family in the demand
    on_hand       units   stock at the start of the plan, ≥ 0
    safety_stock  units   ≥ 0, the same in every month
    min_batch     units   ≥ 0, the least a SKU is made in a week when made at all

Blank cells and SKUs not in the table take the defaults: on_hand is the family's
initial inventory (minus initial backorder) split by each SKU's share of the family's
first-month demand; safety_stock is the family's safety stock in each month split by
the SKU's share of that month's demand; min_batch is 0 (no minimum); a blank family is
the SKU's own. A row of a SKU of a family the plan does not have (by the demand, or else
by its family cell) is not scheduled and the notes name it; a SKU in no family's demand
is refused (most likely a typo).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd

from sop_core.base.errors import InputError, Problem
from sop_core.base.text import noun, plural
from sop_core.demand.history import parse_table
from sop_core.model.portfolio import position
from sop_core.model.scenario import Scenario
from sop_core.schedule.allocate import shares

STOCK_COLUMNS = ("sku", "family", "on_hand", "safety_stock", "min_batch")
MAX_STOCK_BYTES = 5 * 1024 * 1024


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
        "sku": np.array([cell_text(v) for v in frame["sku"].to_numpy(dtype=object)], dtype=object)
    }
    out["family"] = np.array(
        [cell_text(v) or None for v in frame["family"].to_numpy(dtype=object)]
        if "family" in frame
        else [None] * len(frame),
        dtype=object,
    )
    for col in ("on_hand", "safety_stock", "min_batch"):
        out[col] = _numbers(frame, col, rows, problems)
    problems.extend(_repeated_skus(rows, out["sku"]))
    if problems:
        raise InputError(problems)
    return pd.DataFrame(out, index=pd.Index(rows, name="row"))[list(STOCK_COLUMNS)]


def _numbers(
    frame: pd.DataFrame, col: str, rows: np.ndarray, problems: list[Problem]
) -> np.ndarray:
    """Column ``col`` as numbers ≥ 0, NaN where blank, absent or wrong (told in ``problems``)."""
    values = np.full(len(frame), np.nan)
    if col in frame and pd.api.types.is_numeric_dtype(frame[col]):
        values = frame[col].to_numpy(dtype=float, copy=True)
        bad = ~np.isnan(values) & (~np.isfinite(values) | (values < 0))
        for j in np.flatnonzero(bad):
            problems.append(
                Problem(f"row {rows[j]}, column {col}", f"must be a number ≥ 0, got {values[j]:g}")
            )
        values[bad] = np.nan
    elif col in frame:
        cells = frame[col].to_numpy(dtype=object)
        for j, cell in enumerate(cells):
            if is_blank(cell):
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
                    Problem(f"row {rows[j]}, column {col}", f"must be a number ≥ 0, got {cell!r}")
                )
                continue
            values[j] = v
    return values


def _repeated_skus(rows: np.ndarray, skus: np.ndarray) -> list[Problem]:
    """A blank or repeated SKU, row by row."""
    problems: list[Problem] = []
    seen: dict[str, object] = {}
    for row, sku in zip(rows, skus, strict=True):
        if not sku:
            problems.append(Problem(f"row {row}, column sku", "is blank; every row names a SKU"))
        elif sku in seen:
            problems.append(
                Problem(f"row {row}, column sku", f"{sku!r} is listed again (also row {seen[sku]})")
            )
        else:
            seen[sku] = row
    return problems


def _row_numbers(index: pd.Index) -> np.ndarray:
    """Row numbers for messages: 1, 2, … for a default index, else the index."""
    if isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1:
        return np.arange(1, len(index) + 1)
    return index.to_numpy()


def cell_text(v: object) -> str:
    """A cell as text, stripped; "" when blank."""
    return "" if is_blank(v) else str(v).strip()


def is_blank(v: object) -> bool:
    """None, NaN, NA, NaT or only spaces."""
    if isinstance(v, str):
        return not v.strip()
    return v is None or bool(pd.api.types.is_scalar(v) and pd.isna(v))


@dataclass(frozen=True)
class SkuStock:
    """The stock data of the SKUs (S) scheduled: the table's, else the defaults."""

    on_hand: np.ndarray  # (S,) at the start of the plan
    safety_stock: np.ndarray  # (S, T)
    min_batch: np.ndarray  # (S,) 0: no minimum
    table: pd.DataFrame  # family, sku, on_hand, safety_stock (first month's), min_batch


def sku_stock(
    scenario: Scenario,
    skus: pd.DataFrame,
    dem: np.ndarray,
    stock: pd.DataFrame | None,
    unplanned: dict[str, list[str]],
    notes: list[str],
) -> SkuStock:
    """The stock data of ``skus`` (columns f, family, sku) with demand ``dem`` (S, T):
    ``stock``'s (:func:`validate_sku_stock`) where it gives them, else the defaults.

    ``unplanned``: the SKUs of each family the plan does not have, by the demand; the
    notes name them with the stock rows of such families, then the defaults used."""
    fam = skus["f"].to_numpy()
    on_hand, ss, batch = _defaults(scenario, fam, dem)
    unplanned = {family: list(names) for family, names in unplanned.items()}
    if stock is not None:
        stock = validate_sku_stock(stock)
        pos = _match_rows(scenario, skus, stock, unplanned)
        notes.extend(_unplanned_notes(unplanned))
        absent = _apply_table(stock, pos, on_hand, ss, batch)
        if absent:
            notes.append(
                f"{plural(absent, 'SKU')} not in the stock table "
                f"{noun(absent, 'uses', 'use')} the default stock data."
            )
    else:
        notes.extend(_unplanned_notes(unplanned))
        notes.append(
            "No SKU stock table: on-hand split by first-month demand share, safety stock by "
            "each month's demand share of the family's, no minimum batches."
        )
    table = skus[["family", "sku"]].assign(on_hand=on_hand, safety_stock=ss[:, 0], min_batch=batch)
    return SkuStock(on_hand=on_hand, safety_stock=ss, min_batch=batch, table=table)


def _defaults(
    scenario: Scenario, fam: np.ndarray, dem: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The default on hand (S,), safety stock (S, T) and min batch (S,): the family's
    split by the SKUs' demand shares (see the module docstring)."""
    T = dem.shape[1]
    share = np.zeros_like(dem)
    for f in range(len(scenario.families)):
        rows = fam == f
        share[rows] = shares(dem[rows])
    init = np.array([f.initial_inventory - f.initial_backorder for f in scenario.families])
    fam_ss = np.array([f.safety_stock_series(T) for f in scenario.families], dtype=float)
    return init[fam] * share[:, 0], fam_ss[fam] * share, np.zeros(len(fam))


def _match_rows(
    scenario: Scenario, skus: pd.DataFrame, stock: pd.DataFrame, unplanned: dict[str, list[str]]
) -> np.ndarray:
    """Each stock row's SKU in ``skus`` (−1 when not scheduled); a row of a SKU of a
    family the plan does not have joins ``unplanned``.

    Raises:
        InputError: a SKU in no family's demand, or a family cell not the SKU's family.
    """
    rows = stock.index.to_numpy()
    names = skus["sku"].to_numpy(dtype=object)
    families = skus["family"].to_numpy(dtype=object)
    pos = pd.Index(names).get_indexer(stock["sku"].to_numpy(dtype=object))
    given = [cell_text(v) for v in stock["family"].to_numpy(dtype=object)]
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
                problems.append(_unknown_sku(rows[j], sku, known))
            continue
        if given[j] and given[j] != home:
            problems.append(_other_family(rows[j], sku, home, given[j]))
    if problems:
        raise InputError(problems)
    return pos


def _unknown_sku(row: object, sku: object, known: str) -> Problem:
    return Problem(
        f"stock row {row}, column sku",
        f"{sku!r} is in no family's SKU history; known SKUs: {known}; "
        "check the SKU or remove the row",
    )


def _other_family(row: object, sku: object, home: str, given: str) -> Problem:
    return Problem(
        f"stock row {row}, column family",
        f"{sku!r} belongs to {home!r} in the history, got {given!r}; "
        f"write {home!r} or leave the cell blank",
    )


def _apply_table(
    stock: pd.DataFrame, pos: np.ndarray, on_hand: np.ndarray, ss: np.ndarray, batch: np.ndarray
) -> int:
    """The table's cells over the defaults (in place); how many SKUs it does not list."""
    ours = pos >= 0
    for col, target in (("on_hand", on_hand), ("min_batch", batch)):
        v = stock[col].to_numpy(dtype=float)
        m = ours & ~np.isnan(v)
        target[pos[m]] = v[m]
    v = stock["safety_stock"].to_numpy(dtype=float)
    m = ours & ~np.isnan(v)
    ss[pos[m]] = v[m][:, None]
    return len(on_hand) - len(np.unique(pos[ours]))


def _unplanned_notes(unplanned: dict[str, list[str]]) -> list[str]:
    """One sentence per family the plan does not have: its SKUs, not scheduled."""
    notes = []
    for family in sorted(unplanned):
        skus = sorted(set(unplanned[family]))
        shown = f"{', '.join(skus[:5])}{' …' if len(skus) > 5 else ''}"
        if family:
            notes.append(
                f"{plural(len(skus), 'SKU')} of family {family!r}, which the plan does not have, "
                f"{noun(len(skus), 'is', 'are')} not scheduled: {shown}"
            )
        else:
            notes.append(
                f"{plural(len(skus), 'SKU')} without a family "
                f"{noun(len(skus), 'is', 'are')} not scheduled: {shown}"
            )
    return notes


__all__ = [
    "MAX_STOCK_BYTES",
    "STOCK_COLUMNS",
    "SkuStock",
    "cell_text",
    "is_blank",
    "read_sku_stock",
    "sku_stock",
    "validate_sku_stock",
]


# ------------------------------------------------------------------ SKUs phased out


@dataclass(frozen=True)
class SkuEnds:
    """Per SKU scheduled (S): the month its phase-out ends and its last-time buy."""

    month: np.ndarray  # (S,) index of the end month (below 0: before the horizon); T: none
    last_buy: np.ndarray  # (S,) the stock it ends that month with (0 without a phase-out)


def sku_ends(scenario: Scenario, skus: pd.DataFrame) -> SkuEnds:
    """The phase-outs (:class:`~sop_core.model.scenario.SkuPhaseOut`) of the SKUs
    scheduled (``skus``: columns f, family, sku); an SKU without one ends after the
    horizon (its length), so no month is after it."""
    labels = scenario.period_labels
    ending = {
        (fam.name, po.sku): (position(labels, po.end_period), po.last_time_buy)
        for fam in scenario.families
        for po in fam.sku_phase_outs
    }
    pairs = zip(skus["family"].astype(str), skus["sku"].astype(str), strict=True)
    found = [ending.get(p, (len(labels), 0.0)) for p in pairs]
    return SkuEnds(
        month=np.array([m for m, _ in found], dtype=np.int64),
        last_buy=np.array([b for _, b in found], dtype=float),
    )


def ending_stock(held: SkuStock, ends: SkuEnds) -> SkuStock:
    """``held`` with each phased-out SKU's safety stock set to its last-time buy in its
    end month and 0 after it, so the schedule runs its stock down to that quantity and
    builds nothing it cannot sell."""
    ss = held.safety_stock.copy()
    T = ss.shape[1]
    for s in np.flatnonzero(ends.month < T):
        if ends.month[s] >= 0:
            ss[s, ends.month[s]] = ends.last_buy[s]
        ss[s, max(ends.month[s] + 1, 0) :] = 0.0
    return SkuStock(
        on_hand=held.on_hand, safety_stock=ss, min_batch=held.min_batch, table=held.table
    )


def ending_notes(
    labels: list[str],
    skus: pd.DataFrame,
    ends: SkuEnds,
    b_month: np.ndarray,
    end_stock: np.ndarray,
) -> list[str]:
    """A sentence per SKU phased out inside the plan's ``labels``: the stock it ends its
    last month with, against its last-time buy (``end_stock`` (S, B): stock at each
    bucket's end; ``b_month`` (B,): each bucket's month)."""
    notes = []
    for s in np.flatnonzero((ends.month >= 0) & (ends.month < len(labels))):
        in_month = np.flatnonzero(b_month == ends.month[s])
        if not len(in_month):
            continue
        left = float(end_stock[s, in_month[-1]])
        sku = skus["sku"].iloc[s]
        notes.append(
            f"{sku} is phased out after {labels[ends.month[s]]}: it ends that month with "
            f"{left:,.0f} units in stock (last-time buy {ends.last_buy[s]:,.0f}) and is "
            "not made after it."
        )
    return notes
