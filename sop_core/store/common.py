"""Checks and conversions every store module shares: the person acting, a name, a time.

Each check raises :class:`~sop_core.base.errors.InputError` naming the field, the value
and the fix.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sop_core.base.access import Actor, as_actor
from sop_core.base.errors import InputError, Problem
from sop_core.store.schema import AUTHOR_MAX, NAME_MAX


def check_name(value: Any, field_name: str = "name") -> str:
    if not isinstance(value, str):
        raise InputError(Problem(field_name, f"must be text, got {value!r}"))
    name = value.strip()
    if not name:
        raise InputError(
            Problem(field_name, "must not be empty; give the scenario a name such as 'Base 2027'")
        )
    if len(name) > NAME_MAX:
        raise InputError(
            Problem(
                field_name,
                f"must be at most {NAME_MAX} characters, got {len(name)} ({name[:20]!r}…); "
                "shorten it and put details in the note",
            )
        )
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        raise InputError(
            Problem(
                field_name, f"must not contain control characters (newlines, tabs), got {name!r}"
            )
        )
    return name


def actor_of(value: Any) -> Actor:
    """The person saving: an :class:`~sop_core.base.access.Actor`, or a plain name (the
    trusted local actor, see :mod:`sop_core.base.access`)."""
    if isinstance(value, Actor):
        check_author(value.name)
        return value
    return as_actor(check_author(value))


def check_author(value: Any) -> str:
    if isinstance(value, Actor):
        return value.author[:AUTHOR_MAX]
    if not isinstance(value, str) or not value.strip():
        raise InputError(
            Problem("author", f"must be a person's name, got {value!r}; say who is saving")
        )
    author = value.strip()
    if len(author) > AUTHOR_MAX:
        raise InputError(
            Problem("author", f"must be at most {AUTHOR_MAX} characters, got {len(author)}")
        )
    return author


def as_utc(dt: datetime) -> datetime:
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)
