"""Small scenarios for tests, built from keyword overrides (no files)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from sop_core.scenario import Scenario, parse_scenario

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
    from sop_core.workspace_store import Workspaces

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
    from sop_core.cycle import STEPS
    from sop_core.cycle_store import Cycles

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
