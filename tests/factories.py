"""Small scenarios for tests, built from keyword overrides (no files)."""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import strategies as st

from sop_core.demand.history import validate_history
from sop_core.model.scenario import Scenario, parse_scenario, with_changes
from sop_core.model.whatif import WhatIf
from sop_core.services import companies, plans
from sop_core.services import scenarios as saved_scenarios
from sop_core.services.workbench import Workbench

DATA = Path(__file__).resolve().parent.parent / "data"


def red_tomato_dict() -> dict[str, Any]:
    """The textbook case (Chopra & Meindl, Red Tomato Tools), as a dict to modify."""
    return json.loads((DATA / "red_tomato.json").read_text())


def red_tomato(**policy: Any) -> Scenario:
    d = red_tomato_dict()
    d["policy"].update(policy)
    return parse_scenario(d)


def tiny(
    demand: list[float] | list[list[float]],
    workforce: dict[str, Any] | None = None,
    policy: dict[str, Any] | None = None,
    **family: Any,
) -> Scenario:
    """A hand-checkable scenario: by default one worker of 10 regular hours, no overtime,
    free labour, $1 material, $1 holding, $2 backorder, $5 subcontract per unit, one
    labour hour per unit; hiring and layoffs cost $1000 each.

    ``demand`` may be a list of lists for several families; ``family`` overrides apply
    to all families, or give a tuple (one value per family) for per-family values."""
    demands = demand if demand and isinstance(demand[0], list) else [demand]
    wf = {
        "initial": 1,
        "regular_hours_per_worker": 10,
        "regular_cost_per_worker": 0,
        "overtime_cost_per_hour": 0,
        "max_overtime_hours_per_worker": 0,
        "hire_cost": 1000,
        "layoff_cost": 1000,
    }
    wf.update(workforce or {})
    fams = []
    for i, dem in enumerate(demands):
        fam = {
            "name": f"F{i}",
            "demand": dem,
            "labor_hours_per_unit": 1,
            "material_cost": 1,
            "holding_cost": 1,
            "backorder_cost": 2,
            "subcontract_cost": 5,
        }
        for key, value in family.items():
            per = value if isinstance(value, tuple) else None
            fam[key] = copy.deepcopy(per[i] if per is not None else value)
        fams.append(fam)
    return parse_scenario(
        {"name": "tiny", "workforce": wf, "families": fams, "policy": policy or {}}
    )


def tiny_with_line(demand: list[list[float]], hours: float = 8, overtime: float = 0) -> Scenario:
    """tiny() with labour to spare and one line, "Line 1", of ``hours`` a period (plus
    ``overtime`` hours at $2 an hour) that every family loads at 1 h a unit."""
    base = json.loads(tiny(demand, workforce={"regular_hours_per_worker": 100}).to_json())
    for fam in base["families"]:
        fam["resource_hours"] = {"Line 1": 1}
    base["resources"] = [
        {"name": "Line 1", "hours_available": hours, "overtime_hours_max": overtime,
         "overtime_cost_per_hour": 2}
    ]  # fmt: skip
    return parse_scenario(base)


def two_period_dict(name: str = "Base", demand: list[float] | None = None) -> dict[str, Any]:
    """A small valid scenario file (two periods, one family), as a dict."""
    return {
        "name": name,
        "periods": ["Jan", "Feb"],
        "workforce": {
            "initial": 10,
            "regular_hours_per_worker": 160,
            "regular_cost_per_worker": 640,
            "overtime_cost_per_hour": 6,
            "hire_cost": 300,
            "layoff_cost": 500,
        },
        "families": [
            {
                "name": "Garden tools",
                "demand": demand or [100.0, 200.0],
                "labor_hours_per_unit": 4,
                "material_cost": 10,
                "holding_cost": 2,
                "backorder_cost": 5,
                "subcontract_cost": 30,
            }
        ],
    }


def sample_with_lines(tmp_path: Path) -> Path:
    """The sample company with two lines and a supplier; Line 2 is tight."""
    data = json.loads((DATA / "sample_company.json").read_text())
    data["resources"] = [
        {"name": "Line 1", "hours_available": 9000},
        {"name": "Line 2", "hours_available": 8600, "overtime_hours_max": 500,
         "overtime_cost_per_hour": 45},
        {"name": "Supplier A", "hours_available": 20000},
    ]  # fmt: skip
    data["calendar"] = {"country": "DE", "shutdowns": ["2027-08-02", "2027-08-03"]}
    for k, fam in enumerate(data["families"]):
        fam["resource_hours"] = {"Line 1" if k % 2 else "Line 2": 0.9, "Supplier A": 1.0}
    path = tmp_path / "lines.json"
    path.write_text(json.dumps(data))
    return path


def save_level_and_chase(store: Any, company: str, scenario: Scenario, author: str) -> None:
    """Two versions of ``scenario`` saved for ``company``: "Level" (no overtime) and
    "Chase" (20 h of overtime per worker), the supply review's usual pair."""
    from sop_core.store.workspaces import Workspaces

    company_id = Workspaces(store).id_of(company)
    for name, overtime in (("Level", 0.0), ("Chase", 20.0)):
        wf = scenario.workforce.model_copy(update={"max_overtime_hours_per_worker": overtime})
        store.save(
            scenario.model_copy(update={"name": name, "workforce": wf}),
            author=author,
            workspace_id=company_id,
        )


def complete_cycle(
    store: Any,
    company: str,
    month: str,
    *,
    recommended: list[str],
    approve: str,
    authors: dict[str, Any] | None = None,
    author: Any = "Eve",
) -> None:
    """Start ``company``'s ``month`` cycle and sign off its five steps in order: the
    supply review recommends ``recommended``, the executive meeting approves ``approve``.
    ``authors``: step -> who signs it off (default ``author``, a local name with every
    right)."""
    from sop_core.process.cycle import STEPS
    from sop_core.store.cycles import Cycles

    cycles = Cycles(store)
    first = (authors or {}).get("data", author)
    cycles.create(company, month, author=first)
    extra = {"supply": {"recommended": recommended}, "executive": {"approve": approve}}
    for step in (d.key for d in STEPS):
        who = (authors or {}).get(step, author)
        cycles.sign_off(company, month, step, author=who, **extra.get(step, {}))


def overwriting_inserts(
    sqlite: bool, table: str, columns: tuple[str, ...], key: tuple[str, ...] = ("id",)
) -> list[str]:
    """INSERTs of ``columns`` (bound as ``:column``) that overwrite the row already holding
    their ``key``: an upsert (``ON CONFLICT (key) DO UPDATE``, the PostgreSQL way) and, on
    SQLite, ``INSERT OR REPLACE``, whose implicit delete of the old row fires no delete
    trigger."""
    names, values = ", ".join(columns), ", ".join(f":{c}" for c in columns)
    updated = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in key)
    upsert = (
        f"INSERT INTO {table} ({names}) VALUES ({values}) "
        f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {updated}"
    )
    if not sqlite:
        return [upsert]
    return [f"INSERT OR REPLACE INTO {table} ({names}) VALUES ({values})", upsert]


# --- hypothesis: random small scenarios and slider-style changes of them ---------------

_money = st.floats(0, 50, allow_nan=False).map(lambda x: round(x, 2))
_limit = st.one_of(st.none(), st.integers(0, 40).map(float))


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    """A random small scenario (1-5 periods, 1-3 families, 0-2 resources)."""
    T = draw(st.integers(1, 5))
    F = draw(st.integers(1, 3))
    fams = []
    for f in range(F):
        fams.append(
            {
                "name": f"F{f}",
                "demand": draw(st.lists(st.integers(0, 120).map(float), min_size=T, max_size=T)),
                "labor_hours_per_unit": draw(st.sampled_from([0.5, 1, 2, 4])),
                "material_cost": draw(_money),
                "holding_cost": draw(_money),
                "backorder_cost": draw(_money),
                "subcontract_cost": draw(_money),
                "max_subcontract": draw(_limit),
                "initial_inventory": draw(st.integers(0, 50).map(float)),
                "initial_backorder": draw(st.integers(0, 10).map(float)),
                "safety_stock": draw(
                    st.one_of(
                        st.integers(0, 20).map(float),
                        st.lists(st.integers(0, 20).map(float), min_size=T, max_size=T),
                    )
                ),
                "ending_inventory_min": draw(st.integers(0, 20).map(float)),
                "backorders_allowed": draw(st.booleans()),
                "price": draw(st.one_of(st.none(), _money)),
            }
        )
    lo = draw(_limit)
    hi = draw(_limit)
    if lo is not None and hi is not None and lo > hi:
        lo, hi = hi, lo
    wf = {
        "initial": draw(st.integers(0, 30).map(float)),
        "regular_hours_per_worker": draw(st.sampled_from([8.0, 10.0, 160.0])),
        "regular_cost_per_worker": draw(_money),
        "overtime_cost_per_hour": draw(_money),
        "max_overtime_hours_per_worker": draw(_limit),
        "hire_cost": draw(_money),
        "layoff_cost": draw(_money),
        "min_workers": lo,
        "max_workers": hi,
        "max_hires": draw(_limit),
        "max_layoffs": draw(_limit),
    }
    policy = {
        "strategy": draw(st.sampled_from(["optimal", "level", "chase"])),
        "ending_backorders_allowed": draw(st.booleans()),
    }
    hours = st.integers(0, 200).map(float)
    resources = [
        {
            "name": f"R{r}",
            "hours_available": draw(st.one_of(hours, st.lists(hours, min_size=T, max_size=T))),
            "overtime_hours_max": draw(st.integers(0, 20).map(float)),
            "overtime_cost_per_hour": draw(_money),
        }
        for r in range(draw(st.integers(0, 2)))
    ]
    for fam in fams:
        fam["resource_hours"] = {
            res["name"]: draw(st.sampled_from([0.5, 1.0, 3.0]))
            for res in resources
            if draw(st.booleans())
        }
    return parse_scenario(
        {
            "name": "random",
            "workforce": wf,
            "families": fams,
            "policy": policy,
            "resources": resources,
            "calendar": draw(
                st.one_of(
                    st.none(),
                    st.lists(st.integers(0, 23).map(float), min_size=T, max_size=T).map(
                        lambda days: {"working_days": days, "standard_days": 21}
                    ),
                )
            ),
        }
    )


def slider_change(s: Scenario, which: int, amount: float) -> Scenario:
    """One slider-style change of a scenario, keeping its shape."""
    if which == 0:
        return with_changes(s, safety_stock_months=amount / 20)
    if which == 1:
        return with_changes(s, max_overtime_hours_per_worker=amount)
    if which == 2:
        return with_changes(s, strategy=["optimal", "level", "chase"][int(amount) % 3])
    if which == 3:
        return with_changes(s, regular_hours_per_worker=8 + amount, hire_cost=amount)
    if which == 5:  # resources: hours available, overtime and hours per unit
        data = s.model_dump()
        for res in data["resources"]:
            res["hours_available"] = 10 * amount
            res["overtime_cost_per_hour"] = amount / 2
        for fam in data["families"]:
            fam["resource_hours"] = {k: v + amount / 10 for k, v in fam["resource_hours"].items()}
        return parse_scenario(data)
    fams = [
        f.model_copy(
            update={
                "demand": [d + amount for d in f.demand],
                "labor_hours_per_unit": f.labor_hours_per_unit + amount / 10,
                "holding_cost": amount / 4,
            }
        )
        for f in s.families
    ]
    return s.model_copy(update={"families": fams})


# --------------------------------------------------------------------------- the command line


#: the backends a store command's test runs on (``@pytest.fixture(params=BACKENDS)``)
BACKENDS = ("sqlite", pytest.param("postgres", marks=pytest.mark.postgres))
_CLI_DATABASES: dict[str, str] = {}


def cli_store(request: Any, tmp_path: Path, monkeypatch: Any, *, roles: str, actor: str) -> str:
    """An empty store for a command-line test on ``request.param``'s backend (SQLite in
    ``tmp_path``, or one PostgreSQL database per test module, emptied for each test; the
    module imports the ``postgres_server`` fixture), handed to the commands as a user
    would: ``$SOP_DATABASE_URL``, ``$SOP_ACTOR`` = ``actor`` (a plain name: the trusted
    local user) and ``$SOP_ROLES_FILE`` holding ``roles`` (a role file's TOML). Returns
    its URL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    else:
        from postgres_server import drop_store_tables, fresh_database

        module = request.module.__name__.rsplit(".", 1)[-1]
        if module not in _CLI_DATABASES:
            server = request.getfixturevalue("postgres_server")
            _CLI_DATABASES[module] = fresh_database(server, module)
        url = _CLI_DATABASES[module]
        drop_store_tables(url)
    role_file = tmp_path / "roles.toml"
    role_file.write_text(roles, encoding="utf-8")
    monkeypatch.setenv("SOP_DATABASE_URL", url)
    monkeypatch.setenv("SOP_ACTOR", actor)
    monkeypatch.setenv("SOP_ROLES_FILE", str(role_file))
    return url


def run_cli(capsys: Any, *argv: str) -> tuple[int, str, str]:
    """``python -m sop_core ARGV`` in this process: its exit code, stdout and stderr."""
    from sop_core.cli.main import main

    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def company_at(url: str, name: str = "Acme") -> Any:
    """Company ``name`` as the store at ``url`` holds it (read through the services)."""
    from sop_core.services import companies
    from sop_core.services.workbench import connect

    with connect(url) as wb:
        return companies.company_state(wb, name)


def audit_at(url: str, company: str = "Acme") -> Any:
    """``company``'s audit trail at ``url``, newest first, with the exact values."""
    from sop_core.services import audit
    from sop_core.services.workbench import connect

    with connect(url) as wb:
        return audit.audit_trail(wb, company=company, exact=True)


def refused_cli(capsys: Any, url: str, *argv: str) -> str:
    """Run a command that must be refused: exit 2, nothing on stdout, nothing saved for
    Acme (its revision and audit trail as they were); returns stderr."""
    before, rows = company_at(url).revision, len(audit_at(url))
    code, out, err = run_cli(capsys, *argv)
    assert (code, out) == (2, ""), err
    assert company_at(url).revision == before and len(audit_at(url)) == rows
    return err


def pack_sections(pdf: bytes) -> dict[str, tuple[int, str]]:
    """A meeting pack's sections as printed: title -> (the page it starts on, from 0;
    its text, from its title's line to the next section's), in the PDF's outline order.
    Sections follow on where they fit, so a page can hold several."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    lines: list[tuple[int, str]] = [
        (n, line)
        for n, page in enumerate(reader.pages)
        for line in page.extract_text().splitlines()
    ]
    titles = [item.title for item in reader.outline]
    starts, at = [], 0
    for title in titles:
        at = next(i for i in range(at, len(lines)) if lines[i][1] == title)
        starts.append(at)
        at += 1
    ends = [*starts[1:], len(lines)]
    return {
        title: (lines[s][0], "\n".join(line for _, line in lines[s:e]))
        for title, s, e in zip(titles, starts, ends, strict=True)
    }


def generated_company(families: int = 20, seed: int = 20) -> tuple[Scenario, Any]:
    """A seeded company of ``families`` families: 24 months of monthly history (2025-01
    to 2026-12, seasonal, noisy) and a 12-month plan of 2027 with prices, safety stock
    and subcontracting; returns the scenario and the raw history (period, family,
    demand)."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    months = pd.date_range("2025-01-01", periods=24, freq="MS")
    rows, fams = [], []
    for f in range(families):
        base = 100 + 40 * f
        season = 1 + 0.3 * np.sin(2 * np.pi * (np.arange(36) + f) / 12)
        demand = np.round(base * season * rng.uniform(0.85, 1.15, 36))
        rows += [
            {"period": m.strftime("%Y-%m"), "family": f"Family {f:02d}", "demand": float(d)}
            for m, d in zip(months, demand[:24], strict=True)
        ]
        fams.append(
            {
                "name": f"Family {f:02d}",
                "demand": [float(d) for d in demand[24:]],
                "labor_hours_per_unit": round(float(rng.uniform(0.5, 4)), 2),
                "material_cost": round(float(rng.uniform(5, 40)), 2),
                "holding_cost": round(float(rng.uniform(0.5, 4)), 2),
                "backorder_cost": round(float(rng.uniform(3, 12)), 2),
                "subcontract_cost": round(float(rng.uniform(20, 80)), 2),
                "max_subcontract": 50.0,
                "safety_stock": float(round(base * 0.3)),
                "price": round(float(rng.uniform(60, 150)), 2),
            }
        )
    scenario = parse_scenario(
        {
            "name": "Generated company",
            "periods": [f"2027-{m:02d}" for m in range(1, 13)],
            "workforce": {
                "initial": 120,
                "regular_hours_per_worker": 160,
                "regular_cost_per_worker": 640,
                "overtime_cost_per_hour": 6,
                "max_overtime_hours_per_worker": 20,
                "hire_cost": 300,
                "layoff_cost": 500,
                "max_workers": 160,
            },
            "families": fams,
            "policy": {"frozen_periods": 0},
        }
    )
    return scenario, pd.DataFrame(rows)


# --- Acme: a one-family company small enough to check by hand --------------------------

#: Acme's months (tests/test_services_exports.py's docstring tells its plans)
ACME_MONTHS = ["2027-01", "2027-02", "2027-03"]


def acme_scenario(demand: list[float], name: str = "Acme plan", frozen: int = 1) -> Scenario:
    """Acme's one-family plan (Pumps: one worker of 10 regular hours at $1 a period, 1
    hour and $1 of material a unit, hiring and layoffs free, backlog $2 a unit a period,
    a ``frozen``-month time fence), with ``demand`` per month."""
    return parse_scenario(
        {
            "name": name,
            "periods": ACME_MONTHS,
            "workforce": {
                "initial": 1,
                "regular_hours_per_worker": 10,
                "regular_cost_per_worker": 1,
                "overtime_cost_per_hour": 0,
                "max_overtime_hours_per_worker": 0,
                "hire_cost": 0,
                "layoff_cost": 0,
            },
            "families": [
                {
                    "name": "Pumps",
                    "demand": demand,
                    "labor_hours_per_unit": 1,
                    "material_cost": 1,
                    "holding_cost": 1,
                    "backorder_cost": 2,
                    "subcontract_cost": 5,
                }
            ],
            "policy": {"frozen_periods": frozen},
        }
    )


def sku_history() -> pd.DataFrame:
    """Two years of monthly Pumps sales by SKU: P-6 sells 6 a month, P-4 sells 4."""
    periods = pd.period_range("2025-01", "2026-12", freq="M").strftime("%Y-%m")
    raw = pd.DataFrame(
        [
            {"period": p, "family": "Pumps", "sku": sku, "demand": float(units)}
            for p in periods
            for sku, units in (("P-6", 6), ("P-4", 4))
        ]
    )
    return validate_history(raw)


def seed_acme(wb: Workbench, *, approve: bool = True, history: bool = True) -> None:
    """Acme (demand 20, 10, 10; its SKU sales history stored), and its approved
    scenario "Base" (demand 10 a month) unless ``approve`` is false."""
    companies.seed_company(
        wb,
        "Acme",
        acme_scenario([20.0, 10.0, 10.0]),
        author="ann",
        history=sku_history() if history else None,
        history_name="pumps.csv",
    )
    if approve:
        base = acme_scenario([10.0, 10.0, 10.0], name="Base")
        plans.save_scenario(wb, base, WhatIf(), author="ann", approved=None, company="Acme")
        saved_scenarios.approve(wb, "Base", author="ann")


# --- the scorecard's hand case ------------------------------------------------------

#: the scorecard's hand case's months: 31, 28 and 31 days
HAND_MONTHS = ["2027-01", "2027-02", "2027-03"]


def hand_case(**targets: float) -> dict:
    """The scorecard's hand case (tests/test_scorecard.py's docstring): one family,
    demand 100, 250, 100 against a worker who makes exactly 150 a month, so the plan is
    forced; ``targets`` the company's."""
    return {
        "name": "Hand",
        "periods": HAND_MONTHS,
        "workforce": {
            "initial": 1,
            "regular_hours_per_worker": 150,
            "regular_cost_per_worker": 300,
            "overtime_cost_per_hour": 10,
            "max_overtime_hours_per_worker": 0,
            "hire_cost": 1000,
            "layoff_cost": 1000,
            "min_workers": 1,
            "max_workers": 1,
        },
        "families": [
            {
                "name": "Kayaks",
                "demand": [100, 250, 100],
                "labor_hours_per_unit": 1,
                "material_cost": 1,
                "holding_cost": 1,
                "backorder_cost": 2,
                "subcontract_cost": 100,
                "max_subcontract": 0,
                "price": 10,
            }
        ],
        "targets": targets or None,
    }
