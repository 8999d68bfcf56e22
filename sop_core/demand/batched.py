"""Vectorised forecasts of many series at once: the SKU-level path of ``forecast``.

Fitting one model at a time costs a Python call per series × model × origin (about
5,300 s for 10,000 SKUs × 60 months with the full candidate set). Here every model
works on a (series × time) matrix: numpy across the series, a Python loop only over
the time steps, so a batch of a thousand series costs about what one series does.

Where it applies: :func:`sop_core.demand.forecast.forecast` uses it for ``model="auto"`` at
``level="sku"`` and at ``level="family"`` beyond
:data:`~sop_core.demand.forecast.BATCHED_FAMILIES` families (``engine="auto"``), or
wherever ``engine="batched"`` asks for it. Up to that many families the family level
keeps the full per-series candidate set (ETS, seasonal ARIMA, Prophet): a few dozen
families do not need batching, and those models do not vectorise.

Candidates (simplest first; a tie goes to the simpler one):

- regular series (:data:`BATCHED_SEASONAL`): ``naive`` (seasonal naive), ``ses``,
  ``theta``, ``holt-damped`` and ``trend-fourier``: least squares on a linear trend
  and :data:`FOURIER_ORDER` harmonics of the season (the linear core of Prophet's
  model, without its changepoints and priors; one design matrix for the whole batch,
  so one solve fits every series). ``ses``, ``theta`` and ``holt-damped`` forecast
  the **seasonally adjusted** series and re-seasonalise the forecast, as the M4
  competition's benchmarks do: where the lag-m autocorrelation test of statsmodels'
  ``ThetaModel`` finds a season (90 %), a classical decomposition (centred moving
  average; multiplicative for positive data unless a factor comes out ≤ 0, else
  additive) gives the seasonal factors. ``theta`` is statsmodels' ``ThetaModel``
  computed for many series at once (SES with initial level y₀, plus half the OLS
  linear-trend slope b₀ · (h − 1 + 1/α − (1 − α)ⁿ/α)), and equals it for the same α
  (a test checks).
  The test runs once per series, on its whole history, and its verdict holds at
  every backtest origin (the factors themselves come from each origin's training
  data): at a 24-month origin the test has almost no power (of 300 simulated series
  of a ±30 sine in N(0, 10²) noise it found the season in none at 24 months, 85 % at
  36 and all at 48), so testing per origin would make the early origins blame the
  adjusted models for a season they were not shown.
- intermittent series (:data:`BATCHED_INTERMITTENT`, see
  :func:`sop_core.demand.forecast.is_intermittent`): ``ses`` on the raw series, ``croston``,
  ``sba``, ``tsb`` (α = :data:`sop_core.demand.models.INTERMITTENT_ALPHA`, equal to
  :func:`sop_core.demand.models.intermittent_path`) and ``naive``.
- ``combo``: the mean of the :data:`~sop_core.demand.choice.COMBO_MEMBERS` best by
  backtest MASE, as on the per-series path.

Smoothing parameters are chosen per series (and per backtest origin) from a small
grid by the in-sample one-step sum of squared errors: α ∈ :data:`SES_ALPHAS` for
``ses`` and ``theta`` (which share the fit), and α × β × φ ∈ :data:`HOLT_ALPHAS` ×
:data:`HOLT_BETAS` × :data:`HOLT_PHIS` for damped Holt (initial level y₀, trend
y₁ − y₀). ETS by likelihood, seasonal ARIMA and Prophet are **not** in this path.

Backtests are the per-series path's rolling origins (each origin a shorter matrix),
scored, chosen (same MASE rule, tie tolerance and reason sentence) and given
conformal intervals the same way (:mod:`sop_core.demand.forecast`). With fewer than
:data:`~sop_core.demand.choice.MIN_CONFORMAL_POINTS` backtest errors the interval is the
seasonal naive one (σ of the seasonal differences) around the chosen forecast.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from itertools import product

import numpy as np

from sop_core.demand.accuracy import Window
from sop_core.demand.choice import (
    COMBO,
    COMBO_MEMBERS,
    MIN_CONFORMAL_POINTS,
    choose_with_reason,
    model_name,
)
from sop_core.demand.models import INTERMITTENT_ALPHA, z_score
from sop_core.demand.parallel import one_blas_thread

BATCHED_SEASONAL: tuple[str, ...] = ("naive", "ses", "theta", "holt-damped", "trend-fourier")
"""Batched candidates for regular series, simplest first."""
BATCHED_INTERMITTENT: tuple[str, ...] = ("ses", "croston", "sba", "tsb", "naive")
"""Batched candidates for intermittent series, in the per-series path's order."""
BATCHED_MODELS: tuple[str, ...] = tuple(dict.fromkeys(BATCHED_SEASONAL + BATCHED_INTERMITTENT))

SES_ALPHAS: tuple[float, ...] = tuple(round(0.02 * k, 2) for k in range(1, 51))
"""SES / Theta smoothing constants tried (0.02 … 1.00)."""
HOLT_ALPHAS: tuple[float, ...] = (0.05, 0.1, 0.2, 0.3, 0.5, 0.8)
HOLT_BETAS: tuple[float, ...] = (0.01, 0.05, 0.1, 0.2)
HOLT_PHIS: tuple[float, ...] = (0.8, 0.9, 0.98)
"""Damped Holt: level α, trend β and damping φ tried (72 combinations)."""
FOURIER_ORDER = 3
"""Harmonics of the season in ``trend-fourier`` (Prophet's yearly order for short series)."""
SEASONALITY_CRITICAL = 2.705543454095404
"""χ²(1) 90 % point: statsmodels ThetaModel's seasonality test threshold."""
BATCHED_NOTE = (
    "{n:,} series forecast on the batched path: candidates seasonal naive, SES, Theta, "
    "damped Holt, linear trend + Fourier season (Croston, SBA, TSB for intermittent "
    "ones) and their combination; "
    "ETS, seasonal ARIMA and Prophet are left out there (they take too long for so many)"
)


# --------------------------------------------------------------------------- models


def seasonal_naive(Y: np.ndarray, horizon: int, season: int) -> np.ndarray:
    """ŷ(T+h) = y(T+h−m·⌈h/m⌉) for every row of ``Y`` (series × time)."""
    return Y[:, -season:][:, np.arange(horizon) % season]


def naive_halfwidth(Y: np.ndarray, horizon: int, season: int, level: float) -> np.ndarray:
    """Seasonal naive interval half-widths, as :func:`sop_core.demand.models._seasonal_naive`."""
    diff = Y[:, season:] - Y[:, :-season]
    sigma = np.sqrt(np.mean(diff**2, axis=1)) if diff.shape[1] else np.zeros(len(Y))
    k = np.floor(np.arange(horizon) / season)
    return z_score(level) * sigma[:, None] * np.sqrt(k + 1)[None, :]


def has_season(Y: np.ndarray, season: int) -> np.ndarray:
    """statsmodels ThetaModel's test per row: n·ρ_m² / Σ_{k<m} ρ_k² > χ²₁(90 %)."""
    n = Y.shape[1]
    if n <= season:
        return np.zeros(len(Y), dtype=bool)
    x = Y - Y.mean(axis=1, keepdims=True)
    denom = np.sum(x * x, axis=1)
    ok = denom > 0
    safe = np.where(ok, denom, 1.0)
    rho = np.stack([np.sum(x[:, : n - k] * x[:, k:], axis=1) / safe for k in range(season + 1)])
    stat = n * rho[-1] ** 2 / np.sum(rho[:-1] ** 2, axis=0)
    return ok & (stat > SEASONALITY_CRITICAL)


def centred_trend(Y: np.ndarray, season: int) -> np.ndarray:
    """The centred moving average of ``seasonal_decompose`` (2×m MA for even m), NaN
    where the window runs off either end."""
    if season % 2 == 0:
        filt = np.r_[0.5, np.ones(season - 1), 0.5] / season
    else:
        filt = np.full(season, 1.0 / season)
    width = len(filt)
    windows = np.lib.stride_tricks.sliding_window_view(Y, width, axis=1)
    inner = windows @ filt
    out = np.full(Y.shape, np.nan)
    head = int(np.ceil(width / 2)) - 1
    out[:, head : head + inner.shape[1]] = inner
    return out


def _phase_means(x: np.ndarray, season: int) -> np.ndarray:
    n = x.shape[1]
    pad = -n % season
    padded = np.concatenate([x, np.full((len(x), pad), np.nan)], axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows: not used
        return np.nanmean(padded.reshape(len(x), -1, season), axis=1)


@dataclass(frozen=True)
class Seasonal:
    """Seasonal factors per row: y_adjusted = y / f (``mul``) or y − f, f by phase."""

    factors: np.ndarray
    """(series × season), phase 0 = the first period of the matrix."""
    mul: np.ndarray
    """(series,) bool."""

    def adjust(self, Y: np.ndarray) -> np.ndarray:
        f = self.factors[:, np.arange(Y.shape[1]) % self.factors.shape[1]]
        return np.where(self.mul[:, None], Y / np.where(self.mul[:, None], f, 1.0), Y - f)

    def restore(self, F: np.ndarray, start: int) -> np.ndarray:
        """Re-seasonalise forecasts ``F`` of periods start, start+1, …"""
        m = self.factors.shape[1]
        f = self.factors[:, (start + np.arange(F.shape[1])) % m]
        return np.where(self.mul[:, None], F * f, F + f)


def seasonal_factors(Y: np.ndarray, season: int, seasonal: np.ndarray | None = None) -> Seasonal:
    """Classical decomposition of the rows where ``seasonal`` (default: where
    :func:`has_season` finds a season, as statsmodels' ThetaModel), neutral factors (×1)
    elsewhere (see the module docstring)."""
    S = len(Y)
    if seasonal is None:
        seasonal = has_season(Y, season)
    positive = Y.min(axis=1) > 0
    trend = centred_trend(Y, season)
    with np.errstate(divide="ignore", invalid="ignore"):
        mul_avg = _phase_means(np.where(positive[:, None], Y / trend, np.nan), season)
        mul_avg = mul_avg / mul_avg.mean(axis=1, keepdims=True)
    add_avg = _phase_means(Y - trend, season)
    add_avg = add_avg - add_avg.mean(axis=1, keepdims=True)
    use_mul = positive & np.all(mul_avg > 0, axis=1)
    factors = np.where(use_mul[:, None], mul_avg, add_avg)
    factors = np.where(seasonal[:, None], factors, 1.0)
    mul = np.where(seasonal, use_mul, True)
    return Seasonal(np.nan_to_num(factors, nan=1.0).reshape(S, season), mul)


def ses_fit(X: np.ndarray, alphas: tuple[float, ...] = SES_ALPHAS) -> tuple[np.ndarray, np.ndarray]:
    """SES with initial level x₀ per row, α from ``alphas`` by least one-step SSE
    (the smaller α on a tie); returns (α, final level) per row."""
    a = np.asarray(alphas, dtype=float)[None, :]
    level = np.repeat(X[:, :1], a.shape[1], axis=1)
    sse = np.zeros_like(level)
    for t in range(1, X.shape[1]):
        e = X[:, t : t + 1] - level
        sse += e * e
        level += a * e
    best = np.argmin(sse, axis=1)
    rows = np.arange(len(X))
    return a[0, best], level[rows, best]


def theta_forecast(X: np.ndarray, alpha: np.ndarray, level: np.ndarray, horizon: int) -> np.ndarray:
    """Theta (θ = 2) of the adjusted rows ``X``: SES forecast ``level`` plus half the OLS
    slope b₀ times (h − 1 + 1/α − (1 − α)ⁿ/α), as statsmodels' ThetaModel."""
    n = X.shape[1]
    t = np.arange(n, dtype=float)
    tc = t - t.mean()
    b0 = (X - X.mean(axis=1, keepdims=True)) @ tc / np.sum(tc * tc)
    h = np.arange(horizon, dtype=float)[None, :]
    a = alpha[:, None]
    drift = h + 1 / a - (1 - a) ** n / a
    return level[:, None] + 0.5 * b0[:, None] * drift


def holt_damped(
    X: np.ndarray,
    horizon: int,
    alphas: tuple[float, ...] = HOLT_ALPHAS,
    betas: tuple[float, ...] = HOLT_BETAS,
    phis: tuple[float, ...] = HOLT_PHIS,
) -> np.ndarray:
    """Damped Holt per row, with l₀ = x₀ and b₀ = x₁ − x₀ before the first period:
    ŷ(t) = l + φb, e = x(t) − ŷ(t), l' = ŷ(t) + αe, b' = (1 − β)φb + β(l' − l) (as
    statsmodels' ``Holt(damped_trend=True)``); (α, β, φ) from the grid by least one-step
    SSE; the forecast is l + (φ + φ² + … + φʰ)b."""
    grid = np.array(list(product(alphas, betas, phis)), dtype=float)
    a, b_, p = (grid[:, i][None, :] for i in range(3))
    level = np.repeat(X[:, :1], len(grid), axis=1)
    trend = np.repeat(X[:, 1:2] - X[:, :1], len(grid), axis=1)
    sse = np.zeros_like(level)
    for t in range(X.shape[1]):
        fc = level + p * trend
        e = X[:, t : t + 1] - fc
        sse += e * e
        new = fc + a * e
        trend = (1 - b_) * p * trend + b_ * (new - level)
        level = new
    best = np.argmin(sse, axis=1)
    rows = np.arange(len(X))
    phi = p[0, best][:, None]
    damp = np.cumsum(phi ** np.arange(1, horizon + 1)[None, :], axis=1)
    return level[rows, best][:, None] + damp * trend[rows, best][:, None]


def trend_fourier(
    Y: np.ndarray, horizon: int, season: int, order: int = FOURIER_ORDER
) -> np.ndarray:
    """Least squares of every row on [1, t, sin(2πkt/m), cos(2πkt/m), k = 1…order]
    (t = 0 at the first column), extended ``horizon`` periods."""
    n = Y.shape[1]
    t = np.arange(n + horizon, dtype=float)
    cols = [np.ones_like(t), t]
    for k in range(1, min(order, season // 2) + 1):
        cols += [np.sin(2 * np.pi * k * t / season), np.cos(2 * np.pi * k * t / season)]
    X = np.column_stack(cols)
    coef = np.linalg.lstsq(X[:n], Y.T, rcond=None)[0]
    return (X[n:] @ coef).T


def intermittent_forecast(
    model: str, Y: np.ndarray, alpha: float = INTERMITTENT_ALPHA
) -> np.ndarray:
    """Croston, SBA or TSB's (flat) forecast per row, as
    :func:`sop_core.demand.models.intermittent_path` (its last element); 0 for an all-zero row."""
    S, n = Y.shape
    demand = Y > 0
    any_demand = demand.any(axis=1)
    first = np.where(any_demand, np.argmax(demand, axis=1), n)
    rows = np.arange(S)
    z = np.where(any_demand, Y[rows, np.minimum(first, n - 1)], 0.0)
    p = (first + 1).astype(float)
    prob = 1.0 / p
    since = np.zeros(S)
    for t in range(n):
        active = t > first
        since = np.where(active, since + 1, since)
        hit = active & demand[:, t]
        z = np.where(hit, z + alpha * (Y[:, t] - z), z)
        if model != "tsb":
            p = np.where(hit, p + alpha * (since - p), p)
        else:
            prob = np.where(active, prob + alpha * (demand[:, t] - prob), prob)
        since = np.where(hit, 0.0, since)
    if model == "tsb":
        out = prob * z
    elif model == "sba":
        out = (1 - alpha / 2) * z / p
    else:
        out = z / p
    return np.where(any_demand, out, 0.0)


def candidate_forecasts(
    Y: np.ndarray,
    horizon: int,
    season: int,
    candidates: tuple[str, ...],
    adjust: bool = True,
    seasonal: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Each candidate's forecast (series × horizon, clipped at 0) from the rows of ``Y``;
    with ``adjust`` (regular series), SES, Theta and damped Holt work on the seasonally
    adjusted rows (:func:`seasonal_factors`, with ``seasonal`` the rows to adjust,
    default those where the test finds a season), else on ``Y`` itself (intermittent)."""
    out: dict[str, np.ndarray] = {}
    n = Y.shape[1]
    if adjust and any(m in candidates for m in ("ses", "theta", "holt-damped")):
        seas = seasonal_factors(Y, season, seasonal)
        X = seas.adjust(Y)
    else:
        seas, X = None, Y
    ses = ses_fit(X) if "ses" in candidates or "theta" in candidates else None
    for m in candidates:
        if m == "naive":
            f = seasonal_naive(Y, horizon, season)
        elif m == "ses":
            assert ses is not None
            f = np.repeat(ses[1][:, None], horizon, axis=1)
        elif m == "theta":
            assert ses is not None
            f = theta_forecast(X, ses[0], ses[1], horizon)
        elif m == "holt-damped":
            f = holt_damped(X, horizon)
        elif m == "trend-fourier":
            f = trend_fourier(Y, horizon, season)
        elif m in ("croston", "sba", "tsb"):
            f = np.repeat(intermittent_forecast(m, Y)[:, None], horizon, axis=1)
        else:
            raise ValueError(f"{m!r} is not a batched model; known: {', '.join(BATCHED_MODELS)}")
        if seas is not None and m in ("ses", "theta", "holt-damped"):
            f = seas.restore(f, n)
        out[m] = np.clip(f, 0, None)
    return out


# --------------------------------------------------------------------------- backtests


def scale_rows(train: np.ndarray, season: int) -> np.ndarray:
    """:func:`sop_core.demand.accuracy.seasonal_scale` of every row."""
    lag = season if train.shape[1] > season else 1
    if train.shape[1] <= lag:
        return np.full(len(train), np.nan)
    return np.mean(np.abs(train[:, lag:] - train[:, :-lag]), axis=1)


def measures_rows(actual: np.ndarray, pred: np.ndarray, scale: np.ndarray) -> dict[str, np.ndarray]:
    """:func:`sop_core.demand.accuracy.error_measures` of every row (points along axis 1)."""
    err = pred - actual
    abs_err = np.abs(err)
    total = actual.sum(axis=1)
    positive = actual > 0
    n_pos = positive.sum(axis=1)
    ok = np.isfinite(scale) & (scale > 0)
    n_ok = ok.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        ape = np.where(positive, abs_err / np.where(positive, actual, 1.0), 0.0)
        ase = np.where(ok, abs_err / np.where(ok, scale, 1.0), 0.0)
        return {
            "mape": np.where(n_pos > 0, ape.sum(axis=1) / n_pos, np.nan),
            "wape": np.where(total > 0, abs_err.sum(axis=1) / total, np.nan),
            "bias": np.where(total > 0, err.sum(axis=1) / total, np.nan),
            "mase": np.where(n_ok > 0, ase.sum(axis=1) / n_ok, np.nan),
            "mae": abs_err.mean(axis=1),
        }


@dataclass(frozen=True)
class BatchJob:
    """Series of equal length and dates with the same candidates: one worker's batch."""

    index: tuple[int, ...]
    """Positions of the series among the run's tasks."""
    Y: np.ndarray
    windows: tuple[Window, ...]
    candidates: tuple[str, ...]
    horizon: int
    season: int
    coverage: float
    scale_lag: int
    """Lag of the MASE scale: 0 for the season (regular series), 1 for intermittent ones."""
    combine: bool = True
    relative: np.ndarray | None = None
    """Per series, whether its swings grow with its level (then its conformal interval
    comes from relative errors, as on the per-series path); None: no series does."""

    @property
    def adjust(self) -> bool:
        """Seasonally adjust before SES / Theta / damped Holt: regular series only."""
        return self.scale_lag == 0


@dataclass
class BatchOut:
    """What a batch returns: per series the chosen model, forecast, interval, reason,
    and per series × model the accuracy measures."""

    index: tuple[int, ...]
    model: list[str]
    mean: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    reason: list[str]
    models: tuple[str, ...]
    """The accuracy rows' models (candidates, then ``combo``)."""
    measures: dict[str, np.ndarray] = field(default_factory=dict)
    """measure → (series × models); NaN row for a combination a series did not get."""
    has_row: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=bool))
    origins: int = 0
    holdout: int = 0
    points: int = 0


RELATIVE_TAIL = ", relative to the forecast level, as the swings grow with it"
"""Added to the reason of a conformal interval from relative errors."""


def conformal_halfwidths(
    A: np.ndarray,
    bt: np.ndarray,
    K: np.ndarray,
    mean: np.ndarray,
    coverage: float,
    relative: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Conformal half-widths of every series (rows), and which rows are relative.

    ``A`` and ``bt`` the backtest actuals and forecasts (series × points), ``K`` each
    point's step ahead, ``mean`` the forecast (series × horizon). A row's q is the
    ⌈(n+1)·coverage⌉-th smallest of its scores |A − bt|/√k, half-width q·√h; for the
    rows flagged ``relative`` whose backtest forecasts and forecast are all above zero,
    scores |A − bt|/(bt·√k) and half-width q·mean(h)·√h (as
    :func:`sop_core.demand.forecast.conformal_halfwidth` for one series).
    """
    S, points = A.shape
    k = min(points, int(np.ceil((points + 1) * coverage)))
    root_k = np.sqrt(K)[None, :]
    root_h = np.sqrt(np.arange(1, mean.shape[1] + 1))[None, :]
    err = np.abs(A - bt)
    half = np.sort(err / root_k, axis=1)[:, k - 1 : k] * root_h
    rel = np.zeros(S, dtype=bool) if relative is None else np.asarray(relative, dtype=bool)
    rel = rel & np.all(bt > 0, axis=1) & np.all(mean > 0, axis=1)
    if rel.any():
        scores = err[rel] / (bt[rel] * root_k)
        q = np.sort(scores, axis=1)[:, k - 1 : k]
        half = half * np.ones_like(mean)
        half[rel] = q * mean[rel] * root_h
    return half * np.ones_like(mean), rel


def forecast_batch(job: BatchJob) -> BatchOut:
    """Backtest, choose, forecast and interval for every series of ``job``."""
    Y, S = job.Y, len(job.Y)
    cands = job.candidates
    # the season test on the whole history, its verdict used at every origin (see the
    # module docstring); the factors come from each origin's training data only
    seasonal = has_season(Y, job.season) if job.adjust else None
    lag = job.scale_lag or job.season
    actual, scale, steps = [], [], []
    preds: dict[str, list[np.ndarray]] = {m: [] for m in cands}
    for w in job.windows:
        train = Y[:, : w.train]
        fc = candidate_forecasts(train, w.holdout, job.season, cands, job.adjust, seasonal)
        for m in cands:
            preds[m].append(fc[m])
        actual.append(Y[:, w.train : w.train + w.holdout])
        scale.append(np.repeat(scale_rows(train, lag)[:, None], w.holdout, axis=1))
        steps.append(np.arange(1, w.holdout + 1))
    A, C, K = np.hstack(actual), np.hstack(scale), np.concatenate(steps)
    P = {m: np.hstack(preds[m]) for m in cands}
    meas = {m: measures_rows(A, P[m], C) for m in cands}
    final = candidate_forecasts(Y, job.horizon, job.season, cands, job.adjust, seasonal)

    models = list(cands)
    has_row = np.ones((S, len(cands)), dtype=bool)
    members = np.zeros((S, 0), dtype=int)
    if job.combine and len(cands) > COMBO_MEMBERS:
        mase = np.column_stack([meas[m]["mase"] for m in cands])
        mae = np.column_stack([meas[m]["mae"] for m in cands])
        use_mase = np.isfinite(mase).any(axis=1, keepdims=True)
        score = np.where(use_mase, mase, mae)
        score = np.where(np.isfinite(score), score, np.inf)
        members = np.argsort(score, axis=1, kind="stable")[:, :COMBO_MEMBERS]
        got = np.isfinite(score).sum(axis=1) >= COMBO_MEMBERS
        stack_bt = np.stack([P[m] for m in cands], axis=1)  # S × M × points
        stack_fc = np.stack([final[m] for m in cands], axis=1)
        rows = np.arange(S)[:, None]
        P[COMBO] = np.mean(stack_bt[rows, members], axis=1)
        final[COMBO] = np.mean(stack_fc[rows, members], axis=1)
        meas[COMBO] = {
            k: np.where(got, v, np.nan) for k, v in measures_rows(A, P[COMBO], C).items()
        }
        models.append(COMBO)
        has_row = np.column_stack([has_row, got])
    origins, points = len(job.windows), int(A.shape[1])

    chosen: list[str] = []
    reasons: list[str] = []
    for i in range(S):
        rows_i = [
            {"model": m, "mase": meas[m]["mase"][i], "mae": meas[m]["mae"][i], "origins": origins}
            for j, m in enumerate(models)
            if has_row[i, j]
        ]
        model, reason = choose_with_reason(rows_i)
        if model is None:
            model, reason = "naive", "no candidate scored in the backtest; seasonal naive"
        if model == COMBO:
            reason += "; average of " + ", ".join(model_name(cands[j]) for j in members[i])
        chosen.append(model)
        reasons.append(reason)

    col = {m: j for j, m in enumerate(models)}
    pick = np.array([col[m] for m in chosen])
    rows = np.arange(S)
    mean = np.stack([final[m] for m in models], axis=1)[rows, pick]
    if points >= MIN_CONFORMAL_POINTS:
        bt = np.stack([P[m] for m in models], axis=1)[rows, pick]
        half, relative = conformal_halfwidths(A, bt, K, mean, job.coverage, job.relative)
        tail = f"; conformal {job.coverage * 100:.0f} % interval from {points} backtest errors"
        reasons = [
            r + tail + (RELATIVE_TAIL if rel else "")
            for r, rel in zip(reasons, relative, strict=True)
        ]
    else:
        half = naive_halfwidth(Y, job.horizon, job.season, job.coverage)
        tail = f"; seasonal naive interval ({points} backtest errors, too few for a conformal one)"
        reasons = [r + tail for r in reasons]
    return BatchOut(
        index=job.index,
        model=chosen,
        mean=mean,
        lower=np.clip(mean - half, 0, None),
        upper=mean + half,
        reason=reasons,
        models=tuple(models),
        measures={k: np.column_stack([meas[m][k] for m in models]) for k in meas[cands[0]]},
        has_row=has_row,
        origins=origins,
        holdout=job.windows[0].holdout if job.windows else 0,
        points=points,
    )


def forecast_batches(jobs: list[BatchJob]) -> list[BatchOut]:
    """Run several batch jobs in one worker (one BLAS thread)."""
    with one_blas_thread():
        return [forecast_batch(j) for j in jobs]
