"""The statistical forecast of the company's history, fitted once per process.

Shared by the Demand page (which shows it and adjusts it into the consensus) and the
Cycle page (whose demand sign-off freezes it next to the consensus): the same cached
call, so a sign-off after a visit to the Demand page fits nothing again.
"""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from pages._workspace import company_history, state
from sop_core.base.errors import InputError
from sop_core.base.text import md_escape
from sop_core.demand.forecast import MODEL_CHOICES, ForecastResult, forecast, label_periods
from sop_core.demand.launch import forecast_with_launches, launches_in

#: The Demand page's model when none was picked ("auto": the backtest chooses per family).
DEFAULT_MODEL = MODEL_CHOICES[0]


@st.cache_data(max_entries=8, show_spinner=False)
def run_forecast(digest: str, model: str, horizon: int, _history: pd.DataFrame) -> ForecastResult:
    """The forecast of one history (``digest``: its content), model and horizon.

    Cached across sessions: the sample company's forecast is fitted once per process and
    every later visit is instant. The progress bar is made in here, so that a cache hit
    replays it (and its removal) instead of pointing at an element of another run.
    Sequential in this process: forking a worker pool from a threaded web server is unsafe."""
    bar = st.progress(0.0, text="Forecasting…")
    shown = [-1]

    def progress(done: int, total: int) -> None:
        step = int(50 * done / max(total, 1))  # at most 50 updates, replayed on a hit
        if step != shown[0]:
            shown[0] = step
            bar.progress(done / max(total, 1), text=f"Forecasting… {done} of {total} series")

    try:
        return forecast(
            _history, horizon=horizon, model=model, backend="sequential", progress=progress
        )
    finally:
        bar.empty()


def digest_of(history: pd.DataFrame) -> str:
    return hashlib.sha1(pd.util.hash_pandas_object(history).to_numpy().tobytes()).hexdigest()


def statistical_forecast(history: pd.DataFrame, horizon: int, model: str) -> pd.DataFrame:
    """The statistical forecast per family and period as the Demand page shows it before
    the consensus adjustments, its launches included: columns family, period (the plan's
    labels, "2027-01"), forecast (units), what
    :meth:`Cycles.sign_off <sop_core.store.cycles.Cycles.sign_off>` freezes with the
    consensus."""
    result = run_forecast(digest_of(history), model, horizon, history)
    scenario = st.session_state.get("scenario")
    launches = launches_in(scenario) if scenario is not None else {}
    fc = forecast_with_launches(result.forecast, result.freq, launches)  # never the cached one
    return pd.DataFrame(
        {
            "family": fc["family"].astype(str).to_numpy(),
            "period": label_periods(fc["period"], result.freq).to_numpy(),
            "forecast": fc["forecast"].to_numpy(float),
        }
    )


def plan_model() -> str:
    """The statistical model of the consensus in the plan: the one recorded when the
    consensus was handed to the plan (the workspace's ``plan.forecast_model``), else the
    one picked on the Demand page in this session, else :data:`DEFAULT_MODEL`."""
    for model in (state().forecast_model, st.session_state.get("demand_model")):
        if model in MODEL_CHOICES:
            return str(model)
    return DEFAULT_MODEL


def frozen_statistical() -> pd.DataFrame | None:
    """The statistical forecast the demand sign-off freezes (:func:`statistical_forecast`
    of the company's history over the plan's horizon), with :func:`plan_model`.
    ``None`` without a history or a plan, or when the history cannot be forecast (a
    warning says why; the sign-off goes on with the consensus)."""
    history, _ = company_history()
    scenario = st.session_state.get("scenario")
    if history is None or history.empty or scenario is None:
        return None
    try:
        return statistical_forecast(history, scenario.horizon, plan_model())
    except InputError as exc:
        st.warning(
            "The statistical forecast is not frozen with the consensus: "
            + "; ".join(md_escape(p) for p in exc.problems)
        )
        return None
