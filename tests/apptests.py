"""Opening a page of the app in AppTest, as a browser would open its URL."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

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
