"""AppTest of the Demand page: forecast with its interval and accuracy, uploads with
their validation messages, and the hand-over of the forecast to the plan."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from apptests import open_app_page
from streamlit.testing.v1 import AppTest


@pytest.fixture(autouse=True)
def _tmp_store(tmp_path, monkeypatch):
    monkeypatch.setenv("SOP_DATABASE_URL", f"sqlite:///{tmp_path / 'store.sqlite'}")


def open_demand(model: str = "naive") -> AppTest:
    """The Demand page with a quick model (the URL chooses it, as a shared link would)."""
    return open_app_page("pages/demand.py", timeout=180, demand_model=model)


def test_demand_page_shows_forecast_interval_and_accuracy():
    at = open_demand()
    assert at.selectbox(key="demand_model").value == "naive"
    assert not at.error
    forecast = next(d.value for d in at.dataframe if "upper" in d.value.columns)
    assert len(forecast) == 12
    assert (forecast["lower"] <= forecast["forecast"]).all()
    assert (forecast["forecast"] <= forecast["upper"]).all()
    accuracy = next(d.value for d in at.dataframe if "WAPE" in d.value.columns)
    assert accuracy["chosen"].any()


def test_an_invalid_upload_shows_its_message_and_keeps_the_history():
    at = open_demand()
    bad = b"period,family,demand\n2024-01,Garden Tools,100\n2024-02,Garden Tools,lots\n"
    at.file_uploader(key="demand_upload").upload("bad.csv", bad, "text/csv").run()
    assert not at.exception
    assert at.error, "the validation problem is shown in the page"
    message = at.error[0].value
    assert "bad.csv" in message and "lots" in message
    assert any("sample_history.csv" in c.value for c in at.caption)


def test_a_wrong_file_type_is_refused_with_a_message():
    at = open_demand()
    at.file_uploader(key="demand_upload").upload("notes.xlsx", b"not a workbook", "x").run()
    assert not at.exception
    assert at.error


def test_a_valid_excel_upload_replaces_the_history():
    periods = pd.date_range("2022-01-01", periods=36, freq="MS")
    frame = pd.DataFrame(
        {
            "period": list(periods.strftime("%Y-%m")) * 2,
            "family": ["Garden Tools"] * 36 + ["Watering"] * 36,
            "demand": [100 + (i % 12) * 10 for i in range(72)],
        }
    )
    buf = io.BytesIO()
    frame.to_excel(buf, index=False)
    at = open_demand()
    at.file_uploader(key="demand_upload").upload("mine.xlsx", buf.getvalue(), "x").run()
    assert not at.exception and not at.error
    assert at.session_state.demand_history_name == "mine.xlsx"
    assert any("mine.xlsx" in c.value and "2 families" in c.value for c in at.caption)


def test_the_forecast_goes_to_the_plan():
    at = open_demand()
    at.button(key="demand_use").click().run()
    assert not at.exception
    assert at.session_state.scenario_source.startswith("Consensus forecast (naive)")
    at.switch_page("pages/plan.py").run()
    assert not at.exception
    assert at.metric[0].label == "Total cost"


@pytest.mark.slow
def test_auto_model_choice_runs_with_the_progress_bar_and_picks_per_family():
    at = open_demand(model="auto")
    accuracy = next(d.value for d in at.dataframe if "WAPE" in d.value.columns)
    assert len(accuracy) >= 2 and accuracy["chosen"].sum() == 1
