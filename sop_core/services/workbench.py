"""The store every service acts on, opened once per process.

A :class:`Workbench` is what a page or a command holds and hands to each service: the
scenario store on one database (SQLite by default, PostgreSQL by URL) with its
workspaces and monthly cycles. Callers never reach through it: each user action is a
function of a service module that takes the workbench, the acting person and what the
action needs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sop_core.store.cycles import Cycles
from sop_core.store.scenarios import Store
from sop_core.store.session import ENV_VAR, database_url
from sop_core.store.workspaces import Workspaces

#: the environment variable naming the store's URL (``$SOP_DATABASE_URL``)
DATABASE_ENV = ENV_VAR


@dataclass(frozen=True, eq=False)
class Workbench:
    """The store the services act on; safe to share between threads and sessions."""

    store: Store
    spaces: Workspaces = field(init=False)
    cycles: Cycles = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "spaces", Workspaces(self.store))
        object.__setattr__(self, "cycles", Cycles(self.store))

    @property
    def url(self) -> str:
        """The database URL with any password masked (a cache key)."""
        return self.store.url

    @property
    def where(self) -> str:
        """Where the store is, for messages: its URL, the password masked."""
        return self.store.url

    def close(self) -> None:
        """Release the database connections (a command, once it is done)."""
        self.store.close()

    def __enter__(self) -> Workbench:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def resolved_url(url: str | None = None) -> str:
    """The URL :func:`connect` opens: ``url`` if given, else ``$SOP_DATABASE_URL``, else
    the SQLite file (read now: a cache keyed on it follows a changed environment)."""
    return database_url(url)


def connect(url: str | None = None) -> Workbench:
    """Open the store at ``url`` (else ``$SOP_DATABASE_URL``, else the SQLite file in
    ``data/``), creating or upgrading its tables. Raises
    :class:`~sop_core.base.errors.InputError` for a malformed URL and
    :class:`~sop_core.base.errors.StoreUnavailable` when the database does not answer."""
    return Workbench(Store(database_url(url)))
