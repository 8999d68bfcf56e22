"""``python -m sop_core solve``: formats and exit codes, run as a real subprocess."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from factories import red_tomato_dict

from sop_core.base.fields import MISSING

ROOT = Path(__file__).resolve().parent.parent
RED_TOMATO = str(ROOT / "data" / "red_tomato.json")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sop_core", *args], capture_output=True, text=True, cwd=ROOT
    )


def test_json_output_has_the_contracted_keys():
    out = run("solve", RED_TOMATO, "--format", "json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)  # nothing but JSON on stdout
    assert {"status", "total_cost", "cost_breakdown", "kpis", "periods", "families"} <= set(data)
    assert data["status"] == "optimal"
    assert data["total_cost"] == pytest.approx(422_275, abs=0.005)
    assert {
        "period",
        "workforce",
        "hires",
        "layoffs",
        "overtime_hours",
        "regular_hours_available",
        "hours_used",
    } <= set(data["periods"][0])
    assert {
        "period",
        "family",
        "demand",
        "production",
        "subcontract",
        "inventory",
        "backorder",
    } <= set(data["families"][0])


def test_integer_flag():
    out = run("solve", RED_TOMATO, "--integer", "--format", "json")
    assert json.loads(out.stdout)["total_cost"] == pytest.approx(422_660, abs=0.005)


def test_strategy_flag_and_table_format():
    out = run("solve", RED_TOMATO, "--strategy", "chase")
    assert out.returncode == 0
    assert "optimal (strategy chase)" in out.stdout
    assert "Total cost:" in out.stdout and "Fill rate" in out.stdout
    # no safety stock targets: none to meet, read as the one missing mark
    met = next(line for line in out.stdout.splitlines() if "Safety stock met" in line)
    assert met.split()[-1] == MISSING


def test_the_table_reads_in_the_vocabulary():
    out = run("solve", RED_TOMATO)
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert "Total cost: $422,275" in text
    assert "Regular labour" in text and "regular_labour" not in text
    assert "Production (units)" in text and "Inventory, end of period (units)" in text
    assert "NaN" not in text and "None" not in text
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", text), "a code name in the table"
    assert not re.search(r"\d\.\d{3,}", text), "a number with more than 2 decimals"


def test_csv_rows_per_family_and_period():
    out = run("solve", RED_TOMATO, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert len(rows) == 6
    assert float(rows[3]["backorder"]) == pytest.approx(266.67, abs=0.01)


def test_infeasible_exits_1_with_the_diagnosis(tmp_path):
    d = red_tomato_dict()
    d["workforce"]["max_workers"] = 60
    d["families"][0] |= {"max_subcontract": 0, "backorders_allowed": False}
    path = tmp_path / "tight.json"
    path.write_text(json.dumps(d))
    out = run("solve", str(path))
    assert out.returncode == 1
    assert "Apr: 1,600 labour hours short with at most 60 workers" in out.stdout
    as_json = json.loads(run("solve", str(path), "--format", "json").stdout)
    assert as_json["status"] == "infeasible" and as_json["diagnosis"]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "no such file"),
        ("{not json", "not valid JSON"),
        ("BAD_HOLDING", "families[0].holding_cost: must be ≥ 0, got -2"),
        ("SHORT_DEMAND", "families[1].demand: must have 6 values"),
        ("TEXT_DEMAND", "families[0].demand[1]: must be a number, got 'many'"),
    ],
)
def test_invalid_input_exits_2_without_traceback(tmp_path, content, expected):
    path = tmp_path / "s.json"
    d = red_tomato_dict()
    if content == "BAD_HOLDING":
        d["families"][0]["holding_cost"] = -2
    elif content == "SHORT_DEMAND":
        d["families"].append({**d["families"][0], "name": "Pots", "demand": [1, 2]})
    elif content == "TEXT_DEMAND":
        d["families"][0]["demand"][1] = "many"
    if content is not None:
        path.write_text(content if content.startswith("{not") else json.dumps(d))
    out = run("solve", str(path))
    assert out.returncode == 2
    assert expected in out.stderr
    assert "Traceback" not in out.stderr


def test_unknown_strategy_exits_2():
    out = run("solve", RED_TOMATO, "--strategy", "fast")
    assert out.returncode == 2
    assert "invalid choice: 'fast'" in out.stderr


def test_the_time_fence_holds_the_approved_plans_first_periods(tmp_path: Path):
    """A hand-checkable fence: the approved plan made 4 in period 1 (one worker, 4 hours);
    the new scenario, with 10 hours and a fence of 1 period, must still make 4 there."""
    from factories import tiny

    approved = tiny([4, 4], workforce={"regular_hours_per_worker": 4})
    new = tiny([10, 10], policy={"frozen_periods": 1})
    (tmp_path / "approved.json").write_text(approved.to_json(), encoding="utf-8")
    (tmp_path / "new.json").write_text(new.to_json(), encoding="utf-8")
    fenced = run(
        "solve",
        str(tmp_path / "new.json"),
        "--fence-from",
        str(tmp_path / "approved.json"),
        "--format",
        "json",
    )
    assert fenced.returncode == 0, fenced.stderr
    made = [r["production"] for r in json.loads(fenced.stdout)["families"]]
    assert made == pytest.approx([4, 10])
    # without the approved plan the fence holds nothing, and the command says so
    free = run("solve", str(tmp_path / "new.json"), "--format", "json")
    assert free.returncode == 0
    assert "no approved plan was given" in free.stderr
    assert [r["production"] for r in json.loads(free.stdout)["families"]] == pytest.approx([10, 10])
