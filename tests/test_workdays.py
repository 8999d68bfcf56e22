"""The working-day calendar: period dates, public holidays, shutdowns, and the hours they
scale (hand-checkable against a wall calendar)."""

from __future__ import annotations

import datetime as dt

import pytest
from factories import tiny

from sop_core.base.errors import InputError
from sop_core.engine.planner import solve
from sop_core.model.scenario import parse_scenario
from sop_core.model.workdays import period_dates


def with_calendar(s, periods, calendar, resources=None, hours=None):
    data = s.model_dump()
    data["periods"] = periods
    data["calendar"] = calendar
    if resources is not None:
        data["resources"] = resources
        for fam in data["families"]:
            fam["resource_hours"] = hours
    return parse_scenario(data)


def test_period_dates_of_months_weeks_and_dates():
    assert period_dates(["2027-12"]) == [(dt.date(2027, 12, 1), dt.date(2028, 1, 1))]
    assert period_dates(["2027-W01"]) == [(dt.date(2027, 1, 4), dt.date(2027, 1, 11))]
    assert period_dates(["2027-01-04", "2027-01-11"]) == [
        (dt.date(2027, 1, 4), dt.date(2027, 1, 11)),
        (dt.date(2027, 1, 11), dt.date(2027, 1, 18)),
    ]
    assert period_dates(["Jan", "Feb"]) is None


def test_german_easter_takes_two_days_from_march_2027():
    # March 2027 has 23 weekdays; Good Friday (26th) and Easter Monday (29th) leave 21.
    # April 2027 has 22 weekdays and no national holiday in Germany.
    s = with_calendar(tiny([1, 1]), ["2027-03", "2027-04"], {"country": "DE"})
    days = s.period_days()
    assert [p.weekdays for p in days] == [23, 22]
    assert [p.working_days for p in days] == [21, 22]
    assert [h.split()[0] for h in days[0].holidays] == ["2027-03-26", "2027-03-29"]


def test_shutdown_days_count_only_on_working_days():
    # the week of 2 August 2027 (Monday) and the Saturday after: five days lost
    shut = [f"2027-08-0{d}" for d in range(2, 8)]
    s = with_calendar(tiny([1]), ["2027-08"], {"shutdowns": shut})
    (august,) = s.period_days()
    assert (august.weekdays, august.shutdown_days, august.working_days) == (22, 5, 17)


def test_regular_hours_scale_with_working_days():
    # one worker of 10 hours in a standard 10-day period: 10 and 5 working days give
    # 10 and 5 hours, so 5 of the second period's 10 units are bought in ($5 each)
    s = with_calendar(
        tiny([10, 10]),
        ["2027-03", "2027-04"],
        {"working_days": [10, 5], "standard_days": 10},
    )
    result = solve(s)
    assert list(result.periods["regular_hours_available"]) == pytest.approx([10, 5])
    assert list(result.families["production"]) == pytest.approx([10, 5])
    assert list(result.families["subcontract"]) == pytest.approx([0, 5])


def test_resource_hours_scale_unless_given_per_period():
    scaled = [{"name": "Line", "hours_available": 8}]
    given = [{"name": "Line", "hours_available": [8, 8]}]
    cal = {"working_days": [10, 5], "standard_days": 10}
    a = with_calendar(tiny([1, 1]), ["2027-03", "2027-04"], cal, scaled, {"Line": 1})
    b = with_calendar(tiny([1, 1]), ["2027-03", "2027-04"], cal, given, {"Line": 1})
    assert list(solve(a).resources["hours_available"]) == pytest.approx([8, 4])
    assert list(solve(b).resources["hours_available"]) == pytest.approx([8, 8])


def test_the_standard_period_is_the_mean_weekdays_by_default():
    # 23 and 22 weekdays: a standard period of 22.5 days; March keeps 21 of them
    s = with_calendar(tiny([1, 1]), ["2027-03", "2027-04"], {"country": "DE"})
    assert s.working_day_factors() == pytest.approx([21 / 22.5, 22 / 22.5])


def test_calendar_errors_name_the_field():
    with pytest.raises(InputError, match=r"calendar: needs period labels"):
        with_calendar(tiny([1]), ["Jan"], {"country": "DE"})
    with pytest.raises(InputError, match=r"calendar\.country: .*'Atlantis'"):
        with_calendar(tiny([1]), ["2027-01"], {"country": "Atlantis"})
    with pytest.raises(InputError, match=r"calendar\.working_days: must have 2 values"):
        with_calendar(tiny([1, 1]), ["2027-01", "2027-02"], {"working_days": [5]})
