"""Opening a page of the app in AppTest, as a browser would open its URL, and what a
person must never see: in a page's tables (:func:`what_people_should_not_see`), in any
header, cell or sentence (:func:`text_problems`, :func:`problems`), in an Excel file
(:func:`book_problems`)."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

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
        # a pandas Styler sends the cells as it formats them ("1,234"): those are shown
        styled = table.proto.arrow_data.HasField("styler") and bool(
            table.proto.arrow_data.styler.display_values
        )
        for col in frame.columns:
            conf = config.get(str(col), {})
            shown = conf.get("label") or str(col)
            if CODE_NAME.fullmatch(shown) or shown in TERMS:
                found.append(f"table {n}: header {shown!r}")
            formatted = styled or conf.get("type_config", {}).get("format")
            if frame[col].dtype.kind == "f" and not formatted:
                found.append(f"table {n}: {shown!r} has no number format")
            for value in frame[col]:
                if isinstance(value, str) and value.strip() in MISSING_TEXT:
                    found.append(f"table {n}: {shown!r} shows {value!r}")
                elif not isinstance(value, str) and pd.isna(value) and not blank:
                    found.append(f"table {n}: {shown!r} shows a missing value as None")
        found += [f"table {n}: row {r!r}" for r in frame.index if str(r) in MISSING_TEXT]
    return found


#: a code name: lower-case words joined by "_" ("gap_revenue", "below_budget")
SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
#: a missing value read as a word
MISSING_WORDS = re.compile(r"\b(?:None|nan|NaN|NaT|inf)\b|<NA>")
#: a number printed with more than two decimals
LONG_DECIMALS = re.compile(r"\d\.\d{3,}")
#: a count that does not know its number
HEDGED_PLURAL = re.compile(r"\w\((?:s|es)\)")


#: what is the person's own or a file's literal, not the workbench's words: a file's name
#: ("sales_2026.csv") or a column name in code font ("`on_hand`", what a file must hold)
LITERALS = re.compile(r"`[^`]*`|\S+\.(?:csv|xlsx|xls|json|pdf|toml)\b")


def text_problems(text: str, where: str) -> list[str]:
    """What is wrong with one header, cell or sentence as people read it."""
    found = []
    if SNAKE.search(LITERALS.sub("", text)):
        found.append(f"{where}: code name in {text!r}")
    if MISSING_WORDS.search(text):
        found.append(f"{where}: missing value read as a word in {text!r}")
    if LONG_DECIMALS.search(text):
        found.append(f"{where}: more than 2 decimals in {text!r}")
    if HEDGED_PLURAL.search(text):
        found.append(f"{where}: '(s)' in {text!r}")
    return found


def header_problems(header: Any, where: str) -> list[str]:
    """A header is a label: not a code name, nor a key of the vocabulary ("period")."""
    text = str(header)
    found = text_problems(text, f"{where}, header")
    if text in TERMS:
        found.append(f"{where}, header: {text!r} is a field's key, not its label")
    return found


def problems(frame: pd.DataFrame, where: str, *, shown=str) -> list[str]:
    """What is wrong with ``frame`` as people read it: its headers, its row labels (when
    it has any) and every cell as ``shown`` prints it (``str``: as a grid shows text)."""
    found = [p for col in frame.columns for p in header_problems(col, where)]
    if not isinstance(frame.index, pd.RangeIndex):
        found += [p for label in frame.index for p in header_problems(label, f"{where}, row")]
    for col in frame.columns:
        for value in frame[col]:
            found += text_problems(shown(value), f"{where}, {col!r}")
    return found


def sentences_problems(lines: Iterable[str], where: str) -> list[str]:
    return [p for line in lines for p in text_problems(line, where)]


def too_precise(value: Any) -> bool:
    return isinstance(value, float) and round(value, 2) != value


def book_problems(
    data: bytes, where: str, *, skip: Iterable[str] = (), numbers: bool = True
) -> list[str]:
    """Every sheet of an Excel file: its header row (the first), its text cells, and
    (``numbers``) its numbers with more than two decimals, which must have a number
    format that shows fewer (Excel's "General" shows 397.3551)."""
    from openpyxl import load_workbook

    found = []
    for ws in load_workbook(io.BytesIO(data)).worksheets:
        if ws.title in skip:
            continue
        rows = list(ws.iter_rows())
        if not rows:
            continue
        head = [c.value for c in rows[0]]
        found += [p for h in head if h is not None for p in header_problems(h, ws.title)]
        for row in rows[1:]:
            for cell in row:
                here = f"{where} {ws.title} {cell.coordinate}"
                if isinstance(cell.value, str):
                    found += text_problems(cell.value, here)
                elif numbers and too_precise(cell.value) and cell.number_format == "General":
                    found.append(f"{here}: {cell.value!r} shown as it is")
    return found
