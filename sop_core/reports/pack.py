"""The meeting pack: one PDF (and the same tables as an Excel workbook) from sections.

A pack is a title and a list of :class:`Section`: a heading, a few sentences, an optional
chart (a Vega-Lite spec with its data, e.g. an Altair chart's ``to_dict()``) and an
optional table. :func:`pack_pdf` lays them out on A4 landscape pages in the order
given, a section below the one before when it fits there whole; charts are rendered on
the server by ``vl-convert`` (no browser); text uses DejaVu Sans (shipped with
matplotlib, a dependency of Prophet), so any family or scenario name prints as typed.
:func:`pack_excel` writes the tables, one sheet per section. Text cells of both are the
user's text, never a formula or markup.

A table holds numbers at full precision (the Excel pack keeps them); a section's
``display`` is the same table as people read it (text, formatted by the caller from the
vocabulary, :mod:`sop_core.base.fields`), which the PDF prints instead, and its
``number_formats`` are the Excel number formats of its columns. Without a ``display``,
the PDF prints each value plainly; a missing value (None, NaN, NaT) is always blank.

What goes into an S&OP meeting pack (summary KPIs, the balance chart, the family sheets,
the scenarios compared, the gap to budget, exceptions, decisions and assumptions) is
assembled by the caller; this module only lays it out.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from numbers import Integral, Real
from typing import Any

import pandas as pd

from sop_core.base.fields import format_number
from sop_core.reports.exports import frames_excel

#: a cell that is one figure ("1,234", "−$56", "+$7.50", "97.3%"), aligned right
NUMBER = re.compile(r"[−+-]?\$?[\d,]+(\.\d+)?\s?%?")
#: largest table printed per section (rows beyond it are counted, not printed)
MAX_TABLE_ROWS = 25
PAGE_TITLE_SIZE = 14
#: the space after a section, before the next on the same page [mm]
SECTION_GAP_MM = 5.0
#: a chart's height when a table follows it on the page [mm]
CHART_WITH_TABLE_MM = 78.0


@dataclass(frozen=True)
class Section:
    """One section of the pack: a heading, a few sentences, a chart, a table, notes."""

    title: str
    text: Sequence[str] = ()
    chart: Mapping[str, Any] | None = None  # Vega-Lite spec with inline data
    table: pd.DataFrame | None = None
    sheet: str | None = None  # the Excel sheet's name (default: the title)
    notes: Sequence[str] = field(default_factory=tuple)
    #: the table as people read it (text; its columns and rows): what the PDF prints
    display: pd.DataFrame | None = None
    #: column -> Excel number format of its numbers in the Excel pack ("#,##0")
    number_formats: Mapping[str, str] = field(default_factory=dict)
    #: start on a page of its own (a family's sheet), not below the section before
    new_page: bool = False


def _font_dir() -> str:
    import matplotlib

    return os.path.join(matplotlib.get_data_path(), "fonts", "ttf")


def chart_png(spec: Mapping[str, Any], scale: float = 2.0) -> bytes:
    """A Vega-Lite chart rendered to PNG on the server."""
    import json

    import vl_convert

    return vl_convert.vegalite_to_png(json.dumps(spec), scale=scale)


def _missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # a list or an array: not one missing value
        return False


def printed_cell(value: Any) -> str:
    """A value printed plainly: blank when missing, whole numbers with thousands
    separators, others to two decimals at most (a section's ``display`` formats by kind)."""
    if value is None or _missing(value):
        return ""
    if isinstance(value, bool) or not isinstance(value, Real):
        return str(value)
    whole = isinstance(value, Integral) or abs(value) >= 100
    return format_number("units" if whole else "factor", float(value))


def _fonts(pdf: Any) -> None:
    fonts = _font_dir()
    pdf.add_font("DejaVu", "", os.path.join(fonts, "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", os.path.join(fonts, "DejaVuSans-Bold.ttf"))


def _head(pdf: Any, title: str, subtitle: str, sections: Sequence[Section]) -> None:
    """Page 1's head: the title, what the pack is of, when it was made, its contents
    in one line (the PDF's outline lists them too)."""
    pdf.set_font("DejaVu", "B", 20)
    pdf.multi_cell(0, 10, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    made = f"Generated {datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    pdf.multi_cell(
        0, 5, " · ".join(x for x in (subtitle, made) if x), new_x="LMARGIN", new_y="NEXT"
    )
    pdf.set_font("DejaVu", "", 8)
    contents = "  ".join(f"{i}. {s.title}" for i, s in enumerate(sections, start=1))
    pdf.multi_cell(0, 4, f"In this pack: {contents}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_draw_color(180, 180, 180)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
    pdf.ln(3)


def _table(pdf: Any, section: Section) -> None:
    from fpdf.fonts import FontFace

    shown = section.display if section.display is not None else section.table
    table = shown.head(MAX_TABLE_ROWS)
    size = 8 if len(table.columns) <= 10 else 7
    pdf.set_font("DejaVu", "", size)
    texts = [[printed_cell(v) for v in row] for row in table.itertuples(index=False)]
    widest = [
        min(max([len(str(col))] + [len(r[i]) for r in texts]), 70)
        for i, col in enumerate(table.columns)
    ]
    numeric = [  # figures align right, text (and the first column) left
        i > 0 and all(not t or NUMBER.fullmatch(t) for t in col)
        for i, col in enumerate(zip(*texts, strict=True) if texts else [])
    ]
    with pdf.table(
        col_widths=tuple(max(w, 4) for w in widest),  # wide text gets the room
        headings_style=FontFace(emphasis="BOLD", fill_color=(240, 240, 238)),
        line_height=size * 0.5,
        text_align=tuple("RIGHT" if n else "LEFT" for n in numeric) or "LEFT",
        first_row_as_headings=True,
        borders_layout="HORIZONTAL_LINES",
        cell_fill_color=(248, 248, 246),
        cell_fill_mode="ROWS",
    ) as grid:
        head = grid.row()
        for col in table.columns:
            head.cell(str(col))
        for row in texts:
            cells = grid.row()
            for text in row:
                cells.cell(text)
    if len(section.table) > MAX_TABLE_ROWS:
        pdf.set_font("DejaVu", "", 8)
        more = len(section.table) - MAX_TABLE_ROWS
        pdf.cell(
            0, 5, f"… and {more} more rows (all in the Excel pack)", new_x="LMARGIN", new_y="NEXT"
        )


def _section(pdf: Any, section: Section, png: bytes | None, width: float) -> None:
    """Draw ``section`` from where the page stands: its heading, text, chart (``png``),
    table and notes."""
    pdf.set_font("DejaVu", "B", PAGE_TITLE_SIZE)
    pdf.multi_cell(0, 8, section.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    for line in section.text:
        pdf.multi_cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
    if section.text:
        pdf.ln(1)
    if png is not None:
        room = pdf.h - pdf.get_y() - pdf.b_margin - 4
        if section.table is not None:  # leave the table its room on the same page
            room = min(room, CHART_WITH_TABLE_MM)
        pdf.image(png, w=width, h=max(40.0, min(room, width * 0.42)), keep_aspect_ratio=True)
        pdf.ln(1)
    if section.table is not None and not section.table.empty:
        _table(pdf, section)
    for note in section.notes:
        pdf.ln(1)
        pdf.set_font("DejaVu", "", 9)
        pdf.multi_cell(0, 4.5, note, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(SECTION_GAP_MM)


def pack_pdf(
    title: str,
    sections: Sequence[Section],
    *,
    subtitle: str = "",
    progress: Callable[[int, int, str], None] | None = None,
) -> bytes:
    """The pack as PDF bytes, A4 landscape: page 1 opens with ``title``, the subtitle
    and the contents, then the sections follow in order, each starting on the page
    before it when it fits there whole (no near-empty pages), else on a new page; a
    section with ``new_page`` always starts one. The PDF's outline (bookmarks) lists
    the sections. ``progress(done, total, what)`` is called before each section (for
    a progress bar)."""
    from fpdf import FPDF

    pdf = FPDF(orientation="landscape", format="A4")
    pdf.set_margins(12, 10, 12)
    pdf.set_auto_page_break(auto=True, margin=10)
    _fonts(pdf)
    pdf.set_title(title)
    pdf.set_creator("S&OP workbench")
    width = pdf.w - pdf.l_margin - pdf.r_margin

    pdf.add_page()
    _head(pdf, title, subtitle, sections)
    first = True
    for n, section in enumerate(sections):
        if progress is not None:
            progress(n, len(sections), section.title)
        png = chart_png(section.chart) if section.chart is not None else None
        if not first:
            fits = not section.new_page
            if fits:
                with pdf.offset_rendering() as trial:
                    _section(trial, section, png, width)
                fits = not trial.page_break_triggered
            if not fits:
                pdf.add_page()
        first = False
        pdf.start_section(section.title)
        _section(pdf, section, png, width)
    if progress is not None:
        progress(len(sections), len(sections), "done")
    return bytes(pdf.output())


def pack_excel(sections: Sequence[Section]) -> bytes:
    """The pack's tables as one workbook: a sheet per section that has a table, numbers
    at full precision shown with the section's ``number_formats``."""
    sheets: dict[str, pd.DataFrame | None] = {}
    formats: dict[str, Mapping[str, str]] = {}
    for section in sections:
        if section.table is None:
            continue
        name = (section.sheet or section.title)[:31]
        for bad in "[]:*?/\\":
            name = name.replace(bad, " ")
        while name in sheets:
            name = name[:28] + f" {len(sheets)}"
        sheets[name] = section.table
        if section.number_formats:
            formats[name] = section.number_formats
    data = frames_excel(sheets)
    if not formats:
        return data
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data))
    for name, by_column in formats.items():
        ws = book[name]
        for column in ws.iter_cols(min_row=1):
            fmt = by_column.get(str(column[0].value))
            for cell in column[1:] if fmt else ():
                if isinstance(cell.value, Real) and not isinstance(cell.value, bool):
                    cell.number_format = fmt
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
