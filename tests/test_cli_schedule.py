"""``python -m sop_core schedule``: formats and exit codes, run as a real subprocess."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd

from sop_core.model.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = str(ROOT / "data" / "sample_company.json")
HISTORY = str(ROOT / "data" / "sample_history.csv")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sop_core", "schedule", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )


def test_json_output_and_family_totals():
    out = run(SAMPLE, HISTORY, "--format", "json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)  # nothing but JSON on stdout
    assert {"weeks", "load", "months", "skus", "notes", "method"} <= set(data)
    months = pd.DataFrame(data["months"])
    gap = (months["scheduled_production"] - months["plan_production"]).abs()
    assert (gap < 1).all()
    weeks = pd.DataFrame(data["weeks"])
    assert weeks["sku"].nunique() == 18
    assert (weeks["made"] >= 0).all()
    assert weeks["made"].sum() == months["scheduled_production"].sum()
    load = pd.DataFrame(data["load"])
    assert load["days"].sum() == 365  # Nov 2026 – Oct 2027


def test_csv_weeks_family_and_stock_table(tmp_path):
    stock = tmp_path / "stock.csv"
    stock.write_text("sku,on_hand,safety_stock,min_batch\nWA-HOSE,900,50,400\n")
    out = run(
        SAMPLE, HISTORY, "--format", "csv", "--weeks", "4", "--family", "Watering",
        "--stock", str(stock), "--firm-weeks", "2",
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    frame = pd.read_csv(io.StringIO(out.stdout))
    assert set(frame["family"]) == {"Watering"}
    assert frame["week"].nunique() == 4
    hose = frame[frame["sku"] == "WA-HOSE"]
    assert hose["safety_stock"].tolist() == [50] * 4
    assert hose["firm"].tolist() == [True, True, False, False]
    made = hose["made"] + hose["bought"]
    assert ((made == 0) | (made >= 400)).all()
    assert "SKUs not in the stock table use the default" in out.stderr


def test_table_format_marks_shortfalls():
    out = run(SAMPLE, HISTORY, "--weeks", "3", "--method", "proportional")
    assert out.returncode == 0, out.stderr
    assert "weekly schedule, 3 weeks (2026-10-26 – 2026-11-09), method proportional" in out.stdout
    s = load_scenario(SAMPLE)
    for name in s.family_names:
        assert f"{name}: units made per week" in out.stdout
    assert "Weekly load (labour hours)" in out.stdout


def test_invalid_inputs_exit_2(tmp_path):
    bad = tmp_path / "stock.csv"
    bad.write_text("sku,on_hand\nGT-SPADE,lots\n")
    out = run(SAMPLE, HISTORY, "--stock", str(bad))
    assert out.returncode == 2
    assert "row 2, column on_hand: must be a number ≥ 0, got 'lots'" in out.stderr
    assert "Traceback" not in out.stderr
    out = run(SAMPLE, HISTORY, "--family", "Toys")
    assert out.returncode == 2
    assert "--family: 'Toys' is not a family" in out.stderr
    out = run(str(ROOT / "data" / "red_tomato.json"), HISTORY)
    assert out.returncode == 2
    assert "periods: the schedule needs months labelled like 2027-01, got 'Jan'" in out.stderr
    no_sku = tmp_path / "h.csv"
    no_sku.write_text("period,family,demand\n2026-01,A,1\n2026-02,A,2\n")
    out = run(SAMPLE, str(no_sku))
    assert out.returncode == 2
    assert "history: has no sku column" in out.stderr


def test_infeasible_plan_exits_1(tmp_path):
    data = json.loads(Path(SAMPLE).read_text())
    data["workforce"]["max_workers"] = 1
    for fam in data["families"]:
        fam["backorders_allowed"] = False
        fam["max_subcontract"] = 0
    path = tmp_path / "tight.json"
    path.write_text(json.dumps(data))
    out = run(str(path), HISTORY)
    assert out.returncode == 1
    assert "no family plan to schedule" in out.stderr
    assert out.stdout == ""


def test_red_tomato_with_a_start_month(tmp_path):
    """A scenario labelled Jan..Jun schedules from --start; its families need SKUs."""
    hist = tmp_path / "rt.csv"
    rows = ["period,family,sku,demand"]
    for i, month in enumerate(pd.period_range("2024-01", "2026-12", freq="M")):
        rows.append(f"{month},Garden tools,RT-A,{100 + 10 * (i % 12)}")
        rows.append(f"{month},Garden tools,RT-B,{300 - 10 * (i % 12)}")
    hist.write_text("\n".join(rows) + "\n")
    red = str(ROOT / "data" / "red_tomato.json")
    out = run(red, str(hist), "--start", "2027-01", "--format", "json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    months = pd.DataFrame(data["months"])
    assert months["period"].tolist() == ["Jan", "Feb", "Mar", "Apr", "May", "Jun"]
    assert data["load"][0]["week"] == "2026-12-28"  # the week of Friday 1 January 2027


def test_skus_of_a_family_the_scenario_lacks_are_reported(tmp_path):
    """The history sells Watering; a scenario without it schedules the other SKUs and
    says which ones it leaves out."""
    data = json.loads(Path(SAMPLE).read_text(encoding="utf-8"))
    data["families"] = [f for f in data["families"] if f["name"] != "Watering"]
    scenario = tmp_path / "no_watering.json"
    scenario.write_text(json.dumps(data), encoding="utf-8")
    out = run(str(scenario), HISTORY, "--format", "json")
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    note = (
        "3 SKUs of family 'Watering', which the plan does not have, are not scheduled: "
        "WA-CAN, WA-HOSE, WA-SPRINKLER"
    )
    assert note in result["notes"]
    assert f"note: {note}" in out.stderr
    assert not any(row["sku"].startswith("WA-") for row in result["skus"])
