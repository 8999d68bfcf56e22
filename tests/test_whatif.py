"""The what-if model: changes applied to a scenario, URL parameters, saved form."""

from __future__ import annotations

import math

from factories import red_tomato

from sop_core.model.whatif import WhatIf, whatif_from_dict, whatif_from_params


def test_levers_change_the_scenario_as_named() -> None:
    s = red_tomato()
    out = WhatIf(overtime=15, workers_max=70, safety_months=1, strategy="level").apply(s)
    assert out.workforce.max_overtime_hours_per_worker == 15
    assert out.workforce.max_workers == 70
    assert out.policy.strategy == "level"
    assert out.families[0].safety_stock_series(6)[0] == s.families[0].demand[1]


def test_url_parameters_ignore_bad_values() -> None:
    w = whatif_from_params(
        {"overtime": "15", "workers_min": "-3", "strategy": "nonsense", "safety_months": "inf"}
    )
    assert w == WhatIf(overtime=15.0)


def test_saved_form_is_json_safe_and_round_trips() -> None:
    w = WhatIf(overtime=12, workers_max=math.inf, safety_months=0.5, strategy="chase")
    saved = w.to_dict()
    assert saved["workers_max"] is None  # no ceiling: the scenario's own (none)
    back = whatif_from_dict(saved)
    assert back.apply(red_tomato()) == w.apply(red_tomato())
    assert whatif_from_dict(None) == WhatIf()
