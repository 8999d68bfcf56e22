"""A whole company in one Excel workbook, out and back in.

Sheets and their columns (the first row of each sheet is its header):

``Families``      one row per family: the labels of :data:`sop_core.base.fields.FAMILY_FIELDS`
                  (``Family``, ``Hours / unit``, …), ``Safety stock`` (one number; blank
                  when it differs by period: see Plan demand), ``Names in histories``
                  (other names the family has in sales files, separated by ``; ``) and
                  ``Values confirmed`` (yes / no), ``Launch`` and ``Phase-out`` (the
                  scenario file's JSON objects; blank: none; optional when reading)
``Plan demand``   ``Family``, ``Period``, ``Demand``, ``Safety stock``: the demand the plan
                  uses per family and period, and the safety stock when it varies
``Resource hours`` ``Family``, ``Resource``, ``Hours / unit``: each family's load on the
                  resources of the More sheet
``Workforce``     ``Setting``, ``Value``, ``Unit`` (:data:`sop_core.base.fields.WORKFORCE_FIELDS`;
                  blank value: no limit)
``Policy``        ``Setting``, ``Value``: ``Plan name``, :data:`sop_core.base.fields.POLICY_FIELDS`
                  and ``Forecast model`` (the statistical model the consensus in the
                  plan was made from; absent when none was handed over)
``History``       the sales history in use, as uploaded: ``period``, ``family``,
                  optionally ``sku``, ``demand`` (the history file format)
``Adjustments``   ``Family``, ``Period`` (blank: all), ``Change``, ``Unit`` (% or units),
                  ``Comment``
``What-ifs``      ``What-if`` (its name) and one column per lever
                  (:data:`WHATIF_COLUMNS`)
``More``          ``Setting``, ``Value``: the scenario's other parts (``resources``,
                  ``calendar``: :data:`~sop_core.process.workspace.SCENARIO_SETTINGS`) as the
                  scenario file's JSON text
``Business plan`` ``Family``, ``Period`` (YYYY-MM), ``Units``, ``Revenue``: the annual
                  budget per family and month
``Actuals``       ``Family``, ``Period`` (YYYY-MM), ``Production``, ``Inventory``,
                  ``Backlog``: what was made, held and owed per family and month

The last two are optional when reading (a workbook from before they existed has
neither).

Text is written as text, never as a formula, so a name such as ``=HYPERLINK(…)`` stays
a harmless string in Excel and comes back as typed. Numbers keep their full precision
(the workbook comes back exactly) and are shown by their kind in the vocabulary
(:data:`NUMBER_FORMATS`): units and hours whole with thousands separators, costs per unit
to the cent, money to the dollar, rates in %, workers and hours per unit as typed.
:func:`read_workbook` validates like every other input
(:class:`~sop_core.base.errors.InputError` names the sheet, row and column); reading what
:func:`write_workbook` wrote gives back the same company.
"""

from __future__ import annotations

import io
import json
import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from openpyxl import Workbook, load_workbook
from pydantic import TypeAdapter

from sop_core.base.errors import InputError, Problem
from sop_core.base.fields import (
    AIM_NAMES,
    FAMILY_FIELDS,
    POLICY_FIELDS,
    WORKFORCE_FIELDS,
    Kind,
    term,
)
from sop_core.base.text import noun
from sop_core.model.scenario import Scenario, parse_scenario
from sop_core.process.workspace import (
    ADJUSTMENT_FIELDS,
    MONTHLY_TABLES,
    SCENARIO_SETTINGS,
    Edit,
    MonthlyTable,
    WorkspaceState,
    monthly_edits,
)

#: lever -> column of the What-ifs sheet
WHATIF_COLUMNS: dict[str, str] = {
    "overtime": "Max overtime (h / worker)",
    "workers_min": "Workforce floor",
    "workers_max": "Workforce ceiling",
    "safety_months": "Safety stock (months)",
    "strategy": "Strategy",
    "aim": "Held at (trade-off aim)",
    "aim_level": "Aim level",
}
#: lever -> the field its values are shown as (safety stock months: as typed)
_WHATIF_KEYS = {
    "overtime": "max_overtime_hours_per_worker",
    "workers_min": "min_workers",
    "workers_max": "max_workers",
}
#: a monthly table's column -> the field its values are shown as
_MONTHLY_KEYS = {
    "units": "demand",
    "revenue": "revenue",
    "production": "production",
    "inventory": "inventory",
    "backlog": "backorder",
}
SHEETS = (
    "Families",
    "Plan demand",
    "Resource hours",
    "Workforce",
    "Policy",
    "History",
    "Adjustments",
    "What-ifs",
    "More",
    *(t.what.capitalize() for t in MONTHLY_TABLES.values()),
)
_ADJ_HEADERS = {f: f.capitalize() for f in ADJUSTMENT_FIELDS}
MAX_BYTES = 20 * 1024 * 1024
#: kind of a field (:data:`sop_core.base.fields.TERMS`) -> the Excel number format its
#: numbers are shown with (the cell keeps the number at full precision); workers and
#: hours per unit are shown as typed ("General": 80, 15.42, 0.0833)
NUMBER_FORMATS: dict[Kind, str] = {
    "units": "#,##0",
    "hours": "#,##0",
    "count": "#,##0",
    "money": "#,##0",
    "price": "#,##0.00",
    "rate": "0.0%",
    "workers": "#,##0.00",  # two decimals at most, as the vocabulary shows workers
    "factor": "General",
    "days": "#,##0.0",
}


def number_format(key: str) -> str | None:
    """The Excel number format of field ``key``'s numbers (None: a text field)."""
    return NUMBER_FORMATS.get(term(key).kind)


@dataclass
class Company:
    """What a workbook holds: the scenario, the family extras, history, adjustments and
    kept what-ifs (name → lever settings)."""

    scenario: Scenario
    history_names: dict[str, list[str]] = field(default_factory=dict)
    confirmed: dict[str, bool] = field(default_factory=dict)
    history: pd.DataFrame | None = None
    history_name: str = ""
    adjustments: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=list(ADJUSTMENT_FIELDS))
    )
    whatifs: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: kind -> the monthly table (:data:`~sop_core.process.workspace.MONTHLY_TABLES`): the
    #: business plan (``budget``) and the actuals (``actual``)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    #: the statistical model the consensus in the plan was made from
    forecast_model: str | None = None


def _sheet_name(table: MonthlyTable) -> str:
    return table.what.capitalize()


def _headers(table: MonthlyTable) -> list[str]:
    return [c.capitalize() for c in table.columns]


# --------------------------------------------------------------------------- writing


def company_of(state: WorkspaceState, history: pd.DataFrame | None) -> Company:
    """The company a workspace holds (``history``: its history in use, as uploaded)."""
    upload = state.history_upload or {}
    return Company(
        scenario=state.scenario(),
        history_names={
            i.value["name"]: list(i.value.get("history_names", [])) for i in state.families
        },
        confirmed={i.value["name"]: not i.value.get("needs_review") for i in state.families},
        history=history,
        history_name=str(upload.get("name", "")),
        adjustments=state.adjustments[list(ADJUSTMENT_FIELDS)],
        whatifs={k: dict(v.get("settings") or {}) for k, v in state.whatifs.items()},
        tables={kind: state.monthly(kind) for kind in MONTHLY_TABLES},
        forecast_model=state.forecast_model,
    )


def _sheet(
    wb: Workbook,
    title: str,
    header: list[str],
    rows: list[list[Any]],
    keys: list[str | None] | None = None,
    row_keys: list[str | None] | None = None,
) -> None:
    """A sheet of ``header`` and ``rows``; a number is shown as the field (a key of
    :data:`sop_core.base.fields.TERMS`) of its column in ``keys`` (one per column, None:
    none), or of its row in ``row_keys`` (one per row, for a sheet of settings), says
    (:func:`number_format`)."""
    ws = wb.create_sheet(title)
    ws.append(header)
    for row in rows:
        ws.append([_cell_out(v) for v in row])
    for r, cells in enumerate(ws.iter_rows(min_row=1)):
        for c, cell in enumerate(cells):
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text, even when it starts with "=": never a formula
            elif r and isinstance(cell.value, int | float) and not isinstance(cell.value, bool):
                key = row_keys[r - 1] if row_keys else keys[c] if keys else None
                fmt = number_format(key) if key else None
                if fmt:
                    cell.number_format = fmt
    for i, name in enumerate(header, start=1):
        ws.column_dimensions[ws.cell(1, i).column_letter].width = max(12, len(name) + 2)


def _cell_out(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, float) and math.isinf(value):
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value


#: a family's launch and phase-out, and its SKUs' (lists), as the scenario file's JSON
#: text (Families sheet)
PORTFOLIO_COLUMNS: dict[str, str] = {
    "launch": "Launch",
    "phase_out": "Phase-out",
    "sku_launches": "SKU launches",
    "sku_phase_outs": "SKU phase-outs",
}


def _json_text(value: Any) -> str | None:
    """A launch or phase-out as the scenario file's JSON text (None: none, or no SKU
    launches or phase-outs)."""
    return None if value is None or value == [] else json.dumps(value, default=str)


def _json_list(value: Any, where: str) -> list:
    """A cell holding a JSON list of the scenario file's objects; refused naming ``where``."""
    text = str(value).strip()
    if not text.startswith("["):
        raise InputError(
            Problem(
                where,
                f"must be a JSON list [{{…}}, …] of the scenario file's objects, e.g. "
                f'[{{"sku": "P-4", "end_period": "2027-06"}}], got {text[:40]!r}',
            )
        )
    return [_json_cell(json.dumps(v), where) for v in _json_parsed(text, where)]


def _json_parsed(text: str, where: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(Problem(where, f"is not JSON: {exc.msg} at character {exc.pos}")) from None


def _json_cell(value: Any, where: str) -> Any:
    """A cell holding a scenario file's JSON object; refused naming ``where``."""
    try:
        parsed = json.loads(str(value))
    except json.JSONDecodeError as exc:
        raise InputError(
            Problem(
                where,
                f"must be the scenario file's JSON object, e.g. "
                f'{{"end_period": "2027-06"}}; {exc.msg} at character {exc.pos}',
            )
        ) from None
    if not isinstance(parsed, dict):
        raise InputError(Problem(where, f"must be a JSON object {{…}}, got {str(value)[:40]!r}"))
    return parsed


def _setting_text(name: str, value: Any) -> str | None:
    """A scenario setting's value as the scenario file's JSON text; blank when it is the
    setting's default (none given), which reads back as the default."""
    default = Scenario.model_fields[name].get_default(call_default_factory=True)
    if value == TypeAdapter(Any).dump_python(default, mode="json"):
        return None
    return json.dumps(value, ensure_ascii=False)


def write_workbook(company: Company) -> bytes:
    """The company as an .xlsx workbook (see the module docstring for its sheets)."""
    s = company.scenario
    wb = Workbook()
    wb.remove(wb.active)
    fam_rows, demand_rows = [], []
    for fam in s.families:
        data = fam.model_dump()
        per_period = isinstance(fam.safety_stock, list)
        fam_rows.append(
            [data[k] for k in FAMILY_FIELDS]
            + [
                None if per_period else fam.safety_stock,
                "; ".join(company.history_names.get(fam.name, [])),
                company.confirmed.get(fam.name, True),
                *(_json_text(data.get(k)) for k in PORTFOLIO_COLUMNS),
            ]
        )
        safety = fam.safety_stock_series(s.horizon)
        for t, label in enumerate(s.period_labels):
            demand_rows.append([fam.name, label, fam.demand[t], safety[t] if per_period else None])
    _sheet(
        wb,
        "Families",
        [
            *FAMILY_FIELDS.values(),
            "Safety stock",
            "Names in histories",
            "Values confirmed",
            *PORTFOLIO_COLUMNS.values(),
        ],
        fam_rows,
        keys=[*FAMILY_FIELDS, "safety_stock", None, None, *(None for _ in PORTFOLIO_COLUMNS)],
    )
    _sheet(
        wb,
        "Plan demand",
        ["Family", "Period", "Demand", "Safety stock"],
        demand_rows,
        keys=[None, None, "demand", "safety_stock"],
    )
    _sheet(
        wb,
        "Resource hours",
        ["Family", "Resource", "Hours / unit"],
        [[f.name, r, h] for f in s.families for r, h in f.resource_hours.items()],
        keys=[None, None, "labor_hours_per_unit"],
    )
    wf = s.workforce.model_dump()
    _sheet(
        wb,
        "Workforce",
        ["Setting", "Value", "Unit"],
        [[label, wf[f], unit] for f, label, unit in WORKFORCE_FIELDS],
        row_keys=[f for f, _, _ in WORKFORCE_FIELDS],
    )
    pol = s.policy.model_dump()
    _sheet(
        wb,
        "Policy",
        ["Setting", "Value"],
        [["Plan name", s.name]]
        + [[label, pol[k]] for k, label in POLICY_FIELDS.items()]
        + ([["Forecast model", company.forecast_model]] if company.forecast_model else []),
        row_keys=[None, *POLICY_FIELDS, None],
    )
    hist = company.history
    if hist is not None:
        cols = [c for c in ("period", "family", "sku", "demand") if c in hist.columns]
        rows = hist[cols].assign(period=hist["period"].dt.strftime("%Y-%m-%d")).values.tolist()
        _sheet(wb, "History", cols, rows, keys=[c if c == "demand" else None for c in cols])
    else:
        _sheet(wb, "History", ["period", "family", "demand"], [])
    adj = company.adjustments
    _sheet(
        wb,
        "Adjustments",
        list(_ADJ_HEADERS.values()),
        [[r.get(f) for f in ADJUSTMENT_FIELDS] for r in adj.to_dict("records")],
    )
    _sheet(
        wb,
        "What-ifs",
        ["What-if", *WHATIF_COLUMNS.values()],
        [
            [
                name,
                *(
                    AIM_NAMES.get(w.get(k), w.get(k)) if k == "aim" else w.get(k)
                    for k in WHATIF_COLUMNS
                ),
            ]
            for name, w in company.whatifs.items()
        ],
        keys=[None, *(_WHATIF_KEYS.get(k) for k in WHATIF_COLUMNS)],
    )
    more = s.model_dump(mode="json")
    _sheet(
        wb,
        "More",
        ["Setting", "Value"],
        [[term(name).label, _setting_text(name, more[name])] for name in SCENARIO_SETTINGS],
    )
    for kind, table in MONTHLY_TABLES.items():
        frame = company.tables.get(kind)
        rows = [] if frame is None else frame[list(table.columns)].values.tolist()
        keys = [_MONTHLY_KEYS.get(c) for c in table.columns]
        _sheet(wb, _sheet_name(table), _headers(table), rows, keys=keys)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# --------------------------------------------------------------------------- reading


def _blank(v: Any) -> bool:
    return (
        v is None
        or (isinstance(v, float) and math.isnan(v))
        or (isinstance(v, str) and not v.strip())
    )


def _yes(v: Any) -> bool:
    return str(v).strip().lower() in ("yes", "true", "1", "y")


def _number(v: Any) -> Any:
    if _blank(v):
        return None
    if isinstance(v, bool):
        return v
    try:
        return float(v)
    except (TypeError, ValueError):
        return v  # the scenario's validation names the field and the value


def _rows(book: dict[str, pd.DataFrame], sheet: str, need: list[str]) -> list[dict[str, Any]]:
    if sheet not in book:
        raise InputError(
            Problem(sheet, "sheet missing; a company workbook has the sheets " + ", ".join(SHEETS))
        )
    frame = book[sheet]
    missing = [c for c in need if c not in frame.columns]
    if missing:
        raise InputError(
            Problem(
                sheet,
                f"missing {noun(len(missing), 'column')} {', '.join(missing)}; "
                f"columns: {', '.join(need)}",
            )
        )
    frame = frame.astype(object).where(frame.notna(), None)
    return frame.to_dict("records")


def _frame(rows: list[tuple[Any, ...]]) -> pd.DataFrame:
    """A sheet's rows as a frame, the first row its header (empty trailing rows dropped)."""
    if not rows:
        return pd.DataFrame()
    body = [r for r in rows[1:] if any(not _blank(v) for v in r)]
    return pd.DataFrame(body, columns=[str(c) for c in rows[0]])


def read_workbook(data: bytes, name: str = "company.xlsx") -> Company:
    """The company in a workbook written by :func:`write_workbook` (or typed by hand in
    the same columns). Raises :class:`InputError` naming the sheet, row and column."""
    if len(data) > MAX_BYTES:
        raise InputError(Problem(name, f"is {len(data) / 1e6:.1f} MB; the limit is 20 MB"))
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        book = {ws.title: _frame(list(ws.values)) for ws in wb.worksheets}
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise InputError(
            Problem(name, f"cannot be read as an Excel workbook (.xlsx): {exc}")
        ) from None
    by_label = {label: k for k, label in FAMILY_FIELDS.items()}
    fam_rows = _rows(book, "Families", ["Family"])
    demand_rows = _rows(book, "Plan demand", ["Family", "Period", "Demand"])
    periods = list(dict.fromkeys(str(r["Period"]) for r in demand_rows))
    demand: dict[str, dict[str, Any]] = {}
    safety: dict[str, dict[str, Any]] = {}
    for r in demand_rows:
        demand.setdefault(str(r["Family"]), {})[str(r["Period"])] = _number(r["Demand"])
        if not _blank(r.get("Safety stock")):
            safety.setdefault(str(r["Family"]), {})[str(r["Period"])] = _number(r["Safety stock"])
    loads: dict[str, dict[str, Any]] = {}
    if "Resource hours" in book:  # optional: a workbook typed by hand may leave it out
        for r in _rows(book, "Resource hours", ["Family", "Resource", "Hours / unit"]):
            if not _blank(r["Family"]) and not _blank(r["Resource"]):
                loads.setdefault(str(r["Family"]), {})[str(r["Resource"])] = _number(
                    r["Hours / unit"]
                )
    families, aliases, confirmed = [], {}, {}
    for i, r in enumerate(fam_rows, start=2):
        fam = {by_label[c]: _number(v) for c, v in r.items() if c in by_label and c != "Family"}
        name_ = str(r["Family"] or "").strip()
        if not name_:
            raise InputError(Problem(f"Families row {i}", "the family name is blank"))
        fam = {k: v for k, v in fam.items() if v is not None}
        if "backorders_allowed" in fam:
            fam["backorders_allowed"] = _yes(r[FAMILY_FIELDS["backorders_allowed"]])
        fam["name"] = name_
        if name_ in loads:
            fam["resource_hours"] = loads[name_]
        fam["demand"] = [demand.get(name_, {}).get(p) for p in periods]
        if name_ in safety:
            fam["safety_stock"] = [safety[name_].get(p) for p in periods]
        elif not _blank(r.get("Safety stock")):
            fam["safety_stock"] = _number(r["Safety stock"])
        families.append(fam)
        aliases[name_] = [
            a.strip() for a in str(r.get("Names in histories") or "").split(";") if a.strip()
        ]
        confirmed[name_] = _blank(r.get("Values confirmed")) or _yes(r["Values confirmed"])
        for key, column in PORTFOLIO_COLUMNS.items():  # optional: older workbooks lack them
            if not _blank(r.get(column)):
                where = f"Families row {i}, {column}"
                fam[key] = (
                    _json_list(r[column], where)
                    if key.startswith("sku_")
                    else _json_cell(r[column], where)
                )
    wf_rows = _rows(book, "Workforce", ["Setting", "Value"])
    wf_by_label = {label: f for f, label, _ in WORKFORCE_FIELDS}
    workforce = {
        wf_by_label[str(r["Setting"])]: _number(r["Value"])
        for r in wf_rows
        if str(r["Setting"]) in wf_by_label
    }
    pol_rows = _rows(book, "Policy", ["Setting", "Value"])
    pol_by_label = {label: k for k, label in POLICY_FIELDS.items()}
    policy: dict[str, Any] = {}
    plan_name = "Scenario"
    forecast_model: str | None = None
    for r in pol_rows:
        label = str(r["Setting"])
        if label == "Plan name" and not _blank(r["Value"]):
            plan_name = str(r["Value"])
        elif label == "Forecast model" and not _blank(r["Value"]):
            forecast_model = _forecast_model(str(r["Value"]).strip())
        elif label in pol_by_label and not _blank(r["Value"]):
            key = pol_by_label[label]
            value = r["Value"]
            if key == "strategy":
                policy[key] = str(value)
            elif key == "frozen_periods":
                policy[key] = _number(value)
            else:
                policy[key] = _yes(value)
    extras: dict[str, Any] = {}
    if "More" in book:  # optional: a workbook typed by hand may leave it out
        by_label = {term(name).label: name for name in SCENARIO_SETTINGS}
        for i, r in enumerate(_rows(book, "More", ["Setting", "Value"]), start=2):
            name = by_label.get(str(r["Setting"]), str(r["Setting"]))  # label, or its key
            if name in SCENARIO_SETTINGS and not _blank(r["Value"]):
                try:
                    extras[name] = json.loads(str(r["Value"]))
                except json.JSONDecodeError as exc:
                    raise InputError(
                        Problem(f"More row {i}", f"Value is not valid JSON ({exc.msg})")
                    ) from None
    try:
        scenario = parse_scenario(
            {
                "name": plan_name,
                "periods": periods or None,
                "workforce": workforce,
                "families": families,
                "policy": policy,
                **extras,
            }
        )
    except InputError as exc:
        names = [f["name"] for f in families]
        problems = []
        for p in exc.problems:
            where = p.field
            for i, n in enumerate(names):
                where = where.replace(f"families[{i}]", f"Families {n!r}")
            problems.append(Problem(where.replace("workforce.", "Workforce "), p.message))
        raise InputError(problems) from None
    history = None
    hist_frame = book.get("History")
    if hist_frame is not None and len(hist_frame):
        from sop_core.demand.history import read_history

        history = read_history(
            hist_frame.to_csv(index=False).encode("utf-8"), filename="History.csv"
        )
    adj_rows = _rows(book, "Adjustments", list(_ADJ_HEADERS.values()))
    adjustments = pd.DataFrame(
        [
            {
                "family": r["Family"],
                "period": None if _blank(r["Period"]) else str(r["Period"]),
                "change": _number(r["Change"]),
                "unit": r["Unit"] or "%",
                "comment": r["Comment"] or "",
            }
            for r in adj_rows
            if not _blank(r["Family"])
        ],
        columns=list(ADJUSTMENT_FIELDS),
    )
    whatifs = {}
    for r in _rows(book, "What-ifs", ["What-if"]):
        if _blank(r["What-if"]):
            continue
        w = {
            k: (r.get(col) if k in ("strategy", "aim") else _number(r.get(col)))
            for k, col in WHATIF_COLUMNS.items()
        }
        names = {name: key for key, name in AIM_NAMES.items()}  # the sheet names it in words
        w["aim"] = names.get(str(w["aim"]), w["aim"]) if w["aim"] else None
        w["safety_months"] = w["safety_months"] or 0.0
        whatifs[str(r["What-if"])] = w
    tables = {}
    for kind, table in MONTHLY_TABLES.items():
        if _sheet_name(table) in book:  # optional: older workbooks have neither
            rows = _rows(book, _sheet_name(table), _headers(table))
            tables[kind] = _monthly(table, rows)
    return Company(
        scenario=scenario,
        history_names=aliases,
        confirmed=confirmed,
        history=history,
        history_name=name,
        adjustments=adjustments,
        whatifs=whatifs,
        tables=tables,
        forecast_model=forecast_model,
    )


def _forecast_model(name: str) -> str:
    from sop_core.demand.forecast import MODEL_CHOICES

    if name not in MODEL_CHOICES:
        raise InputError(
            Problem(
                "Policy Forecast model",
                f"unknown model {name!r}; models: {', '.join(dict.fromkeys(MODEL_CHOICES))}",
            )
        )
    return name


def _monthly(table: MonthlyTable, rows: list[dict[str, Any]]) -> pd.DataFrame:
    """A monthly sheet's rows, validated as its upload would be (rows numbered as in the
    sheet, messages naming the sheet)."""
    from sop_core.process.monthly import validate_monthly_table

    raw = pd.DataFrame([[r[h] for h in _headers(table)] for r in rows], columns=list(table.columns))
    try:
        return validate_monthly_table(raw, table.values, table.what) if len(raw) else raw
    except InputError as exc:
        raise InputError(
            [Problem(f"{_sheet_name(table)} {p.field}".strip(), p.message) for p in exc.problems]
        ) from None


def company_edits(state: WorkspaceState, company: Company) -> list[Edit]:
    """After :func:`~sop_core.process.workspace.seed_edits` of the scenario: the edits that add
    the family extras, the adjustments and the monthly tables of ``company`` to
    ``state``."""
    from sop_core.process.workspace import adjustment_edits

    edits = []
    for item in state.families:
        name = item.value["name"]
        names = sorted(company.history_names.get(name, []))
        if names != item.value.get("history_names", []):
            edits.append(
                Edit(
                    "family",
                    item.key,
                    item.value.get("history_names", []),
                    names,
                    field="history_names",
                )
            )
        if not company.confirmed.get(name, True):
            edits.append(Edit("family", item.key, False, True, field="needs_review"))
    edits += adjustment_edits(state, company.adjustments.assign(key=None))
    for kind, frame in company.tables.items():
        edits += monthly_edits(state, kind, frame)
    plan = state.value("plan") or {}
    if company.forecast_model and plan.get("forecast_model") != company.forecast_model:
        edits.append(
            Edit(
                "plan",
                "plan",
                plan.get("forecast_model"),
                company.forecast_model,
                field="forecast_model",
            )
        )
    return edits
