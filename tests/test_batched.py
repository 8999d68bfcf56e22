"""The batched SKU path: each vectorised model, agreement with the per-series models and
statsmodels for the same parameters, intermittent by hand, choice, intervals, backends."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from sop_core.base.errors import InputError
from sop_core.demand import batched as B
from sop_core.demand.accuracy import error_measures
from sop_core.demand.choice import COMBO
from sop_core.demand.forecast import forecast
from sop_core.demand.models import INTERMITTENT_ALPHA, fit_predict

DATES = pd.date_range("2019-01-01", periods=60, freq="MS")


def _regular(n: int, seeds: range, noise: float = 8.0, trend: float = 2.0) -> np.ndarray:
    """Seeded rows: (level + trend) × a yearly season of its own phase (±15 %), plus
    Gaussian noise: the multiplicative pattern the decomposition assumes for y > 0."""
    t = np.arange(n)
    rows = []
    for s in seeds:
        rng = np.random.default_rng(s)
        season = 1 + 0.15 * np.sin(2 * np.pi * (t + s) / 12)
        rows.append((200 + 10 * s + trend * t) * season + rng.normal(0, noise, n))
    return np.array(rows)


def _intermittent(n: int, seeds: range) -> np.ndarray:
    rows = []
    for s in seeds:
        rng = np.random.default_rng(100 + s)
        rows.append(np.where(rng.random(n) < 0.4, rng.poisson(6, n) + 1, 0).astype(float))
    return np.array(rows)


def _sku_history(Y: np.ndarray, start: str = "2019-01-01") -> pd.DataFrame:
    periods = pd.date_range(start, periods=Y.shape[1], freq="MS")
    return pd.concat(
        [
            pd.DataFrame({"period": periods, "family": "F", "sku": f"S{i:03d}", "demand": y})
            for i, y in enumerate(Y)
        ],
        ignore_index=True,
    )


# --------------------------------------------------------------------------- seeded models


@pytest.mark.parametrize("model", ["naive", "ses", "theta", "holt-damped", "trend-fourier"])
def test_each_regular_model_forecasts_a_seeded_trend_and_season_closely(model: str) -> None:
    n, h = 60, 12
    trend = 0.0 if model in ("naive", "ses") else 2.0  # those two have no trend term
    Y = _regular(n + h, range(4), noise=4.0, trend=trend)
    truth = _regular(n + h, range(4), noise=0.0, trend=trend)[:, n:]
    fc = B.candidate_forecasts(Y[:, :n], h, 12, (model,))[model]
    mape = np.mean(np.abs(fc - truth) / truth)
    assert mape < 0.04, (model, mape)


@pytest.mark.parametrize("model", ["croston", "sba", "tsb"])
def test_each_intermittent_model_forecasts_the_demand_rate(model: str) -> None:
    Y = _intermittent(240, range(3))  # 40 % demand, size 1 + Poisson(6): rate 2.8
    fc = B.candidate_forecasts(Y, 3, 12, (model,))[model]
    assert np.all(fc[:, 0] == fc[:, 2])  # flat
    assert np.all(np.abs(fc[:, 0] - 2.8) < 1.2), fc[:, 0]


def test_trend_fourier_by_hand() -> None:
    """An exact line plus a first and a third harmonic is extended exactly; the same
    least squares per series (statsmodels OLS) on noisy rows gives the same forecast."""
    t = np.arange(40 + 5, dtype=float)
    y = 10 + 2 * t + 5 * np.sin(2 * np.pi * t / 12) - 3 * np.cos(2 * np.pi * 3 * t / 12)
    fc = B.trend_fourier(y[None, :40], 5, 12)
    np.testing.assert_allclose(fc[0], y[40:], rtol=1e-9)

    import statsmodels.api as sm

    Y = _regular(48, range(3))
    X = np.column_stack(
        [np.ones(53), np.arange(53.0)]
        + [
            f(2 * np.pi * k * np.arange(53.0) / 12)
            for k in range(1, B.FOURIER_ORDER + 1)
            for f in (np.sin, np.cos)
        ]
    )
    ours = B.trend_fourier(Y, 5, 12)
    for i, row in enumerate(Y):
        ols = sm.OLS(row, X[:48]).fit()
        np.testing.assert_allclose(ours[i], ols.predict(X[48:]), rtol=1e-9)


def test_intermittent_by_hand() -> None:
    Y = np.array([[0.0, 2.0, 0.0, 0.0, 4.0, 0.0], [0.0] * 6])
    a = INTERMITTENT_ALPHA
    z, p = 2 + a * (4 - 2), 2 + a * (3 - 2)  # demand 4 after 3 periods
    prob = 0.5
    for hit in (0, 0, 1, 0):
        prob += a * (hit - prob)
    want = {"croston": z / p, "sba": (1 - a / 2) * z / p, "tsb": prob * z}
    for model, value in want.items():
        assert B.intermittent_forecast(model, Y).tolist() == pytest.approx([value, 0.0]), model


# --------------------------------------------------------------------------- agreement


def _statsmodels_theta(y: np.ndarray, h: int) -> tuple[float, np.ndarray]:
    from statsmodels.tsa.forecasting.theta import ThetaModel

    method = "multiplicative" if y.min() > 0 else "additive"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = ThetaModel(y, period=12, method=method).fit()
    return float(fit.params["alpha"]), np.asarray(fit.forecast(h))


def test_theta_agrees_with_the_per_series_theta_for_its_alpha() -> None:
    Y = _regular(60, range(3))
    Y = np.vstack([Y, np.random.default_rng(9).normal(100, 10, 60)])  # no season
    Y[1, 7] = 0.0  # a zero: additive decomposition
    seas = B.seasonal_factors(Y, 12)
    assert seas.mul.tolist() == [True, False, True, True]
    X = seas.adjust(Y)
    for i, y in enumerate(Y):
        alpha, _ = _statsmodels_theta(y, 12)
        a, level = B.ses_fit(X[i : i + 1], (alpha,))
        fc = B.theta_forecast(X[i : i + 1], a, level, 12)
        fc = B.Seasonal(seas.factors[i : i + 1], seas.mul[i : i + 1]).restore(fc, 60)[0]
        per_series = fit_predict("theta", y, DATES, 12, intervals=False).mean
        np.testing.assert_allclose(fc, per_series, rtol=1e-9)
        # and the grid's α is the grid point next to statsmodels' likelihood estimate
        grid_alpha = B.ses_fit(X[i : i + 1])[0][0]
        assert abs(grid_alpha - alpha) <= 0.02, (grid_alpha, alpha)


def test_seasonal_factors_agree_with_statsmodels_decomposition() -> None:
    from statsmodels.tsa.seasonal import seasonal_decompose

    Y = _regular(48, range(4), noise=2.0)
    Y[3] = np.maximum(0, 30 + 40 * np.sin(2 * np.pi * np.arange(48) / 12))  # zeros: additive
    seas = B.seasonal_factors(Y, 12)
    assert B.has_season(Y, 12).all() and seas.mul.tolist() == [True, True, True, False]
    for i, y in enumerate(Y):
        model = "multiplicative" if seas.mul[i] else "additive"
        want = seasonal_decompose(y, model=model, period=12).seasonal[:12]
        np.testing.assert_allclose(seas.factors[i], want, rtol=1e-12)


def test_ses_and_damped_holt_agree_with_statsmodels_for_the_same_parameters() -> None:
    from statsmodels.tsa.holtwinters import Holt, SimpleExpSmoothing

    X = B.seasonal_factors(_regular(60, range(3)), 12).adjust(_regular(60, range(3)))
    for x in X:
        ses = SimpleExpSmoothing(x, initialization_method="known", initial_level=x[0])
        want = ses.fit(smoothing_level=0.3, optimized=False).forecast(1)[0]
        assert B.ses_fit(x[None, :], (0.3,))[1][0] == pytest.approx(want, rel=1e-12)
        holt = Holt(
            x,
            damped_trend=True,
            initialization_method="known",
            initial_level=x[0],
            initial_trend=x[1] - x[0],
        ).fit(smoothing_level=0.3, smoothing_trend=0.1, damping_trend=0.9, optimized=False)
        ours = B.holt_damped(x[None, :], 6, (0.3,), (0.1,), (0.9,))[0]
        np.testing.assert_allclose(ours, holt.forecast(6), rtol=1e-10)


def test_naive_and_intermittent_agree_with_the_per_series_models() -> None:
    Y = np.vstack([_regular(60, range(2)), _intermittent(60, range(3))])
    for model in ("naive", "croston", "sba", "tsb"):
        fc = B.candidate_forecasts(Y, 7, 12, (model,))[model]
        for i, y in enumerate(Y):
            per_series = fit_predict(model, y, DATES, 7, intervals=False).mean
            np.testing.assert_allclose(fc[i], per_series, rtol=1e-12, err_msg=model)


def test_the_backtest_rows_equal_the_per_series_paths() -> None:
    """Same origins, errors and scales: the batched rows of seasonal naive and Croston
    equal what the per-series path computes for those models."""
    Y = np.vstack([_regular(60, range(3)), _intermittent(60, range(3))])
    history = _sku_history(Y)
    batched = forecast(history, level="sku", backend="sequential", horizon=6)
    assert batched.accuracy["model"].isin((*B.BATCHED_MODELS, COMBO)).all()
    cols = ["sku", "mape", "wape", "bias", "mase", "mae", "origins", "holdout", "points"]
    for model, engine_model in (("naive", "naive"), ("croston", "intermittent")):
        per_series = forecast(
            history, level="sku", model=engine_model, backend="sequential", horizon=6
        ).accuracy
        want = per_series[per_series["model"] == model][cols].reset_index(drop=True)
        got = batched.accuracy[batched.accuracy["model"] == model][cols]
        got = got[got["sku"].isin(want["sku"])].reset_index(drop=True)
        assert len(got) == (6 if model == "naive" else 3)
        pd.testing.assert_frame_equal(
            got, want[want["sku"].isin(got["sku"])].reset_index(drop=True)
        )


def test_measures_rows_equal_error_measures() -> None:
    rng = np.random.default_rng(4)
    actual = rng.poisson(3, (5, 20)).astype(float)
    actual[0] = 0.0
    pred = rng.uniform(0, 6, (5, 20))
    scale = rng.uniform(0.5, 2, (5, 20))
    scale[1] = 0.0
    rows = B.measures_rows(actual, pred, scale)
    for i in range(5):
        want = error_measures(actual[i], pred[i], scale[i])
        for k, v in want.items():
            assert rows[k][i] == pytest.approx(v, nan_ok=True), (i, k)


# --------------------------------------------------------------------------- through forecast


def test_sku_auto_takes_the_batched_path_and_says_why() -> None:
    Y = np.vstack([_regular(60, range(4)), _intermittent(60, range(2)), np.zeros((1, 60))])
    history = _sku_history(Y)
    short = _sku_history(_regular(20, range(1)), start="2022-05-01").assign(sku="SHORT")
    result = forecast(pd.concat([history, short]), level="sku", backend="sequential")
    assert result.notes[0].startswith("6 series forecast on the batched path")
    assert "Prophet are left out" in result.notes[0]
    choices = result.choices.set_index("sku")
    assert len(choices) == 8
    assert choices.loc["S006", "reason"] == "all history is zero"
    assert "fewer than two seasons" in choices.loc["SHORT", "reason"]
    for sku in ("S000", "S004"):
        assert "conformal 80 % interval from 66 backtest errors" in choices.loc[sku, "reason"]
    regular = result.accuracy[result.accuracy["sku"] == "S000"]["model"].tolist()
    assert regular == [*B.BATCHED_SEASONAL, COMBO]
    spotty = result.accuracy[result.accuracy["sku"] == "S004"]["model"].tolist()
    assert spotty == [*B.BATCHED_INTERMITTENT, COMBO]
    assert result.accuracy.groupby("sku")["chosen"].sum().tolist() == [1] * 6
    for sku, row in choices.iterrows():
        fc = result.forecast[result.forecast["sku"] == sku]
        assert (fc["model"] == row["model"]).all()
        assert (fc["lower"] <= fc["forecast"]).all() and (fc["forecast"] <= fc["upper"]).all()
    # the family level keeps the per-series candidates
    assert "batched" not in " ".join(forecast(history, model="naive", workers=1).notes)


def test_the_combination_is_the_median_of_the_three_best() -> None:
    job = B.BatchJob(
        index=tuple(range(3)),
        Y=_regular(60, range(3), noise=20.0),
        windows=((B.Window(36, 12), B.Window(42, 12), B.Window(48, 12))),
        candidates=B.BATCHED_SEASONAL,
        horizon=5,
        season=12,
        coverage=0.8,
        scale_lag=0,
    )
    out = B.forecast_batch(job)
    assert out.models == (*B.BATCHED_SEASONAL, COMBO)
    mase = out.measures["mase"]
    for i in range(3):
        best = np.argsort(mase[i, :4], kind="stable")[:3]
        fc = B.candidate_forecasts(job.Y[i : i + 1], 5, 12, B.BATCHED_SEASONAL)
        want = np.median([fc[B.BATCHED_SEASONAL[j]][0] for j in best], axis=0)
        if out.model[i] == COMBO:
            np.testing.assert_allclose(out.mean[i], want)
        chosen = out.models.index(out.model[i])
        assert mase[i, chosen] <= mase[i].min() * 1.02 + 1e-12


def test_engine_is_checked() -> None:
    history = _sku_history(_regular(30, range(1)))
    with pytest.raises(InputError) as err:
        forecast(history, level="sku", engine="fast")
    assert err.value.problems[0].field == "engine"
    with pytest.raises(InputError) as err:
        forecast(history, level="sku", model="ets", engine="batched")
    assert "runs model 'auto' only" in err.value.problems[0].message


def test_batched_intervals_cover_close_to_nominal_on_simulated_noise() -> None:
    """400 series of level + season + N(0, 10²): the 80 % conformal intervals of the
    first 60 months cover about 80 % of the next 12."""
    n, h, sigma = 60, 12, 10.0
    t = np.arange(n + h)
    rng = np.random.default_rng(11)
    phase = rng.integers(12, size=(400, 1))
    level = rng.uniform(100, 300, size=(400, 1))
    truth = level + 30 * np.sin(2 * np.pi * (t + phase) / 12)
    Y = truth + rng.normal(0, sigma, truth.shape)
    result = forecast(_sku_history(Y[:, :n]), level="sku", horizon=h, backend="sequential")
    fc = result.forecast
    actual = Y[:, n:].ravel()  # SKUs S000… in order, 12 periods each
    inside = (fc["lower"].to_numpy() <= actual) & (actual <= fc["upper"].to_numpy())
    assert 0.75 <= inside.mean() <= 0.85, inside.mean()
    # and the points are good: no worse than the noise, far better than last year
    assert np.mean(np.abs(fc["forecast"].to_numpy() - actual)) < 1.25 * sigma


def test_batched_pool_equals_sequential_and_spreads_batches() -> None:
    Y = np.vstack([_regular(48, range(100)), _intermittent(48, range(40))])
    history = _sku_history(Y)
    seen: list[tuple[int, int]] = []
    pool = forecast(
        history, level="sku", workers=2, horizon=4, progress=lambda d, n: seen.append((d, n))
    )
    sequential = forecast(history, level="sku", backend="sequential", horizon=4)
    pd.testing.assert_frame_equal(pool.forecast, sequential.forecast)
    pd.testing.assert_frame_equal(pool.accuracy, sequential.accuracy)
    pd.testing.assert_frame_equal(pool.choices, sequential.choices)
    assert seen[0] == (0, 140) and seen[-1] == (140, 140) and len(seen) >= 3


@pytest.mark.slow
def test_batched_on_a_dask_local_cluster_equals_the_local_pool() -> None:
    from distributed import Client, LocalCluster

    Y = np.vstack([_regular(48, range(100)), _intermittent(48, range(40))])
    history = _sku_history(Y)
    pool = forecast(history, level="sku", workers=2, horizon=4)
    seen: list[int] = []
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        remote = forecast(
            history, level="sku", horizon=4, scheduler=client, progress=lambda d, n: seen.append(d)
        )
    assert len(seen) >= 3 and seen[-1] == 140  # several batches came back
    pd.testing.assert_frame_equal(remote.forecast, pool.forecast)
    pd.testing.assert_frame_equal(remote.accuracy, pool.accuracy)
    pd.testing.assert_frame_equal(remote.choices, pool.choices)


def test_series_of_different_spans_are_batched_apart_with_the_same_numbers() -> None:
    long = _sku_history(_regular(60, range(3)))
    late = _sku_history(_regular(48, range(3, 6)), start="2020-01-01")
    late["sku"] = late["sku"].str.replace("S", "T")
    both = forecast(pd.concat([long, late]), level="sku", backend="sequential", horizon=3)
    for part in (long, late):
        alone = forecast(part, level="sku", backend="sequential", horizon=3)
        got = both.forecast[both.forecast["sku"].isin(part["sku"])].reset_index(drop=True)
        pd.testing.assert_frame_equal(got, alone.forecast)
    from sop_core.demand.forecast import batch_jobs, make_tasks

    tasks = make_tasks(pd.concat([long, late]), level="sku", horizon=3, batched=True)[0]
    jobs, others = batch_jobs(tasks, slots=2)
    assert [job.Y.shape for job in jobs] == [(3, 60), (3, 48)] and others == []
