"""Forecast value added on cases small enough to check by hand."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs

from sop_core.base.errors import InputError
from sop_core.base.fields import MISSING
from sop_core.demand.history import validate_history
from sop_core.process.cycle import Cycle, Snapshot, consensus_frame, statistical_by_family
from sop_core.process.fva import (
    ALL,
    FVA_COLUMNS,
    SNAPSHOT_COLUMNS,
    forecast_value_added,
    fva_report,
    fva_words,
    scored_points,
    snapshot_frame,
    unscored_periods,
)
from sop_core.process.sop_sheet import monthly_sales


def _sales(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["family", "period", "sales"])


def _snapshots(rows: list[tuple[str, str, str, float, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["cycle", "family", "period", "statistical", "consensus"])


SALES = _sales([("A", "2026-12", 80), ("A", "2027-01", 100), ("A", "2027-02", 50)])
# the 2027-01 cycle forecast January and February; December's 80 was the last actual
SNAP = _snapshots([("2027-01", "A", "2027-01", 90, 100), ("2027-01", "A", "2027-02", 60, 55)])


def test_fva_by_hand() -> None:
    fva = forecast_value_added(SNAP, SALES, total=False)
    assert list(fva.columns) == list(FVA_COLUMNS)
    row = fva.iloc[0]
    assert (row.cycle, row.family, row.months) == ("2027-01", "A", 2)
    # statistical: errors −10 on 100 and +10 on 50 → MAPE (10 % + 20 %) / 2, bias 0
    assert (row.mape_statistical, row.bias_statistical) == pytest.approx((0.15, 0.0))
    # consensus: 0 and +5 → MAPE (0 + 10 %) / 2, bias 5 / 150
    assert (row.mape_consensus, row.bias_consensus) == pytest.approx((0.05, 5 / 150))
    # naive (80, 80): −20 and +30 → MAPE (20 % + 60 %) / 2, bias 10 / 150
    assert (row.mape_naive, row.bias_naive) == pytest.approx((0.4, 10 / 150))
    assert row.fva_consensus == pytest.approx(0.10)  # the overrides took 10 points off
    assert row.fva_statistical == pytest.approx(0.25)  # the model beat the last actual


def test_overrides_that_hurt_show_a_negative_value_added() -> None:
    snap = SNAP.assign(consensus=[130, 80])  # +30 on 100, +30 on 50: MAPE 45 %
    row = forecast_value_added(snap, SALES, total=False).iloc[0]
    assert row.mape_consensus == pytest.approx(0.45)
    assert row.fva_consensus == pytest.approx(0.15 - 0.45)
    assert row.bias_consensus == pytest.approx(60 / 150)


def test_cycles_and_families_pool_separately_and_all_families_together() -> None:
    sales = pd.concat(
        [SALES, _sales([("B", "2026-12", 10), ("B", "2027-01", 10), ("A", "2027-03", 40)])]
    )
    snap = pd.concat(
        [
            SNAP,
            _snapshots([("2027-01", "B", "2027-01", 12, 10)]),
            # the February cycle: the last actual is January's 100; March is unsold yet
            _snapshots([("2027-02", "A", "2027-02", 50, 50), ("2027-02", "A", "2027-03", 50, 40)]),
            _snapshots([("2027-02", "A", "2027-04", 50, 40)]),
        ]
    )
    fva = forecast_value_added(snap, sales)
    assert fva[["cycle", "family", "months"]].values.tolist() == [
        ["2027-01", "A", 2],
        ["2027-01", "B", 1],
        ["2027-01", ALL, 3],
        ["2027-02", "A", 2],
        ["2027-02", ALL, 2],
    ]
    b = fva.iloc[1]
    assert (b.mape_statistical, b.mape_consensus, b.mape_naive) == pytest.approx((0.2, 0, 0))
    pooled = fva.iloc[2]  # A's 10 %, 20 % and B's 20 %
    assert pooled.mape_statistical == pytest.approx((0.1 + 0.2 + 0.2) / 3)
    feb = fva.iloc[3]
    # naive 100 on 50 and 40: 100 % and 150 %
    assert feb.mape_naive == pytest.approx((1.0 + 1.5) / 2)
    assert feb.mape_consensus == pytest.approx(0.0)


def test_a_cycle_without_its_last_actual_has_no_naive_score() -> None:
    fva = forecast_value_added(SNAP, SALES[SALES["period"] != "2026-12"], total=False)
    assert math.isnan(fva.iloc[0].mape_naive) and math.isnan(fva.iloc[0].fva_statistical)
    assert fva.iloc[0].fva_consensus == pytest.approx(0.10)
    report = fva_report(fva)  # printed: the one missing mark, not "nan"
    assert report.iloc[0]["MAPE naive"] == MISSING == report.iloc[0]["Model vs naive (MAPE points)"]


def test_actual_sales_come_from_the_history() -> None:
    history = validate_history(
        pd.DataFrame(
            {
                "period": ["2026-12", "2027-01", "2027-01", "2027-02"],
                "family": "A",
                "sku": ["x", "x", "y", "x"],
                "demand": [80, 60, 40, 50],
            }
        ),
        fill_gaps=True,
    )
    points = scored_points(SNAP, monthly_sales(history))
    assert points["actual"].tolist() == [100, 50]
    assert points["naive"].tolist() == [80, 80]


def test_missing_columns_are_named() -> None:
    with pytest.raises(InputError, match=r"snapshots: missing column consensus;"):
        forecast_value_added(SNAP.drop(columns="consensus"), SALES)


# --------------------------------------------------------------------------- from the cycles


def _cycle(month: str, periods: list[str], families: list[dict]) -> Cycle:
    """A cycle whose demand sign-off froze ``families`` (as the store keeps it)."""
    at = datetime(2027, 1, 5, tzinfo=UTC)
    content = {"periods": periods, "families": families, "revision": 1}
    snap = Snapshot("demand", "consensus", content, "Ana", at)
    return Cycle("Acme", month, "Ana", at, steps=(), snapshots=(snap,))


def test_the_cycles_snapshots_score_as_the_frozen_forecasts_did() -> None:
    jan = _cycle(
        "2027-01",
        ["2027-01", "2027-02"],
        [{"name": "A", "demand": [100.0, 55.0], "statistical": [90.0, 60.0]}],
    )
    before = _cycle("2026-12", ["2026-12"], [{"name": "A", "demand": [70.0]}])  # an old one
    frame = snapshot_frame([before, jan])
    assert list(frame.columns) == list(SNAPSHOT_COLUMNS)
    assert (
        frame[frame["cycle"] == "2027-01"]
        .reset_index(drop=True)
        .equals(SNAP.astype({"statistical": float, "consensus": float}))
    )
    fva = forecast_value_added(frame, SALES, total=False)
    assert list(fva["cycle"]) == ["2026-12", "2027-01"]
    old, new = fva.iloc[0], fva.iloc[1]
    assert math.isnan(old.mape_statistical) and old.mape_consensus == pytest.approx(10 / 80)
    assert fva_words(old) == "no statistical forecast was frozen to judge the overrides by"
    assert fva_words(new) == (
        "the overrides improved MAPE by 10.0 points; "
        "the model beat the naive forecast by 25.0 points"
    )


def test_overrides_and_a_model_that_hurt_are_said_so() -> None:
    row = {"fva_consensus": -0.3, "fva_statistical": -0.01}
    assert fva_words(row) == (
        "the overrides worsened MAPE by 30.0 points; the naive forecast beat the model by 1.0 point"
    )
    assert fva_words({"fva_consensus": 0.0004, "fva_statistical": 0.0}) == (
        "the overrides left MAPE as it was; the model did as well as the naive forecast"
    )


def test_plans_in_labels_that_are_not_months_give_nothing_to_score() -> None:
    textbook = _cycle("2027-01", ["Jan", "Feb"], [{"name": "A", "demand": [1.0, 2.0]}])
    assert snapshot_frame([textbook]).empty
    assert list(snapshot_frame([textbook]).columns) == list(SNAPSHOT_COLUMNS)
    assert unscored_periods([textbook]) == ["Jan", "Feb"]
    assert forecast_value_added(snapshot_frame([textbook]), SALES).empty


# --------------------------------------------------------------------------- properties


ROWS = hs.lists(
    hs.tuples(
        hs.sampled_from(["A", "B", "C"]),
        hs.sampled_from(["2027-01", "2027-02", "2027-03", "2027-04"]),
        hs.floats(0, 1e6, allow_nan=False),
    ),
    max_size=20,
)


@settings(max_examples=80, deadline=None)
@given(rows=ROWS, consensus=hs.floats(0, 1e6, allow_nan=False))
def test_a_frozen_statistical_forecast_reads_back_summed_per_family_and_period(
    rows, consensus
) -> None:
    periods = ["2027-01", "2027-02", "2027-03"]  # April is outside the plan
    frame = pd.DataFrame(rows, columns=["family", "period", "forecast"])
    by_family = statistical_by_family(frame, periods)
    families = []
    for family in ("A", "B", "C"):  # as consensus_content stores them
        entry: dict = {"name": family, "demand": [consensus] * 3}
        if family in by_family:
            entry["statistical"] = by_family[family]
        families.append(entry)
    content = {"periods": periods, "families": families}
    read = consensus_frame(content).set_index(["family", "period"])["statistical"]
    for family in ("A", "B", "C"):
        for period in periods:
            given_rows = frame[(frame["family"] == family) & (frame["period"] == period)]
            if given_rows.empty:
                assert math.isnan(read[(family, period)])
            else:
                assert read[(family, period)] == pytest.approx(given_rows["forecast"].sum())
    # scored against sales equal to the consensus, the consensus is perfect where sales > 0
    snaps = snapshot_frame([_cycle("2027-01", periods, families)])
    sales = snaps[["family", "period"]].assign(sales=consensus)
    fva = forecast_value_added(snaps, sales, total=False)
    if consensus > 0:
        assert (fva["mape_consensus"] == 0).all() and (fva["bias_consensus"] == 0).all()
