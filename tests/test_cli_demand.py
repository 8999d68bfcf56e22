"""``python -m sop_core forecast|accuracy``: outputs, formats and exit 2 on bad input."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sop_core.cli.main import main

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def history_csv(tmp_path: Path) -> Path:
    t = np.arange(36)
    rows = []
    for family, base in (("A", 100.0), ("B", 40.0)):
        for sku, share in (("x", 0.7), ("y", 0.3)):
            y = share * (base + t + 20 * np.sin(2 * np.pi * t / 12))
            periods = pd.date_range("2023-01-01", periods=36, freq="MS").strftime("%Y-%m")
            rows += [
                (p, family, f"{family}-{sku}", round(v, 1)) for p, v in zip(periods, y, strict=True)
            ]
    path = tmp_path / "history.csv"
    pd.DataFrame(rows, columns=["period", "family", "sku", "demand"]).to_csv(path, index=False)
    return path


def test_forecast_csv_rows_carry_the_documented_columns(history_csv, capsys) -> None:
    code = main(
        [
            "forecast",
            str(history_csv),
            "--horizon",
            "3",
            "--model",
            "naive",
            "--format",
            "csv",
            "--quiet",
        ]
    )
    assert code == 0
    out = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert list(out.columns) == ["family", "period", "forecast", "lower", "upper", "model"]
    assert out["period"].tolist() == ["2026-01", "2026-02", "2026-03"] * 2
    assert set(out["model"]) == {"naive"}


def test_forecast_json_at_sku_level(history_csv, capsys) -> None:
    code = main(
        [
            "forecast",
            str(history_csv),
            "--horizon",
            "2",
            "--model",
            "ets",
            "--level",
            "sku",
            "--format",
            "json",
            "--workers",
            "1",
        ]
    )
    assert code == 0
    captured = capsys.readouterr()
    rows = json.loads(captured.out)
    assert len(rows) == 4 * 2
    assert set(rows[0]) == {"family", "sku", "period", "forecast", "lower", "upper", "model"}
    assert "series" in captured.err  # the progress bar went to stderr


def test_accuracy_prints_the_backtest_table(history_csv, capsys) -> None:
    code = main(["accuracy", str(history_csv), "--holdout", "3", "--model", "ets", "--quiet"])
    assert code == 0
    out = capsys.readouterr().out
    header = out.splitlines()[0].split()
    assert header == [
        "family",
        "model",
        "mape",
        "wape",
        "bias",
        "mase",
        "mae",
        "origins",
        "holdout",
        "points",
        "chosen",
    ]
    assert out.count("*") == 2  # one chosen model per family


def test_invalid_history_exits_2_with_the_message(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("period,family,demand\n2024-01,A,1\n2024-02,A,abc\n")
    assert main(["forecast", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "row 3, column demand: must be a number ≥ 0, got 'abc'" in err
    assert "Traceback" not in err


def test_invalid_options_exit_2(history_csv, capsys) -> None:
    assert main(["forecast", str(history_csv), "--horizon", "0"]) == 2
    assert "--horizon: must be a whole number from 1 to 520, got 0" in capsys.readouterr().err
    assert main(["forecast", str(history_csv), "--model", "arima", "--quiet"]) == 2
    assert "--model: must be one of auto, prophet, ets, naive" in capsys.readouterr().err
    assert main(["accuracy", str(history_csv), "--holdout", "-1"]) == 2
    assert "--holdout: must be a whole number from 1 to 520, got -1" in capsys.readouterr().err


def test_module_entry_point_refuses_a_missing_file_without_traceback(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "sop_core", "forecast", str(tmp_path / "none.csv")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert "no such file; give a .csv or .xlsx history" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_forecast_says_why_each_family_got_its_model(history_csv, capsys) -> None:
    args = ["forecast", str(history_csv), "--model", "ets", "--horizon", "2", "--quiet"]
    assert main([*args, "--workers", "1"]) == 0
    out = capsys.readouterr().out
    forecast_part, why = out.split("\nmodel chosen per series, and why:\n")
    assert len(forecast_part.strip().splitlines()) == 1 + 2 * 2  # header + 2 families × 2
    lines = why.strip().splitlines()
    assert lines[0].split() == ["family", "model", "reason"]
    assert [line.split()[0] for line in lines[1:]] == ["A", "B"]
    for line in lines[1:]:
        assert line.split()[1] in ("ets", "ets-damped")
        assert "backtest MASE" in line and "conformal 80 % interval from" in line
    # json: stdout stays one document, the reasons go to stderr
    assert main([*args, "--workers", "1", "--format", "json"]) == 0
    captured = capsys.readouterr()
    assert len(json.loads(captured.out)) == 4
    why_lines = [x for x in captured.err.splitlines() if x.startswith("why: ")]
    assert [x.split(":")[1].strip() for x in why_lines] == ["A", "B"]
    assert all("backtest MASE" in x for x in why_lines)


def test_accuracy_uses_the_forecasts_rolling_origins(history_csv, capsys) -> None:
    from sop_core.demand.accuracy import DEFAULT_ORIGINS
    from sop_core.demand.forecast import forecast
    from sop_core.demand.history import read_history

    args = ["accuracy", str(history_csv), "--holdout", "3", "--model", "naive", "--quiet"]
    assert main([*args, "--format", "json", "--workers", "1"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert DEFAULT_ORIGINS > 3  # the command used to stop at 3
    assert {r["origins"] for r in rows} == {DEFAULT_ORIGINS}  # 36 months allow all of them
    fc = forecast(read_history(history_csv), model="naive", holdout=3, horizon=3, workers=1)
    assert fc.accuracy["origins"].tolist() == [r["origins"] for r in rows]
    assert fc.accuracy["mase"].tolist() == pytest.approx([r["mase"] for r in rows])
