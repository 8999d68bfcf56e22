"""What does a rerun of the Cycle page cost once its stored plans are cached? Prints a
table; run with the project's venv:

    .venv/bin/python benchmarks/cycle_rerun.py [--quick]

For the sample company (12 months × 5 families, with its sales history) and a synthetic
company of 24 months × 40 families × 2 resources (``plan_speed.synthetic``, served as the
sample through ``SOP_SAMPLE_SCENARIO``), a complete cycle recommends two saved versions
and approves one. The Cycle page is then rerun in Streamlit's AppTest (the whole script,
as a click does), the median wall time of

  (baseline)  a rerun that solves every stored version again: ``pages._stored``'s cache
              cleared before it (what every rerun did before the cache, then on the
              session's warm compiled model for versions of the same shape);
  (cached)    a rerun that finds them solved.

The two are timed in alternating rounds, so that they share the machine's drift.
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
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "tests"))

from plan_speed import synthetic  # noqa: E402


def case(label: str, scenario_file: Path | None, rounds: int) -> tuple[str, float, float]:
    from apptests import open_app_page
    from factories import complete_cycle, save_level_and_chase
    from streamlit.testing.v1 import AppTest

    import pages._stored as stored
    from sop_core.process.cycle import month_of
    from sop_core.store.scenarios import Store
    from sop_core.store.workspaces import Workspaces

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["SOP_DATABASE_URL"] = f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
        if scenario_file is None:
            os.environ.pop("SOP_SAMPLE_SCENARIO", None)
        else:
            os.environ["SOP_SAMPLE_SCENARIO"] = str(scenario_file)
        at: AppTest = open_app_page("pages/cycle.py", timeout=600, run_entry_first=True)
        store = Store(os.environ["SOP_DATABASE_URL"])
        spaces = Workspaces(store)
        company = spaces.names()[0]
        save_level_and_chase(store, company, spaces.state(company).scenario(), author="bench")
        complete_cycle(
            store,
            company,
            month_of(),
            recommended=["Level", "Chase"],
            approve="Chase",
            author="bench",
        )
        at.run()  # warms everything else (the forecast-free page, the planners)
        base, cached = [], []
        for _ in range(rounds):
            stored._solved.clear()
            t = time.perf_counter()
            at.run()
            base.append(time.perf_counter() - t)
            t = time.perf_counter()
            at.run()
            cached.append(time.perf_counter() - t)
            assert not at.exception, [e.value for e in at.exception]
        store.close()
    return label, statistics.median(base), statistics.median(cached)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 rounds instead of 7")
    rounds = 3 if parser.parse_args().quick else 7
    rows = [case("sample company 12 × 5", None, rounds)]
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "synthetic.json"
        s = synthetic(24, 40, 2)
        labels = [f"{2027 + m // 12}-{m % 12 + 1:02d}" for m in range(s.horizon)]
        big.write_text(s.model_copy(update={"periods": labels}).model_dump_json())
        rows.append(case("synthetic 24 × 40 × 2", big, rounds))
    print(f"Cycle page rerun, median of {rounds} (3 stored versions: 2 recommended, 1 approved)")
    print(f"{'company':<24} {'baseline ms':>12} {'cached ms':>10} {'saved':>7}")
    for label, b, c in rows:
        print(f"{label:<24} {b * 1000:>12.0f} {c * 1000:>10.0f} {1 - c / b:>7.0%}")


if __name__ == "__main__":
    main()
