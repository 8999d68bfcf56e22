"""User text shown as text: escaping for the Markdown that page headings and captions use.

Family names, scenario names, file names, notes and comments come from users and files.
Streamlit renders most elements' strings as Markdown (GitHub-flavoured, plus its own
``:red[…]`` colours, ``:material/…:`` icons, ``:emoji:`` codes and ``$…$`` maths), so a
family named ``[click](https://evil.example)`` would become a live link in a heading.
:func:`md_escape` makes such text display as typed.
"""

from __future__ import annotations

import re

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
