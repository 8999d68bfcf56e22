"""The Cycle page's "Forecast value added" section: did the consensus overrides, and the
statistical model, make the forecasts the cycles froze better? The rules are in
:mod:`sop_core.process.fva`; this module reads the cycles and the history, and draws.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st

from pages._workspace import company_history
from sop_core.base.errors import InputError
from sop_core.base.text import md_escape
from sop_core.process.cycle import Cycle
from sop_core.process.fva import (
    ALL,
    FORECASTS,
    forecast_value_added,
    fva_words,
    snapshot_frame,
    unscored_periods,
)
from sop_core.process.sop_sheet import monthly_sales


def fva_table(fva: pd.DataFrame) -> pd.DataFrame:
    """:func:`~sop_core.process.fva.forecast_value_added`'s frame as the page shows it: the
    pooled rows named "All families", value added in MAPE points (10.0 = 10 points),
    and each row in words."""
    shown = fva.copy()
    shown["family"] = shown["family"].where(shown["family"] != ALL, "All families")
    shown["fva_consensus"] = shown["fva_consensus"] * 100
    shown["fva_statistical"] = shown["fva_statistical"] * 100
    shown["words"] = [fva_words(row) for row in fva.to_dict("records")]
    return shown


def _column_config() -> dict:
    config: dict = {
        "cycle": "Cycle",
        "family": "Family",
        "months": st.column_config.NumberColumn("Months scored", format="%d"),
        "fva_consensus": st.column_config.NumberColumn(
            "Overrides' value added (MAPE points)", format="%+.1f"
        ),
        "fva_statistical": st.column_config.NumberColumn(
            "Model's value added over naive (MAPE points)", format="%+.1f"
        ),
        "words": st.column_config.TextColumn("What it says", width="large"),
    }
    for name in FORECASTS:
        config[f"mape_{name}"] = st.column_config.NumberColumn(f"MAPE {name}", format="percent")
        config[f"bias_{name}"] = st.column_config.NumberColumn(f"Bias {name}", format="percent")
    return config


def company_fva(found: Sequence[Cycle]) -> tuple[pd.DataFrame | None, str]:
    """The company's forecast value added over its cycles ``found`` (the shown cycle and
    those before it: :func:`~sop_core.process.fva.forecast_value_added`, pooled rows included),
    or ``None`` and why nothing can be scored yet (in words, for a caption). What the
    meeting pack's "Forecast value added" section takes (``meeting_sections(fva=…)``)."""
    history, _ = company_history()
    if history is None:
        return None, "upload the sales history on the Demand page to score the forecasts"
    try:
        sales = monthly_sales(history)
    except InputError as exc:
        return None, "; ".join(str(p) for p in exc.problems)
    frozen = [c for c in found if c.snapshot("consensus") is not None]
    snapshots = snapshot_frame(frozen)
    fva = forecast_value_added(snapshots, sales)
    if len(fva):
        return fva, ""
    odd = unscored_periods(frozen)
    if not frozen:
        return None, "no demand review has been signed off yet, so no forecast is frozen"
    if odd and snapshots.empty:
        shown = ", ".join(odd[:4]) + ("…" if len(odd) > 4 else "")
        return None, (
            f"the frozen forecasts' periods are not months ({shown}), so they cannot meet "
            "the monthly sales; plan in months such as 2027-01"
        )
    return None, (
        "no month a cycle forecast has sales in the history yet; the first scores come "
        "once the next month's sales are uploaded"
    )


def fva_section(found: Sequence[Cycle]) -> pd.DataFrame | None:
    """The section: per cycle of ``found`` (the shown cycle and those before it) and
    family, MAPE and bias of the statistical, consensus and naive forecasts against the
    sales since, the value the overrides and the model added, and a pooled row per
    cycle; or a caption saying why nothing can be scored yet. Returns the scores (for
    the meeting pack), or ``None``."""
    st.subheader("Forecast value added")
    st.caption(
        "The forecasts each demand review froze, against the sales that happened: MAPE "
        "(mean absolute % error) and bias (over-forecast > 0) of the statistical forecast, "
        "the consensus (after the overrides) and a naive forecast (the last month's sales "
        "when the cycle met). Value added: how many MAPE points a step took off."
    )
    fva, why = company_fva(found)
    if fva is None:
        st.caption(f"Nothing can be scored yet: {md_escape(why)}.")
        return None
    for row in fva[fva["family"] == ALL].to_dict("records"):
        st.markdown(f"**{row['cycle']} cycle**, all families: {fva_words(row)}.")
    st.dataframe(
        fva_table(fva),
        hide_index=True,
        column_config=_column_config(),
        key="cycle_fva",
    )
    return fva
