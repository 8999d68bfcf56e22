"""The store's database: the URL, one engine, its sessions and transactions.

Where it lives. :func:`database_url` picks the URL: an explicit one (the app passes the
one from Streamlit secrets), else the environment variable ``SOP_DATABASE_URL``, else
the SQLite file ``data/scenarios.sqlite`` of the project. Any SQLAlchemy URL works the
same way, e.g. ``postgresql+psycopg://user:password@host:5432/sop``. Tables are created
or upgraded on first use by migrations (:mod:`sop_core.store.migrate`,
:mod:`sop_core.store.schema`).

:class:`Database` holds the engine (SQLite: foreign keys on, WAL, a busy timeout and
``BEGIN IMMEDIATE`` for write transactions), :meth:`Database.session` (one transaction,
committed or rolled back) and :meth:`Database.transaction` (one user action made of
several store calls, each a savepoint of it). The store's modules build on it: the
scenarios (:class:`~sop_core.store.scenarios.Store`), the workspaces and the cycles.
An unreachable or busy database raises :class:`StoreUnavailable`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Self

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from sop_core.base.errors import InputError, Problem, StoreUnavailable

ENV_VAR = "SOP_DATABASE_URL"
DEFAULT_SQLITE_PATH = Path(__file__).resolve().parents[2] / "data" / "scenarios.sqlite"
SQLITE_BUSY_TIMEOUT_S = 15.0


#: The transaction each store has open in this thread or task (see :meth:`Database.transaction`);
#: never mutated, replaced (so the shared default stays empty).
_OPEN: ContextVar[dict[int, Session]] = ContextVar("sop_store_transaction", default={})  # noqa: B039


# --------------------------------------------------------------------------- URL


def database_url(url: str | None = None) -> str:
    """The store's URL: ``url`` if given, else ``$SOP_DATABASE_URL``, else the SQLite file."""
    if url and url.strip():
        return url.strip()
    env = os.environ.get(ENV_VAR, "").strip()
    if env:
        return env
    return f"sqlite:///{DEFAULT_SQLITE_PATH}"


def safe_url(url: str) -> str:
    """``url`` with any password masked, for messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<not a URL>"


# --------------------------------------------------------------------------- database


class Database:
    """The store's database: its engine, sessions and transactions; safe to share between
    threads and processes. :class:`~sop_core.store.scenarios.Store` is one, and the other
    store modules (workspaces, cycles) work through it.

    ``Database()`` uses :func:`database_url`; ``Database(url)`` an explicit URL.
    ``busy_timeout`` [s] is how long a SQLite write waits for another writer. Raises
    :class:`~sop_core.base.errors.InputError` for a malformed URL and :class:`StoreUnavailable`
    when the database cannot be opened. Tables are created or upgraded when it opens.
    """

    def __init__(
        self, url: str | None = None, *, busy_timeout: float = SQLITE_BUSY_TIMEOUT_S
    ) -> None:
        self._url = database_url(url)
        try:
            parsed = make_url(self._url)
        except ArgumentError:
            raise InputError(
                Problem(
                    ENV_VAR,
                    f"{self._url!r} is not a database URL; use e.g. "
                    "'sqlite:///data/scenarios.sqlite' or "
                    "'postgresql+psycopg://user:password@host:5432/dbname'",
                )
            ) from None
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        try:
            if self.is_sqlite:
                if parsed.database and parsed.database != ":memory:":
                    Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
                self.engine: Engine = create_engine(parsed, connect_args={"timeout": busy_timeout})
                _configure_sqlite(self.engine, busy_timeout)
            else:
                self.engine = create_engine(parsed, pool_pre_ping=True)
        except (NoSuchModuleError, ImportError) as exc:
            raise InputError(
                Problem(
                    ENV_VAR,
                    f"{safe_url(self._url)}: unsupported database driver ({exc}); use "
                    "'sqlite:///…' or 'postgresql+psycopg://…'",
                )
            ) from None
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        self._write = sessionmaker(
            self.engine.execution_options(sop_write=True), expire_on_commit=False
        )
        self._create_tables()

    # -- plumbing

    @property
    def url(self) -> str:
        """The database URL with its password masked."""
        return safe_url(self._url)

    def close(self) -> None:
        """Release the store's database connections."""
        self.engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _unavailable(self, exc: Exception) -> StoreUnavailable:
        orig = getattr(exc, "orig", None) or exc
        busy = str(getattr(orig, "sqlstate", "") or "").startswith("40") or (
            "database is locked" in str(orig)
        )
        if busy:  # deadlock, serialization failure, SQLite lock held past the timeout
            return StoreUnavailable(
                f"the scenario database {self.url} is busy ({str(orig).strip()}); "
                "nothing was written, try again"
            )
        return StoreUnavailable(
            f"cannot open the scenario database {self.url}: {str(orig).strip()}; "
            f"check {ENV_VAR} and that the database server is running"
        )

    def _create_tables(self) -> None:
        """Create or upgrade the tables (migrations; see :mod:`sop_core.store.migrate`)."""
        from sop_core.store import migrate

        try:
            migrate.upgrade(self.engine, write_options={"sop_write": True})
        except OperationalError as exc:
            raise self._unavailable(exc) from None

    @contextmanager
    def session(self, write: bool = False) -> Iterator[Session]:
        """A transaction on the store, for the store's modules: committed at the end,
        rolled back on an exception. Inside :meth:`transaction` it is a savepoint of
        that one transaction instead: a step that fails is undone alone, and nothing is
        committed before the whole action is."""
        joined = _OPEN.get().get(id(self))
        if joined is not None:
            with joined.begin_nested():
                yield joined
            return
        maker = self._write if write else self._read
        try:
            with maker() as session, session.begin():
                yield session
        except OperationalError as exc:
            raise self._unavailable(exc) from None

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One write transaction for a whole user action made of several store calls (a
        company started with its history and what-ifs): every call inside joins it, and
        the action is saved whole or not at all."""
        if _OPEN.get().get(id(self)) is not None:  # already inside one: join it
            with self.session(write=True) as s:
                yield s
            return
        with self.session(write=True) as s:
            token = _OPEN.set({**_OPEN.get(), id(self): s})
            try:
                yield s
            finally:
                _OPEN.reset(token)


def _configure_sqlite(engine: Engine, busy_timeout: float) -> None:
    """Foreign keys on, WAL, a busy timeout, and BEGIN IMMEDIATE for write transactions.

    pysqlite's own transaction handling is switched off so that a write transaction
    takes the write lock at BEGIN: two saves then queue behind each other instead of
    failing with "database is locked" when the second tries to upgrade its read lock.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        write = connection.get_execution_options().get("sop_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")
