"""Schema migrations: fresh databases, databases written before migrations, PostgreSQL."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from postgres_server import PostgresServer, fresh_database, postgres_server  # noqa: F401
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import IntegrityError

from sop_core.store import migrate
from sop_core.store.scenarios import Store
from sop_core.store.schema import Base

OLD_DB = Path(__file__).resolve().parent / "data" / "store_before_migrations.sqlite"
RED_TOMATO = Path(__file__).resolve().parent.parent / "data" / "red_tomato.json"
NEW_TABLES = {"sop_workspace", "sop_workspace_item", "sop_workspace_change", "sop_history_upload"}


def _schema_diff(url: str) -> list:
    """What differs between the models and the migrated database. The one-approved-per-
    company index is on an expression, which SQLite's reflection cannot read: it is
    left out here (with a warning, silenced) and checked by refusals in test_store."""
    import warnings

    engine = create_engine(url)
    with engine.connect() as conn, warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*expression-based index")
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    return diff


def test_a_fresh_sqlite_database_is_created_at_head_and_matches_the_models(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'new.sqlite'}"
    Store(url).close()
    engine = create_engine(url)
    with engine.connect() as conn:
        assert migrate.current(conn) == migrate.head()
        assert set(inspect(conn).get_table_names()) >= NEW_TABLES
    engine.dispose()
    assert _schema_diff(url) == []


def test_a_database_written_before_migrations_is_upgraded_with_its_data(tmp_path: Path) -> None:
    """tests/data/store_before_migrations.sqlite was written by the store before 0002."""
    db = tmp_path / "old.sqlite"
    shutil.copy(OLD_DB, db)
    url = f"sqlite:///{db}"
    engine = create_engine(url)
    with engine.connect() as conn:
        assert migrate.current(conn) is None
        assert "sop_workspace" not in inspect(conn).get_table_names()
    engine.dispose()
    with Store(url) as store:
        listed = {s.name: s for s in store.list_scenarios()}
        assert set(listed) == {"Red Tomato Tools", "Red Tomato Outdoor – next 12 months"}
        assert listed["Red Tomato Tools"].status == "approved"
        assert [v.author for v in store.versions("Red Tomato Tools")] == ["ann", "bob"]
        assert store.approved().version == 2
        assert store.open("Red Tomato Tools", 1).note == "first"
    assert _schema_diff(url) == []
    engine = create_engine(url)
    with engine.connect() as conn:
        assert migrate.current(conn) == migrate.head()
    # the approval rule survived the upgrades (0005 makes it per company; these scenarios
    # of no company count as one): a second approved row is refused by the database
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(
            text("UPDATE sop_scenario SET status = 'approved' WHERE name LIKE '%next 12 months'")
        )
    engine.dispose()


def test_opening_twice_does_not_migrate_again(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    Store(url).close()
    Store(url).close()
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT version_num FROM alembic_version")).all()
    engine.dispose()
    assert rows == [(migrate.head(),)]


def test_0006_upgrades_downgrades_and_upgrades_again_and_refuses_a_replace(
    tmp_path: Path,
) -> None:
    """0006's triggers refuse SQLite's INSERT OR REPLACE over an audit row; its downgrade
    takes them away (the hole is back at 0005) and a second upgrade puts them back."""
    from alembic import command

    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    Store(url).close()
    engine = create_engine(url)
    triggers = "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE ?"
    replace = text(
        "INSERT OR REPLACE INTO sop_audit (id, at, actor, action, object_kind, object_key,"
        " object) VALUES (1, '2026-01-01', :actor, 'edit', 'family', 'f1', 'family Pumps')"
    )

    def guards() -> int:
        with engine.connect() as conn:
            return conn.exec_driver_sql(triggers, ("%_no_replace",)).scalar_one()

    def actor() -> str:
        with engine.connect() as conn:
            return conn.execute(text("SELECT actor FROM sop_audit WHERE id = 1")).scalar_one()

    with engine.begin() as conn:
        conn.execute(replace, {"actor": "ann"})  # the first insert of id 1 is allowed
    assert guards() == 4
    with pytest.raises(IntegrityError, match="append-only"), engine.begin() as conn:
        conn.execute(replace, {"actor": "mallory"})
    with engine.begin() as conn:
        command.downgrade(migrate.config(conn), "0005")
    assert guards() == 0
    with engine.begin() as conn:
        conn.execute(replace, {"actor": "bob"})  # the hole 0006 closes
    assert actor() == "bob"
    migrate.upgrade(engine)
    with engine.connect() as conn:
        assert migrate.current(conn) == migrate.head() == "0006"
    assert guards() == 4
    with pytest.raises(IntegrityError, match="append-only"), engine.begin() as conn:
        conn.execute(replace, {"actor": "mallory"})
    assert actor() == "bob"
    engine.dispose()
    assert _schema_diff(url) == []


@pytest.mark.postgres
def test_postgres_database_at_the_old_schema_is_upgraded_with_its_data(
    postgres_server: PostgresServer,  # noqa: F811
) -> None:
    url = fresh_database(postgres_server, "test_migrations")
    engine = create_engine(url)
    with engine.begin() as conn:
        for table in ("alembic_version", *NEW_TABLES, "sop_scenario_version", "sop_scenario"):
            conn.execute(text(f"DROP TABLE IF EXISTS {table} CASCADE"))
    migrate.upgrade(engine, target=migrate.PRE_MIGRATION_REVISION)
    with engine.begin() as conn:
        assert migrate.current(conn) == "0001"
        conn.execute(
            text(
                "INSERT INTO sop_scenario (name, status, latest_version, created_by, created_at)"
                " VALUES ('Old', 'draft', 1, 'ann', now())"
            )
        )
        conn.execute(
            text(
                "INSERT INTO sop_scenario_version (scenario_id, version, scenario, provenance,"
                " note, author, created_at) SELECT id, 1, CAST(:s AS json), '{}', 'kept', 'ann',"
                " now() FROM sop_scenario"
            ),
            {"s": RED_TOMATO.read_text()},
        )
    engine.dispose()
    with Store(url) as store:
        assert store.names() == ["Old"]
        assert store.open("Old").note == "kept"
    assert _schema_diff(url) == []
