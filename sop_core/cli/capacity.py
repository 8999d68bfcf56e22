"""``python -m sop_core capacity …``: a company's workforce, policy, families, resources
and working-day calendar, read and changed from a shell.

- ``show COMPANY [--section S]``: the workforce, the policy, each family's hours, costs
  and limits, the resources and the calendar (``--format csv`` prints one section).
- ``set COMPANY FIELD VALUE [--family F]``: one workforce or policy field, or one field of
  family F; FIELD by its key (``labor_hours_per_unit``) or its label (``"Hours / unit"``).
- ``add-family COMPANY NAME [--like F]``, ``rename-family COMPANY OLD NEW``,
  ``remove-family COMPANY NAME``.
- ``resource COMPANY [NAME [--hours H …] [--overtime H …] [--overtime-cost $]
  [--load FAMILY=H …] | NAME --remove]``: list, add, change or remove a resource.
- ``calendar COMPANY [--country XX] [--subdivision S] [--shutdown YYYY-MM=DAYS …] [--clear]``:
  the working-day calendar, shown after any change.

Every change is one undoable action of :mod:`sop_core.services.capacity`, saved under
``--as`` and audited; a refusal (a missing right, a value out of range, a plan that would
not hold) exits 2 with the sentence.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from sop_core.base.errors import InputError, Problem
from sop_core.base.fields import (
    FAMILY_FIELDS,
    POLICY_FIELDS,
    WORKFORCE_FIELDS,
    format_number,
    header,
    label,
    show_value,
)
from sop_core.base.text import plural
from sop_core.cli.common import (
    actor_of,
    company_argument,
    emit,
    emit_one,
    format_option,
    opened,
    parse_pairs,
    records,
    said,
    store_options,
)
from sop_core.model.scenario import Policy
from sop_core.process.workspace import Edit, WorkspaceState, describe, family_of
from sop_core.services import capacity, companies

SECTIONS = ("workforce", "policy", "families", "resources", "calendar")
#: the families' fields ``show`` lists, after the name (demand: ``consensus show``)
FAMILY_SHOWN: tuple[str, ...] = (
    *(k for k in FAMILY_FIELDS if k != "name"),
    "safety_stock",
    "needs_review",
    "history_names",
)
RESOURCE_COLUMNS = ("name", *capacity.RESOURCE_FIELDS)
CALENDAR_COLUMNS = (
    "period",
    "weekdays",
    "holidays",
    "shutdown_days",
    "working_days",
    "share_of_standard_hours",
)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``capacity`` command and its subcommands."""
    parents = [store_options(), format_option()]
    parser = subparsers.add_parser(
        "capacity",
        help="a company's workforce, policy, families, resources and calendar",
        description="Read and change a company's capacity: the workforce and policy, each "
        "family's hours, costs and limits, the rough-cut resources and the working-day "
        "calendar. Every change is saved as one undoable, audited action.",
    )
    sub = parser.add_subparsers(dest="capacity_command", required=True, metavar="SUBCOMMAND")

    p = sub.add_parser(
        "show", parents=parents, help="the workforce, policy, families, resources, calendar"
    )
    company_argument(p)
    p.add_argument(
        "--section",
        choices=SECTIONS,
        default=None,
        help="only this part (needed with --format csv, which prints one table)",
    )
    p.set_defaults(func=_cmd_show)

    p = sub.add_parser(
        "set",
        parents=parents,
        help="set a workforce or policy field, or a family's field",
        description="Set one field. Workforce: "
        + ", ".join(k for k, _, _ in WORKFORCE_FIELDS)
        + ". Policy: "
        + ", ".join(POLICY_FIELDS)
        + ". A family's (with --family): "
        + ", ".join(capacity.SETTABLE["family"])
        + ". Costs and prices are finance's; hours, limits, families and the policy the "
        "supply planner's.",
    )
    company_argument(p)
    p.add_argument(
        "field",
        metavar="FIELD",
        help="the field's key (labor_hours_per_unit) or label ('Hours / unit'), case ignored",
    )
    p.add_argument(
        "value",
        metavar="VALUE",
        help="a number in the field's unit (e.g. 4.5 h / unit, 350 $ / worker), yes or no, "
        "a strategy (optimal, level, chase), or none for no limit",
    )
    p.add_argument("--family", metavar="F", default=None, help="the family whose field it is")
    p.set_defaults(func=_cmd_set)

    p = sub.add_parser(
        "add-family",
        parents=parents,
        help="add a family (zero demand until a forecast is handed over)",
        description="Add a family: its hours, costs and limits are those of --like F, or the "
        "median of the company's families (the textbook's when it has none), to review.",
    )
    company_argument(p)
    p.add_argument("name", metavar="NAME", help="the new family's name")
    p.add_argument(
        "--like", metavar="F", default=None, help="copy the hours, costs and limits of family F"
    )
    p.set_defaults(func=_cmd_add_family)

    p = sub.add_parser(
        "rename-family",
        parents=parents,
        help="rename a family (its adjustments and monthly rows follow it)",
    )
    company_argument(p)
    p.add_argument("old", metavar="OLD", help="the family's name now")
    p.add_argument("new", metavar="NEW", help="its new name")
    p.set_defaults(func=_cmd_rename_family)

    p = sub.add_parser(
        "remove-family",
        parents=parents,
        help="remove a family and its consensus adjustments (undo brings it back)",
    )
    company_argument(p)
    p.add_argument("name", metavar="NAME", help="the family to remove")
    p.set_defaults(func=_cmd_remove_family)

    p = sub.add_parser(
        "resource",
        parents=parents,
        help="list, add, change or remove a rough-cut resource (a line, a machine, a supplier)",
        description="Without NAME: the resources. With NAME and options: add the resource "
        "(--hours needed) or change what is given; --remove takes it and every family's "
        "hours on it away.",
    )
    company_argument(p)
    p.add_argument("name", metavar="NAME", nargs="?", default=None, help="the resource")
    p.add_argument(
        "--hours",
        metavar="H",
        nargs="+",
        default=None,
        help="hours available [h / period]: one number (scaled by the working days) or one "
        "per period",
    )
    p.add_argument(
        "--overtime",
        metavar="H",
        nargs="+",
        default=None,
        help="overtime allowed [h / period]: one number or one per period (default 0)",
    )
    p.add_argument(
        "--overtime-cost", metavar="DOLLARS", default=None, help="overtime cost [$ / h] (default 0)"
    )
    p.add_argument(
        "--load",
        metavar="FAMILY=H",
        action="append",
        default=None,
        help="hours family FAMILY loads on it [h / unit]; 0 takes the family off it "
        "(repeat per family)",
    )
    p.add_argument("--remove", action="store_true", help="remove the resource")
    p.set_defaults(func=_cmd_resource)

    p = sub.add_parser(
        "calendar",
        parents=parents,
        help="show or set the working-day calendar (public holidays, plant shutdowns)",
        description="Without options: the calendar per period. Regular and resource hours "
        "given as one number scale with each period's working days: weekdays less public "
        "holidays and shutdown days.",
    )
    company_argument(p)
    p.add_argument(
        "--country",
        metavar="XX",
        default=None,
        help="ISO country code whose public holidays are not worked (DE, FR, US…); '' for none",
    )
    p.add_argument(
        "--subdivision",
        metavar="S",
        default=None,
        help="a state or province of the country ('' for none)",
    )
    p.add_argument(
        "--shutdown",
        metavar="YYYY-MM=DAYS",
        action="append",
        default=None,
        help="the plant is shut DAYS working days in that month (its last ones; 0: none); "
        "repeat per month",
    )
    p.add_argument(
        "--clear", action="store_true", help="remove the calendar: every period has standard hours"
    )
    p.set_defaults(func=_cmd_calendar)


# --------------------------------------------------------------------------- sections


def workforce_frame(state: WorkspaceState) -> pd.DataFrame:
    """The workforce settings: field, value, unit."""
    wf = state.value("workforce") or {}
    return pd.DataFrame(
        {
            "field": [k for k, _, _ in WORKFORCE_FIELDS],
            "value": [wf.get(k) for k, _, _ in WORKFORCE_FIELDS],
            "unit": [unit for _, _, unit in WORKFORCE_FIELDS],
        }
    )


def policy_frame(state: WorkspaceState) -> pd.DataFrame:
    """The policy settings: field, value (the scenario's defaults where none is set)."""
    policy = Policy.model_validate(state.value("policy") or {}).model_dump()
    return pd.DataFrame({"field": list(POLICY_FIELDS), "value": [policy[k] for k in POLICY_FIELDS]})


def families_frame(state: WorkspaceState, *, flat: bool = False) -> pd.DataFrame:
    """One row per family: its name, :data:`FAMILY_SHOWN`, and its hours on each resource
    (``resource_hours.NAME``); ``flat``: lists (names in histories, a safety stock per
    period) as "; "-separated text, for a CSV cell."""
    resources = [r.get("name") for r in capacity.setting(state, "resources") or []]
    rows = []
    for item in state.families:
        value = item.value
        row: dict[str, Any] = {"name": value["name"], **{k: value.get(k) for k in FAMILY_SHOWN}}
        if flat:
            row.update({k: "; ".join(map(str, v)) for k, v in row.items() if isinstance(v, list)})
        hours = value.get("resource_hours") or {}
        row.update({f"resource_hours.{r}": hours.get(r) for r in resources})
        rows.append(row)
    columns = ["name", *FAMILY_SHOWN, *(f"resource_hours.{r}" for r in resources)]
    return pd.DataFrame(rows, columns=columns)


def resources_frame(state: WorkspaceState) -> pd.DataFrame:
    """The resources: name, hours available, overtime allowed and its cost."""
    rows = [
        {c: r.get(c) for c in RESOURCE_COLUMNS} for r in capacity.setting(state, "resources") or []
    ]
    return pd.DataFrame(rows, columns=list(RESOURCE_COLUMNS))


def calendar_frame(state: WorkspaceState) -> pd.DataFrame:
    """The calendar per period (:data:`CALENDAR_COLUMNS`); empty without a calendar."""
    try:
        scenario = state.scenario()
    except InputError:
        return pd.DataFrame(columns=list(CALENDAR_COLUMNS))
    days, shares = scenario.period_days(), scenario.working_day_factors()
    return pd.DataFrame(
        {
            "period": [d.period for d in days],
            "weekdays": [d.weekdays for d in days],
            "holidays": ["; ".join(h.split(" ", 1)[1] for h in d.holidays) for d in days],
            "shutdown_days": [d.shutdown_days for d in days],
            "working_days": [d.working_days for d in days],
            "share_of_standard_hours": shares if days else [],
        },
        columns=list(CALENDAR_COLUMNS),
    )


def calendar_words(state: WorkspaceState) -> str:
    """The calendar in one line: whose holidays, how many shutdown days."""
    cal = capacity.setting(state, "calendar")
    if cal is None:
        return "no working-day calendar: every period has a standard period's hours"
    where = cal.get("country") or ""
    if where and cal.get("subdivision"):
        where += f"-{cal['subdivision']}"
    holidays = f"public holidays of {where}" if where else "no public holidays"
    shut = plural(len(cal.get("shutdowns") or []), "shutdown day")
    return f"weekdays less {holidays} and {shut}"


# --------------------------------------------------------------------------- printing


def _titled(title: str, body: str) -> None:
    print(f"\n{title}\n{body.rstrip()}")


def _table(frame: pd.DataFrame, keys: Mapping[str, str] | None = None, empty: str = "none") -> str:
    """``frame`` as :func:`~sop_core.cli.common.emit` prints a table, as text."""
    out = io.StringIO()
    emit(frame, "table", out=out, keys=keys, empty=empty)
    return out.getvalue()


def _settings_table(frame: pd.DataFrame) -> str:
    """Settings as "Label (unit)  value" lines (:func:`~sop_core.cli.common.emit_one`)."""
    out = io.StringIO()
    emit_one(dict(zip(frame["field"], frame["value"], strict=True)), "table", out=out)
    return out.getvalue()


def families_table(state: WorkspaceState) -> str:
    """The families side by side, one row per field (its label and unit), each value as
    the vocabulary shows it; then each family's hours on each resource."""
    if not state.families:
        return "none yet: add one with `capacity add-family` or upload a sales history"
    resources = [r.get("name") for r in capacity.setting(state, "resources") or []]
    values = [i.value for i in state.families]
    rows = {header(k): [show_value(k, v.get(k)) for v in values] for k in FAMILY_SHOWN}
    for r in resources:
        rows[f"Hours on {r} (h / unit)"] = [
            show_value("labor_hours_per_unit", (v.get("resource_hours") or {}).get(r))
            for v in values
        ]
    shown = pd.DataFrame(rows, index=[str(v["name"]) for v in values]).T
    return shown.to_string()


def calendar_table(frame: pd.DataFrame) -> str:
    """The calendar per period, the share of a standard period's hours as a percentage."""
    shown = frame.assign(
        share_of_standard_hours=[
            format_number("rate", float(v)) for v in frame["share_of_standard_hours"]
        ]
    )
    return _table(shown)


def _show_section(section: str, state: WorkspaceState) -> None:
    if section == "workforce":
        note = (
            " (a new company's textbook defaults, to review)"
            if (state.value("plan") or {}).get("workforce_to_review")
            else ""
        )
        _titled(f"Workforce{note}", _settings_table(workforce_frame(state)))
    elif section == "policy":
        _titled("Policy", _settings_table(policy_frame(state)))
    elif section == "families":
        _titled(f"Families ({len(state.families)})", families_table(state))
    elif section == "resources":
        frame = resources_frame(state)
        _titled(
            f"Resources ({len(frame)})",
            _table(frame, keys={"name": "resource"}, empty="none besides the workforce"),
        )
    else:
        frame = calendar_frame(state)
        body = calendar_table(frame) if not frame.empty else ""
        _titled(f"Working-day calendar: {calendar_words(state)}", body)


def _section_frame(section: str, state: WorkspaceState, *, flat: bool = False) -> pd.DataFrame:
    """One section as a frame with the scenario file's keys and exact values."""
    if section == "families":
        return families_frame(state, flat=flat)
    return {
        "workforce": workforce_frame,
        "policy": policy_frame,
        "resources": resources_frame,
        "calendar": calendar_frame,
    }[section](state)


def _cmd_show(args: argparse.Namespace) -> int:
    with opened(args) as wb:
        state = companies.company_state(wb, args.company)
    sections = [args.section] if args.section else list(SECTIONS)
    if args.format == "csv":
        if not args.section:
            raise InputError(
                Problem(
                    "--section",
                    f"--format csv prints one table; choose one of {', '.join(SECTIONS)}",
                )
            )
        emit(_section_frame(args.section, state, flat=True), "csv")
        return 0
    if args.format == "json":
        data: dict[str, Any] = {"company": state.name, "revision": state.revision}
        for s in sections:
            data[s] = records(_section_frame(s, state))
        if "calendar" in sections:
            data["calendar_settings"] = capacity.setting(state, "calendar")
        json.dump(data, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    print(f"{state.name} (revision {state.revision})")
    for s in sections:
        _show_section(s, state)
    return 0


# --------------------------------------------------------------------------- changes


def _report(
    args: argparse.Namespace, state: WorkspaceState, edits: Sequence[Edit], nothing: str
) -> None:
    """What a change saved, one line per edit as the change log reads it."""
    lines = [f"{state.name}: {describe(e, state)}" for e in edits] or [
        f"{state.name}: nothing changed: {nothing}"
    ]
    said(
        "\n".join(lines),
        args.format,
        company=state.name,
        revision=state.revision,
        changes=[
            {"kind": e.kind, "key": e.key, "field": e.field, "before": e.before, "after": e.after}
            for e in edits
        ],
    )


def _cmd_set(args: argparse.Namespace) -> int:
    kind, key = capacity.resolve_field(args.field, of_family=args.family is not None)
    with opened(args) as wb:
        state, edits = capacity.set_field(
            wb, args.company, args.field, args.value, family=args.family, author=actor_of(args)
        )
    item = state.value(kind, capacity.family_key(state, args.family) if args.family else kind) or {}
    _report(
        args, state, edits, f"{label(key)} is {show_value(key, item.get(key)) or 'blank'} already"
    )
    return 0


def _cmd_add_family(args: argparse.Namespace) -> int:
    with opened(args) as wb:
        state, edits = capacity.add_family(
            wb, args.company, args.name, like=args.like, author=actor_of(args)
        )
    value = edits[0].after
    said(
        f"{state.name}: added family {value['name']}"
        + (
            f" with the hours, costs and limits of {args.like}"
            if args.like
            else " with default hours, costs and limits"
        )
        + "; zero demand until a forecast is handed over. Review its values "
        f"(capacity show {state.name} --section families), then confirm them with: "
        f"capacity set {state.name} needs_review no --family {value['name']!r}",
        args.format,
        company=state.name,
        revision=state.revision,
        family=family_of(value),
    )
    return 0


def _cmd_rename_family(args: argparse.Namespace) -> int:
    with opened(args) as wb:
        state, edits = capacity.rename_family(
            wb, args.company, args.old, args.new, author=actor_of(args)
        )
    _report(args, state, edits, f"the family is called {args.new!r} already")
    return 0


def _cmd_remove_family(args: argparse.Namespace) -> int:
    with opened(args) as wb:
        state, edits = capacity.remove_family(wb, args.company, args.name, author=actor_of(args))
    name = edits[0].before["name"]
    adjustments = sum(1 for e in edits if e.kind == "adjustment")
    gone = f" and its {plural(adjustments, 'consensus adjustment')}" if adjustments else ""
    said(
        f"{state.name}: removed family {name}{gone}; its business plan and actuals rows stay. "
        "Undo brings it back.",
        args.format,
        company=state.name,
        revision=state.revision,
        family=name,
        adjustments_removed=adjustments,
    )
    return 0


def _numbers(values: Sequence[str] | None) -> str | list[str] | None:
    """An option's numbers: one as it is, several as a list (one per period)."""
    if values is None:
        return None
    return values[0] if len(values) == 1 else list(values)


def _cmd_resource(args: argparse.Namespace) -> int:
    changing = any(
        v is not None for v in (args.hours, args.overtime, args.overtime_cost, args.load)
    )
    if (changing or args.remove) and args.name is None:
        raise InputError(Problem("NAME", "give the resource's name to add, change or remove it"))
    if changing and args.remove:
        raise InputError(Problem("--remove", "removes the resource; leave out the other options"))
    with opened(args) as wb:
        if args.remove:
            state, _ = capacity.remove_resource(wb, args.company, args.name, author=actor_of(args))
            message = f"{state.name}: removed resource {args.name} and every family's hours on it"
        elif changing:
            state, edits = capacity.set_resource(
                wb,
                args.company,
                args.name,
                hours=_numbers(args.hours),
                overtime=_numbers(args.overtime),
                overtime_cost=args.overtime_cost,
                loads=parse_pairs(args.load, "--load"),
                author=actor_of(args),
            )
            message = (
                f"{state.name}: {'saved' if edits else 'nothing changed in'} resource {args.name}"
            )
        else:
            state, message = companies.company_state(wb, args.company), ""
    frame = resources_frame(state)
    if args.name is not None and not args.remove:
        frame = frame[frame["name"] == args.name]
    if message and args.format == "json":
        said(message, "json", company=state.name, revision=state.revision, resources=records(frame))
        return 0
    if args.format != "table":
        if message:
            print(message, file=sys.stderr)
        emit(frame, args.format)
        return 0
    if message:
        print(message)
    print(
        _table(frame, keys={"name": "resource"}, empty="no resource besides the workforce").rstrip()
    )
    loads = families_frame(state)
    column = f"resource_hours.{args.name}"
    if args.name is not None and column in loads.columns:
        on = loads[loads[column].notna()]
        listed = ", ".join(
            f"{n} {show_value('labor_hours_per_unit', h)} h / unit"
            for n, h in zip(on["name"], on[column], strict=True)
        )
        print(f"Families on it: {listed or 'none (give --load FAMILY=H)'}")
    return 0


def _shutdowns(values: Sequence[str] | None) -> dict[str, int]:
    """``--shutdown YYYY-MM=DAYS`` options: month -> days."""
    out: dict[str, int] = {}
    for month, days in parse_pairs(values, "--shutdown").items():
        try:
            out[month] = int(days)
        except ValueError:
            raise InputError(
                Problem(
                    "--shutdown",
                    f"give YYYY-MM=DAYS with DAYS a whole number of days, got {month}={days}",
                )
            ) from None
    return out


def _cmd_calendar(args: argparse.Namespace) -> int:
    changing = any(v is not None for v in (args.country, args.subdivision, args.shutdown))
    if changing and args.clear:
        raise InputError(Problem("--clear", "removes the calendar; leave out the other options"))
    with opened(args) as wb:
        if args.clear:
            state, edits = capacity.clear_calendar(wb, args.company, author=actor_of(args))
        elif changing:
            state, edits = capacity.set_calendar(
                wb,
                args.company,
                country=args.country,
                subdivision=args.subdivision,
                shutdowns=_shutdowns(args.shutdown),
                author=actor_of(args),
            )
        else:
            state, edits = companies.company_state(wb, args.company), []
    frame = calendar_frame(state)
    message = f"{state.name}: {'saved' if edits else 'nothing changed in'} the working-day calendar"
    if (changing or args.clear) and args.format == "json":
        said(
            message,
            "json",
            company=state.name,
            revision=state.revision,
            calendar=capacity.setting(state, "calendar"),
            periods=records(frame),
        )
        return 0
    if args.format != "table":
        if changing or args.clear:
            print(message, file=sys.stderr)
        emit(frame, args.format)
        return 0
    if changing or args.clear:
        print(
            f"{state.name}: {'saved' if edits else 'nothing changed in'} the working-day calendar"
        )
    print(f"Working-day calendar: {calendar_words(state)}")
    if not frame.empty:
        print(calendar_table(frame).rstrip())
    return 0
