"""Feeds (sop_core.services.feeds): a history and the actuals pulled from a real
PostgreSQL database standing in for the company's ERP, taken in exactly as an upload."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from factories import red_tomato
from postgres_server import PostgresServer, drop_store_tables, fresh_database, postgres_server  # noqa: F401

from sop_core.base.access import Actor, PermissionDenied
from sop_core.base.errors import InputError
from sop_core.demand.history import read_history, validate_history
from sop_core.process.workspace import Item, WorkspaceState, seed_edits
from sop_core.services import companies, feeds
from sop_core.services.audit import audit_trail
from sop_core.services.history import confirmed_mapping, history_uploads
from sop_core.services.workbench import Workbench, connect

#: a test that reads the ERP, a real PostgreSQL database
reads_erp = pytest.mark.postgres

SUPPLY = Actor("Sam", "sam@acme.example", frozenset({"supply_planner"}), signed_in=True)
DEMAND = Actor("Dee", "dee@acme.example", frozenset({"demand_planner"}), signed_in=True)
MONTHS = [f"2025-{m:02d}-01" for m in range(1, 13)]
#: the ERP's sales: (item_group, item, month index 0-11) -> units, by a rule one can check
SALES = {
    (group, item, t): float(base + 10 * t)
    for group, items in (("GARDEN TOOLS", ("GT-1", "GT-2")), ("Pumps", ("P-1",)))
    for base, item in zip((100, 200, 300), items, strict=False)
    for t in range(12)
}


def sales_sql(units: str = "qty") -> str:
    return f"SELECT item_group AS family, item AS sku, month AS period, {units} AS units FROM sales"


@pytest.fixture(scope="module")
def erp(request: pytest.FixtureRequest) -> str:
    """The ERP: a PostgreSQL database with a sales table (its own column names and
    types), an actuals table, a table of every type a column may have, and a sequence."""
    server: PostgresServer = request.getfixturevalue("postgres_server")
    url = fresh_database(server, "erp_feeds")
    engine = sa.create_engine(url)
    with engine.begin() as c:
        c.execute(
            sa.text(
                "CREATE TABLE sales (item_group text, item text, month date, qty numeric(12,2))"
            )
        )
        c.execute(
            sa.text("INSERT INTO sales VALUES (:g, :i, :m, :q)"),
            [
                {"g": g, "i": i, "m": pd.Timestamp(MONTHS[t]).date(), "q": q}
                for (g, i, t), q in SALES.items()
            ],
        )
        c.execute(
            sa.text(
                'CREATE TABLE "Made" ("Family" varchar(40), month text, made int, '
                "stock float8, late numeric)"
            )
        )
        c.execute(
            sa.text('INSERT INTO "Made" VALUES (:f, :m, :p, :i, :b)'),
            [
                {"f": "Garden tools", "m": f"2025-{m:02d}", "p": 100 * m, "i": 5.5, "b": 0}
                for m in (1, 2, 3)
            ],
        )
        c.execute(
            sa.text(
                "CREATE TABLE typed (fam varchar(20), code int, at_date date, at_time timestamp, "
                "at_zone timestamptz, n_int bigint, n_num numeric, n_float real, note text)"
            )
        )
        rows = []
        for t in range(6):
            rows.append({
                "fam": "A" if t % 2 else " B ", "code": 7,
                "at_date": pd.Timestamp(MONTHS[t]).date(),
                "at_time": pd.Timestamp(MONTHS[t]) + pd.Timedelta(hours=13),
                "at_zone": pd.Timestamp(MONTHS[t], tz="Europe/Paris"), "n_int": 3 * t,
                "n_num": f"{t}.10", "n_float": 0.1 * t, "note": None if t == 2 else f"x{t}",
            })  # fmt: skip
        c.execute(
            sa.text("INSERT INTO typed VALUES (:fam, :code, :at_date, :at_time, :at_zone, "
                    ":n_int, :n_num, :n_float, :note)"), rows,
        )  # fmt: skip
        c.execute(sa.text("CREATE SEQUENCE ticket"))
    engine.dispose()
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def wb(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Workbench]:
    """The workbench's store with company Acme (one family, "Garden tools")."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    else:
        server: PostgresServer = request.getfixturevalue("postgres_server")
        url = fresh_database(server, "feeds_store")
        drop_store_tables(url)
    bench = connect(url)
    companies.start_company(bench, "Acme", author="ann", copy_of=red_tomato())
    yield bench
    bench.close()


def expected_history() -> pd.DataFrame:
    """The sales table as the history file of the same rows would give it."""
    rows = [
        {"period": MONTHS[t][:7], "family": g, "sku": i, "demand": q}
        for (g, i, t), q in SALES.items()
    ]
    text = pd.DataFrame(rows).to_csv(index=False)
    return read_history(text.encode(), filename="sales.csv")


# --------------------------------------------------------------------------- words


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql+psycopg://erp:s3cret@db:5432/erp", "postgresql+psycopg://erp:***@db:5432/erp"),
        ("not a url erp:s3cret@db", "***@db"),
        ("pg://erp:s3cret@db:port/erp", "pg://***@db:port/erp"),
        ("sqlite:///erp.sqlite", "sqlite:///erp.sqlite"),
    ],
)
def test_a_password_is_masked_in_whatever_is_shown(url: str, shown: str) -> None:
    assert feeds.masked(url) == shown


# --------------------------------------------------------------------------- reading


@reads_erp
def test_copy_reads_the_same_frame_as_read_sql_for_every_column_type(erp: str) -> None:
    feed = feeds.Feed("test", ("family", "period", "units"), ("sku",))
    for period in ("at_date", "at_time", "at_zone"):
        for units in ("n_int", "n_num", "n_float"):
            columns = {"family": "fam", "period": period, "units": units, "sku": "note"}
            source = feeds.Source(erp, table="typed", columns=columns)
            fast = feeds.read_feed(source, feed)
            slow = feeds.read_feed(source, feed, fast=False)
            assert len(fast) == len(slow) == 6
            with pytest.raises(InputError) as a:  # the NULL SKU is refused by both, alike
                validate_history(fast, target_col="units", first_row=1)
            with pytest.raises(InputError) as b:
                validate_history(slow, target_col="units", first_row=1)
            assert (
                str(a.value)
                == str(b.value)
                == ("row 3, column sku: must not be empty, got an empty cell")
            )
            kept = fast.assign(sku="s"), slow.assign(sku="s")
            pd.testing.assert_frame_equal(
                validate_history(kept[0], target_col="units", first_row=1, fill_gaps=True),
                validate_history(kept[1], target_col="units", first_row=1, fill_gaps=True),
            )
    zone = feeds.read_feed(
        feeds.Source(
            erp, query="SELECT fam AS family, at_zone AS period, n_num AS units FROM typed"
        ),
        feed,
    )
    # a time with a time zone is read in UTC: midnight in Paris on the 1st is 23:00 UTC
    # on the last day of the month before, which is that month's
    assert zone["period"].tolist()[:2] == ["2024-12-31 23:00:00", "2025-01-31 23:00:00"]
    for row, month in ((0, "2024-12"), (1, "2025-01")):
        one = validate_history(zone.iloc[[row]], target_col="units", first_row=1)
        assert one["period"].dt.strftime("%Y-%m").tolist() == [month]


@reads_erp
def test_the_source_is_read_in_a_read_only_transaction(erp: str) -> None:
    source = feeds.Source(erp, query="SELECT nextval('ticket') AS family, 1 AS period, 1 AS units")
    with pytest.raises(InputError) as caught:
        feeds.read_feed(source, feeds.HISTORY_FEED)
    assert str(caught.value) == (
        "query: the database refused it while reading (cannot execute nextval() in a "
        "read-only transaction)"
    )


@reads_erp
def test_a_query_cannot_end_the_read_only_transaction_and_run_more(erp: str) -> None:
    sneaky = (
        "SELECT 1) AS x; COMMIT; CREATE TABLE pwned (x int); "
        "SELECT * FROM (SELECT 'a' AS family, '2025-01' AS period, 1 AS units"
    )
    with pytest.raises(InputError) as caught:
        feeds.read_feed(feeds.Source(erp, query=sneaky), feeds.HISTORY_FEED)
    assert str(caught.value) == (
        "query: the database refused it (cannot insert multiple commands into a prepared "
        "statement); check that it runs on its own in the database (one SELECT, read only)"
    )
    engine = sa.create_engine(erp)
    with engine.connect() as c:
        assert not sa.inspect(c).has_table("pwned")
    engine.dispose()


@reads_erp
def test_more_rows_than_the_limit_are_refused_naming_the_query(erp: str) -> None:
    with pytest.raises(InputError, match=r"^query: returns more than 5 rows; aggregate them"):
        feeds.read_feed(feeds.Source(erp, query=sales_sql()), feeds.HISTORY_FEED, limit=5)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (dict(table="sale"), "table: no table 'sale' in postgresql+psycopg://postgres:***@"),
        (dict(table="sales", columns={"family": "item_group", "period": "month"}),
         "columns: table 'sales' has no column 'units' for the units (its columns: "
         "item_group, item, month, qty); give the column that holds it as units=COLUMN"),
        (dict(query="SELECT item_group AS family, month AS period FROM sales",
              columns={"units": "qty"}),
         "columns: the query returns no column 'qty' for the units (its columns: family, "
         "period); give the column that holds it as units=COLUMN"),
        (dict(query="SELECT * FROM sales", columns={"family": "item", "sku": "item",
              "period": "month", "units": "qty"}),
         "columns: column 'item' is given for more than one field; give each its own"),
        (dict(query="SELEC 1"), "query: the database refused it (syntax error at or near"),
        (dict(query=" ; "), "query: is empty; give a SELECT that returns the fields"),
        (dict(table="sales", columns={"qty": "qty"}), "columns: 'qty' is not a field of the "
         "history; its fields: family, period, units (and optionally sku)"),
    ],
)  # fmt: skip
@reads_erp
def test_a_bad_query_table_or_column_names_the_input_and_the_fix(
    erp: str, source: dict, message: str
) -> None:
    with pytest.raises(InputError) as caught:
        feeds.read_feed(feeds.Source(erp, **source), feeds.HISTORY_FEED)
    assert str(caught.value).startswith(message)
    assert "@127.0.0.1" not in str(caught.value) or "***@127.0.0.1" in str(caught.value)


def test_a_database_that_does_not_answer_is_named_without_its_password() -> None:
    url = "postgresql+psycopg://erp:s3cret@127.0.0.1:1/erp"
    with pytest.raises(InputError) as caught:
        feeds.read_feed(feeds.Source(url, table="sales"), feeds.HISTORY_FEED)
    assert str(caught.value).startswith(
        "url: cannot connect to postgresql+psycopg://erp:***@127.0.0.1:1/erp ("
    )
    assert str(caught.value).endswith("); check the host, port, user, password and database name")
    assert "s3cret" not in str(caught.value)


# --------------------------------------------------------------------------- pulling


@reads_erp
def test_a_pulled_history_is_kept_as_an_upload_of_the_same_rows_would_be(
    wb: Workbench, erp: str
) -> None:
    columns = {"family": "item_group", "sku": "item", "period": "month", "units": "qty"}
    source = feeds.Source(erp, table="sales", columns=columns)
    pulled = feeds.pull_history(wb, "Acme", source, author=DEMAND)
    assert pulled.rows == 36 and pulled.new_families == ("Pumps",)
    assert pulled.name == f"sales on {feeds.masked(erp)}" and "***" in pulled.name
    state = companies.company_state(wb, "Acme")
    assert state.family_names == ["Garden tools", "Pumps"]  # GARDEN TOOLS joined Garden tools
    assert state.history_names()["GARDEN TOOLS"] == "Garden tools"
    pd.testing.assert_frame_equal(companies.company_history(wb, state), expected_history())
    (upload,) = history_uploads(wb, "Acme").to_dict("records")
    assert (upload["file"], upload["rows"], upload["in_use"]) == (pulled.name, 36, True)
    assert upload["uploaded_by"] == "Dee <dee@acme.example>"
    trail = audit_trail(wb, company="Acme", kind="history", exact=True)
    kept = trail[trail["Action"] == "upload"].iloc[0]
    assert (kept["Who"], kept["E-mail"]) == ("Dee", "dee@acme.example")
    assert '"rows": 36' in kept["After"] and "s3cret" not in kept["After"]

    # one action: one undo (by someone who may also remove the family it created)
    _, undone = companies.undo_last(wb, "Acme", author="ann")
    assert undone == f"history {pulled.name}"
    state = companies.company_state(wb, "Acme")
    assert state.history_upload is None and state.family_names == ["Garden tools"]


@reads_erp
def test_a_mapping_overrides_the_suggested_family(wb: Workbench, erp: str) -> None:
    source = feeds.Source(erp, query=sales_sql() + " -- the ERP's sales, as a comment ends")
    pulled = feeds.pull_history(
        wb, "Acme", source, author="ann", mapping={"Pumps": "Water pumps"}, name="ERP sales"
    )
    assert pulled.name == "ERP sales" and pulled.new_families == ("Water pumps",)
    assert companies.company_state(wb, "Acme").history_names()["Pumps"] == "Water pumps"
    with pytest.raises(InputError, match=r"^mapping: 'Pump' is not a family name in the history"):
        feeds.pull_history(wb, "Acme", source, author="ann", mapping={"Pump": "Water pumps"})


@reads_erp
def test_a_bad_row_is_named_and_nothing_is_kept(wb: Workbench, erp: str) -> None:
    units = "CASE WHEN item = 'P-1' AND month = '2025-03-01' THEN -3 ELSE qty END"
    query = sales_sql(units) + " ORDER BY item, month"
    with pytest.raises(InputError) as caught:
        feeds.pull_history(wb, "Acme", feeds.Source(erp, query=query), author="ann")
    # rows count from 1, the first row read: P-1 is the third item, March its third month
    assert str(caught.value) == "row 27, column units: must be a number ≥ 0, got -3"
    assert history_uploads(wb, "Acme").empty
    assert audit_trail(wb, company="Acme", kind="history").empty


def test_someone_without_the_right_is_refused_before_the_source_is_read(wb: Workbench) -> None:
    nowhere = feeds.Source("postgresql+psycopg://erp:s3cret@127.0.0.1:1/erp", table="sales")
    with pytest.raises(PermissionDenied, match="Only a demand planner may upload sales history"):
        feeds.pull_history(wb, "Acme", nowhere, author=SUPPLY)
    with pytest.raises(PermissionDenied, match="may enter actual production"):
        feeds.pull_actuals(wb, "Acme", nowhere, author=Actor("Fay", roles=frozenset({"finance"})))


@reads_erp
def test_pulled_actuals_replace_the_table_and_a_repeat_changes_nothing(
    wb: Workbench, erp: str
) -> None:
    source = feeds.Source(
        erp, table="Made", columns={"family": "family", "period": "MONTH", "production": "made",
                                    "inventory": "stock", "backlog": "late"},
    )  # fmt: skip
    pulled = feeds.pull_actuals(wb, "Acme", source, author=SUPPLY)
    assert (pulled.rows, pulled.changed) == (3, True)
    actuals = companies.company_state(wb, "Acme").actuals
    assert actuals.to_dict("list") == {
        "family": ["Garden tools"] * 3,
        "period": ["2025-01", "2025-02", "2025-03"],
        "production": [100.0, 200.0, 300.0],
        "inventory": [5.5] * 3,
        "backlog": [0.0] * 3,
    }
    trail = audit_trail(wb, company="Acme", kind="actual", exact=True)
    assert len(trail) == 3 and set(trail["Who"]) == {"Sam"}
    again = feeds.pull_actuals(wb, "Acme", source, author=SUPPLY)
    assert again.changed is False and again.state.revision == pulled.state.revision


def test_confirmed_mapping_suggests_then_overrides() -> None:
    state = companies_state_with("Garden tools")
    mapping = confirmed_mapping(state, ["garden-tools", "Pumps"], {"Pumps": "Garden tools"})
    assert mapping.to_dict("records") == [
        {"history_name": "garden-tools", "family": "Garden tools", "action": "match"},
        {"history_name": "Pumps", "family": "Garden tools", "action": "match"},
    ]


def companies_state_with(*families: str) -> WorkspaceState:
    """A company state holding ``families`` (no store needed)."""
    scenario = red_tomato()
    items = tuple(
        Item(e.kind, e.key, e.position or 0, e.after, 1, "t", pd.Timestamp.now(tz="UTC"))
        for e in seed_edits(scenario)
    )
    state = WorkspaceState("Acme", 1, items)
    assert state.family_names == list(families)
    return state


@reads_erp
def test_a_history_file_reads_as_the_frame_a_feed_gives(erp: str) -> None:
    """The same rows, from a CSV file and from the database, validate to the same history."""
    frame = feeds.read_feed(feeds.Source(erp, query=sales_sql()), feeds.HISTORY_FEED)
    from_db = validate_history(frame, target_col="units", first_row=1)
    text = io.StringIO()
    frame.rename(columns={"units": "demand"}).to_csv(text, index=False)
    from_file = read_history(text.getvalue().encode(), filename="sales.csv")
    pd.testing.assert_frame_equal(from_db.rename(columns={"units": "demand"}), from_file)
