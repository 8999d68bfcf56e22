"""``python -m sop_core history upload|pull|list``: a company's sales history from a shell.

- ``upload COMPANY FILE [--mapping MAPPING.csv | --map OLD=NEW ...] [--fill-gaps]``: read
  and validate a history file (.csv or .xlsx: period, family, demand, optionally sku),
  map its family names to the company's (same name, a name a family had before, or the
  same name ignoring case and punctuation; else a new family), keep it and take it into
  use: one action, undoable, audited under ``--as``.
- ``pull COMPANY --from URL (--query SQL | --table T [--columns family=COL,...])``: the
  same, with the rows read from the company's own database (an ERP's): see
  :mod:`sop_core.services.feeds`.
- ``list COMPANY``: the histories kept, who uploaded each and when, and the one in use.

The options every pull shares (``--from``, ``--query``, ``--table``, ``--columns``,
``--name``) are built here; ``actuals pull`` uses them too.
"""

from __future__ import annotations

import argparse
import csv
import io
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from sop_core.base.errors import InputError, Problem
from sop_core.base.text import plural
from sop_core.cli.common import (
    actor_of,
    emit,
    format_option,
    opened,
    parse_pairs,
    said,
    store_options,
)
from sop_core.demand.history import read_history
from sop_core.services import companies, feeds, history

#: the services' names of a pull's inputs -> the options that give them
OPTIONS = {
    "url": "--from",
    "query": "--query",
    "table": "--table",
    "columns": "--columns",
}
MAPPING_COLUMNS = ("history_name", "family")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``history`` command and its upload/pull/list subcommands."""
    common, fmt = store_options(), format_option()
    parser = subparsers.add_parser(
        "history",
        help="upload, pull and list a company's sales histories",
        description="A company's sales history: uploaded from a file or pulled from its "
        "own database, its family names mapped to the company's families.",
    )
    sub = parser.add_subparsers(dest="history_command", required=True, metavar="SUBCOMMAND")

    p = sub.add_parser(
        "upload",
        parents=[common, fmt, mapping_options()],
        help="upload a history file into a company",
        description="Read and validate a history file (.csv or .xlsx with columns period, "
        "family, demand [units], optionally sku), map its family names to the company's "
        "and take it into use, as one undoable action. Needs the demand planner's right.",
    )
    p.add_argument("company", metavar="COMPANY", help="the company the history is for")
    p.add_argument("file", metavar="FILE", help="the history file (.csv or .xlsx)")
    p.set_defaults(func=_cmd_upload)

    p = sub.add_parser(
        "pull",
        parents=[common, fmt, source_options(feeds.HISTORY_FEED), mapping_options()],
        help="pull a history from the company's own database",
        description="Read the sales history from another database (an ERP's) and take it "
        "in exactly as an uploaded file: validated, family names mapped, one undoable "
        "action. Fields: family, period (a date or YYYY-MM), units [units sold], "
        "optionally sku. Needs the demand planner's right.",
    )
    p.add_argument("company", metavar="COMPANY", help="the company the history is for")
    p.set_defaults(func=_cmd_pull)

    p = sub.add_parser(
        "list",
        parents=[common, fmt],
        help="the histories kept for a company",
        description="Every history uploaded or pulled into the company, oldest first: "
        "its name, rows, who and when (UTC), and the one in use.",
    )
    p.add_argument("company", metavar="COMPANY", help="the company")
    p.set_defaults(func=_cmd_list)


# --------------------------------------------------------------------------- shared options


#: an example of ``--columns`` for each feed
COLUMNS_EXAMPLE = {
    "history": "family=item_group,period=month,units=qty",
    "actuals": "family=line,period=month,production=made,inventory=on_hand,backlog=late",
}


def source_options(feed: feeds.Feed) -> argparse.ArgumentParser:
    """A parent parser with what a pull of ``feed`` reads: ``--from URL`` and ``--query
    SQL`` or ``--table T [--columns FIELD=COLUMN,...]``, and ``--name``."""
    fields = ", ".join(feed.fields) + "".join(f" [, {f}]" for f in feed.optional)
    example = COLUMNS_EXAMPLE[feed.what]
    p = argparse.ArgumentParser(add_help=False)
    p.set_defaults(columns_example=example)
    p.add_argument(
        "--from",
        dest="source_url",
        required=True,
        metavar="URL",
        help="SQLAlchemy URL of the database to read, e.g. "
        "postgresql+psycopg://user:password@host:5432/erp (read only; the password never "
        "appears in messages)",
    )
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument(
        "--query",
        metavar="SQL",
        help=f"one SELECT returning the fields ({fields}) as columns (or name them with --columns)",
    )
    which.add_argument(
        "--table", metavar="T", help="a table (or schema.table) to read the fields from"
    )
    p.add_argument(
        "--columns",
        action="append",
        metavar="FIELD=COLUMN,...",
        help=f"which column holds each field, e.g. {example} (default: the column named as "
        "the field); repeatable",
    )
    p.add_argument(
        "--name",
        default=None,
        metavar="LABEL",
        help="what the company's lists and audit trail call this pull (default: the table, "
        "or 'query', on the database, password masked)",
    )
    return p


def mapping_options() -> argparse.ArgumentParser:
    """A parent parser with how a history's family names map to the company's
    (``--mapping FILE`` or ``--map OLD=NEW``) and ``--fill-gaps``."""
    p = argparse.ArgumentParser(add_help=False)
    how = p.add_mutually_exclusive_group()
    how.add_argument(
        "--mapping",
        metavar="MAPPING.csv",
        help="a CSV with columns history_name,family: the company's family (existing or "
        "new) each family name of the history joins; names it lacks are suggested",
    )
    how.add_argument(
        "--map",
        action="append",
        metavar="OLD=NEW",
        help="the history's family OLD joins the company's family NEW (existing or new); "
        "repeat for more",
    )
    p.add_argument(
        "--fill-gaps",
        action="store_true",
        help="fill missing periods of a series with demand 0 instead of refusing them",
    )
    return p


def columns_of(values: Sequence[str] | None, example: str) -> dict[str, str]:
    """``--columns`` as field -> column (comma-separated pairs, the option repeatable);
    ``example``: a right one, for the message when one is wrong."""
    pairs = [part for value in values or () for part in value.split(",") if part.strip()]
    try:
        return parse_pairs(pairs, "--columns")
    except InputError:
        raise InputError(
            Problem(
                "--columns",
                f"give FIELD=COLUMN pairs separated by commas, e.g. {example}; got "
                f"{','.join(values or ())!r}",
            )
        ) from None


def source_of(args: argparse.Namespace) -> feeds.Source:
    """What ``--from``, ``--query``/``--table`` and ``--columns`` say to read."""
    return feeds.Source(
        url=args.source_url,
        query=args.query,
        table=args.table,
        columns=columns_of(args.columns, args.columns_example),
    )


@contextmanager
def options_named(mapping_option: str = "--map") -> Iterator[None]:
    """Problems of a pull's inputs named by the options that give them."""
    names = {**OPTIONS, "mapping": mapping_option}
    try:
        yield
    except InputError as exc:
        problems = [Problem(names.get(p.field, p.field), p.message) for p in exc.problems]
        raise type(exc)(problems) from None


# --------------------------------------------------------------------------- mapping


def read_mapping(path_text: str) -> dict[str, str]:
    """A mapping file (CSV: history_name,family; other columns ignored) as history name ->
    family. Bad input names ``--mapping``, the row and the fix."""
    path = Path(path_text)
    if not path.is_file():
        raise InputError(
            Problem("--mapping", f"no such file {path_text!r}; give a CSV with columns "
                    "history_name,family")
        )  # fmt: skip
    text = path.read_bytes().decode("utf-8-sig", errors="replace")
    rows = list(csv.reader(io.StringIO(text)))
    header = [c.strip().lower() for c in rows[0]] if rows else []
    missing = [c for c in MAPPING_COLUMNS if c not in header]
    if missing:
        raise InputError(
            Problem(
                "--mapping",
                f"missing column {', '.join(repr(c) for c in missing)}; a mapping file has "
                f"columns history_name,family, found: {', '.join(header) or 'none'}",
            )
        )
    at = {c: header.index(c) for c in MAPPING_COLUMNS}
    mapping: dict[str, str] = {}
    for number, row in enumerate(rows[1:], start=2):
        cells = {c: (row[i].strip() if i < len(row) else "") for c, i in at.items()}
        if not cells["history_name"] and not cells["family"]:
            continue
        where = f"row {number}"
        if not cells["history_name"]:
            raise InputError(Problem("--mapping", f"{where}: the history_name is blank"))
        if cells["history_name"] in mapping:
            raise InputError(
                Problem(
                    "--mapping",
                    f"{where}: {cells['history_name']!r} is given twice; keep one row for it",
                )
            )
        mapping[cells["history_name"]] = cells["family"]
    return _no_blank(mapping, "--mapping")


def overrides_of(args: argparse.Namespace) -> tuple[dict[str, str], str]:
    """The mapping the person gave (``--mapping`` or ``--map``) and the option it came by."""
    if args.mapping is not None:
        return read_mapping(args.mapping), "--mapping"
    return _no_blank(parse_pairs(args.map, "--map"), "--map"), "--map"


def _no_blank(mapping: dict[str, str], option: str) -> dict[str, str]:
    blank = [name for name, family in mapping.items() if not family.strip()]
    if blank:
        raise InputError(
            Problem(
                option,
                f"give {blank[0]!r} a family name: the company's family it joins, or a new one",
            )
        )
    return mapping


def _mapping_table(mapping: pd.DataFrame) -> None:
    """The mapping as the Demand page shows it: in the file, family, now."""
    emit(mapping.rename(columns={"action": "mapping_action"}), "table")


# --------------------------------------------------------------------------- commands


def _families(new: Sequence[str]) -> str:
    if not new:
        return "no new family"
    shown = ", ".join(new[:5]) + (f" and {len(new) - 5} more" if len(new) > 5 else "")
    return f"{len(new)} new (to review): {shown}"


def _cmd_upload(args: argparse.Namespace) -> int:
    path = Path(args.file)
    kept = read_history(path, fill_gaps=args.fill_gaps)
    overrides, option = overrides_of(args)
    author = actor_of(args)
    with opened(args) as wb, options_named(option):
        before = companies.company_state(wb, args.company)
        names = sorted(kept["family"].unique())
        mapping = history.confirmed_mapping(before, names, overrides)
        state = history.upload_history(wb, args.company, kept, path.name, mapping, author=author)
    new = sorted(set(state.family_names) - set(before.family_names))
    said(
        f"uploaded {path.name} into {state.name!r}: {plural(len(kept), 'row')}, "
        f"{plural(len(names), 'family', 'families')} in the file, {_families(new)}",
        args.format,
        company=state.name,
        file=path.name,
        rows=len(kept),
        new_families=new,
        mapping=mapping.to_dict("records"),
    )
    if args.format == "table":
        _mapping_table(mapping)
    return 0


def _cmd_pull(args: argparse.Namespace) -> int:
    source = source_of(args)
    overrides, option = overrides_of(args)
    author = actor_of(args)
    with opened(args) as wb, options_named(option):
        pulled = feeds.pull_history(
            wb,
            args.company,
            source,
            author=author,
            mapping=overrides,
            name=args.name,
            fill_gaps=args.fill_gaps,
        )
    said(
        f"pulled {plural(pulled.rows, 'row')} of history from {feeds.masked(source.url)} into "
        f"{pulled.state.name!r} as {pulled.name!r}: {_families(list(pulled.new_families))}",
        args.format,
        company=pulled.state.name,
        name=pulled.name,
        rows=pulled.rows,
        new_families=list(pulled.new_families),
    )
    return 0


def _cmd_list(args: argparse.Namespace) -> int:
    with opened(args) as wb:
        uploads = history.history_uploads(wb, args.company)
    if args.format == "table":  # times as people read them; JSON and CSV keep ISO times
        uploads["uploaded_at"] = [f"{t:%Y-%m-%d %H:%M} UTC" for t in uploads["uploaded_at"]]
    emit(
        uploads,
        args.format,
        empty=f"no history in {args.company!r} yet; upload one with: python -m sop_core "
        "history upload COMPANY FILE",
    )
    return 0
