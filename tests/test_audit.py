"""The audit trail: every kind of change writes its rows (who, when, which object, before
and after), refused changes write nothing, and the rows cannot be changed or deleted.

On SQLite and on a real PostgreSQL server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from factories import overwriting_inserts, red_tomato
from postgres_server import PostgresServer, drop_store_tables, fresh_database, postgres_server  # noqa: F401
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from sop_core.base.access import Actor, PermissionDenied
from sop_core.process.workspace import Edit
from sop_core.reports.exports import frame_csv, frames_excel
from sop_core.store.audit import audit_field_words, audit_value_words
from sop_core.store.scenarios import Store
from sop_core.store.workspaces import Workspaces, keep_whatif, undo_action

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]

ANA = Actor("Ana", "ana@acme.example", frozenset({"demand_planner"}), signed_in=True)
SAM = Actor("Sam", "sam@acme.example", frozenset({"supply_planner"}), signed_in=True)
FIN = Actor("Fay", "fay@acme.example", frozenset({"finance"}), signed_in=True)
EXE = Actor("Eve", "eve@acme.example", frozenset({"executive"}), signed_in=True)
ADM = Actor("Al", "al@acme.example", frozenset({"admin"}), signed_in=True)


@pytest.fixture(scope="module")
def pg_database(request: pytest.FixtureRequest) -> str:
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return fresh_database(server, "test_audit")


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'audit.sqlite'}"
    else:
        url = request.getfixturevalue("pg_database")
        drop_store_tables(url)
    with Store(url) as s:
        yield s


def count(store: Store) -> int:
    return len(store.audit())


def newest(store: Store, n: int = 1) -> pd.DataFrame:
    return store.audit(limit=n)


def company(store: Store) -> Workspaces:
    spaces = Workspaces(store)
    spaces.create("Acme", author=ADM, scenario=red_tomato())
    return spaces


def test_starting_a_company_writes_its_creation_and_each_seeded_item(store: Store) -> None:
    spaces = company(store)
    trail = store.audit(company="Acme")
    items = len(spaces.state("Acme").items)
    assert len(trail) == 1 + items
    assert list(trail["action"]).count("create") == 1
    assert set(trail["who"]) == {"Al"} and set(trail["email"]) == {"al@acme.example"}


def test_an_edit_writes_one_row_with_who_what_before_and_after(store: Store) -> None:
    spaces = company(store)
    key = spaces.state("Acme").families[0].key
    name = spaces.state("Acme").families[0].value["name"]
    before = count(store)
    spaces.apply("Acme", [Edit("family", key, 2.0, 3.5, field="holding_cost")], author=FIN)
    assert count(store) == before + 1
    row = newest(store).iloc[0]
    assert (row.who, row.email, row.action, row.company) == (
        "Fay",
        "fay@acme.example",
        "edit",
        "Acme",
    )
    assert (row.object_kind, row.object_key, row.field) == ("family", key, "holding_cost")
    assert row.object == f"family {name}"
    assert (row.before, row.after) == ("2", "3.5")
    # the family's own trail finds it by its stable key
    assert len(store.audit(object_kind="family", object_key=key)) >= 2


def test_undo_upload_and_whatif_each_write_their_rows(store: Store) -> None:
    spaces = company(store)
    key = spaces.state("Acme").families[0].key
    spaces.apply("Acme", [Edit("family", key, 2.0, 3.0, field="holding_cost")], author=FIN)
    before = count(store)
    undo_action(spaces, store, "Acme", author=FIN)
    assert count(store) == before + 1
    row = newest(store).iloc[0]
    assert (row.action, row.before, row.after) == ("undo", "3", "2")

    history = pd.DataFrame(
        {"period": pd.to_datetime(["2025-01-01", "2025-02-01"]), "family": "A", "demand": [1, 2]}
    )
    before = count(store)
    spaces.add_history("Acme", history, "sales.csv", author=ANA)
    assert count(store) == before + 1
    assert newest(store).iloc[0].action == "upload"

    before = count(store)
    keep_whatif(spaces, "Acme", "Peak", red_tomato(), {"overtime": 5}, author=SAM)
    assert count(store) == before + 2  # the draft saved, the what-if kept
    assert list(newest(store, 2)["action"]) == ["edit", "save"]


def test_every_scenario_change_writes_one_row(store: Store) -> None:
    before = count(store)
    store.save(red_tomato(), author=SAM, name="Base")
    store.save(red_tomato(), author=SAM, name="Base", base_version=1, note="second")
    store.set_status("Base", "proposed", author=SAM)
    store.approve("Base", author=EXE)
    store.duplicate("Base", "Copy", author=SAM)
    store.rename("Copy", "Peak", author=SAM)
    store.delete("Peak", author=ADM)
    trail = store.audit(object_kind="scenario")
    assert len(trail) == count(store) - before == 7
    assert list(trail["action"])[::-1] == [
        "save", "save", "status", "approve", "duplicate", "rename", "delete"
    ]  # fmt: skip
    approve = trail[trail["action"] == "approve"].iloc[0]
    assert (approve.who, approve.object) == ("Eve", "scenario Base v2")
    # the deleted scenario's trail is still there
    assert len(store.audit(object_kind="scenario", object_key="Peak")) == 2


@pytest.mark.parametrize(
    ("actor", "change"),
    [
        (ANA, lambda store, spaces, key: store.approve("Base", author=ANA)),
        (SAM, lambda store, spaces, key: store.delete("Base", author=SAM)),
        (EXE, lambda store, spaces, key: store.save(red_tomato(), author=EXE, name="X")),
        (
            SAM,
            lambda store, spaces, key: spaces.apply(
                "Acme", [Edit("family", key, 2.0, 9.0, field="holding_cost")], author=SAM
            ),
        ),
        (
            FIN,
            lambda store, spaces, key: spaces.apply(
                "Acme", [Edit("family", key, 0.0, 9.0, field="labor_hours_per_unit")], author=FIN
            ),
        ),
        (
            ANA,
            lambda store, spaces, key: spaces.create("Other", author=ANA),
        ),
        (
            FIN,
            lambda store, spaces, key: spaces.add_history(
                "Acme",
                pd.DataFrame(
                    {"period": pd.to_datetime(["2025-01-01"]), "family": ["A"], "demand": [1]}
                ),
                "x.csv",
                author=FIN,
            ),
        ),
    ],
)
def test_a_refused_change_is_refused_by_the_core_and_writes_nothing(
    store: Store, actor: Actor, change
) -> None:
    spaces = company(store)
    store.save(red_tomato(), author=SAM, name="Base")
    key = spaces.state("Acme").families[0].key
    state, trail = spaces.state("Acme"), count(store)
    with pytest.raises(PermissionDenied) as err:
        change(store, spaces, key)
    assert "not allowed" in str(err.value) and actor.role_words in str(err.value)
    assert count(store) == trail
    assert spaces.state("Acme") == state
    assert store.open("Base").version == 1 and store.approved() is None
    assert "Other" not in spaces.names()


def test_audit_rows_cannot_be_changed_or_deleted(store: Store) -> None:
    company(store)
    n = count(store)
    for sql in (
        "UPDATE sop_audit SET actor = 'mallory'",
        "DELETE FROM sop_audit",
    ):
        with pytest.raises(DBAPIError, match="append-only"), store.engine.begin() as conn:
            conn.execute(text(sql))
    assert count(store) == n
    assert "mallory" not in set(store.audit()["who"])


def test_an_audit_row_cannot_be_overwritten_by_an_insert_on_its_id(store: Store) -> None:
    company(store)
    n = count(store)
    columns = ("id", "at", "actor", "action", "object_kind", "object_key", "object")
    with store.engine.connect() as conn:
        row = conn.execute(text("SELECT * FROM sop_audit ORDER BY id LIMIT 1")).mappings().one()
    forged = {c: row[c] for c in columns} | {"actor": "mallory"}
    for sql in overwriting_inserts(store.is_sqlite, "sop_audit", columns):
        with pytest.raises(DBAPIError, match="append-only"), store.engine.begin() as conn:
            conn.execute(text(sql), forged)
    with store.engine.connect() as conn:
        after = conn.execute(text("SELECT * FROM sop_audit WHERE id = :id"), row).mappings().one()
    assert dict(after) == dict(row)
    assert count(store) == n
    assert "mallory" not in set(store.audit()["who"])


def test_the_trail_exports_as_csv_and_excel(store: Store) -> None:
    spaces = company(store)
    key = spaces.state("Acme").families[0].key
    spaces.apply(
        "Acme", [Edit("family", key, "Garden tools", "=HYPERLINK(1)", field="name")], author=SAM
    )
    trail = store.audit(company="Acme")
    csv = frame_csv(trail).decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in csv  # neutralised, never a formula
    book = pd.read_excel(__import__("io").BytesIO(frames_excel({"Audit": trail})))
    assert len(book) == len(trail)


def test_the_audit_trail_shows_fields_and_values_in_words() -> None:
    assert audit_field_words("family", "f1", "holding_cost") == "Holding $ / unit / period"
    assert audit_field_words("setting", "resources", "value") == "Resources"
    assert audit_field_words("scenario", "Base", "name") == "Name"
    assert audit_field_words("family", "f1", None) == ""
    assert audit_value_words("family", "f1", "holding_cost", 3.5) == "$3.50"
    assert audit_value_words("family", "f1", "min_workers", None) == ""
    assert audit_value_words(
        "family",
        "f1",
        None,
        {
            "name": "Pumps",
            "demand": [100.0] * 12,
            "labor_hours_per_unit": 4.0,
            "holding_cost": 2.0,
            "history_names": ["PUMP"],
            "needs_review": False,
        },
    ) == (
        "Name: Pumps; Demand: 12 values, all 100; Hours / unit: 4; "
        "Holding $ / unit / period: $2; Names in histories: PUMP; Values to review: no"
    )
    assert audit_value_words("setting", "resources", None, {"value": [{"name": "L1"}]}) == "L1"
    assert audit_value_words("scenario", "Base", "status", "draft") == "draft"


def test_the_trail_for_people_has_headers_and_words(store: Store) -> None:
    spaces = company(store)
    key = spaces.state("Acme").families[0].key
    spaces.apply("Acme", [Edit("family", key, 2.0, 3.5, field="holding_cost")], author=FIN)
    store.save(red_tomato(), author=SAM, name="Base")
    shown = store.audit(words=True)
    assert list(shown.columns) == [
        "When (UTC)", "Who", "E-mail", "Action", "Company", "Object", "Field", "Before", "After"
    ]  # fmt: skip
    saved, edit = shown.iloc[0], shown.iloc[1]
    assert (saved["Object"], saved["After"]) == ("scenario Base v1", "Version: 1")
    assert (edit["Field"], edit["Before"], edit["After"]) == (
        "Holding $ / unit / period",
        "$2",
        "$3.50",
    )
    assert len(shown) == len(store.audit())  # the same rows as the exact trail
