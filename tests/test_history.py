"""Reading and validating sales histories: every validation message, both file types."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sop_core.base.errors import InputError
from sop_core.demand.history import (
    disaggregate,
    family_totals,
    infer_freq,
    parse_table,
    read_history,
    season_length,
    sku_shares,
    validate_history,
)

DATA = Path(__file__).resolve().parent.parent / "data"


def _csv(text: str, **kwargs) -> pd.DataFrame:
    return read_history(text.encode(), filename="h.csv", **kwargs)


def _messages(exc: pytest.ExceptionInfo[InputError]) -> list[str]:
    return [str(p) for p in exc.value.problems]


def test_reads_monthly_csv_and_sums_skus_into_families() -> None:
    h = _csv(
        "period,family,sku,demand\n"
        "2024-01,A,a1,10\n2024-01,A,a2,5\n2024-02,A,a1,12\n2024-02,A,a2,6\n"
    )
    assert list(h.columns) == ["period", "family", "sku", "demand"]
    assert h["period"].dtype.kind == "M"
    totals = family_totals(h)
    assert totals["demand"].tolist() == [15.0, 18.0]
    assert infer_freq(h) == "MS" and season_length("MS") == 12


def test_column_names_ignore_case_and_spaces_and_dates_may_be_iso_or_month_end() -> None:
    h = _csv(" Period ,FAMILY, Demand\n2024-01-31,A,1\n2024-02-29,A,2\n2024-03-01,A,3\n")
    assert h["period"].dt.strftime("%Y-%m-%d").tolist() == [
        "2024-01-01",
        "2024-02-01",
        "2024-03-01",
    ]


def test_semicolon_csv() -> None:
    h = _csv("period;family;demand\n2024-01;A;1\n2024-02;A;2\n")
    assert h["demand"].tolist() == [1.0, 2.0]


def test_weekly_history_is_detected() -> None:
    dates = pd.date_range("2024-01-01", periods=4, freq="W-MON")
    text = "period,family,demand\n" + "".join(f"{d.date()},A,{i}\n" for i, d in enumerate(dates))
    h = _csv(text)
    assert infer_freq(h) == "W-MON" and season_length("W-MON") == 52
    assert h["period"].tolist() == list(dates)


def test_missing_column_names_it_and_lists_found_columns() -> None:
    with pytest.raises(InputError) as exc:
        _csv("period,family,qty\n2024-01,A,1\n")
    assert _messages(exc) == [
        "columns: missing column 'demand'; the history needs columns period, family, demand "
        "(and optionally sku), found: period, family, qty"
    ]


def test_empty_file() -> None:
    with pytest.raises(InputError) as exc:
        read_history(b"", filename="h.csv")
    assert "the file is empty" in _messages(exc)[0]
    assert _messages(exc)[0].startswith("h.csv: ")


def test_header_without_rows() -> None:
    with pytest.raises(InputError) as exc:
        _csv("period,family,demand\n")
    assert _messages(exc) == [
        "the file has a header but no data rows; add one row per period and family"
    ]


def test_unparseable_date_names_row_column_value_and_format() -> None:
    with pytest.raises(InputError) as exc:
        _csv("period,family,demand\n2024-01,A,1\n14/03/2024,A,2\n")
    assert _messages(exc) == [
        "row 3, column period: must be a date written YYYY-MM or YYYY-MM-DD, got '14/03/2024'"
    ]


@pytest.mark.parametrize(
    ("cell", "shown"),
    [("abc", "'abc'"), ("-5", "'-5'"), ("", "an empty cell"), ("inf", "'inf'")],
)
def test_bad_demand(cell: str, shown: str) -> None:
    with pytest.raises(InputError) as exc:
        _csv(f"period,family,demand\n2024-01,A,1\n2024-02,A,{cell}\n")
    assert _messages(exc) == [f"row 3, column demand: must be a number ≥ 0, got {shown}"]


def test_every_bad_cell_is_reported_at_once() -> None:
    with pytest.raises(InputError) as exc:
        _csv("period,family,demand\n2024-13,A,1\n2024-02,,x\n")
    assert _messages(exc) == [
        "row 3, column family: must not be empty, got an empty cell",
        "row 2, column period: must be a date written YYYY-MM or YYYY-MM-DD, got '2024-13'",
        "row 3, column demand: must be a number ≥ 0, got 'x'",
    ]


def test_duplicate_period_for_a_family() -> None:
    with pytest.raises(InputError) as exc:
        _csv("period,family,demand\n2024-01,A,1\n2024-02,A,2\n2024-01-01,A,3\n")
    assert _messages(exc) == [
        "rows 2 and 4: family 'A', period 2024-01 appears more than once; keep one row per "
        "period and family (sum them if they are parts of the same demand)"
    ]


def test_duplicate_period_for_a_sku() -> None:
    with pytest.raises(InputError) as exc:
        _csv("period,family,sku,demand\n2024-01,A,x,1\n2024-01,A,y,2\n2024-01,A,x,3\n")
    assert _messages(exc) == [
        "rows 2 and 4: family 'A', sku 'x', period 2024-01 appears more than once; keep one "
        "row per period and family and SKU (sum them if they are parts of the same demand)"
    ]


def test_gap_is_reported_unless_filling_is_asked() -> None:
    text = "period,family,demand\n2024-01,A,1\n2024-04,A,4\n2024-01,B,1\n2024-02,B,1\n"
    with pytest.raises(InputError) as exc:
        _csv(text)
    assert _messages(exc) == [
        "family 'A': no row for period 2024-02, 2024-03 (2 missing between its first period "
        "and the file's last, 2024-04); add rows with demand 0, or fill gaps with zeros "
        "(fill_gaps=True, --fill-gaps)",
        "family 'B': no row for period 2024-03, 2024-04 (2 missing between its first period "
        "and the file's last, 2024-04); add rows with demand 0, or fill gaps with zeros "
        "(fill_gaps=True, --fill-gaps)",
    ]
    h = _csv(text, fill_gaps=True)
    a = h[h["family"] == "A"]
    assert a["demand"].tolist() == [1.0, 0.0, 0.0, 4.0]
    assert len(h[h["family"] == "B"]) == 4


def test_mixed_frequencies_name_the_odd_rows() -> None:
    with pytest.raises(InputError) as exc:
        _csv("period,family,demand\n2024-01,A,1\n2024-02-14,A,2\n2024-03,A,3\n")
    assert _messages(exc) == [
        "row 3, column period: 2024-02-14 does not fit a monthly history (YYYY-MM, or the "
        "first or last day of a month); use one frequency for the whole file"
    ]


def test_weekly_history_with_another_weekday() -> None:
    text = "period,family,demand\n2024-01-08,A,1\n2024-01-15,A,2\n2024-01-24,A,3\n2024-01-29,A,1\n"
    with pytest.raises(InputError) as exc:
        _csv(text)
    assert _messages(exc) == [
        "row 4, column period: 2024-01-24 is a Wed but this weekly history's weeks start on "
        "Mon; use one frequency (all monthly, or all weekly on the same weekday) for the "
        "whole file"
    ]


def test_said_frequency_overrides_detection_and_bad_frequency_is_refused() -> None:
    with pytest.raises(InputError) as exc:
        _csv("period,family,demand\n2024-01-08,A,1\n", freq="MS")
    assert "does not fit a monthly history" in _messages(exc)[0]
    with pytest.raises(InputError) as exc:
        _csv("period,family,demand\n2024-01,A,1\n", freq="daily")
    assert _messages(exc) == ["freq: must be 'MS' (monthly) or 'W' (weekly), got 'daily'"]


def test_file_over_the_size_limit(tmp_path: Path) -> None:
    text = b"period,family,demand\n" + b"2024-01,A,1\n" * 100
    with pytest.raises(InputError) as exc:
        read_history(text, filename="big.csv", max_bytes=1000)
    assert _messages(exc) == [
        "big.csv: is larger than the limit of 1000 bytes; split the history or aggregate it"
    ]
    path = tmp_path / "big.csv"
    path.write_bytes(text)
    with pytest.raises(InputError, match="larger than the limit"):
        read_history(path, max_bytes=1000)
    with pytest.raises(InputError, match="larger than the limit"):
        read_history(io.BytesIO(text), filename="big.csv", max_bytes=1000)


def test_wrong_extension_and_missing_path(tmp_path: Path) -> None:
    with pytest.raises(InputError) as exc:
        read_history(b"x", filename="h.pkl")
    assert _messages(exc) == ["h.pkl: must be a .csv or .xlsx file, got '.pkl'"]
    with pytest.raises(InputError, match="no such file"):
        read_history(tmp_path / "nope.csv")


def test_ragged_csv() -> None:
    with pytest.raises(InputError) as exc:
        _csv("period,family,demand\n2024-01,A,1,9,9\n")
    assert _messages(exc) == [
        "row 2: has 5 fields but the header has 3; every row needs the header's columns, "
        "separated by ','"
    ]


def test_xlsx_round_trip_and_not_a_workbook(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "period": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01"]),
            "family": ["A", "A", "A"],
            "demand": [1, 2.5, 3],
        }
    )
    path = tmp_path / "h.xlsx"
    frame.to_excel(path, index=False)
    h = read_history(path)
    assert h["demand"].tolist() == [1.0, 2.5, 3.0]
    assert h["period"].tolist() == frame["period"].tolist()
    with pytest.raises(InputError) as exc:
        read_history(b"period,family\n", filename="h.xlsx")
    assert _messages(exc) == [
        "h.xlsx: this looks like a CSV text file; upload it with the .csv extension"
    ]
    with pytest.raises(InputError) as exc:
        read_history(b"\x01\x02 not a zip", filename="h.xlsx")
    assert _messages(exc) == [
        "h.xlsx: cannot be read as an Excel .xlsx workbook; save it as .xlsx or .csv"
    ]


def test_xlsx_bad_cell_names_spreadsheet_row(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {"period": ["2024-01", "2024-02"], "family": ["A", "A"], "demand": [1, -2]}
    )
    path = tmp_path / "h.xlsx"
    frame.to_excel(path, index=False)
    with pytest.raises(InputError) as exc:
        read_history(path)
    assert _messages(exc) == ["row 3, column demand: must be a number ≥ 0, got -2"]


def test_parse_table_keeps_csv_cells_as_text() -> None:
    raw = parse_table(b"period,family,demand\n2024-01,A,007\n", "h.csv")
    assert raw.loc[2, "demand"] == "007"  # indexed by spreadsheet row
    assert validate_history(raw)["demand"].tolist() == [7.0]


def test_sku_shares_sum_to_one_and_disaggregate_a_family_value() -> None:
    h = _csv(
        "period,family,sku,demand\n"
        "2024-01,A,a1,30\n2024-01,A,a2,10\n2024-02,A,a1,30\n2024-02,A,a2,30\n"
        "2024-01,B,b1,0\n2024-02,B,b1,0\n2024-01,B,b2,0\n2024-02,B,b2,0\n"
    )
    shares = sku_shares(h, last_n=1)
    assert shares[shares["family"] == "A"]["share"].tolist() == [0.5, 0.5]
    assert shares[shares["family"] == "B"]["share"].tolist() == [0.5, 0.5]  # no demand: even
    two = sku_shares(h, last_n=2)
    assert two[two["family"] == "A"]["share"].tolist() == pytest.approx([0.6, 0.4])
    plan = pd.DataFrame({"family": ["A"], "forecast": [100.0]})
    split = disaggregate(plan, two)
    assert split["forecast"].tolist() == pytest.approx([60.0, 40.0])
    with pytest.raises(InputError, match="no sku column"):
        sku_shares(family_totals(h))


def test_sample_history_is_a_realistic_company() -> None:
    h = read_history(DATA / "sample_history.csv")
    assert 4 <= h["family"].nunique() <= 6
    assert h.groupby("family")["sku"].nunique().min() >= 2
    assert h["period"].nunique() >= 60
    totals = family_totals(h)
    for _, grp in totals.groupby("family"):
        y = grp["demand"].to_numpy()
        first, last = y[:12].sum(), y[-12:].sum()
        assert last > first  # trend
        by_month = grp.groupby(grp["period"].dt.month)["demand"].mean()
        assert by_month.max() / by_month.min() > 1.15  # yearly seasonality
    assert np.isfinite(h["demand"]).all() and (h["demand"] >= 0).all()


def test_blank_lines_are_skipped_and_rows_keep_their_file_line_numbers() -> None:
    with pytest.raises(InputError) as exc:
        _csv("period,family,demand\n2024-01,A,1\n\n2024-02,A,oops\n")
    assert _messages(exc) == ["row 4, column demand: must be a number ≥ 0, got 'oops'"]


# --------------------------------------------------------------------------- limits


def test_excel_workbook_named_csv_says_so(tmp_path: Path) -> None:
    frame = pd.DataFrame({"period": ["2024-01"], "family": ["A"], "demand": [1]})
    path = tmp_path / "h.xlsx"
    frame.to_excel(path, index=False)
    with pytest.raises(InputError) as exc:
        read_history(path.read_bytes(), filename="h.csv")
    assert _messages(exc) == [
        "h.csv: this looks like an Excel workbook (.xlsx); save it as CSV or upload it "
        "with the .xlsx extension"
    ]


def test_demand_beyond_the_magnitude_limit() -> None:
    with pytest.raises(InputError) as exc:
        read_history(b"period,family,demand\n2024-01,A,1e308\n2024-02,A,1e12\n")
    assert _messages(exc) == [
        "row 2, column demand: must be ≤ 1,000,000,000,000 (the largest demand accepted), "
        "got '1e308'"
    ]


def test_calendar_span_and_series_count_limits(monkeypatch) -> None:
    with pytest.raises(InputError) as exc:
        read_history(b"period,family,demand\n1800-01,A,1\n2024-02,A,1\n")
    (msg,) = _messages(exc)
    assert msg.startswith("column period: runs from 1800-01 to 2024-02, 2,690 months")
    monkeypatch.setattr("sop_core.demand.history.MAX_SERIES", 2)
    body = "".join(f"2024-01,F{i},1\n" for i in range(3))
    with pytest.raises(InputError) as exc:
        read_history(("period,family,demand\n" + body).encode())
    assert _messages(exc)[0].startswith("column family: the file has 3 different family names")
