"""The working-day calendar: working days per period from the period labels, a country's
public holidays (the ``holidays`` package) and the plant's shutdown dates.

Period labels are months (``2027-04``), ISO weeks (``2027-W14``) or dates (``2027-04-05``,
a period then runs up to the next label's date; the last one as long as the one before).
A period's working days are its weekdays (Monday to Friday unless the calendar says
otherwise) that are neither public holidays nor shutdown days. Regular labour hours and
resource hours given as one number are for a standard period and scale by
``working days ÷ standard days``; the standard is ``calendar.standard_days`` or, by
default, the mean number of weekdays per period over the horizon (so months of 23
weekdays give more hours than months of 20, and a holiday takes its day away).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

from sop_core.base.errors import InputError, Problem

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def period_dates(labels: list[str]) -> list[tuple[dt.date, dt.date]] | None:
    """(first day, day after the last) of each period, or None if a label is not a month,
    an ISO week or a date."""
    spans: list[tuple[dt.date, dt.date]] = []
    starts: list[dt.date] = []
    try:
        for label in labels:
            if m := _MONTH.match(label):
                y, mo = int(m[1]), int(m[2])
                nxt = dt.date(y + (mo == 12), mo % 12 + 1, 1)
                spans.append((dt.date(y, mo, 1), nxt))
            elif m := _WEEK.match(label):
                start = dt.date.fromisocalendar(int(m[1]), int(m[2]), 1)
                spans.append((start, start + dt.timedelta(days=7)))
            elif m := _DAY.match(label):
                starts.append(dt.date(int(m[1]), int(m[2]), int(m[3])))
            else:
                return None
    except ValueError:
        return None
    if starts:
        if spans or len(starts) < 2 or any(b <= a for a, b in pairwise(starts)):
            return None
        ends = [*starts[1:], starts[-1] + (starts[-1] - starts[-2])]
        spans = list(zip(starts, ends, strict=True))
    return spans


@dataclass(frozen=True)
class PeriodDays:
    """One period of the calendar: its weekdays, the holidays and shutdown days that fall
    on them, and the working days left."""

    period: str
    weekdays: int
    holidays: tuple[str, ...]  # "2027-04-05 Easter Monday"
    shutdown_days: int
    working_days: float


@lru_cache(maxsize=64)
def _holidays(country: str, subdivision: str | None, years: tuple[int, ...]) -> dict:
    import holidays  # imported on first use: a few hundred ms, paid once per country

    return dict(holidays.country_holidays(country, subdiv=subdivision, years=list(years)))


@lru_cache(maxsize=256)
def calendar_days(
    labels: tuple[str, ...],
    country: str | None,
    subdivision: str | None,
    shutdowns: tuple[dt.date, ...],
    weekdays: tuple[int, ...],
    given: tuple[float, ...] | None,
) -> tuple[PeriodDays, ...]:
    """The calendar of each period (cached: a slider move reads it again)."""
    if given is not None:
        return tuple(PeriodDays(p, 0, (), 0, float(d)) for p, d in zip(labels, given, strict=True))
    spans = period_dates(list(labels))
    if spans is None:
        raise InputError(
            Problem(
                "calendar",
                "needs period labels that are months (2027-04), ISO weeks (2027-W14) or "
                "dates (2027-04-05), got "
                + ", ".join(repr(x) for x in labels[:3])
                + (" …" if len(labels) > 3 else "")
                + "; or give calendar.working_days, one number per period",
            )
        )
    hol: dict = {}
    if country:
        years = tuple(range(spans[0][0].year, spans[-1][1].year + 1))
        try:
            hol = _holidays(country, subdivision, years)
        except NotImplementedError:
            raise InputError(
                Problem(
                    "calendar.country",
                    f"is not a country the holidays package knows, got {country!r}; "
                    "use an ISO code such as DE, FR, US or GB",
                )
            ) from None
    shut = set(shutdowns)
    out = []
    for label, (start, end) in zip(labels, spans, strict=True):
        days = [start + dt.timedelta(days=k) for k in range((end - start).days)]
        work = [d for d in days if d.weekday() in weekdays]
        named = tuple(f"{d.isoformat()} {hol[d]}" for d in work if d in hol)
        closed = [d for d in work if d in shut and d not in hol]
        left = len(work) - len(named) - len(closed)
        out.append(PeriodDays(label, len(work), named, len(closed), float(left)))
    return tuple(out)


def standard_days(days: tuple[PeriodDays, ...], given: float | None) -> float:
    """The working days of a standard period: ``given`` or the mean weekdays per period."""
    if given is not None:
        return float(given)
    if all(p.weekdays == 0 for p in days):  # working days given: their mean
        return sum(p.working_days for p in days) / len(days)
    return sum(p.weekdays for p in days) / len(days)
