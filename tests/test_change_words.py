"""The change log speaks the vocabulary: every kind of edit in words (labels, values at
the precision of their kind, "blank" for nothing), one line per action in the sidebar."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from factories import red_tomato

from sop_core.base.words import change_words, item_words, value_words
from sop_core.process.workspace import (
    Change,
    Edit,
    Item,
    WorkspaceState,
    action_lines,
    describe,
    rename_edits,
    summary_of,
)
from sop_core.store.scenarios import Store
from sop_core.store.workspaces import Workspaces

NOW = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)
PUMPS = {
    "name": "Pumps",
    "demand": [100.0] * 12,
    "labor_hours_per_unit": 4.0,
    "holding_cost": 2.0,
    "history_names": ["PUMP"],
    "needs_review": False,
}
ADJUSTMENT = {"family": "Pumps", "period": "2024-03", "change": 10.0, "unit": "%", "comment": ""}
BUDGET = {"family": "Pumps", "period": "2024-03", "units": 100.0, "revenue": 4000.0}
ACTUAL = {"family": "Pumps", "period": "2024-03", "production": 100.0, "inventory": 5.0}


def state() -> WorkspaceState:
    items = [
        ("family", "f1", PUMPS),
        ("adjustment", "a1", ADJUSTMENT),
        ("budget", "b1", BUDGET),
        ("actual", "r1", ACTUAL | {"backlog": 0.0}),
        ("plan", "plan", {"name": "Plan A", "periods": None}),
        ("setting", "resources", {"value": []}),
    ]
    return WorkspaceState("Co", 1, tuple(Item(k, key, 1, v, 1, "ann", NOW) for k, key, v in items))


MONTHS = [f"2024-{m:02d}" for m in range(1, 13)]
CASES = [
    # a family: a field by its label, its values as their kind shows them
    (Edit("family", "f1", 4.0, 6.0, field="labor_hours_per_unit"), "Pumps: Hours / unit 4 → 6"),
    (
        Edit("family", "f1", 2.0, 3.5, field="holding_cost"),
        "Pumps: Holding $ / unit / period $2 → $3.50",
    ),
    (
        Edit("family", "f1", ["PUMP"], ["PUMP", "Pumps old"], field="history_names"),
        "Pumps: Names in histories PUMP → PUMP, Pumps old",
    ),
    (
        Edit("family", "f1", [], ["PUMP"], field="history_names"),
        "Pumps: Names in histories blank → PUMP",
    ),
    (Edit("family", "f1", "Pumps", "Valves", field="name"), "renamed family Pumps to Valves"),
    (
        Edit("family", "f1", [100.0] * 12, [100.0] * 9 + [120.0] * 3, field="demand"),
        "Pumps: Demand changed in 3 of 12 periods",
    ),
    (Edit("family", "f1", True, False, field="needs_review"), "Pumps: Values to review yes → no"),
    (
        Edit("family", "f1", 397.3551, None, field="max_subcontract"),
        "Pumps: Max subcontract units / period 397 → blank",
    ),
    (Edit("family", "f2", None, {"name": "Valves"}), "added family Valves"),
    (Edit("family", "f1", PUMPS, None), "removed family Pumps"),
    # the workforce and the policy: a setting by its label
    (Edit("workforce", "workforce", 300.0, 350.0, field="hire_cost"), "Hiring cost $300 → $350"),
    (Edit("workforce", "workforce", None, 50, field="max_workers"), "Workforce ceiling blank → 50"),
    (Edit("workforce", "workforce", None, {"initial": 80.0}), "set the workforce"),
    (Edit("policy", "policy", "level", "chase", field="strategy"), "Strategy level → chase"),
    (Edit("policy", "policy", True, False, field="integer_workforce"), "Whole workers yes → no"),
    (Edit("policy", "policy", 0, 2, field="frozen_periods"), "Frozen periods (time fence) 0 → 2"),
    # the plan
    (
        Edit("plan", "plan", None, MONTHS, field="periods"),
        "plan: Periods blank → 2024-01 … 2024-12 (12)",
    ),
    (Edit("plan", "plan", None, "ETS", field="forecast_model"), "plan: Forecast model blank → ETS"),
    (
        Edit("plan", "plan", True, False, field="workforce_to_review"),
        "plan: Workforce to review yes → no",
    ),
    (Edit("plan", "plan", "Plan A", "Plan B", field="name"), "renamed the plan Plan A to Plan B"),
    (Edit("plan", "plan", None, {"name": "Acme", "periods": None}), "started the plan Acme"),
    # consensus adjustments: named by family and period, the change with its unit
    (
        Edit("adjustment", "a1", 10.0, 15.0, field="change"),
        "adjustment Pumps 2024-03: Change +10 % → +15 %",
    ),
    (
        Edit("adjustment", "a1", "", "promo", field="comment"),
        "adjustment Pumps 2024-03: Comment blank → promo",
    ),
    (
        Edit(
            "adjustment",
            "a2",
            None,
            ADJUSTMENT | {"period": None, "change": -50.0, "unit": "units"},
        ),
        "added adjustment Pumps all periods: −50 units",
    ),
    (Edit("adjustment", "a1", ADJUSTMENT, None), "removed adjustment Pumps 2024-03"),
    # the sales history in use
    (
        Edit("history", "history", None, {"upload_id": 3, "name": "sales.csv"}),
        "using the sales history sales.csv",
    ),
    (
        Edit(
            "history",
            "history",
            {"upload_id": 3, "name": "sales.csv"},
            {"upload_id": 4, "name": "sales 2025.csv"},
        ),
        "sales history sales.csv → sales 2025.csv",
    ),
    # resources and calendar
    (
        Edit(
            "setting", "resources", [], [{"name": "Line 1", "hours_available": 100}], field="value"
        ),
        "Resources blank → Line 1",
    ),
    (Edit("setting", "calendar", None, {"value": {"country": "DE"}}), "set the calendar"),
    # kept what-ifs
    (Edit("whatif", "Peak", None, {"scenario": "Peak", "settings": {}}), "kept what-if Peak"),
    (Edit("whatif", "Peak", {"scenario": "Peak", "settings": {}}, None), "removed what-if Peak"),
    # the monthly tables: the business plan and the actuals, by family and month
    (
        Edit("budget", "b1", 100.0, 120.0, field="units"),
        "business plan Pumps 2024-03: Units 100 → 120",
    ),
    (
        Edit("budget", "b1", 4000.0, 4500.0, field="revenue"),
        "business plan Pumps 2024-03: Revenue $4,000 → $4,500",
    ),
    (
        Edit("budget", "b1", "Pumps", "Valves", field="family"),
        "business plan Pumps 2024-03: Family Pumps → Valves",
    ),
    (
        Edit("budget", "b2", None, BUDGET | {"period": "2024-04"}),
        "added business plan Pumps 2024-04",
    ),
    (Edit("budget", "b1", BUDGET, None), "removed business plan Pumps 2024-03"),
    (Edit("actual", "r1", 0.0, 12.0, field="backlog"), "actuals Pumps 2024-03: Backlog 0 → 12"),
    (
        Edit("actual", "r1", 100.0, 397.3551, field="production"),
        "actuals Pumps 2024-03: Production 100 → 397",
    ),
]
SNAKE = re.compile(r"[a-z]+_[a-z_]+")


@pytest.mark.parametrize(("edit", "words"), CASES, ids=lambda c: getattr(c, "field", None) or "")
def test_every_kind_of_edit_reads_as_words(edit: Edit, words: str) -> None:
    text = describe(edit, state())
    assert text == words
    assert not SNAKE.search(text) and "None" not in text and "nan" not in text
    assert "{" not in text and "[" not in text


def test_every_kind_of_edit_has_a_case() -> None:
    from sop_core.process.workspace import KINDS

    assert {e.kind for e, _ in CASES} == set(KINDS)


def test_the_e2e_sidebar_pattern_matches_a_typed_holding_cost() -> None:
    """tests/test_e2e_company.py waits for this line in the sidebar."""
    text = describe(Edit("family", "f1", 2.0, 3.5, field="holding_cost"), state())
    assert re.search(r"Holding \$ / unit / period .* \$3\.50", text)


def change(revision: int, summary: str) -> Change:
    return Change(revision, "family", "f1", None, None, None, summary, None, "ann", NOW)


def test_the_sidebar_lists_one_line_per_action() -> None:
    handover = [change(5, "consensus forecast (ETS) from sales.csv in the plan")] * 7
    edits = [change(4, "Pumps: Hours / unit 4 → 6"), change(4, "Pumps: Hours / unit 4 → 6")]
    table = [change(3, f"business plan Pumps 2024-{m:02d}: Units 1 → 2") for m in (3, 2, 1)]
    upload = [change(2, f"added business plan Pumps 2025-{m:02d}") for m in range(12, 0, -1)]
    lines = action_lines([*handover, *edits, *table, *upload])
    assert [(c.revision, text) for c, text in lines] == [
        (5, "consensus forecast (ETS) from sales.csv in the plan"),
        (4, "Pumps: Hours / unit 4 → 6"),
        (
            3,
            "business plan Pumps 2024-01: Units 1 → 2; business plan Pumps 2024-02: Units 1 → 2; "
            "business plan Pumps 2024-03: Units 1 → 2",
        ),
        (
            2,
            "added business plan Pumps 2025-01; added business plan Pumps 2025-02; "
            "added business plan Pumps 2025-03 and 9 more",
        ),
    ]
    assert summary_of(["a", "b", "a"]) == "a; b"


def test_values_and_items_in_words() -> None:
    assert value_words("holding_cost", None) == "blank"
    assert value_words("holding_cost", float("nan")) == "blank"
    assert value_words("fill_rate", 0.9734) == "97.3%"
    assert value_words("demand", [1600.0, 3000.0]) == "1,600 / 3,000"
    assert value_words("demand", [0.0] * 12) == "12 values, all 0"
    assert value_words("demand", [float(i) for i in range(12)]) == "12 values, 0 to 11"
    assert value_words("resources", [{"hours_available": 1}]) == "1 entry"
    assert value_words("lead_time", 397.3551) == "397.36"  # a field the vocabulary lacks
    assert change_words("holding_cost", None, 2.5) == "blank → $2.50"
    assert item_words(
        {"version": 2, "note": "", "kpis": {"total_cost": 1234.4, "fill_rate": 1}}
    ) == ("Version: 2; KPIs: Total cost $1,234, Fill rate 100.0%")


def test_a_rename_is_logged_in_words_and_listed_once(tmp_path: Path) -> None:
    with Store(f"sqlite:///{tmp_path / 'ws.sqlite'}") as store:
        spaces = Workspaces(store)
        key = spaces.create("Co", author="ann", scenario=red_tomato()).families[0].key
        spaces.apply("Co", rename_edits(spaces.state("Co"), key, "Tools"), author="bob")
        changes = spaces.changes("Co")
        assert [c.summary for c in changes[:2]] == [
            "Garden tools: Names in histories blank → Garden tools",
            "renamed family Garden tools to Tools",
        ]
        latest, text = action_lines(changes)[0]
        assert latest.author == "bob"
        assert text == (
            "renamed family Garden tools to Tools; "
            "Garden tools: Names in histories blank → Garden tools"
        )
        _, undone = spaces.undo("Co", author="bob")
        assert undone == text
        assert action_lines(spaces.changes("Co"))[0][1] == f"undo: {text}"


def test_a_kept_what_ifs_levers_read_in_their_own_units_not_as_the_cost_of_the_same_name():
    words = item_words(
        {"scenario": "More OT", "settings": {"overtime": 20.5, "safety_months": 1.25}}
    )
    assert "Max overtime per worker 20.5" in words
    assert "$" not in words  # "overtime" alone is the overtime cost
    assert "Safety stock, months of cover 1.25" in words
