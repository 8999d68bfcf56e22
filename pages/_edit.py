"""The Capacity page's editable tables: workspace → tables → edits.

Importable without running a page, so the round trip is unit-tested."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from sop_core.base.errors import InputError, Problem
from sop_core.base.fields import FAMILY_FIELDS, WORKFORCE_FIELDS
from sop_core.process.workspace import (
    Edit,
    WorkspaceState,
    default_family,
    field_edits,
    next_key,
    rename_edits,
)


def _num(value: Any) -> Any:
    """An edited cell: blank/NaN means 'no limit' (None)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    try:
        value = float(value)
    except (TypeError, ValueError):
        return value  # validation names the field and the bad value
    return None if math.isnan(value) else value


def workforce_frame(state: WorkspaceState) -> pd.DataFrame:
    wf = state.value("workforce") or {}
    return pd.DataFrame(
        {
            "key": [f for f, _, _ in WORKFORCE_FIELDS],
            "Setting": [label for _, label, _ in WORKFORCE_FIELDS],
            "Value": [wf.get(f) for f, _, _ in WORKFORCE_FIELDS],
            "Unit": [unit for _, _, unit in WORKFORCE_FIELDS],
        }
    )


def workforce_edits(state: WorkspaceState, edited: pd.DataFrame) -> list[Edit]:
    """Field edits of the workforce from its edited table (a new company: the item)."""
    new = {f: _num(v) for (f, _, _), v in zip(WORKFORCE_FIELDS, edited["Value"], strict=True)}
    old = state.value("workforce")
    if old is None:
        return [Edit("workforce", "workforce", None, new)]
    return field_edits("workforce", "workforce", old, new)


def families_frame(state: WorkspaceState) -> pd.DataFrame:
    """One row per family (its stable key in the ``key`` column)."""
    rows = [
        {"key": i.key, **{label: i.value.get(k) for k, label in FAMILY_FIELDS.items()}}
        for i in state.families
    ]
    return pd.DataFrame(rows, columns=["key", *FAMILY_FIELDS.values()])


def family_edits(state: WorkspaceState, edited: pd.DataFrame) -> list[Edit]:
    """Edits from the edited families table: renames (which carry adjustments and
    history names along), changed cells, and new rows (defaults for blank cells)."""
    by_label = {label: k for k, label in FAMILY_FIELDS.items()}
    edits: list[Edit] = []
    taken: list[str] = []
    position = max((i.position for i in state.families), default=0)
    horizon = (
        len(state.families[0].value["demand"])
        if state.families
        else len((state.value("plan") or {}).get("periods") or []) or 12
    )
    for n, row in enumerate(edited.to_dict("records"), start=1):
        values = {
            by_label[c]: _num(v) if by_label[c] != "name" else v
            for c, v in row.items()
            if c in by_label
        }
        name = str(values.get("name") or "").strip()
        key = row.get("key")
        item = state.item("family", key) if isinstance(key, str) else None
        if item is None:
            if not name:
                continue  # a row added and left blank
            key = next_key(state, "family", taken)
            taken.append(key)
            position += 1
            value = default_family(name, [i.value for i in state.families], horizon)
            value.update({k: v for k, v in values.items() if v is not None and k != "name"})
            value["needs_review"] = True
            edits.append(Edit("family", key, None, value, position=position))
            continue
        if not name:
            raise InputError(Problem(f"families row {n}", "the family name is blank; type one"))
        if name != item.value["name"]:
            edits += rename_edits(state, item.key, name)
        values.pop("name", None)
        edits += field_edits("family", item.key, item.value, values)
    return edits
