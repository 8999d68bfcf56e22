"""Plan downloads: the tables a planner opens in a spreadsheet, as CSV and Excel bytes.

- Readable headers ("Production (units)", not ``production``), numbers rounded to
  cents/hundredths and whole numbers written whole (18480, not 18480.000000000004).
- A "What-if" block (CSV: the first rows; Excel: the first sheet) listing the scenario,
  the what-if and every lever setting, so a file says which plan it holds.
- Every text cell that a spreadsheet would run as a formula (starting with ``=``, ``+``,
  ``-``, ``@``, a tab or a carriage return) is prefixed with ``'`` (OWASP's rule against
  CSV/formula injection): family names, period labels, scenario names come from users.
- One file name per what-if: the scenario's name and the what-if's description.

The pages only wire these to download buttons.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from sop_core.base.fields import header, label
from sop_core.base.text import FORMULA_STARTS, neutralise, neutralise_frame
from sop_core.engine.planner import (
    COST_CATEGORIES,
    FAMILY_COLUMNS,
    KPI_LABELS,
    PERIOD_COLUMNS,
    PlanResult,
)
from sop_core.model.scenario import Scenario

__all__ = ["FORMULA_STARTS", "neutralise", "neutralise_frame"]  # re-exported: cells

#: Column headers of the downloads, from the one vocabulary (:mod:`sop_core.base.fields`).
PERIOD_HEADERS: dict[str, str] = {k: header(k) for k in PERIOD_COLUMNS}
FAMILY_HEADERS: dict[str, str] = {k: header(k) for k in FAMILY_COLUMNS}
COST_LABELS: dict[str, str] = {k: label(k) for k in COST_CATEGORIES}
DECIMALS = 2


# --------------------------------------------------------------------------- cells


def rounded(frame: pd.DataFrame, decimals: int = DECIMALS) -> pd.DataFrame:
    """Numbers rounded to ``decimals``; columns of whole numbers become integers."""
    out = frame.copy()
    for col in out.columns:
        if not pd.api.types.is_float_dtype(out[col]):
            continue
        values = out[col].round(decimals) + 0.0  # + 0.0 turns -0.0 into 0.0
        whole = values.dropna()
        if len(whole) and bool((whole == np.round(whole)).all()) and whole.abs().max() < 2**53:
            out[col] = values.astype("Int64")
        else:
            out[col] = values
    return out


# --------------------------------------------------------------------------- tables


def plan_table(result: PlanResult) -> pd.DataFrame:
    """The plan as one readable table: per family and period, with the period's labour.

    Headers from :data:`FAMILY_HEADERS` and :data:`PERIOD_HEADERS`; numbers rounded."""
    fam = result.families.rename(columns=FAMILY_HEADERS)
    per = result.periods.drop(columns=["labour_hour_value"]).rename(columns=PERIOD_HEADERS)
    return rounded(fam.merge(per, on="Period", how="left", sort=False))


def whatif_settings(
    scenario: Scenario, description: str, levers: Mapping[str, Any] | None = None
) -> pd.DataFrame:
    """The what-if block: columns Setting, Value; one row per lever in effect.

    ``scenario`` is the what-if's scenario (levers applied); ``levers`` adds settings
    the scenario cannot tell back, e.g. ``{"Safety stock": "1.5 months of cover"}``."""
    wf, pol = scenario.workforce, scenario.policy

    def limit(x: float | None, unit: str) -> str:
        return "no limit" if x is None or not math.isfinite(x) else f"{x:g} {unit}"

    rows: list[tuple[str, Any]] = [
        ("Scenario", scenario.name),
        ("What-if", description),
        ("Strategy", pol.strategy),
        ("Whole workers (integer workforce)", "yes" if pol.integer_workforce else "no"),
        ("Max overtime", limit(wf.max_overtime_hours_per_worker, "h per worker per period")),
        ("Min workers", limit(wf.min_workers, "workers")),
        ("Max workers", limit(wf.max_workers, "workers")),
        ("Periods", f"{scenario.period_labels[0]} – {scenario.period_labels[-1]}"),
        ("Families", ", ".join(scenario.family_names)),
    ]
    rows += [(str(k), v) for k, v in (levers or {}).items()]
    return pd.DataFrame(rows, columns=["Setting", "Value"], dtype=object)


def kpi_table(result: PlanResult) -> pd.DataFrame:
    rows = [(KPI_LABELS.get(k, k), v) for k, v in result.kpis.items() if v is not None]
    return rounded(pd.DataFrame(rows, columns=["KPI", "Value"]))


def cost_table(result: PlanResult) -> pd.DataFrame:
    return rounded(
        pd.DataFrame(
            {
                "Category": [COST_LABELS.get(k, k) for k in result.cost_breakdown],
                "Cost ($)": [float(v) for v in result.cost_breakdown.values()],
            }
        )
    )


# --------------------------------------------------------------------------- files


def plan_csv(result: PlanResult, settings: pd.DataFrame | None = None) -> bytes:
    """CSV bytes (UTF-8 with BOM, so that Excel reads the accents): the what-if block,
    a blank line, then :func:`plan_table`."""
    buf = io.StringIO()
    if settings is not None:
        neutralise_frame(settings).to_csv(buf, index=False, lineterminator="\n")
        buf.write("\n")
    neutralise_frame(plan_table(result)).to_csv(buf, index=False, lineterminator="\n")
    return buf.getvalue().encode("utf-8-sig")


def plan_excel(result: PlanResult, settings: pd.DataFrame | None = None) -> bytes:
    """An Excel workbook: What-if, KPIs, Costs, Plan, Periods, Families sheets."""
    sheets = {
        "What-if": settings,
        "KPIs": kpi_table(result),
        "Costs": cost_table(result),
        "Plan": plan_table(result),
        "Periods": rounded(result.periods.rename(columns=PERIOD_HEADERS)),
        "Families": rounded(result.families.rename(columns=FAMILY_HEADERS)),
    }
    return frames_excel(sheets)


def frames_excel(sheets: Mapping[str, pd.DataFrame | None]) -> bytes:
    """An Excel workbook with one sheet per frame (``None``: no sheet), text cells
    neutralised (:func:`sop_core.base.text.neutralise`), times as naive UTC."""
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xl:
        for name, frame in sheets.items():
            if frame is None:
                continue
            frame = frame.copy()
            for col in frame.columns:
                if isinstance(frame[col].dtype, pd.DatetimeTZDtype):
                    frame[col] = frame[col].dt.tz_convert("UTC").dt.tz_localize(None)
            neutralise_frame(frame).to_excel(xl, sheet_name=name, index=False)
            widths = [max(len(str(c)), 8) + 2 for c in frame.columns]
            for i, width in enumerate(widths):
                xl.sheets[name].column_dimensions[_column_letter(i)].width = min(width, 40)
    return buf.getvalue()


def frame_csv(frame: pd.DataFrame) -> bytes:
    """``frame`` as UTF-8 CSV with a byte-order mark (Excel reads the accents), text
    cells neutralised."""
    return neutralise_frame(frame).to_csv(index=False, lineterminator="\n").encode("utf-8-sig")


def _column_letter(i: int) -> str:
    letters = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        letters = chr(65 + r) + letters
    return letters


def slug(text: str, limit: int = 60) -> str:
    """A file-name-safe slug: "overtime ≤ 15 h/worker" → "overtime_max_15_h_worker"."""
    text = text.lower().replace("≤", " max ").replace("≥", " min ")
    text = re.sub(r"[^a-z0-9.]+", "_", text)
    text = re.sub(r"(?<![0-9])\.|\.(?![0-9])", "_", text)  # keep dots inside numbers only
    return re.sub(r"_+", "_", text).strip("_")[:limit].strip("_")


def file_stem(scenario_name: str, description: str) -> str:
    """One stem per what-if: ``red_tomato_tools__overtime_max_15_h_worker_plan``."""
    name = slug(scenario_name, 40) or "scenario"
    what = slug(description, 60) or "plan"
    return f"{name}__{what}_plan"
