"""Capacity: the workforce, the policy, each family's hours, costs and limits, the
rough-cut resources and the working-day calendar, changed one action at a time.

Each writing function is one user action in one transaction: it checks the person's right
first (the store checks it again), reads the company, builds the edits with the pure
builders of :mod:`sop_core.process.workspace`, saves them through
:func:`~sop_core.services.companies.edit_company` (logged, audited, undoable) and returns
the company's new state with the edits saved (none: nothing changed). A value typed as text
(the command line) is read here by its field's kind, and every refusal names the field by
its label, the value and the fix.

Resources and the calendar are ``setting`` items (``resources``, ``calendar``: the scenario
file's objects); a change to them is checked here against the whole plan (the store
checks families, workforce and policy itself), so a company never keeps a calendar or a
resource its plan cannot use.
"""

from __future__ import annotations

import calendar as months_calendar
import datetime as dt
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from sop_core.base.access import Actor, as_actor, edit_action, require
from sop_core.base.errors import InputError, Problem
from sop_core.base.fields import (
    FAMILY_FIELDS,
    POLICY_FIELDS,
    WORKFORCE_FIELDS,
    header,
    label,
    term,
)
from sop_core.base.limits import MAX_MAGNITUDE, MAX_TEXT_CHARS, limit_text
from sop_core.model.scenario import STRATEGIES, Family, Workforce
from sop_core.model.workdays import calendar_days
from sop_core.process.monthly import is_month_label
from sop_core.process.workspace import (
    Edit,
    Item,
    WorkspaceState,
    default_family,
    family_of,
    field_edits,
    next_key,
    removal_problem,
    remove_family_edits,
    rename_edits,
)
from sop_core.services.companies import company_state, edit_company
from sop_core.services.workbench import Workbench

#: item kind -> the fields ``set_field`` changes in it (a family's name: ``rename_family``)
SETTABLE: dict[str, tuple[str, ...]] = {
    "workforce": tuple(k for k, _, _ in WORKFORCE_FIELDS),
    "policy": tuple(POLICY_FIELDS),
    "family": (
        *(k for k in FAMILY_FIELDS if k != "name"),
        "safety_stock",
        "needs_review",
    ),
}
#: fields that may be blank: a limit of "none", a price not given
OPTIONAL: frozenset[str] = frozenset(
    k
    for model in (Workforce, Family)
    for k, info in model.model_fields.items()
    if not info.is_required() and info.default is None
)
#: numbers that must be above 0, not merely at least 0
POSITIVE: frozenset[str] = frozenset({"regular_hours_per_worker"})
#: what a person types for "no value" (a limit of none)
BLANK_WORDS: frozenset[str] = frozenset({"", "none", "blank", "-", "–", "no limit"})
YES_WORDS: frozenset[str] = frozenset({"yes", "y", "true", "1", "on"})
NO_WORDS: frozenset[str] = frozenset({"no", "n", "false", "0", "off"})
#: the resource fields ``set_resource`` changes, in the scenario file's words
RESOURCE_FIELDS: tuple[str, ...] = (
    "hours_available",
    "overtime_hours_max",
    "overtime_cost_per_hour",
)
#: the weekdays a calendar works when it says nothing else (0 = Monday)
WORKWEEK: tuple[int, ...] = (0, 1, 2, 3, 4)

Changed = tuple[WorkspaceState, list[Edit]]
"""What a writing function returns: the company's new state and the edits it saved."""


# --------------------------------------------------------------------------- fields


def _norm(text: str) -> str:
    return " ".join(str(text).replace("_", " ").split()).casefold()


def resolve_field(name: str, *, of_family: bool) -> tuple[str, str]:
    """The item kind and field key of ``name``, a field's key (``labor_hours_per_unit``)
    or its label (``Hours / unit``, with or without its unit), case ignored. A family's
    field needs ``of_family``; a workforce or policy field must not have it."""
    wanted = _norm(name)
    for kind, keys in SETTABLE.items():
        for key in keys:
            if wanted in {_norm(key), _norm(label(key)), _norm(header(key))}:
                if kind == "family" and not of_family:
                    raise InputError(
                        Problem(
                            "field",
                            f"{label(key)!r} is a family's field; say which family with "
                            "--family NAME",
                        )
                    )
                if kind != "family" and of_family:
                    raise InputError(
                        Problem(
                            "field",
                            f"{label(key)!r} is a {kind} setting, not a family's; leave out "
                            "--family",
                        )
                    )
                return kind, key
    if _norm(name) in {_norm("name"), _norm(label("name"))}:
        raise InputError(
            Problem("field", "a family's name changes with rename-family OLD NEW, not set")
        )
    known = "; ".join(f"{kind}: {', '.join(keys)}" for kind, keys in SETTABLE.items())
    raise InputError(
        Problem("field", f"{name!r} is not a capacity field; give a key or its label ({known})")
    )


def field_value(key: str, value: Any) -> Any:
    """``value`` of field ``key`` as the scenario file holds it: text read by the field's
    kind (a number, yes/no, a strategy, "none" for a limit of none), a typed value
    checked. Raises :class:`InputError` naming the field, the value and what it takes."""
    t = term(key)
    where = label(key)
    text = value.strip() if isinstance(value, str) else None
    if key in OPTIONAL and (value is None or (text is not None and text.casefold() in BLANK_WORDS)):
        return None
    if key == "strategy":
        if value in STRATEGIES:
            return value
        raise InputError(Problem(where, f"must be one of {', '.join(STRATEGIES)}, got {value!r}"))
    if t.kind == "flag":
        if isinstance(value, bool):
            return value
        if text is not None and text.casefold() in YES_WORDS | NO_WORDS:
            return text.casefold() in YES_WORDS
        raise InputError(Problem(where, f"must be yes or no, got {value!r}"))
    number = _number(value, where, t.unit)
    if key == "frozen_periods":
        if not number.is_integer():
            raise InputError(
                Problem(where, f"must be a whole number of periods (0 for none), got {value!r}")
            )
        return int(number)
    if key in POSITIVE and number <= 0:
        raise InputError(Problem(where, f"must be above 0 ({t.unit}), got {value!r}"))
    return number


def _number(value: Any, where: str, unit: str = "") -> float:
    """A finite number from 0 to :data:`MAX_MAGNITUDE`, from text ("$3.50", "1,200") or
    a number."""
    what = f" ({unit})" if unit else ""
    try:
        if isinstance(value, bool):
            raise ValueError
        number = float(value.replace("$", "").replace(",", "") if isinstance(value, str) else value)
    except (TypeError, ValueError):
        raise InputError(
            Problem(where, f"must be a number{what}, got {value!r}; type e.g. 4 or 3.50")
        ) from None
    if not math.isfinite(number) or not 0 <= number <= MAX_MAGNITUDE:
        raise InputError(
            Problem(
                where,
                f"must be a number from 0 to {limit_text(MAX_MAGNITUDE)}{what}, got {value!r}",
            )
        )
    return number


def family_key(state: WorkspaceState, name: str) -> str:
    """The key of the company's family ``name`` (or of the family that name is an alias
    of in its histories); refused naming the company's families."""
    key = state.family_key(str(name).strip())
    if key is None:
        known = ", ".join(repr(n) for n in state.family_names) or "none yet"
        raise InputError(
            Problem("family", f"{name!r} is not a family of {state.name}; families: {known}")
        )
    return key


def _horizon(state: WorkspaceState) -> int:
    """Periods of the company's plan: its families' demand, else its periods, else 12."""
    if state.families:
        return len(state.families[0].value["demand"])
    return len((state.value("plan") or {}).get("periods") or []) or 12


def set_field(
    wb: Workbench,
    company: str,
    field: str,
    value: Any,
    *,
    family: str | None = None,
    author: str | Actor,
) -> Changed:
    """Set one workforce or policy field, or with ``family`` one field of that family, to
    ``value``: ``field`` by its key or label, ``value`` typed or as text (see
    :func:`field_value`). Costs and prices are finance's, hours and limits the supply
    planner's, the policy theirs too. Refused, with nothing saved, when the plan would
    not hold (the store names the field)."""
    kind, key = resolve_field(field, of_family=family is not None)
    actor = as_actor(author)
    require(actor, edit_action(kind, key))
    new = field_value(key, value)
    with wb.store.transaction():
        state = company_state(wb, company)
        item_key = family_key(state, family) if family is not None else kind
        old = state.value(kind, item_key)
        if old is None:  # every company starts with both; a store edited by hand may not
            raise InputError(Problem(kind, f"{company} has no {kind} yet; import or start it anew"))
        edits = field_edits(kind, item_key, old, {key: new})
        return edit_company(wb, company, edits, author=actor), edits


# --------------------------------------------------------------------------- families


def add_family(
    wb: Workbench, company: str, name: str, *, like: str | None = None, author: str | Actor
) -> Changed:
    """Add family ``name`` with zero demand until a forecast is handed over: the hours,
    costs and limits of family ``like``, or by default the median of the company's
    families (the textbook's when it has none), marked for review until confirmed."""
    actor = as_actor(author)
    require(actor, "capacity")
    name = str(name).strip()
    if not name:
        raise InputError(Problem("name", "the new family's name is blank; type a name"))
    if len(name) > MAX_TEXT_CHARS:
        raise InputError(
            Problem("name", f"must be at most {MAX_TEXT_CHARS} characters, got {len(name)}")
        )
    with wb.store.transaction():
        state = company_state(wb, company)
        if name in state.family_names:
            raise InputError(
                Problem("name", f"{name!r} is a family of {company} already; pick another")
            )
        horizon = _horizon(state)
        if like is None:
            value = default_family(name, [i.value for i in state.families], horizon)
        else:
            source = state.item("family", family_key(state, like))
            assert source is not None
            value = {
                **family_of(source.value),
                "name": name,
                "demand": [0.0] * horizon,
                "history_names": [],
                "needs_review": True,
            }
        position = max((i.position for i in state.families), default=0) + 1
        edits = [Edit("family", next_key(state, "family"), None, value, position=position)]
        summary = f"added family {name}" + (f" like {like}" if like is not None else "")
        return edit_company(wb, company, edits, author=actor, summary=summary), edits


def rename_family(
    wb: Workbench, company: str, old: str, new: str, *, author: str | Actor
) -> Changed:
    """Rename family ``old`` to ``new``: its old name is kept as a name it has in sales
    histories, and its adjustments, business plan and actuals rows follow it."""
    actor = as_actor(author)
    require(actor, "capacity")
    with wb.store.transaction():
        state = company_state(wb, company)
        edits = rename_edits(state, family_key(state, old), new)
        return edit_company(wb, company, edits, author=actor), edits


def remove_family(wb: Workbench, company: str, name: str, *, author: str | Actor) -> Changed:
    """Remove family ``name`` and the consensus adjustments that name it (its business
    plan and actuals rows stay: they are the company's record). Undo brings it back."""
    actor = as_actor(author)
    require(actor, "capacity")
    with wb.store.transaction():
        state = company_state(wb, company)
        key = family_key(state, name)
        named = removal_problem(state, key)  # a launch or phase-out still names it
        if named is not None:
            raise InputError(named)
        edits = remove_family_edits(state, key)
        summary = f"removed family {state.item('family', edits[0].key).value['name']}"  # type: ignore[union-attr]
        return edit_company(wb, company, edits, author=actor, summary=summary), edits


# --------------------------------------------------------------------------- settings


def setting(state: WorkspaceState, name: str) -> Any:
    """The value of the company's ``setting`` item ``name`` (``resources``, ``calendar``),
    or None."""
    return (state.value("setting", name) or {}).get("value")


def _setting_edits(state: WorkspaceState, name: str, value: Any) -> list[Edit]:
    item = state.value("setting", name)
    if item is None:
        return [] if value is None else [Edit("setting", name, None, {"value": value})]
    return field_edits("setting", name, item, {"value": value})


def applied(state: WorkspaceState, edits: Sequence[Edit]) -> WorkspaceState:
    """``state`` with ``edits`` applied, as the store would keep it (nothing saved): what
    a change would make of the company, to check it first."""
    items = {(i.kind, i.key): i for i in state.items}
    now = dt.datetime.now(dt.UTC)
    for e in edits:
        at, old = (e.kind, e.key), items.get((e.kind, e.key))
        if e.field is not None and old is not None:
            items[at] = replace(old, value={**old.value, e.field: e.after})
        elif e.after is None:
            items.pop(at, None)
        elif e.field is None:
            items[at] = Item(e.kind, e.key, e.position or 0, dict(e.after), state.revision, "", now)
    ordered = sorted(items.values(), key=lambda i: (i.kind, i.position, i.key))
    return WorkspaceState(state.name, state.revision, tuple(ordered))


def check_plan(state: WorkspaceState, edits: Sequence[Edit]) -> None:
    """Refuse ``edits`` when the company's plan would not hold after them; the problems
    name families and resources by their names."""
    after = applied(state, edits)
    try:
        after.scenario()
    except InputError as exc:
        names = {
            "families": after.family_names,
            "resources": [r.get("name") for r in setting(after, "resources") or []],
        }
        problems = []
        for p in exc.problems:
            where = p.field
            for what, listed in names.items():
                for i, n in enumerate(listed):
                    single = "family" if what == "families" else "resource"
                    where = where.replace(f"{what}[{i}]", f"{single} {n!r}")
            problems.append(Problem(where, p.message))
        raise InputError(problems) from None


def _hours(value: float | Sequence[float] | None, where: str, horizon: int) -> Any:
    """Hours as a scenario's resource holds them: one number [h / period] or one per
    period."""
    if value is None or isinstance(value, int | float | str):
        return None if value is None else _number(value, where, "h / period")
    values = [_number(v, where, "h / period") for v in value]
    if len(values) != horizon:
        raise InputError(
            Problem(
                where,
                f"give one number or {horizon} (one per period), got {len(values)} values",
            )
        )
    return values


def set_resource(
    wb: Workbench,
    company: str,
    name: str,
    *,
    hours: float | Sequence[float] | None = None,
    overtime: float | Sequence[float] | None = None,
    overtime_cost: float | None = None,
    loads: Mapping[str, float] | None = None,
    author: str | Actor,
) -> Changed:
    """Add rough-cut resource ``name`` (a line, a machine, a key supplier) or change it:
    ``hours`` available [h / period] (one number, scaled by the working days, or one per
    period), ``overtime`` allowed [h / period], ``overtime_cost`` [$ / h], and ``loads``,
    each family's hours per unit on it [h / unit] (0 takes the family off it). A new
    resource needs its hours. Needs the right to change resources (and, with ``loads``,
    families)."""
    actor = as_actor(author)
    require(actor, "settings")
    if loads:
        require(actor, "capacity")
    name = str(name).strip()
    if not name:
        raise InputError(Problem("resource", "the name is blank; type the resource's name"))
    with wb.store.transaction():
        state = company_state(wb, company)
        state.scenario()  # a resource needs the plan's families and periods
        horizon = _horizon(state)
        resources = list(setting(state, "resources") or [])
        given = {
            "hours_available": _hours(hours, label("hours_available"), horizon),
            "overtime_hours_max": _hours(overtime, label("overtime_hours_max"), horizon),
            "overtime_cost_per_hour": None
            if overtime_cost is None
            else _number(overtime_cost, label("overtime_cost_per_hour"), "$ / h"),
        }
        changes = {k: v for k, v in given.items() if v is not None}
        at = next((i for i, r in enumerate(resources) if r.get("name") == name), None)
        if at is None:
            if "hours_available" not in changes:
                raise InputError(
                    Problem(
                        f"resource {name!r}",
                        "is new: give its hours available (h / period), e.g. --hours 160",
                    )
                )
            resources.append(
                {"name": name, "overtime_hours_max": 0.0, "overtime_cost_per_hour": 0.0, **changes}
            )
        else:
            resources[at] = {**resources[at], **changes}
        edits = _setting_edits(state, "resources", resources)
        for fam, per_unit in (loads or {}).items():
            edits += _load_edits(
                state, family_key(state, fam), name, _number(per_unit, f"{fam} load", "h / unit")
            )
        check_plan(state, edits)
        summary = f"{'changed' if at is not None else 'added'} resource {name}"
        return edit_company(wb, company, edits, author=actor, summary=summary), edits


def _load_edits(
    state: WorkspaceState, key: str, resource: str, per_unit: float | None
) -> list[Edit]:
    """The edit of family ``key``'s hours per unit on ``resource`` (None or 0: off it)."""
    item = state.item("family", key)
    assert item is not None
    stored = item.value.get("resource_hours")  # a new family's may be absent: None
    old = dict(stored or {})
    new = {k: v for k, v in old.items() if k != resource}
    if per_unit:
        new[resource] = per_unit
    return [] if new == old else [Edit("family", key, stored, new, field="resource_hours")]


def remove_resource(wb: Workbench, company: str, name: str, *, author: str | Actor) -> Changed:
    """Remove resource ``name``, and each family's hours on it."""
    actor = as_actor(author)
    require(actor, "settings")
    with wb.store.transaction():
        state = company_state(wb, company)
        resources = list(setting(state, "resources") or [])
        names = [r.get("name") for r in resources]
        if name not in names:
            known = ", ".join(repr(n) for n in names) or "none"
            raise InputError(
                Problem("resource", f"{name!r} is not a resource of {company}; resources: {known}")
            )
        edits = _setting_edits(state, "resources", [r for r in resources if r.get("name") != name])
        for item in state.families:
            edits += _load_edits(state, item.key, name, None)
        if len(edits) > 1:
            require(actor, "capacity")
        check_plan(state, edits)
        return edit_company(
            wb, company, edits, author=actor, summary=f"removed resource {name}"
        ), edits


# --------------------------------------------------------------------------- calendar


def shutdown_dates(month: str, days: int, calendar: Mapping[str, Any]) -> list[str]:
    """The plant's ``days`` shutdown days in ``month`` ("YYYY-MM") as dates: the month's
    last ``days`` working days (the calendar's weekdays that are not its country's public
    holidays). Refused when the month has fewer working days."""
    where = f"shutdown days {month}"
    if not is_month_label(month):
        raise InputError(Problem(where, f"the month must be YYYY-MM, got {month!r}"))
    if isinstance(days, bool) or not isinstance(days, int) or days < 0:
        raise InputError(Problem(where, f"must be a whole number of days ≥ 0, got {days!r}"))
    weekdays = tuple(sorted(set(calendar.get("weekdays") or WORKWEEK)))
    country, subdivision = calendar.get("country"), calendar.get("subdivision")
    (period,) = calendar_days((month,), country, subdivision, (), weekdays, None)
    holidays = {h.split(" ", 1)[0] for h in period.holidays}
    year, mo = int(month[:4]), int(month[5:])
    working = [
        dt.date(year, mo, d).isoformat()
        for d in range(1, months_calendar.monthrange(year, mo)[1] + 1)
        if dt.date(year, mo, d).weekday() in weekdays
        and dt.date(year, mo, d).isoformat() not in holidays
    ]
    if days > len(working):
        raise InputError(
            Problem(where, f"{month} has {len(working)} working days; give at most {len(working)}")
        )
    return working[len(working) - days :] if days else []


_COUNTRY = re.compile(r"[A-Za-z]{2,3}")


def set_calendar(
    wb: Workbench,
    company: str,
    *,
    country: str | None = None,
    subdivision: str | None = None,
    shutdowns: Mapping[str, int] | None = None,
    author: str | Actor,
) -> Changed:
    """Set the working-day calendar that scales regular and resource hours by each
    period's working days: ``country`` (ISO code, for its public holidays; "" for none;
    None keeps it), ``subdivision`` (a state or province, likewise) and ``shutdowns``,
    month ("YYYY-MM") -> the plant's shutdown days in it (0: none; other months keep
    theirs). A company without a calendar gets one (weekdays Monday to Friday)."""
    actor = as_actor(author)
    require(actor, "settings")
    if country and not _COUNTRY.fullmatch(country.strip()):
        raise InputError(
            Problem(
                "country", f"must be an ISO country code such as DE, FR, US or GB, got {country!r}"
            )
        )
    with wb.store.transaction():
        state = company_state(wb, company)
        state.scenario()  # a calendar needs the plan's periods
        old = setting(state, "calendar")
        cal: dict[str, Any] = dict(old or {})
        if country is not None:
            cal["country"] = country.strip().upper() or None
        if subdivision is not None:
            cal["subdivision"] = subdivision.strip() or None
        for month, days in (shutdowns or {}).items():
            dates = shutdown_dates(month, days, cal)
            kept = [d for d in cal.get("shutdowns") or [] if not str(d).startswith(f"{month}-")]
            cal["shutdowns"] = sorted([*kept, *dates])
        edits = _setting_edits(state, "calendar", cal)
        check_plan(state, edits)
        return edit_company(wb, company, edits, author=actor, summary="working-day calendar"), edits


def clear_calendar(wb: Workbench, company: str, *, author: str | Actor) -> Changed:
    """Remove the working-day calendar: every period has a standard period's hours."""
    actor = as_actor(author)
    require(actor, "settings")
    with wb.store.transaction():
        state = company_state(wb, company)
        edits = _setting_edits(state, "calendar", None)
        return edit_company(
            wb, company, edits, author=actor, summary="no working-day calendar"
        ), edits
