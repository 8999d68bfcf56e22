"""Schema migrations of the store (Alembic; scripts in ``sop_core/store/migrations/versions``).

:func:`upgrade` brings any database to the newest schema when a store opens it: an empty
one is created from revision 0001 on; one written before migrations existed (it has the
scenario tables but no ``alembic_version``) is recognised and stamped 0001 first, so its
data stays as it is. Concurrent openers are serialised (PostgreSQL: an advisory lock;
SQLite: the write lock of ``BEGIN IMMEDIATE``), so two processes never migrate at once.

A schema change is a new script in ``versions/`` (``revision = "0003"``,
``down_revision = "0002"``) plus the matching change in :mod:`sop_core.store.schema`;
``tests/test_migrations.py`` checks that the two agree.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect, text

SCRIPTS = Path(__file__).resolve().parent / "migrations"
PRE_MIGRATION_REVISION = "0001"  # what a database written before migrations holds
_PG_LOCK_ID = 0x50_4F_50  # any constant shared by every opener of the same database


def config(connection: Connection | None = None) -> Config:
    """An Alembic configuration for our scripts, bound to ``connection`` if given."""
    cfg = Config()
    cfg.set_main_option("script_location", str(SCRIPTS))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head() -> str:
    """The newest revision of the scripts."""
    return ScriptDirectory.from_config(config()).get_current_head() or ""


def current(connection: Connection) -> str | None:
    """The revision the database is at (``None``: not under migrations yet)."""
    return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, *, write_options: dict | None = None, target: str = "head") -> None:
    """Bring the database behind ``engine`` to ``target`` (the newest schema by default)."""
    eng = engine.execution_options(**write_options) if write_options else engine
    with eng.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _PG_LOCK_ID})
        if target == "head" and current(conn) == head():
            return
        tables = set(inspect(conn).get_table_names())
        cfg = config(conn)
        if "alembic_version" not in tables and "sop_scenario" in tables:
            command.stamp(cfg, PRE_MIGRATION_REVISION)
        command.upgrade(cfg, target)
