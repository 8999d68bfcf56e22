"""The monthly S&OP cycle: steps in order, sign-offs by role, frozen snapshots, the log
carried from month to month. On SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from factories import overwriting_inserts, red_tomato
from postgres_server import PostgresServer, drop_store_tables, fresh_database, postgres_server  # noqa: F401
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from sop_core.base.access import Actor, PermissionDenied
from sop_core.base.errors import InputError
from sop_core.process.cycle import (
    STEP_KEYS,
    check_month,
    log_frame,
    next_month,
    pending_for,
    previous_month,
    steps_frame,
)
from sop_core.process.workspace import Edit
from sop_core.store.cycles import CycleNotFound, Cycles
from sop_core.store.scenarios import Store
from sop_core.store.workspaces import Workspaces

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]

ANA = Actor("Ana", "ana@acme.example", frozenset({"demand_planner"}), signed_in=True)
SAM = Actor("Sam", "sam@acme.example", frozenset({"supply_planner"}), signed_in=True)
FAY = Actor("Fay", "fay@acme.example", frozenset({"finance"}), signed_in=True)
EVE = Actor("Eve", "eve@acme.example", frozenset({"executive"}), signed_in=True)
ADM = Actor("Al", "al@acme.example", frozenset({"admin"}), signed_in=True)
DEC, JAN = "2026-12", "2027-01"
TEXTBOOK_DEMAND = [1600.0, 3000.0, 3200.0, 3800.0, 2200.0, 2200.0]  # Chopra & Meindl


@pytest.fixture(scope="module")
def pg_database(request: pytest.FixtureRequest) -> str:
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return fresh_database(server, "test_cycle")


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'cycle.sqlite'}"
    else:
        url = request.getfixturevalue("pg_database")
        drop_store_tables(url)
    with Store(url) as s:
        Workspaces(s).create("Acme", author=ADM, scenario=red_tomato())
        yield s


@pytest.fixture
def cycles(store: Store) -> Cycles:
    return Cycles(store)


def audit_rows(store: Store) -> int:
    return len(store.audit())


def two_scenarios(store: Store) -> None:
    store.save(red_tomato(), author=SAM, name="Level")
    store.save(red_tomato(integer_workforce=True), author=SAM, name="Chase")


def through_supply(cycles: Cycles) -> None:
    cycles.create("Acme", DEC, author=ANA)
    cycles.sign_off("Acme", DEC, "data", author=ANA)
    cycles.sign_off("Acme", DEC, "demand", author=ANA, comment="promo in March agreed")
    two_scenarios(cycles.store)
    cycles.sign_off("Acme", DEC, "supply", author=SAM, recommended=["Level", ("Chase", 1)])
    cycles.sign_off("Acme", DEC, "finance", author=FAY)


# --------------------------------------------------------------------------- plain parts


def test_months_roll_over_the_year_and_bad_months_name_the_fix() -> None:
    assert next_month(DEC) == JAN and previous_month(JAN) == DEC
    assert next_month("2027-05") == "2027-06"
    for bad in ("2026-13", "Dec 2026", "", None):
        with pytest.raises(InputError, match="month such as '2026-12'"):
            check_month(bad)


# --------------------------------------------------------------------------- the store


def test_a_new_cycle_has_the_five_steps_open_with_their_owners(
    store: Store, cycles: Cycles
) -> None:
    before = audit_rows(store)
    cycle = cycles.create("Acme", DEC, author=ANA)
    assert cycle.label == "2026-12 cycle"
    assert [s.key for s in cycle.steps] == list(STEP_KEYS)
    assert [s.owner for s in cycle.steps] == [
        "demand planner", "demand planner", "supply planner", "finance", "executive"
    ]  # fmt: skip
    assert {s.status for s in cycle.steps} == {"open"}
    assert cycle.next_step.key == "data" and cycle.plan is None
    row = store.audit(limit=1).iloc[0]
    assert audit_rows(store) == before + 1
    assert (row.action, row.object_kind, row.object_key, row.who) == (
        "create", "cycle", DEC, "Ana"
    )  # fmt: skip
    with pytest.raises(InputError, match="has a 2026-12 cycle already"):
        cycles.create("Acme", DEC, author=ADM)
    with pytest.raises(CycleNotFound, match="its cycles: 2026-12"):
        cycles.get("Acme", JAN)


def test_a_step_cannot_be_signed_off_before_the_one_above_it(store: Store, cycles: Cycles) -> None:
    cycles.create("Acme", DEC, author=ANA)
    two_scenarios(store)
    before = audit_rows(store)
    with pytest.raises(InputError, match="before data gathering is signed off"):
        cycles.sign_off("Acme", DEC, "demand", author=ANA)
    with pytest.raises(InputError, match="before data gathering is signed off"):
        cycles.sign_off("Acme", DEC, "supply", author=SAM, recommended=["Level"])
    assert audit_rows(store) == before
    assert {s.status for s in cycles.get("Acme", DEC).steps} == {"open"}
    cycles.sign_off("Acme", DEC, "data", author=ANA)
    with pytest.raises(InputError, match="a sign-off is final"):
        cycles.sign_off("Acme", DEC, "data", author=ANA)


@pytest.mark.parametrize(
    ("actor", "change"),
    [
        (SAM, lambda c: c.create("Acme", JAN, author=SAM)),
        (SAM, lambda c: c.sign_off("Acme", DEC, "data", author=SAM)),
        (EVE, lambda c: c.sign_off("Acme", DEC, "data", author=EVE)),
        (ANA, lambda c: c.set_status("Acme", DEC, "supply", "in_review", author=ANA)),
        (ADM, lambda c: c.add_assumption("Acme", DEC, "x", owner="Al", author=ADM)),
        (ADM, lambda c: c.comment("Acme", DEC, "data", "x", author=ADM)),
    ],
)
def test_a_refused_cycle_change_says_who_may_and_writes_nothing(
    store: Store, cycles: Cycles, actor: Actor, change
) -> None:
    cycles.create("Acme", DEC, author=ANA)
    cycle, before = cycles.get("Acme", DEC), audit_rows(store)
    with pytest.raises(PermissionDenied) as err:
        change(cycles)
    assert "not allowed" in str(err.value) and actor.role_words in str(err.value)
    assert audit_rows(store) == before
    assert cycles.get("Acme", DEC) == cycle
    assert cycles.months("Acme") == [DEC]


def test_the_supply_planner_cannot_sign_off_the_demand_review(store: Store, cycles: Cycles) -> None:
    cycles.create("Acme", DEC, author=ANA)
    cycles.sign_off("Acme", DEC, "data", author=ANA)
    before = audit_rows(store)
    with pytest.raises(PermissionDenied, match="Only a demand planner may sign off the demand"):
        cycles.sign_off("Acme", DEC, "demand", author=SAM)
    assert audit_rows(store) == before and cycles.get("Acme", DEC).snapshot("consensus") is None


def test_the_demand_sign_off_freezes_the_consensus_and_later_edits_leave_it(
    store: Store, cycles: Cycles
) -> None:
    spaces = Workspaces(store)
    cycles.create("Acme", DEC, author=ANA)
    cycles.set_status("Acme", DEC, "data", "in_review", author=ANA)
    assert cycles.get("Acme", DEC).step("data").status == "in_review"
    cycles.sign_off("Acme", DEC, "data", author=ANA)
    cycle = cycles.sign_off("Acme", DEC, "demand", author=ANA, comment="promo agreed")
    demand = cycle.step("demand")
    assert demand.signed_off and demand.signed_off_by == "Ana <ana@acme.example>"
    assert [c.text for c in demand.comments] == ["promo agreed"]
    frozen = cycle.consensus()
    assert list(frozen["family"].unique()) == ["Garden tools"]
    assert list(frozen["period"]) == ["Jan", "Feb", "Mar", "Apr", "May", "Jun"]
    assert list(frozen["units"]) == TEXTBOOK_DEMAND
    # the planner changes the plan demand afterwards: the workspace moves, the snapshot not
    key = spaces.state("Acme").families[0].key
    new = [d + 100 for d in TEXTBOOK_DEMAND]
    spaces.apply("Acme", [Edit("family", key, TEXTBOOK_DEMAND, new, field="demand")], author=ANA)
    assert list(spaces.state("Acme").families[0].value["demand"]) == new
    assert list(cycles.get("Acme", DEC).consensus()["units"]) == TEXTBOOK_DEMAND


def test_the_demand_sign_off_freezes_the_statistical_forecast_given_with_the_consensus(
    store: Store, cycles: Cycles
) -> None:
    import pandas as pd

    cycles.create("Acme", DEC, author=ANA)
    cycles.sign_off("Acme", DEC, "data", author=ANA)
    statistical = pd.DataFrame(
        {
            "family": ["Garden tools"] * 5 + ["Not a family", "Garden tools"],
            "period": ["Jan", "Feb", "Mar", "Apr", "Apr", "Jan", "Jul"],
            "forecast": [1500.0, 2900.0, 3300.0, 3000.0, 700.0, 10.0, 99.0],
        }
    )  # two rows for April (SKUs): summed; a family and a period the plan lacks: left out
    cycle = cycles.sign_off("Acme", DEC, "demand", author=ANA, statistical=statistical)
    frozen = cycle.consensus()
    assert list(frozen["units"]) == TEXTBOOK_DEMAND
    assert list(frozen["statistical"][:4]) == [1500.0, 2900.0, 3300.0, 3700.0]
    assert frozen["statistical"][4:].isna().all()  # May and June had no value
    content = cycle.snapshot("consensus").content
    assert content["families"][0]["statistical"][4:] == [None, None]  # JSON null, not NaN


def test_an_old_consensus_snapshot_without_the_statistical_forecast_still_reads(
    store: Store, cycles: Cycles
) -> None:
    from sop_core.process.cycle import consensus_frame

    old = {"periods": ["Jan", "Feb"], "families": [{"name": "A", "demand": [1, 2]}]}
    frame = consensus_frame(old)
    assert list(frame["units"]) == [1.0, 2.0] and frame["statistical"].isna().all()
    cycles.create("Acme", DEC, author=ANA)
    cycles.sign_off("Acme", DEC, "data", author=ANA)
    cycle = cycles.sign_off("Acme", DEC, "demand", author=ANA)  # none given
    assert "statistical" not in cycle.snapshot("consensus").content["families"][0]
    assert cycle.consensus()["statistical"].isna().all()
    assert list(cycle.consensus()["units"]) == TEXTBOOK_DEMAND


def test_a_bad_statistical_forecast_is_named_and_nothing_is_signed_off(
    store: Store, cycles: Cycles
) -> None:
    import pandas as pd

    cycles.create("Acme", DEC, author=ANA)
    cycles.sign_off("Acme", DEC, "data", author=ANA)
    with pytest.raises(InputError, match=r"statistical: missing column forecast;"):
        cycles.sign_off(
            "Acme",
            DEC,
            "demand",
            author=ANA,
            statistical=pd.DataFrame({"family": [], "period": []}),
        )
    negative = pd.DataFrame({"family": ["Garden tools"], "period": ["Feb"], "forecast": [-5.0]})
    with pytest.raises(
        InputError,
        match=re.escape(
            "statistical.forecast: must be a number ≥ 0, got -5.0 for Garden tools in Feb"
        ),
    ):
        cycles.sign_off("Acme", DEC, "demand", author=ANA, statistical=negative)
    assert not cycles.get("Acme", DEC).step("demand").signed_off


def test_a_whole_cycle_recommends_two_scenarios_and_approves_one(
    store: Store, cycles: Cycles
) -> None:
    through_supply(cycles)
    cycle = cycles.get("Acme", DEC)
    assert cycle.recommended == [("Level", 1), ("Chase", 1)]
    # an executive cannot approve what the supply review did not recommend
    store.save(red_tomato(), author=SAM, name="Other")
    with pytest.raises(InputError, match="was not recommended"):
        cycles.sign_off("Acme", DEC, "executive", author=EVE, approve=("Other", 1))
    with pytest.raises(InputError, match="choose the scenario to approve"):
        cycles.sign_off("Acme", DEC, "executive", author=EVE)
    assert store.approved() is None
    # a new version of Chase after the supply review does not change what was recommended
    store.save(red_tomato(), author=SAM, name="Chase", base_version=1)
    cycle = cycles.sign_off("Acme", DEC, "executive", author=EVE, approve="Chase")
    assert cycle.complete and cycle.plan == ("Chase", 1)
    approved = store.approved()
    assert (approved.name, approved.version) == ("Chase", 1)
    trail = store.audit(object_kind="cycle")
    assert list(trail["action"]).count("sign off") == 5
    assert trail.iloc[0].who == "Eve" and "executive meeting" in trail.iloc[0].object


def test_an_executive_sign_off_refused_after_the_approval_ran_approves_nothing(
    store: Store, cycles: Cycles, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sop_core.process.cycle import Cycle

    through_supply(cycles)
    before = audit_rows(store)
    checks = {"n": 0}
    real = Cycle.why_not_sign_off

    def second_check_fails(self: Cycle, key: str) -> str | None:
        # the check before the transaction passes; the re-check inside it, after the
        # approval was written, finds the step signed off by someone else meanwhile
        checks["n"] += 1
        if key == "executive" and checks["n"] == 2:
            return "Executive meeting was signed off by Someone Else; a sign-off is final."
        return real(self, key)

    monkeypatch.setattr(Cycle, "why_not_sign_off", second_check_fails)
    with pytest.raises(InputError, match="signed off by Someone Else"):
        cycles.sign_off("Acme", DEC, "executive", author=EVE, approve="Chase")
    assert checks["n"] == 2  # the refusal came after the approval part had run
    assert store.approved() is None
    assert store.open("Chase").status != "approved"
    assert audit_rows(store) == before  # neither the approval nor the sign-off
    cycle = cycles.get("Acme", DEC)
    assert not cycle.step("executive").signed_off and cycle.plan is None
    # once nothing is in the way, the same sign-off approves it
    monkeypatch.setattr(Cycle, "why_not_sign_off", real)
    cycles.sign_off("Acme", DEC, "executive", author=EVE, approve="Chase")
    assert (store.approved().name, store.approved().version) == ("Chase", 1)
    assert audit_rows(store) == before + 2  # the approval and the sign-off, together


def test_snapshots_and_signed_off_steps_cannot_be_changed_in_the_database(
    store: Store, cycles: Cycles
) -> None:
    through_supply(cycles)
    frozen = cycles.get("Acme", DEC)
    for sql, match in (
        ("UPDATE sop_cycle_snapshot SET content = '{}'", "append-only"),
        ("DELETE FROM sop_cycle_snapshot", "append-only"),
        ("UPDATE sop_cycle_comment SET text = 'x'", "append-only"),
        ("UPDATE sop_cycle_step SET signed_off_by = 'mallory' WHERE step = 'demand'", "signed-off"),
        ("DELETE FROM sop_cycle_step WHERE step = 'data'", "signed-off"),
    ):
        with pytest.raises(DBAPIError, match=match), store.engine.begin() as conn:
            conn.execute(text(sql))
    assert cycles.get("Acme", DEC) == frozen
    # a step not signed off yet can still move (that is how sign-off writes it)
    with store.engine.begin() as conn:
        conn.execute(
            text("UPDATE sop_cycle_step SET status = 'in_review' WHERE step = 'executive'")
        )
    assert cycles.get("Acme", DEC).step("executive").status == "in_review"


def test_snapshots_comments_and_signed_off_steps_cannot_be_overwritten_by_an_insert(
    store: Store, cycles: Cycles
) -> None:
    """SQLite's INSERT OR REPLACE deletes the old row without firing its delete trigger;
    an upsert (SQLite, PostgreSQL) updates it: both are refused on what is frozen."""
    through_supply(cycles)
    frozen = cycles.get("Acme", DEC)
    with store.engine.connect() as conn:
        rows = {
            table: dict(conn.execute(text(f"SELECT * FROM {table} {where}")).mappings().one())
            for table, where in (
                ("sop_cycle_snapshot", "ORDER BY id LIMIT 1"),
                ("sop_cycle_comment", "ORDER BY id LIMIT 1"),
                ("sop_cycle_step", "WHERE step = 'demand'"),
            )
        }
        new_id = conn.execute(text("SELECT max(id) + 100 FROM sop_cycle_step")).scalar_one()
    step = rows["sop_cycle_step"]
    forgeries = [  # table, forged row, conflict key, refusal
        (
            "sop_cycle_snapshot",
            {**rows["sop_cycle_snapshot"], "content": "{}", "taken_by": "mallory"},
            ("id",),
            "append-only",
        ),
        (
            "sop_cycle_comment",
            {**rows["sop_cycle_comment"], "text": "x", "author": "mallory"},
            ("id",),
            "append-only",
        ),
        ("sop_cycle_step", {**step, "signed_off_by": "mallory"}, ("id",), "signed-off"),
        # another id, the same (cycle, step): REPLACE would delete the signed-off row
        (
            "sop_cycle_step",
            {**step, "id": new_id, "status": "open", "signed_off_by": None, "signed_off_at": None},
            ("cycle_id", "step"),
            "signed-off",
        ),
    ]
    for table, forged, key, match in forgeries:
        for sql in overwriting_inserts(store.is_sqlite, table, tuple(forged), key):
            with pytest.raises(DBAPIError, match=match), store.engine.begin() as conn:
                conn.execute(text(sql), forged)
    with store.engine.connect() as conn:
        for table, row in rows.items():
            after = conn.execute(text(f"SELECT * FROM {table} WHERE id = :id"), row).mappings()
            assert dict(after.one()) == row
    assert cycles.get("Acme", DEC) == frozen
    # a step not signed off yet can still be written over
    with store.engine.connect() as conn:
        open_step = dict(
            conn.execute(text("SELECT * FROM sop_cycle_step WHERE step = 'executive'"))
            .mappings()
            .one()
        )
    for sql in overwriting_inserts(store.is_sqlite, "sop_cycle_step", tuple(open_step)):
        with store.engine.begin() as conn:
            conn.execute(text(sql), {**open_step, "status": "in_review"})
    assert cycles.get("Acme", DEC).step("executive").status == "in_review"


def test_next_month_carries_open_assumptions_and_decisions_and_reads_the_plan(
    store: Store, cycles: Cycles
) -> None:
    through_supply(cycles)
    cycles.sign_off("Acme", DEC, "executive", author=EVE, approve=("Level", 1))
    kept = cycles.add_assumption(
        "Acme", DEC, "Garden centres restock in March", owner="Ana", family="Garden tools",
        author=ANA,
    )  # fmt: skip
    done = cycles.add_decision(
        "Acme", DEC, "Hire 5 temps for spring", owner="Eve", due=date(2027, 2, 1), author=EVE
    )
    cycles.close("Acme", DEC, done, author=SAM)
    dec = log_frame(cycles.get("Acme", DEC))
    assert list(dec["status"]) == ["open", "closed"] and not dec["carried"].any()
    assert dec.set_index("id").loc[done, "closed_by"] == "Sam <sam@acme.example>"

    jan = cycles.create("Acme", JAN, author=ANA)
    assert [s.status for s in jan.steps] == ["open"] * 5
    log = log_frame(jan)
    assert list(log["id"]) == [kept]  # the closed decision stays behind
    assert log.iloc[0]["carried"] and log.iloc[0]["raised"] == DEC
    assert log.iloc[0]["family"] == "Garden tools"
    last = cycles.previous("Acme", JAN)
    assert last is not None and last.plan == ("Level", 1)
    assert list(last.consensus()["units"]) == TEXTBOOK_DEMAND
    # closing it in January: December's cycle still shows it open, January's closed
    cycles.close("Acme", JAN, kept, author=ANA)
    assert log_frame(cycles.get("Acme", DEC)).set_index("id").loc[kept, "status"] == "open"
    assert log_frame(cycles.get("Acme", JAN)).set_index("id").loc[kept, "status"] == "closed"
    with pytest.raises(InputError, match="was closed by Ana"):
        cycles.close("Acme", JAN, kept, author=ANA)
    assert cycles.current("Acme", date(2027, 1, 15)).month == JAN
    assert cycles.current("Acme", date(2027, 3, 1)).month == JAN
    assert cycles.current("Acme", date(2026, 11, 1)) is None


def test_what_waits_for_whom(store: Store, cycles: Cycles) -> None:
    cycles.create("Acme", DEC, author=ANA)
    cycles.sign_off("Acme", DEC, "data", author=ANA)
    cycle = cycles.get("Acme", DEC)
    frame = steps_frame(cycle, SAM).set_index("step")
    assert frame.loc["data", "status"] == "signed off" and frame.loc["data", "waiting_for"] == ""
    assert frame.loc["demand", "waiting_for"] == "the demand planner"
    assert frame.loc["supply", "waiting_for"] == "demand review first"
    assert not frame["yours"].any()  # Sam's step is not next yet
    assert steps_frame(cycle, ANA).set_index("step")["yours"].to_dict() == {
        "data": False, "demand": True, "supply": False, "finance": False, "executive": False
    }  # fmt: skip
    assert [s.key for s in pending_for(cycle, ANA)] == ["demand"]
    assert [s.key for s in pending_for(cycle, SAM)] == ["supply"]
    assert cycle.why_not_sign_off("finance") == (
        "Pre-meeting / financial reconciliation cannot be signed off before demand review "
        "is signed off (the demand planner's step)."
    )


def test_the_demand_review_of_a_company_without_families_says_what_is_missing(
    store: Store, cycles: Cycles
) -> None:
    Workspaces(store).create("Empty", author=ADM)
    cycles.create("Empty", DEC, author=ADM)
    cycles.sign_off("Empty", DEC, "data", author=ANA)
    with pytest.raises(InputError, match=r"nothing to freeze.*no product family"):
        cycles.sign_off("Empty", DEC, "demand", author=ANA)
    assert not cycles.get("Empty", DEC).step("demand").signed_off
