"""A company's workspace: its master data as items, edits with their before and after.

The workspace is where a company's planning lives (persisted by
:mod:`sop_core.store.workspaces`). Its current state is a set of **items**, each a JSON
object addressed by ``(kind, key)``:

==============  ============  ===============================================================
kind            key           value
==============  ============  ===============================================================
``plan``        ``plan``      ``{"name": str, "periods": [str] | null, "workforce_to_review":
                              bool, "forecast_model": str}``: the plan's name, its period
                              labels (set when a consensus forecast is handed over), whether
                              the workforce still has a new company's textbook defaults,
                              and the statistical model the consensus in the plan was made
                              from (set at the hand-over)
``workforce``   ``workforce`` the scenario file's ``workforce`` object
``policy``      ``policy``    the scenario file's ``policy`` object
``family``      ``f1``, …     the scenario file's family object (``demand`` is the plan's
                              demand), plus ``history_names`` (names this family has in
                              uploaded histories) and ``needs_review`` (true for a family
                              created with default costs until someone confirms them)
``adjustment``  ``a1``, …     a consensus adjustment: family, period, change, unit, comment
``history``     ``history``   ``{"upload_id": int, "name": str}``: the history in use
``setting``     a field name  ``{"value": ...}``: any other top-level field of the scenario
                              file (:data:`SCENARIO_SETTINGS`: ``resources``, ``calendar``)
``whatif``      its name      ``{"scenario": str, "settings": {...}}``: a kept what-if, saved
                              as a draft in the scenario store under that name
``budget``      ``b1``, …     one row of the business plan: ``{"family", "period" (YYYY-MM),
                              "units", "revenue"}`` (:mod:`sop_core.process.business_plan`)
``actual``      ``r1``, …     one row of the actuals: ``{"family", "period" (YYYY-MM),
                              "production", "inventory", "backlog"}``
                              (:mod:`sop_core.process.sop_sheet`)
==============  ============  ===============================================================

The business plan and the actuals are **monthly tables** (:data:`MONTHLY_TABLES`): one
item per family and month, so an uploaded file and an edited cell are both edits with
their author and time, kept in the change log and undone like any other; a family's
rename carries its rows along (its removal leaves them: they are the company's record).

A family's key never changes, so a rename is one field edit and the change log still
finds it. :meth:`WorkspaceState.scenario` assembles the items into the one
:class:`~sop_core.model.scenario.Scenario` every page plans.

Every change is an :class:`Edit`: the item, optionally one field of it, the value the
editor saw (``before``) and the new value (``after``; ``None`` removes, ``before=None``
adds). The store applies a list of edits as one action only if every ``before`` still
holds, so two people editing the same cell cannot overwrite each other silently, and
undoes an action by applying its edits backwards.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

import pandas as pd

from sop_core.base.errors import InputError, Problem
from sop_core.base.fields import label
from sop_core.base.limits import MAX_MAGNITUDE, MAX_TEXT_CHARS, limit_text
from sop_core.base.words import change_words, field_label, value_words
from sop_core.model.scenario import Family, Scenario, parse_scenario
from sop_core.process.monthly import is_month_label

KINDS: tuple[str, ...] = (
    "plan",
    "workforce",
    "policy",
    "family",
    "adjustment",
    "history",
    "setting",
    "whatif",
    "budget",
    "actual",
)
#: top-level scenario fields kept as ``setting`` items (every field but these five)
SCENARIO_SETTINGS: tuple[str, ...] = tuple(
    f
    for f in Scenario.model_fields
    if f not in ("name", "periods", "workforce", "families", "policy")
)
FAMILY_EXTRAS: tuple[str, ...] = ("history_names", "needs_review")
ADJUSTMENT_FIELDS: tuple[str, ...] = ("family", "period", "change", "unit", "comment")
#: the letter of an item's generated key (``f7``, ``a12``, ``b3``, ``r5``)
KEY_PREFIX: dict[str, str] = {"family": "f", "adjustment": "a", "budget": "b", "actual": "r"}


@dataclass(frozen=True)
class MonthlyTable:
    """A table kept as one item per family and month: its item kind, what people call
    it, and its value columns (numbers ≥ 0) after ``family`` and ``period``."""

    kind: str
    what: str
    values: tuple[str, ...]

    @property
    def columns(self) -> tuple[str, ...]:
        return ("family", "period", *self.values)


#: kind -> the monthly tables of a workspace (the columns are those of
#: :data:`sop_core.process.business_plan.BUSINESS_PLAN_COLUMNS` and
#: :data:`sop_core.process.sop_sheet.ACTUALS_COLUMNS`)
MONTHLY_TABLES: dict[str, MonthlyTable] = {
    t.kind: t
    for t in (
        MonthlyTable("budget", "business plan", ("units", "revenue")),
        MonthlyTable("actual", "actuals", ("production", "inventory", "backlog")),
    )
}

#: Costs and limits a family gets when it is created from an uploaded history and the
#: workspace has no family to copy from (Chopra & Meindl's Red Tomato family). With
#: families present, each number is the median of theirs. The page asks to confirm them.
TEXTBOOK_FAMILY: dict[str, Any] = {
    "labor_hours_per_unit": 4.0,
    "material_cost": 10.0,
    "holding_cost": 2.0,
    "backorder_cost": 5.0,
    "subcontract_cost": 30.0,
    "price": 40.0,
}
#: The workforce of a new company until someone enters theirs (Red Tomato's).
TEXTBOOK_WORKFORCE: dict[str, Any] = {
    "initial": 80.0,
    "regular_hours_per_worker": 160.0,
    "regular_cost_per_worker": 640.0,
    "overtime_cost_per_hour": 6.0,
    "max_overtime_hours_per_worker": 10.0,
    "hire_cost": 300.0,
    "layoff_cost": 500.0,
}


@dataclass(frozen=True)
class Edit:
    """One change of one item (or of one field of it), with what the editor saw.

    ``before=None`` adds the item, ``after=None`` removes it; with ``field`` set,
    ``before``/``after`` are that field's values. ``position`` orders an added item.
    """

    kind: str
    key: str
    before: Any
    after: Any
    field: str | None = None
    position: int | None = None


@dataclass(frozen=True)
class Item:
    """One item of a workspace as stored, with its last change."""

    kind: str
    key: str
    position: int
    value: dict[str, Any]
    revision: int
    updated_by: str
    updated_at: datetime


@dataclass(frozen=True)
class Change:
    """One logged change of one item (see :class:`Edit`); ``undoes``: the action reverted."""

    revision: int
    kind: str
    key: str
    field: str | None
    before: Any
    after: Any
    summary: str
    undoes: int | None
    author: str
    created_at: datetime


@dataclass(frozen=True)
class WorkspaceState:
    """A workspace at one revision: its items in display order."""

    name: str
    revision: int
    items: tuple[Item, ...] = field(default_factory=tuple)

    def _of(self, kind: str) -> list[Item]:
        return [i for i in self.items if i.kind == kind]

    @cached_property
    def _index(self) -> dict[tuple[str, str], Item]:
        return {(i.kind, i.key): i for i in self.items}

    def item(self, kind: str, key: str) -> Item | None:
        """The item ``(kind, key)``, or ``None``."""
        return self._index.get((kind, key))

    def value(self, kind: str, key: str | None = None) -> dict[str, Any] | None:
        """The value of item ``(kind, key)`` (key defaults to the kind), or ``None``."""
        item = self.item(kind, key or kind)
        return None if item is None else item.value

    @property
    def families(self) -> list[Item]:
        """The family items, in display order."""
        return self._of("family")

    @property
    def family_names(self) -> list[str]:
        return [str(i.value["name"]) for i in self.families]

    def family_key(self, name: str) -> str | None:
        """The key of the family called ``name`` (or known by it in a history)."""
        for item in self.families:
            if item.value["name"] == name:
                return item.key
        for item in self.families:
            if name in item.value.get("history_names", []):
                return item.key
        return None

    @property
    def adjustments(self) -> pd.DataFrame:
        """The consensus adjustments: key plus :data:`ADJUSTMENT_FIELDS`, in order."""
        rows = [
            {"key": i.key, **{f: i.value.get(f) for f in ADJUSTMENT_FIELDS}}
            for i in self._of("adjustment")
        ]
        return pd.DataFrame(rows, columns=["key", *ADJUSTMENT_FIELDS])

    @property
    def whatifs(self) -> dict[str, dict[str, Any]]:
        """Kept what-ifs: name → ``{"scenario", "settings"}``, in the order kept."""
        return {i.key: i.value for i in self._of("whatif")}

    def monthly(self, kind: str, *, keys: bool = False) -> pd.DataFrame:
        """A monthly table (:data:`MONTHLY_TABLES`: ``budget`` or ``actual``): its
        columns, one row per family and month sorted by family and period, with the
        items' keys in a first ``key`` column when ``keys``."""
        table = MONTHLY_TABLES[kind]
        rows = [
            {"key": i.key, **{c: i.value.get(c) for c in table.columns}} for i in self._of(kind)
        ]
        frame = pd.DataFrame(rows, columns=["key", *table.columns])
        for c in table.values:
            frame[c] = pd.to_numeric(frame[c], errors="coerce").astype("float64")
        frame = frame.sort_values(["family", "period"], kind="stable").reset_index(drop=True)
        return frame if keys else frame.drop(columns="key")

    @property
    def business_plan(self) -> pd.DataFrame:
        """The business plan (:data:`sop_core.process.business_plan.BUSINESS_PLAN_COLUMNS`)."""
        return self.monthly("budget")

    @property
    def actuals(self) -> pd.DataFrame:
        """The actuals (:data:`sop_core.process.sop_sheet.ACTUALS_COLUMNS`)."""
        return self.monthly("actual")

    @property
    def forecast_model(self) -> str | None:
        """The statistical model the consensus in the plan was made from (recorded at the
        hand-over, :func:`forecast_edits`), or ``None``."""
        return (self.value("plan") or {}).get("forecast_model")

    @property
    def history_upload(self) -> dict[str, Any] | None:
        """``{"upload_id", "name"}`` of the history in use, or ``None``."""
        return self.value("history")

    def history_names(self) -> dict[str, str]:
        """History family name → workspace family name, for every alias a family has."""
        out: dict[str, str] = {}
        for item in self.families:
            for alias in item.value.get("history_names", []):
                out[str(alias)] = str(item.value["name"])
            out[str(item.value["name"])] = str(item.value["name"])
        return out

    def planned_history(self, history: pd.DataFrame) -> pd.DataFrame:
        """``history`` with its family names as the workspace calls them (the aliases of
        the mapping step) and only the families the workspace plans."""
        names = self.history_names()
        out = history.assign(family=history["family"].astype(str).map(names))
        return out[out["family"].notna()].reset_index(drop=True)

    def scenario(self) -> Scenario:
        """The scenario these items describe; :class:`InputError` says what is missing."""
        plan = self.value("plan") or {}
        workforce = self.value("workforce")
        families = [family_of(i.value) for i in self.families]
        problems = []
        if workforce is None:
            problems.append(Problem("workforce", "not set yet; enter it on the Capacity page"))
        if not families:
            problems.append(
                Problem(
                    "families",
                    "this company has no product family yet; upload a sales history on "
                    "the Demand page or add a family on the Capacity page",
                )
            )
        if problems:
            raise InputError(problems)
        data: dict[str, Any] = {
            "name": plan.get("name") or self.name,
            "workforce": workforce,
            "families": families,
            "policy": self.value("policy") or {},
        }
        if plan.get("periods"):
            data["periods"] = plan["periods"]
        for name in SCENARIO_SETTINGS:
            setting = self.value("setting", name)
            if setting is not None:
                data[name] = setting["value"]
        return parse_scenario(data)


# --------------------------------------------------------------------------- values


def canonical(value: Any) -> Any:
    """``value`` as the store gives it back (a JSON round trip), for comparisons."""
    return json.loads(json.dumps(value, allow_nan=False))


def family_of(value: Mapping[str, Any]) -> dict[str, Any]:
    """The scenario file's family object of a family item (without workspace extras)."""
    return {k: v for k, v in value.items() if k not in FAMILY_EXTRAS}


def seed_edits(scenario: Scenario) -> list[Edit]:
    """The edits that create a workspace holding ``scenario``."""
    data = scenario.model_dump(mode="json")
    edits = [
        Edit("plan", "plan", None, {"name": data["name"], "periods": data["periods"]}),
        Edit("workforce", "workforce", None, data["workforce"]),
        Edit("policy", "policy", None, data["policy"]),
    ]
    for i, fam in enumerate(data["families"], start=1):
        value = {**fam, "history_names": [], "needs_review": False}
        edits.append(Edit("family", f"f{i}", None, value, position=i))
    edits += [Edit("setting", name, None, {"value": data[name]}) for name in SCENARIO_SETTINGS]
    return edits


def empty_edits(name: str) -> list[Edit]:
    """The edits that start a company from nothing: the plan's name, the textbook
    workforce (:data:`TEXTBOOK_WORKFORCE`, marked for review), default policy."""
    return [
        Edit("plan", "plan", None, {"name": name, "periods": None, "workforce_to_review": True}),
        Edit("workforce", "workforce", None, dict(TEXTBOOK_WORKFORCE)),
        Edit("policy", "policy", None, {}),
    ]


def default_family(name: str, others: Sequence[Mapping[str, Any]], horizon: int) -> dict[str, Any]:
    """A new family's item: the median of the other families' numbers, or
    :data:`TEXTBOOK_FAMILY` when there are none; no stock; zero demand until a forecast
    is handed over; marked ``needs_review``."""
    value: dict[str, Any] = {"name": name, "demand": [0.0] * horizon}
    for k, textbook in TEXTBOOK_FAMILY.items():
        numbers = [float(o[k]) for o in others if o.get(k) is not None]
        value[k] = float(pd.Series(numbers).median()) if numbers else textbook
    value.update(history_names=[], needs_review=True)
    # validate now: a default that the scenario model refuses is a bug here, not the user's
    Family.model_validate(family_of(value))
    return value


def next_key(state: WorkspaceState, kind: str, taken: Iterable[str] = ()) -> str:
    """A key for a new item of ``kind`` (``f7``, ``a12``): one more than the largest."""
    prefix = KEY_PREFIX.get(kind, kind[0])
    used = [i.key for i in state.items if i.kind == kind] + list(taken)
    numbers = [int(k[1:]) for k in used if re.fullmatch(rf"{prefix}\d+", k)]
    return f"{prefix}{max(numbers, default=0) + 1}"


# --------------------------------------------------------------------------- family names


def _norm(name: str) -> str:
    return re.sub(r"[\W_]+", " ", name).strip().casefold()


def suggest_mapping(history_names: Sequence[str], state: WorkspaceState) -> pd.DataFrame:
    """How each family of an uploaded history meets the workspace's families.

    Columns: ``history_name``; ``family``, the workspace family suggested (same name, a
    name it had in an earlier history, or the same name ignoring case, spaces and
    punctuation), else the history name itself; ``action``, ``"match"`` or ``"new"``.
    """
    aliases = state.history_names()
    by_norm = {_norm(n): n for n in state.family_names}
    rows = []
    for h in history_names:
        target = aliases.get(h) or by_norm.get(_norm(h))
        rows.append(
            {"history_name": h, "family": target or h, "action": "match" if target else "new"}
        )
    return pd.DataFrame(rows, columns=["history_name", "family", "action"])


def mapping_edits(
    state: WorkspaceState, mapping: pd.DataFrame, upload: Mapping[str, Any]
) -> list[Edit]:
    """The edits of a confirmed mapping: new families (defaults, to review), history
    aliases added to matched families, and the history pointer set to ``upload``.

    ``mapping`` has the columns of :func:`suggest_mapping`; a ``family`` that exists is a
    match whatever the action says, any other is created. Raises :class:`InputError` for
    a blank family name."""
    problems = [
        Problem(f"mapping row {i + 1}", f"give {row.history_name!r} a family name")
        for i, row in enumerate(mapping.itertuples())
        if not str(row.family or "").strip()
    ]
    if problems:
        raise InputError(problems)
    horizon = len((state.value("plan") or {}).get("periods") or []) or (
        len(state.families[0].value["demand"]) if state.families else 12
    )
    others = [i.value for i in state.families]
    edits: list[Edit] = []
    created: dict[str, str] = {}
    aliases: dict[str, list[str]] = {}
    position = max((i.position for i in state.families), default=0)
    for row in mapping.itertuples():
        target, source = str(row.family).strip(), str(row.history_name)
        key = state.family_key(target) if target in state.family_names else None
        if key is None and target not in created:
            key = next_key(state, "family", created.values())
            created[target] = key
            position += 1
            value = default_family(target, others, horizon)
            edits.append(Edit("family", key, None, value, position=position))
        key = key or created[target]
        if source != target:
            aliases.setdefault(key, []).append(source)
    for edit in edits:  # new families carry their aliases from the start
        edit.after["history_names"] = sorted(set(aliases.pop(edit.key, [])))
    for key, names in aliases.items():
        item = state.item("family", key)
        assert item is not None
        before = list(item.value.get("history_names", []))
        after = sorted(set(before) | set(names))
        if after != before:
            edits.append(Edit("family", key, before, after, field="history_names"))
    edits.append(Edit("history", "history", state.value("history"), dict(upload)))
    return edits


def rename_edits(state: WorkspaceState, key: str, new_name: str) -> list[Edit]:
    """Rename family ``key``: its name, its old name kept as a history alias, and the
    adjustments that name it. Raises :class:`InputError` for a blank or taken name."""
    item = state.item("family", key)
    new_name = new_name.strip()
    if item is None:
        raise InputError(Problem("family", f"no family with key {key!r}"))
    old = str(item.value["name"])
    if not new_name:
        raise InputError(Problem(f"family {old!r}", "the new name is blank; type a name"))
    if new_name != old and new_name in state.family_names:
        raise InputError(
            Problem(f"family {old!r}", f"{new_name!r} is taken by another family; pick another")
        )
    if new_name == old:
        return []
    aliases = list(item.value.get("history_names", []))
    edits = [Edit("family", key, old, new_name, field="name")]
    if old not in aliases:
        edits.append(Edit("family", key, aliases, sorted([*aliases, old]), field="history_names"))
    for kind in ("adjustment", *MONTHLY_TABLES):
        for row in state._of(kind):
            if row.value.get("family") == old:
                edits.append(Edit(kind, row.key, old, new_name, field="family"))
    return edits + portfolio_rename_edits(state, old, new_name)


#: where a family's launch or phase-out names another family
PORTFOLIO_REFERENCES: dict[str, tuple[str, ...]] = {
    "launch": ("like", "cannibalise"),
    "phase_out": ("replacement",),
}


#: what a reference to a family means, in words
REFERENCE_WORDS: dict[tuple[str, str], str] = {
    ("launch", "like"): "the launch {name} sells like it",
    ("launch", "cannibalise"): "the launch {name} takes demand from it",
    ("phase_out", "replacement"): "the phase-out of {name} hands its demand to it",
}


def removal_problem(state: WorkspaceState, key: str) -> Problem | None:
    """Why family ``key`` cannot be removed on its own: a launch or phase-out of another
    family names it (which, and where to change that); None when it can."""
    item = state.item("family", key)
    if item is None:
        return None
    named_by = portfolio_references(state, str(item.value["name"]))
    if not named_by:
        return None
    return Problem(
        f"family {item.value['name']}",
        f"{'; '.join(named_by)}; change or remove that first on the Launches and phase-outs page",
    )


def portfolio_references(state: WorkspaceState, family: str) -> list[str]:
    """The launches and phase-outs of other families that name ``family``, in words."""
    said = []
    for item in state.families:
        for field_name, refs in PORTFOLIO_REFERENCES.items():
            value = item.value.get(field_name)
            if not isinstance(value, Mapping) or item.value.get("name") == family:
                continue
            for ref in refs:
                if value.get(ref) == family:
                    words = REFERENCE_WORDS[(field_name, ref)]
                    said.append(words.format(name=item.value["name"]))
    return list(dict.fromkeys(said))


def portfolio_rename_edits(state: WorkspaceState, old: str, new: str) -> list[Edit]:
    """The launches and phase-outs that name family ``old`` (as the family a launch sells
    like or takes demand from, or a phase-out's replacement), naming ``new`` instead."""
    edits = []
    for item in state.families:
        for field_name, refs in PORTFOLIO_REFERENCES.items():
            value = item.value.get(field_name)
            if isinstance(value, Mapping) and any(value.get(r) == old for r in refs):
                after = {k: (new if k in refs and v == old else v) for k, v in value.items()}
                edits.append(Edit("family", item.key, value, after, field=field_name))
    return edits


def alias_edits(state: WorkspaceState, key: str, keep: Sequence[str]) -> list[Edit]:
    """Keep only the names in ``keep`` among family ``key``'s names in uploaded histories
    (its aliases; a rename leaves the old name as one). Raises :class:`InputError` for an
    unknown family or a name it does not have."""
    item = state.item("family", key)
    if item is None:
        raise InputError(Problem("family", f"no family with key {key!r}"))
    aliases = list(item.value.get("history_names", []))
    unknown = [n for n in keep if n not in aliases]
    if unknown:
        raise InputError(
            Problem(
                f"family {item.value['name']!r}",
                f"has no history name {unknown[0]!r}; its names are {', '.join(aliases) or 'none'}",
            )
        )
    after = [n for n in aliases if n in set(keep)]
    if after == aliases:
        return []
    return [Edit("family", key, aliases, after, field="history_names")]


def remove_family_edits(state: WorkspaceState, key: str) -> list[Edit]:
    """Remove family ``key`` and the adjustments that name it (a family a launch or
    phase-out names: see :func:`removal_problem`)."""
    item = state.item("family", key)
    if item is None:
        raise InputError(Problem("family", f"no family with key {key!r}"))
    edits = [Edit("family", key, item.value, None)]
    for adj in state._of("adjustment"):
        if adj.value.get("family") == item.value["name"]:
            edits.append(Edit("adjustment", adj.key, adj.value, None))
    return edits


# --------------------------------------------------------------------------- table diffs


def _cell(value: Any) -> Any:
    """An edited table cell as a JSON value: NaN and blanks are ``None``."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, str) and not value.strip():
        return None
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    return value


def field_edits(
    kind: str, key: str, before: Mapping[str, Any], after: Mapping[str, Any]
) -> list[Edit]:
    """One field edit per field whose value differs between ``before`` and ``after``."""
    out = []
    for name, new in after.items():
        old = before.get(name)
        new = _cell(new)
        if isinstance(old, float | int) and isinstance(new, float | int):
            if math.isclose(float(old), float(new), rel_tol=0, abs_tol=1e-12):
                continue
        elif old == new:
            continue
        out.append(Edit(kind, key, old, new, field=name))
    return out


def adjustment_edits(state: WorkspaceState, edited: pd.DataFrame) -> list[Edit]:
    """Edits that turn the workspace's adjustments into the rows of ``edited``.

    ``edited`` has a ``key`` column (blank for new rows) and :data:`ADJUSTMENT_FIELDS`;
    rows without a family or a change are ignored (a half-typed row), keys missing from
    it are removed."""
    current = {i.key: i for i in state._of("adjustment")}
    edits: list[Edit] = []
    seen: set[str] = set()
    new_keys: list[str] = []
    position = max((i.position for i in current.values()), default=0)
    for row in edited.to_dict("records"):
        values = {f: _cell(row.get(f)) for f in ADJUSTMENT_FIELDS}
        if values["family"] is None or values["change"] is None:
            continue
        values["unit"] = values["unit"] or "%"
        values["comment"] = values["comment"] or ""
        key = _cell(row.get("key"))
        if key in current:
            seen.add(key)
            edits += field_edits("adjustment", key, current[key].value, values)
        else:
            key = next_key(state, "adjustment", new_keys)
            new_keys.append(key)
            position += 1
            edits.append(Edit("adjustment", key, None, values, position=position))
    for key, item in current.items():
        if key not in seen:
            edits.append(Edit("adjustment", key, item.value, None))
    return edits


def monthly_edits(state: WorkspaceState, kind: str, table: pd.DataFrame) -> list[Edit]:
    """Edits that make the workspace's monthly table ``kind`` (:data:`MONTHLY_TABLES`)
    hold exactly the rows of ``table``: an uploaded file or an edited table.

    ``table`` has the table's columns and optionally ``key`` (an edited table's item
    keys; blank for new rows). A row is matched to an item by its key, else by family
    and period; matched rows change only the cells that differ, new rows are added, and
    items no row matches are removed. Rows without a family or a period are ignored (a
    half-typed row). Values are checked when applied (:func:`check_monthly`)."""
    spec = MONTHLY_TABLES[kind]
    items = state._of(kind)
    by_key = {i.key: i for i in items}
    by_cell = {(i.value.get("family"), i.value.get("period")): i for i in items}
    numbers = [int(i.key[1:]) for i in items if re.fullmatch(r"[a-z]\d+", i.key)]
    counter, position = max(numbers, default=0), max((i.position for i in items), default=0)
    edits: list[Edit] = []
    seen: set[str] = set()
    for row in table.to_dict("records"):
        values = {c: _cell(row.get(c)) for c in spec.columns}
        if values["family"] is None or values["period"] is None:
            continue
        values["family"] = str(values["family"]).strip()
        values["period"] = str(values["period"]).strip()
        for c in spec.values:
            v = values[c]
            if isinstance(v, int) and not isinstance(v, bool):
                values[c] = float(v)
            elif isinstance(v, float) and not math.isfinite(v):
                values[c] = str(v)  # JSON has no infinity: kept as text, refused by name
        key = _cell(row.get("key"))
        item = by_key.get(key) if key is not None else None
        if item is None:
            item = by_cell.get((values["family"], values["period"]))
        if item is not None and item.key not in seen:
            seen.add(item.key)
            edits += field_edits(kind, item.key, item.value, values)
            continue
        counter += 1
        position += 1
        edits.append(Edit(kind, f"{KEY_PREFIX[kind]}{counter}", None, values, position=position))
    edits += [Edit(kind, i.key, i.value, None) for i in items if i.key not in seen]
    return edits


def check_monthly(state: WorkspaceState, kind: str) -> list[Problem]:
    """What is wrong with the workspace's monthly table ``kind``: a blank or too long
    family name, a period that is not a month (YYYY-MM), a value that is not a number
    from 0 to :data:`~sop_core.base.limits.MAX_MAGNITUDE`, a family and month given twice.
    Each problem names the table, the family and month, and the column."""
    spec = MONTHLY_TABLES[kind]
    problems: list[Problem] = []
    seen: dict[tuple[str, str], int] = {}
    for item in state._of(kind):
        family, period = item.value.get("family"), item.value.get("period")
        where = f"{spec.what} {family} {period}"
        if not isinstance(family, str) or not family.strip():
            problems.append(Problem(where, "the family is blank; type the family's name"))
        elif len(family) > MAX_TEXT_CHARS:
            problems.append(Problem(where, f"the family name is over {MAX_TEXT_CHARS} characters"))
        if not is_month_label(period):
            problems.append(
                Problem(f"{where}, period", f"must be a month as YYYY-MM, got {period!r}")
            )
        for c in spec.values:
            v = item.value.get(c)
            ok = isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
            if v is None:
                problems.append(Problem(f"{where}, {c}", "is blank; type a number (0 for none)"))
            elif not ok or not 0 <= v <= MAX_MAGNITUDE:
                problems.append(
                    Problem(
                        f"{where}, {c}",
                        f"must be a number from 0 to {limit_text(MAX_MAGNITUDE)}, got {v!r}",
                    )
                )
        cell = (str(family), str(period))
        seen[cell] = seen.get(cell, 0) + 1
    problems += [
        Problem(
            f"{spec.what} {f} {p}",
            f"given {n} times; keep one row per family and month",
        )
        for (f, p), n in seen.items()
        if n > 1
    ]
    return problems


# --------------------------------------------------------------------------- words


def _row_of(edit: Edit, state: WorkspaceState | None) -> Mapping[str, Any]:
    """The edited item's value: the whole item an edit adds or removes, else the item
    as ``state`` holds it (empty when unknown)."""
    value = edit.after if edit.after is not None else edit.before
    if edit.field is None and isinstance(value, Mapping):
        return value
    found = state.item(edit.kind, edit.key) if state is not None else None
    return found.value if found is not None else {}


def object_words(edit: Edit, state: WorkspaceState | None = None) -> str:
    """The edited item in words: "family Pumps", "adjustment Pumps 2024-03", "business
    plan Pumps 2024-03", "what-if Peak", "workforce"; ``state``: the workspace before the
    edit, where a field edit finds its item."""
    row = _row_of(edit, state)
    if edit.kind == "family":
        return f"family {row.get('name', edit.key)}"
    if edit.kind == "adjustment":
        return f"adjustment {row.get('family', edit.key)} {row.get('period') or 'all periods'}"
    if edit.kind in MONTHLY_TABLES:
        what = MONTHLY_TABLES[edit.kind].what
        return f"{what} {row.get('family')} {row.get('period')}" if row else what
    if edit.kind == "whatif":
        return f"what-if {edit.key}"
    if edit.kind == "setting":
        return label(edit.key).lower()
    if edit.kind == "history":
        return "sales history"
    return edit.kind


def describe(edit: Edit, state: WorkspaceState | None = None) -> str:
    """One edit in words, for the change log: "Pumps: Holding $ / unit / period $2 →
    $3.50", "Hiring cost $300 → $350", "renamed family Pumps to Valves", "added family
    Valves". ``state``: the workspace before the edit (names the item of a field edit)."""
    row = _row_of(edit, state)
    field, before, after = edit.field, edit.before, edit.after
    added, removed = field is None and before is None, field is None and after is None
    what = object_words(edit, state)
    if edit.kind == "family":
        name = str(row.get("name", edit.key))
        if field == "name":
            return f"renamed family {value_words('name', before)} to {value_words('name', after)}"
        if field is not None:
            return f"{name}: {field_label(field)} {change_words(field, before, after)}"
    elif edit.kind in ("workforce", "policy"):
        if field is not None:
            return f"{field_label(field)} {change_words(field, before, after)}"
        if added:
            return f"set the {edit.kind}"
    elif edit.kind == "plan":
        if field == "name":
            return f"renamed the plan {value_words('name', before)} to {value_words('name', after)}"
        if field is not None:
            return f"plan: {field_label(field)} {change_words(field, before, after)}"
        if added:
            return f"started the plan {value_words('name', row.get('name'))}"
    elif edit.kind == "adjustment":
        if field is not None:
            if field == "change" and row.get("unit"):
                old, new = (_with_unit(v, row["unit"]) for v in (before, after))
                return f"{what}: {field_label(field)} {old} → {new}"
            return f"{what}: {field_label(field)} {change_words(field, before, after)}"
        if added:
            return f"added {what}: {_with_unit(row.get('change'), row.get('unit') or '%')}"
    elif edit.kind == "history":
        old, new = (v.get("name") if isinstance(v, Mapping) else None for v in (before, after))
        if removed:
            return f"removed the sales history {value_words('file', old)}"
        if added:
            return f"using the sales history {value_words('file', new)}"
        return f"sales history {value_words('file', old)} → {value_words('file', new)}"
    elif edit.kind == "setting":
        old, new = (_setting_value(v, field) for v in (before, after))
        if isinstance(old, Mapping) or isinstance(new, Mapping):
            return f"{'set' if added else 'removed' if removed else 'changed'} the {what}"
        return f"{label(edit.key)} {change_words(edit.key, old, new)}"
    if field is not None:
        return f"{what}: {field_label(field)} {change_words(field, before, after)}"
    the = "the " if edit.kind in ("workforce", "policy", "plan") else ""
    if added:
        return f"kept {what}" if edit.kind == "whatif" else f"added {the}{what}"
    if removed:
        return f"removed {the}{what}"
    return f"changed {the}{what}"


def _with_unit(change: Any, unit: Any) -> str:
    """An adjustment's change with its sign and unit ("+10 %", "−50 units"), or "blank"."""
    text = value_words("change", change)
    if text == "blank":
        return text
    positive = isinstance(change, int | float) and not isinstance(change, bool) and change > 0
    return f"{'+' if positive else ''}{text} {unit}".strip()


def _setting_value(value: Any, field: str | None) -> Any:
    """A setting's value: a whole ``setting`` item holds it under ``value``."""
    return value.get("value") if field is None and isinstance(value, Mapping) else value


def summary_of(summaries: Iterable[str], most: int = 3) -> str:
    """Several changes of one action in one line: each summary once, in order; over
    ``most``, the first ones and "and N more"."""
    distinct = list(dict.fromkeys(summaries))
    if len(distinct) <= most:
        return "; ".join(distinct)
    return f"{'; '.join(distinct[:most])} and {len(distinct) - most} more"


def action_lines(changes: Sequence[Change]) -> list[tuple[Change, str]]:
    """One line per action of ``changes`` (newest first, as
    :meth:`~sop_core.store.workspaces.Workspaces.changes` gives them): the action's
    newest change (its author and time) and its summaries in one line
    (:func:`summary_of`): a hand-over that wrote seven rows is listed once."""
    lines: list[tuple[Change, list[str]]] = []
    for c in changes:
        if lines and lines[-1][0].revision == c.revision:
            lines[-1][1].append(c.summary)
        else:
            lines.append((c, [c.summary]))
    return [(c, summary_of(reversed(texts))) for c, texts in lines]


# --------------------------------------------------------------------------- whole plans


def realigned(item: Mapping[str, Any], old: list[str], new: list[str]) -> dict[str, Any]:
    """An SKU launch's or phase-out's ``item`` with its ``demand`` moved from the plan's
    ``old`` periods onto its ``new`` ones by label (a rolled horizon): a period the old
    ones lack takes the nearest value it had, the first before them, the last after."""
    demand = list(item.get("demand") or [])
    if old == new or not demand or len(demand) != len(old):
        return dict(item)
    by_label = dict(zip(old, demand, strict=True))
    moved = [by_label.get(p, demand[0] if p < old[0] else demand[-1]) for p in new]
    return {**item, "demand": moved}


def forecast_edits(
    state: WorkspaceState,
    forecast: pd.DataFrame,
    *,
    value_col: str | None = None,
    model: str | None = None,
) -> tuple[list[Edit], list[str]]:
    """Hand a (consensus) forecast over to the plan: the edits that set the plan's
    periods and each family's demand, and notes for the planner. ``model``: the
    statistical model the forecast was made from, kept as the plan's ``forecast_model``
    (what a demand review's sign-off freezes beside the consensus).

    ``forecast`` is long format (family, period, and ``adjusted`` or ``forecast``; SKU
    rows are summed). A family the forecast does not cover keeps its demand when the
    horizon is unchanged, else gets zero demand (a note says so); a per-period safety
    stock of another length becomes its largest value (noted too)."""
    from sop_core.demand.consensus import month_or_day_labels

    col = value_col or ("adjusted" if "adjusted" in forecast.columns else "forecast")
    totals = forecast.groupby(["family", "period"], sort=True)[col].sum().unstack("period")
    labels = list(month_or_day_labels(pd.Series(list(totals.columns))))
    horizon = len(labels)
    plan = state.value("plan") or {}
    if state.item("plan", "plan") is not None:
        edits = [Edit("plan", "plan", plan.get("periods"), labels, field="periods")]
        if model is not None and plan.get("forecast_model") != model:
            edits.append(
                Edit("plan", "plan", plan.get("forecast_model"), model, field="forecast_model")
            )
    else:
        new_plan = {"name": state.name, "periods": labels}
        edits = [
            Edit("plan", "plan", None, new_plan | ({"forecast_model": model} if model else {}))
        ]
    notes: list[str] = []
    for item in state.families:
        name, demand = str(item.value["name"]), list(item.value["demand"])
        if name in totals.index and not totals.loc[name].isna().any():
            new = [round(float(v), 6) for v in totals.loc[name]]
        elif len(demand) == horizon:
            new = demand
            notes.append(f"{name} has no forecast: it keeps the demand it had.")
        else:
            new = [0.0] * horizon
            notes.append(f"{name} has no forecast: its demand is 0 until you enter one.")
        if new != demand:
            edits.append(Edit("family", item.key, demand, new, field="demand"))
        for key in ("sku_launches", "sku_phase_outs"):
            items = item.value.get(key) or []
            moved = [realigned(v, plan.get("periods") or [], labels) for v in items]
            if moved != items:
                edits.append(Edit("family", item.key, item.value.get(key), moved, field=key))
        safety = item.value.get("safety_stock")
        if isinstance(safety, list) and len(safety) != horizon:
            top = max(safety, default=0.0)
            edits.append(Edit("family", item.key, safety, top, field="safety_stock"))
            notes.append(f"{name}: safety stock per period became {top:g} in every period.")
    return edits, notes


def replace_edits(state: WorkspaceState, scenario: Scenario) -> list[Edit]:
    """The edits that make the workspace plan ``scenario``: its name, periods,
    workforce, policy and families (matched by name; others added or removed)."""
    data = scenario.model_dump(mode="json")
    edits: list[Edit] = []
    for kind, key, new in (
        ("plan", "plan", {"name": data["name"], "periods": data["periods"]}),
        ("workforce", "workforce", data["workforce"]),
        ("policy", "policy", data["policy"]),
        *(("setting", name, {"value": data[name]}) for name in SCENARIO_SETTINGS),
    ):
        old = state.value(kind, key)
        edits += [Edit(kind, key, None, new)] if old is None else field_edits(kind, key, old, new)
    wanted = {f["name"]: f for f in data["families"]}
    for item in state.families:
        name = item.value["name"]
        if name in wanted:
            edits += field_edits("family", item.key, item.value, wanted[name])
        else:
            edits += remove_family_edits(state, item.key)
    taken: list[str] = []
    position = max((i.position for i in state.families), default=0)
    for name, fam in wanted.items():
        if name not in state.family_names:
            key = next_key(state, "family", taken)
            taken.append(key)
            position += 1
            value = {**fam, "history_names": [], "needs_review": False}
            edits.append(Edit("family", key, None, value, position=position))
    return edits
