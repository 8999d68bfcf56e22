"""Feeds: the data-gathering step fed from the company's own systems (an ERP's database).

A feed reads rows from another database with SQLAlchemy, from a query or a table (with
its columns named for the fields), and takes them in exactly as an uploaded file: the
same frame, the same validation (:func:`~sop_core.demand.history.validate_history`,
:func:`~sop_core.process.monthly.validate_monthly_table`), the same mapping of family
names, then the same one-transaction, undoable, audited upload
(:func:`~sop_core.services.history.upload_history`,
:func:`~sop_core.services.monthly.upload_table`).

Reading. The source is read in a read-only transaction, by one statement (a query that
would end the transaction and run another is refused). From PostgreSQL (psycopg) the
rows come as one ``COPY (…) TO STDOUT`` in CSV, parsed by pandas' C reader and typed by
the result's column types; from any other database by :func:`pandas.read_sql`. Both give
the same frame. At most :data:`~sop_core.base.limits.MAX_HISTORY_ROWS` rows are read.

Messages name the input (``url``, ``query``, ``table``, ``columns``; the command line
calls them by its options), the value and the fix; a password never appears in them
(:func:`masked`).
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from sop_core.base.access import Actor, as_actor, require
from sop_core.base.errors import InputError, Problem
from sop_core.base.limits import MAX_HISTORY_ROWS
from sop_core.demand.history import validate_history
from sop_core.process.monthly import validate_monthly_table
from sop_core.process.workspace import MONTHLY_TABLES, WorkspaceState
from sop_core.services.companies import company_state
from sop_core.services.history import confirmed_mapping, upload_history
from sop_core.services.monthly import upload_table
from sop_core.services.workbench import Workbench
from sop_core.store.session import safe_url

CONNECT_TIMEOUT_S: int = 10
"""How long a feed waits for the source database to answer a connection [s]."""

MAX_LISTED_NAMES: int = 20
"""Tables or columns named in a message before the rest are counted."""

_NULL = "\\N"  # how COPY writes a NULL (a text equal to it is written quoted, read as NULL)
# PostgreSQL's type numbers (pg_type.oid) of the columns COPY writes as text
_INTEGERS = frozenset({20, 21, 23, 26})  # int8, int2, int4, oid
_NUMBERS = frozenset({701, 1700})  # float8, numeric
_REAL, _BOOL, _TIMESTAMPTZ = 700, 16, 1184


@dataclass(frozen=True)
class Feed:
    """What a feed reads: its name and fields, required and optional (the columns of the
    file an upload takes)."""

    what: str
    fields: tuple[str, ...]
    optional: tuple[str, ...] = ()

    @property
    def all_fields(self) -> tuple[str, ...]:
        return (*self.fields, *self.optional)


#: a sales history: units sold per family (and SKU) and period
HISTORY_FEED = Feed("history", ("family", "period", "units"), ("sku",))
#: the actuals: production, inventory and backlog per family and month
ACTUALS_FEED = Feed("actuals", ("family", "period", *MONTHLY_TABLES["actual"].values))


@dataclass(frozen=True)
class Source:
    """Where a feed reads: a database ``url`` (any SQLAlchemy URL) and either a ``query``
    or a ``table`` (``schema.table`` allowed); ``columns`` maps a field to the source's
    column that holds it (default: the column named as the field)."""

    url: str
    query: str | None = None
    table: str | None = None
    columns: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Pulled:
    """What a pull took in: the name it is kept under, the rows read, the company's new
    state, whether anything changed, and the families it created (a history's)."""

    name: str
    rows: int
    state: WorkspaceState
    changed: bool
    new_families: tuple[str, ...] = ()


# --------------------------------------------------------------------------- words


def masked(url: str) -> str:
    """``url`` with its password masked, for messages and names; text that is not a URL
    loses whatever comes before its last ``@`` (but a ``scheme://``)."""
    try:
        shown = safe_url(url)
    except ValueError:  # a URL whose port is not a number
        shown = "<not a URL>"
    if shown != "<not a URL>":
        return shown
    head, at, tail = url.rpartition("@")
    if not at:
        return url
    scheme, slashes, _ = head.partition("://")
    return f"{scheme}://***@{tail}" if slashes else f"***@{tail}"


def _scrub(text: object, url: URL | None, *, first_line: bool = False) -> str:
    """A driver's message on one line, without the password, at most 300 characters;
    ``first_line``: its first line only (a refused query's; the lines after it quote the
    query as the feed wrapped it)."""
    line = str(text).strip()
    line = " ".join((line.splitlines()[:1] if first_line else line.splitlines()) or [""])
    line = " ".join(line.split())
    if url is not None and url.password:
        line = line.replace(str(url.password), "***")
    return line if len(line) <= 300 else line[:297] + "..."


def _listed(names: Sequence[str]) -> str:
    shown = ", ".join(names[:MAX_LISTED_NAMES]) or "none"
    more = len(names) - MAX_LISTED_NAMES
    return f"{shown} and {more} more" if more > 0 else shown


def feed_name(source: Source) -> str:
    """What a pull is called in the company's history list and audit trail: the table (or
    "query") and the database, password masked."""
    what = source.table.strip() if source.table else "query"
    return f"{what} on {masked(source.url)}"


# --------------------------------------------------------------------------- the source


def _engine(url_text: str) -> tuple[Engine, URL]:
    """An engine on the source (no connection yet); a bad URL or a missing driver is a
    problem of ``url``."""
    try:
        url = make_url(url_text.strip())
    except (ArgumentError, ValueError):
        raise InputError(
            Problem(
                "url",
                f"{masked(url_text)!r} is not a database URL; give one such as "
                "'postgresql+psycopg://user:password@host:5432/erp' or 'sqlite:///erp.sqlite'",
            )
        ) from None
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    args: dict[str, Any] = {}
    if url.get_backend_name() == "sqlite":
        path = url.database or ""
        if path in ("", ":memory:") or not Path(path).is_file():
            raise InputError(
                Problem("url", f"no SQLite database file at {path or '(none)'!r}; give its path")
            )
    elif url.get_backend_name() == "postgresql":
        args["connect_timeout"] = CONNECT_TIMEOUT_S
    try:
        return sa.create_engine(url, connect_args=args, poolclass=sa.NullPool), url
    except (NoSuchModuleError, ImportError) as exc:
        raise InputError(
            Problem(
                "url",
                f"{masked(url_text)}: no driver for {url.drivername!r} here ({_scrub(exc, url)}); "
                "read PostgreSQL with 'postgresql+psycopg://…' or SQLite with 'sqlite:///…'",
            )
        ) from None


@contextmanager
def _connected(url_text: str) -> Iterator[tuple[Connection, URL]]:
    """A read-only transaction on the source, closed at the end; a database that does not
    answer is a problem of ``url``."""
    engine, url = _engine(url_text)
    try:
        try:
            conn = engine.connect()
        except sa.exc.DBAPIError as exc:
            raise InputError(
                Problem(
                    "url",
                    f"cannot connect to {masked(url_text)} ({_scrub(exc.orig, url)}); check the "
                    "host, port, user, password and database name",
                )
            ) from None
        with conn:
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql("SET TRANSACTION READ ONLY")
                conn.exec_driver_sql("SET LOCAL TIME ZONE 'UTC'")
                conn.exec_driver_sql("SET LOCAL DateStyle = 'ISO, YMD'")
            elif conn.dialect.name == "sqlite":
                conn.exec_driver_sql("PRAGMA query_only = ON")
            yield conn, url
            conn.rollback()  # nothing to keep: the source is only read
    finally:
        engine.dispose()


def _table_sql(conn: Connection, table: str, url_text: str) -> str:
    """``SELECT * FROM`` the table (``schema.table`` allowed), quoted; an unknown table is
    a problem of ``table`` naming the tables there are."""
    schema, _, name = table.strip().rpartition(".")
    inspector = sa.inspect(conn)
    if not name or not inspector.has_table(name, schema=schema or None):
        tables = sorted(inspector.get_table_names(schema=schema or None))
        raise InputError(
            Problem(
                "table",
                f"no table {table.strip()!r} in {masked(url_text)}; its tables: {_listed(tables)}",
            )
        )
    quoted = conn.dialect.identifier_preparer.format_table(sa.table(name, schema=schema or None))
    return f"SELECT * FROM {quoted}"


def _query_sql(query: str) -> str:
    """The query as a subquery: without a trailing semicolon; an empty one is a problem."""
    text = query.strip().rstrip(";").strip()
    if not text:
        raise InputError(Problem("query", "is empty; give a SELECT that returns the fields"))
    return text + "\n"  # a last line that is a -- comment ends there


def _run(cursor: Any, sql: str, source: Source, url: URL, errors: type[Exception]) -> None:
    """Execute ``sql`` as one statement (psycopg: prepared, which refuses a second one; the
    SQLite driver refuses it anyway), so that a query cannot end the read-only transaction
    and run more; the source refusing it is a problem of the query (or the table)."""
    one_statement = {"prepare": True} if hasattr(cursor, "copy") else {}
    try:
        cursor.execute(sql, **one_statement)
    except errors as exc:
        where = "query" if source.query is not None else "table"
        fix = (
            "check that it runs on its own in the database (one SELECT, read only)"
            if where == "query"
            else "check that you may read it"
        )
        raise InputError(
            Problem(where, f"the database refused it ({_scrub(exc, url, first_line=True)}); {fix}")
        ) from None


def _chosen(feed: Feed, source: Source, names: Sequence[str]) -> dict[str, str]:
    """Field → the source's column holding it (named in ``columns``, else the field's own
    name; letter case ignored when it is unambiguous). A field without its column, or a
    column named that the source lacks, is a problem of ``columns``."""
    unknown = [f for f in source.columns if f not in feed.all_fields]
    if unknown:
        raise InputError(
            Problem(
                "columns",
                f"{', '.join(repr(f) for f in unknown)} is not a field of the {feed.what}; "
                f"its fields: {', '.join(feed.fields)} (and optionally "
                f"{', '.join(feed.optional) or 'nothing else'})",
            )
        )
    by_lower: dict[str, list[str]] = {}
    for n in names:
        by_lower.setdefault(n.lower(), []).append(n)
    chosen: dict[str, str] = {}
    problems: list[Problem] = []
    what = "the query returns" if source.query is not None else f"table {source.table!r} has"
    for f in feed.all_fields:
        wanted = source.columns.get(f, f)
        found = wanted if wanted in names else None
        if found is None and len(by_lower.get(wanted.lower(), [])) == 1:
            found = by_lower[wanted.lower()][0]
        if found is not None:
            chosen[f] = found
        elif f in feed.fields or f in source.columns:
            problems.append(
                Problem(
                    "columns",
                    f"{what} no column {wanted!r} for the {f} (its columns: {_listed(names)}); "
                    f"give the column that holds it as {f}=COLUMN",
                )
            )
    twice = {c for c in chosen.values() if list(chosen.values()).count(c) > 1}
    problems += [
        Problem("columns", f"column {c!r} is given for more than one field; give each its own")
        for c in sorted(twice)
    ]
    if problems:
        raise InputError(problems)
    return chosen


def _select_sql(conn: Connection, inner: str, chosen: Mapping[str, str], limit: int) -> str:
    """The chosen columns of ``inner``, named by their fields, at most ``limit`` rows."""
    quote = conn.dialect.identifier_preparer.quote
    columns = ", ".join(f"{quote(col)} AS {quote(f)}" for f, col in chosen.items())
    return f"SELECT {columns} FROM ({inner}) AS feed LIMIT {int(limit)}"


def _copied(cursor: Any, sql: str, types: Mapping[str, int], source: Source, url: URL) -> Any:
    """Rows of ``sql`` by PostgreSQL's COPY, as the frame :func:`pandas.read_sql` gives:
    numbers as numbers, booleans as booleans, NULL as missing, a time with a time zone
    as UTC time (as the session reads it), dates and text as text (the validation reads
    ISO dates as it reads the dates :func:`pandas.read_sql` gives)."""
    buffer = io.BytesIO()
    copy_sql = f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, NULL '{_NULL}')"
    errors = type(cursor.connection).Error  # type: ignore[attr-defined]
    try:
        with cursor.copy(copy_sql) as copy:
            for block in copy:
                buffer.write(block)
    except errors as exc:
        where = "query" if source.query is not None else "table"
        raise InputError(
            Problem(
                where,
                f"the database refused it while reading ({_scrub(exc, url, first_line=True)})",
            )
        ) from None
    buffer.seek(0)
    names = list(types)
    if not buffer.getbuffer().nbytes:
        return pd.DataFrame({n: pd.Series(dtype=object) for n in names})
    frame = pd.read_csv(
        buffer, header=None, names=names, dtype=str, keep_default_na=False, na_values=[_NULL]
    )
    for name, oid in types.items():
        col = frame[name]
        if oid in _INTEGERS:
            frame[name] = pd.to_numeric(col)
        elif oid == _REAL:  # written as the shortest text of the 4-byte number: read as one
            frame[name] = col.astype("float32").astype(float)
        elif oid in _NUMBERS:
            frame[name] = col.astype(float)
        elif oid == _BOOL:
            frame[name] = col.map({"t": True, "f": False}).astype(object)
        elif oid == _TIMESTAMPTZ:  # written in UTC (the session's time zone), "+00" at the end
            frame[name] = col.str.removesuffix("+00")
    return frame


def _read_sql(conn: Connection, sql: str, source: Source, url: URL) -> pd.DataFrame:
    """Rows of ``sql`` by :func:`pandas.read_sql` (any database SQLAlchemy reaches)."""
    try:
        return pd.read_sql(sql, conn)
    except sa.exc.DBAPIError as exc:
        where = "query" if source.query is not None else "table"
        raise InputError(
            Problem(
                where,
                f"the database refused it while reading ({_scrub(exc.orig, url, first_line=True)})",
            )
        ) from None


def read_feed(
    source: Source, feed: Feed, *, limit: int = MAX_HISTORY_ROWS, fast: bool = True
) -> pd.DataFrame:
    """The source's rows for ``feed``: one column per field (optional ones when the source
    has them), named by the field, values as the database holds them. At most ``limit``
    rows; more is a problem naming the query or table. ``fast``: read PostgreSQL by COPY
    (else :func:`pandas.read_sql`, as every other database)."""
    if (source.query is None) == (source.table is None):
        raise InputError(Problem("query", "give either a query or a table to read"))
    with _connected(source.url) as (conn, url):
        inner = (
            _query_sql(source.query)
            if source.query is not None
            else _table_sql(conn, str(source.table), source.url)
        )
        raw = conn.connection.dbapi_connection
        assert raw is not None
        errors = conn.dialect.loaded_dbapi.Error
        cursor = raw.cursor()
        try:
            _run(cursor, f"SELECT * FROM ({inner}) AS feed LIMIT 0", source, url, errors)
            names = [str(d[0]) for d in cursor.description or ()]
            chosen = _chosen(feed, source, names)
            sql = _select_sql(conn, inner, chosen, limit + 1)
            if fast and conn.dialect.name == "postgresql" and hasattr(cursor, "copy"):
                _run(cursor, f"SELECT * FROM ({sql}) AS chosen LIMIT 0", source, url, errors)
                types = {str(d[0]): int(d[1]) for d in cursor.description or ()}
                frame = _copied(cursor, sql, types, source, url)
            else:
                frame = _read_sql(conn, sql, source, url)
        finally:
            cursor.close()
    if len(frame) > limit:
        where = "query" if source.query is not None else "table"
        raise InputError(
            Problem(
                where,
                f"returns more than {limit:,} rows; aggregate them (e.g. GROUP BY family, "
                "period) or read fewer periods",
            )
        )
    if frame.empty:
        where = "query" if source.query is not None else "table"
        raise InputError(
            Problem(where, f"returns no rows; the {feed.what} needs one row per family and period")
        )
    return frame


# --------------------------------------------------------------------------- the pulls


def pull_history(
    wb: Workbench,
    company: str,
    source: Source,
    *,
    author: str | Actor,
    mapping: Mapping[str, str] | None = None,
    name: str | None = None,
    fill_gaps: bool = False,
    fast: bool = True,
) -> Pulled:
    """Pull the company's sales history from ``source`` as an upload of a file would take
    it in: the rows validated as a history file's (row 1 is the first row read; ``units``
    is the demand), the family names mapped (:func:`~sop_core.services.history.
    confirmed_mapping`, ``mapping`` overriding the suggestion: history name → family),
    then kept and taken into use by :func:`~sop_core.services.history.upload_history`:
    one transaction, one undoable action, audited under ``author``. ``name``: what the
    company's history list calls it (default :func:`feed_name`). The right to upload a
    history is checked before the source is read."""
    require(as_actor(author), "history", "history")
    state = company_state(wb, company)
    frame = read_feed(source, HISTORY_FEED, fast=fast)
    history = validate_history(frame, target_col="units", fill_gaps=fill_gaps, first_row=1).rename(
        columns={"units": "demand"}
    )
    families = sorted(history["family"].unique())
    confirmed = confirmed_mapping(state, families, mapping or {})
    kept = (name or feed_name(source)).strip()
    after = upload_history(
        wb, company, history, kept, confirmed, author=author, summary=f"history {kept}"
    )
    created = tuple(sorted(set(after.family_names) - set(state.family_names)))
    return Pulled(kept, len(frame), after, True, created)


def pull_actuals(
    wb: Workbench,
    company: str,
    source: Source,
    *,
    author: str | Actor,
    name: str | None = None,
    fast: bool = True,
) -> Pulled:
    """Pull the company's actuals (production, inventory and backlog per family and month)
    from ``source`` as an upload of the actuals file would: validated as the file's rows
    (row 1 is the first row read), then :func:`~sop_core.services.monthly.upload_table`
    makes the company's actuals hold exactly these rows, as one undoable action audited
    under ``author`` (nothing is saved when they hold them already). The right to enter
    actuals is checked before the source is read."""
    require(as_actor(author), "actuals", "actuals")
    state = company_state(wb, company)
    frame = read_feed(source, ACTUALS_FEED, fast=fast)
    table = validate_monthly_table(frame, ACTUALS_FEED.fields[2:], "actuals", first_row=1)
    kept = (name or feed_name(source)).strip()
    after = upload_table(wb, company, "actual", table, kept, author=author, based_on=state)
    return Pulled(kept, len(frame), after, after.revision != state.revision)
