"""The meeting pack's scorecard pages: in the PDF as people read them (statuses in
words, the definitions), in the Excel pack with the numbers, for the hand case of
tests/test_scorecard.py."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from factories import HAND_MONTHS as MONTHS
from factories import hand_case
from pypdf import PdfReader

from sop_core.engine.planner import solve
from sop_core.model.scenario import parse_scenario
from sop_core.reports.meeting_pack import meeting_sections
from sop_core.reports.pack import pack_excel, pack_pdf
from sop_core.reports.scorecard_pack import scorecard_sections

BUDGET = pd.DataFrame(
    {
        "family": ["Kayaks"] * 3,
        "period": MONTHS,
        "units": [100.0, 250.0, 100.0],
        "revenue": [1000.0, 2500.0, 1500.0],
    }
)


def test_the_pack_carries_the_scorecard_with_its_statuses_and_definitions():
    s = parse_scenario(hand_case(fill_rate_min=0.95, lead_time_max=5, revenue_tolerance=0.05))
    result = solve(s)
    sections = meeting_sections(s, result, plan_name="Base", budget=BUDGET)
    titles = [x.title for x in sections]
    assert "Scorecard: the five aims of S&OP" in titles and "Scorecard per family" in titles
    reader = PdfReader(io.BytesIO(pack_pdf("pack", sections)))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Base: 1 of 3 targets met, 2 not met." in text
    for words in ("Customer lead time (days)", "3.3", "at most 5.0", "at least 95.0%", "88.9%"):
        assert words in text, words
    assert "not met" in text and "Little's law" in text  # a status in words, a definition
    book = pd.read_excel(io.BytesIO(pack_excel(sections)), sheet_name="Scorecard")
    lead = book.set_index("Measure").loc["Customer lead time"]
    assert lead["Value"] == pytest.approx(10 / 3) and lead["Target, at most"] == 5
    assert book.set_index("Measure").loc["Fill rate", "Value"] == pytest.approx(800 / 9)


def test_an_infeasible_plan_has_a_page_that_says_so():
    data = hand_case()
    data["families"][0]["demand"] = [100, 250, 1000]  # beyond the one worker
    s = parse_scenario(data)
    result = solve(s)
    assert not result.optimal
    (page,) = scorecard_sections(s, result, plan_name="Base")
    assert page.text == ["Base has no feasible plan: nothing to score."]
