"""The monthly S&OP cycle: its five steps, who owns each, what a sign-off freezes.

S&OP is a monthly chain of reviews. Each company has one cycle per month ("2026-12
cycle"); its steps (:data:`STEPS`) go in order, each owned by a role
(:data:`sop_core.base.access.ROLES`) and signed off by someone with that step's right
(:data:`sop_core.base.access.ACTIONS`: ``signoff_demand``, …):

=========  =====================================  ==============  =======================
step       label                                  owner           its sign-off freezes
=========  =====================================  ==============  =======================
data       Data gathering                         demand planner  –
demand     Demand review                          demand planner  the consensus forecast
                                                                  and the statistical one
supply     Supply review                          supply planner  the recommended
                                                                  scenario versions
finance    Pre-meeting / financial reconciliation finance         –
executive  Executive meeting                      executive       the approved scenario:
                                                                  the cycle's plan
=========  =====================================  ==============  =======================

A step is ``open``, ``in_review`` (its owner is working on it) or ``signed_off`` (who and
when are kept; the database refuses to change it afterwards). A step cannot be signed
off before the one above it. What a sign-off freezes is a **snapshot**, kept as it was
whatever the workspace does later (:mod:`sop_core.store.cycles` writes them; the
database refuses to change them).

The **log** holds assumptions (text, owner, family) and decisions (what, decided by
whom, due date), each raised in one cycle and carried to every later cycle until
someone closes it.

This module holds the plain models and frames; :class:`sop_core.store.cycles.Cycles`
reads and writes them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Literal

import numpy as np
import pandas as pd

from sop_core.base.access import ROLES, Actor
from sop_core.base.errors import InputError, Problem
from sop_core.base.text import noun
from sop_core.process.workspace import WorkspaceState

StepStatus = Literal["open", "in_review", "signed_off"]
STATUS_WORDS: dict[str, str] = {
    "open": "open",
    "in_review": "in review",
    "signed_off": "signed off",
}


@dataclass(frozen=True)
class StepDef:
    """One step of every cycle: its key, words, owner role, right and snapshot."""

    key: str
    label: str
    role: str
    action: str  # the right to sign it off (sop_core.base.access.ACTIONS)
    freezes: str | None  # the snapshot kind its sign-off writes, if any


STEPS: tuple[StepDef, ...] = (
    StepDef("data", "Data gathering", "demand_planner", "signoff_data", None),
    StepDef("demand", "Demand review", "demand_planner", "signoff_demand", "consensus"),
    StepDef("supply", "Supply review", "supply_planner", "signoff_supply", "recommended"),
    StepDef(
        "finance",
        "Pre-meeting / financial reconciliation",
        "finance",
        "signoff_finance",
        None,
    ),
    StepDef("executive", "Executive meeting", "executive", "signoff_executive", "approved"),
)
STEP_KEYS: tuple[str, ...] = tuple(s.key for s in STEPS)


def step_def(key: str) -> StepDef:
    """The step called ``key``; :class:`InputError` lists the steps otherwise."""
    for s in STEPS:
        if s.key == key:
            return s
    raise InputError(Problem("step", f"unknown step {key!r}; the steps are {', '.join(STEP_KEYS)}"))


# --------------------------------------------------------------------------- months


_MONTH = re.compile(r"(\d{4})-(\d{2})")


def check_month(value: Any) -> str:
    """``value`` as a month ``YYYY-MM``; :class:`InputError` names the fix."""
    text = str(value).strip() if value is not None else ""
    m = _MONTH.fullmatch(text)
    if m is None or not 1 <= int(m.group(2)) <= 12:
        raise InputError(Problem("month", f"must be a month such as '2026-12', got {value!r}"))
    return text


def month_of(day: date | datetime | None = None) -> str:
    """The month of ``day`` (default: today, UTC) as ``YYYY-MM``."""
    day = day or datetime.now(UTC)
    return f"{day.year:04d}-{day.month:02d}"


def next_month(month: str) -> str:
    year, mon = (int(x) for x in check_month(month).split("-"))
    return f"{year + mon // 12:04d}-{mon % 12 + 1:02d}"


def previous_month(month: str) -> str:
    year, mon = (int(x) for x in check_month(month).split("-"))
    return f"{year - 1:04d}-12" if mon == 1 else f"{year:04d}-{mon - 1:02d}"


def cycle_label(month: str) -> str:
    return f"{month} cycle"


# --------------------------------------------------------------------------- models


@dataclass(frozen=True)
class Comment:
    step: str
    text: str
    author: str
    at: datetime


@dataclass(frozen=True)
class Step:
    """A step of one cycle as stored."""

    key: str
    label: str
    position: int
    owner_role: str
    status: StepStatus
    signed_off_by: str | None = None
    signed_off_at: datetime | None = None
    comments: tuple[Comment, ...] = ()

    @property
    def owner(self) -> str:
        return ROLES.get(self.owner_role, self.owner_role)

    @property
    def signed_off(self) -> bool:
        return self.status == "signed_off"


@dataclass(frozen=True)
class Snapshot:
    """What one sign-off froze (see the module docstring for the kinds)."""

    step: str
    kind: str
    content: dict[str, Any]
    taken_by: str
    taken_at: datetime


@dataclass(frozen=True)
class LogEntry:
    """An assumption or a decision; ``raised`` is the month of the cycle it was raised in."""

    id: int
    kind: Literal["assumption", "decision"]
    text: str
    owner: str
    family: str | None
    due: date | None
    status: Literal["open", "closed"]
    raised: str
    created_by: str
    created_at: datetime
    closed_by: str | None = None
    closed_at: datetime | None = None
    closed_month: str | None = None


@dataclass(frozen=True)
class Cycle:
    """A company's cycle for one month: its steps, snapshots and log."""

    company: str
    month: str
    created_by: str
    created_at: datetime
    steps: tuple[Step, ...]
    snapshots: tuple[Snapshot, ...] = ()
    log: tuple[LogEntry, ...] = field(default_factory=tuple)

    @property
    def label(self) -> str:
        return cycle_label(self.month)

    def step(self, key: str) -> Step:
        step_def(key)
        return next(s for s in self.steps if s.key == key)

    @property
    def next_step(self) -> Step | None:
        """The first step not signed off yet (``None``: the cycle is complete)."""
        return next((s for s in self.steps if not s.signed_off), None)

    @property
    def complete(self) -> bool:
        return self.next_step is None

    def snapshot(self, kind: str) -> Snapshot | None:
        """The newest snapshot of ``kind`` (``consensus``, ``recommended``, ``approved``)."""
        found = [s for s in self.snapshots if s.kind == kind]
        return found[-1] if found else None

    @property
    def plan(self) -> tuple[str, int] | None:
        """The cycle's plan: the scenario name and version the executive step approved."""
        snap = self.snapshot("approved")
        if snap is None:
            return None
        return str(snap.content["name"]), int(snap.content["version"])

    @property
    def recommended(self) -> list[tuple[str, int]]:
        """The scenario versions the supply review recommended (empty before)."""
        snap = self.snapshot("recommended")
        if snap is None:
            return []
        return [(str(s["name"]), int(s["version"])) for s in snap.content["scenarios"]]

    def consensus(self) -> pd.DataFrame:
        """The frozen consensus forecast (:func:`consensus_frame`; empty before the
        demand review is signed off)."""
        snap = self.snapshot("consensus")
        return consensus_frame(snap.content if snap is not None else None)

    def why_not_sign_off(self, key: str) -> str | None:
        """``None`` when step ``key`` may be signed off now (rights aside), else why."""
        step = self.step(key)
        if step.signed_off:
            who = step.signed_off_by or "someone"
            when = f" at {_when(step.signed_off_at)}" if step.signed_off_at else ""
            return f"{step.label} was signed off by {who}{when}; a sign-off is final."
        for before in self.steps[: step.position - 1]:
            if not before.signed_off:
                return (
                    f"{step.label} cannot be signed off before {before.label.lower()} is "
                    f"signed off (the {before.owner}'s step)."
                )
        return None


def _when(dt: datetime) -> str:
    dt = dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)
    return dt.strftime("%Y-%m-%d %H:%M UTC")


# --------------------------------------------------------------------------- snapshots


STATISTICAL_COLUMNS: tuple[str, ...] = ("family", "period", "forecast")


def _shown(value: Any) -> str:
    """A cell's value as a person reads it: ``-5.0``, ``'abc'``, ``None``."""
    return repr(value.item() if isinstance(value, np.generic) else value)


def check_statistical(statistical: pd.DataFrame) -> pd.Series:
    """A statistical forecast (columns :data:`STATISTICAL_COLUMNS`: family, period label
    as the plan names it, forecast in units; SKU rows are summed) as units per
    (family, period). :class:`InputError` names a missing column or a value that is not
    a finite number ≥ 0, with its family and period."""
    missing = [c for c in STATISTICAL_COLUMNS if c not in statistical.columns]
    if missing:
        raise InputError(
            Problem(
                "statistical",
                f"missing {noun(len(missing), 'column')} {', '.join(missing)}; "
                f"needs {', '.join(STATISTICAL_COLUMNS)}",
            )
        )
    values = pd.to_numeric(statistical["forecast"], errors="coerce")
    ok = values.notna() & np.isfinite(values) & (values >= 0)
    if not ok.all():
        row = statistical.loc[~ok].iloc[0]
        raise InputError(
            Problem(
                "statistical.forecast",
                f"must be a number ≥ 0, got {_shown(row['forecast'])} for {row['family']} in "
                f"{row['period']}",
            )
        )
    return (
        statistical.assign(
            forecast=values,
            family=statistical["family"].astype(str),
            period=statistical["period"].astype(str),
        )
        .groupby(["family", "period"], sort=False)["forecast"]
        .sum()
    )


def statistical_by_family(
    statistical: pd.DataFrame | None, periods: list[str]
) -> dict[str, list[float | None]]:
    """The statistical forecast (:func:`check_statistical`) as one list per family
    aligned with ``periods`` (``None`` where it has no value); periods outside
    ``periods`` are left out."""
    if statistical is None:
        return {}
    totals = check_statistical(statistical)
    out: dict[str, list[float | None]] = {}
    for family, by_period in totals.groupby(level="family", sort=False):
        known = {p: float(v) for (_, p), v in by_period.items()}
        out[str(family)] = [known.get(p) for p in periods]
    return out


def consensus_content(
    state: WorkspaceState, statistical: pd.DataFrame | None = None
) -> dict[str, Any]:
    """What the demand sign-off freezes, at the workspace's revision::

        {"periods": ["2027-01", …],            # the plan's period labels
         "families": [{"name": "Garden tools",
                       "demand": [1600.0, …],   # the consensus: the plan's demand
                       "statistical": [1500.0, None, …]},  # optional, see below
                      …],
         "revision": 42}

    ``statistical`` (:func:`statistical_by_family`: family, period, forecast) is the
    model's forecast before the consensus adjustments, as the Demand page computes it
    from the company's history; each family it covers gets a ``statistical`` list
    aligned with ``periods`` (``null`` for a period it has no value for). Snapshots
    frozen before the statistical forecast was kept have no ``statistical`` key.
    :class:`InputError` when the company cannot be planned yet."""
    scenario = state.scenario()
    periods = list(scenario.period_labels)
    stat = statistical_by_family(statistical, periods)
    families = []
    for f in scenario.families:
        entry: dict[str, Any] = {"name": f.name, "demand": [float(d) for d in f.demand]}
        if f.name in stat:
            entry["statistical"] = stat[f.name]
        families.append(entry)
    return {"periods": periods, "families": families, "revision": state.revision}


CONSENSUS_COLUMNS: tuple[str, ...] = ("family", "period", "position", "units", "statistical")


def consensus_frame(content: dict[str, Any] | None) -> pd.DataFrame:
    """A consensus snapshot as a long frame, one row per family and period:

    ===========  ===============================================================
    family       the family's name when frozen
    period       the period label ("Jan", "2027-01", …)
    position     1, 2, … the period's place in the horizon
    units        the consensus demand frozen for it (float)
    statistical  the statistical forecast frozen with it (float; NaN for a family
                 or period without one, and for snapshots older than this column)
    ===========  ===============================================================
    """
    rows = []
    if content:
        periods = list(content["periods"])
        for fam in content["families"]:
            stat = fam.get("statistical") or [None] * len(periods)
            for i, (period, units, s) in enumerate(zip(periods, fam["demand"], stat, strict=True)):
                rows.append(
                    {
                        "family": fam["name"],
                        "period": period,
                        "position": i + 1,
                        "units": units,
                        "statistical": np.nan if s is None else s,
                    }
                )
    frame = pd.DataFrame(rows, columns=list(CONSENSUS_COLUMNS))
    frame["units"] = frame["units"].astype("float64")
    frame["statistical"] = frame["statistical"].astype("float64")
    frame["position"] = frame["position"].astype("int64")
    return frame


# --------------------------------------------------------------------------- frames


STEP_COLUMNS: tuple[str, ...] = (
    "position",
    "step",
    "label",
    "owner",
    "status",
    "signed_off_by",
    "signed_off_at",
    "waiting_for",
    "yours",
    "comments",
)


def steps_frame(cycle: Cycle, actor: Actor | None = None) -> pd.DataFrame:
    """Where ``cycle`` stands, one row per step, in order:

    =============  ================================================================
    position       1–5
    step           the step's key (``data``, ``demand``, …)
    label          its name ("Demand review")
    owner          the role that owns it, in words
    status         open, in review or signed off (words)
    signed_off_by  who signed it off ("" until then)
    signed_off_at  when (UTC; NaT until then)
    waiting_for    "" when signed off; else whom it waits for: the owner ("the
                   supply planner") when it is next, or the step before it
    yours          ``actor`` may sign it off and it is the next step
    comments       the number of comments on it
    =============  ================================================================
    """
    nxt = cycle.next_step
    rows = []
    for s in cycle.steps:
        d = step_def(s.key)
        if s.signed_off:
            waiting = ""
        elif nxt is not None and s.key == nxt.key:
            waiting = f"the {s.owner}"
        else:
            waiting = f"{nxt.label.lower()} first" if nxt is not None else ""
        rows.append(
            {
                "position": s.position,
                "step": s.key,
                "label": s.label,
                "owner": s.owner,
                "status": STATUS_WORDS[s.status],
                "signed_off_by": s.signed_off_by or "",
                "signed_off_at": s.signed_off_at,
                "waiting_for": waiting,
                "yours": bool(
                    actor is not None
                    and nxt is not None
                    and s.key == nxt.key
                    and actor.may(d.action)
                ),
                "comments": len(s.comments),
            }
        )
    frame = pd.DataFrame(rows, columns=list(STEP_COLUMNS))
    frame["signed_off_at"] = pd.to_datetime(frame["signed_off_at"], utc=True)
    return frame


def pending_for(cycle: Cycle, actor: Actor) -> list[Step]:
    """The steps not signed off that ``actor`` owns (may sign off), in order: the
    person's own to-do list for this cycle."""
    return [s for s in cycle.steps if not s.signed_off and actor.may(step_def(s.key).action)]


LOG_COLUMNS: tuple[str, ...] = (
    "id",
    "kind",
    "text",
    "owner",
    "family",
    "due",
    "status",
    "raised",
    "carried",
    "closed_by",
    "closed_month",
)


def log_frame(cycle: Cycle) -> pd.DataFrame:
    """The cycle's assumptions and decisions, open ones first, then by id:

    ============  ==========================================================
    id            the entry's id (to close it)
    kind          assumption or decision
    text          the assumption, or what was decided
    owner         an assumption's owner; who took a decision
    family        the family it concerns ("" for all)
    due           a decision's due date (None if none)
    status        open or closed
    raised        the month of the cycle it was raised in
    carried       raised in an earlier cycle and carried into this one
    closed_by     who closed it ("" while open)
    closed_month  the cycle it was closed in ("" while open)
    ============  ==========================================================
    """
    entries = sorted(cycle.log, key=lambda e: (e.status != "open", e.id))
    rows = [
        {
            "id": e.id,
            "kind": e.kind,
            "text": e.text,
            "owner": e.owner,
            "family": e.family or "",
            "due": e.due,
            "status": e.status,
            "raised": e.raised,
            "carried": e.raised < cycle.month,
            "closed_by": e.closed_by or "",
            "closed_month": e.closed_month or "",
        }
        for e in entries
    ]
    frame = pd.DataFrame(rows, columns=list(LOG_COLUMNS))
    frame["id"] = frame["id"].astype("int64")
    frame["carried"] = frame["carried"].astype(bool)
    return frame
