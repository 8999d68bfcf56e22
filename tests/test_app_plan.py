"""AppTest of the Plan page: renders, levers move the KPIs the expected way, URL levers."""

from __future__ import annotations

from pathlib import Path

import pytest
from apptests import APP, open_app_page
from streamlit.testing.v1 import AppTest

PAGE = "pages/plan.py"


@pytest.fixture(autouse=True)
def _tmp_store(tmp_path, monkeypatch):
    monkeypatch.setenv("SOP_DATABASE_URL", f"sqlite:///{tmp_path / 'store.sqlite'}")


def open_plan(**query: str) -> AppTest:
    return open_app_page(PAGE, run_entry_first=True, **query)


def kpi(at: AppTest, label: str) -> float:
    """A tile's exact value: the tile shows it compact ($7.20M), its help in full."""
    text = next(m.help for m in at.metric if m.label == label).rsplit(": ", 1)[1]
    return float(text.replace("$", "").replace(",", "").replace("%", "").replace("−", "-"))


def test_entry_point_opens_on_the_sample_with_no_setup():
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert at.sidebar.selectbox(key="sidebar_company").value == "Sample company"
    assert at.title[0].value == "Where we stand"  # the home page
    assert any("sample_history.csv" in c.value.replace("\\", "") for c in at.sidebar.caption)
    plan = open_plan()  # the Plan page, at /plan
    assert "S&OP workbench balances" in plan.caption[0].value  # what it is for, in one line
    assert [m.label for m in plan.metric][:2] == ["Total cost", "Fill rate"]


def test_plan_page_renders_kpis_chart_and_levers():
    at = open_plan()
    labels = [m.label for m in at.metric]
    assert labels == ["Total cost", "Fill rate", "Avg. inventory", "Hires + layoffs", "Margin"]
    assert {s.key for s in at.slider} >= {"overtime", "workers_min", "workers_max", "safety_months"}
    assert at.radio(key="strategy").value == "optimal"
    assert not at.error


def test_more_safety_stock_means_more_inventory_and_more_cost_never_a_lower_fill_rate():
    at = open_plan()
    inv0, cost0 = kpi(at, "Avg. inventory"), kpi(at, "Total cost")
    fill0 = kpi(at, "Fill rate")
    at.slider(key="safety_months").set_value(1.0).run()
    assert not at.exception
    assert kpi(at, "Avg. inventory") > inv0
    assert kpi(at, "Total cost") >= cost0
    # safety stock is a target: short of it costs a penalty, no customer waits for it
    at.slider(key="safety_months").set_value(2.0).run()
    assert kpi(at, "Fill rate") >= fill0
    assert kpi(at, "Total cost") >= cost0


def test_less_overtime_never_lowers_the_cost():
    at = open_plan()
    cost0 = kpi(at, "Total cost")
    at.slider(key="overtime").set_value(0.0).run()
    assert kpi(at, "Total cost") >= cost0 - 0.5
    at.slider(key="overtime").set_value(at.slider(key="overtime").max).run()
    assert kpi(at, "Total cost") <= cost0 + 0.5


def test_level_strategy_changes_the_workforce_less():
    at = open_plan()
    changes0 = kpi(at, "Hires + layoffs")
    at.radio(key="strategy").set_value("level").run()
    assert not at.exception
    assert kpi(at, "Hires + layoffs") <= changes0


def test_an_infeasible_ceiling_shows_the_diagnosis_not_a_traceback():
    at = open_plan()
    at.slider(key="overtime").set_value(0.0)
    at.slider(key="workers_max").set_value(1.0).run()
    assert not at.exception
    assert at.error, "an infeasible what-if is explained"
    text = at.error[0].value + " ".join(m.value for m in at.markdown)
    assert "No feasible plan" in text
    assert "labour hours short" in text or "workers" in text


def test_levers_come_from_the_url():
    at = open_plan(overtime="20", safety_months="1.5", strategy="level")
    assert at.slider(key="overtime").value == 20
    assert at.slider(key="safety_months").value == 1.5
    assert at.radio(key="strategy").value == "level"
    plain = open_plan()
    assert kpi(at, "Total cost") > kpi(plain, "Total cost")  # a dearer what-if took effect


def test_a_bad_url_value_is_ignored():
    at = open_plan(overtime="lots", safety_months="-3")
    assert not at.exception
    assert kpi(at, "Total cost") > 0


def test_kept_what_if_reaches_the_executive_page():
    at = open_plan()
    at.slider(key="safety_months").set_value(1.0).run()
    at.text_input(key="plan_whatif_name").input("One month of cover").run()
    at.button(key="plan_keep").click().run()
    assert "One month of cover" in at.session_state["ws_state"].whatifs  # in the store
    # said beside the button, with where to go next
    assert [m.value for m in at.success] == ["Kept “One month of cover”."]
    links = {p.proto.label: p.proto.page for p in at.get("page_link")}
    assert links["Next: compare it with the plan on the Executive page"] == "executive"
    at.switch_page("pages/executive.py").run()
    assert not at.exception
    table = at.dataframe[0].value
    assert "One month of cover" in set(table["Scenario"])


def test_detail_views_are_computed_only_when_chosen():
    at = open_plan()
    assert at.button_group(key="plan_view").value == "Shadow prices"
    assert any("labour hour" in m.value for m in at.markdown), "shadow prices in words"
    assert not at.dataframe, "no other detail view is built until one is chosen"
    assert "plan_strategies" not in at.session_state
    assert any("plan solved in" in c.value for c in at.caption)

    at.button_group(key="plan_view").set_value(None).run()
    assert not any("labour hour" in m.value for m in at.markdown)
    assert any("Pick a view" in c.value for c in at.caption)

    at.button_group(key="plan_view").set_value("Optimal vs level vs chase").run()
    assert not at.exception
    table = at.dataframe[0].value
    assert list(table["Strategy"]) == ["Optimal (cost)", "Level workforce", "Chase demand"]
    kept = len(at.session_state.plan_strategies)
    at.radio(key="strategy").set_value("level").run()  # same what-if otherwise: not re-solved
    assert len(at.session_state.plan_strategies) == kept

    at.button_group(key="plan_view").set_value("Plan table").run()
    assert {"Period", "Family", "Production (units)"} <= set(at.dataframe[0].value.columns)
    at.button_group(key="plan_view").set_value("Cost breakdown").run()
    assert "Cost" in at.dataframe[0].value.columns
    at.button_group(key="plan_view").set_value("Shadow prices").run()
    assert not at.exception and not at.dataframe


def test_every_rerun_says_how_long_the_plan_took():
    at = open_plan()
    runs = at.session_state.plan_runs
    at.slider(key="overtime").set_value(10.0).run()
    assert at.session_state.plan_runs == runs + 1
    assert any(f"run {runs + 1}" in c.value for c in at.caption)


def test_shadow_price_sentences_match_the_plan_tables():
    """The page reads the prices from arrays; the tables' ranking must say the same."""
    from pages._workspace import sample_path
    from sop_core.base.text import md_escape
    from sop_core.engine.planner import solve
    from sop_core.engine.results import binding_resources
    from sop_core.model.scenario import load_scenario

    at = open_plan()
    shown = next(m.value for m in at.markdown if "One more labour hour" in m.value)
    result = solve(load_scenario(sample_path()))
    per = result.periods.dropna(subset=["labour_hour_value"])
    per = per[per["labour_hour_value"] > 0.005].nlargest(4, "labour_hour_value")
    fam = result.families.dropna(subset=["demand_marginal_cost"])
    fam = fam[fam["demand_marginal_cost"] > 0.005].nlargest(2, "demand_marginal_cost")
    expected = (
        [
            f"- One more labour hour in **{md_escape(r.period)}** would save "
            f"**${r.labour_hour_value:,.2f}**."
            for r in per.itertuples()
        ]
        + [f"- {md_escape(line)}." for line in binding_resources(result)]
        + [
            f"- One more unit of **{md_escape(r.family)}** demand in **{md_escape(r.period)}** "
            f"would cost **${r.demand_marginal_cost:,.2f}**."
            for r in fam.itertuples()
        ]
    )
    assert len(per) > 0
    assert shown.splitlines() == expected


def test_an_infeasible_what_if_shows_no_tiles_and_the_relaxed_plan_marked_not_a_plan():
    at = open_plan()
    at.slider(key="overtime").set_value(0.0)
    at.slider(key="workers_max").set_value(1.0).run()
    assert not at.exception
    assert not at.metric, "no figures of a plan that does not exist"
    assert any("Not a plan" in c.value for c in at.caption)
    assert at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")


def test_a_floor_above_the_ceiling_is_said_once_and_fixed_in_one_click():
    at = open_plan()
    step = at.slider(key="workers_max").step
    floor = step * round(0.6 * at.slider(key="workers_max").max / step)
    at.slider(key="workers_min").set_value(floor)
    at.slider(key="workers_max").set_value(floor / 4).run()
    assert not at.exception and not at.metric
    said = at.error[0].value + " ".join(m.value for m in at.markdown)
    assert said.count("is above the workforce ceiling") == 1  # the cause, once
    fix = at.button(key="plan_fix")
    assert fix.label.startswith(f"Raise the workforce ceiling to {floor:,.0f} workers")
    fix.click().run()
    assert not at.exception and not at.error
    assert at.slider(key="workers_max").value == floor
    assert at.slider(key="workers_min").value <= floor
    assert [m.label for m in at.metric][:2] == ["Total cost", "Fill rate"]


def fenced_sample(tmp_path, monkeypatch, frozen: int, growth: float) -> dict:
    """The sample company approved as it is, then opened with ``frozen`` periods fenced
    and its first family's demand grown by ``growth``; returns the scenario's dict (its
    file is the sample the app opens)."""
    import json
    import os

    from sop_core.model.scenario import load_scenario
    from sop_core.store.scenarios import Store

    sample = load_scenario(Path(__file__).resolve().parent.parent / "data" / "sample_company.json")
    store = Store(os.environ["SOP_DATABASE_URL"])
    store.save(sample.model_copy(update={"name": "Approved"}), author="test")
    store.approve("Approved", author="test")
    data = json.loads(sample.to_json())
    data["policy"]["frozen_periods"] = frozen
    data["families"][0]["demand"] = [round(growth * x) for x in data["families"][0]["demand"]]
    path = tmp_path / "fenced.json"
    path.write_text(json.dumps(data))
    monkeypatch.setenv("SOP_SAMPLE_SCENARIO", str(path))
    return data


def test_the_time_fence_holds_the_approved_plan_and_the_chart_shades_it(tmp_path, monkeypatch):
    import json

    data = fenced_sample(tmp_path, monkeypatch, frozen=2, growth=1.1)
    at = open_plan()
    assert any("Time fence" in c.value and "frozen" in c.value for c in at.caption)
    charts = at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")
    specs = [json.loads(c.proto.spec) for c in charts]
    shade = next(sp["layer"][0] for sp in specs if "layer" in sp)
    assert shade["mark"]["type"] == "rect"
    assert [v["period"] for v in shade["data"]["values"]] == data["periods"][:2]
    # a lever cannot move the fenced periods
    at.slider(key="overtime").set_value(0.0).run()
    assert not at.exception


def test_capacity_and_executive_plan_inside_the_fence_too(tmp_path, monkeypatch):
    """The fenced plan is the one every page shows: the Executive tiles and the Plan
    tiles agree, and both differ from the unfenced plan."""
    import json

    data = fenced_sample(tmp_path, monkeypatch, frozen=3, growth=1.3)
    plan = open_plan()
    executive = open_app_page("pages/executive.py")
    assert kpi(executive, "Total cost") == kpi(plan, "Total cost")
    data["policy"]["frozen_periods"] = 0
    (tmp_path / "fenced.json").write_text(json.dumps(data))
    monkeypatch.setenv("SOP_DATABASE_URL", f"sqlite:///{tmp_path / 'unfenced.sqlite'}")
    free = open_plan()
    assert kpi(free, "Total cost") < kpi(plan, "Total cost")  # the fence costs something


def test_a_kept_what_if_and_a_saved_scenario_store_the_fenced_plan_shown(tmp_path, monkeypatch):
    """Inside a binding time fence, *Keep this what-if* (Plan) and *Save* (Scenarios)
    store the KPIs of the plan the Plan page shows (fenced), not of an unfenced solve."""
    import os

    from sop_core.engine.planner import solve
    from sop_core.model.scenario import load_scenario
    from sop_core.store.scenarios import Store

    fenced_sample(tmp_path, monkeypatch, frozen=3, growth=1.3)
    at = open_plan()
    shown = kpi(at, "Total cost")
    free = solve(load_scenario(tmp_path / "fenced.json")).total_cost
    assert free < shown - 1  # the fence binds: the two plans differ
    at.text_input(key="plan_whatif_name").input("As shown").run()
    at.button(key="plan_keep").click().run()
    assert not at.exception
    at.switch_page("pages/scenarios.py").run()
    at.text_input(key="scen_save_name").set_value("Saved as shown")
    at.button(key="scen_save").click().run()
    assert not at.exception
    store = Store(os.environ["SOP_DATABASE_URL"])
    for name in ("As shown", "Saved as shown"):
        kept = store.open(name)
        assert kept.kpis["total_cost"] == pytest.approx(shown, abs=0.5), name  # tile: to $1


def test_the_strategies_compared_name_their_costs_as_the_cost_chart_does():
    """The stacked bars' legend reads "Regular labour", not ``regular_labour``."""
    from factories import red_tomato

    from sop_core.engine.planner import Planner
    from sop_core.reports.charts import strategies_chart, strategies_table
    from sop_core.reports.exports import COST_LABELS

    s = red_tomato()
    compared = Planner(s).compare_strategies(s, None)
    categories = set(strategies_chart(compared).data["category"])
    assert categories and categories <= set(COST_LABELS.values())
    table = strategies_table(compared)
    assert list(table["Strategy"]) == ["Optimal (cost)", "Level workforce", "Chase demand"]
    assert table["Total cost"].iloc[0] == "$422,275"
