"""The scenario file: validation messages that name the field, the value and the fix."""

from __future__ import annotations

import json

import pytest
from factories import red_tomato, red_tomato_dict

from sop_core.base.errors import InputError
from sop_core.model.scenario import load_scenario, months_of_cover, parse_scenario, with_changes


def problems(data) -> list[str]:
    with pytest.raises(InputError) as exc:
        parse_scenario(data)
    return [str(p) for p in exc.value.problems]


def test_red_tomato_loads_with_defaults():
    s = red_tomato()
    assert s.shape == (6, 1)
    assert s.families[0].backorders_allowed is True
    assert s.families[0].safety_stock_series(6) == [0.0] * 6
    assert s.policy.strategy == "optimal"


def test_round_trip_through_json():
    s = red_tomato()
    assert parse_scenario(s.to_json()) == s


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("families", 0, "holding_cost"), -2, "families[0].holding_cost: must be ≥ 0, got -2"),
        (("families", 0, "demand", 2), "abc", "families[0].demand[2]: must be a number, got 'abc'"),
        (
            ("workforce", "regular_hours_per_worker"),
            0,
            "workforce.regular_hours_per_worker: must be > 0, got 0",
        ),
        (
            ("policy", "strategy"),
            "fast",
            "policy.strategy: must be one of 'optimal', 'level' or 'chase', got 'fast'",
        ),
        (
            ("workforce", "hire_cst"),
            1,
            "workforce.hire_cst: is not a known field (check its spelling), got 1",
        ),
        (
            ("families", 0, "backorders_allowed"),
            "maybe",
            "families[0].backorders_allowed: must be true or false, got 'maybe'",
        ),
        (("families", 0, "demand"), [], "families[0].demand: must have at least 1 item, got []"),
    ],
)
def test_field_errors_name_the_field_and_the_value(path, value, message):
    d = red_tomato_dict()
    target = d
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    assert problems(d) == [message]


def test_missing_field():
    d = red_tomato_dict()
    del d["workforce"]["hire_cost"]
    assert problems(d) == ["workforce.hire_cost: is required but missing"]


def test_demand_of_the_wrong_length():
    d = red_tomato_dict()
    d["families"].append({**d["families"][0], "name": "Pots", "demand": [1, 2, 3]})
    assert problems(d) == [
        "families[1].demand: must have 6 values, one per period like families[0].demand, got 3"
    ]


def test_safety_stock_list_length_and_period_labels_and_names():
    d = red_tomato_dict()
    d["families"][0]["safety_stock"] = [1, 2]
    d["periods"] = ["Jan"]
    d["families"].append(dict(d["families"][0]))
    assert problems(d) == [
        "families[0].safety_stock: must be one number or 6 values (one per period), got 2 values",
        "families[1].safety_stock: must be one number or 6 values (one per period), got 2 values",
        "families[1].name: must be unique, got 'Garden tools' again (also families[0])",
        "periods: must have 6 labels, one per demand value, got 1",
    ]


def test_negative_safety_stock_reports_once():
    d = red_tomato_dict()
    d["families"][0]["safety_stock"] = -1
    assert problems(d) == ["families[0].safety_stock: must be ≥ 0, got -1"]


def test_min_above_max_workers():
    d = red_tomato_dict()
    d["workforce"] |= {"min_workers": 90, "max_workers": 70}
    assert problems(d) == ["workforce.min_workers: must be ≤ workforce.max_workers (70), got 90"]


def test_not_json_and_not_an_object():
    assert problems('{"name": ') == [
        "not valid JSON: Expecting value at line 1, column 10; a scenario file is one JSON object"
    ]
    assert problems("[1, 2]") == ["a scenario must be a JSON object {...}, got list"]


def test_nan_and_infinity_are_refused():
    d = red_tomato_dict()
    d["families"][0]["demand"][0] = float("nan")
    assert problems(d) == [
        "families[0].demand[0]: must be a finite number ≤ 1,000,000,000,000, got nan"
    ]


def test_load_scenario_names_the_file(tmp_path):
    with pytest.raises(InputError, match=r"missing\.json: no such file"):
        load_scenario(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    d = red_tomato_dict()
    d["families"][0]["holding_cost"] = -2
    bad.write_text(json.dumps(d))
    with pytest.raises(InputError) as exc:
        load_scenario(bad)
    assert str(exc.value) == "bad.json families[0].holding_cost: must be ≥ 0, got -2"


def test_months_of_cover():
    assert months_of_cover([10, 20, 30], 1) == [20, 30, 30]
    assert months_of_cover([10, 20, 30], 1.5) == [35, 45, 45]
    assert months_of_cover([10, 20, 30], 0) == [0, 0, 0]


def test_with_changes_leaves_the_original_alone():
    s = red_tomato()
    w = with_changes(s, max_overtime_hours_per_worker=5, strategy="chase", safety_stock_months=1)
    assert w.workforce.max_overtime_hours_per_worker == 5
    assert w.policy.strategy == "chase"
    assert w.families[0].safety_stock == [3000, 3200, 3800, 2200, 2200, 2200]
    assert s.workforce.max_overtime_hours_per_worker == 10 and s.policy.strategy == "optimal"
    with pytest.raises(InputError, match="overtime: is not a what-if setting"):
        with_changes(s, overtime=3)


# --------------------------------------------------------------------------- limits


def test_booleans_and_text_are_not_numbers():
    d = red_tomato_dict()
    d["workforce"]["initial"] = True
    d["families"][0]["demand"][2] = False
    d["families"][0]["holding_cost"] = "2"
    assert problems(d) == [
        "workforce.initial: must be a number, got true",
        "families[0].demand[2]: must be a number, got false",
        "families[0].holding_cost: must be a number, got '2'",
    ]


def test_a_number_beyond_the_magnitude_limit_names_its_field():
    d = red_tomato_dict()
    d["workforce"]["initial"] = 1e308
    (msg,) = problems(d)
    assert msg.startswith("workforce.initial: must be ≤ 1,000,000,000,000")
    assert msg.endswith("got 1e+308")
    d = red_tomato_dict()
    d["families"][0]["demand"][0] = 1e12  # the limit itself is accepted
    assert parse_scenario(d).families[0].demand[0] == 1e12


def test_safety_stock_list_item_is_named_not_the_union():
    d = red_tomato_dict()
    d["families"][0]["safety_stock"] = [0, 0, True, 0, 0, 0]
    assert problems(d) == ["families[0].safety_stock[2]: must be a number, got true"]


def test_giant_integer_literal_names_its_field():
    text = json.dumps(red_tomato_dict()).replace('"initial": 80', '"initial": ' + "7" * 5000)
    (msg,) = problems(text)
    assert msg.startswith("workforce.initial: must be ≤ 1,000,000,000,000")
    assert "a number with 5,000 digits" in msg


def test_deep_nesting_is_refused_with_where_it_starts():
    d = red_tomato_dict()
    text = json.dumps(d).replace('"strategy":', '"deep": ' + "[" * 5000 + "]" * 5000 + ', "x":')
    (msg,) = problems(text)
    assert msg.startswith("policy.deep[0][0][0][0]…: nests [ and { more than 20 levels deep")


def test_sizes_are_refused_before_validation():
    d = red_tomato_dict()
    d.pop("periods", None)
    d["families"][0]["demand"] = [1.0] * 1_250_000
    assert problems(d) == [
        "families[0].demand: has 1,250,000 items; at most 520 values (periods) are accepted"
    ]
    d = red_tomato_dict()
    d["families"] = [dict(d["families"][0], name=f"F{i}") for i in range(45_000)]
    assert problems(d) == ["families: has 45,000 items; at most 200 families are accepted"]
    d = red_tomato_dict()
    d["families"] = [dict(d["families"][0], name=f"F{i}", demand=[1.0] * 500) for i in range(41)]
    d.pop("periods", None)
    (msg,) = problems(d)
    assert msg.startswith("families: 41 families × 500 periods = 20,500 family-periods")
    d = red_tomato_dict()
    d["families"][0]["name"] = "x" * 201
    assert problems(d) == [
        "families[0].name: is 201 characters long; names and labels are at most 200 characters"
    ]


def test_file_size_limit(tmp_path):
    big = tmp_path / "big.json"
    big.write_text(" " * (5 * 1024 * 1024 + 1))
    with pytest.raises(InputError, match=r"big\.json: the file is 5\.0 MB; .* at most 5 MB"):
        load_scenario(big)
