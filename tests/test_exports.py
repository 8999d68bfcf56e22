"""Plan downloads: readable headers, sensible numbers, the what-if block, no formulas."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from factories import red_tomato_dict

from sop_core.engine.planner import solve
from sop_core.model.scenario import parse_scenario
from sop_core.reports.exports import (
    file_stem,
    neutralise,
    neutralise_frame,
    plan_csv,
    plan_excel,
    plan_table,
    rounded,
    whatif_settings,
)

HOSTILE = ('=HYPERLINK("https://evil.example","x")', "+SUM(1,2)", "-2+3", "@cmd", "\tTab")


@pytest.fixture(scope="module")
def hostile():
    """Red Tomato with two families named like formulas, a formula scenario name."""
    d = red_tomato_dict()
    d["name"] = "=1+1"
    fam = d["families"][0]
    d["families"] = [dict(fam, name=HOSTILE[0]), dict(fam, name=HOSTILE[1], demand=[10.0] * 6)]
    d["periods"] = ["@Jan", "Feb", "Mar", "Apr", "May", "Jun"]
    scenario = parse_scenario(d)
    result = solve(scenario)
    assert result.optimal
    return scenario, result


def test_neutralise_prefixes_formula_text_only():
    for text in (*HOSTILE, "\rx"):
        assert neutralise(text) == "'" + text
    assert neutralise("Garden tools") == "Garden tools"
    assert neutralise(-5.0) == -5.0  # a number is not text


def test_csv_has_no_cell_a_spreadsheet_would_run(hostile):
    scenario, result = hostile
    text = plan_csv(result, whatif_settings(scenario, "as in the scenario")).decode("utf-8-sig")
    cells = [c for row in csv.reader(io.StringIO(text)) for c in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "@", "\t", "\r")]
    assert not [c for c in cells if c.startswith("-") and not _number(c)]
    assert "'" + HOSTILE[0] in cells and "'@Jan" in cells and "'=1+1" in cells


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_excel_cells_are_text_not_formulas(hostile):
    scenario, result = hostile
    book = openpyxl.load_workbook(io.BytesIO(plan_excel(result, whatif_settings(scenario, "x"))))
    assert book.sheetnames == ["What-if", "KPIs", "Costs", "Plan", "Periods", "Families"]
    values = [c for ws in book for row in ws.iter_rows() for c in row]
    assert not [c.coordinate for c in values if c.data_type == "f"]
    texts = {c.value for c in values if isinstance(c.value, str)}
    assert "'" + HOSTILE[1] in texts and "'=1+1" in texts


def test_readable_headers_and_rounded_numbers():
    result = solve(parse_scenario(red_tomato_dict()))
    table = plan_table(result)
    assert {"Period", "Family", "Demand (units)", "Production (units)"} <= set(table.columns)
    assert "production" not in table.columns
    text = plan_csv(result).decode("utf-8-sig")
    numbers = [c for row in csv.reader(io.StringIO(text)) for c in row if _number(c)]
    assert numbers and all(len(c.partition(".")[2]) <= 2 for c in numbers)


def test_rounded_turns_float_noise_into_whole_numbers():
    import pandas as pd

    frame = rounded(pd.DataFrame({"a": [18480.000000000004, 2.0], "b": [0.1 + 0.2, 1.004]}))
    assert frame["a"].tolist() == [18480, 2]
    assert frame["b"].tolist() == [0.3, 1.0]
    assert str(frame["a"].dtype) == "Int64"


def test_whatif_block_lists_the_levers():
    d = red_tomato_dict()
    d["workforce"] |= {"max_overtime_hours_per_worker": 15, "max_workers": None}
    block = whatif_settings(parse_scenario(d), "overtime ≤ 15 h/worker", {"Safety stock": "1"})
    settings = dict(zip(block["Setting"], block["Value"], strict=True))
    assert settings["Max overtime"] == "15 h per worker per period"
    assert settings["Max workers"] == "no limit"
    assert settings["What-if"] == "overtime ≤ 15 h/worker"
    assert settings["Safety stock"] == "1"
    assert neutralise_frame(block).shape == block.shape


def test_file_names_differ_per_whatif():
    a = file_stem("Red Tomato Tools", "overtime ≤ 15 h/worker, safety stock 1.5 months")
    b = file_stem("Red Tomato Tools", "as in the scenario")
    assert a == "red_tomato_tools__overtime_max_15_h_worker_safety_stock_1.5_months_plan"
    assert b == "red_tomato_tools__as_in_the_scenario_plan"
    assert file_stem("../../etc/passwd", "=cmd|' /C calc'!A0") == "etc_passwd__cmd_c_calc_a0_plan"


def test_command_line_csv_has_no_formula_cells(tmp_path):
    import json

    from sop_core.cli.main import main

    d = red_tomato_dict()
    d["families"][0]["name"] = HOSTILE[0]
    path = tmp_path / "s.json"
    path.write_text(json.dumps(d))
    out = io.StringIO()
    import contextlib

    with contextlib.redirect_stdout(out):
        assert main(["solve", str(path), "--format", "csv"]) == 0
    cells = [c for row in csv.reader(io.StringIO(out.getvalue())) for c in row]
    assert "'" + HOSTILE[0] in cells and HOSTILE[0] not in cells


def test_forecast_csv_has_no_formula_cells(tmp_path):
    import contextlib

    from sop_core.cli.main import main

    rows = ["period,family,demand"] + [
        f'{2023 + m // 12}-{m % 12 + 1:02d},"=1+2",{100 + m}' for m in range(24)
    ]
    path = tmp_path / "h.csv"
    path.write_text("\n".join(rows) + "\n")
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = main(
            [
                "forecast",
                str(path),
                "--model",
                "naive",
                "--horizon",
                "2",
                "--quiet",
                "--workers",
                "1",
                "--format",
                "csv",
            ]
        )
    assert code == 0
    families = [row["family"] for row in csv.DictReader(io.StringIO(out.getvalue()))]
    assert families == ["'=1+2"] * 2
