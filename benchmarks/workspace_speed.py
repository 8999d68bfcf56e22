"""What saving as you type costs: the workspace's store operations against a scenario save.

Every edit a planner makes is one :meth:`Workspaces.apply` (a compare-and-set per cell,
the change log, the new state read back), every full rerun one :meth:`revision` query;
:meth:`state` is read when the revision moved. The business plan is kept row by row (one
item per family and month): a new file replaces it as one action (every row's units and
revenue changed, here), a typed cell is one edit. The baseline, in the same run, is the
scenario store's own versioned save (:meth:`Store.save`) of the same company's scenario.

    .venv/bin/python benchmarks/workspace_speed.py [--rounds 50] [--families 5 50]

Prints the median and p95 per operation, in ms, on a fresh SQLite file (and PostgreSQL
when ``SOP_BENCH_PG_URL`` names an empty database).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sop_core.model.scenario import parse_scenario  # noqa: E402
from sop_core.process.workspace import Edit, monthly_edits  # noqa: E402
from sop_core.store.scenarios import Store  # noqa: E402
from sop_core.store.workspaces import Workspaces  # noqa: E402


def company(families: int, periods: int = 12):
    fam = {
        "demand": [100.0 + t for t in range(periods)],
        "labor_hours_per_unit": 2.0,
        "material_cost": 10.0,
        "holding_cost": 2.0,
        "backorder_cost": 5.0,
        "subcontract_cost": 30.0,
    }
    return parse_scenario(
        {
            "periods": [f"2027-{m:02d}" for m in range(1, periods + 1)],
            "workforce": {
                "initial": 50,
                "regular_hours_per_worker": 160,
                "regular_cost_per_worker": 640,
                "overtime_cost_per_hour": 6,
                "hire_cost": 300,
                "layoff_cost": 500,
            },
            "families": [dict(fam, name=f"Family {i}") for i in range(families)],
        }
    )


def timed(fn, rounds: int) -> tuple[float, float]:
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        times.append(1000 * (time.perf_counter() - t0))
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(0.95 * len(times)))]


def run(url: str, families: int, rounds: int) -> list[tuple[str, float, float]]:
    scenario = company(families)
    with Store(url) as store:
        spaces = Workspaces(store)
        name = f"Bench {families} {time.time_ns()}"
        state = spaces.create(name, author="bench", scenario=scenario)
        key = state.families[0].key
        value = [2.0]

        def edit() -> None:
            before, value[0] = value[0], value[0] + 1
            spaces.apply(
                name, [Edit("family", key, before, value[0], field="holding_cost")], author="bench"
            )

        version = [None]

        def save() -> None:
            info = store.save(scenario, author="bench", name=name, base_version=version[0])
            version[0] = info.version

        import pandas as pd

        budget = pd.DataFrame(
            [
                {"family": f.name, "period": p, "units": 100.0, "revenue": 4000.0}
                for f in scenario.families
                for p in scenario.period_labels
            ]
        )
        spaces.apply(name, monthly_edits(spaces.state(name), "budget", budget), author="bench")
        scale = [1.0]

        def upload() -> None:
            scale[0] += 0.01
            new = budget.assign(
                units=budget["units"] * scale[0], revenue=budget["revenue"] * scale[0]
            )
            spaces.apply(name, monthly_edits(spaces.state(name), "budget", new), author="bench")

        def budget_cell() -> None:
            item = spaces.state(name).item("budget", "b1")
            units = item.value["units"]
            spaces.apply(
                name, [Edit("budget", "b1", units, units + 1, field="units")], author="bench"
            )

        rows = [
            ("baseline: scenario save (Store.save)", *timed(save, rounds)),
            ("edit one cell (Workspaces.apply)", *timed(edit, rounds)),
            ("revision check (every rerun)", *timed(lambda: spaces.revision(name), rounds)),
            ("read the state", *timed(lambda: spaces.state(name), rounds)),
            ("state → scenario", *timed(lambda: spaces.state(name).scenario(), rounds)),
            ("undo the last edit", *timed(lambda: spaces.undo(name, author="bench"), rounds)),
            (f"business plan file, {len(budget)} rows", *timed(upload, max(3, rounds // 10))),
            ("business plan: read state + one cell", *timed(budget_cell, rounds)),
        ]
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=50)
    ap.add_argument("--families", type=int, nargs="+", default=[5, 50])
    args = ap.parse_args()
    backends = [("SQLite", None)]
    if os.environ.get("SOP_BENCH_PG_URL"):
        backends.append(("PostgreSQL", os.environ["SOP_BENCH_PG_URL"]))
    print(f"{'backend':10} {'families':>8}  {'operation':40} {'median ms':>10} {'p95 ms':>8}")
    for label, url in backends:
        for n in args.families:
            with tempfile.TemporaryDirectory() as tmp:
                rows = run(url or f"sqlite:///{tmp}/bench.sqlite", n, args.rounds)
            for op, med, p95 in rows:
                print(f"{label:10} {n:>8}  {op:40} {med:>10.2f} {p95:>8.2f}")


if __name__ == "__main__":
    main()
