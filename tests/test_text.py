"""User text rendered as text: Markdown escaping (the browser check is in test_e2e_hardening)."""

from __future__ import annotations

import re
import string

from hypothesis import given, settings
from hypothesis import strategies as st

from sop_core.base.text import WORD_JOINER, md_escape, noun, plural

SYNTAX = set("\\`*_{}[]()#+-.!|<>~$:&=\"'^/%@")


def commonmark_unescape(source: str) -> str:
    """What CommonMark shows for backslash-escaped ASCII punctuation: the character."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", source)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_escaped_text_shows_as_typed_on_one_line(name: str) -> None:
    out = md_escape(name)
    assert "\n" not in out and "\r" not in out
    shown = commonmark_unescape(out).replace(WORD_JOINER, "")
    assert shown == re.sub(r"[\r\n\t\v\f\u2028\u2029]+", " ", name.replace(WORD_JOINER, ""))
    # nothing GFM's autolink pass would link: "://", "www." or "@" followed by a name
    assert not re.search(r"(?i)(://|www\.|@[-\w])", commonmark_unescape(out))
    # no Markdown syntax character is left bare
    bare = re.sub(r"\\.", "", out)
    assert not set(bare) & SYNTAX


def test_links_images_html_and_streamlit_directives_are_escaped() -> None:
    assert md_escape("[click](https://evil.example)") == (
        "\\[click\\]\\(https\\:\u2060\\/\\/evil\\.example\\)"
    )
    assert md_escape(":red[alert] :material/home: $x$") == (
        "\\:red\\[alert\\] \\:material\\/home\\: \\$x\\$"
    )
    assert md_escape("<b>x</b>") == "\\<b\\>x\\<\\/b\\>"
    assert md_escape("two\nlines\r\n# heading") == "two lines \\# heading"
    assert md_escape("Garden tools 2027") == "Garden tools 2027"
    assert md_escape("x@evil.example") == "x\\@\u2060evil\\.example"  # no mailto autolink
    assert md_escape("www.evil.example") == "www\u2060\\.evil\\.example"
    assert set(string.punctuation) - SYNTAX <= set(",;?")


def test_counts_read_in_words_singular_or_plural():
    assert plural(1, "origin") == "1 origin" and plural(3, "origin") == "3 origins"
    assert plural(0, "SKU") == "0 SKUs" and plural(1_200, "SKU") == "1,200 SKUs"
    assert plural(1, "entry", "entries") == "1 entry" and plural(2, "entry", "entries") == (
        "2 entries"
    )
    assert noun(1, "column") == "column" and noun(2, "column") == "columns"
    assert noun(1, "is", "are") == "is" and noun(4, "is", "are") == "are"
