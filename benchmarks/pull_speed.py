"""Pull speed: a sales history of 1,000,000 rows pulled from a PostgreSQL database (the
company's ERP) into a company, against ``pandas.read_sql`` of the same query alone.

    .venv/bin/python benchmarks/pull_speed.py [--url ERP_URL] [--store STORE_URL]
        [--families 100] [--skus 100] [--months 100] [--rounds 3]

The ERP table (seeded) holds ``families × skus × months`` rows of family, SKU, month
and units (100 × 100 × 100 = 1,000,000: the most rows and series a history may have).
Without ``--url`` a throw-away PostgreSQL server is started on loopback
(``tests/postgres_server.py``) and holds both the ERP and the store (its own database);
``--store`` names another store (default with ``--url``: a SQLite file in a temporary
directory).

Timed, median of ``--rounds`` (the steps take turns in each round), in the same run:
``pandas.read_sql`` of the query alone (the baseline); the whole ``history pull``
(:func:`sop_core.services.feeds.pull_history`: read by COPY, validated as a file,
mapped, kept and taken into use in one transaction, into a fresh company each round so
that each creates the same families); the same pull reading through ``pandas.read_sql``
instead of COPY; and the pull's steps alone (the read, the validation). The target: the
pull in at most 2 × the baseline.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from sop_core.demand.history import validate_history  # noqa: E402
from sop_core.services import companies, feeds  # noqa: E402
from sop_core.services.workbench import connect  # noqa: E402

TABLE = "bench_sales"
QUERY = f"SELECT item_group AS family, item AS sku, month AS period, qty AS units FROM {TABLE}"
TARGET_RATIO = 2.0


def seed(url: str, families: int, skus: int, months: int, seed: int = 0) -> int:
    """Create (again) the ERP's sales table with ``families × skus × months`` rows of
    seeded units; returns the rows written."""
    rng = np.random.default_rng(seed)
    n = families * skus * months
    days = pd.date_range("2017-01-01", periods=months, freq="MS").date
    frame = pd.DataFrame(
        {
            "item_group": np.repeat([f"Family {f:03d}" for f in range(families)], skus * months),
            "item": np.tile(np.repeat([f"SKU {s:04d}" for s in range(skus)], months), families),
            "month": np.tile(days, families * skus),
            "qty": rng.poisson(40, n).astype(float),
        }
    )  # fmt: skip
    engine = sa.create_engine(url)
    with engine.begin() as c:
        c.exec_driver_sql(f"DROP TABLE IF EXISTS {TABLE}")
        c.exec_driver_sql(
            f"CREATE TABLE {TABLE} (item_group text, item text, month date, qty numeric(12, 2))"
        )
    raw = engine.raw_connection()
    try:
        text = io.StringIO()
        frame.to_csv(text, sep="\t", header=False, index=False)
        with raw.cursor() as cur, cur.copy(f"COPY {TABLE} FROM STDIN") as copy:
            copy.write(text.getvalue())
        raw.commit()
    finally:
        raw.close()
    with engine.begin() as c:
        c.exec_driver_sql(f"ANALYZE {TABLE}")
    engine.dispose()
    return n


def interleaved(steps: dict[str, Callable[[int], object]], rounds: int) -> dict[str, float]:
    """The median wall time of each step [s]; the steps take turns in each round, so that
    a load on the machine weighs on all of them alike."""
    times: dict[str, list[float]] = {what: [] for what in steps}
    for r in range(rounds):
        for what, fn in steps.items():
            t0 = time.perf_counter()
            fn(r)
            times[what].append(time.perf_counter() - t0)
    return {what: statistics.median(ts) for what, ts in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default=None, help="the ERP's PostgreSQL URL (default: start one)")
    parser.add_argument("--store", default=None, help="the store's URL (see the docstring)")
    parser.add_argument("--families", type=int, default=100)
    parser.add_argument("--skus", type=int, default=100, help="SKUs per family")
    parser.add_argument("--months", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    server = None
    tmp = tempfile.TemporaryDirectory(prefix="sop-pull-")
    try:
        url, store = args.url, args.store
        if url is None:
            from postgres_server import fresh_database, start_server

            server = start_server()
            url = fresh_database(server, "bench_erp")
            store = store or fresh_database(server, "bench_store")
        store = store or f"sqlite:///{Path(tmp.name) / 'store.sqlite'}"
        t0 = time.perf_counter()
        n = seed(url, args.families, args.skus, args.months)
        print(f"seeded {n:,} rows in {time.perf_counter() - t0:.1f} s\n")
        run(url, store, n, args.rounds)
    finally:
        if server is not None:
            server.stop()
        tmp.cleanup()


def run(url: str, store: str, n: int, rounds: int) -> None:
    """Time the baseline, the pulls and the pull's steps; print the table."""
    source = feeds.Source(url, query=QUERY)
    engine = sa.create_engine(url)
    wb = connect(store)
    made: list[str] = []

    def baseline(_: int) -> None:
        with engine.connect() as conn:
            frame = pd.read_sql(QUERY, conn)
        assert len(frame) == n

    def pull(fast: bool) -> Callable[[int], None]:
        def one(r: int) -> None:
            name = f"Pull {'copy' if fast else 'read_sql'} {r}"
            companies.start_company(wb, name, author="bench")
            made.append(name)
            pulled = feeds.pull_history(wb, name, source, author="bench", fast=fast)
            assert pulled.rows == n

        return one

    frame = feeds.read_feed(source, feeds.HISTORY_FEED)

    def read(_: int) -> None:
        feeds.read_feed(source, feeds.HISTORY_FEED)

    def validate(_: int) -> None:
        validate_history(frame, target_col="units", first_row=1)

    steps = {
        "pandas.read_sql of the query (baseline)": baseline,
        "history pull into a company (COPY)": pull(True),
        "history pull, reading by pandas.read_sql": pull(False),
        "  its read alone (COPY, typed)": read,
        "  its validation alone": validate,
    }
    results = list(interleaved(steps, rounds).items())
    t0 = time.perf_counter()
    kept = companies.company_history(wb, companies.company_state(wb, made[0]))
    read_back = time.perf_counter() - t0
    assert len(kept) == n
    wb.close()
    engine.dispose()

    base = results[0][1]
    print(f"{n:,} history rows, store {feeds.masked(store).split('://')[0]}, median of {rounds}\n")
    header = f"{'what':44s} {'seconds':>8s} {'rows/s':>11s} {'× read_sql':>11s}"
    print(header)
    print("-" * len(header))
    for what, seconds in results:
        print(f"{what:44s} {seconds:8.2f} {n / seconds:11,.0f} {seconds / base:10.2f}×")
    ratio = results[1][1] / base
    verdict = "met" if ratio <= TARGET_RATIO else "NOT met"
    print(f"\ntarget: the pull in ≤ {TARGET_RATIO:g} × read_sql: {verdict} ({ratio:.2f}×)")
    print(f"the kept history read back from the store (not timed above): {read_back:.2f} s")


if __name__ == "__main__":
    main()
