"""A company's plans on their way out of the workbench: the plan's rows for a file or
another system's database, and the weekly SKU schedule of the plan.

The rows keep the fields' keys and exact values (a program reads them; a person reads the
plan on the pages, in the meeting pack or with ``plans show``). Nothing here changes the
store, so nothing is audited and reading is everyone's right; :func:`push_rows` writes
to *another* database, in one transaction there: all the rows or none.

- :func:`plan_rows`      the approved plan (or the plan as it stands): family × period
  production, subcontracting, inventory and backlog, with the period's workforce
- :func:`schedule_rows`  the weekly SKU schedule of that plan, from the company's stored
  sales history
- :func:`push_rows`      rows written to a table of a database given by its URL
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd
from pandas.errors import DatabaseError
from sqlalchemy import create_engine, event, inspect
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

from sop_core.base.errors import InputError, Problem
from sop_core.schedule.demand import sku_demand_from_history
from sop_core.schedule.weekly import Schedule, schedule
from sop_core.schedule.weeks import fence_weeks
from sop_core.services.companies import company_history, company_state
from sop_core.services.plans import CompanyPlan, approved_company_plan, company_plan
from sop_core.services.workbench import Workbench
from sop_core.store.session import safe_url

#: the plan's rows: which plan, then one row per family and period with its period's
#: workforce alongside (field keys of :mod:`sop_core.base.fields`)
PLAN_ROW_COLUMNS: tuple[str, ...] = (
    "scenario",
    "version",
    "period",
    "family",
    "demand",
    "production",
    "subcontract",
    "inventory",
    "backorder",
    "workforce",
    "hires",
    "layoffs",
    "overtime_hours",
)
#: the schedule's rows: which plan, then one row per SKU and week
#: (:data:`sop_core.schedule.tables.WEEK_COLUMNS`)
SCHEDULE_ROW_COLUMNS: tuple[str, ...] = (
    "scenario",
    "version",
    "family",
    "sku",
    "week",
    "days",
    "demand",
    "made",
    "bought",
    "stock",
    "safety_stock",
    "shortfall",
    "cover_weeks",
    "firm",
)
IfExists = Literal["fail", "replace", "append"]
IF_EXISTS: tuple[str, ...] = ("fail", "replace", "append")
_TABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")


@dataclass(frozen=True)
class PlanRows:
    """A company's plan and its rows (empty when the plan is not feasible)."""

    plan: CompanyPlan
    rows: pd.DataFrame  #: columns :data:`PLAN_ROW_COLUMNS`


@dataclass(frozen=True)
class ScheduleRows:
    """A company's plan, its weekly SKU schedule and the schedule's rows."""

    plan: CompanyPlan
    schedule: Schedule | None  #: None when the plan is not feasible
    rows: pd.DataFrame  #: columns :data:`SCHEDULE_ROW_COLUMNS`
    history_name: str  #: the sales history the SKU mix came from


# --------------------------------------------------------------------------- the rows


def _which(plan: CompanyPlan, frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    """``frame`` with the plan's scenario name and stored version in front (the version
    missing for a plan that is not a stored version), columns in ``columns`` order."""
    version = plan.stored.version if plan.stored is not None else None
    out = frame.assign(
        scenario=plan.scenario.name,
        version=pd.array([version] * len(frame), dtype="Int64"),
    )
    return out[list(columns)].reset_index(drop=True)


def chosen_plan(wb: Workbench, company: str, *, approved: bool = True) -> CompanyPlan:
    """The company's approved plan (:func:`~sop_core.services.plans.approved_company_plan`,
    refused when there is none) or, with ``approved=False``, its plan as it stands inside
    the time fence (:func:`~sop_core.services.plans.company_plan`)."""
    return approved_company_plan(wb, company) if approved else company_plan(wb, company)


def plan_rows(wb: Workbench, company: str, *, approved: bool = True) -> PlanRows:
    """The rows of the company's approved plan (``approved=False``: of its plan as it
    stands): one per family and period with demand, production, subcontracting, end
    inventory and backlog [units], and the period's workforce, hires and layoffs
    [workers] and overtime [hours]; exact values. No rows when the plan is not feasible
    (its ``result`` says why)."""
    plan = chosen_plan(wb, company, approved=approved)
    result = plan.result
    if not result.optimal:
        return PlanRows(plan, pd.DataFrame(columns=list(PLAN_ROW_COLUMNS)))
    periods = result.periods[["period", "workforce", "hires", "layoffs", "overtime_hours"]]
    merged = result.families.merge(periods, on="period", how="left", sort=False)
    return PlanRows(plan, _which(plan, merged, PLAN_ROW_COLUMNS))


def schedule_rows(
    wb: Workbench,
    company: str,
    *,
    approved: bool = True,
    model: str = "naive",
    method: str = "runout",
    start: str | None = None,
    firm_weeks: int | None = None,
) -> ScheduleRows:
    """The weekly SKU schedule of the company's approved plan (``approved=False``: of its
    plan as it stands): each family's production split over its SKUs by their mix in the
    company's stored sales history (forecast with ``model``), week by week
    (:func:`sop_core.schedule.weekly.schedule`, ``method`` runout or proportional).
    ``start``: the plan's first month (YYYY-MM) when its periods are not months;
    ``firm_weeks``: weeks inside the time fence (default: those of the plan's
    ``policy.frozen_periods``). Refused when the company has no sales history, or one
    without SKUs; no rows when the plan is not feasible."""
    plan = chosen_plan(wb, company, approved=approved)
    state = company_state(wb, company)
    history = company_history(wb, state)
    if history is None:
        raise InputError(
            Problem(
                "history",
                f"{company!r} has no sales history; upload one with a sku column "
                "(period, family, sku, demand) to schedule its SKUs",
            )
        )
    name = str((state.history_upload or {}).get("name", ""))
    if not plan.result.optimal:
        return ScheduleRows(plan, None, pd.DataFrame(columns=list(SCHEDULE_ROW_COLUMNS)), name)
    if firm_weeks is None:
        firm_weeks = fence_weeks(plan.scenario, start)
    demand = sku_demand_from_history(
        plan.scenario, state.planned_history(history), model=model, start=start
    )
    made = schedule(
        plan.result,
        plan.scenario,
        demand,
        firm_weeks=firm_weeks,
        method=method,  # type: ignore[arg-type]
        start=start,
    )
    return ScheduleRows(plan, made, _which(plan, made.weeks, SCHEDULE_ROW_COLUMNS), name)


# --------------------------------------------------------------------------- another database


def masked(url: str) -> str:
    """``url`` for a message: its password masked, even when it does not parse."""
    shown = safe_url(url)
    if shown != "<not a URL>":
        return shown
    return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", url)


def _reason(exc: BaseException, url: str) -> str:
    """The database's own words for what failed (first line), without the password."""
    while getattr(exc, "orig", None) is None and exc.__cause__ is not None:
        exc = exc.__cause__  # pandas wraps the database's error in its own
    orig = getattr(exc, "orig", None) or exc
    text = (str(orig).strip().splitlines() or [type(orig).__name__])[0]
    password = _password(url)
    return text.replace(password, "***") if password else text


def _password(url: str) -> str | None:
    try:
        return make_url(url).password
    except ArgumentError:
        return None


def _table_name(table: str) -> tuple[str | None, str]:
    """``table`` or ``schema.table`` as (schema, name); refused (field ``table``) unless
    each part is a plain SQL name."""
    parts = table.strip().split(".")
    if len(parts) > 2 or not all(_TABLE.fullmatch(p) for p in parts):
        raise InputError(
            Problem(
                "table",
                f"{table!r} is not a table name; use letters, digits and _ (not first), "
                "at most 63, optionally after a schema and a dot, e.g. 'sop_plan' or "
                "'planning.sop_plan'",
            )
        )
    return (parts[0], parts[1]) if len(parts) == 2 else (None, parts[0])


def _target_engine(url: str) -> Engine:
    """An engine on ``url`` whose transactions hold DDL too (SQLite: pysqlite's own
    transaction handling off, BEGIN at the start); refused (field ``to``) when ``url``
    is not a database URL or names a driver not installed."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise InputError(
            Problem(
                "to",
                f"{masked(url)!r} is not a database URL; use e.g. "
                "'postgresql+psycopg://user:password@host:5432/dbname' or "
                "'sqlite:///exports.sqlite'",
            )
        ) from None
    try:
        engine = create_engine(parsed)
    except (NoSuchModuleError, ImportError) as exc:
        raise InputError(
            Problem(
                "to",
                f"{masked(url)}: no driver for it here ({_reason(exc, url)}); use "
                "'postgresql+psycopg://…' or 'sqlite:///…'",
            )
        ) from None
    if parsed.get_backend_name() == "sqlite":

        @event.listens_for(engine, "connect")
        def _no_pysqlite_transactions(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None

        @event.listens_for(engine, "begin")
        def _begin(connection: Any) -> None:
            connection.exec_driver_sql("BEGIN")

    return engine


def _sql_ready(rows: pd.DataFrame) -> pd.DataFrame:
    """``rows`` as a database takes them: text columns as objects, ±inf (endless cover)
    as missing."""
    out = rows.copy()
    for col in out.columns:
        if pd.api.types.is_float_dtype(out[col]):
            out[col] = out[col].astype("float64").replace([math.inf, -math.inf], math.nan)
        elif pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].astype(object)
    return out


def push_rows(rows: pd.DataFrame, url: str, table: str, *, if_exists: IfExists = "fail") -> int:
    """Write ``rows`` to ``table`` (``schema.table`` allowed) of the database at ``url``
    in one transaction there: all of them or, on any failure, nothing. ``if_exists``:
    ``fail`` refuses a table that exists, ``replace`` drops and recreates it, ``append``
    adds the rows to it. Returns how many rows were written. Refused, naming the field
    (``to``, ``table`` or ``if_exists``) with the URL's password masked, when the URL is
    not a database's, the database does not answer or the write fails."""
    if if_exists not in IF_EXISTS:
        raise InputError(
            Problem("if_exists", f"must be one of {', '.join(IF_EXISTS)}, got {if_exists!r}")
        )
    schema, name = _table_name(table)
    engine = _target_engine(url)
    where = masked(url)
    try:
        try:
            conn = engine.connect()
        except SQLAlchemyError as exc:
            raise InputError(
                Problem(
                    "to",
                    f"cannot connect to {where}: {_reason(exc, url)}; check the URL and "
                    "that the database is running",
                )
            ) from None
        with conn:
            _write(conn, _sql_ready(rows), schema, name, table, if_exists, where, url)
    finally:
        engine.dispose()
    return len(rows)


def _write(
    conn: Any,
    rows: pd.DataFrame,
    schema: str | None,
    name: str,
    table: str,
    if_exists: IfExists,
    where: str,
    url: str,
) -> None:
    """The one transaction of :func:`push_rows`."""
    try:
        with conn.begin():
            if if_exists == "fail" and inspect(conn).has_table(name, schema=schema):
                raise InputError(
                    Problem(
                        "if_exists",
                        f"table {table!r} already exists in {where}; replace it, append "
                        "to it or give another table",
                    )
                )
            rows.to_sql(name, conn, schema=schema, if_exists=if_exists, index=False)
    except InputError:
        raise
    except (SQLAlchemyError, DatabaseError, ValueError) as exc:
        raise InputError(
            Problem(
                "table",
                f"cannot write {len(rows):,} rows to {table!r} in {where}: "
                f"{_reason(exc, url)}; nothing was written",
            )
        ) from None
