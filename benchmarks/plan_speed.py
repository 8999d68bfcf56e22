"""How fast does the planning engine re-plan? Prints a table; run with the project's venv:

    .venv/bin/python benchmarks/plan_speed.py [--quick]

For 12, 24 and 52 periods × 1, 5 and 20 families, the median time of
  (a) naive:   build the LP with PuLP from scratch and solve it with CBC (a subprocess)
  (b) cold:    the engine's first solve: compile (PuLP → HiGHS in process) and solve
  (c) re-solve: a slider move on the compiled model (one safety stock or the overtime
               limit changed), warm-started, with total cost, cost breakdown and KPIs;
               "(c)+tables" also builds the per-period and per-family tables
  (d) highspy: HiGHS alone solving the same LP cold (a fresh Highs, model passed in)
and the ratios a/c and d/c. Targets: a/c ≥ 20 everywhere, (c) < 10 ms at 52 × 20,
(b) ≤ (a).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pulp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sop_core.lp import build_problem, model_data
from sop_core.planner import Planner, _new_highs
from sop_core.scenario import Scenario, parse_scenario, with_changes


def synthetic(periods: int, families: int, seed: int = 7) -> Scenario:
    """A seasonal multi-family company with capacity pressure in its peaks."""
    rng = np.random.default_rng(seed)
    t = np.arange(periods)
    fams = []
    for f in range(families):
        base = rng.uniform(200, 1200)
        season = 1 + 0.35 * np.sin(2 * np.pi * (t + rng.integers(12)) / 12)
        demand = np.round(base * season * rng.uniform(0.9, 1.1, periods))
        fams.append(
            {
                "name": f"Family {f + 1}",
                "demand": demand.tolist(),
                "labor_hours_per_unit": float(rng.choice([0.5, 1, 2, 3])),
                "material_cost": float(rng.uniform(5, 30)),
                "holding_cost": float(rng.uniform(0.5, 3)),
                "backorder_cost": float(rng.uniform(4, 10)),
                "subcontract_cost": float(rng.uniform(30, 60)),
                "max_subcontract": float(base * 0.2),
                "initial_inventory": float(base * 0.5),
                "safety_stock": float(base * 0.1),
                "price": float(rng.uniform(60, 120)),
            }
        )
    hours = sum(f["labor_hours_per_unit"] * np.mean(f["demand"]) for f in fams)
    workers = round(hours / 160 * 0.9)
    return parse_scenario(
        {
            "name": f"synthetic {periods}x{families}",
            "workforce": {
                "initial": workers,
                "regular_hours_per_worker": 160,
                "regular_cost_per_worker": 3200,
                "overtime_cost_per_hour": 30,
                "max_overtime_hours_per_worker": 20,
                "hire_cost": 1500,
                "layoff_cost": 2500,
                "max_workers": round(workers * 1.15),
            },
            "families": fams,
        }
    )


def median_ms(fn: Callable[[], object], repeats: int) -> float:
    fn()  # warm-up: first calls pay for imports and allocations
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def naive(s: Scenario) -> float:
    """Rebuild with PuLP and solve with the CBC shipped with PuLP (a subprocess)."""
    prob, _ = build_problem(model_data(s))
    prob.solve(pulp.COIN_CMD(path=pulp.apis.coin_api.pulp_cbc_path, msg=False))
    assert pulp.LpStatus[prob.status] == "Optimal", pulp.LpStatus[prob.status]
    return pulp.value(prob.objective)


def measure(s: Scenario, reps: dict[str, int]) -> tuple[float, ...]:
    """(a, b, c, c with tables, d) in ms, and the LP's columns and rows."""
    first = s.families[0]
    variants = [
        with_changes(s, max_overtime_hours_per_worker=15),
        s.model_copy(
            update={
                "families": [
                    first.model_copy(update={"safety_stock": 0.2 * first.demand[0]}),
                    *s.families[1:],
                ]
            }
        ),
        s,
    ]
    planner = Planner(s)
    reference = planner.solve(s).total_cost
    assert abs(naive(s) - reference) <= 1e-6 * max(1.0, reference), "CBC disagrees"
    moves = iter(range(10**9))

    def move(tables: bool = False) -> None:
        result = planner.solve(variants[next(moves) % len(variants)])
        assert result.optimal
        if tables:  # what a page that draws the plan also pays
            _ = result.periods, result.families

    lp = planner.highs.getLp()

    def highs_alone() -> None:
        h = _new_highs()
        h.passModel(lp)
        h.run()

    return (
        median_ms(lambda: naive(s), reps["a"]),
        median_ms(lambda: Planner(s).solve(s), reps["b"]),
        median_ms(move, reps["c"]),
        median_ms(lambda: move(tables=True), reps["c"]),
        median_ms(highs_alone, reps["d"]),
        planner.layout.n_cols,
        planner.layout.n_rows,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    args = parser.parse_args()
    reps = {"a": 3, "b": 3, "c": 15, "d": 3} if args.quick else {"a": 7, "b": 7, "c": 41, "d": 9}
    header = (
        f"{'periods':>7} {'families':>8} {'cols':>6} {'rows':>6} | {'(a) naive':>10} "
        f"{'(b) cold':>9} {'(c) re-solve':>12} {'(c)+tables':>10} {'(d) highspy':>11} | "
        f"{'a/c':>7} {'d/c':>6}"
    )
    print("median milliseconds per plan")
    print(header)
    print("-" * len(header))
    worst = {"a/c": float("inf"), "c_52x20": 0.0, "b<=a": True}
    for periods in (12, 24, 52):
        for families in (1, 5, 20):
            row = measure(synthetic(periods, families), reps)
            a, b, c, c_tables, d, cols, rows = row
            print(
                f"{periods:>7} {families:>8} {cols:>6} {rows:>6} | {a:>10.1f} "
                f"{b:>9.1f} {c:>12.2f} {c_tables:>10.2f} {d:>11.2f} | {a / c:>7.0f} {d / c:>6.2f}"
            )
            worst["a/c"] = min(worst["a/c"], a / c)
            worst["b<=a"] = worst["b<=a"] and b <= a
            if (periods, families) == (52, 20):
                worst["c_52x20"] = c
    print()
    print(
        f"targets: a/c ≥ 20 everywhere: {'yes' if worst['a/c'] >= 20 else 'NO'} "
        f"(lowest {worst['a/c']:.0f}); (c) at 52×20 < 10 ms: "
        f"{'yes' if worst['c_52x20'] < 10 else 'NO'} ({worst['c_52x20']:.2f} ms); "
        f"(b) ≤ (a) everywhere: {'yes' if worst['b<=a'] else 'NO'}"
    )


if __name__ == "__main__":
    main()
