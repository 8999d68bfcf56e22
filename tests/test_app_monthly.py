"""AppTest of the company's monthly tables on the pages: the actuals on the Cycle page
reach the family S&OP sheet and stay in the store; a bad file is explained."""

from __future__ import annotations

import math
import os

import pandas as pd
import pytest
from apptests import open_app_page, shown
from streamlit.testing.v1 import AppTest

from sop_core.process.cycle import month_of
from sop_core.store.cycles import Cycles
from sop_core.store.scenarios import Store
from sop_core.store.workspaces import Workspaces

PAGE = "pages/cycle.py"
COMPANY = "Sample company"


@pytest.fixture(autouse=True)
def _tmp_store(tmp_path, monkeypatch):
    monkeypatch.setenv("SOP_DATABASE_URL", f"sqlite:///{tmp_path / 'store.sqlite'}")


def cycle_page() -> AppTest:
    at = open_app_page(PAGE, run_entry_first=True)  # seeds the sample company
    with Store(os.environ["SOP_DATABASE_URL"]) as store:
        if month_of() not in Cycles(store).months(COMPANY):
            Cycles(store).create(COMPANY, author="Ana")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def sheet(at: AppTest) -> pd.DataFrame:
    """The family S&OP sheet as shown (text: whole units, blank where none) read back as
    numbers (blank: NaN)."""
    shown = next(d.value for d in at.dataframe if "Forecast" in d.value.index)
    return shown.map(lambda c: float(c.replace(",", "").replace("−", "-")) if c else math.nan)


def test_actuals_uploaded_on_the_cycle_page_reach_the_sheet_and_are_kept():
    at = cycle_page()
    past = list(sheet(at).columns[:3])
    assert sheet(at).loc["Production actual", past].isna().all()
    name = at.selectbox(key="cycle_sheet_family").value  # the family the sheet shows
    rows = pd.DataFrame(
        {
            "family": name,
            "period": past,
            "production": [100.0, 200.0, 300.0],
            "inventory": [10.0, 20.0, 30.0],
            "backlog": [0.0, 5.0, 0.0],
        }
    )
    at.file_uploader(key="actual_upload").upload(
        "actuals.csv", rows.to_csv(index=False).encode(), "text/csv"
    ).run()
    assert not at.exception and not at.error
    family = sheet(at)
    assert list(family.loc["Production actual", past]) == [100.0, 200.0, 300.0]
    assert list(family.loc["Backlog actual", past]) == [0.0, 5.0, 0.0]
    # in the store, with who and what: a new session sees them
    with Store(os.environ["SOP_DATABASE_URL"]) as store:
        spaces = Workspaces(store)
        assert len(spaces.state(COMPANY).actuals) == 3
        assert "actuals from actuals.csv" in spaces.changes(COMPANY)[0].summary
    again = cycle_page()
    assert list(sheet(again).loc["Inventory actual", past]) == [10.0, 20.0, 30.0]


def test_a_bad_actuals_file_is_explained_and_nothing_is_kept():
    at = cycle_page()
    bad = b"family,period,production,inventory,backlog\nPumps,2026-01,-3,0,0\n"
    at.file_uploader(key="actual_upload").upload("actuals.csv", bad, "text/csv").run()
    assert not at.exception
    message = shown(at.error[0].value)
    assert "actuals.csv cannot be used" in message and "row 2, column production" in message
    with Store(os.environ["SOP_DATABASE_URL"]) as store:
        assert Workspaces(store).state(COMPANY).actuals.empty


def test_the_executive_exceptions_say_when_the_demand_review_is_open():
    from pathlib import Path

    from apptests import APP

    from sop_core.model.scenario import load_scenario
    from sop_core.process.business_plan import business_plan_template, write_business_plan

    cycle_page()  # this month's cycle, every step open
    budget = business_plan_template(
        load_scenario(Path(APP).parent / "data" / "sample_company.json")
    )
    at = open_app_page("pages/executive.py")
    at.file_uploader(key="budget_upload").upload(
        "budget.csv", write_business_plan(budget), "text/csv"
    ).run()
    assert not at.exception and not at.error
    exceptions = next(d.value for d in at.dataframe if "stake" in d.value.columns)
    assert "Demand review open" in set(exceptions["kind"])  # shown as "Exception"


def test_the_audit_trail_lists_the_business_plan_rows_with_who_changed_them():
    from sop_core.process.workspace import monthly_edits

    at = open_app_page("pages/audit.py")  # seeds the sample company
    with Store(os.environ["SOP_DATABASE_URL"]) as store:
        spaces = Workspaces(store)
        rows = pd.DataFrame(
            [{"family": "Watering", "period": "2027-01", "units": 10.0, "revenue": 250.0}]
        )
        spaces.apply(COMPANY, monthly_edits(spaces.state(COMPANY), "budget", rows), author="Fay")
    at.selectbox(key="audit_kind").set_value("Business plan").run()
    trail = at.dataframe[0].value
    assert list(trail["Who"]) == ["Fay"]
    assert list(trail["Object"]) == ["business plan Watering 2027-01"]
    at.selectbox(key="audit_kind").set_value("Actuals").run()
    assert at.dataframe[0].value.empty


def test_a_refused_file_stays_explained_while_it_is_in_the_uploader():
    at = cycle_page()
    bad = b"family,period,production,inventory,backlog\nPumps,2026-13,1,0,0\n"
    at.file_uploader(key="actual_upload").upload("actuals.csv", bad, "text/csv").run()
    assert "actuals.csv cannot be used" in shown(at.error[0].value)
    at.run()  # another rerun (any click): the refusal is still said
    assert "actuals.csv cannot be used" in shown(at.error[0].value)
