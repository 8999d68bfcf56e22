"""A company's plans on their way out (sop_core.services.exports, and the company's plans
of sop_core.services.plans they are of): the rows hand-checked, the push to another
database in one transaction, the weekly SKU schedule of the approved plan.

The company "Acme" plans one family, Pumps, for three months: one worker of 10 regular
hours at $1 a period, 1 hour and $1 of material a unit, hiring and layoffs free, backlog
$2 a unit a period. Its approved plan "Base" has demand 10, 10, 10: one worker makes 10
a month, nothing held, nothing owed. The plan as it stands has demand 20, 10, 10 and a
one-month time fence: January is held at the approved 10, so 10 wait as backlog and
February makes 20 with a second worker hired (for free) and laid off again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from factories import ACME_MONTHS as MONTHS
from factories import acme_scenario, seed_acme
from postgres_server import PostgresServer, fresh_database, postgres_server  # noqa: F401
from sqlalchemy import create_engine, text

from sop_core.base.errors import InputError
from sop_core.model.whatif import WhatIf
from sop_core.services import exports, plans
from sop_core.services.plans import NoApprovedPlan
from sop_core.services.workbench import Workbench, connect


@pytest.fixture
def wb(tmp_path: Path) -> Workbench:
    with connect(f"sqlite:///{tmp_path / 'store.sqlite'}") as opened:
        yield opened


def column(rows: pd.DataFrame, name: str) -> list[Any]:
    return [float(v) for v in rows[name]]


# --------------------------------------------------------------------------- the plans


def test_the_approved_plans_rows_are_one_worker_making_ten_a_month(wb):
    seed_acme(wb)
    got = exports.plan_rows(wb, "Acme")
    rows = got.rows
    assert list(rows.columns) == list(exports.PLAN_ROW_COLUMNS)
    assert list(rows["scenario"]) == ["Base"] * 3 and list(rows["version"]) == [1, 1, 1]
    assert list(rows["period"]) == MONTHS and set(rows["family"]) == {"Pumps"}
    assert column(rows, "production") == pytest.approx([10, 10, 10])
    assert column(rows, "inventory") == pytest.approx([0, 0, 0])
    assert column(rows, "backorder") == pytest.approx([0, 0, 0])
    assert column(rows, "workforce") == pytest.approx([1, 1, 1])
    assert got.plan.label == "approved plan Base v1"
    assert got.plan.result.total_cost == pytest.approx(3 * 1 + 30 * 1)  # labour + material


def test_the_plan_as_it_stands_is_held_in_january_by_the_fence(wb):
    seed_acme(wb)
    rows = exports.plan_rows(wb, "Acme", approved=False).rows
    assert list(rows["scenario"]) == ["Acme plan"] * 3
    assert rows["version"].isna().all(), "no stored version: the plan as it stands"
    assert column(rows, "production") == pytest.approx([10, 20, 10])  # held, then caught up
    assert column(rows, "backorder") == pytest.approx([10, 0, 0])
    assert column(rows, "workforce") == pytest.approx([1, 2, 1])
    assert column(rows, "hires") == pytest.approx([0, 1, 0])


def test_without_the_fence_january_makes_its_twenty(wb):
    seed_acme(wb, approve=False)  # nothing approved: the fence holds nothing
    plan = plans.company_plan(wb, "Acme")
    assert plan.held is None and plan.fence.approved is None
    production = plan.result.families["production"].tolist()
    assert production == pytest.approx([20, 10, 10])


def test_a_kept_whatif_is_planned_with_its_levers(wb):
    seed_acme(wb)
    plans.keep_whatif(
        wb,
        "Acme",
        "Level",
        acme_scenario([20.0, 10.0, 10.0]),
        WhatIf(strategy="level"),
        author="ann",
        approved=plans.company_fence(wb, "Acme").plan,
    )
    plan = plans.company_plan(wb, "Acme", "Level")
    assert plan.label == "what-if Level (level workforce)"
    assert plan.scenario.policy.strategy == "level"
    with pytest.raises(InputError, match=r"^whatif: Acme keeps no what-if 'Chase'; kept: 'Level'$"):
        plans.company_plan(wb, "Acme", "Chase")


def test_no_approved_plan_is_refused_naming_it(wb):
    seed_acme(wb, approve=False)
    with pytest.raises(NoApprovedPlan) as caught:
        exports.plan_rows(wb, "Acme")
    assert str(caught.value) == (
        "approved: 'Acme' has no approved plan yet; approve one of its scenarios "
        "(Scenarios page, or the executive meeting of its cycle)"
    )
    with pytest.raises(InputError, match="company: 'Nobody' not found"):
        exports.plan_rows(wb, "Nobody")


# --------------------------------------------------------------------------- the schedule


def test_the_schedule_splits_each_month_six_to_four_as_the_skus_sell(wb):
    seed_acme(wb)
    got = exports.schedule_rows(wb, "Acme")
    rows = got.rows
    assert list(rows.columns) == list(exports.SCHEDULE_ROW_COLUMNS)
    assert got.history_name == "pumps.csv"
    assert set(rows["scenario"]) == {"Base"} and set(rows["version"]) == {1}
    made = rows.groupby("sku")["made"].sum()
    assert made.sum() == pytest.approx(30), "the family's three months of 10, exactly"
    assert made["P-6"] == pytest.approx(18) and made["P-4"] == pytest.approx(12)
    firm = rows.loc[rows["firm"], "week"].unique().tolist()
    assert firm == ["2026-12-28", "2027-01-04", "2027-01-11", "2027-01-18", "2027-01-25"]


def test_a_schedule_needs_the_sales_history(wb):
    seed_acme(wb, history=False)
    with pytest.raises(InputError, match=r"^history: 'Acme' has no sales history; upload one"):
        exports.schedule_rows(wb, "Acme")


# --------------------------------------------------------------------------- another database


def rows_in(url: str, table: str) -> pd.DataFrame:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return pd.read_sql(text(f"SELECT * FROM {table}"), conn)
    finally:
        engine.dispose()


def check_push(rows: pd.DataFrame, url: str) -> None:
    """Write, refuse a second write, append, replace; each read back."""
    assert exports.push_rows(rows, url, "sop_plan") == 3
    back = rows_in(url, "sop_plan")
    assert list(back.columns) == list(exports.PLAN_ROW_COLUMNS)
    assert back["production"].tolist() == pytest.approx(rows["production"].tolist())
    assert back["version"].tolist() == [1, 1, 1]
    with pytest.raises(InputError, match=r"^if_exists: table 'sop_plan' already exists in "):
        exports.push_rows(rows, url, "sop_plan")
    exports.push_rows(rows, url, "sop_plan", if_exists="append")
    assert len(rows_in(url, "sop_plan")) == 6
    exports.push_rows(rows.head(1), url, "sop_plan", if_exists="replace")
    assert len(rows_in(url, "sop_plan")) == 1


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database to push to: a SQLite file, or a database on a real PostgreSQL
    server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'target.sqlite'}"
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return fresh_database(server, "exports_target")


def test_rows_pushed_to_another_database_read_back_the_same(wb, target):
    seed_acme(wb)
    check_push(exports.plan_rows(wb, "Acme").rows, target)


def test_a_write_failing_half_way_writes_nothing(wb, target):
    """The target's table refuses February's row: January's, inserted first, is rolled
    back with it."""
    seed_acme(wb)
    rows = exports.plan_rows(wb, "Acme").rows
    engine = create_engine(target)
    columns = ", ".join(f"{c} {'TEXT' if c in ('scenario', 'period', 'family') else 'FLOAT'}"
                        for c in rows.columns)  # fmt: skip
    with engine.begin() as conn:
        conn.execute(text(f"CREATE TABLE sop_plan ({columns}, CHECK (period <> '2027-02'))"))
    engine.dispose()
    with pytest.raises(InputError) as caught:
        exports.push_rows(rows, target, "sop_plan", if_exists="append")
    message = str(caught.value)
    assert message.startswith("table: cannot write 3 rows to 'sop_plan' in ")
    assert message.endswith("; nothing was written")
    assert "constraint" in message.lower()
    assert rows_in(target, "sop_plan").empty


@pytest.mark.parametrize(
    ("url", "table", "message"),
    [
        ("not a url", "t", "to: 'not a url' is not a database URL; use e.g. "),
        ("nosuch://u:pw@host/db", "t", "to: nosuch://u:***@host/db: no driver for it here"),
        ("sqlite:///{tmp}/x.sqlite", "drop table;", "table: 'drop table;' is not a table name"),
        ("sqlite:///{tmp}/no/such/dir/x.sqlite", "t", "to: cannot connect to sqlite:///"),
    ],
)
def test_a_bad_target_is_refused_naming_the_field(wb, tmp_path, url, table, message):
    seed_acme(wb)
    rows = exports.plan_rows(wb, "Acme").rows
    with pytest.raises(InputError) as caught:
        exports.push_rows(rows, url.replace("{tmp}", str(tmp_path)), table)
    assert str(caught.value).startswith(message.replace("{tmp}", str(tmp_path)))
    assert "pw" not in str(caught.value)
