"""The working-week calendar of the plan's horizon: its months, week buckets and time fence.

Time is cut into buckets: a calendar week (Monday to Sunday) inside one month; a week
that straddles two months is two buckets, so that every bucket draws on exactly one
month of the family plan. A bucket's share of its month is its share of the month's
working days: ``working_days(days) -> weights`` gives the working fraction of each
calendar day (1 = a full day); the default, :func:`calendar_days`, counts every day.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sop_core.base.errors import InputError, Problem
from sop_core.model.scenario import Scenario

WorkingDays = Callable[[pd.DatetimeIndex], np.ndarray]


def calendar_days(days: pd.DatetimeIndex) -> np.ndarray:
    """Every calendar day is a full working day (the default calendar)."""
    return np.ones(len(days))


@dataclass(frozen=True)
class Calendar:
    """The horizon's days, months, buckets and weeks (days indexed from its first)."""

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


def week_calendar(
    starts: pd.DatetimeIndex, working_days: WorkingDays, notes: list[str], labels: list[str]
) -> Calendar:
    """The calendar of the months that begin on ``starts`` (labelled ``labels``); a month
    without working days is spread over its calendar days, and ``notes`` says so."""
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
    wd, month_wd = _working_days(days, day_month, month_days, working_days, notes, labels)
    b_month = day_month[b_start]
    b_wd = np.add.reduceat(wd, b_start)
    return Calendar(
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


def _working_days(
    days: pd.DatetimeIndex,
    day_month: np.ndarray,
    month_days: np.ndarray,
    working_days: WorkingDays,
    notes: list[str],
    labels: list[str],
) -> tuple[np.ndarray, np.ndarray]:
    """The working fraction of each day (D,) and working days of each month (T,)."""
    wd = np.asarray(working_days(days), dtype=float)
    if wd.shape != (len(days),) or not np.isfinite(wd).all() or (wd < 0).any():
        raise ValueError("working_days must give one finite weight ≥ 0 per day")
    month_wd = np.bincount(day_month, weights=wd, minlength=len(month_days))
    idle = month_wd <= 0
    if idle.any():
        notes.append(
            f"No working days in {', '.join(np.asarray(labels)[idle])}: "
            "that month's plan is spread over its calendar days."
        )
        wd = np.where(idle[day_month], 1.0, wd)
        month_wd = np.where(idle, month_days, month_wd)
    return wd, month_wd


def fence_weeks(scenario: Scenario, start: str | pd.Timestamp | None = None) -> int:
    """How many of the schedule's weeks lie wholly inside the plan's time fence
    (``policy.frozen_periods`` months): the weeks shown as firm."""
    k = scenario.policy.frozen_periods
    if k <= 0:
        return 0
    months = plan_months(scenario, start)
    end = months[k] if k < len(months) else months[-1] + pd.offsets.MonthBegin(1)
    first_monday = months[0] - pd.Timedelta(days=months[0].weekday())
    return max(0, (end - first_monday).days // 7)


__all__ = [
    "Calendar",
    "WorkingDays",
    "calendar_days",
    "fence_weeks",
    "plan_months",
    "week_calendar",
]
