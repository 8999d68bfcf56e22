"""A monthly table of the company, kept in the store: the business plan or the actuals.

One section per table (:data:`sop_core.process.workspace.MONTHLY_TABLES`): upload a CSV or Excel
file (it replaces the table, as one undoable action), edit it in place (each cell saved
as typed), download it, clear it. The rows, rights and checks are the workspace's; this
module reads widgets, calls it and draws.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from pages._access import why_not
from pages._common import number_column, show_input_error
from pages._workspace import flash, perform, saved_editor, state
from sop_core.base.access import edit_action
from sop_core.base.errors import InputError
from sop_core.base.text import md_escape
from sop_core.process.monthly import read_monthly_table
from sop_core.process.workspace import MONTHLY_TABLES, monthly_edits
from sop_core.reports.exports import frame_csv, slug
from sop_core.services.monthly import clear_table, upload_table


def monthly_table_section(kind: str, *, template: pd.DataFrame | None = None) -> pd.DataFrame:
    """Upload, edit, download and clear the company's monthly table ``kind``; returns
    the table as stored (its columns, sorted by family and period)."""
    spec = MONTHLY_TABLES[kind]
    ws = state()
    locked = why_not(edit_action(kind, None))
    table = ws.monthly(kind, keys=True)
    header = ", ".join(spec.columns)
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    upload = left.file_uploader(
        f"Upload the {spec.what} (CSV or Excel): {header}; period as YYYY-MM",
        type=["csv", "xlsx"],
        key=f"{kind}_upload",
        disabled=locked is not None,
        help=locked,
    )
    seen_key, refused_key = f"{kind}_upload_id", f"{kind}_upload_refused"
    refused = st.session_state.get(refused_key)
    if upload is not None and refused is not None and refused[0] == upload.file_id:
        show_input_error(refused[1], f"{md_escape(upload.name)} cannot be used")  # still held
    elif upload is not None and upload.file_id != st.session_state.get(seen_key):
        st.session_state[seen_key] = upload.file_id
        try:
            loaded = read_monthly_table(
                upload.getvalue(), spec.values, spec.what, filename=upload.name
            )
        except InputError as exc:
            st.session_state[refused_key] = (upload.file_id, exc)
            show_input_error(exc, f"{md_escape(upload.name)} cannot be used")
        else:
            saved = perform(
                lambda wb, company, who: upload_table(
                    wb, company, kind, loaded, upload.name, author=who, based_on=ws
                )
            )
            if saved is not None and saved.revision == ws.revision:
                st.info(
                    f"{md_escape(upload.name)} holds the {spec.what} as stored: nothing changed."
                )
            elif saved is not None:
                flash(
                    "success",
                    f"Saved the {spec.what} from {md_escape(upload.name)} "
                    f"({len(loaded):,} rows); undo takes it back.",
                )
                st.rerun()
            else:
                st.rerun()  # the refusal is flashed
    if template is not None and table.empty:
        right.download_button(
            "Template (CSV)",
            data=frame_csv(template),
            file_name=f"{slug(spec.what)}_template.csv",
            mime="text/csv",
            on_click="ignore",
            key=f"{kind}_template",
            icon=":material/download:",
        )
    elif not table.empty:
        right.download_button(
            "Download (CSV)",
            data=frame_csv(table.drop(columns="key")),
            file_name=f"{slug(ws.name, 40)}_{slug(spec.what)}.csv",
            mime="text/csv",
            on_click="ignore",
            key=f"{kind}_download",
            icon=":material/download:",
        )
    if locked:
        st.caption(f":material/lock: {locked}")
    if table.empty:
        st.caption(f"No {spec.what} yet: upload a file, or add rows in the table below.")
    unknown = sorted(set(table["family"]) - set(ws.family_names))
    if unknown:
        st.caption(
            f"Not a family of {md_escape(ws.name)}: {', '.join(md_escape(n) for n in unknown)} "
            "(rename the rows, or the family on the Capacity page)."
        )
    config = {
        "family": st.column_config.TextColumn("Family", required=True),
        "period": st.column_config.TextColumn(
            "Month", required=True, help="YYYY-MM", validate=r"^\d{4}-(0[1-9]|1[0-2])$"
        ),
        **{c: number_column(c, min_value=0.0, required=True) for c in spec.values},
    }
    saved_editor(
        f"{kind}_table",
        table,
        lambda edited: monthly_edits(state(), kind, edited),
        summary=None,
        column_config=config,
        num_rows="dynamic",
        disabled=locked is not None,
        height=min(420, 38 + 35 * max(len(table) + 1, 3)),
    )
    if not table.empty and st.button(
        f"Clear the {spec.what}",
        key=f"{kind}_clear",
        icon=":material/delete_sweep:",
        disabled=locked is not None,
        help=locked or "Removes every row, as one action that undo takes back.",
    ):
        if perform(
            lambda wb, company, who: clear_table(wb, company, kind, author=who, based_on=ws)
        ):
            flash("success", f"Cleared the {spec.what}; undo brings it back.")
        st.rerun()
    return table.drop(columns="key")
