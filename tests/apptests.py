"""Opening a page of the app in AppTest, as a browser would open its URL, and what a
person must never see in its tables."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest

from sop_core.base.fields import TERMS

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def open_app_page(
    page: str, *, timeout: float = 60, run_entry_first: bool = False, **query: str
) -> AppTest:
    """Run ``page`` (e.g. "pages/plan.py") through app.py with ``query`` in the URL, and
    check it raised nothing. ``run_entry_first`` runs app.py's default page once before."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    for key, value in query.items():
        at.query_params[key] = value
    if run_entry_first:
        at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def shown(markdown: str) -> str:
    """What a reader sees of Markdown that escapes user text (md_escape): no backslashes
    before punctuation, no invisible word joiners."""
    import re

    return re.sub(r"\\(.)", r"\1", markdown).replace("\u2060", "")


#: a name from the code: lower case, words joined by _ or - ("period", "history_name",
#: "prophet-additive"); a period label ("2027-01", "12") is none
CODE_NAME = re.compile(r"(?=.*[a-z])[a-z0-9]+(?:[_-][a-z0-9]+)*")
#: what a missing value reads as when it is shown as text
MISSING_TEXT = {"None", "none", "nan", "NaN", "<NA>", "NaT", "null"}


def what_people_should_not_see(at: AppTest) -> list[str]:
    """Every table of the page as the grid shows it: a header that is a code name (the
    column's configured label, else its name), a cell or row label that reads "None" or
    "nan", a missing value in a grid that does not show it blank, or a column of
    decimals without a number format."""
    found = []
    for n, table in enumerate(at.dataframe):
        frame, config = table.value, json.loads(table.proto.columns or "{}")
        blank = table.proto.HasField("placeholder") and table.proto.placeholder == ""
        for col in frame.columns:
            conf = config.get(str(col), {})
            shown = conf.get("label") or str(col)
            if CODE_NAME.fullmatch(shown) or shown in TERMS:
                found.append(f"table {n}: header {shown!r}")
            if frame[col].dtype.kind == "f" and not conf.get("type_config", {}).get("format"):
                found.append(f"table {n}: {shown!r} has no number format")
            for value in frame[col]:
                if isinstance(value, str) and value.strip() in MISSING_TEXT:
                    found.append(f"table {n}: {shown!r} shows {value!r}")
                elif not isinstance(value, str) and pd.isna(value) and not blank:
                    found.append(f"table {n}: {shown!r} shows a missing value as None")
        found += [f"table {n}: row {r!r}" for r in frame.index if str(r) in MISSING_TEXT]
    return found
