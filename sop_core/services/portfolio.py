"""The portfolio: launches and phase-outs, product development's actions.

Each writing function is one user action: it checks the ``portfolio`` right (a product
developer's; :mod:`sop_core.base.access`), runs in one transaction, saves its edit of the
company's families through :func:`~sop_core.services.companies.edit_company` (logged,
audited, undoable) and, when the company has a cycle this month, logs the launch's or
phase-out's assumptions in that cycle's assumption log, in the same transaction. Every
refusal names the field by its label, the value and the fix.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd
from pydantic import ValidationError

from sop_core.base.access import Actor, as_actor, require
from sop_core.base.errors import InputError, Problem
from sop_core.base.fields import label
from sop_core.base.limits import MAX_TEXT_CHARS
from sop_core.model.portfolio import planned_demand
from sop_core.model.scenario import Launch, PhaseOut
from sop_core.process.portfolio import (
    demand_effects,
    launch_item,
    launch_words,
    phase_out_words,
    portfolio_table,
)
from sop_core.process.workspace import Edit, WorkspaceState, remove_family_edits
from sop_core.services.companies import company_state, edit_company
from sop_core.services.cycles import current_cycle
from sop_core.services.workbench import Workbench


@dataclass(frozen=True)
class PortfolioChange:
    """What a portfolio action returns: the company's new state, the edits saved, the
    sentence it said and the assumption logged (its number), if a cycle was open."""

    state: WorkspaceState
    edits: list[Edit]
    said: str
    assumption: int | None


def portfolio(wb: Workbench, company: str) -> pd.DataFrame:
    """The company's launches and phase-outs (:func:`~sop_core.process.portfolio.
    portfolio_table`), for the demand review, the Cycle page and the command line."""
    return portfolio_table(company_state(wb, company).scenario())


def portfolio_effects(wb: Workbench, company: str) -> pd.DataFrame:
    """Where launches and phase-outs change a family's demand: consensus against the
    demand the plan meets, per family and period."""
    scenario = company_state(wb, company).scenario()
    return demand_effects(scenario, planned_demand(scenario))


def _family(state: WorkspaceState, name: str, where: str = "family") -> str:
    key = state.family_key(str(name).strip())
    if key is None:
        known = ", ".join(state.family_names) or "none yet"
        raise InputError(Problem(where, f"{name!r} is not a family (families: {known})"))
    return key


def _period(state: WorkspaceState, value: str, where: str) -> str:
    labels = state.scenario().period_labels
    value = str(value).strip()
    if value not in labels:
        shown = ", ".join(labels[:3]) + (f" … {labels[-1]}" if len(labels) > 3 else "")
        raise InputError(
            Problem(where, f"{value!r} is not a period of the plan; pick one of {shown}")
        )
    return value


def _model(cls: type, data: dict, what: str) -> object:
    """``cls`` from ``data``; its validation errors as problems named by label."""
    try:
        return cls.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            key = f"{what}.{err['loc'][0]}" if err["loc"] else what
            problems.append(Problem(label(key), f"{err['msg'].lower()}, got {err['input']!r}"))
        raise InputError(problems) from None


def _log(
    wb: Workbench, company: str, text: str, family: str, actor: Actor, today: date | None
) -> int | None:
    cycle = current_cycle(wb, company, today)
    if cycle is None:
        return None
    return wb.cycles.add_assumption(
        company, cycle.month, text, owner=actor.name, family=family, author=actor
    )


def add_launch(
    wb: Workbench,
    company: str,
    name: str,
    *,
    start: str,
    like: str,
    volume: float | None = None,
    factor: float | None = None,
    ramp_months: int = 1,
    ramp_shares: Sequence[float] | None = None,
    cannibalise: str | None = None,
    cannibalise_share: float = 0.0,
    author: str | Actor,
    today: date | None = None,
) -> PortfolioChange:
    """Add launch ``name``: a new family selling from ``start`` like family ``like``,
    scaled to ``volume`` units in its first 12 months or by ``factor``, ramped up over
    ``ramp_months`` (or by ``ramp_shares``), taking ``cannibalise_share`` of its demand
    from ``cannibalise``; its assumptions go to this month's cycle log."""
    actor = as_actor(author)
    require(actor, "portfolio")
    name = str(name).strip()
    if not name:
        raise InputError(Problem(label("name"), "the launch's name is blank; type a name"))
    if len(name) > MAX_TEXT_CHARS:
        raise InputError(
            Problem(label("name"), f"must be at most {MAX_TEXT_CHARS} characters, got {len(name)}")
        )
    if (volume is None) == (factor is None):
        raise InputError(
            Problem(
                label("launch.volume"),
                "give the units of its first 12 months or a factor on the like-family, one of them",
            )
        )
    with wb.store.transaction():
        state = company_state(wb, company)
        if state.family_key(name) is not None:
            raise InputError(
                Problem(label("name"), f"{name!r} is a family of {company} already; pick another")
            )
        data = {
            "start": _period(state, start, label("launch.start")),
            "like": state.value("family", _family(state, like, label("launch.like")))["name"],  # type: ignore[index]
            "volume": volume,
            "factor": factor,
            "ramp_months": ramp_months,
            "ramp_shares": list(ramp_shares) if ramp_shares else None,
            "cannibalise": None,
            "cannibalise_share": cannibalise_share,
        }
        if cannibalise:
            key = _family(state, cannibalise, label("launch.cannibalise"))
            data["cannibalise"] = state.value("family", key)["name"]  # type: ignore[index]
        launch: Launch = _model(Launch, data, "launch")  # type: ignore[assignment]
        edit = launch_item(state, name, launch)
        said = launch_words(name, launch)
        new = edit_company(
            wb, company, [edit], author=actor, summary=f"added launch {name}", as_action="portfolio"
        )
        logged = _log(wb, company, f"Launch: {said}.", name, actor, today)
        return PortfolioChange(new, [edit], said, logged)


def _launch_key(state: WorkspaceState, name: str) -> str:
    key = _family(state, name)
    value = state.value("family", key) or {}
    if not value.get("launch"):
        raise InputError(
            Problem(
                label("name"),
                f"{name!r} is not a launch; remove a family on the Capacity page",
            )
        )
    return key


def remove_launch(
    wb: Workbench, company: str, name: str, *, author: str | Actor
) -> PortfolioChange:
    """Remove launch ``name`` and what goes with its family (its adjustments); undoable."""
    actor = as_actor(author)
    require(actor, "portfolio")
    with wb.store.transaction():
        state = company_state(wb, company)
        key = _launch_key(state, name)
        edits = remove_family_edits(state, key)
        new = edit_company(
            wb,
            company,
            edits,
            author=actor,
            summary=f"removed launch {name}",
            as_action="portfolio",
        )
        return PortfolioChange(new, edits, f"Removed the launch {name}.", None)


def set_phase_out(
    wb: Workbench,
    company: str,
    family: str,
    *,
    end_period: str,
    last_time_buy: float = 0.0,
    replacement: str | None = None,
    author: str | Actor,
    today: date | None = None,
) -> PortfolioChange:
    """Phase family ``family`` out: it sells until ``end_period`` (inclusive), ends it
    with ``last_time_buy`` units in stock, and ``replacement`` (optional) takes its demand
    after it; set again to move it. Its words go to this month's cycle log."""
    actor = as_actor(author)
    require(actor, "portfolio")
    with wb.store.transaction():
        state = company_state(wb, company)
        key = _family(state, family)
        value = state.value("family", key) or {}
        name = str(value["name"])
        data = {
            "end_period": _period(state, end_period, label("phase_out.end_period")),
            "last_time_buy": last_time_buy,
            "replacement": None,
        }
        if replacement:
            other = _family(state, replacement, label("phase_out.replacement"))
            data["replacement"] = state.value("family", other)["name"]  # type: ignore[index]
        phase_out: PhaseOut = _model(PhaseOut, data, "phase_out")  # type: ignore[assignment]
        after = phase_out.model_dump(mode="json")
        before = value.get("phase_out")
        edits = [] if before == after else [Edit("family", key, before, after, field="phase_out")]
        said = phase_out_words(name, phase_out)
        new = edit_company(wb, company, edits, author=actor, summary=f"phase-out of {name}: {said}")
        logged = _log(wb, company, f"Phase-out: {said}.", name, actor, today) if edits else None
        return PortfolioChange(new, edits, said, logged)


def clear_phase_out(
    wb: Workbench, company: str, family: str, *, author: str | Actor
) -> PortfolioChange:
    """Take family ``family``'s phase-out back: it sells to the end of the plan again."""
    actor = as_actor(author)
    require(actor, "portfolio")
    with wb.store.transaction():
        state = company_state(wb, company)
        key = _family(state, family)
        value = state.value("family", key) or {}
        name = str(value["name"])
        before = value.get("phase_out")
        if before is None:
            raise InputError(
                Problem(label("phase_out"), f"{name} has no phase-out to clear; nothing to do")
            )
        edits = [Edit("family", key, before, None, field="phase_out")]
        new = edit_company(
            wb, company, edits, author=actor, summary=f"cleared the phase-out of {name}"
        )
        return PortfolioChange(new, edits, f"{name} sells to the end of the plan again.", None)
