"""The meeting pack's layout: page 1 opens with the title and the contents, sections
follow on where they fit whole, charts rendered on the server, any name printed as typed;
the tables as an Excel workbook."""

from __future__ import annotations

import io

import altair as alt
import pandas as pd
from openpyxl import load_workbook
from pypdf import PdfReader

from sop_core.reports.pack import MAX_TABLE_ROWS, Section, pack_excel, pack_pdf


def sections() -> list[Section]:
    data = pd.DataFrame({"period": ["2027-01", "2027-02", "2027-03"], "units": [120, 80, 140]})
    chart = alt.Chart(data).mark_bar().encode(x="period:O", y="units:Q").to_dict()
    long = pd.DataFrame({"family": [f"Fam {i}" for i in range(55)], "gap $": range(55)})
    return [
        Section("Summary", text=["Total cost $7.20M", "Fill rate 99.1%"], table=None),
        Section("Balance – Gartenmöbel “Ü”", chart=chart, table=data, sheet="Balance"),
        Section("Gap to budget", table=long, notes=["Budget 2027 v2"]),
    ]


def test_page_one_opens_the_pack_and_sections_follow_on_without_near_empty_pages():
    seen: list[tuple[int, int, str]] = []
    pdf = pack_pdf(
        "2026-12 S&OP cycle",
        sections(),
        subtitle="Sample company",
        progress=lambda d, t, w: seen.append((d, t, w)),
    )
    reader = PdfReader(io.BytesIO(pdf))
    pages = [page.extract_text() for page in reader.pages]
    first = pages[0]  # no cover: page 1 opens with the title, the contents, section 1
    assert "2026-12 S&OP cycle" in first and "Sample company" in first
    assert "1. Summary" in first and "3. Gap to budget" in first
    assert "Total cost $7.20M" in first
    # the short sections share a page: fewer pages than sections, each title printed once
    assert len(pages) < len(sections())
    for title in ("Summary", "Balance – Gartenmöbel “Ü”", "Gap to budget"):
        assert sum(text.splitlines().count(title) for text in pages) == 1, title
    assert sum(len(page.images) for page in reader.pages) == 1  # the chart, server-side
    # a section starts below the one before only when it fits there whole
    gap = next(text for text in pages if "Fam 0" in text)
    assert f"Fam {MAX_TABLE_ROWS - 1}" in gap and f"Fam {MAX_TABLE_ROWS}" not in gap
    assert f"and {55 - MAX_TABLE_ROWS} more rows" in gap
    assert [item.title for item in reader.outline] == [s.title for s in sections()]
    assert [d for d, _, _ in seen] == [0, 1, 2, 3] and seen[-1][2] == "done"


def test_a_section_that_asks_for_a_page_of_its_own_starts_one():
    own = Section("Family S&OP sheet: Garden Tools", text=["Its chart and table."], new_page=True)
    reader = PdfReader(io.BytesIO(pack_pdf("Pack", [sections()[0], own])))
    assert len(reader.pages) == 2  # the short summary would have left room for it
    assert reader.pages[1].extract_text().startswith("Family S&OP sheet: Garden Tools")


def test_the_excel_pack_has_every_table_in_full():
    book = load_workbook(io.BytesIO(pack_excel(sections())))
    assert book.sheetnames == ["Balance", "Gap to budget"]
    assert book["Gap to budget"].max_row == 1 + 55


def test_the_balance_chart_renders_on_the_server_with_the_plans_data():
    from factories import red_tomato

    from sop_core.engine.planner import solve
    from sop_core.reports.charts import balance_chart_spec, balance_frame
    from sop_core.reports.pack import chart_png

    scenario = red_tomato()
    result = solve(scenario)
    spec = balance_chart_spec(result, scenario.period_labels, width=700)
    rows = spec["data"]["values"]
    assert len(rows) == len(balance_frame(result)) == 6 * scenario.horizon
    supplied = sum(r["units"] for r in rows if r["kind"] == "supply")
    made = result.families[["production", "subcontract"]].to_numpy().sum()
    assert abs(supplied - made) < 1e-6 * max(made, 1)  # the bars are the plan's supply
    png = chart_png(spec)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000


def test_a_table_prints_as_its_display_and_keeps_its_numbers_in_excel():
    numbers = pd.DataFrame(
        {"family": ["A", "B"], "units": [397.3551, -0.0001], "fill": [0.9731, None]}
    )
    shown = numbers.assign(units=["397", "0"], fill=["97.3%", ""])
    odd = pd.DataFrame(
        {"what": ["x", None], "when": [pd.NaT, pd.Timestamp("2027-01-02")], "n": [pd.NA, 5]},
        dtype=object,
    )
    sections = [
        Section(
            "Units",
            table=numbers,
            display=shown,
            number_formats={"units": "#,##0", "fill": "0.0%"},
        ),
        Section("Odd", table=odd),  # no display: printed plainly, blank when missing
    ]
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pack_pdf("t", sections))).pages)
    assert "A 397 97.3%" in text and "397.3551" not in text
    assert not any(w in text for w in ("None", "nan", "NaT", "<NA>"))
    assert "2027-01-02" in text
    book = load_workbook(io.BytesIO(pack_excel(sections)))
    units = [row[1] for row in book["Units"].iter_rows(min_row=2)]
    assert [c.value for c in units] == [397.3551, -0.0001]  # the numbers, exactly
    assert {c.number_format for c in units} == {"#,##0"}
    assert book["Units"]["C2"].number_format == "0.0%"
    assert book["Units"]["A2"].number_format == "General"  # text untouched
