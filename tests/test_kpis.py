"""The KPI table: formats, and deltas whose sign and colour a reader can trust."""

from __future__ import annotations

import math

import pytest

from sop_core.engine.kpis import KPIS, TILES, delta, delta_colour, money, pct, show, units
from sop_core.engine.planner import KPI_LABELS


def test_every_kpi_the_planner_reports_is_in_the_table_and_every_tile_too() -> None:
    assert set(KPI_LABELS) == set(KPIS)
    assert set(TILES) <= set(KPIS)


@pytest.mark.parametrize(
    ("key", "value", "base", "text", "colour"),
    [
        ("total_cost", 100.0, 66_974.0 + 100, "-$66,974", "inverse"),  # lower cost: good, down
        ("margin", -656_354.0, 100_000.0, "-$756,354", "normal"),  # lower margin: bad, down
        ("fill_rate", 0.95, 1.0, "-5.0 pts", "normal"),
        ("average_inventory", 120.0, 100.0, "+20", "off"),
    ],
)
def test_a_delta_starts_with_an_ascii_sign_that_follows_the_change(
    key: str, value: float, base: float, text: str, colour: str
) -> None:
    assert delta(key, value, base) == text
    assert delta_colour(key) == colour


def test_no_change_has_no_delta() -> None:
    assert delta("total_cost", 5.0, 5.0) is None
    assert delta("total_cost", None, 5.0) is None


def test_compact_money_fits_a_tile_and_keeps_three_figures() -> None:
    assert money(7_198_123.0, compact=True) == "$7.20M"
    assert money(-250_400.0, compact=True) == "−$250k"
    assert money(7_198_123.0) == "$7,198,123"
    assert money(math.nan) == "–"


def test_show_uses_each_kpis_format() -> None:
    assert show("fill_rate", 1.0) == "100.0%" == pct(1.0)
    assert show("total_cost", 422_275.0) == "$422,275"
    assert show("average_inventory", 1234.4) == "1,234"


def test_one_number_format_never_shows_minus_zero():
    """Tiles (kpis), tables and the pack (fields) format through one function: a value
    that rounds to nothing has no sign; an unknown field's number gets two decimals."""
    from sop_core.base.fields import format_number, show_value

    assert money(-0.3) == show_value("total_cost", -0.3) == "$0"
    assert units(-0.4) == format_number("units", -0.4) == "0"
    assert units(-0.6) == "−1" and money(-2.0) == "−$2"
    assert pct(-0.00001) == "0.0%"
    assert show_value("not_a_known_field", 397.3551) == "397.36"
