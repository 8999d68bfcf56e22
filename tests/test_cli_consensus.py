"""``python -m sop_core consensus ...`` on SQLite and on a real PostgreSQL server: the
plan's demand shown, adjustments added, and the stored history forecast, adjusted and
handed over to the plan, as the Demand page does; refusals and bad input exit 2 with the
sentence and save nothing.

The company's history is hand-checkable: Garden tools sold 100 × the month's number in
2025 and 2026, Pumps 10 × it (+1 in 2026), so the seasonal naive forecast of 2027 is
Garden tools 100, 200, … 600 and Pumps 11, 21, … 61."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from factories import (
    BACKENDS,
    audit_at,
    cli_store,
    company_at,
    red_tomato_dict,
    refused_cli,
    run_cli,
)
from postgres_server import postgres_server  # noqa: F401 (the PostgreSQL backend)

from sop_core.demand.history import read_history
from sop_core.model.scenario import Scenario, parse_scenario
from sop_core.process.workspace import WorkspaceState, suggest_mapping
from sop_core.services import companies, consensus, history
from sop_core.services.workbench import connect

MONTHS = [f"2027-{m:02d}" for m in range(1, 7)]
ROLES = '[roles]\n"x@acme.example" = ["supply planner"]\n"ana@acme.example" = ["demand planner"]\n'
NAIVE = {
    "Garden tools": [100.0, 200.0, 300.0, 400.0, 500.0, 600.0],
    "Pumps": [11.0, 21.0, 31.0, 41.0, 51.0, 61.0],
}


def acme() -> Scenario:
    """Red Tomato Tools with a second family, Pumps, planned Jan–Jun 2027."""
    data = red_tomato_dict()
    data["periods"] = MONTHS
    data["families"].append({**data["families"][0], "name": "Pumps"})
    return parse_scenario(data)


def sales(tmp_path: Path) -> Path:
    """Two years of monthly sales; the file spells Garden tools in capitals."""
    rows = [
        {"period": f"{y}-{m:02d}", "family": family, "demand": value}
        for y in (2025, 2026)
        for m in range(1, 13)
        for family, value in (("GARDEN TOOLS", 100 * m), ("Pumps", 10 * m + y - 2025))
    ]
    path = tmp_path / "sales.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A store holding Acme with its sales history in use (sales.csv), for the CLI
    through ``SOP_DATABASE_URL``; Tester acts; x is a supply planner, ana a demand
    planner."""
    url = cli_store(request, tmp_path, monkeypatch, roles=ROLES, actor="Tester")
    frame = read_history(sales(tmp_path))
    with connect(url) as wb:
        state = companies.start_company(wb, "Acme", author="Tester", copy_of=acme())
        mapping = suggest_mapping(sorted(frame["family"].unique()), state)
        history.upload_history(wb, "Acme", frame, "sales.csv", mapping, author="Tester")
    return url


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    return run_cli(capsys, "consensus", *argv)


def company(url: str, name: str = "Acme") -> WorkspaceState:
    return company_at(url, name)


def trail(url: str) -> pd.DataFrame:
    """Acme's audit trail, newest first, with the exact values."""
    return audit_at(url)


def demand(state: WorkspaceState) -> dict[str, list[float]]:
    return {f.name: f.demand for f in state.scenario().families}


def adjustments(state: WorkspaceState) -> list[dict]:
    """The company's adjustments without their keys, a blank period as None."""
    rows = state.adjustments.drop(columns="key").to_dict("records")
    return [{**r, "period": None if pd.isna(r["period"]) else r["period"]} for r in rows]


def refused(capsys: pytest.CaptureFixture[str], url: str, *argv: str) -> str:
    """A command that must be refused: exit 2, nothing on stdout, nothing saved."""
    return refused_cli(capsys, url, "consensus", *argv)


# --------------------------------------------------------------------------- show


def test_show_the_plans_demand_and_the_adjustments(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "show", "Acme")
    assert code == 0
    lines = out.splitlines()
    assert lines[2] == "Plan demand (units): no forecast handed over yet"
    assert lines[3].split() == ["Family", *MONTHS]
    assert lines[4].split() == [
        "Garden",
        "tools",
        "1,600",
        "3,000",
        "3,200",
        "3,800",
        "2,200",
        "2,200",
    ]
    assert lines[-2:] == ["Consensus adjustments", "none"]

    code, out, _ = run(capsys, "show", "Acme", "--format", "json")
    data = json.loads(out)
    assert data["periods"] == MONTHS and data["forecast_model"] is None
    assert data["demand"][0] == {"family": "Garden tools", "period": "2027-01", "demand": 1600.0}
    assert len(data["demand"]) == 12 and data["adjustments"] == []

    code, out, _ = run(capsys, "show", "Acme", "--section", "demand", "--format", "csv")
    assert out.splitlines()[:2] == ["family,period,demand", "Garden tools,2027-01,1600.0"]
    code, out, err = run(capsys, "show", "Acme", "--format", "csv")
    assert (code, out) == (2, "")
    assert err.endswith("--section: --format csv prints one table; choose demand or adjustments\n")


# --------------------------------------------------------------------------- adjust


def test_adjust_adds_an_adjustment_with_its_comment(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        capsys, "adjust", "Acme", "Garden tools", "2027-03", "500", "--comment", "big order"
    )
    assert (code, out) == (0, "Acme: added adjustment Garden tools 2027-03: +500 units\n")
    code, out, _ = run(
        capsys, "adjust", "Acme", "Pumps", "all", "-10", "--unit", "%", "--comment", "weak",
        "--as", "ana@acme.example",
    )  # fmt: skip
    assert (code, out) == (0, "Acme: added adjustment Pumps all periods: −10 %\n")
    rows = adjustments(company(db_url))
    assert rows == [
        {"family": "Garden tools", "period": "2027-03", "change": 500.0, "unit": "units",
         "comment": "big order"},
        {"family": "Pumps", "period": None, "change": -10.0, "unit": "%", "comment": "weak"},
    ]  # fmt: skip
    code, out, _ = run(capsys, "show", "Acme", "--section", "adjustments")
    assert out.splitlines()[-1].split() == ["Pumps", "all", "−10", "%", "weak"]
    newest = trail(db_url).iloc[0]
    assert (newest["Kind of object"], newest["Who"], newest["E-mail"]) == (
        "adjustment",
        "ana@acme.example",
        "ana@acme.example",
    )
    assert json.loads(newest["After"])["comment"] == "weak"

    code, out, _ = run(capsys, "adjust", "Acme", "Pumps", "2028-01", "5", "--comment", "later")
    assert code == 0 and out.splitlines()[1] == (
        "note: 2028-01 is not a period of the plan now (2027-01 – 2027-06); the adjustment "
        "applies if the next forecast covers it"
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["Pumps", "2027-02", "5", "--comment", "x", "--as", "x@acme.example"], "consensus: not "
         "allowed: Only a demand planner may adjust the consensus forecast; you are: supply "
         "planner."),
        (["Hoses", "2027-02", "5", "--comment", "x"], "family: 'Hoses' is not a family of Acme; "
         "families: 'Garden tools', 'Pumps'"),
        (["Pumps", "March", "5", "--comment", "x"], "period: the period must be YYYY-MM (or "
         "all), got 'March'"),
        (["Pumps", "2027-02", "0", "--comment", "x"], "change: the change is 0, which changes "
         "nothing; give e.g. 10 or -500"),
        (["Pumps", "2027-02", "-150", "--unit", "%", "--comment", "x"], "change: a change of "
         "-150 % makes demand negative; give at least -100"),
        (["Pumps", "2027-02", "ten", "--comment", "x"], "change: the change must be a number "
         "such as 10 or -500 (at most 1,000,000,000,000), got 'ten'"),
    ],
)  # fmt: skip
def test_adjust_refused_or_bad_exits_2(
    db_url: str, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert refused(capsys, db_url, "adjust", "Acme", *argv) == f"error: invalid input\n{message}\n"


# --------------------------------------------------------------------------- hand-over


def test_hand_over_forecasts_the_stored_history_applies_the_adjustments_and_plans_them(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with connect(db_url) as wb:
        consensus.add_adjustment(wb, "Acme", "Garden tools", "2027-03", 500, author="Tester")
        consensus.add_adjustment(
            wb, "Acme", "Pumps", "2027-02", 10, unit="%", comment="promo", author="Tester"
        )
    code, out, _ = run(
        capsys, "hand-over", "Acme", "--history-from-store", "--model", "naive",
        "--as", "ana@acme.example",
    )  # fmt: skip
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == (
        "Acme: the plan now uses the consensus forecast (Seasonal naive) of sales.csv: "
        "2 families, 2027-01 – 2027-06"
    )
    assert lines[3].split() == ["Family", *MONTHS]
    assert lines[4].split() == ["Garden", "tools", "100", "200", "800", "400", "500", "600"]
    assert lines[5].split() == ["Pumps", "11", "23", "31", "41", "51", "61"]  # 21 × 1.1 = 23.1
    state = company(db_url)
    assert demand(state) == {
        "Garden tools": [100.0, 200.0, 800.0, 400.0, 500.0, 600.0],
        "Pumps": [11.0, pytest.approx(23.1), 31.0, 41.0, 51.0, 61.0],
    }
    assert state.forecast_model == "naive"
    newest = trail(db_url)
    handed = newest[newest["Who"] == "ana@acme.example"]
    assert set(handed["Field"]) == {"demand", "forecast_model", "periods"}
    with connect(db_url) as wb:
        (change, *_) = companies.latest_changes(wb, "Acme")
    assert change.summary == "consensus forecast (naive) from sales.csv in the plan"


def test_hand_over_with_an_adjustments_file_keeps_them_as_the_companys(
    db_url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    with connect(db_url) as wb:  # replaced by the file's
        consensus.add_adjustment(wb, "Acme", "Garden tools", "2027-03", 500, author="Tester")
    before = company(db_url).revision
    adj = tmp_path / "adj.csv"
    adj.write_text(
        "family,period,change,unit,comment\n"
        "Pumps,2027-02,50,%,promo\n"
        "Garden tools,all,-100,units,\n",
        encoding="utf-8",
    )
    code, out, _ = run(
        capsys, "hand-over", "Acme", "--model", "naive", "--adjust", str(adj), "--format", "json"
    )
    said = json.loads(out)
    assert code == 0 and said["model"] == "naive" and said["notes"] == []
    assert said["consensus"][1] == {
        "family": "Garden tools", "period": "2027-02", "forecast": 200.0, "adjusted": 100.0,
        "comment": "",
    }  # fmt: skip
    state = company(db_url)
    assert demand(state) == {
        "Garden tools": [0.0, 100.0, 200.0, 300.0, 400.0, 500.0],
        "Pumps": [11.0, 31.5, 31.0, 41.0, 51.0, 61.0],
    }
    rows = adjustments(state)
    assert [(r["family"], r["period"], r["change"], r["unit"]) for r in rows] == [
        ("Pumps", "2027-02", 50.0, "%"),
        ("Garden tools", None, -100.0, "units"),
    ]
    assert state.revision == before + 2  # the adjustments, then the hand-over: two undos
    with connect(db_url) as wb:
        summaries = [c.summary for c in companies.latest_changes(wb, "Acme", limit=20)]
    assert "adjustments from adj.csv" in summaries


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--model", "naive", "--as", "x@acme.example"], "plan_demand: not allowed: Only a "
         "demand planner may hand the consensus to the plan; you are: supply planner."),
        (["--adjust", "{tmp}/adj.csv", "--model", "naive"], "--adjust {tmp}/adj.csv row 3: "
         "'Hoses' is not a family of Acme; families: 'Garden tools', 'Pumps'"),
        (["--adjust", "{tmp}/none.csv"], "--adjust: {tmp}/none.csv: no such file; give a .csv "
         "of family, period, change, unit, comment"),
        (["--horizon", "0"], "--horizon: must be a whole number from 1 to 520, got 0"),
    ],
)  # fmt: skip
def test_hand_over_refused_or_bad_exits_2_and_saves_nothing(
    db_url: str,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    argv: list[str],
    message: str,
) -> None:
    (tmp_path / "adj.csv").write_text(
        "family,period,change,unit,comment\nPumps,2027-02,5,%,ok\nHoses,2027-02,5,%,no\n",
        encoding="utf-8",
    )
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    err = refused(capsys, db_url, "hand-over", "Acme", *argv)
    assert err == f"error: invalid input\n{message.replace('{tmp}', str(tmp_path))}\n"
    assert demand(company(db_url))["Pumps"] == acme().families[1].demand


def test_a_stored_adjustment_outside_the_forecast_stops_the_hand_over(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with connect(db_url) as wb:
        consensus.add_adjustment(wb, "Acme", "Pumps", "2028-01", 5, author="Tester")
        companies.start_company(wb, "Empty", author="Tester")
    err = refused(capsys, db_url, "hand-over", "Acme", "--model", "naive")
    assert err == (
        "error: invalid input\nadjustment 1 (family 'Pumps', period 2028-01): no such period "
        f"in the forecast; periods: {', '.join(MONTHS)}\n"
    )
    code, out, err = run(capsys, "hand-over", "Empty", "--model", "naive")
    assert (code, out) == (2, "")
    assert (
        err == "error: invalid input\nhistory: Empty has no sales history yet; upload one first\n"
    )
