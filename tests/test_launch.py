"""sop_core.demand.launch: a launch's forecast is its like-family's forecast × scale × ramp,
with the like-family's relative interval widened by 1.5."""

from __future__ import annotations

import pandas as pd
import pytest

from sop_core.demand.launch import LAUNCH_WIDENING, launch_forecast, start_index, with_launches
from sop_core.model.scenario import Launch

LABELS = ["2027-01", "2027-02", "2027-03", "2027-04"]


def _forecast() -> pd.DataFrame:
    periods = pd.to_datetime([f"{m}-01" for m in LABELS])
    like = pd.DataFrame(
        {"family": "Hand", "period": periods, "forecast": [100.0, 100, 200, 200],
         "lower": [80.0, 80, 160, 160], "upper": [130.0, 130, 260, 260], "model": "ets"}
    )  # fmt: skip
    other = like.assign(family="Garden", forecast=[10.0] * 4, lower=[9.0] * 4, upper=[11.0] * 4)
    return pd.concat([like, other], ignore_index=True)


def test_forecast_is_the_like_familys_times_scale_times_ramp_with_a_wider_band():
    launch = Launch(start="2027-02", like="Hand", factor=0.5, ramp_months=2)
    got = launch_forecast(_forecast(), {"Trail": launch}, LABELS)
    assert got["forecast"].tolist() == [0, 25, 100, 100]  # 0.5 × (100, 200, 200) × (½, 1, 1)
    assert LAUNCH_WIDENING == 1.5
    # Hand's band is −20 % / +30 % of its forecast; the launch's −30 % / +45 %
    assert got["lower"].tolist() == pytest.approx([0, 17.5, 70, 70])
    assert got["upper"].tolist() == pytest.approx([0, 36.25, 145, 145])
    assert set(got["model"]) == {"Launch like Hand"}


def test_a_band_wider_than_the_forecast_stops_at_zero():
    fc = _forecast()
    fc.loc[fc["family"] == "Hand", "lower"] = 20.0  # −80 % of 100: ×1.5 is −120 %
    got = launch_forecast(fc, {"T": Launch(start="2027-01", like="Hand", factor=1)}, LABELS)
    assert got["lower"].tolist()[:2] == [0, 0]


def test_a_launch_that_started_before_the_horizon_is_already_ramping():
    launch = Launch(start="2026-12", like="Hand", factor=1, ramp_months=4)
    assert start_index(launch, LABELS) == -1
    got = launch_forecast(_forecast(), {"T": launch}, LABELS)
    assert got["forecast"].tolist() == [50, 75, 200, 200]  # months 2, 3, 4 and on of its ramp


def test_with_launches_adds_rows_and_leaves_the_others():
    launch = Launch(start="2027-03", like="Garden", factor=2)
    out = with_launches(_forecast(), {"New": launch}, LABELS)
    assert out.groupby("family")["forecast"].sum().to_dict() == {
        "Garden": 40, "Hand": 600, "New": 40
    }  # fmt: skip
