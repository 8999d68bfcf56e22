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
    message = at.error[0].value.replace("\\", "")  # the file name is shown as text
    assert "bad.csv" in message and "lots" in message
    assert any("sample_history.csv" in c.value.replace("\\", "") for c in at.caption)


def test_a_wrong_file_type_is_refused_with_a_message():
    at = open_demand()
    at.file_uploader(key="demand_upload").upload("notes.xlsx", b"not a workbook", "x").run()
    assert not at.exception
    assert at.error


def test_an_upload_is_mapped_to_the_families_then_used_and_kept():
    periods = pd.date_range("2022-01-01", periods=36, freq="MS")
    frame = pd.DataFrame(
        {
            "period": list(periods.strftime("%Y-%m")) * 2,
            "family": ["GARDEN TOOLS"] * 36 + ["Lighting"] * 36,
            "demand": [100 + (i % 12) * 10 for i in range(72)],
        }
    )
    buf = io.BytesIO()
    frame.to_excel(buf, index=False)
    at = open_demand()
    before = at.session_state["ws_state"].family_names
    at.file_uploader(key="demand_upload").upload("mine.xlsx", buf.getvalue(), "x").run()
    assert not at.exception and not at.error
    mapping = next(d for d in at.dataframe if "history_name" in d.value.columns)
    assert dict(zip(mapping.value["history_name"], mapping.value["action"], strict=True)) == {
        "GARDEN TOOLS": "match",
        "Lighting": "new",
    }
    at.button(key="demand_use_history").click().run()
    assert not at.exception and not at.error
    ws = at.session_state["ws_state"]
    assert ws.history_upload["name"] == "mine.xlsx"
    assert set(ws.family_names) == {*before, "Lighting"}
    assert ws.item("family", ws.family_key("Lighting")).value["needs_review"]
    # a new session (a reload) finds the same history and families in the store
    again = open_demand()
    assert again.session_state["ws_state"].history_upload["name"] == "mine.xlsx"
    assert any("mine.xlsx" in c.value.replace("\\", "") for c in again.caption)


def test_the_forecast_goes_to_the_plan_and_stays_there():
    at = open_demand()
    before = at.session_state["scenario"]
    at.button(key="demand_use").click().run()
    assert not at.exception
    after = at.session_state["scenario"]
    assert after.period_labels != before.period_labels or after != before
    reload = open_app_page("pages/plan.py")
    assert reload.session_state["scenario"] == after
    assert reload.metric[0].label == "Total cost"


@pytest.mark.slow
def test_auto_model_choice_runs_with_the_progress_bar_and_picks_per_family():
    at = open_demand(model="auto")
    accuracy = next(d.value for d in at.dataframe if "WAPE" in d.value.columns)
    assert len(accuracy) >= 2 and accuracy["chosen"].sum() == 1


def test_the_page_says_why_the_model_was_chosen():
    at = open_demand()
    family = at.selectbox(key="demand_family").value
    caption = next(c.value for c in at.caption if c.value.startswith("Model used for"))
    caption = caption.replace("\\", "")  # the reason is Markdown-escaped
    assert caption.startswith(f"Model used for {family}: **naive**. Why: lowest backtest MASE")
    assert "origin(s)" in caption and "conformal 80 % interval from" in caption
