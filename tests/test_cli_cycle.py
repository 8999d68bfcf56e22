"""``python -m sop_core cycle ...`` on SQLite and on a real PostgreSQL server: the store
after each command (read through the services), its audit rows, what it prints and its
exit code."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from factories import DATA, red_tomato
from postgres_server import PostgresServer, drop_store_tables, fresh_database, postgres_server  # noqa: F401

from sop_core.cli.main import main
from sop_core.demand.history import read_history
from sop_core.model.scenario import load_scenario
from sop_core.model.whatif import WhatIf
from sop_core.process.cycle import month_of
from sop_core.services import companies, cycles, plans, scenarios
from sop_core.services.audit import audit_records
from sop_core.services.workbench import connect
from sop_core.store.session import ENV_VAR

MONTH = "2026-11"
SUPPLY = "x@acme.example"  # a supply planner (the role file below)
DEMAND = "dee@acme.example"  # a demand planner
ROLES = f'[roles]\n"{SUPPLY}" = ["supply planner"]\n"{DEMAND}" = ["demand planner"]\n'


@pytest.fixture(scope="module")
def pg_database(request: pytest.FixtureRequest) -> str:
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return fresh_database(server, "test_cli_cycle")


def _environment(url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The store given through ``SOP_DATABASE_URL``, the local user "Tester" (every
    right), and a role file naming a supply planner and a demand planner."""
    roles = tmp_path / "roles.toml"
    roles.write_text(ROLES, encoding="utf-8")
    monkeypatch.setenv(ENV_VAR, url)
    monkeypatch.setenv("SOP_ACTOR", "Tester")
    monkeypatch.setenv("SOP_ROLES_FILE", str(roles))


def _acme(url: str) -> None:
    """Company Acme (the Red Tomato plan: one family, six periods) with two saved
    scenarios, Level and Chase, version 1 each."""
    with connect(url) as wb:
        companies.start_company(wb, "Acme", author="ann", copy_of=red_tomato())
        for name, months in (("Level", 0.0), ("Chase", 1.0)):
            plans.save_scenario(
                wb,
                red_tomato(),
                WhatIf(safety_months=months),
                author="ann",
                approved=None,
                name=name,
                company="Acme",
                solve=False,
            )


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A store holding Acme, on each backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    else:
        url = request.getfixturevalue("pg_database")
        drop_store_tables(url)
    _environment(url, tmp_path, monkeypatch)
    _acme(url)
    return url


@pytest.fixture
def sqlite_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A SQLite store holding Acme, for the error cases (the message does not depend on
    the backend)."""
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    _environment(url, tmp_path, monkeypatch)
    _acme(url)
    return url


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["cycle", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def ok(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """What a command that succeeds prints (exit 0, nothing on stderr)."""
    code, out, err = run(capsys, *argv)
    assert (code, err) == (0, ""), err
    return out


def cycle_rows(url: str) -> pd.DataFrame:
    with connect(url) as wb:
        return audit_records(wb, company="Acme", kind="cycle")


def sign_off_to(capsys: pytest.CaptureFixture[str], last: str) -> None:
    """Start the cycle and sign off its steps up to ``last`` (the supply review
    recommends Level and Chase v1)."""
    ok(capsys, "start", "Acme", "--month", MONTH)
    extra = {"supply": ["--recommend", "Level", "--recommend", "Chase@1"]}
    for step in ("data", "demand", "supply", "finance", "executive"):
        ok(capsys, "sign-off", "Acme", step, "--month", MONTH, *extra.get(step, []))
        if step == last:
            return


# --------------------------------------------------------------------------- happy paths


def test_a_whole_cycle_signed_off_from_the_shell_approves_the_plan(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out = ok(capsys, "start", "Acme", "--month", MONTH)
    assert out == (
        f"Started the {MONTH} cycle of Acme: 5 steps open, first data gathering (the demand "
        "planner's); carried 0 open assumptions and decisions.\n"
    )
    out = ok(capsys, "sign-off", "Acme", "data", "--month", MONTH, "--as", DEMAND)
    assert out == (f"Signed off: data gathering of the {MONTH} cycle of Acme.\n")
    out = ok(capsys, "sign-off", "Acme", "demand", "--month", MONTH, "--comment", "ok")
    assert out == (
        f"Signed off: demand review of the {MONTH} cycle of Acme; froze the consensus of "
        "1 family over 6 periods without a statistical forecast.\n"
    )  # Acme has no sales history: the consensus alone
    out = ok(
        capsys, "sign-off", "Acme", "supply", "--month", MONTH, "--as", SUPPLY,
        "--recommend", "Level", "--recommend", "Chase@1",
    )  # fmt: skip
    assert out.endswith("; recommended Level v1, Chase v1.\n")
    ok(capsys, "sign-off", "Acme", "finance", "--month", MONTH)
    out = ok(
        capsys, "sign-off", "Acme", "executive", "--month", MONTH, "--approve", "Chase",
        "--format", "json",
    )  # fmt: skip
    said = json.loads(out)
    assert said["message"] == (
        f"Signed off: executive meeting of the {MONTH} cycle of Acme; approved Chase v1 as "
        "Acme's plan."
    )
    assert (said["step"], said["status"], said["signed_off_by"]) == (
        "executive",
        "signed_off",
        "Tester",
    )
    assert said["plan"] == {"name": "Chase", "version": 1}

    with connect(db_url) as wb:
        cycle = cycles.cycle_of(wb, "Acme", MONTH)
        approved = scenarios.approved_scenario(wb, "Acme")
    assert cycle.complete and cycle.plan == ("Chase", 1)
    assert cycle.recommended == [("Level", 1), ("Chase", 1)]
    assert [s.signed_off_by for s in cycle.steps] == [DEMAND, "Tester", SUPPLY, "Tester", "Tester"]
    assert [c.text for c in cycle.step("demand").comments] == ["ok"]
    frozen = cycle.consensus()
    assert list(frozen["units"]) == [1600, 3000, 3200, 3800, 2200, 2200]
    assert frozen["statistical"].isna().all()
    assert approved is not None and (approved.name, approved.approved_version) == ("Chase", 1)

    trail = cycle_rows(db_url).iloc[::-1]  # oldest first
    assert list(trail["action"]) == ["create"] + ["sign off"] * 5
    assert list(trail["who"]) == ["Tester", DEMAND, "Tester", SUPPLY, "Tester", "Tester"]
    assert list(trail["email"])[1] == DEMAND
    assert list(trail["object"])[-1] == f"{MONTH} cycle: executive meeting"


def test_status_shows_the_steps_the_plan_and_the_log_in_every_format(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    sign_off_to(capsys, "supply")
    ok(capsys, "comment", "Acme", "finance", "numbers tie", "--month", MONTH)
    out = ok(capsys, "status", "Acme", "--month", MONTH)
    lines = out.splitlines()
    assert lines[0] == (
        f"Acme, {MONTH} cycle: 3 of 5 steps signed off; waiting for the finance: "
        "pre-meeting / financial reconciliation."
    )
    assert lines[1].split() == [
        *("Step", "Owner", "Status", "Signed", "off", "by", "Signed", "off", "at"),
        *("Waiting", "for", "Comments"),
    ]
    data = lines[2].split()
    assert data[:6] == ["Data", "gathering", "demand", "planner", "signed", "off"]
    assert data[6] == "Tester" and data[9] == "UTC"
    assert lines[5].split()[-3:] == ["the", "finance", "1"]
    assert lines[6].split()[-4:] == ["financial", "reconciliation", "first", "0"]
    assert "Recommended: Level v1, Chase v1" in lines
    assert "Plan approved: none yet" in lines
    assert any(line.endswith("Tester · pre-meeting / financial reconciliation: numbers tie")
               for line in lines)  # fmt: skip
    assert lines[-2:] == ["Assumptions and decisions:", "nothing logged yet"]
    for word in ("signed_off", "None", "nan", "NaT"):
        assert not re.search(rf"\b{word}\b", out), word

    out = ok(capsys, "status", "Acme", "--month", MONTH, "--format", "json")
    shown = json.loads(out)
    assert (shown["company"], shown["month"], shown["next_step"]) == ("Acme", MONTH, "finance")
    assert shown["plan"] is None
    assert shown["recommended"] == [
        {"name": "Level", "version": 1},
        {"name": "Chase", "version": 1},
    ]
    assert [s["status"] for s in shown["steps"]] == ["signed_off"] * 3 + ["open"] * 2
    assert shown["steps"][3]["yours"] is True  # Tester, the local user, holds every right
    assert shown["comments"][0]["text"] == "numbers tie"

    out = ok(capsys, "status", "Acme", "--month", MONTH, "--format", "csv")
    rows = out.splitlines()
    assert rows[0] == (
        "position,step,label,owner,status,signed_off_by,signed_off_at,waiting_for,yours,comments"
    )
    assert rows[4].startswith("4,finance,Pre-meeting / financial reconciliation,finance,open,,,")


def test_status_and_sign_off_default_to_the_current_cycle(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    ok(capsys, "start", "Acme")  # this month's
    out = ok(capsys, "sign-off", "Acme", "data")
    assert out == f"Signed off: data gathering of the {month_of()} cycle of Acme.\n"
    out = ok(capsys, "status", "Acme")
    assert out.startswith(f"Acme, {month_of()} cycle: 1 of 5 steps signed off;")
    with connect(db_url) as wb:
        assert cycles.months(wb, "Acme") == [month_of()]


def test_comments_assumptions_and_decisions_are_logged_and_closed(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    ok(capsys, "start", "Acme", "--month", MONTH)
    out = ok(capsys, "comment", "Acme", "supply", "Line 2 is tight", "--month", MONTH)
    assert out == f"Commented on the supply review of the {MONTH} cycle of Acme.\n"
    out = ok(
        capsys, "log", "Acme", "assumption", "Steel prices hold", "--owner", "Ann",
        "--family", "Garden tools", "--month", MONTH,
    )  # fmt: skip
    assumption = int(out.split()[2])
    assert out == (
        f"Logged assumption {assumption} in the {MONTH} cycle of Acme; close it with: "
        f"python -m sop_core cycle close Acme {assumption}\n"
    )
    out = ok(
        capsys, "log", "Acme", "decision", "Hire 5 in March", "--owner", "Eve",
        "--due", "2027-03-31", "--month", MONTH, "--format", "json",
    )  # fmt: skip
    decision = json.loads(out)["id"]
    out = ok(capsys, "close", "Acme", str(assumption), "--month", MONTH)
    assert out == (
        f"Closed assumption {assumption} (Steel prices hold) in the {MONTH} cycle of Acme; "
        "it is no longer carried.\n"
    )

    with connect(db_url) as wb:
        cycle = cycles.cycle_of(wb, "Acme", MONTH)
    assert [(c.text, c.author) for c in cycle.step("supply").comments] == [
        ("Line 2 is tight", "Tester")
    ]
    log = {e.id: e for e in cycle.log}
    assert (log[assumption].status, log[assumption].family, log[assumption].owner) == (
        "closed",
        "Garden tools",
        "Ann",
    )
    assert (log[decision].status, str(log[decision].due), log[decision].owner) == (
        "open",
        "2027-03-31",
        "Eve",
    )
    trail = cycle_rows(db_url).iloc[::-1]
    assert list(trail["action"]) == ["create", "comment", "create", "create", "close"]
    assert list(trail["object"])[1:] == [
        f"{MONTH} cycle: supply review",
        f"{MONTH} cycle: assumption {assumption}",
        f"{MONTH} cycle: decision {decision}",
        f"{MONTH} cycle: assumption {assumption}",
    ]
    out = ok(capsys, "status", "Acme", "--month", MONTH)
    table = out[out.index("Assumptions and decisions:") :].splitlines()
    assert table[1].split()[:4] == ["Entry", "Kind", "Text", "Owner"]
    assert table[2].split()[:2] == [str(decision), "decision"]  # the open one first
    assert "2027-03-31" in table[2] and "Garden tools" in table[3]


# --------------------------------------------------------------------------- refusals


def test_a_sign_off_out_of_order_or_by_someone_else_or_twice_is_refused(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    ok(capsys, "start", "Acme", "--month", MONTH)
    before = len(cycle_rows(db_url))

    code, out, err = run(capsys, "sign-off", "Acme", "demand", "--month", MONTH)
    assert (code, out) == (2, "")
    assert err == (
        "error: invalid input\ndemand: Demand review cannot be signed off before data "
        "gathering is signed off (the demand planner's step).\n"
    )
    code, out, err = run(capsys, "sign-off", "Acme", "data", "--month", MONTH, "--as", SUPPLY)
    assert (code, out) == (2, "")
    assert err == (
        "error: invalid input\ndata: not allowed: Only a demand planner may sign off data "
        "gathering; you are: supply planner.\n"
    )
    with connect(db_url) as wb:
        assert not cycles.cycle_of(wb, "Acme", MONTH).step("data").signed_off
    assert len(cycle_rows(db_url)) == before, "a refusal writes nothing"

    ok(capsys, "sign-off", "Acme", "data", "--month", MONTH)
    with connect(db_url) as wb:
        when = cycles.cycle_of(wb, "Acme", MONTH).step("data").signed_off_at
    code, out, err = run(capsys, "sign-off", "Acme", "data", "--month", MONTH)
    assert (code, out) == (2, "")
    assert err == (
        f"error: invalid input\ndata: Data gathering was signed off by Tester at "
        f"{when:%Y-%m-%d %H:%M} UTC; a sign-off is final.\n"
    )
    assert len(cycle_rows(db_url)) == before + 1


def test_starting_logging_commenting_and_closing_need_their_rights(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "start", "Acme", "--month", MONTH, "--as", SUPPLY)
    assert (code, out) == (2, "")
    assert err == (
        "error: invalid input\nmonth: not allowed: Only a demand planner or an admin may "
        "start a monthly S&OP cycle; you are: supply planner.\n"
    )
    with connect(db_url) as wb:
        assert cycles.months(wb, "Acme") == []
    ok(capsys, "start", "Acme", "--month", MONTH)
    ok(capsys, "log", "Acme", "assumption", "Steel holds", "--owner", "Ann", "--month", MONTH)
    stranger = ["--month", MONTH, "--as", "eve@other.example"]  # not in the role file
    why = (
        "not allowed: Only a demand planner or a supply planner or someone in finance or an "
        "executive or a product developer may comment, log assumptions and decisions, and "
        "close them; you are: no role."
    )
    for argv, field in (
        (["log", "Acme", "decision", "Hire", "--owner", "Eve"], "decision"),
        (["comment", "Acme", "data", "hi"], "comment"),
        (["close", "Acme", "1"], "close"),
    ):
        code, out, err = run(capsys, *argv, *stranger)
        assert (code, out, err) == (2, "", f"error: invalid input\n{field}: {why}\n")
    with connect(db_url) as wb:
        cycle = cycles.cycle_of(wb, "Acme", MONTH)
    assert [(e.kind, e.status) for e in cycle.log] == [("assumption", "open")]
    assert cycle.step("data").comments == ()
    assert list(cycle_rows(db_url)["action"]) == ["create", "create"]  # the log entry, the cycle


def test_the_executive_meeting_approves_only_a_recommended_version(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    sign_off_to(capsys, "finance")
    code, out, err = run(
        capsys, "sign-off", "Acme", "executive", "--month", MONTH, "--approve", "Chase@2"
    )
    assert (code, out) == (2, "")
    assert err == (
        "error: invalid input\napprove: Chase v2 was not recommended by the supply review; "
        "approve one of: Level v1, Chase v1\n"
    )
    code, _, err = run(capsys, "sign-off", "Acme", "executive", "--month", MONTH)
    assert code == 2
    assert err == (
        "error: invalid input\napprove: choose the scenario to approve among the "
        "recommended: Level v1, Chase v1\n"
    )
    with connect(db_url) as wb:
        assert scenarios.approved_scenario(wb, "Acme") is None
        assert cycles.cycle_of(wb, "Acme", MONTH).plan is None


# ------------------------------------------------------------------- the statistical forecast


@pytest.fixture
def sample_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A SQLite store holding the sample company with its sales history."""
    url = f"sqlite:///{tmp_path / 'sample.sqlite'}"
    _environment(url, tmp_path, monkeypatch)
    history = read_history(DATA / "sample_history.csv")
    with connect(url) as wb:
        companies.seed_company(
            wb,
            "Sample",
            load_scenario(DATA / "sample_company.json"),
            author="sample",
            history=history,
            history_name="sample_history.csv",
        )
    return url


def test_the_demand_sign_off_freezes_the_statistical_forecast_of_the_history(
    sample_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The naive forecast is hand-checkable: the seasonal naive one, each month the
    family's sales (its SKUs summed) in the same month a year before."""
    history = pd.read_csv(DATA / "sample_history.csv")
    months = sorted(history["period"].unique())[-12:]  # 2025-11 … 2026-10
    totals = history.groupby(["family", "period"])["demand"].sum()
    for month in ("2026-10", "2026-11"):
        ok(capsys, "start", "Sample", "--month", month)
        ok(capsys, "sign-off", "Sample", "data", "--month", month)
    out = ok(
        capsys, "sign-off", "Sample", "demand", "--month", "2026-10", "--statistical-model", "naive"
    )
    assert out == (
        "Signed off: demand review of the 2026-10 cycle of Sample; froze the consensus of "
        "5 families over 12 periods with the statistical forecast.\n"
    )
    out = ok(capsys, "sign-off", "Sample", "demand", "--month", "2026-11",
                       "--no-statistical")  # fmt: skip
    assert out.endswith("without a statistical forecast.\n")
    with connect(sample_url) as wb:
        frozen = cycles.cycle_of(wb, "Sample", "2026-10").consensus()
        alone = cycles.cycle_of(wb, "Sample", "2026-11").consensus()
    assert len(frozen) == 5 * 12
    assert set(frozen["family"]) == set(history["family"])
    for family, got in frozen.groupby("family")["statistical"]:
        np.testing.assert_allclose(got, [totals[family, m] for m in months])
    assert alone["statistical"].isna().all()
    assert list(alone["units"]) == list(frozen["units"])  # the same consensus


def test_without_a_model_the_sign_off_fits_the_plans_model_as_the_page_does(
    sample_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with connect(sample_url) as wb:
        state = companies.company_state(wb, "Sample")
        statistical = cycles.statistical_forecast(wb, "Sample")
    assert state.forecast_model is None  # nothing handed over: the page's default, auto
    assert statistical is not None and len(statistical) == 5 * 12
    assert list(statistical.columns) == ["family", "period", "forecast"]
    assert set(statistical["period"]) == set(state.scenario().period_labels)
    ok(capsys, "start", "Sample", "--month", MONTH)
    ok(capsys, "sign-off", "Sample", "data", "--month", MONTH)
    out = ok(capsys, "sign-off", "Sample", "demand", "--month", MONTH)
    assert out.endswith("with the statistical forecast.\n")
    with connect(sample_url) as wb:
        frozen = cycles.cycle_of(wb, "Sample", MONTH).consensus()
    merged = frozen.merge(statistical, on=["family", "period"])
    np.testing.assert_allclose(merged["statistical"], merged["forecast"])


def test_a_company_without_history_has_no_statistical_forecast(sqlite_url: str) -> None:
    with connect(sqlite_url) as wb:
        assert cycles.statistical_forecast(wb, "Acme") is None


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["start", "Acme", "--month", "2026-13"],
         "--month: must be a month such as '2026-12', got '2026-13'"),
        (["start", "Nope", "--month", MONTH], "company: 'Nope' not found; companies: 'Acme'"),
        (["start", "Acme", "--month", MONTH], "month: Acme has a 2026-11 cycle already; open it"),
        (["status", "Acme", "--month", "2026-12"],
         "month: Acme has no 2026-12 cycle; its cycles: 2026-11"),
        (["sign-off", "Acme", "demand", "--month", MONTH, "--recommend", "Level"],
         "--recommend: belongs to the supply review (STEP supply), not to demand"),
        (["sign-off", "Acme", "data", "--month", MONTH, "--approve", "Level"],
         "--approve: belongs to the executive meeting (STEP executive), not to data"),
        (["sign-off", "Acme", "supply", "--month", MONTH, "--no-statistical"],
         "--no-statistical: belongs to the demand review (STEP demand), not to supply"),
        (["sign-off", "Acme", "supply", "--month", MONTH, "--recommend", "Level@0"],
         "--recommend: give NAME or NAME@VERSION with a version 1, 2, …, got 'Level@0'"),
        (["log", "Acme", "assumption", "x", "--owner", "Ann", "--due", "2027-01-01"],
         "--due: only a decision has a due date; drop --due"),
        (["log", "Acme", "decision", "x", "--owner", "Ann", "--due", "31/03/2027"],
         "--due: must be a date YYYY-MM-DD such as 2027-03-31, got '31/03/2027'"),
        (["log", "Acme", "decision", "x", "--owner", "Ann", "--family", "Pumps"],
         "--family: 'Pumps' is not a family of Acme; its families: 'Garden tools'"),
        (["log", "Acme", "decision", " ", "--owner", "Ann", "--month", MONTH],
         "text: is empty; write what was decided"),
        (["close", "Acme", "99", "--month", MONTH], "entry: Acme has no log entry 99"),
        (["comment", "Acme", "data", "", "--month", MONTH], "comment: is empty; write a comment"),
    ],
)  # fmt: skip
def test_bad_input_exits_2_naming_the_option_and_the_fix(
    sqlite_url: str, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    ok(capsys, "start", "Acme", "--month", MONTH)
    before = len(cycle_rows(sqlite_url))
    code, out, err = run(capsys, *argv)
    assert (code, out) == (2, "")
    assert err == f"error: invalid input\n{message}\n"
    assert len(cycle_rows(sqlite_url)) == before, "nothing was written"


def test_a_company_without_a_cycle_says_how_to_start_one(
    sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "status", "Acme")
    assert (code, out) == (2, "")
    assert err == (
        "error: invalid input\n--month: Acme has no cycle yet; start one with: "
        "python -m sop_core cycle start Acme\n"
    )


def test_a_closed_entry_cannot_be_closed_again(
    sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    ok(capsys, "start", "Acme", "--month", MONTH)
    ok(capsys, "log", "Acme", "assumption", "Steel holds", "--owner", "Ann", "--month", MONTH)
    ok(capsys, "close", "Acme", "1", "--month", MONTH)
    code, _, err = run(capsys, "close", "Acme", "1", "--month", MONTH)
    assert code == 2
    assert err == (
        f"error: invalid input\nentry: assumption 1 was closed by Tester in the {MONTH} cycle\n"
    )


def test_an_unknown_step_is_refused_by_the_parser_listing_the_steps(
    sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "sign-off", "Acme", "sales")
    assert (code, out) == (2, "")
    assert "argument STEP: invalid choice: 'sales'" in err
    assert "'data', 'demand', 'supply', 'finance', 'executive'" in err


def test_every_option_says_what_it_is(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("start", "status", "sign-off", "comment", "log", "close"):
        assert main(["cycle", command, "--help"]) == 0
        out = capsys.readouterr().out
        assert "--month YYYY-MM" in out and "--as WHO" in out
    main(["cycle", "sign-off", "--help"])
    out = capsys.readouterr().out
    for option in ("--recommend NAME[@VERSION]", "--approve NAME[@VERSION]", "--no-statistical"):
        assert option in out
    assert "demand (demand review)" in " ".join(out.split())
