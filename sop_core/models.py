"""Forecasting models for one series: Prophet, ETS (statsmodels), seasonal naive, fallbacks.

Every model is one call, :func:`fit_predict`, taking the history of one series as a
numpy array ``y`` (units per period, ≥ 0) with its period dates, and returning the
point forecast and an interval for the next ``horizon`` periods. Forecasts are
clipped at 0 (demand cannot be negative).

Model names (``MODELS``):

- ``naive``: seasonal naive, ŷ(T+h) = y(T+h−m·⌈h/m⌉); interval from the seasonal
  differences' standard deviation σ, widened by √(⌊(h−1)/m⌋+1) (Hyndman & Athanasopoulos).
- ``ets``, ``ets-damped``: statsmodels ``ETSModel`` with additive error, additive trend
  (damped for ``ets-damped``) and additive season; analytic prediction intervals.
- ``prophet-additive``, ``prophet-multiplicative``: Prophet, linear growth, yearly
  seasonality only (Fourier order 3 below three seasons of history, else 5 monthly and
  10 weekly), fitted by L-BFGS; the interval is Prophet's own simulation (trend
  changes + observation noise).
- Fallbacks, used when a series is too short or flat for the above: ``ses`` (simple
  exponential smoothing, no trend or season), ``last`` (last value repeated, random-walk
  interval) and ``zero`` (all-zero history).
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import pandas as pd

SEASONAL_MODELS: tuple[str, ...] = (
    "naive",
    "ets",
    "ets-damped",
    "prophet-additive",
    "prophet-multiplicative",
)
FALLBACK_MODELS: tuple[str, ...] = ("ses", "last", "zero")
MODELS: tuple[str, ...] = SEASONAL_MODELS + FALLBACK_MODELS

PROPHET_UNCERTAINTY_SAMPLES = 300
"""Simulated paths behind a Prophet interval."""


@dataclass(frozen=True)
class Prediction:
    """A forecast of one series: point and interval bounds, one value per future period."""

    mean: np.ndarray
    lower: np.ndarray
    upper: np.ndarray


def fit_predict(
    model: str,
    y: np.ndarray,
    dates: pd.DatetimeIndex,
    horizon: int,
    *,
    freq: str = "MS",
    season: int = 12,
    level: float = 0.8,
    intervals: bool = True,
    seed: int = 0,
) -> Prediction:
    """Fit ``model`` to one series and forecast ``horizon`` periods ahead.

    Args:
        model: one of :data:`MODELS`.
        y: demand per period [units], oldest first, no gaps.
        dates: the period of each value in ``y``.
        horizon: periods to forecast.
        freq: pandas frequency of ``dates`` ("MS" or "W-…").
        season: periods per seasonal cycle (12 monthly, 52 weekly).
        level: coverage of the interval (0.8 for 80 %).
        intervals: compute the interval (backtests only need the point forecast;
            without it ``lower`` and ``upper`` equal ``mean``).
        seed: seed of any randomness (Stan's optimiser, Prophet's simulation).
    """
    y = np.asarray(y, dtype=float)
    if model == "zero":
        z = np.zeros(horizon)
        pred = Prediction(z, z, z)
    elif model == "last":
        pred = _random_walk(y, horizon, level)
    elif model == "naive":
        pred = _seasonal_naive(y, horizon, season, level)
    elif model in ("ets", "ets-damped", "ses"):
        pred = _ets(y, horizon, season, level, model, intervals)
    elif model in ("prophet-additive", "prophet-multiplicative"):
        mode = model.split("-", 1)[1]
        pred = _prophet(y, dates, horizon, freq, season, level, mode, intervals, seed)
    else:
        raise ValueError(f"unknown model {model!r}; known: {', '.join(MODELS)}")
    if not intervals:
        pred = Prediction(pred.mean, pred.mean, pred.mean)
    return Prediction(
        np.clip(pred.mean, 0, None), np.clip(pred.lower, 0, None), np.clip(pred.upper, 0, None)
    )


def _z(level: float) -> float:
    return NormalDist().inv_cdf(0.5 + level / 2)


def _random_walk(y: np.ndarray, horizon: int, level: float) -> Prediction:
    mean = np.full(horizon, y[-1])
    diffs = np.diff(y)
    sigma = float(np.sqrt(np.mean(diffs**2))) if len(diffs) else 0.0
    half = _z(level) * sigma * np.sqrt(np.arange(1, horizon + 1))
    return Prediction(mean, mean - half, mean + half)


def _seasonal_naive(y: np.ndarray, horizon: int, season: int, level: float) -> Prediction:
    if len(y) < season:
        raise ValueError(f"seasonal naive needs {season} periods, got {len(y)}")
    last_season = y[-season:]
    mean = np.array([last_season[h % season] for h in range(horizon)])
    resid = y[season:] - y[:-season]
    sigma = float(np.sqrt(np.mean(resid**2))) if len(resid) else 0.0
    k = np.floor(np.arange(horizon) / season)
    half = _z(level) * sigma * np.sqrt(k + 1)
    return Prediction(mean, mean - half, mean + half)


def _ets(
    y: np.ndarray, horizon: int, season: int, level: float, model: str, intervals: bool
) -> Prediction:
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    # ETS with additive error is scale-equivariant: fit on y / scale, which helps the
    # optimiser converge in few steps whatever the units, and scale the forecast back.
    scale = float(np.mean(np.abs(y))) or 1.0
    series = pd.Series(y / scale)
    if model == "ses":
        spec: dict[str, object] = {"trend": None, "seasonal": None}
        init = "estimated"
    else:
        spec = {
            "trend": "add",
            "damped_trend": model == "ets-damped",
            "seasonal": "add",
            "seasonal_periods": season,
        }
        init = "heuristic"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence chatter on short series
        fitted = ETSModel(series, error="add", initialization_method=init, **spec).fit(disp=False)
        if not intervals:
            mean = np.asarray(fitted.forecast(horizon), dtype=float) * scale
            return Prediction(mean, mean, mean)
        frame = fitted.get_prediction(start=len(y), end=len(y) + horizon - 1).summary_frame(
            alpha=1 - level
        )
    return Prediction(
        frame["mean"].to_numpy(float) * scale,
        frame["pi_lower"].to_numpy(float) * scale,
        frame["pi_upper"].to_numpy(float) * scale,
    )


def silence_prophet() -> None:
    """Quiet Prophet's and cmdstanpy's logging (INFO per fit, a plotly notice on import)."""
    logging.getLogger("prophet.plot").setLevel(logging.CRITICAL)
    logging.getLogger("prophet").setLevel(logging.WARNING)
    from cmdstanpy.utils import get_logger

    get_logger().setLevel(logging.ERROR)  # cmdstanpy sets DEBUG once, when first created


def warm_up() -> None:
    """Import the model libraries now (a forked pool then starts with them loaded)."""
    silence_prophet()
    import prophet  # noqa: F401
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel  # noqa: F401


def prophet_yearly_order(n: int, season: int) -> int:
    """Fourier order of the yearly seasonality: low for short series."""
    if n < 3 * season:
        return 3
    return 5 if season <= 12 else 10


def _prophet(
    y: np.ndarray,
    dates: pd.DatetimeIndex,
    horizon: int,
    freq: str,
    season: int,
    level: float,
    mode: str,
    intervals: bool,
    seed: int,
) -> Prediction:
    silence_prophet()
    from prophet import Prophet

    order = prophet_yearly_order(len(y), season)
    m = Prophet(
        growth="linear",
        yearly_seasonality=order,
        weekly_seasonality=False,
        daily_seasonality=False,
        seasonality_mode=mode,
        interval_width=level,
        uncertainty_samples=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # Prophet's own pandas deprecations
        warnings.simplefilter("ignore", DeprecationWarning)
        m.fit(pd.DataFrame({"ds": dates, "y": y}), algorithm="LBFGS", seed=seed)
    future = pd.date_range(dates[-1], periods=horizon + 1, freq=freq)[1:]
    return prophet_predict(m, future, order, mode, level, intervals, seed)


def prophet_predict(
    m: object,
    future: pd.DatetimeIndex,
    order: int,
    mode: str,
    level: float = 0.8,
    intervals: bool = True,
    seed: int = 0,
    samples: int = PROPHET_UNCERTAINTY_SAMPLES,
) -> Prediction:
    """Prophet's forecast for a model with only yearly seasonality, without its overhead.

    ``Prophet.predict`` rebuilds every component table with pandas pivots, which costs
    more than the fit on short series. With one seasonality the forecast is
    trend·(1 + X·β) (multiplicative) or trend + X·β·y_scale (additive), X the Fourier
    features; the interval simulates future trend changes and observation noise the
    way ``Prophet.sample_model_vectorized`` does, with ``samples`` paths.
    """
    from prophet import Prophet

    df = m.setup_dataframe(pd.DataFrame({"ds": future}))  # type: ignore[attr-defined]
    trend = np.asarray(m.predict_trend(df), dtype=float)  # type: ignore[attr-defined]
    features = Prophet.fourier_series(df["ds"], 365.25, order)
    beta = np.asarray(m.params["beta"], dtype=float)[0]  # type: ignore[attr-defined]
    y_scale = float(m.y_scale)  # type: ignore[attr-defined]
    xb = features @ beta
    xb_a, xb_m = (xb * y_scale, np.zeros_like(xb)) if mode == "additive" else (0.0 * xb, xb)
    mean = trend * (1 + xb_m) + xb_a
    if not intervals:
        return Prediction(mean, mean, mean)
    np.random.seed(seed)  # Prophet samples from numpy's global generator
    trends = m.sample_predictive_trend_vectorized(df, samples, 0)  # type: ignore[attr-defined]
    sigma = float(np.asarray(m.params["sigma_obs"]).ravel()[0])  # type: ignore[attr-defined]
    noise = np.random.normal(0, sigma, trends.shape) * y_scale
    sims = trends * (1 + xb_m) + xb_a + noise
    lower = np.percentile(sims, 100 * (1 - level) / 2, axis=0)
    upper = np.percentile(sims, 100 * (1 + level) / 2, axis=0)
    return Prediction(mean, lower, upper)
