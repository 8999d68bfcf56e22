"""Workspaces: items saved edit by edit, conflicts told, every kind of edit undone.

On SQLite and on a real PostgreSQL server, like the scenario store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from factories import red_tomato
from postgres_server import PostgresServer, drop_store_tables, fresh_database, postgres_server  # noqa: F401

from sop_core.base.errors import InputError
from sop_core.process.workspace import (
    TEXTBOOK_FAMILY,
    Edit,
    WorkspaceState,
    adjustment_edits,
    mapping_edits,
    monthly_edits,
    remove_family_edits,
    rename_edits,
    suggest_mapping,
)
from sop_core.store.scenarios import Store
from sop_core.store.workspaces import WorkspaceConflict, Workspaces, keep_whatif, undo_action

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(scope="module")
def pg_database(request: pytest.FixtureRequest) -> str:
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return fresh_database(server, "test_workspace")


@pytest.fixture(params=BACKENDS)
def spaces(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Workspaces]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'ws.sqlite'}"
    else:
        url = request.getfixturevalue("pg_database")
        drop_store_tables(url)
    with Store(url) as store:
        yield Workspaces(store)


def history(names: list[str], months: int = 12) -> pd.DataFrame:
    periods = pd.date_range("2025-01-01", periods=months, freq="MS")
    return pd.DataFrame(
        [
            {"period": p, "family": n, "demand": 100.0 + i}
            for n in names
            for i, p in enumerate(periods)
        ]
    )


def test_a_workspace_holds_the_scenario_it_was_created_from(spaces: Workspaces) -> None:
    scenario = red_tomato()
    state = spaces.create("Red Tomato", author="ann", scenario=scenario)
    assert state.scenario() == scenario
    assert spaces.names() == ["Red Tomato"]
    assert state.revision == spaces.revision("Red Tomato") == 1


def test_a_field_edit_is_saved_and_logged_with_its_author(spaces: Workspaces) -> None:
    state = spaces.create("Co", author="ann", scenario=red_tomato())
    key = state.families[0].key
    state = spaces.apply("Co", [Edit("family", key, 2.0, 3.0, field="holding_cost")], author="bob")
    assert state.scenario().families[0].holding_cost == 3.0
    assert spaces.state("Co").scenario().families[0].holding_cost == 3.0
    last = spaces.changes("Co")[0]
    assert (last.author, last.field, last.before, last.after) == ("bob", "holding_cost", 2.0, 3.0)
    assert last.summary == "Garden tools: Holding $ / unit / period $2 → $3"


def test_a_stale_edit_of_the_same_cell_is_refused_and_names_who_changed_it(
    spaces: Workspaces,
) -> None:
    key = spaces.create("Co", author="ann", scenario=red_tomato()).families[0].key
    spaces.apply("Co", [Edit("family", key, 2.0, 3.0, field="holding_cost")], author="bob")
    with pytest.raises(WorkspaceConflict) as err:  # a second tab that still saw 2.0
        spaces.apply("Co", [Edit("family", key, 2.0, 4.0, field="holding_cost")], author="cy")
    assert "holding_cost" in str(err.value) and "bob" in str(err.value)
    assert spaces.state("Co").scenario().families[0].holding_cost == 3.0
    # another cell of the same family, edited from the same stale view, goes through
    spaces.apply("Co", [Edit("family", key, 5.0, 6.0, field="backorder_cost")], author="cy")
    assert spaces.state("Co").scenario().families[0].backorder_cost == 6.0


def test_an_invalid_value_is_refused_naming_the_family_and_field(spaces: Workspaces) -> None:
    key = spaces.create("Co", author="ann", scenario=red_tomato()).families[0].key
    with pytest.raises(InputError) as err:
        spaces.apply("Co", [Edit("family", key, 2.0, -2.0, field="holding_cost")], author="a")
    assert "family 'Garden tools'.holding_cost" in str(err.value)
    assert "-2" in str(err.value)
    assert spaces.revision("Co") == 1  # nothing written


def _undo_restores(spaces: Workspaces, edits: list[Edit]) -> tuple[WorkspaceState, WorkspaceState]:
    before = spaces.state("Co")
    after = spaces.apply("Co", edits, author="bob")
    assert after.items != before.items
    undone, what = spaces.undo("Co", author="bob")
    assert what
    strip = lambda s: [(i.kind, i.key, i.position, i.value) for i in s.items]  # noqa: E731
    assert strip(undone) == strip(before)
    return before, after


def test_undo_restores_each_kind_of_edit(spaces: Workspaces) -> None:
    state = spaces.create("Co", author="ann", scenario=red_tomato())
    key = state.families[0].key
    _undo_restores(spaces, [Edit("family", key, 2.0, 9.0, field="holding_cost")])
    _undo_restores(spaces, [Edit("workforce", "workforce", 80.0, 70.0, field="initial")])
    _undo_restores(spaces, rename_edits(spaces.state("Co"), key, "Hand tools"))
    spaces.apply(
        "Co",
        adjustment_edits(
            spaces.state("Co"),
            pd.DataFrame([{"family": "Garden tools", "period": None, "change": 10.0}]),
        ),
        author="ann",
    )
    adj = spaces.state("Co").adjustments
    assert list(adj["change"]) == [10.0]
    edited = adj.assign(change=[20.0])
    _undo_restores(spaces, adjustment_edits(spaces.state("Co"), edited))  # edit
    _undo_restores(spaces, adjustment_edits(spaces.state("Co"), adj.iloc[0:0]))  # remove
    _undo_restores(spaces, remove_family_edits(spaces.state("Co"), key))  # family + its adj.
    upload = spaces.add_history("Co", history(["Garden tools"]), "h.csv", author="ann")
    _undo_restores(spaces, [Edit("history", "history", None, upload)])


def test_undo_walks_back_action_by_action_and_says_when_there_is_nothing_left(
    spaces: Workspaces,
) -> None:
    key = spaces.create("Co", author="ann", scenario=red_tomato()).families[0].key
    spaces.apply("Co", [Edit("family", key, 2.0, 3.0, field="holding_cost")], author="a")
    spaces.apply("Co", [Edit("family", key, 3.0, 4.0, field="holding_cost")], author="a")
    assert spaces.undo("Co", author="a")[0].scenario().families[0].holding_cost == 3.0
    assert spaces.undo("Co", author="a")[0].scenario().families[0].holding_cost == 2.0
    assert spaces.undo("Co", author="a")[0].families == []  # the creation itself
    with pytest.raises(InputError, match="nothing to undo"):
        spaces.undo("Co", author="a")


def test_an_upload_with_other_names_is_mapped_and_new_families_get_stated_defaults(
    spaces: Workspaces,
) -> None:
    state = spaces.create("Co", author="ann", scenario=red_tomato())
    mapping = suggest_mapping(["GARDEN-TOOLS", "Hoses"], state)
    assert list(mapping["family"]) == ["Garden tools", "Hoses"]
    assert list(mapping["action"]) == ["match", "new"]
    upload = spaces.add_history("Co", history(["GARDEN-TOOLS", "Hoses"]), "h.csv", author="ann")
    state = spaces.apply("Co", mapping_edits(state, mapping, upload), author="ann")
    assert state.family_names == ["Garden tools", "Hoses"]
    hoses = state.item("family", state.family_key("Hoses")).value
    assert hoses["needs_review"] is True
    assert hoses["labor_hours_per_unit"] == 4.0  # the median of the one other family's
    assert state.history_names()["GARDEN-TOOLS"] == "Garden tools"
    assert (
        spaces.history(upload["upload_id"])["demand"].sum()
        == history(["GARDEN-TOOLS", "Hoses"])["demand"].sum()
    )
    # the next upload with the same names matches without asking
    again = suggest_mapping(["GARDEN-TOOLS", "Hoses"], state)
    assert list(again["action"]) == ["match", "match"]


def test_a_new_company_without_families_gets_textbook_defaults(spaces: Workspaces) -> None:
    state = spaces.create("Empty", author="ann")
    with pytest.raises(InputError, match="no product family yet"):
        state.scenario()
    upload = spaces.add_history("Empty", history(["A"]), "a.csv", author="ann")
    state = spaces.apply(
        "Empty", mapping_edits(state, suggest_mapping(["A"], state), upload), author="ann"
    )
    value = state.item("family", state.family_key("A")).value
    assert {k: value[k] for k in TEXTBOOK_FAMILY} == TEXTBOOK_FAMILY


def test_rename_keeps_the_old_name_for_histories_and_moves_adjustments(
    spaces: Workspaces,
) -> None:
    state = spaces.create("Co", author="ann", scenario=red_tomato())
    spaces.apply(
        "Co",
        adjustment_edits(state, pd.DataFrame([{"family": "Garden tools", "change": 5.0}])),
        author="ann",
    )
    state = spaces.state("Co")
    state = spaces.apply("Co", rename_edits(state, state.families[0].key, "Tools"), author="a")
    assert state.family_names == ["Tools"]
    assert list(state.adjustments["family"]) == ["Tools"]
    assert state.history_names()["Garden tools"] == "Tools"
    with pytest.raises(InputError, match="blank"):
        rename_edits(state, state.families[0].key, "  ")


def test_a_taken_company_name_is_refused(spaces: Workspaces) -> None:
    spaces.create("Co", author="ann")
    with pytest.raises(InputError, match="exists already"):
        spaces.create("Co", author="bob")


def test_keeping_a_what_if_saves_a_draft_that_undo_takes_back(spaces: Workspaces) -> None:
    spaces.create("Co", author="ann", scenario=red_tomato())
    other = spaces.create("Other", author="ann", scenario=red_tomato())
    state = keep_whatif(spaces, "Co", "More OT", red_tomato(), {"overtime": 20.0}, author="ann")
    assert state.whatifs["More OT"]["scenario"] == "More OT"
    store = spaces.store
    assert store.open("More OT").provenance["whatif"] == {"overtime": 20.0}
    assert [s.name for s in store.list_scenarios(spaces.id_of("Co"))] == ["More OT"]
    # the same name in another company is kept too, under a name that says whose it is
    kept = keep_whatif(spaces, "Other", "More OT", red_tomato(), {}, author="bob")
    assert kept.whatifs["More OT"]["scenario"] == "More OT (Other)"
    assert [s.name for s in store.list_scenarios(spaces.id_of("Other"))] == ["More OT (Other)"]
    with pytest.raises(InputError, match="already keeps"):
        keep_whatif(spaces, "Co", "More OT", red_tomato(), {}, author="ann")
    state, what = undo_action(spaces, store, "Co", author="ann")
    assert "kept what-if More OT" in what
    assert state.whatifs == {} and "More OT" not in store.names()
    assert other.name == "Other"


# --------------------------------------------------------------------------- monthly tables


def budget(rows: list[tuple[str, str, float, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["family", "period", "units", "revenue"])


def test_a_business_plan_upload_is_stored_row_by_row_and_edited_cell_by_cell(
    spaces: Workspaces,
) -> None:
    state = spaces.create("Co", author="ann", scenario=red_tomato())
    first = budget(
        [("Garden tools", "2027-01", 1000, 40000), ("Garden tools", "2027-02", 900, 36000)]
    )
    state = spaces.apply("Co", monthly_edits(state, "budget", first), author="fay")
    assert state.business_plan.equals(first.astype({"units": float, "revenue": float}))
    # the same file again changes nothing
    assert monthly_edits(state, "budget", first) == []
    # a new file: one month changed, one added, one gone; matched by family and month
    second = budget([("Garden tools", "2027-02", 950, 38000), ("Garden tools", "2027-03", 1, 2)])
    edits = monthly_edits(state, "budget", second)
    kinds = sorted((e.field or "", e.before is None, e.after is None) for e in edits)
    assert kinds == [
        ("", False, True),
        ("", True, False),
        ("revenue", False, False),
        ("units", False, False),
    ]
    state = spaces.apply("Co", edits, author="fay")
    assert list(state.business_plan["period"]) == ["2027-02", "2027-03"]
    assert list(state.business_plan["units"]) == [950.0, 1.0]
    # an edited table keeps its keys: a typed change of the month moves that row
    table = state.monthly("budget", keys=True)
    table.loc[1, "period"] = "2027-04"
    state = spaces.apply("Co", monthly_edits(state, "budget", table), author="fay")
    assert list(state.business_plan["period"]) == ["2027-02", "2027-04"]
    log = spaces.changes("Co")[0]
    assert log.author == "fay" and log.field == "period" and "business plan" in log.summary


def test_a_bad_business_plan_row_is_refused_naming_family_month_and_column(
    spaces: Workspaces,
) -> None:
    state = spaces.create("Co", author="ann", scenario=red_tomato())
    revision = state.revision
    for rows, words in (
        ([("Garden tools", "2027-01", -5, 0)], "Garden tools 2027-01, units"),
        ([("Garden tools", "2027-13", 5, 0)], "period"),
        ([("Garden tools", "2027-01", 5, float("inf"))], "revenue"),
        ([("Garden tools", "2027-01", 1e13, 0)], "1,000,000,000,000"),
    ):
        with pytest.raises(InputError) as err:
            spaces.apply("Co", monthly_edits(state, "budget", budget(rows)), author="fay")
        assert words in str(err.value) and "business plan" in str(err.value)
    two = budget([("Garden tools", "2027-01", 1, 1), ("Garden tools", "2027-01", 2, 2)])
    # one upload with the month twice: the second row updates the first's new item? no:
    # both are new rows, and the table refuses the month given twice
    edits = monthly_edits(state, "budget", two)
    with pytest.raises(InputError, match="given 2 times"):
        spaces.apply("Co", edits, author="fay")
    assert spaces.revision("Co") == revision  # nothing written


def test_monthly_tables_need_their_rights_and_follow_a_family_rename(spaces: Workspaces) -> None:
    from sop_core.base.access import Actor, PermissionDenied

    state = spaces.create("Co", author="ann", scenario=red_tomato())
    planner = Actor("dee", "dee@x.example", frozenset({"demand_planner"}))
    finance = Actor("fay", "fay@x.example", frozenset({"finance"}))
    rows = budget([("Garden tools", "2027-01", 10, 400)])
    with pytest.raises(PermissionDenied, match="finance"):
        spaces.apply("Co", monthly_edits(state, "budget", rows), author=planner)
    state = spaces.apply("Co", monthly_edits(state, "budget", rows), author=finance)
    actual = pd.DataFrame(
        [
            {
                "family": "Garden tools",
                "period": "2026-11",
                "production": 5.0,
                "inventory": 2.0,
                "backlog": 0.0,
            }
        ]
    )
    with pytest.raises(PermissionDenied, match="demand planner"):
        spaces.apply("Co", monthly_edits(state, "actual", actual), author=finance)
    state = spaces.apply("Co", monthly_edits(state, "actual", actual), author=planner)
    assert state.actuals.to_dict("records") == actual.to_dict("records")
    # a rename by the supply planner carries both tables' rows along
    supply = Actor("sam", "sam@x.example", frozenset({"supply_planner"}))
    state = spaces.apply("Co", rename_edits(state, state.families[0].key, "Tools"), author=supply)
    assert list(state.business_plan["family"]) == ["Tools"]
    assert list(state.actuals["family"]) == ["Tools"]


def test_undo_restores_a_business_plan_upload_and_a_cell(spaces: Workspaces) -> None:
    state = spaces.create("Co", author="ann", scenario=red_tomato())
    spaces.apply(
        "Co",
        monthly_edits(state, "budget", budget([("Garden tools", "2027-01", 1, 2)])),
        author="fay",
    )
    table = spaces.state("Co").monthly("budget", keys=True).assign(units=[7.0])
    _undo_restores(spaces, monthly_edits(spaces.state("Co"), "budget", table))  # a cell
    _undo_restores(  # a whole new upload
        spaces,
        monthly_edits(spaces.state("Co"), "budget", budget([("Garden tools", "2027-02", 3, 4)])),
    )
    _undo_restores(  # actuals
        spaces,
        monthly_edits(
            spaces.state("Co"),
            "actual",
            pd.DataFrame(
                [
                    {
                        "family": "Garden tools",
                        "period": "2026-10",
                        "production": 1,
                        "inventory": 0,
                        "backlog": 0,
                    }
                ]
            ),
        ),
    )


def test_the_hand_over_keeps_the_forecasts_model_and_undo_takes_it_back(spaces: Workspaces) -> None:
    from sop_core.process.workspace import forecast_edits

    state = spaces.create("Co", author="ann", scenario=red_tomato())
    periods = [f"2027-{m:02d}" for m in range(1, 7)]
    forecast = pd.DataFrame(
        {"family": "Garden tools", "period": periods, "adjusted": [1000.0] * len(periods)}
    )
    state = spaces.apply("Co", forecast_edits(state, forecast, model="ets")[0], author="dee")
    assert state.value("plan")["forecast_model"] == "ets"
    again, _ = forecast_edits(state, forecast, model="naive")
    assert [e.field for e in again] == ["periods", "forecast_model"]  # demand as it was
    _undo_restores(spaces, again)  # back to ets
    state = spaces.apply("Co", again, author="dee")
    assert state.value("plan")["forecast_model"] == "naive"


def test_a_familys_history_names_can_be_removed_but_not_invented():
    from sop_core.process.workspace import alias_edits, rename_edits

    spaces = Workspaces(Store("sqlite://"))
    spaces.create("Co", author="ann", scenario=red_tomato())
    state = spaces.state("Co")
    key = state.families[0].key
    for name in ("6", "Chimney Liners"):  # two renames: two names kept as aliases
        state = spaces.apply("Co", rename_edits(state, key, name), author="ann")
    assert state.item("family", key).value["history_names"] == ["6", "Garden tools"]
    state = spaces.apply("Co", alias_edits(state, key, ["Garden tools"]), author="ann")
    assert state.item("family", key).value["history_names"] == ["Garden tools"]
    assert alias_edits(state, key, ["Garden tools"]) == []  # nothing to change
    with pytest.raises(InputError, match="has no history name 'Pumps'"):
        alias_edits(state, key, ["Pumps"])
