"""What every store command shares: which database, who is acting, how to print.

- ``--database-url URL`` (else ``$SOP_DATABASE_URL``, else ``data/scenarios.sqlite``).
- ``--as WHO`` (else ``$SOP_ACTOR``, else the login name). A plain name is the trusted
  local actor, with every right, as on a laptop; an e-mail address is a named person or
  service account on a served install, whose roles come from the same role file as the
  app's (``$SOP_ROLES_FILE``, default ``.streamlit/roles.toml``): a refused action exits 2
  with the sentence the page shows. Every change is audited under that name.
- ``--format table|json|csv`` wherever something is printed: a table for people (the
  vocabulary's headers and number formats), JSON and CSV for programs (field keys, exact
  values).
"""

from __future__ import annotations

import argparse
import getpass
import json
import math
import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any, TextIO

import pandas as pd

from sop_core.base.access import Actor, load_roles, local_actor
from sop_core.base.errors import InputError, Problem, StoreUnavailable
from sop_core.base.fields import header, show_value
from sop_core.base.text import neutralise_frame
from sop_core.services.workbench import DATABASE_ENV, Workbench, connect

ACTOR_ENV = "SOP_ACTOR"
OLD_ACTOR_ENV = "SOP_AUTHOR"  # what ``scenarios import`` read before; still read
FORMATS = ("table", "json", "csv")

# --------------------------------------------------------------------------- options


def store_options() -> argparse.ArgumentParser:
    """A parent parser with ``--database-url`` and ``--as``."""
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument(
        "--database-url",
        metavar="URL",
        default=None,
        help=f"SQLAlchemy URL of the store (default: ${DATABASE_ENV}, else data/scenarios.sqlite)",
    )
    p.add_argument(
        "--as",
        dest="actor",
        metavar="WHO",
        default=None,
        help=f"who is acting: a name (the trusted local user, every right) or an e-mail "
        f"address (its roles from the role file); default ${ACTOR_ENV}, else the login name",
    )
    return p


def format_option() -> argparse.ArgumentParser:
    """A parent parser with ``--format table|json|csv``."""
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument(
        "--format",
        choices=FORMATS,
        default="table",
        help="table for people (default), json or csv for programs",
    )
    return p


# --------------------------------------------------------------------------- who and where


def actor_of(args: argparse.Namespace) -> Actor:
    """The person acting: ``--as``, else ``$SOP_ACTOR`` (or ``$SOP_AUTHOR``), else the login
    name. An e-mail
    address gets its roles from the role file (none there: no right, read only)."""
    who = getattr(args, "actor", None) or os.environ.get(ACTOR_ENV) or ""
    who = (who or os.environ.get(OLD_ACTOR_ENV) or "").strip()
    if not who:
        who = getpass.getuser()
    if "@" in who:
        return load_roles().actor(who, who)
    return local_actor(who)


@contextmanager
def opened(args: argparse.Namespace) -> Iterator[Workbench]:
    """The store of ``--database-url``, closed at the end; an unreachable database is bad
    input (exit 2), named, not a traceback."""
    try:
        wb = connect(getattr(args, "database_url", None))
    except StoreUnavailable as exc:
        raise InputError(Problem("--database-url", str(exc))) from None
    try:
        yield wb
    except StoreUnavailable as exc:
        raise InputError(Problem("--database-url", str(exc))) from None
    finally:
        wb.close()


# --------------------------------------------------------------------------- printing


def _plain(value: Any) -> Any:
    """A value JSON can hold: timestamps as ISO text, NaN/NA as null, numpy as Python."""
    if value is None:
        return None
    if isinstance(value, datetime | date | pd.Timestamp):
        return value.isoformat()
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of ``frame`` as JSON-safe dictionaries keyed by column."""
    return [{str(k): _plain(v) for k, v in row.items()} for row in frame.to_dict("records")]


def emit(
    frame: pd.DataFrame,
    fmt: str,
    *,
    out: TextIO | None = None,
    keys: Mapping[str, str] | None = None,
    empty: str = "nothing to show",
) -> None:
    """Print ``frame``: ``table`` for people (headers from the vocabulary, values as the
    vocabulary shows each field; ``keys`` maps a column to its field when the names
    differ), ``json`` (a list of records) or ``csv`` (field keys, exact values; cells a
    spreadsheet would run as formulas neutralised)."""
    out = out or sys.stdout
    if fmt == "json":
        json.dump(records(frame), out, indent=2, ensure_ascii=False)
        out.write("\n")
    elif fmt == "csv":
        neutralise_frame(frame).to_csv(out, index=False, lineterminator="\n")
    elif frame.empty:
        out.write(f"{empty}\n")
    else:
        fields = {c: (keys or {}).get(str(c), str(c)) for c in frame.columns}
        shown = pd.DataFrame(
            {header(fields[c]): [show_value(fields[c], v) for v in frame[c]] for c in frame.columns}
        )
        with pd.option_context("display.width", 250, "display.max_columns", 40):
            out.write(shown.to_string(index=False) + "\n")


def emit_one(item: Mapping[str, Any], fmt: str, *, out: TextIO | None = None) -> None:
    """Print one object: ``json`` as an object, ``csv`` and ``table`` as field, value rows."""
    out = out or sys.stdout
    if fmt == "json":
        json.dump({k: _plain(v) for k, v in item.items()}, out, indent=2, ensure_ascii=False)
        out.write("\n")
        return
    frame = pd.DataFrame({"field": list(item), "value": list(item.values())})
    if fmt == "csv":
        neutralise_frame(frame).to_csv(out, index=False, lineterminator="\n")
        return
    width = max((len(header(k)) for k in item), default=0) + 2
    for key, value in item.items():
        out.write(f"{header(key):<{width}}{show_value(key, value)}\n")


def said(message: str, fmt: str, **fields: Any) -> None:
    """What a changing command reports: the sentence for people; with ``--format json``
    the same as an object (``message`` and ``fields``), so a script can read it."""
    if fmt == "json":
        json.dump({"message": message, **{k: _plain(v) for k, v in fields.items()}}, sys.stdout)
        sys.stdout.write("\n")
    else:
        print(message)


def company_argument(p: argparse.ArgumentParser) -> None:
    """The ``COMPANY`` positional argument of a company's command."""
    p.add_argument("company", metavar="COMPANY", help="the company (as `companies list` names it)")


def output_path(raw: str, types: Sequence[str] | None = None, option: str = "-o") -> Path:
    """The file a command will write, checked before any work: ending in one of ``types``
    (any, without), not a directory, in a directory that exists. Refused naming
    ``option``."""
    out = Path(raw)
    if types is not None and out.suffix.lower() not in types:
        raise InputError(
            Problem(option, f"{raw!r} must end in {', '.join(types)}; got {out.suffix or 'none'}")
        )
    if out.is_dir():
        raise InputError(Problem(option, f"{raw!r} is a directory; give a file name"))
    if not out.parent.is_dir():
        raise InputError(
            Problem(
                option,
                f"directory {str(out.parent)!r} does not exist; create it or choose another path",
            )
        )
    return out


def write_output(path: str | Path, data: bytes, option: str = "-o") -> Path:
    """Write ``data`` to ``path`` (checked as :func:`output_path` does); a failure to write
    is refused naming ``option``."""
    out = output_path(str(path), None, option)
    try:
        out.write_bytes(data)
    except OSError as exc:
        raise InputError(Problem(option, f"cannot write {str(out)!r}: {exc.strerror}")) from None
    return out


def parse_pairs(values: Sequence[str] | None, option: str) -> dict[str, str]:
    """``OLD=NEW`` pairs of a repeated option; a pair without ``=`` is bad input naming it."""
    pairs: dict[str, str] = {}
    for raw in values or ():
        old, sep, new = raw.partition("=")
        if not sep or not old.strip():
            raise InputError(Problem(option, f"give OLD=NEW, got {raw!r}"))
        pairs[old.strip()] = new.strip()
    return pairs
