"""The Cycle page's "Forecast value added" section: did the consensus overrides, and the
statistical model, make the forecasts the cycles froze better? The rules are in
:mod:`sop_core.process.fva`; this module reads the cycles and the history, and draws.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st

from pages._workspace import state, workbench
from sop_core.base.text import md_escape
from sop_core.process.cycle import Cycle
from sop_core.process.fva import ALL, FORECASTS, fva_words
from sop_core.services import cycles


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
    fva, why = cycles.forecast_value_added_of(workbench(), state().name, found)
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
