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
- ``ets-log``: the same ETS (undamped) on log(y), forecast and bounds back-transformed
  by exp: trend and season act as growth rates and factors, and the error grows with
  the level (what ETS with multiplicative error and season does, on the log scale).
  For series whose swings grow with their level (:func:`swings_grow_with_level`);
  every period must be above zero.
- ``prophet-additive``, ``prophet-multiplicative``: Prophet, linear growth, yearly
  seasonality only (Fourier order 3 below three seasons of history, else 5 monthly and
  10 weekly), fitted by L-BFGS with Prophet's own Stan program, called directly
  (:func:`fit_prophet`); the interval is Prophet's simulation (future trend changes +
  observation noise), see :func:`prophet_predict`.
- ``theta``: statsmodels ``ThetaModel`` (Assimakopoulos & Nikolopoulos 2000 as in
  Hyndman & Billah 2003): classical seasonal decomposition (multiplicative for positive
  data, tested for seasonality), then SES with drift of half the linear trend.
- ``sarima``: the "airline" seasonal ARIMA(0,1,1)(0,1,1)m, on log(y) when y > 0,
  fitted by conditional sum of squares (:func:`fit_airline`); interval from its
  ψ-weights. A fixed order, not an order search: the seasonal ARIMA practitioners fit
  first, and a few milliseconds per fit.
- Intermittent demand (many zero periods, flat forecasts): ``croston`` (Croston 1972:
  SES of the non-zero demand sizes z and of the intervals p between them, forecast
  z/p), ``sba`` (Syntetos–Boylan approximation, (1 − α/2)·z/p, which removes
  Croston's bias) and ``tsb`` (Teunter–Syntetos–Babai 2011: SES of the demand
  probability every period and of the sizes when demand occurs, forecast
  probability·size, which decays when demand stops). α = β = 0.1 (:data:`INTERMITTENT_ALPHA`).
- Fallbacks, used when a series is too short or flat for the above: ``ses`` (simple
  exponential smoothing, no trend or season), ``last`` (last value repeated, random-walk
  interval) and ``zero`` (all-zero history).
"""

from __future__ import annotations

import contextlib
import logging
import warnings
from dataclasses import dataclass
from functools import cache
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd

SEASONAL_MODELS: tuple[str, ...] = (
    "naive",
    "theta",
    "ets",
    "ets-damped",
    "ets-log",
    "sarima",
    "prophet-additive",
    "prophet-multiplicative",
)
"""Models for regular seasonal series, simplest first."""
LOG_MODELS: tuple[str, ...] = ("ets-log",)
"""Models fitted on log(y) that only series whose swings grow with their level get
among ``auto``'s candidates (the airline model ``sarima`` is on log(y) for every
positive series already)."""
INTERMITTENT_MODELS: tuple[str, ...] = ("croston", "sba", "tsb")
FALLBACK_MODELS: tuple[str, ...] = ("ses", "last", "zero")
MODELS: tuple[str, ...] = SEASONAL_MODELS + INTERMITTENT_MODELS + FALLBACK_MODELS

INTERMITTENT_ALPHA = 0.1
"""Smoothing constant of the demand sizes, intervals and probability (Croston, SBA, TSB)."""

PROPHET_UNCERTAINTY_SAMPLES = 300
"""Simulated paths behind a Prophet interval."""

GROWTH_SLOPE = 0.5
"""Slope of log(spread) on log(level) across seasons from which a series' swings count
as growing with its level (0: constant spread; 1: spread proportional to the level,
a constant coefficient of variation; Box–Cox λ ≈ 1 − slope, as in Guerrero 1993)."""
GROWTH_LEVEL_RANGE = 1.5
"""Least ratio of the highest to the lowest seasonal mean for the slope to be read at
all: over a narrower range of levels the spreads say nothing about growth."""
GROWTH_MIN_SEASONS = 3
"""Fewest whole seasons behind the slope."""


def swings_grow_with_level(y: np.ndarray, season: int) -> bool:
    """Whether the series' swings grow with its level (then it is forecast on logs).

    The last whole seasons of ``y`` (at least :data:`GROWTH_MIN_SEASONS`) each give a
    level (their mean) and a spread (their standard deviation); the swings grow when
    every value is above zero, the levels span a ratio of at least
    :data:`GROWTH_LEVEL_RANGE`, and the least-squares slope of log(spread) on
    log(level) is at least :data:`GROWTH_SLOPE`.
    """
    y = np.asarray(y, dtype=float)
    seasons = len(y) // season if season > 0 else 0
    if seasons < GROWTH_MIN_SEASONS or not np.all(y > 0):
        return False
    blocks = y[len(y) - seasons * season :].reshape(seasons, season)
    level, spread = blocks.mean(axis=1), blocks.std(axis=1, ddof=1)
    if level.max() < GROWTH_LEVEL_RANGE * level.min() or not np.all(spread > 0):
        return False
    slope = float(np.polyfit(np.log(level), np.log(spread), 1)[0])
    return slope >= GROWTH_SLOPE


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
    elif model == "ets-log":
        pred = _ets_log(y, horizon, season, level, intervals)
    elif model == "theta":
        pred = _theta(y, horizon, season, level, intervals)
    elif model == "sarima":
        pred = _airline(y, horizon, season, level)
    elif model in INTERMITTENT_MODELS:
        pred = _intermittent(model, y, horizon, level)
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


def z_score(level: float) -> float:
    return NormalDist().inv_cdf(0.5 + level / 2)


def _random_walk(y: np.ndarray, horizon: int, level: float) -> Prediction:
    mean = np.full(horizon, y[-1])
    diffs = np.diff(y)
    sigma = float(np.sqrt(np.mean(diffs**2))) if len(diffs) else 0.0
    half = z_score(level) * sigma * np.sqrt(np.arange(1, horizon + 1))
    return Prediction(mean, mean - half, mean + half)


def _seasonal_naive(y: np.ndarray, horizon: int, season: int, level: float) -> Prediction:
    if len(y) < season:
        raise ValueError(f"seasonal naive needs {season} periods, got {len(y)}")
    last_season = y[-season:]
    mean = np.array([last_season[h % season] for h in range(horizon)])
    resid = y[season:] - y[:-season]
    sigma = float(np.sqrt(np.mean(resid**2))) if len(resid) else 0.0
    k = np.floor(np.arange(horizon) / season)
    half = z_score(level) * sigma * np.sqrt(k + 1)
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


def _ets_log(y: np.ndarray, horizon: int, season: int, level: float, intervals: bool) -> Prediction:
    """ETS (additive trend and season) on log(y), back-transformed by exp (the median)."""
    if not np.all(y > 0):
        raise ValueError("the log scale needs every period above zero")
    p = _ets(np.log(y), horizon, season, level, "ets", intervals)
    return Prediction(np.exp(p.mean), np.exp(p.lower), np.exp(p.upper))


def _theta(y: np.ndarray, horizon: int, season: int, level: float, intervals: bool) -> Prediction:
    from statsmodels.tsa.forecasting.theta import ThetaModel

    method = "multiplicative" if y.min() > 0 else "additive"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitted = ThetaModel(y, period=season, method=method).fit()
        mean = np.asarray(fitted.forecast(horizon), dtype=float)
        if not intervals:
            return Prediction(mean, mean, mean)
        bounds = np.asarray(fitted.prediction_intervals(horizon, alpha=1 - level), dtype=float)
    return Prediction(mean, bounds[:, 0], bounds[:, 1])


def _airline_residuals(w: np.ndarray, theta: float, big_theta: float, season: int) -> np.ndarray:
    """Innovations e of w(t) = e(t) − θe(t−1) − Θe(t−m) + θΘe(t−m−1), zero before the start."""
    e = np.zeros(len(w) + season + 1)
    off = season + 1
    for t in range(len(w)):
        i = t + off
        e[i] = w[t] + theta * e[i - 1] + big_theta * e[i - season] - theta * big_theta * e[i - off]
    return e[off:]


@dataclass(frozen=True)
class AirlineFit:
    """ARIMA(0,1,1)(0,1,1)m fitted by conditional sum of squares, on ``log`` y or y/scale."""

    theta: float
    big_theta: float
    sigma: float
    x: np.ndarray
    """The transformed history."""
    residuals: np.ndarray
    season: int
    log: bool
    scale: float


def fit_airline(y: np.ndarray, season: int) -> AirlineFit:
    """Fit the airline model: θ, Θ in (−0.98, 0.98) minimising Σe² (see
    :func:`_airline_residuals`) of the twice-differenced w(t) = ∇∇_m x(t), x = log y
    (all y > 0) or y / mean|y|; σ² = Σe² / (n − 2)."""
    from scipy.optimize import minimize

    y = np.asarray(y, dtype=float)
    log = bool(y.min() > 0)
    scale = 1.0 if log else (float(np.mean(np.abs(y))) or 1.0)
    x = np.log(y) if log else y / scale
    m = season
    if len(x) < m + 3:
        raise ValueError(f"the airline model needs {m + 3} periods, got {len(x)}")
    w = x[m + 1 :] - x[m:-1] - x[1:-m] + x[: -m - 1]

    def css(p: np.ndarray) -> float:
        return float(np.sum(_airline_residuals(w, p[0], p[1], m) ** 2))

    res = minimize(css, np.array([0.3, 0.3]), bounds=[(-0.98, 0.98)] * 2, method="L-BFGS-B")
    theta, big_theta = (float(v) for v in res.x)
    e = _airline_residuals(w, theta, big_theta, m)
    sigma = float(np.sqrt(np.sum(e**2) / max(1, len(e) - 2)))
    return AirlineFit(theta, big_theta, sigma, x, e, m, log, scale)


def airline_forecast(fit: AirlineFit, horizon: int, level: float = 0.8) -> Prediction:
    """Point forecast (future innovations 0) and ψ-weight interval, back-transformed."""
    m, th, bth = fit.season, fit.theta, fit.big_theta
    x = list(fit.x)
    e = list(fit.residuals)
    n_e = len(e)
    for h in range(horizon):
        k = n_e + h  # index of the future innovation (all zero)
        e.append(0.0)

        def past(j: int, k: int = k) -> float:
            return e[k - j] if 0 <= k - j < n_e else 0.0

        w_hat = -th * past(1) - bth * past(m) + th * bth * past(m + 1)
        x.append(x[-1] + x[-m] - x[-m - 1] + w_hat)
    mean_x = np.asarray(x[len(fit.x) :])
    ma = np.zeros(horizon + m + 2)
    ma[1], ma[m], ma[m + 1] = -th, -bth, th * bth
    psi = np.zeros(horizon)
    for j in range(horizon):
        psi[j] = (1.0 if j == 0 else ma[j]) + sum(
            psi[j - lag] * c for lag, c in ((1, 1.0), (m, 1.0), (m + 1, -1.0)) if j - lag >= 0
        )
    half = z_score(level) * fit.sigma * np.sqrt(np.cumsum(psi**2))
    if fit.log:
        return Prediction(np.exp(mean_x), np.exp(mean_x - half), np.exp(mean_x + half))
    s = fit.scale
    return Prediction(mean_x * s, (mean_x - half) * s, (mean_x + half) * s)


def _airline(y: np.ndarray, horizon: int, season: int, level: float) -> Prediction:
    return airline_forecast(fit_airline(y, season), horizon, level)


def intermittent_path(model: str, y: np.ndarray, alpha: float = INTERMITTENT_ALPHA) -> np.ndarray:
    """One-step-ahead forecasts of Croston, SBA or TSB after each period of ``y``.

    Element t is the forecast for period t + 1 made after seeing y[0..t] (NaN before
    the first demand). Initial values: z = the first non-zero demand, p = its
    position + 1 (periods up to and including it), probability = 1 / p.
    """
    y = np.asarray(y, dtype=float)
    out = np.full(len(y), np.nan)
    nonzero = np.flatnonzero(y > 0)
    if not len(nonzero):
        return np.zeros(len(y))
    first = int(nonzero[0])
    z, p = float(y[first]), float(first + 1)
    prob = 1.0 / p
    since = 0
    for t in range(first, len(y)):
        if t > first:
            since += 1
            if y[t] > 0:
                z += alpha * (y[t] - z)
                if model != "tsb":
                    p += alpha * (since - p)
                since = 0
            if model == "tsb":
                prob += alpha * ((1.0 if y[t] > 0 else 0.0) - prob)
        if model == "tsb":
            out[t] = prob * z
        elif model == "sba":
            out[t] = (1 - alpha / 2) * z / p
        else:
            out[t] = z / p
    return out


def _intermittent(model: str, y: np.ndarray, horizon: int, level: float) -> Prediction:
    path = intermittent_path(model, y)
    mean = np.full(horizon, path[-1])
    # interval: empirical quantiles of the one-step in-sample errors, widened by √h
    err = y[1:] - path[:-1]
    err = err[np.isfinite(err)]
    if len(err) < 2:
        return Prediction(mean, mean, mean)
    lo, hi = np.quantile(err, [(1 - level) / 2, (1 + level) / 2])
    grow = np.sqrt(np.arange(1, horizon + 1))
    return Prediction(mean, mean + lo * grow, mean + hi * grow)


def silence_prophet() -> None:
    """Quiet Prophet's and cmdstanpy's logging (INFO per fit, a plotly notice on import)."""
    logging.getLogger("prophet.plot").setLevel(logging.CRITICAL)
    logging.getLogger("prophet").setLevel(logging.WARNING)
    from cmdstanpy.utils import get_logger

    get_logger().setLevel(logging.ERROR)  # cmdstanpy sets DEBUG once, when first created


def warm_up() -> None:
    """Import what the models use (cmdstanpy, statsmodels' ETS) and load Prophet's Stan model.

    Prophet itself (its class pulls in matplotlib) is not imported: fits go straight
    to Prophet's compiled Stan program, see :func:`fit_prophet`.
    """
    _stan_model()
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel  # noqa: F401


def prophet_yearly_order(n: int, season: int) -> int:
    """Fourier order of the yearly seasonality: low for short series."""
    if n < 3 * season:
        return 3
    return 5 if season <= 12 else 10


# --------------------------------------------------------------------------- Prophet

PROPHET_CHANGEPOINTS = 25
"""Prophet's default number of potential trend changepoints."""
PROPHET_CHANGEPOINT_RANGE = 0.8
"""Share of the history in which Prophet places changepoints (its default)."""
PROPHET_CHANGEPOINT_PRIOR = 0.05
"""Prophet's default changepoint prior scale (τ)."""
PROPHET_SEASONALITY_PRIOR = 10.0
"""Prophet's default seasonality prior scale (σ of each Fourier coefficient)."""
YEAR_DAYS = 365.25
_NS_PER_DAY = 86_400 * 10**9


@dataclass(frozen=True)
class ProphetFit:
    """A fitted Prophet model (linear growth, yearly seasonality only): what forecasts need.

    Times are scaled as Prophet scales them: t = (date − start) / t_scale, so the
    history spans t ∈ [0, 1]; demand is scaled by ``y_scale`` (max |y|).
    """

    k: float
    m: float
    delta: np.ndarray
    beta: np.ndarray
    sigma_obs: float
    start: int
    """First date of the history [ns since the epoch]."""
    t_scale: float
    """Span of the history [ns]."""
    y_scale: float
    changepoints_t: np.ndarray
    order: int
    mode: str
    t_history: np.ndarray

    @classmethod
    def from_prophet(cls, m: Any, order: int, mode: str) -> ProphetFit:
        """The same fit, taken from a fitted ``prophet.Prophet`` (for comparisons)."""
        history_t = np.asarray(m.history["t"], dtype=float)
        return cls(
            k=float(np.asarray(m.params["k"]).ravel()[0]),
            m=float(np.asarray(m.params["m"]).ravel()[0]),
            delta=np.asarray(m.params["delta"], dtype=float)[0],
            beta=np.asarray(m.params["beta"], dtype=float)[0],
            sigma_obs=float(np.asarray(m.params["sigma_obs"]).ravel()[0]),
            start=int(pd.Timestamp(m.start).as_unit("ns").value),
            t_scale=float(pd.Timedelta(m.t_scale).as_unit("ns").value),
            y_scale=float(m.y_scale),
            changepoints_t=np.asarray(m.changepoints_t, dtype=float),
            order=order,
            mode=mode,
            t_history=history_t,
        )


def _ns(dates: pd.DatetimeIndex) -> np.ndarray:
    return np.asarray(pd.DatetimeIndex(dates).as_unit("ns").asi8)


def fourier_features(dates: pd.DatetimeIndex, order: int, period: float = YEAR_DAYS) -> np.ndarray:
    """Prophet's Fourier features: columns sin(2πjt/P), cos(2πjt/P), j = 1…order, t in days."""
    days = (_ns(dates) / 1e9) / 86_400.0
    x = 2 * np.pi * days
    out = np.empty((len(days), 2 * order))
    for i in range(order):
        c = (i + 1) / period * x
        out[:, 2 * i] = np.sin(c)
        out[:, 2 * i + 1] = np.cos(c)
    return out


@cache
def _stan_model() -> Any:
    """Prophet's compiled Stan program (found without importing Prophet), loaded once."""
    import importlib.util
    from pathlib import Path

    import cmdstanpy

    silence_prophet()
    spec = importlib.util.find_spec("prophet")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("prophet is not installed")
    stan_dir = Path(next(iter(spec.submodule_search_locations))) / "stan_model"
    bundled = sorted(stan_dir.glob("cmdstan-*"))
    if bundled:  # as Prophet does: its own CmdStan, not a system one
        cmdstanpy.set_cmdstan_path(str(bundled[-1]))
    return cmdstanpy.CmdStanModel(exe_file=str(stan_dir / "prophet_model.bin"))


def fit_prophet(
    y: np.ndarray, dates: pd.DatetimeIndex, order: int, mode: str, seed: int = 0
) -> ProphetFit:
    """Fit Prophet (linear growth, yearly seasonality of ``order``, ``mode``) by L-BFGS.

    The same Stan program, data, initial values and optimiser settings as
    ``Prophet(...).fit(df, algorithm="LBFGS", seed=seed)`` with Prophet's defaults
    (25 changepoints in the first 80 % of the history, τ = 0.05, seasonality prior
    10, absmax scaling), without Prophet's per-fit pandas bookkeeping; the tests
    check the parameters against Prophet's own fit.
    """
    y = np.asarray(y, dtype=float)
    ns = _ns(dates)
    n = len(y)
    start, t_scale = int(ns[0]), float(ns[-1] - ns[0])
    t = (ns - start).astype(float) / t_scale
    y_scale = float(np.max(np.abs(y))) or 1.0
    y_scaled = y / y_scale
    hist_size = int(np.floor(n * PROPHET_CHANGEPOINT_RANGE))
    n_cp = min(PROPHET_CHANGEPOINTS, hist_size - 1)
    if n_cp > 0:
        idx = np.linspace(0, hist_size - 1, n_cp + 1).round().astype(int)[1:]
        changepoints_t = np.sort(t[idx])
    else:
        changepoints_t = np.array([0.0])  # Prophet's dummy changepoint
    X = fourier_features(dates, order)
    K, S = X.shape[1], len(changepoints_t)
    additive = 1.0 if mode == "additive" else 0.0
    k0 = (y_scaled[-1] - y_scaled[0]) / (t[-1] - t[0])
    m0 = y_scaled[0] - k0 * t[0]
    init = {
        "k": float(k0),
        "m": float(m0),
        "delta": [0.0] * S,
        "beta": [0.0] * K,
        "sigma_obs": 1.0,
    }
    if y.min() == y.max():  # Prophet skips the optimiser for a constant series
        params = {**init, "sigma_obs": 1e-9}
    else:
        data = {
            "T": n,
            "S": S,
            "K": K,
            "tau": PROPHET_CHANGEPOINT_PRIOR,
            "trend_indicator": 0,  # linear
            "y": y_scaled.tolist(),
            "t": t.tolist(),
            "cap": [0.0] * n,
            "t_change": changepoints_t.tolist(),
            "s_a": [additive] * K,
            "s_m": [1.0 - additive] * K,
            "X": X.tolist(),
            "sigmas": [PROPHET_SEASONALITY_PRIOR] * K,
        }
        params = _optimize(data, init, seed)
    delta = np.asarray(params["delta"], dtype=float).ravel()
    k = float(np.asarray(params["k"]).ravel()[0])
    if n_cp <= 0:  # no real changepoints: fold the dummy's slope change into k
        k, delta = k + float(delta[0]), np.zeros(1)
    return ProphetFit(
        k=k,
        m=float(np.asarray(params["m"]).ravel()[0]),
        delta=delta,
        beta=np.asarray(params["beta"], dtype=float).ravel(),
        sigma_obs=float(np.asarray(params["sigma_obs"]).ravel()[0]),
        start=start,
        t_scale=t_scale,
        y_scale=y_scale,
        changepoints_t=changepoints_t,
        order=order,
        mode=mode,
        t_history=t,
    )


def _optimize(data: dict[str, Any], init: dict[str, Any], seed: int) -> dict[str, np.ndarray]:
    """Run Stan's L-BFGS (Newton if it fails, as Prophet does); remove its output files."""
    from pathlib import Path

    model = _stan_model()
    args: dict[str, Any] = {
        "data": data,
        "inits": init,
        "algorithm": "LBFGS",
        "iter": 10_000,
        "seed": seed,
    }
    try:
        fit = model.optimize(**args)
    except RuntimeError:
        fit = model.optimize(**{**args, "algorithm": "Newton"})
    try:
        return {name: np.asarray(fit.stan_variable(name)) for name in init}
    finally:
        runset = fit.runset
        names = [
            n for n in (*runset.csv_files, *runset.stdout_files, *runset.diagnostic_files) if n
        ]
        for name in names:
            Path(name).unlink(missing_ok=True)
        for folder in {Path(n).parent for n in names}:
            with contextlib.suppress(OSError):  # cmdstanpy's per-run folder, if now empty
                folder.rmdir()


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
    order = prophet_yearly_order(len(y), season)
    fitted = fit_prophet(y, dates, order, mode, seed)
    future = pd.date_range(dates[-1], periods=horizon + 1, freq=freq)[1:]
    return prophet_predict(fitted, future, level, intervals, seed)


def prophet_predict(
    fit: ProphetFit,
    future: pd.DatetimeIndex,
    level: float = 0.8,
    intervals: bool = True,
    seed: int = 0,
    samples: int = PROPHET_UNCERTAINTY_SAMPLES,
) -> Prediction:
    """Prophet's forecast and interval for a :class:`ProphetFit`, as ``Prophet.predict``.

    The forecast is trend·(1 + X·β) (multiplicative) or trend + X·β·y_scale
    (additive), X the Fourier features, trend Prophet's piecewise-linear trend. The
    interval simulates ``samples`` paths of future trend changes (Laplace slope
    changes as frequent as the fitted changepoints) plus observation noise σ, the
    way ``Prophet.sample_model_vectorized`` does, drawn from a generator seeded
    with ``seed`` (the draws equal Prophet's after ``np.random.seed(seed)``).
    """
    t = (_ns(future) - fit.start).astype(float) / fit.t_scale
    cp = fit.changepoints_t
    deltas_t = (cp[None, :] <= t[:, None]) * fit.delta
    trend_scaled = (deltas_t.sum(axis=1) + fit.k) * t + (deltas_t * -cp).sum(axis=1) + fit.m
    trend = trend_scaled * fit.y_scale
    xb = fourier_features(future, fit.order) @ fit.beta
    if fit.mode == "additive":
        xb_a, xb_m = xb * fit.y_scale, np.zeros_like(xb)
    else:
        xb_a, xb_m = np.zeros_like(xb), xb
    mean = trend * (1 + xb_m) + xb_a
    if not intervals:
        return Prediction(mean, mean, mean)
    rng = np.random.RandomState(seed)  # the legacy stream Prophet draws from
    ahead = t > 1
    n_ahead = int(ahead.sum())
    shifts = np.zeros((samples, len(t)))
    if n_ahead:
        step = (
            float(np.diff(t[ahead]).mean()) if n_ahead > 1 else float(np.diff(fit.t_history).mean())
        )
        likelihood = len(cp) * step
        mean_delta = float(np.mean(np.abs(fit.delta))) + 1e-8
        change = rng.uniform(size=(samples, n_ahead)) < likelihood
        mat = rng.laplace(0, mean_delta, size=change.shape) * change
        mat = (np.hstack([np.zeros((samples, 1)), mat])[:, :-1] + mat) / 2
        shifts[:, ahead] = mat.cumsum(axis=1).cumsum(axis=1) * step
    trends = (trend_scaled + shifts) * fit.y_scale
    noise = rng.normal(0, fit.sigma_obs, trends.shape) * fit.y_scale
    sims = trends * (1 + xb_m) + xb_a + noise
    lower = np.percentile(sims, 100 * (1 - level) / 2, axis=0)
    upper = np.percentile(sims, 100 * (1 + level) / 2, axis=0)
    return Prediction(mean, lower, upper)
