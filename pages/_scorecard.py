"""The Executive page's scorecard of the five aims of S&OP: a strip of the five aims (also
on the projected page), the plan's measures against their targets, each family's, and
the targets themselves (executives set them).

Every number comes from :mod:`sop_core.process.scorecard`; each measure's definition (the
vocabulary's help) shows on hover, and each status is a word beside its mark, never a
colour alone.
"""

from __future__ import annotations

import html
from typing import Any

import pandas as pd
import streamlit as st

from pages._access import why_not
from pages._workspace import perform, state
from sop_core.base.fields import label, term
from sop_core.engine.planner import PlanResult
from sop_core.engine.scorecard import ALL
from sop_core.model.scenario import Scenario
from sop_core.model.targets import SHARE_FIELDS, TARGET_FIELDS
from sop_core.process.scorecard import aim_lines, family_table, scorecard, scorecard_table
from sop_core.services.scorecard import set_targets, targets_of

#: each status: its mark and colour (the word is always shown beside them)
MARKS: dict[str, tuple[str, str]] = {
    "met": ("✓", "#1b7f3b"),
    "not met": ("✗", "#b42318"),
    "no target": ("·", "#6b7280"),
    "no value": ("·", "#6b7280"),
}


def plan_card(scenario: Scenario, result: PlanResult) -> pd.DataFrame:
    """The scorecard of ``result`` (the plan of ``scenario``) against the company's
    targets and its business plan."""
    budget = state().business_plan
    return scorecard(scenario, result, budget if len(budget) else None)


def strip_html(card: pd.DataFrame, *, large: bool = False) -> str:
    """The five aims side by side, each with its measures: short label (its definition
    on hover), value and status (mark and word)."""
    size = "1rem" if large else "0.9rem"
    cells = []
    for aim, lines in aim_lines(card, ALL):
        rows = []
        for key, short, value, status in lines:
            mark, colour = MARKS[status]
            rows.append(
                f'<div class="sop-aim-line"><span title="{html.escape(term(key).help)}" '
                f'style="border-bottom:1px dotted #999;cursor:help">{html.escape(short)}</span>'
                f" <b>{html.escape(value)}</b> "
                f'<span style="color:{colour};white-space:nowrap">{mark}&nbsp;{status}</span>'
                "</div>"
            )
        cells.append(
            '<div class="sop-aim" style="border:1px solid #ddd;border-radius:0.5rem;'
            'padding:0.3rem 0.5rem;min-width:0">'
            f'<div style="font-weight:600">{html.escape(aim)}</div>{"".join(rows)}</div>'
        )
    return (
        f'<div class="sop-scorecard" style="display:grid;grid-template-columns:repeat(5,'
        f'minmax(0,1fr));gap:0.5rem;font-size:{size};line-height:1.35">{"".join(cells)}</div>'
    )


def scorecard_strip(card: pd.DataFrame, *, large: bool = False) -> None:
    """:func:`strip_html` on the page."""
    st.markdown(strip_html(card, large=large), unsafe_allow_html=True)


def scorecard_section(scenario: Scenario, result: PlanResult) -> None:
    """The scorecard below the comparison: the strip, the plan's table with targets, each
    family's, and the targets (editable by an executive)."""
    st.subheader("Scorecard: the five aims of S&OP")
    card = plan_card(scenario, result)
    st.caption(
        "Customer service, inventory, customer lead time, production stability and the "
        "management handle, against the targets the company sets (below) and the business "
        "plan. Hover a measure for its definition."
    )
    scorecard_strip(card)
    helps = {t.label: t.help for t in map(term, card["measure"].unique())}
    table = scorecard_table(card)
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            "Measure": st.column_config.TextColumn(
                "Measure", help="; ".join(f"{k}: {v}" for k, v in helps.items() if v)
            ),
            "Status": st.column_config.TextColumn("Status", help=term("status").help),
        },
        key="scorecard_plan",
    )
    with st.expander("Per family"):
        st.dataframe(family_table(card), hide_index=True, key="scorecard_families")
    targets_form()


def targets_form() -> None:
    """The company's targets, set by an executive (blank: no target)."""
    blocked = why_not("targets")
    current = targets_of(state())
    with st.expander("Targets", expanded=False):
        with st.form("scorecard_targets", border=False):
            cols = st.columns(2)
            values: dict[str, Any] = {}
            for i, name in enumerate(TARGET_FIELDS):
                key = f"targets.{name}"
                now = getattr(current, name)
                share = name in SHARE_FIELDS
                unit = "%" if share else term(key).unit
                values[name] = cols[i % 2].number_input(
                    f"{label(key)} ({unit})" if unit else label(key),
                    min_value=0.0,
                    max_value=100.0 if share else None,
                    value=None if now is None else (100.0 * now if share else float(now)),
                    step=1.0,
                    help=term(key).help or None,
                    placeholder="no target",
                    disabled=bool(blocked),
                    key=f"target_{name}",
                )
            saved = st.form_submit_button("Save targets", disabled=bool(blocked))
        if blocked:
            st.caption(f":material/lock: {blocked}")
    if saved:
        changes = {
            n: None if v is None else (v / 100.0 if n in SHARE_FIELDS else float(v))
            for n, v in values.items()
        }
        perform(lambda wb, company, who: set_targets(wb, company, changes, author=who))
        st.rerun()  # the new targets' statuses, or the refusal flashed at the top
