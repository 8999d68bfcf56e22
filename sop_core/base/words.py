"""Values, changes and whole items in words: the change log's "Pumps: Holding $ / unit /
period $2 → $3.50" and the audit trail's before and after.

Views of the vocabulary (:mod:`sop_core.base.fields`): a field is named by its label, a
value is shown at the precision of its kind (:func:`~sop_core.base.fields.show_value`),
a missing one is "blank"; a long list is summarised ("12 values, 0 to 3,200"), an item (a
mapping of fields) reads "Label: value; Label: value".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sop_core.base.fields import TERMS, label, show_value
from sop_core.base.text import plural

#: a list longer than this is summarised instead of listed
SHORT_LIST = 6
#: fields that hold one value per period of the plan
PER_PERIOD: frozenset[str] = frozenset({"demand", "safety_stock"})


def field_label(field: str) -> str:
    """What ``field`` is called in a sentence: its label (``name`` is "Name", whatever
    it names)."""
    return "Name" if field == "name" else label(field)


def is_blank(value: Any) -> bool:
    """Whether ``value`` shows as nothing: ``None``, NaN, blank text, an empty list or
    mapping."""
    if value is None:
        return True
    if isinstance(value, float):
        return value != value  # NaN
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | tuple | Mapping):
        return not value
    return False


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def value_words(field: str, value: Any, blank: str = "blank") -> str:
    """``value`` of ``field`` as a person reads it ("$3.50", "yes", "Pump, PUMPS"), or
    ``blank`` when it is missing."""
    if is_blank(value):
        return blank
    if isinstance(value, Mapping):
        return item_words(value) or blank
    if isinstance(value, list | tuple):
        return _list_words(field, list(value))
    return show_value(field, value) or blank


def _list_words(field: str, values: list[Any]) -> str:
    if all(isinstance(v, Mapping) for v in values):
        names = [v.get("name") for v in values]
        if not all(isinstance(n, str) and n for n in names):
            return plural(len(values), "entry", "entries")
        field, values = "name", names
    if all(_is_number(v) for v in values):
        if len(values) > SHORT_LIST:
            low, high = min(values), max(values)
            if low == high:
                return f"{len(values)} values, all {value_words(field, low)}"
            return f"{len(values)} values, {value_words(field, low)} to {value_words(field, high)}"
        return " / ".join(value_words(field, v) for v in values)
    shown = [value_words(field, v) for v in values]
    if len(shown) > SHORT_LIST:
        return f"{shown[0]} … {shown[-1]} ({len(shown)})"
    return ", ".join(shown)


def change_words(field: str, before: Any, after: Any) -> str:
    """A field's change: "$2 → $3.50", "blank → Pump"; two long lists of numbers of the
    same length by how many values differ ("changed in 3 of 12 periods")."""
    if (
        isinstance(before, list)
        and isinstance(after, list)
        and len(before) == len(after) > SHORT_LIST
        and all(_is_number(v) for v in [*before, *after])
    ):
        differ = sum(1 for b, a in zip(before, after, strict=True) if b != a)
        what = "periods" if field in PER_PERIOD else "values"
        return f"changed in {differ} of {len(after)} {what}"
    return f"{value_words(field, before)} → {value_words(field, after)}"


def inner_field(outer: str, key: str) -> str:
    """The vocabulary's field of ``key`` inside the mapping ``outer``: "outer.key" when the
    vocabulary has it (a what-if's ``settings.overtime`` is hours, not the overtime cost),
    else ``key``."""
    qualified = f"{outer}.{key}"
    return qualified if qualified in TERMS else key


def item_words(item: Mapping[str, Any]) -> str:
    """A whole item in words, its blank fields left out: "Name: Pumps; Hours / unit: 4;
    Holding $ / unit / period: $2"; a mapping inside it reads "KPIs: Total cost $1,234,
    Fill rate 97.0%"."""
    parts = []
    for key, value in item.items():
        if is_blank(value):
            continue
        if isinstance(value, Mapping):
            inner = ", ".join(
                f"{field_label(f)} {value_words(f, v)}"
                for f, v in ((inner_field(key, k), v) for k, v in value.items())
                if not is_blank(v)
            )
            if inner:
                parts.append(f"{field_label(key)}: {inner}")
        else:
            parts.append(f"{field_label(key)}: {value_words(key, value)}")
    return "; ".join(parts)
