"""The scenario store, on SQLite and on a real PostgreSQL server (no mocks of the database)."""

from __future__ import annotations

import json
import math
import os
import sqlite3
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from factories import two_period_dict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from postgres_server import PostgresServer, drop_store_tables, fresh_database, postgres_server  # noqa: F401
from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.exc import IntegrityError

from sop_core.base.errors import InputError, StoreUnavailable
from sop_core.model.scenario import Scenario, parse_scenario
from sop_core.store.scenarios import (
    COMPARISON_COLUMNS,
    ScenarioNotFound,
    Store,
    StoreConflict,
    comparison_frame,
    solved_fields,
)
from sop_core.store.session import DEFAULT_SQLITE_PATH, ENV_VAR, database_url

REPO = Path(__file__).resolve().parent.parent


scenario_dict = two_period_dict


def make(name: str = "Base", demand: list[float] | None = None) -> Scenario:
    return parse_scenario(scenario_dict(name, demand))


BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(scope="module")
def pg_database(request: pytest.FixtureRequest) -> str:
    """One PostgreSQL database for this module; each test starts with no tables."""
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return fresh_database(server, "test_store")


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty store database: a SQLite file, or the PostgreSQL test database emptied."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'scenarios.sqlite'}"
    url: str = request.getfixturevalue("pg_database")
    engine = create_engine(url)
    if inspect(engine).has_table("sop_scenario"):  # faster than dropping the tables
        with engine.begin() as conn:
            conn.execute(text("TRUNCATE sop_scenario, sop_scenario_version RESTART IDENTITY"))
    engine.dispose()
    return url


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    with Store(db_url) as s:
        yield s


KPIS = {"total_cost": 1000.0, "fill_rate": 0.95, "margin": None}
COSTS = {"regular_labour": 600.0, "holding": 400.0}
PROVENANCE = {
    "history": "data/sample_history.csv",
    "forecast": "auto",
    "adjustments": [{"family": "Garden tools", "period": "Feb", "delta": 20}],
}


# --------------------------------------------------------------------------- save / open


def test_tables_are_created_on_first_use(db_url: str) -> None:
    drop_store_tables(db_url)
    engine = create_engine(db_url)
    assert "sop_scenario" not in inspect(engine).get_table_names()
    Store(db_url).close()
    assert {"sop_scenario", "sop_scenario_version"} <= set(inspect(engine).get_table_names())
    engine.dispose()


def test_save_then_open_returns_everything_saved(store: Store) -> None:
    info = store.save(
        make(),
        author="Ann",
        note="first cut",
        provenance=PROVENANCE,
        kpis=KPIS,
        cost_breakdown=COSTS,
        solve_status="optimal",
    )
    assert (info.name, info.version, info.author, info.total_cost) == ("Base", 1, "Ann", 1000.0)
    got = store.open("Base")
    assert got.scenario == make()
    assert got.version == got.latest_version == 1
    assert got.status == "draft" and got.approved_version is None
    assert got.provenance == PROVENANCE
    assert got.kpis == KPIS
    assert list(got.kpis) == list(KPIS), "KPI order is kept"
    assert got.cost_breakdown == COSTS
    assert got.solve_status == "optimal"
    assert (got.note, got.author) == ("first cut", "Ann")
    assert got.created_at.utcoffset().total_seconds() == 0
    assert abs((got.created_at - info.created_at).total_seconds()) < 1e-3
    assert got.label == "Base v1" and got.is_latest


def test_the_stored_scenario_is_the_scenario_file_json(store: Store) -> None:
    store.save(make("Peak 2027", [5.0, 7.5]), author="Ann")
    with store.engine.connect() as conn:
        raw = conn.execute(text("SELECT scenario FROM sop_scenario_version")).scalar_one()
    data = json.loads(raw) if isinstance(raw, str) else raw
    assert data == json.loads(make("Peak 2027", [5.0, 7.5]).to_json())


def test_unsolved_scenario_has_no_kpis_and_nan_is_kept_as_none(store: Store) -> None:
    store.save(make(), author="Ann")
    assert store.open("Base").kpis is None
    assert store.open("Base").cost_breakdown is None
    store.save(make(), author="Ann", base_version=1, kpis={"margin": math.nan, "x": 2})
    assert store.open("Base").kpis == {"margin": None, "x": 2.0}


def test_name_defaults_to_the_scenario_name_and_can_be_overridden(store: Store) -> None:
    store.save(make("From file"), author="Ann")
    store.save(make("From file"), author="Ann", name="  Lean  ")
    assert store.names() == ["From file", "Lean"]
    assert store.open("Lean").scenario.name == "Lean"


def test_saving_again_keeps_earlier_versions(store: Store) -> None:
    store.save(make(demand=[1, 2]), author="Ann", note="v1", kpis={"total_cost": 1.0})
    store.save(make(demand=[3, 4]), author="Bob", base_version=1, note="v2")
    store.save(make(demand=[5, 6]), author="Ann", base_version=2, note="v3")
    assert [v.version for v in store.versions("Base")] == [1, 2, 3]
    assert [v.note for v in store.versions("Base")] == ["v1", "v2", "v3"]
    assert [v.author for v in store.versions("Base")] == ["Ann", "Bob", "Ann"]
    assert store.versions("Base")[0].total_cost == 1.0
    assert store.open("Base", 1).scenario.families[0].demand == [1, 2]
    assert store.open("Base", 2).scenario.families[0].demand == [3, 4]
    latest = store.open("Base")
    assert latest.version == 3 and latest.scenario.families[0].demand == [5, 6]
    assert not store.open("Base", 2).is_latest


def test_list_shows_status_author_and_time_of_the_latest_version(store: Store) -> None:
    store.save(make("B"), author="Ann", kpis={"total_cost": 7.0})
    store.save(make("B"), author="Bob", base_version=1, note="line one\nline two")
    store.save(make("A"), author="Cy")
    rows = store.list_scenarios()
    assert [r.name for r in rows] == ["A", "B"]
    b = rows[1]
    assert (b.status, b.latest_version, b.author, b.created_by) == ("draft", 2, "Bob", "Ann")
    assert b.note == "line one\nline two" and b.total_cost is None
    assert b.saved_at >= b.created_at
    frame = store.list_frame()
    assert list(frame.columns) == [
        "name",
        "status",
        "latest_version",
        "approved_version",
        "author",
        "saved_at",
        "note",
        "created_by",
        "created_at",
        "total_cost",
    ]
    assert frame["latest_version"].tolist() == [1, 2]
    assert str(frame["saved_at"].dt.tz) == "UTC"
    assert frame["approved_version"].isna().all()


def test_empty_store_lists_nothing(store: Store) -> None:
    assert store.list_scenarios() == []
    assert store.list_frame().empty
    assert store.approved() is None


# --------------------------------------------------------------------------- concurrency


def test_saving_a_new_scenario_under_a_taken_name_is_a_conflict(store: Store) -> None:
    store.save(make(), author="Ann")
    with pytest.raises(StoreConflict) as caught:
        store.save(make(), author="Bob")
    exc = caught.value
    assert exc.latest is not None and (exc.latest.version, exc.latest.author) == (1, "Ann")
    assert str(exc).startswith("name: scenario 'Base' already exists (version 1, saved by Ann at ")
    assert "save it as version 2 with base_version=1, or choose another name" in str(exc)
    assert store.count_versions() == 1


def test_two_sessions_saving_the_same_scenario_never_overwrite(db_url: str) -> None:
    with Store(db_url) as ann_store, Store(db_url) as bob_store:
        ann_store.save(make(), author="Ann")
        ann = ann_store.open("Base")
        bob = bob_store.open("Base")
        ann_store.save(make(demand=[1, 1]), author="Ann", base_version=ann.version)
        with pytest.raises(StoreConflict) as caught:
            bob_store.save(make(demand=[2, 2]), author="Bob", base_version=bob.version)
        exc = caught.value
        assert exc.latest is not None and (exc.latest.version, exc.latest.author) == (2, "Ann")
        assert str(exc).startswith(
            "base_version: scenario 'Base' has a newer version 2 (saved by Ann at "
        )
        assert str(exc).endswith(
            "than the version 1 you started from; nothing was overwritten — save yours as "
            "version 3 with base_version=2, or open version 2 first"
        )
        # Bob keeps his work as a new version; Ann's is still there
        saved = bob_store.save(make(demand=[2, 2]), author="Bob", base_version=exc.latest.version)
        assert saved.version == 3
        assert ann_store.open("Base", 2).scenario.families[0].demand == [1, 1]
        assert ann_store.open("Base", 3).scenario.families[0].demand == [2, 2]


def test_simultaneous_saves_from_many_sessions_let_exactly_one_win(db_url: str) -> None:
    n = 4
    with Store(db_url) as first:
        first.save(make(), author="Ann")
    stores = [Store(db_url) for _ in range(n)]
    barrier = threading.Barrier(n)
    outcomes: list[str] = []

    def save(i: int) -> None:
        barrier.wait()
        try:
            stores[i].save(make(demand=[i, i]), author=f"user{i}", base_version=1)
            outcomes.append("saved")
        except StoreConflict as exc:
            assert exc.latest is not None and exc.latest.version == 2
            outcomes.append("conflict")
        except Exception as exc:  # any other error (e.g. "database is locked") fails below
            outcomes.append(repr(exc))

    threads = [threading.Thread(target=save, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    for s in stores:
        s.close()
    assert sorted(outcomes) == ["conflict"] * (n - 1) + ["saved"]
    with Store(db_url) as check:
        assert [v.version for v in check.versions("Base")] == [1, 2]


def test_a_crash_between_insert_and_commit_leaves_the_last_good_version(store: Store) -> None:
    store.save(make(demand=[1, 1]), author="Ann", kpis={"total_cost": 1.0})
    rows_seen: list[int] = []

    def power_cut(conn: Any) -> None:
        # the new version row is already inserted in this transaction...
        rows_seen.append(conn.exec_driver_sql("SELECT count(*) FROM sop_scenario_version").scalar())
        raise RuntimeError("power cut")  # ...and the commit never happens

    event.listen(store.engine, "commit", power_cut)
    try:
        with pytest.raises(RuntimeError, match="power cut"):
            store.save(make(demand=[9, 9]), author="Bob", base_version=1, note="lost")
    finally:
        event.remove(store.engine, "commit", power_cut)
    assert rows_seen == [2]
    with Store(store._url) as other:
        latest = other.open("Base")
        assert (latest.version, latest.latest_version) == (1, 1)
        assert latest.scenario.families[0].demand == [1, 1]
        assert other.count_versions() == 1
    # the store still works and the next save is version 2
    assert store.save(make(demand=[2, 2]), author="Bob", base_version=1).version == 2


CRASHING_SAVE = """
import os, sys
from sqlalchemy import event
from sop_core.store.scenarios import Store
store = Store(sys.argv[1])
item = store.open("Base")
event.listen(store.engine, "commit", lambda conn: os._exit(17))
store.save(item.scenario, author="Crash", base_version=item.version, note="never")
"""


def test_a_process_killed_in_the_middle_of_a_save_loses_nothing(store: Store) -> None:
    store.save(make(demand=[1, 1]), author="Ann")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.run(
        [sys.executable, "-c", CRASHING_SAVE, store._url],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 17, proc.stderr
    assert [v.version for v in store.versions("Base")] == [1]
    assert store.open("Base").scenario.families[0].demand == [1, 1]
    # no lock or half-written row is left behind
    assert store.save(make(demand=[2, 2]), author="Bob", base_version=1).version == 2


# --------------------------------------------------------------------------- manage


def test_duplicate_copies_a_version_into_a_new_draft(store: Store) -> None:
    store.save(make(demand=[1, 1]), author="Ann", kpis=KPIS, provenance=PROVENANCE)
    store.save(make(demand=[2, 2]), author="Ann", base_version=1)
    store.approve("Base", author="Boss")
    info = store.duplicate("Base", "Base copy", author="Bob", version=1)
    assert (info.name, info.version, info.author) == ("Base copy", 1, "Bob")
    copy = store.open("Base copy")
    assert copy.status == "draft" and copy.note == "duplicate of 'Base' v1"
    assert copy.scenario == make("Base copy", [1, 1])
    assert copy.kpis == KPIS and copy.provenance == PROVENANCE
    assert store.open("Base").latest_version == 2, "the source is unchanged"
    with pytest.raises(InputError) as caught:
        store.duplicate("Base", "Base copy", author="Bob")
    assert str(caught.value) == "new_name: scenario 'Base copy' already exists; choose another name"


def test_rename_moves_all_versions(store: Store) -> None:
    store.save(make(), author="Ann")
    store.save(make(), author="Ann", base_version=1)
    store.save(make("Other"), author="Ann")
    store.rename("Base", "Peak 2027", author="ana")
    assert store.names() == ["Other", "Peak 2027"]
    assert [v.version for v in store.versions("Peak 2027")] == [1, 2]
    assert store.open("Peak 2027", 1).scenario.name == "Peak 2027"
    with pytest.raises(InputError) as caught:
        store.rename("Peak 2027", "Other", author="ana")
    assert str(caught.value) == "new_name: scenario 'Other' already exists; choose another name"
    store.rename("Other", "Other", author="ana")  # same name: nothing to do
    assert store.names() == ["Other", "Peak 2027"]


def test_delete_removes_the_scenario_and_its_versions(store: Store) -> None:
    store.save(make(), author="Ann")
    store.save(make(), author="Ann", base_version=1)
    store.save(make("Keep"), author="Ann")
    store.delete("Base", author="ana")
    assert store.names() == ["Keep"]
    assert store.count_versions() == 1, "versions go with it (foreign key cascade)"
    with pytest.raises(ScenarioNotFound):
        store.open("Base")


def test_delete_refuses_when_a_newer_version_was_saved_since(store: Store) -> None:
    store.save(make(), author="Ann")
    store.save(make(), author="Bob", base_version=1)
    with pytest.raises(StoreConflict) as caught:
        store.delete("Base", author="ana", expected_version=1)
    message = str(caught.value)
    assert message.startswith("expected_version: scenario 'Base' has version 2 (saved by Bob at")
    assert message.endswith(
        "after the version 1 you saw; nothing was deleted — open it and check before deleting"
    )
    assert store.names() == ["Base"]
    store.delete("Base", author="ana", expected_version=2)
    assert store.names() == []


def test_saving_on_top_of_a_deleted_scenario_is_refused(store: Store) -> None:
    store.save(make(), author="Ann")
    store.delete("Base", author="ana")
    with pytest.raises(ScenarioNotFound) as caught:
        store.save(make(), author="Ann", base_version=1)
    assert str(caught.value) == (
        "name: scenario 'Base' no longer exists (deleted or renamed after you opened "
        "version 1); save it as a new scenario with base_version=None"
    )


# --------------------------------------------------------------------------- approval


def test_only_one_scenario_is_approved_at_a_time(store: Store) -> None:
    store.save(make("A"), author="Ann")
    store.save(make("B"), author="Ann")
    store.approve("A", author="Boss")
    assert store.approved().name == "A"
    store.approve("B", author="Boss")
    statuses = {r.name: (r.status, r.approved_version) for r in store.list_scenarios()}
    assert statuses == {"A": ("proposed", None), "B": ("approved", 1)}
    approved = store.approved()
    assert approved is not None and approved.approved_by == "Boss"
    assert approved.approved_at is not None and approved.is_approved_version


def test_the_database_itself_refuses_a_second_approved_scenario(store: Store) -> None:
    store.save(make("A"), author="Ann")
    store.save(make("B"), author="Ann")
    store.approve("A", author="Boss")
    with pytest.raises(IntegrityError), store.engine.begin() as conn:
        conn.execute(text("UPDATE sop_scenario SET status = 'approved' WHERE name = 'B'"))


def test_simultaneous_approvals_leave_exactly_one_approved(db_url: str) -> None:
    with Store(db_url) as setup:
        for name in ("A", "B", "C"):
            setup.save(make(name), author="Ann")
    stores = [Store(db_url) for _ in range(3)]
    barrier = threading.Barrier(3)
    outcomes: list[str] = []

    def approve(i: int) -> None:
        barrier.wait()
        try:
            stores[i].approve("ABC"[i], author=f"boss{i}")
            outcomes.append("approved")
        except StoreConflict as exc:
            assert str(exc).startswith("status: another scenario was approved at the same moment")
            outcomes.append("conflict")
        except Exception as exc:
            outcomes.append(repr(exc))

    threads = [threading.Thread(target=approve, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    for s in stores:
        s.close()
    assert len(outcomes) == 3 and set(outcomes) <= {"approved", "conflict"}, outcomes
    with Store(db_url) as check:
        assert [r.status for r in check.list_scenarios()].count("approved") == 1


def test_the_approved_version_stays_pinned_when_newer_versions_are_saved(store: Store) -> None:
    store.save(make(demand=[1, 1]), author="Ann")
    store.approve("Base", author="Boss")
    store.save(make(demand=[2, 2]), author="Ann", base_version=1)
    approved = store.approved()
    assert approved is not None and approved.version == 1
    assert approved.scenario.families[0].demand == [1, 1]
    assert not store.open("Base").is_approved_version
    store.approve("Base", author="Boss", version=2)
    assert store.approved().version == 2


def test_set_status(store: Store) -> None:
    store.save(make(), author="Ann")
    store.set_status("Base", "proposed", author="Ann")
    assert store.open("Base").status == "proposed"
    store.set_status("Base", "approved", author="Boss")
    assert store.approved().name == "Base"
    store.set_status("Base", "draft", author="Ann")
    assert store.approved() is None
    assert store.open("Base").approved_version is None
    with pytest.raises(InputError) as caught:
        store.set_status("Base", "final", author="Ann")  # type: ignore[arg-type]
    assert str(caught.value) == "status: must be one of draft, proposed, approved, got 'final'"


def test_only_an_executive_withdraws_an_approved_plan(store: Store) -> None:
    """A supply planner may move a draft to proposed and back, but not the approved plan:
    setting it to draft would withdraw the executive's approval."""
    from sop_core.base.access import Actor, PermissionDenied

    sam = Actor("Sam", "sam@acme.example", frozenset({"supply_planner"}), signed_in=True)
    eve = Actor("Eve", "eve@acme.example", frozenset({"executive"}), signed_in=True)
    store.save(make(), author=sam)
    store.set_status("Base", "proposed", author=sam)
    store.set_status("Base", "draft", author=sam)
    store.approve("Base", author=eve)
    written = len(store.audit())
    for status in ("draft", "proposed"):
        with pytest.raises(PermissionDenied) as caught:
            store.set_status("Base", status, author=sam)
        assert str(caught.value) == (
            "status: not allowed: Only an executive may approve a scenario; "
            "you are: supply planner."
        )
        assert store.approved().name == "Base"
    assert len(store.audit()) == written  # a refusal writes nothing
    store.set_status("Base", "proposed", author=eve)
    assert store.approved() is None


def test_approving_an_unknown_version_names_the_versions(store: Store) -> None:
    store.save(make(), author="Ann")
    with pytest.raises(ScenarioNotFound) as caught:
        store.approve("Base", author="Boss", version=4)
    assert str(caught.value) == "version: scenario 'Base' has no version 4; its versions are 1 to 1"
    assert store.approved() is None


# --------------------------------------------------------------------------- compare


def test_compare_gives_deltas_against_the_approved_version(store: Store) -> None:
    store.save(
        make("Approved"),
        author="A",
        kpis={"total_cost": 100.0, "fill_rate": 1.0},
        cost_breakdown={"holding": 40.0, "labour": 60.0},
    )
    store.approve("Approved", author="Boss")
    store.save(
        make("Lean"),
        author="A",
        kpis={"total_cost": 90.0, "fill_rate": 0.9},
        cost_breakdown={"holding": 0.0, "labour": 90.0},
    )
    store.save(make("Unsolved"), author="A")
    frame = store.compare(["Lean", ("Approved", 1), "Unsolved"])
    assert tuple(frame.columns) == COMPARISON_COLUMNS
    assert len(frame) == 3 * 4  # 3 scenarios × (2 KPIs + 2 cost lines)
    row = frame[(frame.label == "Lean v1") & (frame.metric == "total_cost")].iloc[0]
    assert (row.section, row.value, row.approved_value) == ("kpi", 90.0, 100.0)
    assert row.delta == pytest.approx(-10.0) and row.delta_pct == pytest.approx(-10.0)
    holding = frame[(frame.label == "Lean v1") & (frame.metric == "holding")].iloc[0]
    assert (holding.section, holding.delta, holding.delta_pct) == ("cost", -40.0, -100.0)
    own = frame[frame.scenario == "Approved"]
    assert own.is_approved.all() and (own.delta == 0).all()
    unsolved = frame[frame.scenario == "Unsolved"]
    assert unsolved.value.isna().all() and not unsolved.is_approved.any()
    assert frame.section.tolist()[:6] == ["kpi"] * 6
    wide = frame.pivot(index=["section", "metric"], columns="label", values="value")
    assert wide.loc[("cost", "labour"), "Lean v1"] == 90.0


def test_compare_without_an_approved_scenario_has_no_deltas(store: Store) -> None:
    store.save(make("A"), author="A", kpis={"total_cost": 1.0})
    store.save(make("B"), author="A", kpis={"total_cost": 2.0})
    frame = store.compare(["A", "B"])
    assert frame.value.tolist() == [1.0, 2.0]
    assert frame.approved_value.isna().all() and frame.delta.isna().all()


def test_compare_needs_two_to_four_distinct_scenarios(store: Store) -> None:
    for n in "ABCDE":
        store.save(make(n), author="A")
    with pytest.raises(InputError) as caught:
        store.compare(["A"])
    assert str(caught.value) == "scenarios: compare needs 2 to 4 scenarios, got 1"
    with pytest.raises(InputError) as caught:
        store.compare(list("ABCDE"))
    assert str(caught.value) == "scenarios: compare needs 2 to 4 scenarios, got 5"
    with pytest.raises(InputError) as caught:
        store.compare(["A", ("A", 1)])
    assert str(caught.value) == "scenarios: each scenario version once, got 'A v1' twice"
    assert len(store.compare(list("ABCD"))) == 0  # nothing solved: no metrics


# --------------------------------------------------------------------------- errors


def test_unknown_names_are_reported_with_the_known_ones(store: Store) -> None:
    with pytest.raises(ScenarioNotFound) as caught:
        store.open("Peak 2027")
    assert str(caught.value) == (
        "name: scenario 'Peak 2027' not found; the store is empty; save or import one"
    )
    store.save(make("Lean"), author="A")
    store.save(make("Base"), author="A")
    for call in (
        lambda: store.open("Peak 2027"),
        lambda: store.versions("Peak 2027"),
        lambda: store.delete("Peak 2027", author="ana"),
        lambda: store.rename("Peak 2027", "X", author="ana"),
        lambda: store.duplicate("Peak 2027", "X", author="A"),
        lambda: store.approve("Peak 2027", author="A"),
    ):
        with pytest.raises(ScenarioNotFound) as caught:
            call()
        assert str(caught.value) == "name: scenario 'Peak 2027' not found; known: 'Base', 'Lean'"
        assert caught.value.name == "Peak 2027"
    with pytest.raises(ScenarioNotFound) as caught:
        store.open("Base", 3)
    assert str(caught.value) == "version: scenario 'Base' has no version 3; its versions are 1 to 1"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "  "}, "name: must not be empty; give the scenario a name such as 'Base 2027'"),
        (
            {"name": "x" * 201},
            "name: must be at most 200 characters, got 201 ('xxxxxxxxxxxxxxxxxxxx'…); "
            "shorten it and put details in the note",
        ),
        (
            {"name": "two\nlines"},
            "name: must not contain control characters (newlines, tabs), got 'two\\nlines'",
        ),
        ({"author": " "}, "author: must be a person's name, got ' '; say who is saving"),
        ({"author": "a" * 101}, "author: must be at most 100 characters, got 101"),
        ({"base_version": 0}, "base_version: must be a version number 1, 2, …, got 0"),
        ({"note": 5}, "note: must be text, got 5"),
        (
            {"kpis": {"total_cost": math.inf}},
            "kpis['total_cost']: must be finite, got inf; store None instead",
        ),
        (
            {"kpis": {"total_cost": "cheap"}},
            "kpis['total_cost']: must be a number or None, got 'cheap'",
        ),
        ({"kpis": [1, 2]}, "kpis: must be a mapping name → number, got list"),
        ({"cost_breakdown": {3: 1.0}}, "cost_breakdown: keys must be text, got 3"),
        (
            {"provenance": "history.csv"},
            "provenance: must be a JSON object such as {'history': ..., 'forecast': ...}, got str",
        ),
        ({"solve_status": 1}, "solve_status: must be text, got 1"),
    ],
)
def test_bad_save_arguments_are_refused_with_a_clear_message(
    tmp_path: Path, kwargs: dict[str, Any], message: str
) -> None:
    with Store(f"sqlite:///{tmp_path / 's.sqlite'}") as store:
        args: dict[str, Any] = {"author": "Ann", **kwargs}
        with pytest.raises(InputError) as caught:
            store.save(make(), **args)
        assert str(caught.value) == message
        assert store.count_versions() == 0


def test_provenance_must_be_json(tmp_path: Path) -> None:
    with Store(f"sqlite:///{tmp_path / 's.sqlite'}") as store, pytest.raises(InputError) as caught:
        store.save(make(), author="A", provenance={"when": object()})
    assert str(caught.value).startswith(
        "provenance: must hold only JSON values (text, numbers, lists, objects): "
    )


def test_a_scenario_dict_is_not_a_scenario(tmp_path: Path) -> None:
    with Store(f"sqlite:///{tmp_path / 's.sqlite'}") as store, pytest.raises(InputError) as caught:
        store.save(scenario_dict(), author="A")  # type: ignore[arg-type]
    assert str(caught.value) == (
        "scenario: must be a Scenario, got dict; validate it with parse_scenario first"
    )


def test_a_damaged_stored_scenario_is_reported_by_name_and_version(store: Store) -> None:
    store.save(make(), author="Ann")
    bad = scenario_dict()
    bad["workforce"]["hire_cost"] = -1
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE sop_scenario_version SET scenario = :s"), {"s": json.dumps(bad)})
    with pytest.raises(InputError) as caught:
        store.open("Base")
    assert str(caught.value) == "stored 'Base' v1 workforce.hire_cost: must be ≥ 0, got -1"


# --------------------------------------------------------------------------- data, not SQL


def test_names_and_notes_are_stored_as_data_never_as_sql(store: Store) -> None:
    evil = "Robert'); DROP TABLE sop_scenario;--"
    note = 'it\'s "quoted"; DELETE FROM sop_scenario_version; -- %s %(x)s ?'
    store.save(make(evil), author="O'Brien", note=note)
    store.save(make("Other"), author="A")
    assert store.names() == ["Other", evil]
    got = store.open(evil)
    assert (got.name, got.note, got.author) == (evil, note, "O'Brien")
    assert store.count_versions() == 2


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    name=st.text(
        alphabet=st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=60
    ).filter(lambda s: s.strip() == s and s != "")
)
def test_any_printable_name_round_trips(store: Store, name: str) -> None:
    tag = uuid.uuid4().hex[:6]
    full = f"{name} {tag}"
    store.save(make(), author="A", name=full)
    assert store.open(full).name == full
    assert full in store.names()


# --------------------------------------------------------------------------- URL


def test_database_url_prefers_explicit_then_environment_then_sqlite_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    assert database_url() == f"sqlite:///{DEFAULT_SQLITE_PATH}"
    assert DEFAULT_SQLITE_PATH == REPO / "data" / "scenarios.sqlite"
    monkeypatch.setenv(ENV_VAR, "sqlite:///from-env.sqlite")
    assert database_url() == "sqlite:///from-env.sqlite"
    assert database_url(" postgresql+psycopg://u@h/db ") == "postgresql+psycopg://u@h/db"


def test_store_uses_the_environment_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "nested" / "env.sqlite"
    monkeypatch.setenv(ENV_VAR, f"sqlite:///{path}")
    with Store() as store:
        store.save(make(), author="A")
    assert path.is_file()
    with Store(f"sqlite:///{path}") as again:
        assert again.names() == ["Base"]


def test_sqlite_runs_with_foreign_keys_and_wal(tmp_path: Path) -> None:
    with Store(f"sqlite:///{tmp_path / 's.sqlite'}") as store, store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 15000


def test_a_sqlite_writer_holding_the_lock_too_long_is_reported_as_busy(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    with Store(f"sqlite:///{path}", busy_timeout=0.2) as store:
        store.save(make(), author="Ann")
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # another process in the middle of a long write
        try:
            with pytest.raises(StoreUnavailable) as caught:
                store.save(make(), author="Bob", base_version=1)
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert str(caught.value) == (
            f"the scenario database sqlite:///{path} is busy (database is locked); "
            "nothing was written, try again"
        )
        assert store.save(make(), author="Bob", base_version=1).version == 2


def test_a_malformed_url_is_bad_input() -> None:
    with pytest.raises(InputError) as caught:
        Store("not a url")
    assert str(caught.value) == (
        "SOP_DATABASE_URL: 'not a url' is not a database URL; use e.g. "
        "'sqlite:///data/scenarios.sqlite' or "
        "'postgresql+psycopg://user:password@host:5432/dbname'"
    )
    with pytest.raises(InputError) as caught:
        Store("nosuchdb://x/y")
    assert str(caught.value).startswith(
        "SOP_DATABASE_URL: nosuchdb://x/y: unsupported database driver ("
    )


def test_an_unreachable_server_is_reported_without_the_password() -> None:
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"postgresql+psycopg://ann:s3cret@127.0.0.1:{port}/sop"
    with pytest.raises(StoreUnavailable) as caught:
        Store(url)
    message = str(caught.value)
    assert message.startswith(
        f"cannot open the scenario database postgresql+psycopg://ann:***@127.0.0.1:{port}/sop: "
    )
    assert message.endswith("check SOP_DATABASE_URL and that the database server is running")
    assert "s3cret" not in message


# --------------------------------------------------------------------------- planner glue


def test_solved_fields_takes_what_the_planner_returns() -> None:
    result = SimpleNamespace(
        status="optimal",
        total_cost=12.5,
        kpis={"fill_rate": 1.0},
        cost_breakdown={"holding": 12.5},
    )
    assert solved_fields(result) == {
        "kpis": {"fill_rate": 1.0, "total_cost": 12.5},
        "cost_breakdown": {"holding": 12.5},
        "solve_status": "optimal",
    }
    infeasible = SimpleNamespace(status="infeasible", total_cost=None, kpis={}, cost_breakdown={})
    assert solved_fields(infeasible)["kpis"] == {"total_cost": None}


def test_comparison_frame_works_on_opened_versions_without_a_store(store: Store) -> None:
    store.save(make("A"), author="A", kpis={"total_cost": 4.0})
    store.save(make("B"), author="A", kpis={"total_cost": 5.0})
    frame = comparison_frame([store.open("A"), store.open("B")], store.open("A"))
    assert frame.delta.tolist() == [0.0, 1.0]
    assert frame.delta_pct.tolist() == [0.0, 25.0]


def test_each_company_has_its_own_approved_scenario(store: Store) -> None:
    """Approving a plan of one company leaves another company's approval as it was; within
    a company, approving another plan takes the approval from the first."""
    from factories import red_tomato

    from sop_core.store.workspaces import Workspaces

    spaces = Workspaces(store)
    a = spaces.create("Acme", author="ana", scenario=red_tomato()).name
    b = spaces.create("Bolt", author="ana", scenario=red_tomato()).name
    ida, idb = spaces.id_of(a), spaces.id_of(b)
    for name, company in (("Acme base", ida), ("Acme lean", ida), ("Bolt base", idb)):
        store.save(red_tomato(), author="sam", name=name, workspace_id=company)
    store.approve("Acme base", author="eve")
    store.approve("Bolt base", author="eve")
    assert store.approved(workspace_id=ida).name == "Acme base"  # not taken by Bolt's
    assert store.approved(workspace_id=idb).name == "Bolt base"
    store.approve("Acme lean", author="eve")
    assert store.approved(workspace_id=ida).name == "Acme lean"
    assert store.open("Acme base").status == "proposed"
    assert store.approved(workspace_id=idb).name == "Bolt base"
    # the database itself refuses a second approved scenario in one company
    with pytest.raises(IntegrityError), store.engine.begin() as conn:
        conn.execute(text("UPDATE sop_scenario SET status = 'approved' WHERE name = 'Acme base'"))
