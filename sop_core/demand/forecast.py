"""Per-series forecasts with automatic model choice by rolling-origin backtest.

:func:`forecast` takes a validated history (see :mod:`sop_core.demand.history`), forecasts
every family (or every SKU) and returns a :class:`ForecastResult`:

``forecast``: one row per series and future period::

    family    str
    sku       str          only at SKU level
    period    datetime64   first day of the month (monthly) or the week's date
    forecast  float        point forecast [units]
    lower     float        lower bound of the interval (80 % by default) [units]
    upper     float        upper bound [units]
    model     str          the model that made it (see :mod:`sop_core.demand.models`)

``accuracy``: one row per series and candidate model, from the backtest::

    family, [sku], model, mape, wape, bias, mase, mae, origins, holdout, points, chosen

(measures defined in :mod:`sop_core.demand.accuracy`; ``chosen`` marks the model used).

``notes``: plain sentences about series handled specially (too short for seasonal
models, all zero, a model that failed to fit).

``choices``: one row per series: ``[keys…], model, reason`` (why that model).

Model choice (``model=``): ``auto`` backtests every candidate (seasonal naive, Theta,
ETS, damped ETS, seasonal ARIMA, Prophet additive and multiplicative; for intermittent
series, with many zero periods, Croston, SBA, TSB and SES instead) at rolling origins
(a holdout apart when the history allows: :func:`~sop_core.demand.accuracy.backtest_windows`),
adds the **combination** ``combo`` (the mean, period by period, of the
:data:`~sop_core.demand.choice.COMBO_MEMBERS` best candidates by backtest; its backtest is
the mean of theirs), and keeps per series the lowest backtest **MASE** (scale-free, so
one rule fits every series), a difference under
:data:`~sop_core.demand.choice.TIE_TOLERANCE` counting as a tie that goes to the simpler
model (earlier in the candidate list; the combination counts as the most complex; the
rule is in :mod:`sop_core.demand.choice`). ``prophet``, ``ets`` and ``intermittent``
choose between their own variants the same way; ``naive`` or one variant name uses that
model.

At SKU level, ``model="auto"`` runs on the **batched path** (:mod:`sop_core.demand.batched`,
``engine="auto"``; ``engine="batched"`` or ``"series"`` forces one): many series at once
as numpy matrices, with the candidates that vectorise (seasonal naive, SES, Theta,
damped Holt, linear trend + Fourier season; Croston, SBA, TSB, SES and seasonal naive
for intermittent series; and their combination), the same backtests, choice rule,
reason and conformal intervals; ETS, seasonal ARIMA and Prophet are left out there (a
note says so). The family level keeps the full per-series candidate set up to
:data:`BATCHED_FAMILIES` families; beyond that, ``auto`` takes the batched path there too
(a thousand families fitted one model at a time take many minutes, the batched path
seconds), and the progress callback advances as each batch comes back.

Intervals: where the series has backtests (at least
:data:`~sop_core.demand.choice.MIN_CONFORMAL_POINTS` errors), the interval of whatever
model is chosen is **conformal**: q is the ⌈(n+1)·coverage⌉-th smallest of the n
backtest errors |actual − forecast|/√k (k the step ahead, 1…holdout), and the interval
at step h is forecast ± q·√h (clipped at 0). So its width comes from how wrong the model
actually was out of sample, not from the model's own assumptions. Without backtests the
model's own interval is used.

Series whose swings grow with their level
(:func:`~sop_core.demand.models.swings_grow_with_level`: the spread of each season
rises with its mean, as in the airline passengers series) get ``auto``'s log-scale
candidates too (:data:`AUTO_GROWING`: ETS on log(y), besides the airline model, which
is on log(y) already), and their conformal interval comes from **relative** errors
|actual − forecast| / (forecast·√k): at step h it is forecast(h) ± q·forecast(h)·√h,
so a width learnt at a lower level is rescaled to the level the forecast has reached
(see :func:`conformal_halfwidth`). Their reason says so.
"""

from __future__ import annotations

from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from sop_core.base.errors import InputError, Problem
from sop_core.demand.accuracy import (
    DEFAULT_ORIGINS,
    Window,
    backtest_windows,
    error_measures,
    seasonal_scale,
)
from sop_core.demand.batched import (
    BATCHED_INTERMITTENT,
    BATCHED_NOTE,
    BATCHED_SEASONAL,
    RELATIVE_TAIL,
    BatchJob,
    BatchOut,
    forecast_batches,
)
from sop_core.demand.choice import (
    COMBO,
    COMBO_MEMBERS,
    MIN_CONFORMAL_POINTS,
    choose_with_reason,
    combination_row,
    model_name,
)
from sop_core.demand.history import family_totals, infer_freq, season_length
from sop_core.demand.models import (
    INTERMITTENT_MODELS,
    LOG_MODELS,
    MODELS,
    SEASONAL_MODELS,
    fit_predict,
    swings_grow_with_level,
)
from sop_core.demand.parallel import (
    Backend,
    InlineExecutor,
    Progress,
    batches,
    default_workers,
    executor_for,
    one_blas_thread,
)

CANDIDATES: dict[str, tuple[str, ...]] = {
    "auto": tuple(m for m in SEASONAL_MODELS if m not in LOG_MODELS),
    "prophet": ("prophet-additive", "prophet-multiplicative"),
    "ets": ("ets", "ets-damped"),
    "naive": ("naive",),
    "intermittent": ("ses", *INTERMITTENT_MODELS),
}
"""Candidate models behind each ``model=`` choice, simplest first (ties go to it)."""

AUTO_GROWING: tuple[str, ...] = SEASONAL_MODELS
"""``auto``'s candidates for a series whose swings grow with its level
(:func:`~sop_core.demand.models.swings_grow_with_level`): the log-scale ones too."""
AUTO_INTERMITTENT: tuple[str, ...] = ("ses", *INTERMITTENT_MODELS, "naive")
"""``auto``'s candidates for an intermittent series (see :func:`is_intermittent`)."""
INTERMITTENT_ZERO_SHARE = 0.3
"""A series with at least this share of zero periods counts as intermittent (an
average inter-demand interval ≥ 1/0.7 ≈ 1.43, beyond Syntetos–Boylan's 1.32)."""

MODEL_CHOICES: tuple[str, ...] = tuple(
    dict.fromkeys((*CANDIDATES, *SEASONAL_MODELS, *INTERMITTENT_MODELS))
)
"""Every ``model=`` value: the choices above, then each variant by name (once each)."""

Engine = Literal["auto", "batched", "series"]
"""How :func:`forecast` fits: see its ``engine`` argument."""

BATCHED_FAMILIES = 50
"""Most families a family-level ``auto`` forecast fits one by one with the full candidate
set (about 0.2 s a family on 2 cores: 50 take some 10 s); more go on the batched path."""

ETS_MODULE = "statsmodels.tsa.exponential_smoothing.ets"
STAN_MODULE = "cmdstanpy"


FORECAST_COLUMNS = ("period", "forecast", "lower", "upper", "model")
ACCURACY_COLUMNS = (
    "model",
    "mape",
    "wape",
    "bias",
    "mase",
    "mae",
    "origins",
    "holdout",
    "points",
    "chosen",
)
_PRIVATE = ("_actual", "_pred", "_scale", "_step")
"""Backtest arrays carried in the rows (combination, intervals), not in the table."""


@dataclass(frozen=True)
class SeriesTask:
    """Everything needed to forecast one series, small enough to ship to a worker."""

    key: tuple[str, ...]
    y: np.ndarray
    dates: pd.DatetimeIndex
    horizon: int
    candidates: tuple[str, ...]
    freq: str = "MS"
    season: int = 12
    coverage: float = 0.8
    holdout: int = 12
    origins: int = DEFAULT_ORIGINS
    backtest: bool = True
    seed: int = 0
    label: str = ""
    scale_lag: int = 0
    """Lag of the MASE scale: 0 for the season, 1 for intermittent series."""
    combine: bool = False
    """Add the combination of the best candidates (``auto``)."""
    relative: bool = False
    """The series' swings grow with its level: conformal intervals from relative errors
    (see :func:`conformal_halfwidth`), and the reason says so."""


@dataclass
class SeriesResult:
    """The forecast of one series, its backtest rows and any note about it."""

    key: tuple[str, ...]
    model: str
    mean: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    accuracy: list[dict[str, Any]] = field(default_factory=list)
    note: str | None = None
    reason: str = ""


@dataclass
class ForecastResult:
    """What :func:`forecast` returns; see the module docstring for the columns."""

    forecast: pd.DataFrame
    accuracy: pd.DataFrame
    notes: list[str]
    freq: str
    choices: pd.DataFrame = field(default_factory=pd.DataFrame)
    """One row per series: keys, ``model`` and ``reason`` (why that model)."""


# --------------------------------------------------------------------------- one series


def backtest_model(task: SeriesTask, model: str, windows: list[Window]) -> dict[str, Any]:
    """Backtest one candidate ``model`` of ``task`` at ``windows``: its accuracy row."""
    actual: list[np.ndarray] = []
    predicted: list[np.ndarray] = []
    scale: list[np.ndarray] = []
    steps: list[np.ndarray] = []
    error = None
    for w in windows:
        train = task.y[: w.train]
        try:
            pred = fit_predict(
                model,
                train,
                task.dates[: w.train],
                w.holdout,
                freq=task.freq,
                season=task.season,
                intervals=False,
                seed=task.seed,
            )
        except Exception as exc:  # a model that cannot fit this series is reported
            error = f"{type(exc).__name__}: {exc}"
            break
        actual.append(task.y[w.train : w.train + w.holdout])
        predicted.append(pred.mean)
        scale.append(np.full(w.holdout, seasonal_scale(train, task.scale_lag or task.season)))
        steps.append(np.arange(1, w.holdout + 1))
    arrays: dict[str, Any] = dict.fromkeys(_PRIVATE)
    if error is None and actual:
        arrays = {
            "_actual": np.concatenate(actual),
            "_pred": np.concatenate(predicted),
            "_scale": np.concatenate(scale),
            "_step": np.concatenate(steps),
        }
        measures = error_measures(arrays["_actual"], arrays["_pred"], arrays["_scale"])
    else:
        measures = dict.fromkeys(("mape", "wape", "bias", "mase", "mae"), np.nan)
    return {
        "model": model,
        **measures,
        "origins": len(windows),
        "holdout": windows[0].holdout if windows else 0,
        "points": sum(w.holdout for w in windows) if error is None else 0,
        "chosen": False,
        "error": error,
        **arrays,
    }


def backtest_series(task: SeriesTask, windows: list[Window]) -> list[dict[str, Any]]:
    """Backtest each candidate of ``task`` at ``windows``; one accuracy row per candidate."""
    return [backtest_model(task, model, windows) for model in task.candidates]


def has_conformal(row: dict[str, Any] | None) -> bool:
    """Whether ``row`` holds enough backtest errors for a conformal interval."""
    actual = None if row is None else row.get("_actual")
    return actual is not None and len(actual) >= MIN_CONFORMAL_POINTS


def conformal_quantile(scores: np.ndarray, coverage: float) -> float:
    """The ⌈(n+1)·coverage⌉-th smallest of the n ``scores`` (split conformal; the
    largest when n is small)."""
    n = len(scores)
    k = min(n, int(np.ceil((n + 1) * coverage)))
    return float(np.sort(scores)[k - 1])


def conformal_halfwidth(
    row: dict[str, Any], horizon: int, coverage: float, level: np.ndarray | None = None
) -> np.ndarray | None:
    """Half-widths of a conformal interval from ``row``'s backtest errors; None with
    fewer than :data:`~sop_core.demand.choice.MIN_CONFORMAL_POINTS` errors.

    Without ``level``: q·√h, h = 1…horizon, q the conformal quantile of the errors
    |actual − forecast|/√k (k the step ahead). With ``level`` (the forecast, one value
    per step): **relative** errors |actual − forecast| / (forecast·√k), and
    half-width q·level(h)·√h, so a width learnt where the series was low is rescaled
    to the level the forecast has reached. Falls back to absolute errors when a
    backtest forecast or ``level`` is not above zero.
    """
    if not has_conformal(row):
        return None
    actual, pred = np.asarray(row["_actual"], float), np.asarray(row["_pred"], float)
    root_k = np.sqrt(np.asarray(row["_step"], float))
    root_h = np.sqrt(np.arange(1, horizon + 1))
    err = np.abs(actual - pred)
    if level is not None and np.all(pred > 0) and np.all(np.asarray(level) > 0):
        q = conformal_quantile(err / (pred * root_k), coverage)
        return q * np.asarray(level, float) * root_h
    return conformal_quantile(err / root_k, coverage) * root_h


def series_windows(task: SeriesTask) -> list[Window]:
    """The backtest origins of ``task``; none for the fallback cases or a lone candidate
    without ``backtest``."""
    n = len(task.y)
    if n < 2 * task.season or not np.any(task.y > 0):
        return []
    if len(task.candidates) > 1 or task.backtest:
        return backtest_windows(n, task.holdout, min_train=2 * task.season, origins=task.origins)
    return []


def finish_series(task: SeriesTask, rows: list[dict[str, Any]]) -> SeriesResult:
    """Forecast one series from its backtest ``rows``: fallbacks for hard cases, else
    the candidate with the lowest backtest error, refitted on the whole history."""
    n, label = len(task.y), task.label or "/".join(task.key)
    if n < 2:
        raise ValueError(f"{label}: a forecast needs at least two periods of history")

    def run(model: str, intervals: bool = True) -> SeriesResult:
        p = fit_predict(
            model,
            task.y,
            task.dates,
            task.horizon,
            freq=task.freq,
            season=task.season,
            level=task.coverage,
            intervals=intervals,
            seed=task.seed,
        )
        return SeriesResult(task.key, model, p.mean, p.lower, p.upper)

    if not np.any(task.y > 0):
        out = run("zero")
        out.note = f"{label}: all {n} periods of history are zero; forecast 0"
        out.reason = "all history is zero"
        return out
    if n < 2 * task.season:
        model = "ses" if n >= 4 else "last"
        out = run(model)
        what = "simple exponential smoothing" if model == "ses" else "the last value"
        out.note = (
            f"{label}: {n} periods of history, fewer than two seasons ({2 * task.season}); "
            f"forecast with {what} ({model}), without seasonality"
        )
        out.reason = f"{n} periods of history, fewer than two seasons: no backtest"
        return out
    rows = [dict(r) for r in rows]
    if task.combine and len(task.candidates) > COMBO_MEMBERS:
        combo = combination_row(rows)
        if combo is not None:
            rows.append(combo)
    if rows:
        chosen, reason = choose_with_reason(rows)
    else:
        chosen, reason = task.candidates[0], "the only candidate"
    notes = [f"{model_name(r['model'])} failed to fit ({r['error']})" for r in rows if r["error"]]
    if chosen is None:
        chosen = "naive"
        notes.append("no candidate fitted in the backtest; fell back to seasonal naive")
        reason = "no candidate fitted in the backtest; seasonal naive as the fallback"
    chosen_row = next((r for r in rows if r["model"] == chosen), None)
    conformal = has_conformal(chosen_row)
    try:
        if chosen == COMBO and chosen_row is not None:
            parts = [run(m, intervals=False) for m in chosen_row["members"]]
            mean = np.mean(np.vstack([p.mean for p in parts]), axis=0)
            out = SeriesResult(task.key, COMBO, mean, mean, mean)
            reason += f"; average of {', '.join(map(model_name, chosen_row['members']))}"
        else:
            out = run(chosen, intervals=not conformal)
    except Exception as exc:
        notes.append(
            f"{model_name(chosen)} failed to fit ({type(exc).__name__}: {exc}); used seasonal naive"
        )
        out = run("naive")
        reason = (
            f"{model_name(chosen)} failed to fit on the whole history; "
            "seasonal naive as the fallback"
        )
        conformal = False
    if task.relative and out.model in (*LOG_MODELS, "sarima"):
        reason += "; on the log scale: the series' swings grow with its level"
    if conformal and chosen_row is not None:
        level = out.mean if task.relative else None
        half = conformal_halfwidth(chosen_row, task.horizon, task.coverage, level)
        out.lower = np.clip(out.mean - half, 0, None)
        out.upper = out.mean + half
        points = len(chosen_row["_actual"])
        reason += f"; conformal {task.coverage * 100:.0f} % interval from {points} backtest errors"
        if level is not None and np.all(chosen_row["_pred"] > 0) and np.all(level > 0):
            reason += RELATIVE_TAIL
    for r in rows:
        r["chosen"] = r["model"] == out.model
    out.accuracy = rows
    out.reason = reason
    out.note = f"{label}: " + "; ".join(notes) if notes else None
    return out


def forecast_series(task: SeriesTask) -> SeriesResult:
    """Forecast one series in this process: backtest every candidate, choose, refit."""
    windows = series_windows(task)
    return finish_series(task, backtest_series(task, windows) if windows else [])


@dataclass(frozen=True)
class BacktestJob:
    """One candidate's backtest on one series: the finest unit of work."""

    task: SeriesTask
    model: str
    windows: tuple[Window, ...]


def backtest_batch(jobs: list[BacktestJob]) -> list[dict[str, Any]]:
    """Run a batch of backtest jobs in one worker; one accuracy row each."""
    with one_blas_thread():
        return [backtest_model(j.task, j.model, list(j.windows)) for j in jobs]


def finish_batch(jobs: list[tuple[SeriesTask, list[dict[str, Any]]]]) -> list[SeriesResult]:
    """Finish a batch of series from their backtest rows (:func:`finish_series`)."""
    with one_blas_thread():
        return [finish_series(task, rows) for task, rows in jobs]


def run_tasks(
    tasks: list[SeriesTask],
    executor: Executor,
    *,
    slots: int,
    progress: Progress | None = None,
) -> list[SeriesResult]:
    """Forecast ``tasks`` on ``executor``, one job per (series, candidate) backtest.

    The backtests go out in about four batches per worker slot, at most one per slot
    in flight (the next when one comes back); a series' final fit is sent as soon as
    its last backtest is back (ready series travel together), ahead of the backtests
    not yet sent, so both cores stay busy, no step waits for all, and
    ``progress(done, total)``, which counts finished series, moves from the first
    batch on (with every backtest queued at once, the pool ran the final fits last and
    the progress sat at 0 until the end). On the in-process executor the
    series simply run one after the other. Every job is seeded and independent, so
    the numbers do not depend on the executor or the batching.
    """
    total = len(tasks)
    if not total:
        if progress is not None:
            progress(0, 0)
        return []
    if isinstance(executor, InlineExecutor):  # in this process: series by series
        if progress is not None:
            progress(0, total)
        out = []
        for i, task in enumerate(tasks, start=1):
            with one_blas_thread():
                out.append(forecast_series(task))
            if progress is not None:
                progress(i, total)
        return out
    windows = [tuple(series_windows(t)) for t in tasks]
    jobs = [(i, m) for i, t in enumerate(tasks) if windows[i] for m in t.candidates]
    rows: list[list[dict[str, Any] | None]] = [[None] * len(t.candidates) for t in tasks]
    waiting = [len(t.candidates) if windows[i] else 0 for i, t in enumerate(tasks)]
    results: list[SeriesResult | None] = [None] * total
    chunk = max(1, -(-total // (4 * slots)))
    pending: dict[Future[Any], tuple[str, list[Any]]] = {}

    def send_finish(idx: list[int]) -> None:
        if not idx:
            return
        for part in batches(len(idx), -(-len(idx) // chunk)):
            sel = [idx[k] for k in part]
            payload = [(tasks[i], [r for r in rows[i] if r is not None]) for i in sel]
            pending[executor.submit(finish_batch, payload)] = ("finish", sel)

    queued = [[jobs[k] for k in part] for part in (batches(len(jobs), 4 * slots) if jobs else [])]
    queued.reverse()  # popped from the end: first batch first

    def send_backtest() -> None:
        if queued:
            sel = queued.pop()
            payload = [BacktestJob(tasks[i], m, windows[i]) for i, m in sel]
            pending[executor.submit(backtest_batch, payload)] = ("backtest", sel)

    for _ in range(max(1, slots)):
        send_backtest()
    send_finish([i for i in range(total) if not waiting[i]])
    if progress is not None:  # after the first submissions: a pool has forked by now
        progress(0, total)
    done = 0
    try:
        while pending:
            finished, _ = wait(list(pending), return_when=FIRST_COMPLETED)
            for fut in finished:
                kind, sel = pending.pop(fut)
                out = fut.result()
                if kind == "backtest":
                    ready = []
                    for (i, m), row in zip(sel, out, strict=True):
                        rows[i][tasks[i].candidates.index(m)] = row
                        waiting[i] -= 1
                        if not waiting[i]:
                            ready.append(i)
                    if ready:
                        send_finish(ready)
                    send_backtest()
                else:
                    for i, res in zip(sel, out, strict=True):
                        results[i] = res
                    done += len(sel)
                    if progress is not None:
                        progress(done, total)
    finally:
        for fut in pending:
            fut.cancel()
    return results  # type: ignore[return-value]


BATCH_MIN = 64
"""Fewest series in one batch of the batched path (numpy pays off from a few dozen)."""
BATCH_MAX = 2_000
"""Most series in one batch (bounds a worker's memory: the damped Holt grid holds
72 values per series)."""


def batch_jobs(tasks: list[SeriesTask], slots: int) -> tuple[list[BatchJob], list[int]]:
    """The batched path's jobs for ``tasks``, and the positions of the tasks it cannot
    take (no backtest origin: short or all-zero series, finished one by one).

    Series go together when they share their dates and candidates (so their backtest
    origins too); each group is cut into about four batches per worker slot, of
    :data:`BATCH_MIN` to :data:`BATCH_MAX` series.
    """
    groups: dict[tuple[Any, ...], list[int]] = {}
    others: list[int] = []
    for i, t in enumerate(tasks):
        if not series_windows(t):
            others.append(i)
            continue
        key = (len(t.y), t.dates[0], t.candidates, t.scale_lag, t.combine)
        groups.setdefault(key, []).append(i)
    eligible = sum(len(g) for g in groups.values())
    size = min(BATCH_MAX, max(BATCH_MIN, -(-eligible // (4 * max(1, slots)))))
    jobs = []
    for idx in groups.values():
        first = tasks[idx[0]]
        windows = tuple(series_windows(first))
        for part in batches(len(idx), -(-len(idx) // size)):
            sel = tuple(idx[k] for k in part)
            jobs.append(
                BatchJob(
                    index=sel,
                    Y=np.vstack([tasks[i].y for i in sel]),
                    windows=windows,
                    candidates=first.candidates,
                    horizon=first.horizon,
                    season=first.season,
                    coverage=first.coverage,
                    scale_lag=first.scale_lag,
                    combine=first.combine,
                    relative=np.array([tasks[i].relative for i in sel]),
                )
            )
    return jobs, others


def batch_results(tasks: list[SeriesTask], out: BatchOut) -> list[SeriesResult]:
    """One :class:`SeriesResult` per series of a finished batch."""
    results = []
    for r, i in enumerate(out.index):
        acc = []
        for j, m in enumerate(out.models):
            if not out.has_row[r, j]:
                continue
            row: dict[str, Any] = {k: float(v[r, j]) for k, v in out.measures.items()}
            row.update(
                model=m,
                origins=out.origins,
                holdout=out.holdout,
                points=out.points,
                chosen=m == out.model[r],
            )
            acc.append(row)
        results.append(
            SeriesResult(
                tasks[i].key,
                out.model[r],
                out.mean[r],
                out.lower[r],
                out.upper[r],
                accuracy=acc,
                reason=out.reason[r],
            )
        )
    return results


def run_batched(
    tasks: list[SeriesTask],
    executor: Executor,
    *,
    slots: int,
    progress: Progress | None = None,
) -> list[SeriesResult]:
    """Forecast ``tasks`` on the batched path (:mod:`sop_core.demand.batched`) on ``executor``.

    One future per batch (:func:`batch_jobs`); the series without a backtest origin go
    through :func:`finish_series` in batches too. Every batch is deterministic, so the
    numbers do not depend on the executor or the batching.
    """
    total = len(tasks)
    if progress is not None:
        progress(0, total)
    if not total:
        return []
    jobs, others = batch_jobs(tasks, slots)
    results: list[SeriesResult | None] = [None] * total
    pending: dict[Future[Any], list[int]] = {}
    for job in jobs:
        pending[executor.submit(forecast_batches, [job])] = list(job.index)
    if others:
        chunk = max(1, -(-len(others) // (4 * slots)))
        for part in batches(len(others), -(-len(others) // chunk)):
            sel = [others[k] for k in part]
            payload = [(tasks[i], []) for i in sel]
            pending[executor.submit(finish_batch, payload)] = sel
    done = 0
    try:
        while pending:
            finished, _ = wait(list(pending), return_when=FIRST_COMPLETED)
            for fut in finished:
                sel = pending.pop(fut)
                out = fut.result()
                res = batch_results(tasks, out[0]) if out and isinstance(out[0], BatchOut) else out
                for i, r in zip(sel, res, strict=True):
                    results[i] = r
                done += len(sel)
                if progress is not None:
                    progress(done, total)
    finally:
        for fut in pending:
            fut.cancel()
    return results  # type: ignore[return-value]


# --------------------------------------------------------------------------- many series


def _check_options(horizon: int, model: str, level: str, coverage: float) -> None:
    problems = []
    if not isinstance(horizon, (int, np.integer)) or horizon < 1:
        problems.append(Problem("horizon", f"must be a whole number ≥ 1, got {horizon!r}"))
    if model not in MODEL_CHOICES:
        problems.append(
            Problem("model", f"must be one of {', '.join(MODEL_CHOICES)}, got {model!r}")
        )
    if level not in ("family", "sku"):
        problems.append(Problem("level", f"must be 'family' or 'sku', got {level!r}"))
    if not 0 < coverage < 1:
        problems.append(Problem("coverage", f"must be between 0 and 1, got {coverage!r}"))
    if problems:
        raise InputError(problems)


def _label(keys: list[str], key: tuple[str, ...]) -> str:
    return ", ".join(f"{k} {v!r}" for k, v in zip(keys, key, strict=True))


def preload_for(tasks: list[SeriesTask]) -> tuple[str, ...]:
    """The modules the models of ``tasks`` import, for a local pool to load before it
    starts its workers (statsmodels for ETS and for the short-series fallback, cmdstanpy
    for Prophet; about a second each that a Prophet-only run need not spend on ETS)."""
    models = {m for t in tasks for m in t.candidates}
    short = any(4 <= len(t.y) < 2 * t.season and np.any(t.y > 0) for t in tasks)
    out = ["sop_core.demand.forecast"]
    if short or models & {"ets", "ets-damped"}:
        out.append(ETS_MODULE)
    if any(m.startswith("prophet") for m in models):
        out.append(STAN_MODULE)
    return tuple(out)


def is_intermittent(y: np.ndarray) -> bool:
    """At least :data:`INTERMITTENT_ZERO_SHARE` of the periods are zero (and some are not)."""
    y = np.asarray(y, dtype=float)
    return bool(len(y) and np.any(y > 0) and np.mean(y == 0) >= INTERMITTENT_ZERO_SHARE)


def make_tasks(
    history: pd.DataFrame,
    *,
    horizon: int = 12,
    model: str = "auto",
    level: Literal["family", "sku"] = "family",
    coverage: float = 0.8,
    holdout: int | None = None,
    origins: int = DEFAULT_ORIGINS,
    backtest: bool = True,
    seed: int = 0,
    time_col: str = "period",
    id_col: str = "family",
    sku_col: str = "sku",
    target_col: str = "demand",
    batched: bool = False,
) -> tuple[list[SeriesTask], list[str], str]:
    """One :class:`SeriesTask` per series; also the key columns and the frequency.

    ``batched``: ``auto``'s candidates are those of the batched path
    (:data:`sop_core.demand.batched.BATCHED_SEASONAL` / ``BATCHED_INTERMITTENT``).

    Refuses (InputError) any series with a single period of history.
    """
    _check_options(horizon, model, level, coverage)
    if history.empty:
        raise InputError(Problem("history", "is empty; give at least two periods per series"))
    freq = infer_freq(history, time_col=time_col)
    season = season_length(freq)
    if level == "sku":
        if sku_col not in history.columns:
            raise InputError(
                Problem("level", "is 'sku' but the history has no sku column; use level family")
            )
        data, keys = history, [id_col, sku_col]
    else:
        data = family_totals(history, time_col=time_col, id_col=id_col, target_col=target_col)
        keys = [id_col]
    holdout = holdout or min(horizon, season)
    tasks: list[SeriesTask] = []
    problems: list[Problem] = []
    for key, grp in data.sort_values([*keys, time_col]).groupby(keys, sort=True):
        key_t = tuple(str(k) for k in (key if isinstance(key, tuple) else (key,)))
        label = _label(keys, key_t)
        dates = pd.DatetimeIndex(grp[time_col])
        if len(grp) < 2:
            problems.append(
                Problem(
                    label,
                    f"has only one period of history ({dates[0].strftime('%Y-%m-%d')}); "
                    "a forecast needs at least two periods",
                )
            )
            continue
        y = grp[target_col].to_numpy(dtype=float)
        intermittent = is_intermittent(y)
        growing = not intermittent and swings_grow_with_level(y, season)
        if model == "auto" and batched:
            candidates = BATCHED_INTERMITTENT if intermittent else BATCHED_SEASONAL
        elif model == "auto" and intermittent:
            candidates = AUTO_INTERMITTENT
        elif model == "auto" and growing:
            candidates = AUTO_GROWING
        else:
            candidates = CANDIDATES.get(model, (model,))
        tasks.append(
            SeriesTask(
                key=key_t,
                y=y,
                dates=dates,
                horizon=int(horizon),
                candidates=candidates,
                freq=freq,
                season=season,
                coverage=coverage,
                holdout=int(holdout),
                origins=origins,
                backtest=backtest,
                seed=seed,
                label=label,
                scale_lag=1 if intermittent else 0,
                combine=model == "auto",
                relative=growing,
            )
        )
    if problems:
        raise InputError(problems)
    return tasks, keys, freq


def forecast(
    history: pd.DataFrame,
    *,
    horizon: int = 12,
    model: str = "auto",
    level: Literal["family", "sku"] = "family",
    coverage: float = 0.8,
    holdout: int | None = None,
    origins: int = DEFAULT_ORIGINS,
    backtest: bool = True,
    scheduler: str | Any | None = None,
    backend: Backend = "processes",
    workers: int | None = None,
    progress: Progress | None = None,
    seed: int = 0,
    time_col: str = "period",
    id_col: str = "family",
    sku_col: str = "sku",
    target_col: str = "demand",
    engine: Engine = "auto",
) -> ForecastResult:
    """Forecast every family (or SKU) of a validated history.

    Args:
        history: validated history (:func:`sop_core.demand.history.read_history`).
        horizon: periods to forecast.
        model: "auto", "prophet", "ets", "naive", "intermittent", or one model of
            :data:`sop_core.demand.models.SEASONAL_MODELS` or ``INTERMITTENT_MODELS``.
        level: "family" (SKUs summed) or "sku".
        coverage: interval coverage (0.8 = 80 %).
        holdout: periods forecast at each backtest origin (default min(horizon, 1 season)).
        origins: backtest origins (fewer when the history is short).
        backtest: backtest even a single candidate (for the accuracy table).
        scheduler: dask scheduler address or ``distributed.Client``; None runs locally.
        backend: local backend, "processes" (pool, default) or "sequential". The pool
            is kept for later calls and starts by fork, or from a fork server when
            this process runs other threads (:mod:`sop_core.demand.parallel`).
        workers: local pool size (default: available CPUs); 1 runs in this process.
        progress: ``progress(done, total)`` called as series finish.
        seed: seed of the models' randomness; equal seeds give equal numbers everywhere.
        engine: "auto" (the batched path for ``model="auto"`` at SKU level or for more
            than :data:`BATCHED_FAMILIES` families, else one fit per series), "batched"
            (:mod:`sop_core.demand.batched`; ``model="auto"`` only) or "series" (one fit
            per series and candidate, the full candidate set).

    Raises:
        InputError: bad options, or a series with a single period of history.
    """
    families = int(history[id_col].nunique()) if id_col in history.columns else 0
    use_batched = batched_path(engine, model, level, families)
    tasks, keys, freq = make_tasks(
        history,
        horizon=horizon,
        model=model,
        level=level,
        coverage=coverage,
        holdout=holdout,
        origins=origins,
        backtest=backtest,
        seed=seed,
        time_col=time_col,
        id_col=id_col,
        sku_col=sku_col,
        target_col=target_col,
        batched=use_batched,
    )
    preload = preload_for(tasks)
    run = run_batched if use_batched else run_tasks
    with executor_for(scheduler, backend=backend, workers=workers, preload=preload) as ex:
        results = run(tasks, ex, slots=workers or default_workers(), progress=progress)
    out = assemble(tasks, results, keys, freq, time_col=time_col)
    if use_batched:
        n = sum(1 for t in tasks if series_windows(t))
        note = BATCHED_NOTE.format(n=n)
        if level == "family" and engine == "auto":
            note = f"more than {BATCHED_FAMILIES} families, so {note}"
        out.notes.insert(0, note)
    return out


def batched_path(engine: str, model: str, level: str, families: int = 0) -> bool:
    """Whether ``forecast`` takes the batched path (see its ``engine`` argument), for a
    history of ``families`` families.

    Raises:
        InputError: an unknown engine, or "batched" with a model other than auto.
    """
    if engine not in ("auto", "batched", "series"):
        raise InputError(
            Problem("engine", f"must be 'auto', 'batched' or 'series', got {engine!r}")
        )
    if engine == "batched" and model != "auto":
        raise InputError(
            Problem(
                "engine",
                f"'batched' runs model 'auto' only, got model {model!r}; "
                "use engine 'series' for one model",
            )
        )
    if engine != "auto" or model != "auto":
        return engine == "batched"
    return level == "sku" or families > BATCHED_FAMILIES


def assemble(
    tasks: list[SeriesTask],
    results: list[SeriesResult],
    keys: list[str],
    freq: str,
    *,
    time_col: str = "period",
) -> ForecastResult:
    """Stack per-series results into the forecast and accuracy frames."""
    acc_rows: list[dict[str, Any]] = []
    choice_rows: list[dict[str, Any]] = []
    notes: list[str] = []
    future: dict[tuple[Any, str, int], np.ndarray] = {}
    periods: list[np.ndarray] = []
    key_values: list[list[str]] = [[] for _ in keys]
    for task, res in zip(tasks, results, strict=True):
        span = (task.dates[-1], task.freq, task.horizon)
        if span not in future:  # the same future periods for most series: made once
            future[span] = pd.date_range(span[0], periods=span[2] + 1, freq=span[1])[1:].values
        periods.append(future[span])
        for values, k in zip(key_values, task.key, strict=True):
            values.extend([k] * task.horizon)
        key_dict = dict(zip(keys, task.key, strict=True))
        for row in res.accuracy:
            acc_rows.append({**key_dict, **{c: row[c] for c in ACCURACY_COLUMNS}})
        choice_rows.append({**key_dict, "model": res.model, "reason": res.reason})
        if res.note:
            notes.append(res.note)
    fc_cols = [*keys, time_col, *FORECAST_COLUMNS[1:]]
    if results:
        mean = np.concatenate([r.mean for r in results]).astype(float)
        lower = np.concatenate([r.lower for r in results]).astype(float)
        upper = np.concatenate([r.upper for r in results]).astype(float)
        fc = pd.DataFrame(
            {
                **dict(zip(keys, key_values, strict=True)),
                time_col: np.concatenate(periods),
                "forecast": mean,
                "lower": np.minimum(lower, mean),
                "upper": np.maximum(upper, mean),
                "model": [
                    r.model for t, r in zip(tasks, results, strict=True) for _ in range(t.horizon)
                ],
            }
        )
    else:
        fc = pd.DataFrame(columns=fc_cols)
    acc = pd.DataFrame(acc_rows, columns=[*keys, *ACCURACY_COLUMNS])
    choices = pd.DataFrame(choice_rows, columns=[*keys, "model", "reason"])
    return ForecastResult(
        forecast=fc[fc_cols], accuracy=acc, notes=notes, freq=freq, choices=choices
    )


def accuracy_table(
    history: pd.DataFrame,
    *,
    model: str = "auto",
    level: Literal["family", "sku"] = "family",
    holdout: int | None = None,
    origins: int = DEFAULT_ORIGINS,
    **kwargs: Any,
) -> ForecastResult:
    """Backtest every candidate of ``model`` for every series (the accuracy view).

    Same arguments as :func:`forecast`; the result's ``accuracy`` frame is the table.
    """
    return forecast(
        history,
        model=model,
        level=level,
        holdout=holdout,
        origins=origins,
        backtest=True,
        horizon=kwargs.pop("horizon", holdout or 12),
        **kwargs,
    )


def label_periods(periods: pd.Series, freq: str) -> pd.Series:
    """Period labels: "YYYY-MM" for monthly, "YYYY-MM-DD" for weekly."""
    fmt = "%Y-%m" if freq.upper().startswith("M") else "%Y-%m-%d"
    return pd.to_datetime(periods).dt.strftime(fmt)


__all__ = [
    "CANDIDATES",
    "MODELS",
    "MODEL_CHOICES",
    "ForecastResult",
    "SeriesResult",
    "SeriesTask",
    "accuracy_table",
    "forecast",
    "forecast_series",
    "label_periods",
    "make_tasks",
]
