"""The meeting pack: one PDF (and the same tables as an Excel workbook) from sections.

A pack is a title and a list of :class:`Section`: a heading, a few sentences, an optional
chart (a Vega-Lite spec with its data, e.g. an Altair chart's ``to_dict()``) and an
optional table. :func:`pack_pdf` lays them out on A4 landscape pages, one section per
page, in the order given; charts are rendered on the server by ``vl-convert`` (no
browser); text uses DejaVu Sans (shipped with matplotlib, a dependency of Prophet), so
any family or scenario name prints as typed. :func:`pack_excel` writes the tables, one
sheet per section. Text cells of both are the user's text, never a formula or markup.

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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from numbers import Integral, Real
from typing import Any

import pandas as pd

from sop_core.base.fields import format_number
from sop_core.reports.exports import frames_excel

#: largest table printed per section (rows beyond it are counted, not printed)
MAX_TABLE_ROWS = 25
PAGE_TITLE_SIZE = 18
#: a chart's height when a table follows it on the page [mm]
CHART_WITH_TABLE_MM = 78.0


@dataclass(frozen=True)
class Section:
    """One page of the pack."""

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


def _cell(value: Any) -> str:
    """A value printed plainly: blank when missing, whole numbers with thousands
    separators, others to two decimals at most (a section's ``display`` formats by kind)."""
    if value is None or _missing(value):
        return ""
    if isinstance(value, bool) or not isinstance(value, Real):
        return str(value)
    whole = isinstance(value, Integral) or abs(value) >= 100
    return format_number("units" if whole else "factor", float(value))


def pack_pdf(
    title: str,
    sections: Sequence[Section],
    *,
    subtitle: str = "",
    progress: Callable[[int, int, str], None] | None = None,
) -> bytes:
    """The pack as PDF bytes: a cover with ``title`` and the contents, then one page per
    section. ``progress(done, total, what)`` is called before each section (for a
    progress bar)."""
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    pdf = FPDF(orientation="landscape", format="A4")
    pdf.set_auto_page_break(auto=True, margin=12)
    fonts = _font_dir()
    pdf.add_font("DejaVu", "", os.path.join(fonts, "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", os.path.join(fonts, "DejaVuSans-Bold.ttf"))
    pdf.set_title(title)
    pdf.set_creator("S&OP workbench")

    pdf.add_page()
    pdf.set_font("DejaVu", "B", 26)
    pdf.ln(30)
    pdf.multi_cell(0, 13, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 13)
    if subtitle:
        pdf.multi_cell(0, 8, subtitle, new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(
        0, 8, f"Generated {datetime.now(UTC):%Y-%m-%d %H:%M} UTC", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.ln(6)
    pdf.set_font("DejaVu", "B", 13)
    pdf.cell(0, 8, "Contents", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 12)
    for i, section in enumerate(sections, start=2):
        pdf.cell(0, 7, f"{i - 1}. {section.title}", new_x="LMARGIN", new_y="NEXT")

    width = pdf.w - pdf.l_margin - pdf.r_margin
    for n, section in enumerate(sections):
        if progress is not None:
            progress(n, len(sections), section.title)
        pdf.add_page()
        pdf.set_font("DejaVu", "B", PAGE_TITLE_SIZE)
        pdf.multi_cell(0, 10, section.title, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 11)
        for line in section.text:
            pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
        if section.text:
            pdf.ln(2)
        if section.chart is not None:
            png = chart_png(section.chart)
            room = pdf.h - pdf.get_y() - pdf.b_margin - 4
            if section.table is not None:  # leave the table its room on the same page
                room = min(room, CHART_WITH_TABLE_MM)
            pdf.image(png, w=width, h=max(40.0, min(room, width * 0.42)), keep_aspect_ratio=True)
            pdf.ln(2)
        if section.table is not None and not section.table.empty:
            shown = section.display if section.display is not None else section.table
            table = shown.head(MAX_TABLE_ROWS)
            size = 9 if len(table.columns) <= 10 else 7
            pdf.set_font("DejaVu", "", size)
            texts = [[_cell(v) for v in row] for row in table.itertuples(index=False)]
            widest = [
                min(max([len(str(col))] + [len(r[i]) for r in texts]), 70)
                for i, col in enumerate(table.columns)
            ]
            with pdf.table(
                col_widths=tuple(max(w, 4) for w in widest),  # wide text gets the room
                headings_style=FontFace(emphasis="BOLD", fill_color=(240, 240, 238)),
                line_height=size * 0.55,
                text_align="LEFT",
                first_row_as_headings=True,
            ) as grid:
                head = grid.row()
                for col in table.columns:
                    head.cell(str(col))
                for row in texts:
                    cells = grid.row()
                    for text in row:
                        cells.cell(text)
            if len(section.table) > MAX_TABLE_ROWS:
                pdf.set_font("DejaVu", "", 9)
                more = len(section.table) - MAX_TABLE_ROWS
                pdf.cell(
                    0,
                    6,
                    f"… and {more} more rows (all in the Excel pack)",
                    new_x="LMARGIN",
                    new_y="NEXT",
                )
        for note in section.notes:
            pdf.set_font("DejaVu", "", 9)
            pdf.multi_cell(0, 5, note, new_x="LMARGIN", new_y="NEXT")
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
