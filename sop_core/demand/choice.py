"""How a series' model is chosen from its backtest: lowest MASE, ties to the simpler model."""

from __future__ import annotations

from typing import Any

import numpy as np

from sop_core.base.text import plural
from sop_core.demand.accuracy import error_measures

COMBO = "combo"
"""The combination's model name."""
COMBO_MEMBERS = 3
"""Candidates in the combination (the best by backtest MASE), averaged with equal
weights (see :func:`combination_row`)."""
TIE_TOLERANCE = 0.02
"""Relative backtest-score difference that counts as a tie (goes to the simpler model)."""
MIN_CONFORMAL_POINTS = 8
"""Fewest backtest errors behind a conformal interval."""

MODEL_NAMES: dict[str, str] = {
    # the choices of ``model=`` that pick among candidates
    "auto": "Automatic (the most accurate per family)",
    "prophet": "Prophet (additive or multiplicative)",
    "intermittent": "Intermittent demand (SES, Croston, SBA or TSB)",
    # the models (:data:`~sop_core.demand.models.MODELS`) and the combination
    "naive": "Seasonal naive",
    "theta": "Theta",
    "ets": "Exponential smoothing (ETS)",
    "ets-damped": "Damped exponential smoothing (ETS)",
    "ets-log": "Exponential smoothing (ETS) on the log scale",
    "sarima": "Seasonal ARIMA",
    "prophet-additive": "Prophet (additive)",
    "prophet-multiplicative": "Prophet (multiplicative)",
    "croston": "Croston",
    "sba": "Syntetos–Boylan (SBA)",
    "tsb": "Teunter–Syntetos–Babai (TSB)",
    "ses": "Simple exponential smoothing",
    "last": "Naive (last value)",
    "holt-damped": "Damped Holt (batched)",
    "trend-fourier": "Linear trend + Fourier season (batched)",
    "zero": "Zero (no demand in the history)",
    COMBO: f"Combination (average of the {COMBO_MEMBERS} best)",
}
"""What a person reads for each model and ``model=`` choice ("prophet-additive" →
"Prophet (additive)"); ``ets`` and ``naive`` are both a choice and a model, named once."""


def model_name(model: str) -> str:
    """``model`` in words (:data:`MODEL_NAMES`); an unknown name is returned as it is."""
    return MODEL_NAMES.get(model, model)


def _score(row: dict[str, Any], measure: str) -> float:
    v = row.get(measure, np.nan)
    return float(v) if v is not None and np.isfinite(v) else np.inf


def choose(rows: list[dict[str, Any]]) -> str | None:
    """The candidate with the lowest backtest MASE (MAE if no row has one), None if none
    fit; a score within :data:`TIE_TOLERANCE` of a row listed earlier loses to it."""
    return choose_with_reason(rows)[0]


def choose_with_reason(rows: list[dict[str, Any]]) -> tuple[str | None, str]:
    """:func:`choose`, and a sentence saying why."""
    measure = "mase" if any(np.isfinite(_score(r, "mase")) for r in rows) else "mae"
    scored = [(r["model"], _score(r, measure)) for r in rows]
    scored = [(m, v) for m, v in scored if np.isfinite(v)]
    if not scored:
        return None, "no candidate fitted in the backtest"
    best_value = min(v for _, v in scored)
    # the first (simplest) candidate within the tolerance of the best wins
    limit = best_value * (1 + TIE_TOLERANCE) if best_value > 0 else best_value
    model, value = next((m, v) for m, v in scored if v <= limit)
    ranked = sorted(scored, key=lambda mv: mv[1])
    origins = rows[0].get("origins", 0)
    name = measure.upper()
    reason = f"lowest backtest {name} {value:.2f} over {plural(int(origins), 'origin')}"
    others = [f"{model_name(m)} {v:.2f}" for m, v in ranked if m != model][:2]
    if value > best_value:
        best = next(m for m, v in ranked if v == best_value)
        reason = (
            f"backtest {name} {value:.2f}, within {TIE_TOLERANCE:.0%} of {model_name(best)} "
            f"({best_value:.2f}): the simpler model is kept"
        )
    elif others:
        reason += f" (next: {', '.join(others)})"
    return model, reason


def combination_row(rows: list[dict[str, Any]], members: int = COMBO_MEMBERS) -> dict | None:
    """The backtest row of the mean of the ``members`` best rows by MASE (MAE if no
    MASE), period by period, computed from their backtest forecasts; None with fewer
    usable rows.

    The mean, with equal weights, not the median: of three forecasts the median is, at
    each period, one of them, so it hedges against one member going astray but does
    not average the members' errors out, which is where a combination's gain comes
    from (Bates & Granger 1969; the simple average beats estimated weights, the
    "forecast combination puzzle", and was among the best methods of the M3 and M4
    competitions, whose "Comb" benchmark is the mean of three exponential smoothings).
    The members are already the three best in the backtest, so a wild one is unlikely.
    On benchmarks/forecast_accuracy.py the mean beat the median on the 40-series panel
    in each of three held-out years (auto's relative MAE 0.517, 0.558, 0.597 → 0.517,
    0.545, 0.579, with origins half a holdout apart), and on AirPassengers took the
    combination chosen there from 0.261 to 0.212, below every single candidate (best:
    damped ETS, 0.230).
    """
    measure = "mase" if any(np.isfinite(_score(r, "mase")) for r in rows) else "mae"
    usable = [r for r in rows if r.get("_pred") is not None and np.isfinite(_score(r, measure))]
    if len(usable) < members:
        return None
    best = sorted(usable, key=lambda r: _score(r, measure))[:members]
    pred = np.mean(np.vstack([r["_pred"] for r in best]), axis=0)
    first = best[0]
    measures = error_measures(first["_actual"], pred, first["_scale"])
    return {
        "model": COMBO,
        **measures,
        "origins": first["origins"],
        "holdout": first["holdout"],
        "points": first["points"],
        "chosen": False,
        "error": None,
        "members": tuple(r["model"] for r in best),
        "_actual": first["_actual"],
        "_pred": pred,
        "_scale": first["_scale"],
        "_step": first["_step"],
    }
