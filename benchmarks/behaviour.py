"""Does a change keep behaviour? Plan costs, forecasts and company workbooks of this
checkout against another revision's, computed in one run:

    .venv/bin/python benchmarks/behaviour.py --baseline-ref REV

Each checkout computes, in its own process: the plans of the sample company, of the Red
Tomato textbook case and of a generated company (20 families × 24 months, seeded), to the
cent with every KPI and cost line; the sample history's ``auto`` forecast per family; and
each company's workbook exported, imported as a new company and exported again (every
cell's value). The table says, item by item, whether the two checkouts agree exactly and
whether each workbook round trip gave back what went out. For a restructuring: nothing
may differ. Module paths are looked up in both layouts (before and after ``sop_core`` was
split into sub-packages).
"""

from __future__ import annotations

import argparse
import importlib
import io
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def module(*candidates: str) -> Any:
    """The first of ``candidates`` (newest layout first) that this checkout has."""
    for name in candidates[:-1]:
        try:
            return importlib.import_module(name)
        except ModuleNotFoundError:
            continue
    return importlib.import_module(candidates[-1])


def generated_company() -> tuple[Any, Any]:
    """A seeded company: 20 families × 24 months of history and the next 12 months."""
    import numpy as np
    import pandas as pd

    scenario_mod = module("sop_core.model.scenario", "sop_core.scenario")
    rng = np.random.default_rng(20)
    months = pd.date_range("2025-01-01", periods=24, freq="MS")
    rows, families = [], []
    for f in range(20):
        base = 100 + 40 * f
        season = 1 + 0.3 * np.sin(2 * np.pi * (np.arange(36) + f) / 12)
        demand = np.round(base * season * rng.uniform(0.85, 1.15, 36))
        rows += [
            {"period": m.strftime("%Y-%m"), "family": f"Family {f:02d}", "demand": float(d)}
            for m, d in zip(months, demand[:24], strict=True)
        ]
        families.append(
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
    scenario = scenario_mod.parse_scenario(
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
            "families": families,
            "policy": {"frozen_periods": 0},
        }
    )
    return scenario, pd.DataFrame(rows)


def plan(scenario: Any) -> dict[str, Any]:
    planner = module("sop_core.engine.planner", "sop_core.planner")
    r = planner.solve(scenario)
    return {
        "status": r.status,
        "total_cost": repr(r.total_cost),
        "kpis": {k: repr(v) for k, v in r.kpis.items()},
        "costs": {k: repr(v) for k, v in r.cost_breakdown.items()},
    }


def cells(book: bytes) -> dict[str, list[list[str]]]:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(book), read_only=True, data_only=True)
    return {ws.title: [[repr(v) for v in row] for row in ws.values] for ws in wb.worksheets}


def company_workbook(url: str, name: str, scenario: Any, history: Any) -> dict[str, Any]:
    """The company made as the app makes one (history uploaded and mapped), exported,
    imported as "<name> copy" and exported again."""
    store_mod = module("sop_core.store.scenarios", "sop_core.store")
    spaces_mod = module("sop_core.store.workspaces", "sop_core.workspace_store")
    ws_mod = module("sop_core.process.workspace", "sop_core.workspace")
    book_mod = module("sop_core.reports.workbook", "sop_core.workbook")
    spaces = spaces_mod.Workspaces(store_mod.Store(url))
    spaces.create(name, author="bench", scenario=scenario)
    state = spaces.state(name)
    mapping = ws_mod.suggest_mapping(sorted(history["family"].unique()), state)
    upload = spaces.add_history(name, history, "history.csv", author="bench")
    spaces.apply(name, ws_mod.mapping_edits(state, mapping, upload), author="bench")

    def export(company_name: str) -> bytes:
        st = spaces.state(company_name)
        hist = spaces.history(int(st.history_upload["upload_id"]))
        return book_mod.write_workbook(book_mod.company_of(st, hist))

    out = export(name)
    importer = module(
        "sop_core.services.companies", "sop_core.reports.workbook", "sop_core.workbook"
    )
    try:  # the services take the whole workbench (since issue 20); earlier, the workspaces
        door = module("sop_core.services.workbench").Workbench(spaces.store)
    except ImportError:
        door = spaces
    importer.import_company(door, f"{name} copy", book_mod.read_workbook(out), author="bench")
    back = export(f"{name} copy")
    return {"cells": cells(out), "round_trip_equal": cells(out) == cells(back)}


def emit() -> dict[str, Any]:
    """What this checkout computes (run inside the checkout, on its own code)."""
    history_mod = module("sop_core.demand.history", "sop_core.history")
    forecast_mod = module("sop_core.demand.forecast", "sop_core.forecast")
    scenario_mod = module("sop_core.model.scenario", "sop_core.scenario")
    sample = scenario_mod.load_scenario(ROOT / "data" / "sample_company.json")
    red = scenario_mod.load_scenario(ROOT / "data" / "red_tomato.json")
    generated, raw = generated_company()
    with tempfile.TemporaryDirectory() as tmp:  # read as an upload is read
        raw.to_csv(Path(tmp) / "generated.csv", index=False)
        gen_history = history_mod.read_history(Path(tmp) / "generated.csv")
    history = history_mod.read_history(ROOT / "data" / "sample_history.csv")
    result = forecast_mod.forecast(history, horizon=12, model="auto")
    fc = result.forecast
    out: dict[str, Any] = {
        "plan: sample company": plan(sample),
        "plan: Red Tomato": plan(red),
        "plan: generated company": plan(generated),
        "forecast: sample, auto": {
            "values": [repr(v) for v in fc["forecast"]],
            "bands": [repr(v) for v in fc["lower"]] + [repr(v) for v in fc["upper"]],
            "models": list(map(str, fc["model"])),
            "reasons": list(map(str, result.choices.get("reason", []))),
        },
    }
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'store.sqlite'}"
        out["workbook: sample company"] = company_workbook(url, "Sample", sample, history)
        out["workbook: generated company"] = company_workbook(
            url, "Generated", generated, gen_history
        )
    return out


def run_in(root: Path) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "behaviour.py"), "--emit"],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise SystemExit(f"{root}: {proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def differences(a: Any, b: Any, path: str = "") -> list[str]:
    """Where two emitted items differ ("kpis.safety_stock_met 1.0 → None")."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for k in dict.fromkeys([*a, *b]):
            out += differences(a.get(k), b.get(k), f"{path}.{k}" if path else str(k))
        return out
    if a == b:
        return []
    if isinstance(a, list) or isinstance(b, list):
        return [f"{path} ({len(a or [])} → {len(b or [])} values differ)"]
    return [f"{path} {a} → {b}"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--baseline-ref", default="HEAD~1", help="the revision to compare with")
    ap.add_argument("--emit", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.emit:
        sys.path.insert(0, str(Path.cwd()))
        global ROOT
        ROOT = Path.cwd()
        print(json.dumps(emit()))
        return
    with tempfile.TemporaryDirectory(prefix="sop-baseline-") as tmp:
        base = Path(tmp) / "baseline"
        subprocess.run(
            ["git", "worktree", "add", "--detach", "-q", str(base), args.baseline_ref],
            cwd=ROOT,
            check=True,
        )
        try:
            before, after = run_in(base), run_in(ROOT)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(base)], cwd=ROOT)
    print(f"| item | {args.baseline_ref} = this checkout | round trip gives back what went out |")
    print("| --- | --- | --- |")
    for key in after:
        same = (
            "yes"
            if before.get(key) == after[key]
            else "**no**: " + ", ".join(differences(before.get(key), after[key]))
        )
        trip = after[key].get("round_trip_equal") if isinstance(after[key], dict) else None
        trip_text = "" if trip is None else ("yes" if trip else "**no**")
        if key.startswith("plan"):
            same += f" (total cost {float(after[key]['total_cost']):,.2f})"
        print(f"| {key} | {same} | {trip_text} |")


if __name__ == "__main__":
    main()
