"""Theta, seasonal ARIMA, Croston/SBA/TSB, the combination, the choice and conformal intervals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sop_core.demand.choice import COMBO, choose_with_reason, combination_row
from sop_core.demand.forecast import (
    AUTO_INTERMITTENT,
    conformal_halfwidth,
    forecast,
    is_intermittent,
)
from sop_core.demand.models import (
    INTERMITTENT_ALPHA,
    fit_airline,
    fit_predict,
    intermittent_path,
)


def _seasonal(n: int, noise: float, seed: int) -> np.ndarray:
    t = np.arange(n)
    rng = np.random.default_rng(seed)
    return 500 + 3 * t + 80 * np.sin(2 * np.pi * t / 12) + rng.normal(0, noise, n)


def _history(series: dict[str, np.ndarray]) -> pd.DataFrame:
    frames = []
    for name, y in series.items():
        periods = pd.date_range("2019-01-01", periods=len(y), freq="MS")
        frames.append(pd.DataFrame({"period": periods, "family": name, "demand": y}))
    return pd.concat(frames, ignore_index=True)


# --------------------------------------------------------------------------- models


@pytest.mark.parametrize("model", ["theta", "sarima"])
def test_seeded_trend_and_season_is_forecast_closely(model: str) -> None:
    n, h = 72, 12
    y = _seasonal(n + h, noise=5.0, seed=3)
    truth = _seasonal(n + h, noise=0.0, seed=3)[n:]
    pred = fit_predict(model, y[:n], pd.date_range("2019-01-01", periods=n, freq="MS"), h)
    mape = np.mean(np.abs(pred.mean - truth) / truth)
    assert mape < 0.03, (model, mape)
    assert np.all(pred.lower < pred.mean) and np.all(pred.mean < pred.upper)


def test_airline_fit_recovers_its_moving_average_parameters() -> None:
    theta, big_theta, m, n = 0.4, 0.6, 12, 600
    rng = np.random.default_rng(7)
    e = rng.normal(0, 1, n + m + 1)
    w = e[m + 1 :] - theta * e[m:-1] - big_theta * e[1:-m] + theta * big_theta * e[: -m - 1]
    x = np.zeros(n + m + 1)  # integrate ∇∇_12 x = w from zero start values
    for t in range(m + 1, len(x)):
        x[t] = x[t - 1] + x[t - m] - x[t - m - 1] + w[t - m - 1]
    fit = fit_airline(x - x.min() - 1.0, m)  # shifted: one value ≤ 0, so no log
    assert not fit.log
    assert fit.theta == pytest.approx(theta, abs=0.08)
    assert fit.big_theta == pytest.approx(big_theta, abs=0.08)


def test_croston_sba_and_tsb_by_hand() -> None:
    y = np.array([0.0, 2.0, 0.0, 0.0, 4.0, 0.0])
    a = INTERMITTENT_ALPHA
    assert a == 0.1
    # first demand at t=1: z=2, p=2, probability 1/2; at t=4 a demand of 4 after 3 periods
    z, p = 2 + a * (4 - 2), 2 + a * (3 - 2)
    prob = 0.5
    for hit in (0, 0, 1, 0):  # periods 2…5
        prob += a * (hit - prob)
    assert np.isnan(intermittent_path("croston", y)[0])
    assert intermittent_path("croston", y)[1] == pytest.approx(1.0)
    dates = pd.date_range("2020-01-01", periods=len(y), freq="MS")
    want = {"croston": z / p, "sba": (1 - a / 2) * z / p, "tsb": prob * z}
    assert want["croston"] == pytest.approx(2.2 / 2.1)
    assert want["tsb"] == pytest.approx(0.41805 * 2.2)
    for model, value in want.items():
        pred = fit_predict(model, y, dates, 3)
        assert pred.mean.tolist() == pytest.approx([value] * 3), model


def test_tsb_decays_when_demand_stops_while_croston_stays() -> None:
    y = np.array([3.0, 0, 3, 0, 3, 0, 3] + [0.0] * 12)
    assert intermittent_path("tsb", y)[-1] < 0.5 * intermittent_path("tsb", y)[6]
    assert intermittent_path("croston", y)[-1] == intermittent_path("croston", y)[6]


# --------------------------------------------------------------------------- choice


def _row(model: str, mase: float, pred: list[float] | None = None) -> dict:
    actual = np.array([10.0, 10.0, 10.0])
    return {
        "model": model,
        "mase": mase,
        "mae": mase,
        "origins": 3,
        "holdout": 3,
        "points": 3,
        "_actual": actual,
        "_pred": np.array(pred if pred is not None else [10.0, 10.0, 10.0]),
        "_scale": np.ones(3),
        "_step": np.arange(1, 4),
    }


def test_a_tie_goes_to_the_simpler_model_and_the_reason_says_so() -> None:
    model, reason = choose_with_reason([_row("naive", 1.00), _row("ets", 0.99)])
    assert model == "naive"
    assert "within 2% of Exponential smoothing (ETS) (0.99): the simpler model is kept" in reason
    model, reason = choose_with_reason([_row("naive", 1.00), _row("ets", 0.90)])
    assert model == "ets"
    assert reason.startswith("lowest backtest MASE 0.90 over 3 origins (next: Seasonal naive 1.00")
    one = [{**_row("naive", 1.00), "origins": 1}, {**_row("ets", 0.90), "origins": 1}]
    assert choose_with_reason(one)[1].startswith("lowest backtest MASE 0.90 over 1 origin (next")


def test_combination_is_the_mean_of_the_best_three() -> None:
    rows = [
        _row("naive", 3.0, [0, 0, 0]),
        _row("a", 1.0, [9, 12, 10]),
        _row("b", 1.5, [11, 8, 10]),
        _row("c", 2.0, [13, 10, 7]),
    ]
    combo = combination_row(rows)
    assert combo is not None and combo["model"] == COMBO
    assert combo["members"] == ("a", "b", "c")
    assert combo["_pred"].tolist() == pytest.approx([11, 10, 9])  # the median: 11, 10, 10
    assert combo["mae"] == pytest.approx(2 / 3)
    assert combination_row(rows[:2]) is None


def test_conformal_halfwidth_by_hand() -> None:
    row = _row("x", 1.0, [10.0] * 10)
    row["_actual"] = 10.0 + np.arange(1.0, 11.0)  # |errors| 1…10, all at step 1
    row["_step"] = np.ones(10)
    # ⌈(10 + 1)·0.8⌉ / 10 = 0.9 → the 9th smallest error, 9; then 9·√h
    half = conformal_halfwidth(row, 4, 0.8)
    assert half is not None
    assert half.tolist() == pytest.approx([9 * np.sqrt(h) for h in range(1, 5)])
    row["_actual"], row["_pred"], row["_step"] = np.ones(5), np.ones(5), np.ones(5)
    assert conformal_halfwidth(row, 4, 0.8) is None  # too few errors


# --------------------------------------------------------------------------- through forecast


def test_intermittent_series_get_the_intermittent_candidates() -> None:
    rng = np.random.default_rng(5)
    y = np.where(rng.random(48) < 0.35, rng.poisson(4, 48) + 1, 0).astype(float)
    assert is_intermittent(y) and not is_intermittent(_seasonal(48, 5.0, 1))
    result = forecast(_history({"spares": y}), horizon=6, model="auto", backend="sequential")
    acc = result.accuracy
    assert set(acc["model"]) == {*AUTO_INTERMITTENT, COMBO}
    chosen = result.forecast["model"].iloc[0]
    assert chosen in {*AUTO_INTERMITTENT, COMBO}
    assert (result.forecast["lower"] >= 0).all()
    assert "backtest MASE" in result.choices["reason"].iloc[0]


@pytest.mark.slow
def test_conformal_intervals_cover_close_to_nominal_on_known_noise() -> None:
    """40 seeded series with N(0, 20²) noise around a known trend and season: the 80 %
    intervals of the next 12 months hold close to 80 % of the actuals."""
    n, h, sigma = 60, 12, 20.0
    full = {f"s{i}": _seasonal(n + h, sigma, seed=100 + i) for i in range(40)}
    history = _history({k: v[:n] for k, v in full.items()})
    result = forecast(history, horizon=h, model="sarima", workers=2)
    inside = []
    for name, y in full.items():
        fc = result.forecast[result.forecast["family"] == name]
        actual = y[n:]
        inside.append((actual >= fc["lower"].to_numpy()) & (actual <= fc["upper"].to_numpy()))
    coverage = float(np.mean(inside))
    assert 0.7 <= coverage <= 0.9, coverage
