"""The LP's structure and names, and that the fast update path builds the same LP as PuLP."""

from __future__ import annotations

import highspy
import numpy as np
import pytest
from factories import red_tomato, scenarios, slider_change, tiny
from hypothesis import given, settings

from sop_core.engine.lp import (
    Layout,
    block_order,
    build_problem,
    compile_to_highs,
    model_data,
    shape_key,
)
from sop_core.engine.planner import Planner
from sop_core.model.scenario import Scenario


def _dense(highs) -> dict[str, np.ndarray]:
    lp = highs.getLp()
    a = lp.a_matrix_
    dense = np.zeros((lp.num_row_, lp.num_col_))
    start, index, value = np.asarray(a.start_), np.asarray(a.index_), np.asarray(a.value_)
    rowwise = "row" in str(a.format_).lower()
    for outer in range(len(start) - 1):
        for k in range(start[outer], start[outer + 1]):
            if rowwise:
                dense[outer, index[k]] = value[k]
            else:
                dense[index[k], outer] = value[k]
    return {
        "A": dense,
        "col_lower": np.asarray(lp.col_lower_),
        "col_upper": np.asarray(lp.col_upper_),
        "cost": np.asarray(lp.col_cost_),
        "row_lower": np.asarray(lp.row_lower_),
        "row_upper": np.asarray(lp.row_upper_),
    }


def test_textbook_names_for_variables_and_constraints():
    prob, _ = build_problem(model_data(red_tomato()))
    names = {v.name for v in prob.variables()}
    assert {"W_1", "H_1", "L_6", "O_3", "P_0_1", "I_0_6", "S_0_4", "C_0_2"} <= names
    cons = {c.name for c in prob.constraints()}
    assert {
        "workforce_balance_1",
        "labour_capacity_6",
        "overtime_limit_2",
        "inventory_balance_0_4",
        "safety_stock_target_0_3",
    } <= cons
    assert len(cons) == 6 * 3 + 6 * 2  # three per-period families and two per family and period


def test_unlimited_overtime_has_no_overtime_rows_and_another_shape():
    s = tiny([1, 2], workforce={"max_overtime_hours_per_worker": None})
    prob, _ = build_problem(model_data(s))
    assert not any(c.name.startswith("overtime_limit") for c in prob.constraints())
    assert shape_key(s) != shape_key(tiny([1, 2]))


@settings(max_examples=40, deadline=None)
@given(scenarios(), scenarios())
def test_pushing_a_scenario_into_a_compiled_model_gives_the_lp_pulp_builds(
    first: Scenario, second: Scenario
) -> None:
    """Planner(first) updated with second's numbers is the LP that PuLP builds for second."""
    if shape_key(first) != shape_key(second):
        second = slider_change(slider_change(first, 4, 3.0), 5, 3.0)
    planner = Planner(first)
    planner._push(model_data(second))
    fresh = Planner(second)
    got, want = _dense(planner.highs), _dense(fresh.highs)
    for key in want:
        assert np.array_equal(got[key], want[key]), key


def test_the_layout_refuses_a_model_not_compiled_in_block_order():
    s = tiny([3, 4, 5], workforce={"max_overtime_hours_per_worker": None})
    prob, v = build_problem(model_data(s))
    layout = Layout.blocked(shape_key(s))
    layout.check(*compile_to_highs(prob, highspy.Highs(), block_order(v)))
    with pytest.raises(ValueError, match="block order"):
        layout.check(*compile_to_highs(prob, highspy.Highs()))  # PuLP's order: by name
