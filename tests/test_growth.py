"""Series whose swings grow with their level: detection, log-scale ETS, relative intervals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sop_core.demand.batched import RELATIVE_TAIL, conformal_halfwidths
from sop_core.demand.forecast import (
    AUTO_GROWING,
    CANDIDATES,
    conformal_halfwidth,
    forecast,
    make_tasks,
)
from sop_core.demand.models import fit_predict, swings_grow_with_level

SEASON = 12


def _level(n: int) -> np.ndarray:
    """A level rising from 100 to 400 over ``n`` months, with a ±20 % season."""
    t = np.arange(n)
    return (100 + 300 * t / (n - 1)) * (1 + 0.2 * np.sin(2 * np.pi * t / SEASON))


def _constant_cv(n: int, seed: int = 1) -> np.ndarray:
    """Noise of 5 % of the level: spread proportional to the level."""
    rng = np.random.default_rng(seed)
    return _level(n) * (1 + 0.05 * rng.standard_normal(n))


def _constant_variance(n: int, seed: int = 1) -> np.ndarray:
    """The same trend with a season and noise of fixed size (±30 units, σ 8)."""
    t = np.arange(n)
    rng = np.random.default_rng(seed)
    return 100 + 300 * t / (n - 1) + 30 * np.sin(2 * np.pi * t / SEASON) + rng.normal(0, 8, n)


def _history(series: dict[str, np.ndarray]) -> pd.DataFrame:
    frames = []
    for name, y in series.items():
        periods = pd.date_range("2018-01-01", periods=len(y), freq="MS")
        frames.append(pd.DataFrame({"period": periods, "family": name, "demand": y}))
    return pd.concat(frames, ignore_index=True)


# --------------------------------------------------------------------------- detection


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_swings_proportional_to_the_level_are_detected(seed: int) -> None:
    assert swings_grow_with_level(_constant_cv(60, seed), SEASON)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_swings_of_fixed_size_are_not(seed: int) -> None:
    assert not swings_grow_with_level(_constant_variance(60, seed), SEASON)


def test_no_verdict_without_three_seasons_a_zero_or_a_level_range() -> None:
    y = _constant_cv(60)
    assert not swings_grow_with_level(y[-35:], SEASON)  # two whole seasons only
    assert not swings_grow_with_level(np.r_[0.0, y[1:]], SEASON)  # a zero: no logs
    flat = 200 * (1 + 0.2 * np.sin(2 * np.pi * np.arange(60) / SEASON))
    assert not swings_grow_with_level(flat, SEASON)  # one level: nothing to compare


# --------------------------------------------------------------------------- the model


def test_ets_on_logs_follows_a_steady_growth_rate() -> None:
    """2 % a month with a ×(1 ± 0.2) season: on logs a straight line plus a season,
    which ETS on the log scale carries on (within 3 %)."""
    t = np.arange(72)
    y = 100 * 1.02**t * (1 + 0.2 * np.sin(2 * np.pi * t / SEASON))
    dates = pd.date_range("2018-01-01", periods=60, freq="MS")
    pred = fit_predict("ets-log", y[:60], dates, 12)
    assert np.max(np.abs(pred.mean / y[60:] - 1)) < 0.03
    assert np.all(pred.lower <= pred.mean) and np.all(pred.mean <= pred.upper)
    with pytest.raises(ValueError, match="above zero"):
        fit_predict("ets-log", np.r_[0.0, y[1:60]], dates, 12)


# --------------------------------------------------------------------------- intervals


def _row(actual: list[float], pred: list[float], step: list[int]) -> dict:
    return {"_actual": np.array(actual), "_pred": np.array(pred), "_step": np.array(step)}


def test_relative_conformal_width_by_hand() -> None:
    """Ten backtest errors of 1 … 10 % of a forecast of 50 (step 1): the 9th smallest
    relative error is 9 %, so at a forecast of 200 the half-width is 18 at step 1,
    18·√4 = 36 at step 4; the absolute rule would keep 4.5 and 9."""
    pred = [50.0] * 10
    actual = [50.0 + 0.5 * k for k in range(1, 11)]
    row = _row(actual, pred, [1] * 10)
    level = np.array([200.0, 200.0, 200.0, 200.0])
    rel = conformal_halfwidth(row, 4, 0.8, level)
    assert rel is not None
    assert rel.tolist() == pytest.approx([18.0, 18 * np.sqrt(2), 18 * np.sqrt(3), 36.0])
    absolute = conformal_halfwidth(row, 4, 0.8)
    assert absolute is not None
    assert absolute.tolist() == pytest.approx([4.5 * np.sqrt(h) for h in range(1, 5)])


def test_relative_errors_are_per_step_and_follow_the_forecast() -> None:
    """Errors of 10 % at step 1 and 20 % at step 4 (= 10 %·√4) both score 0.1; the
    half-width follows each step's forecast: 0.1·f(h)·√h."""
    row = _row([110.0] * 5 + [240.0] * 5, [100.0] * 5 + [200.0] * 5, [1] * 5 + [4] * 5)
    level = np.array([300.0, 400.0, 500.0, 600.0])
    half = conformal_halfwidth(row, 4, 0.8, level)
    assert half is not None
    assert half.tolist() == pytest.approx(
        [0.1 * f * np.sqrt(h) for h, f in zip(range(1, 5), level, strict=True)]
    )


def test_a_backtest_forecast_of_zero_falls_back_to_absolute_errors() -> None:
    row = _row([1.0 + k for k in range(10)], [0.0] + [1.0] * 9, [1] * 10)
    half = conformal_halfwidth(row, 2, 0.8, np.array([5.0, 5.0]))
    assert half is not None
    assert half.tolist() == pytest.approx([8.0, 8.0 * np.sqrt(2)])


# --------------------------------------------------------------------------- through forecast


def test_growing_series_get_log_candidates_others_do_not() -> None:
    history = _history({"grows": _constant_cv(60), "steady": _constant_variance(60)})
    tasks, _, _ = make_tasks(history, horizon=6, model="auto")
    by = {t.key[0]: t for t in tasks}
    assert by["grows"].candidates == AUTO_GROWING and "ets-log" in AUTO_GROWING
    assert by["grows"].relative
    assert by["steady"].candidates == CANDIDATES["auto"] and "ets-log" not in CANDIDATES["auto"]
    assert not by["steady"].relative


def test_a_growing_series_interval_scales_with_the_forecast_and_the_reason_says_so() -> None:
    history = _history({"grows": _constant_cv(60), "steady": _constant_variance(60)})
    result = forecast(history, horizon=6, model="ets-log", origins=2, backend="sequential")
    fc = result.forecast.set_index("family")
    reasons = result.choices.set_index("family")["reason"]
    grows = fc.loc["grows"]
    ratio = (grows["upper"] - grows["forecast"]) / (grows["forecast"] * np.sqrt(np.arange(1, 7)))
    assert np.allclose(ratio, ratio.iloc[0]) and ratio.iloc[0] > 0
    assert "on the log scale: the series' swings grow with its level" in reasons["grows"]
    assert "relative to the forecast level" in reasons["grows"]
    steady = fc.loc["steady"]
    ratio = (steady["upper"] - steady["forecast"]) / np.sqrt(np.arange(1, 7))
    assert np.allclose(ratio, ratio.iloc[0])  # absolute: q·√h whatever the level
    assert "log scale" not in reasons["steady"] and "relative" not in reasons["steady"]


def test_the_batched_widths_equal_the_per_series_ones() -> None:
    """Three series on the batched path's vectorised rule, the first two flagged
    relative (the second has a backtest forecast of 0, so it stays absolute), equal
    :func:`conformal_halfwidth` series by series."""
    rng = np.random.default_rng(4)
    steps = np.tile(np.arange(1, 4), 4)  # 4 origins × 3 steps
    bt = rng.uniform(50, 150, (3, 12))
    bt[1, 5] = 0.0
    A = bt * (1 + rng.normal(0, 0.1, (3, 12)))
    mean = np.array([[200.0, 220.0], [90.0, 95.0], [300.0, 310.0]])
    flags = np.array([True, True, False])
    half, rel = conformal_halfwidths(A, bt, steps, mean, 0.8, flags)
    assert rel.tolist() == [True, False, False]
    for i in range(3):
        row = _row(A[i].tolist(), bt[i].tolist(), steps.tolist())
        one = conformal_halfwidth(row, 2, 0.8, mean[i] if flags[i] else None)
        assert one is not None
        assert half[i].tolist() == pytest.approx(one.tolist())


def test_growing_skus_on_the_batched_path_get_relative_intervals() -> None:
    history = _history({"F": _constant_cv(60)}).assign(sku="grows")
    steady = _history({"F": _constant_variance(60)}).assign(sku="steady")
    result = forecast(pd.concat([history, steady]), level="sku", horizon=6, backend="sequential")
    reasons = result.choices.set_index("sku")["reason"]
    assert reasons["grows"].endswith(RELATIVE_TAIL)
    assert RELATIVE_TAIL not in reasons["steady"]
    fc = result.forecast[result.forecast["sku"] == "grows"]
    ratio = (fc["upper"] - fc["forecast"]) / (fc["forecast"] * np.sqrt(np.arange(1, 7)))
    assert np.allclose(ratio, ratio.iloc[0])
