"""AppTest of the Demand page: forecast with its interval and accuracy, uploads with
their validation messages, and the hand-over of the forecast to the plan."""

from __future__ import annotations

import io
import json
import re

import pandas as pd
import pytest
from apptests import CODE_NAME, open_app_page, what_people_should_not_see
from streamlit.testing.v1 import AppTest

from sop_core.base.fields import label
from sop_core.demand.batched import BATCHED_MODELS
from sop_core.demand.choice import COMBO, MODEL_NAMES, choose_with_reason, model_name
from sop_core.demand.forecast import MODEL_CHOICES
from sop_core.demand.models import MODELS


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
    forecast = next(d.value for d in at.dataframe if label("upper") in d.value.columns)
    assert len(forecast) == 12
    assert (forecast[label("lower")] <= forecast[label("forecast")]).all()
    assert (forecast[label("forecast")] <= forecast[label("upper")]).all()
    accuracy = next(d.value for d in at.dataframe if label("wape") in d.value.columns)
    assert accuracy[label("chosen")].any()


def test_the_demand_tables_speak_the_vocabulary():
    """Headers are labels, model names are words, no cell reads None or nan, errors are
    % to one decimal and MASE to two, units whole: before and after an adjustment."""
    at = open_demand()
    assert what_people_should_not_see(at) == []
    headers = [list(d.value.columns) for d in at.dataframe]
    assert [
        "Period",
        "Forecast",
        "Low (80 %)",
        "High (80 %)",
        "Consensus",
        "Comment",
    ] in headers
    assert ["Model", "WAPE", "MAPE", "Bias", "MASE", "Used"] in headers
    accuracy = next(d for d in at.dataframe if label("wape") in d.value.columns)
    assert list(accuracy.value[label("model")]) == ["Seasonal naive"]
    formats = {
        k: v["type_config"]["format"]
        for k, v in json.loads(accuracy.proto.columns).items()
        if "format" in v.get("type_config", {})
    }
    assert formats == {"WAPE": "%.1f%%", "MAPE": "%.1f%%", "Bias": "%.1f%%", "MASE": "%.2f"}
    wape = float(accuracy.value[label("wape")].iloc[0])
    assert 1 < wape < 100  # a percentage: the fraction ×100 for its format
    forecast = next(d for d in at.dataframe if label("upper") in d.value.columns)
    assert {
        v["type_config"]["format"]
        for v in json.loads(forecast.proto.columns).values()
        if "type_config" in v
    } == {"%,.0f"}
    # an adjustment for every period: its period is blank, not "None"
    at.number_input(key="adj_change").set_value(10.0)
    next(b for b in at.button if b.label == "Add").click().run()
    assert not at.exception
    assert len(at.session_state["ws_state"].adjustments) == 1
    assert ["Family", "Period (blank: all)", "Change", "Unit", "Comment"] in [
        list(d.value.columns) for d in at.dataframe
    ]
    assert what_people_should_not_see(at) == []


@pytest.mark.slow
def test_the_model_selector_shows_words_and_the_link_keeps_the_code_name():
    at = open_demand()
    selector = at.selectbox(key="demand_model")
    assert selector.options == [model_name(m) for m in dict.fromkeys(MODEL_CHOICES)]
    assert "Prophet (additive)" in selector.options and "naive" not in selector.options
    assert selector.value == "naive" and at.query_params["demand_model"] == "naive"
    selector.set_value("theta").run()
    assert not at.exception
    assert at.query_params["demand_model"] == "theta"  # a shared link names the model
    accuracy = next(d.value for d in at.dataframe if label("wape") in d.value.columns)
    assert list(accuracy[label("model")]) == ["Theta"]
    at.selectbox(key="demand_model").set_value("auto").run()  # the default (no plan model)
    assert not at.exception
    assert "demand_model" not in at.query_params  # the default needs no parameter


def test_every_model_has_a_name_in_words():
    assert set(MODEL_NAMES) == {*MODELS, *MODEL_CHOICES, COMBO, *BATCHED_MODELS}
    names = list(MODEL_NAMES.values())
    assert len(set(names)) == len(names)
    assert not [n for n in names if CODE_NAME.fullmatch(n)]
    assert model_name("prophet-additive") == "Prophet (additive)"
    assert model_name(COMBO) == "Combination (average of the 3 best)"
    assert model_name("sarima") == "Seasonal ARIMA"


def test_reasons_name_the_models_in_words():
    """The choice's reason is written with the models' names, where it is made."""
    rows = [
        {"model": "naive", "mase": 1.0, "origins": 3},
        {"model": "ets", "mase": 0.9, "origins": 3},
        {"model": "prophet-additive", "mase": 1.2, "origins": 3},
    ]
    assert choose_with_reason(rows) == (
        "ets",
        "lowest backtest MASE 0.90 over 3 origins (next: Seasonal naive 1.00, "
        "Prophet (additive) 1.20)",
    )
    tie = [{"model": "naive", "mase": 0.995, "origins": 3}, {"model": "sarima", "mase": 0.99}]
    assert choose_with_reason(tie) == (
        "naive",
        "backtest MASE 0.99, within 2% of Seasonal ARIMA (0.99): the simpler model is kept",
    )


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
    mapping = next(d for d in at.dataframe if label("history_name") in d.value.columns)
    assert list(mapping.value.columns) == ["In the file", "Your family", "Now"]
    in_file, now = mapping.value[label("history_name")], mapping.value[label("mapping_action")]
    assert dict(zip(in_file, now, strict=True)) == {"GARDEN TOOLS": "match", "Lighting": "new"}
    assert what_people_should_not_see(at) == []
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
    assert "The plan now uses the consensus forecast." in [m.value for m in at.success]
    links = {p.proto.label: p.proto.page for p in at.get("page_link")}
    assert links["Next: the supply review on the Capacity page"] == "capacity"
    after = at.session_state["scenario"]
    assert after.period_labels != before.period_labels or after != before
    reload = open_app_page("pages/plan.py")
    assert reload.session_state["scenario"] == after
    assert reload.metric[0].label == "Total cost"


@pytest.mark.slow
def test_auto_model_choice_runs_with_the_progress_bar_and_picks_per_family():
    at = open_demand(model="auto")
    accuracy = next(d.value for d in at.dataframe if label("wape") in d.value.columns)
    assert len(accuracy) >= 2 and accuracy[label("chosen")].sum() == 1
    assert set(accuracy[label("model")]) <= set(MODEL_NAMES.values())  # words, every one
    assert what_people_should_not_see(at) == []


def test_the_page_says_why_the_model_was_chosen():
    at = open_demand()
    family = at.selectbox(key="demand_family").value
    caption = next(c.value for c in at.caption if c.value.startswith("Model used for"))
    caption = caption.replace("\\", "")  # the reason is Markdown-escaped
    assert caption.startswith(
        f"Model used for {family}: **Seasonal naive**. Why: lowest backtest MASE"
    )
    assert re.search(r"over \d+ origins?\b", caption) and "(s)" not in caption
    assert "conformal 80 % interval from" in caption
