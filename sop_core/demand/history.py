"""Sales history: read a CSV or Excel file, validate it once, and derive family totals.

A history is a long-format table, one row per period and series::

    period   datetime64   first day of the month (monthly) or the week's date (weekly)
    family   str          product family
    sku      str          optional: the SKU inside the family (summed into its family)
    demand   float        units sold in the period, ≥ 0

Files use the same column names (case and surrounding spaces are ignored, other
columns are ignored). ``period`` is "YYYY-MM" or an ISO date "YYYY-MM-DD"; a month's
first or last day both mean that month. Rows are numbered as in a spreadsheet: the
header is row 1, the first data row is row 2.

Nothing uploaded is executed or unpickled: CSV is parsed as text, .xlsx by openpyxl
(values only, no macros), and both are refused above :data:`MAX_BYTES`.

Limits (:mod:`sop_core.base.limits`): files up to 20 MB, at most 1,000,000 data rows and
10,000 series (families, or family and SKU pairs), a calendar of at most 1,040 periods
from the first to the last, and demand values up to 1e12.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd

from sop_core.base.errors import InputError, Problem
from sop_core.base.limits import (
    MAX_HISTORY_BYTES,
    MAX_HISTORY_PERIODS,
    MAX_HISTORY_ROWS,
    MAX_MAGNITUDE,
    MAX_SERIES,
    limit_text,
)
from sop_core.base.text import plural

MAX_BYTES: int = MAX_HISTORY_BYTES
"""Largest history file accepted [bytes]."""

MAX_UNZIPPED_BYTES: int = 200 * 1024 * 1024
"""Largest uncompressed content of an .xlsx workbook [bytes] (guards against zip bombs)."""

MAX_LISTED: int = 20
"""Problems listed in one error before the rest are counted."""

MONTHLY = "MS"
WEEKDAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")

_YM = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")


# --------------------------------------------------------------------------- reading


def read_history(
    source: str | Path | bytes | IO[bytes],
    *,
    filename: str | None = None,
    freq: str | None = None,
    fill_gaps: bool = False,
    max_bytes: int = MAX_BYTES,
) -> pd.DataFrame:
    """Read and validate a sales history from a .csv or .xlsx file.

    Args:
        source: a path, the file's bytes, or a binary file object (e.g. an upload).
        filename: the file's name when ``source`` is bytes or a file object; its
            extension (.csv or .xlsx) decides the parser.
        freq: "MS" (monthly) or "W" (weekly), or None to detect it.
        fill_gaps: fill missing periods with demand 0 instead of reporting them.
        max_bytes: size limit [bytes].

    Returns:
        The validated history (see the module docstring for its columns).

    Raises:
        InputError: listing every problem, each naming the row, column and value.
    """
    data, name = _read_bytes(source, filename, max_bytes)
    raw = parse_table(data, name)
    return validate_history(raw, freq=freq, fill_gaps=fill_gaps)


def _read_bytes(
    source: str | Path | bytes | IO[bytes], filename: str | None, max_bytes: int
) -> tuple[bytes, str]:
    too_big = "is larger than the limit of {limit}; split the history or aggregate it"
    if isinstance(source, (str, Path)):
        path = Path(source)
        name = filename or path.name
        if not path.is_file():
            raise InputError(Problem(str(path), "no such file; give a .csv or .xlsx history"))
        try:
            if path.stat().st_size > max_bytes:
                raise InputError(Problem(name, too_big.format(limit=_size(max_bytes))))
            return path.read_bytes(), name
        except OSError as exc:
            raise InputError(Problem(name, f"cannot be read ({exc.strerror})")) from None
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        name = filename or "history.csv"
    else:
        name = filename or str(getattr(source, "name", "") or "history.csv")
        data = source.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise InputError(Problem(name, too_big.format(limit=_size(max_bytes))))
    return data, name


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:g} MB" if n >= 1024 * 1024 else f"{n} bytes"


def parse_table(data: bytes, name: str = "history.csv") -> pd.DataFrame:
    """Parse a file's bytes into a raw table of cells (no validation of values).

    CSV cells stay text; Excel cells keep the types openpyxl reads (numbers, dates).
    """
    suffix = Path(name).suffix.lower()
    if suffix not in (".csv", ".txt", ".xlsx"):
        raise InputError(
            Problem(name, f"must be a .csv or .xlsx file, got {suffix or 'no extension'!r}")
        )
    if not data.strip():
        raise InputError(
            Problem(name, "the file is empty; it needs a header row period,family,demand and data")
        )
    if suffix == ".xlsx":
        return _parse_xlsx(data, name)
    return _parse_csv(data, name)


_XLSX_AS_CSV = (
    "this looks like an Excel workbook (.xlsx); save it as CSV or upload it with the "
    ".xlsx extension"
)


def _binary_problem(data: bytes, name: str) -> Problem | None:
    """A file named .csv that is a workbook or other binary data, said as such."""
    head = data[:8]
    if head.startswith(b"PK\x03\x04"):
        return Problem(name, _XLSX_AS_CSV)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return Problem(
            name, "this looks like an old Excel workbook (.xls); save it as .xlsx or CSV"
        )
    if b"\x00" in data[:4096]:
        return Problem(
            name,
            "this is not a text file (it holds binary data); a CSV history is text with a "
            "header row period,family,demand",
        )
    return None


def _parse_csv(data: bytes, name: str) -> pd.DataFrame:
    binary = _binary_problem(data, name)
    if binary is not None:
        raise InputError(binary)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    header_line = text.split("\n", 1)[0]
    sep = ";" if header_line.count(";") > header_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    try:
        header = next(reader)
        rows, numbers, problems = [], [], []
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                problems.append(
                    Problem(
                        f"row {reader.line_num}",
                        f"has {len(row)} fields but the header has {len(header)}; every row "
                        f"needs the header's columns, separated by {sep!r}",
                    )
                )
            rows.append(row)
            numbers.append(reader.line_num)
            if len(rows) > MAX_HISTORY_ROWS:
                raise InputError(_too_many_rows(name))
    except csv.Error as exc:
        raise InputError(Problem(name, f"cannot be read as CSV ({exc})")) from None
    raise_problems(problems)
    frame = pd.DataFrame(rows, columns=header, dtype=object)
    frame.index = pd.Index(numbers, name="row")
    return frame


def _too_many_rows(name: str) -> Problem:
    return Problem(
        name,
        f"has more than {MAX_HISTORY_ROWS:,} data rows; aggregate it (e.g. to families or "
        "months) or split it",
    )


def _parse_xlsx(data: bytes, name: str) -> pd.DataFrame:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            unzipped = sum(info.file_size for info in zf.infolist())
    except zipfile.BadZipFile:
        if data[:4] == b"\xd0\xcf\x11\xe0":
            why = "this looks like an old Excel workbook (.xls); save it as .xlsx or CSV"
        elif b"\x00" not in data[:4096] and b"," in data[:4096]:
            why = "this looks like a CSV text file; upload it with the .csv extension"
        else:
            why = "cannot be read as an Excel .xlsx workbook; save it as .xlsx or .csv"
        raise InputError(Problem(name, why)) from None
    if unzipped > MAX_UNZIPPED_BYTES:
        raise InputError(
            Problem(name, f"unpacks to more than {_size(MAX_UNZIPPED_BYTES)}; save it as .csv")
        )
    try:
        raw = pd.read_excel(io.BytesIO(data), sheet_name=0, engine="openpyxl", dtype=object)
    except Exception as exc:  # openpyxl raises many types for malformed workbooks
        raise InputError(
            Problem(name, f"cannot be read as an Excel .xlsx workbook ({type(exc).__name__})")
        ) from None
    raw = raw.dropna(how="all")
    if len(raw) > MAX_HISTORY_ROWS:
        raise InputError(_too_many_rows(name))
    raw.index = pd.Index(raw.index.to_numpy() + 2, name="row")  # header is row 1
    return raw


# --------------------------------------------------------------------------- validation


def validate_history(
    raw: pd.DataFrame,
    *,
    freq: str | None = None,
    fill_gaps: bool = False,
    time_col: str = "period",
    id_col: str = "family",
    sku_col: str = "sku",
    target_col: str = "demand",
    first_row: int = 2,
) -> pd.DataFrame:
    """Validate a raw history table and return the clean long-format history.

    Checks, each reported with the row, column, value and fix: missing columns, no
    rows, empty family/SKU names, unparseable dates, non-numeric or negative demand,
    mixed frequencies, duplicate rows for a period and family (or SKU), and gaps in a
    series' calendar (from its first period to the last period of the file), which
    are filled with zeros only when ``fill_gaps`` is true.

    Args:
        raw: the table as read (cells as text or numbers/dates).
        freq: "MS" monthly, "W" weekly (any weekday), or None to detect.
        fill_gaps: fill calendar gaps with demand 0 instead of refusing them.
        first_row: spreadsheet row number of ``raw``'s first row (header is row 1),
            used unless ``raw``'s index is named "row" and holds the row numbers
            (as :func:`parse_table` returns it).

    Returns:
        Columns ``time_col, id_col, [sku_col,] target_col`` sorted by series and period.
    """
    cols = {str(c).strip().lower(): c for c in raw.columns}
    required = [time_col, id_col, target_col]
    missing = [c for c in required if c not in cols]
    if missing:
        found = ", ".join(str(c) for c in raw.columns) or "none"
        names = ", ".join(repr(c) for c in missing)
        raise InputError(
            Problem(
                "columns",
                f"missing column {names}; the history needs columns "
                f"{time_col}, {id_col}, {target_col} (and optionally {sku_col}), found: {found}",
            )
        )
    if len(raw) == 0:
        raise InputError(
            Problem("", "the file has a header but no data rows; add one row per period and family")
        )
    has_sku = sku_col in cols
    if raw.index.name == "row":
        rows = raw.index.to_numpy(dtype=int)
    else:
        rows = np.arange(first_row, first_row + len(raw))
    problems: list[Problem] = []

    family = parse_names(raw[cols[id_col]], rows, id_col, problems)
    sku = parse_names(raw[cols[sku_col]], rows, sku_col, problems) if has_sku else None
    period, monthly_like = parse_periods(raw[cols[time_col]], rows, time_col, problems)
    demand = parse_amounts(raw[cols[target_col]], rows, target_col, problems)
    raise_problems(problems)

    period = _apply_frequency(period, monthly_like, rows, time_col, freq, problems)
    raise_problems(problems)
    _check_span(period, time_col, problems)
    n_series = len(set(zip(family, sku, strict=True)) if sku is not None else set(family))
    if n_series > MAX_SERIES:
        what = f"{id_col} and {sku_col} pairs" if sku is not None else f"{id_col} names"
        problems.append(
            Problem(
                f"column {sku_col if sku is not None else id_col}",
                f"the file has {n_series:,} different {what}; at most {MAX_SERIES:,} series "
                "are accepted (forecast families, or split the file)",
            )
        )
    raise_problems(problems)

    out = pd.DataFrame({time_col: period, id_col: family})
    keys = [id_col]
    if sku is not None:
        out[sku_col] = sku
        keys.append(sku_col)
    out[target_col] = demand
    out["_row"] = rows

    _check_duplicates(out, keys, time_col, problems)
    raise_problems(problems)

    out = _check_gaps(out, keys, time_col, target_col, fill_gaps, problems)
    raise_problems(problems)
    out = out.drop(columns="_row").sort_values([*keys, time_col], kind="stable")
    return out.reset_index(drop=True)


def raise_problems(problems: list[Problem]) -> None:
    if not problems:
        return
    shown = problems[:MAX_LISTED]
    if len(problems) > MAX_LISTED:
        more = plural(len(problems) - MAX_LISTED, "more problem")
        shown.append(Problem("", f"… and {more} like these"))
    raise InputError(shown)


def show_cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "an empty cell"
    if isinstance(value, str):
        if not value.strip():
            return "an empty cell"
        return repr(value) if len(value) <= 40 else repr(value[:37] + "...")
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "..."


#: what :func:`infer_dtype` calls a column of one type, whose equal cells read the same
#: (parsed once per distinct value); a column of mixed types is read cell by cell
_ONE_TYPE = frozenset({"string", "date"})


def _distinct(col: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """``(codes, cells)`` with ``cells[codes]`` the cells of ``col``: its distinct cells
    when it holds one type (a million rows of a hundred families are parsed a hundred
    times), else every cell."""
    if isinstance(col.dtype, pd.StringDtype):  # a text column (a database's): text or missing
        codes, uniques = pd.factorize(col, use_na_sentinel=False)
        return np.asarray(codes), np.asarray(uniques, dtype=object)
    values = col.to_numpy(dtype=object)
    if len(values) and pd.api.types.infer_dtype(values, skipna=False) in _ONE_TYPE:
        codes, uniques = pd.factorize(values, use_na_sentinel=False)
        return np.asarray(codes), np.asarray(uniques, dtype=object)
    return np.arange(len(values)), values


def _name_text(v: Any) -> str:
    """A cell as a name: text stripped, a whole number without ".0", empty when blank."""
    if isinstance(v, float) and not np.isnan(v) and v.is_integer():
        return str(int(v))
    return "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v).strip()


def parse_names(col: pd.Series, rows: np.ndarray, name: str, problems: list[Problem]) -> np.ndarray:
    """The cells of ``col`` as names; an empty one is a problem naming its row."""
    codes, cells = _distinct(col)
    texts = np.empty(len(cells), dtype=object)
    texts[:] = [_name_text(v) for v in cells]
    out = texts[codes]
    for i in np.flatnonzero(out == ""):
        problems.append(
            Problem(
                f"row {rows[i]}, column {name}", f"must not be empty, got {show_cell(col.iloc[i])}"
            )
        )
    return out


def _period_of(v: Any) -> tuple[pd.Timestamp | None, bool]:
    """A cell as a period (its day, without time or time zone), or None; and whether it
    was written as a month ("YYYY-MM")."""
    ts: pd.Timestamp | None = None
    if isinstance(v, (pd.Timestamp, np.datetime64)) or hasattr(v, "year"):
        try:
            ts = pd.Timestamp(v)
            ts = None if pd.isna(ts) else ts
        except (TypeError, ValueError):
            ts = None
    elif isinstance(v, str):
        m = _YM.match(v)
        if m and 1 <= int(m.group(2)) <= 12:
            return pd.Timestamp(int(m.group(1)), int(m.group(2)), 1), True
        if re.fullmatch(r"\s*\d{4}-\d{2}-\d{2}([ T][0-9:.]+)?\s*", v):
            try:
                ts = pd.Timestamp(v.strip())
            except ValueError:
                ts = None
    if ts is None:
        return None, False
    if ts.tzinfo is not None:
        ts = ts.tz_localize(None)
    return ts.normalize(), False


def parse_periods(
    col: pd.Series, rows: np.ndarray, name: str, problems: list[Problem]
) -> tuple[pd.DatetimeIndex, np.ndarray]:
    """Parse periods; also return which cells were written as a month ("YYYY-MM").

    A column of dates (a database's) is read as a whole; text is parsed once per
    distinct value."""
    if isinstance(col.dtype, pd.DatetimeTZDtype) or col.dtype.kind == "M":
        stamps = pd.DatetimeIndex(col)
        if stamps.tz is not None:
            stamps = stamps.tz_localize(None)
        bad = np.flatnonzero(stamps.isna())
        stamps = stamps.normalize()
        if len(bad):
            stamps = stamps.fillna(pd.Timestamp(1970, 1, 1))
        month_text = np.zeros(len(col), dtype=bool)
    else:
        codes, cells = _distinct(col)
        parsed = [_period_of(v) for v in cells]
        ok = np.array([ts is not None for ts, _ in parsed], dtype=bool)
        months = np.array([m for _, m in parsed], dtype=bool)
        distinct = pd.DatetimeIndex(
            [ts if ts is not None else pd.Timestamp(1970, 1, 1) for ts, _ in parsed]
        )
        stamps, month_text = distinct[codes], months[codes]
        bad = np.flatnonzero(~ok[codes])
    for i in bad:
        problems.append(
            Problem(
                f"row {rows[i]}, column {name}",
                f"must be a date written YYYY-MM or YYYY-MM-DD, got {show_cell(col.iloc[i])}",
            )
        )
    return stamps, month_text


def _amount_of(v: Any) -> float | None:
    """A cell as a number, or None (text that is not one, a flag, anything else)."""
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float, np.integer, np.floating)):
        return float(v)
    if isinstance(v, str):
        try:
            return float(v.strip())
        except ValueError:
            return None
    return None


def parse_amounts(
    col: pd.Series, rows: np.ndarray, name: str, problems: list[Problem]
) -> np.ndarray:
    """The cells of ``col`` as amounts ≥ 0 and ≤ the magnitude limit; each other cell is a
    problem naming its row (and is 0 in the result). A numeric column (a database's) is
    checked as a whole; text is parsed once per distinct value."""
    if col.dtype.kind in "iuf":
        out = col.to_numpy(dtype=float, na_value=np.nan, copy=True)
    else:
        codes, cells = _distinct(col)
        amounts = [_amount_of(v) for v in cells]
        numbers = np.array([np.nan if x is None else x for x in amounts], dtype=float)
        out = numbers[codes]
    with np.errstate(invalid="ignore"):
        bad = ~np.isfinite(out) | (out < 0) | (out > MAX_MAGNITUDE)
    for i in np.flatnonzero(bad):
        shown = show_cell(col.iloc[i])
        where = f"row {rows[i]}, column {name}"
        if np.isfinite(out[i]) and out[i] > MAX_MAGNITUDE:
            problems.append(
                Problem(
                    where,
                    f"must be ≤ {limit_text(MAX_MAGNITUDE)} (the largest demand accepted), "
                    f"got {shown}",
                )
            )
        else:
            problems.append(Problem(where, f"must be a number ≥ 0, got {shown}"))
    out[bad] = 0.0
    return out


def _apply_frequency(
    period: pd.DatetimeIndex,
    month_text: np.ndarray,
    rows: np.ndarray,
    name: str,
    freq: str | None,
    problems: list[Problem],
) -> pd.DatetimeIndex:
    """Check every row shares one frequency and put monthly periods on the 1st."""
    monthly = month_text | period.is_month_start | period.is_month_end
    weekday = period.day_of_week.to_numpy()
    wanted = None if freq is None else _normalise_freq(freq)
    if wanted is None:
        top_day = int(np.bincount(weekday, minlength=7).argmax())
        n_weekly = int((weekday == top_day).sum())
        wanted = MONTHLY if monthly.sum() >= n_weekly else "W"
    if wanted == MONTHLY:
        bad = np.flatnonzero(~monthly)
        for i in bad:
            problems.append(
                Problem(
                    f"row {rows[i]}, column {name}",
                    f"{period[i].date()} does not fit a monthly history (YYYY-MM, or the "
                    "first or last day of a month); use one frequency for the whole file",
                )
            )
        # the first of each month (as ``to_period("M").to_timestamp()``, 15 × faster)
        unit = period[:1].to_period("M").to_timestamp(how="start").unit
        return pd.DatetimeIndex(period.to_numpy().astype("datetime64[M]")).as_unit(unit)
    top_day = int(np.bincount(weekday, minlength=7).argmax())
    bad = np.flatnonzero(weekday != top_day)
    for i in bad:
        problems.append(
            Problem(
                f"row {rows[i]}, column {name}",
                f"{period[i].date()} is a {WEEKDAYS[weekday[i]].title()} but this weekly "
                f"history's weeks start on {WEEKDAYS[top_day].title()}; use one frequency "
                "(all monthly, or all weekly on the same weekday) for the whole file",
            )
        )
    return period


def _check_span(period: pd.DatetimeIndex, name: str, problems: list[Problem]) -> None:
    """Refuse a calendar longer than :data:`MAX_HISTORY_PERIODS` (first to last period)."""
    first, last = period.min(), period.max()
    monthly = bool(period.is_month_start.all())
    if monthly:
        span = (last.year - first.year) * 12 + last.month - first.month + 1
    else:
        span = (last - first).days // 7 + 1
    if span > MAX_HISTORY_PERIODS:
        unit = "months" if monthly else "weeks"
        problems.append(
            Problem(
                f"column {name}",
                f"runs from {_label_period(first)} to {_label_period(last)}, {span:,} {unit}; "
                f"a history covers at most {MAX_HISTORY_PERIODS:,} periods (check for a "
                "mistyped year, or drop the oldest rows)",
            )
        )


def _normalise_freq(freq: str) -> str:
    f = freq.strip().upper()
    if f in ("MS", "M", "ME", "MONTH", "MONTHLY"):
        return MONTHLY
    if f == "W" or f.startswith("W-") or f in ("WEEK", "WEEKLY"):
        return "W"
    raise InputError(Problem("freq", f"must be 'MS' (monthly) or 'W' (weekly), got {freq!r}"))


def _series_label(keys: list[str], values: tuple[Any, ...] | Any) -> str:
    if not isinstance(values, tuple):
        values = (values,)
    return ", ".join(f"{k} {v!r}" for k, v in zip(keys, values, strict=True))


def _check_duplicates(
    df: pd.DataFrame, keys: list[str], time_col: str, problems: list[Problem]
) -> None:
    dup = df[df.duplicated([*keys, time_col], keep=False)]
    if dup.empty:
        return
    what = " and ".join(keys).replace("sku", "SKU")
    for group_key, grp in dup.groupby([*keys, time_col], sort=False):
        rows = grp["_row"].tolist()
        row_text = ", ".join(str(r) for r in rows[:-1]) + f" and {rows[-1]}"
        label = _series_label(keys, tuple(group_key[:-1]))
        problems.append(
            Problem(
                f"rows {row_text}",
                f"{label}, {time_col} {_label_period(group_key[-1])} appears more than once; "
                f"keep one row per {time_col} and {what} (sum them if they are parts of "
                "the same demand)",
            )
        )


def _label_period(ts: pd.Timestamp) -> str:
    return ts.strftime("%Y-%m") if ts.day == 1 else ts.strftime("%Y-%m-%d")


def _with_gaps(
    df: pd.DataFrame, keys: list[str], time_col: str, end: pd.Timestamp, freq: str
) -> np.ndarray:
    """Which rows belong to a series with fewer rows than periods from its first to
    ``end``: the series :func:`_check_gaps` walks (periods are on the calendar and each
    given once, as checked before)."""
    series = df.groupby(keys, sort=False)[time_col]
    first, count = series.transform("min"), series.transform("size")
    if freq == MONTHLY:
        span = (end.year - first.dt.year) * 12 + (end.month - first.dt.month) + 1
    else:
        span = (end - first).dt.days // 7 + 1
    return (count < span).to_numpy()


def _check_gaps(
    df: pd.DataFrame,
    keys: list[str],
    time_col: str,
    target_col: str,
    fill_gaps: bool,
    problems: list[Problem],
) -> pd.DataFrame:
    freq = infer_freq(df, time_col=time_col)
    end = df[time_col].max()
    filled: list[pd.DataFrame] = []
    gapped = df[_with_gaps(df, keys, time_col, end, freq)]
    for key, grp in gapped.groupby(keys, sort=False):
        calendar = pd.date_range(grp[time_col].min(), end, freq=freq)
        missing = calendar.difference(pd.DatetimeIndex(grp[time_col]))
        if missing.empty:
            continue
        if fill_gaps:
            add = pd.DataFrame({time_col: missing})
            key_t = key if isinstance(key, tuple) else (key,)
            for k, v in zip(keys, key_t, strict=True):
                add[k] = v
            add[target_col] = 0.0
            add["_row"] = -1
            filled.append(add)
            continue
        shown = ", ".join(_label_period(p) for p in missing[:6])
        more = f" and {len(missing) - 6} more" if len(missing) > 6 else ""
        problems.append(
            Problem(
                _series_label(keys, key),
                f"no row for {time_col} {shown}{more} ({len(missing)} missing between its first "
                f"{time_col} and the file's last, {_label_period(end)}); add rows with "
                f"{target_col} 0, or fill gaps with zeros (fill_gaps=True, --fill-gaps)",
            )
        )
    if filled:
        df = pd.concat([df, *filled], ignore_index=True)
    return df


# --------------------------------------------------------------------------- derived views


def infer_freq(history: pd.DataFrame, *, time_col: str = "period") -> str:
    """The frequency of a validated history: "MS" or a weekly "W-MON" … "W-SUN"."""
    periods = pd.DatetimeIndex(history[time_col].unique())
    if len(periods) == 0 or bool(periods.is_month_start.all()):
        return MONTHLY
    day = int(np.bincount(periods.day_of_week.to_numpy(), minlength=7).argmax())
    return f"W-{WEEKDAYS[day]}"


def season_length(freq: str) -> int:
    """Periods per year: 12 for monthly, 52 for weekly."""
    return 12 if freq.upper().startswith("M") else 52


def family_totals(
    history: pd.DataFrame,
    *,
    time_col: str = "period",
    id_col: str = "family",
    target_col: str = "demand",
) -> pd.DataFrame:
    """Demand per family and period (SKUs summed): columns period, family, demand."""
    out = history.groupby([id_col, time_col], as_index=False, sort=True)[target_col].sum()
    return out[[time_col, id_col, target_col]]


def sku_shares(
    history: pd.DataFrame,
    *,
    last_n: int = 12,
    time_col: str = "period",
    id_col: str = "family",
    sku_col: str = "sku",
    target_col: str = "demand",
) -> pd.DataFrame:
    """Each SKU's share of its family's demand over the last ``last_n`` periods.

    Shares within a family sum to 1; a family with no demand in the window splits
    evenly. Columns: family, sku, demand (units in the window), share (fraction).
    """
    if sku_col not in history.columns:
        raise InputError(Problem(sku_col, "the history has no sku column; shares need SKUs"))
    periods = np.sort(history[time_col].unique())[-last_n:]
    recent = history[history[time_col].isin(periods)]
    skus = history[[id_col, sku_col]].drop_duplicates()
    units = recent.groupby([id_col, sku_col], as_index=False)[target_col].sum()
    out = skus.merge(units, on=[id_col, sku_col], how="left").fillna({target_col: 0.0})
    total = out.groupby(id_col)[target_col].transform("sum")
    count = out.groupby(id_col)[sku_col].transform("count")
    out["share"] = np.where(total > 0, out[target_col] / total.where(total > 0, 1.0), 1.0 / count)
    return out.sort_values([id_col, sku_col]).reset_index(drop=True)


def disaggregate(
    family_values: pd.DataFrame,
    shares: pd.DataFrame,
    *,
    value_cols: Iterable[str] = ("forecast",),
    id_col: str = "family",
    sku_col: str = "sku",
) -> pd.DataFrame:
    """Split family-level values (a forecast or a plan) into SKUs by their shares."""
    out = family_values.merge(shares[[id_col, sku_col, "share"]], on=id_col, how="inner")
    for c in value_cols:
        out[c] = out[c] * out["share"]
    return out.drop(columns="share")
