"""User text shown as text: in the pages' Markdown, and in spreadsheets; counts in words.

Family names, scenario names, file names, notes and comments come from users and files.
Streamlit renders most elements' strings as Markdown (GitHub-flavoured, plus its own
``:red[…]`` colours, ``:material/…:`` icons, ``:emoji:`` codes and ``$…$`` maths), so a
family named ``[click](https://evil.example)`` would become a live link in a heading.
:func:`md_escape` makes such text display as typed.

Spreadsheets run a cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return as a formula (``=HYPERLINK(…)`` in a family name): :func:`neutralise` prefixes
such text with ``'`` (OWASP's rule against CSV injection), for every CSV or Excel file
the workbench writes (plan downloads, the command line's ``--format csv``).
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&=\"'^/%@])")
_BREAKS = re.compile(r"[\r\n\t\v\f\u2028\u2029]+")


WORD_JOINER = "\u2060"
"""An invisible character that keeps a web address in a name from being linked."""

_AUTOLINK = re.compile(r"(?i)(:)(?=//)|(www)(?=\.)|(@)")


def md_escape(text: object) -> str:
    """``text`` escaped for Markdown, on one line: every punctuation character that
    Markdown or Streamlit could read as syntax gets a backslash (CommonMark shows an
    escaped ASCII punctuation character as itself), and line breaks become spaces.

    Escapes do not stop GitHub-flavoured Markdown's second autolink pass, which links
    ``https://…``, ``www.…`` and e-mail addresses found in the *text* after parsing: an
    invisible :data:`WORD_JOINER` after ``:`` of ``://``, ``www`` and ``@`` does.

    >>> md_escape("[click](https://evil.example)")
    '\\\\[click\\\\]\\\\(https\\\\:\u2060\\\\/\\\\/evil\\\\.example\\\\)'
    """
    flat = _BREAKS.sub(" ", str(text))
    unlinked = _AUTOLINK.sub(lambda m: m.group() + WORD_JOINER, flat)
    return _SPECIAL.sub(r"\\\1", unlinked)


# --------------------------------------------------------------------------- counts


def noun(n: float, word: str, words: str | None = None) -> str:
    """The noun for ``n`` of it: ``word`` for one, else its plural (``words``, or
    ``word`` + "s"): "missing column a", "missing columns a, b"."""
    return word if n == 1 else words or word + "s"


def plural(n: int, word: str, words: str | None = None) -> str:
    """``n`` and the noun in its number: "1 alternative", "2 alternatives", "1,200 SKUs";
    ``words`` for an irregular plural ("1 entry", "3 entries")."""
    return f"{n:,} {noun(n, word, words)}"


# --------------------------------------------------------------------------- spreadsheets

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a cell as a formula (OWASP)."""


def neutralise(value: Any) -> Any:
    """A text cell that cannot run as a formula: ``'=HYPERLINK(…)`` for ``=HYPERLINK(…)``.

    Only text is changed (numbers, including negative ones, stay numbers)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with :func:`neutralise` applied to every text cell and header."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralise)
    out.columns = [neutralise(c) for c in out.columns]
    return out
