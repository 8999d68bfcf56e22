"""A launch's statistical forecast for the demand review: the like-family's forecast, scaled
and ramped, with an interval widened for a product nobody has sold yet.

The **profile** is the like-family's *statistical forecast* over the horizon (not its
history): its seasonality and trend carry over, and the consensus adjusts the launch like
any family. Per period t, with s the launch's start and k = t − s months since it::

    forecast_t = scale × like_forecast_t × ramp_k            (sop_core.model.portfolio)
    lower_t    = max(0, forecast_t × (1 − W × (like_forecast_t − like_lower_t) / like_forecast_t))
    upper_t    = forecast_t × (1 + W × (like_upper_t − like_forecast_t) / like_forecast_t)

The interval keeps the like-family's own relative widths (they come from its backtest
errors) and widens them by W = :data:`LAUNCH_WIDENING` = 1.5: an analogy forecast errs more
than the analogue's own (the shape may not carry over, the scale is a guess), so its
band is half as wide again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from sop_core.demand.forecast import label_periods
from sop_core.model.portfolio import launch_curve
from sop_core.model.scenario import Launch, Scenario, period_position

#: how much wider, relative to its forecast, a launch's interval is than its like-family's
LAUNCH_WIDENING = 1.5


def start_index(launch: Launch, labels: Sequence[str]) -> int | None:
    """The launch's start as an index of ``labels`` (below 0: before the first; beyond:
    after the last), or None when the labels are not months and do not hold it."""
    return period_position(list(labels), launch.start)


def model_words(launch: Launch) -> str:
    """What the launch's forecast is, where a model's name goes."""
    return f"Launch like {launch.like}"


def launch_forecast(
    forecast: pd.DataFrame, launches: Mapping[str, Launch], labels: Sequence[str]
) -> pd.DataFrame:
    """The forecast rows of each launch (name → :class:`Launch`) from its like-family's
    rows of ``forecast`` (family level: family, period, forecast, lower, upper, model; its
    periods in order labelled ``labels``). A launch whose like-family has no forecast, or
    whose start cannot be placed on ``labels``, gets no rows."""
    rows = []
    for name, launch in launches.items():
        like = (
            forecast[forecast["family"] == launch.like]
            .groupby("period", as_index=False)[["forecast", "lower", "upper"]]
            .sum()  # SKU rows: the family's
            .sort_values("period")
        )
        start = start_index(launch, labels)
        if like.empty or start is None or len(like) != len(labels):
            continue
        mean = like["forecast"].to_numpy(dtype=float)
        curve = launch_curve(launch, mean, start)
        with np.errstate(divide="ignore", invalid="ignore"):
            down = np.where(mean > 0, (mean - like["lower"].to_numpy(dtype=float)) / mean, 0.0)
            up = np.where(mean > 0, (like["upper"].to_numpy(dtype=float) - mean) / mean, 0.0)
        rows.append(
            pd.DataFrame(
                {
                    "family": name,
                    "period": like["period"].to_numpy(),
                    "forecast": curve,
                    "lower": np.clip(curve * (1 - LAUNCH_WIDENING * down), 0, None),
                    "upper": curve * (1 + LAUNCH_WIDENING * up),
                    "model": model_words(launch),
                }
            )
        )
    if not rows:
        return forecast.iloc[0:0][["family", "period", "forecast", "lower", "upper", "model"]]
    return pd.concat(rows, ignore_index=True)


def launches_in(scenario: Scenario) -> dict[str, Launch]:
    """The scenario's launches: family name → its :class:`Launch`."""
    return {f.name: f.launch for f in scenario.families if f.launch is not None}


def with_launches(
    forecast: pd.DataFrame, launches: Mapping[str, Launch], labels: Sequence[str]
) -> pd.DataFrame:
    """``forecast`` with the launches' rows added (:func:`launch_forecast`), replacing any
    rows of those families it had."""
    if not launches:
        return forecast
    added = launch_forecast(forecast, launches, labels)
    kept = forecast[~forecast["family"].isin(list(added["family"].unique()))]
    return pd.concat([kept, added], ignore_index=True)


def forecast_with_launches(
    forecast: pd.DataFrame, freq: str, launches: Mapping[str, Launch]
) -> pd.DataFrame:
    """A statistical forecast (its periods at frequency ``freq``) with its launches' rows
    (:func:`with_launches`): what the demand review shows, adjusts and freezes."""
    if not launches or forecast.empty:
        return forecast
    labels = list(label_periods(pd.Series(sorted(forecast["period"].unique())), freq))
    return with_launches(forecast, launches, labels)
