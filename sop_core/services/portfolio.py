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
from sop_core.base.fields import TERMS, label
from sop_core.base.limits import MAX_TEXT_CHARS
from sop_core.model.portfolio import launch_demand, planned_demand
from sop_core.model.scenario import Launch, PhaseOut, SkuLaunch, SkuPhaseOut
from sop_core.process.portfolio import (
    demand_effects,
    launch_item,
    launch_words,
    phase_out_words,
    portfolio_table,
    sku_launch_words,
    sku_phase_out_words,
)
from sop_core.process.workspace import Edit, WorkspaceState, remove_family_edits
from sop_core.schedule.demand import sku_demand_from_history
from sop_core.services.companies import company_history, company_state, edit_company
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
            key = key if key in TERMS else key.removeprefix("sku_")  # an SKU's as a family's
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


def _new_name(text: str | None, key: str, blank: str) -> str:
    """A new launch's name or SKU code, stripped; refused (field ``key``) when blank
    (saying ``blank``) or too long."""
    text = str(text or "").strip()
    if not text:
        raise InputError(Problem(label(key), blank))
    if len(text) > MAX_TEXT_CHARS:
        raise InputError(
            Problem(label(key), f"must be at most {MAX_TEXT_CHARS} characters, got {len(text)}")
        )
    return text


def _one_size(volume: float | None, factor: float | None, like: str) -> None:
    """Refused unless exactly one of a launch's volume and factor is given."""
    if (volume is None) == (factor is None):
        raise InputError(
            Problem(
                label("launch.volume"),
                f"give the units of its first 12 months or a factor on the {like}, one of them",
            )
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
    name = _new_name(name, "name", "the launch's name is blank; type a name")
    _one_size(volume, factor, "like-family")
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


# --------------------------------------------------------------------------- SKUs


def sku_demand_now(wb: Workbench, company: str) -> pd.DataFrame:
    """Each SKU's demand per plan period as the weekly schedule splits the plan now
    (columns family, sku, period, demand; :func:`sop_core.schedule.demand.
    sku_demand_from_history` on the company's stored history, same month last year's
    mix). Refused when the company has no history with SKUs, or the plan starts before
    the history ends."""
    state = company_state(wb, company)
    history = company_history(wb, state)
    if history is None or "sku" not in history.columns:
        raise InputError(
            Problem(
                label("sku_launch.sku"),
                f"{company} has no sales history by SKU; upload one with a sku column "
                "(period, family, sku, demand) on the Demand page first",
            )
        )
    return sku_demand_from_history(state.scenario(), state.planned_history(history))


def _sku(rows: pd.DataFrame, family: str, sku: str, where: str) -> str:
    """``sku`` (stripped) when it is an SKU of ``family`` in ``rows``, else refused."""
    sku = str(sku or "").strip()
    known = sorted(rows.loc[rows["family"] == family, "sku"].astype(str).unique())
    if sku not in known:
        shown = ", ".join(known[:8]) + (" …" if len(known) > 8 else "") or "none"
        raise InputError(
            Problem(where, f"{sku!r} is not an SKU of {family} (its SKUs: {shown}); pick one")
        )
    return sku


def _sku_curve(rows: pd.DataFrame, family: str, sku: str, labels: list[str]) -> list[float]:
    """SKU ``sku``'s demand on the plan's periods, from ``rows``."""
    part = rows[(rows["family"] == family) & (rows["sku"].astype(str) == sku)]
    by_period = part.groupby("period")["demand"].sum()
    return [round(float(by_period.get(p, 0.0)), 6) for p in labels]


def _sku_items(value: dict, key: str) -> list[dict]:
    return [dict(v) for v in value.get(key) or []]


def add_sku_launch(
    wb: Workbench,
    company: str,
    family: str,
    sku: str,
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
    """Launch SKU ``sku`` in ``family``: it sells from ``start`` like the family's SKU
    ``like`` (its demand as the schedule splits the plan now) × scale × ramp, sized and
    ramped as :func:`add_launch`'s, taking ``cannibalise_share`` of its demand from the
    family's SKU ``cannibalise``. Its demand per period is worked out now and kept with
    its assumptions; the family's plan demand gains it, less the share taken from the
    sibling; its words go to this month's cycle log."""
    actor = as_actor(author)
    require(actor, "portfolio")
    sku = _new_name(sku, "sku_launch.sku", "the new SKU's code is blank; type it")
    _one_size(volume, factor, "like-SKU")
    with wb.store.transaction():
        state = company_state(wb, company)
        key = _family(state, family)
        value = state.value("family", key) or {}
        name = str(value["name"])
        rows = sku_demand_now(wb, company)
        if sku in set(rows.loc[rows["family"] == name, "sku"].astype(str)):
            raise InputError(
                Problem(
                    label("sku_launch.sku"),
                    f"{sku!r} is an SKU of {name} already; type the new SKU's code",
                )
            )
        labels = state.scenario().period_labels
        data = {
            "sku": sku,
            "start": _period(state, start, label("launch.start")),
            "like": _sku(rows, name, like, label("sku_launch.like")),
            "volume": volume,
            "factor": factor,
            "ramp_months": ramp_months,
            "ramp_shares": list(ramp_shares) if ramp_shares else None,
            "cannibalise": (
                _sku(rows, name, cannibalise, label("sku_launch.cannibalise"))
                if cannibalise
                else None
            ),
            "cannibalise_share": cannibalise_share,
            "demand": [0.0] * len(labels),
        }
        launch: SkuLaunch = _model(SkuLaunch, data, "sku_launch")  # type: ignore[assignment]
        like_curve = _sku_curve(rows, name, launch.like, labels)
        curve = launch_demand(launch, like_curve, labels)
        launch = launch.model_copy(update={"demand": [round(float(v), 6) for v in curve]})
        before = _sku_items(value, "sku_launches")
        after = [*before, launch.model_dump(mode="json")]
        edits = [Edit("family", key, value.get("sku_launches"), after, field="sku_launches")]
        said = sku_launch_words(name, launch)
        new = edit_company(
            wb, company, edits, author=actor, summary=f"added SKU launch {sku}",
            as_action="portfolio",
        )  # fmt: skip
        logged = _log(wb, company, f"SKU launch: {said}.", name, actor, today)
        return PortfolioChange(new, edits, said, logged)


def remove_sku_launch(
    wb: Workbench, company: str, family: str, sku: str, *, author: str | Actor
) -> PortfolioChange:
    """Take the launch of SKU ``sku`` of ``family`` back; undoable."""
    return _drop_sku_item(wb, company, family, sku, "sku_launches", "launch", author)


def set_sku_phase_out(
    wb: Workbench,
    company: str,
    family: str,
    sku: str,
    *,
    end_period: str,
    last_time_buy: float = 0.0,
    replacement: str | None = None,
    author: str | Actor,
    today: date | None = None,
) -> PortfolioChange:
    """Phase SKU ``sku`` of ``family`` out: it sells until ``end_period`` (inclusive),
    ends it with ``last_time_buy`` units in stock and is not made after it;
    ``replacement`` (an SKU of the family, optional) takes its demand after it, else the
    family's demand loses it. Its demand as the schedule splits the plan now is kept
    with it; set again to move it. Its words go to this month's cycle log."""
    actor = as_actor(author)
    require(actor, "portfolio")
    with wb.store.transaction():
        state = company_state(wb, company)
        key = _family(state, family)
        value = state.value("family", key) or {}
        name = str(value["name"])
        rows = sku_demand_now(wb, company)
        labels = state.scenario().period_labels
        sku = _sku(rows, name, sku, label("sku_phase_out.sku"))
        data = {
            "sku": sku,
            "end_period": _period(state, end_period, label("phase_out.end_period")),
            "last_time_buy": last_time_buy,
            "replacement": (
                _sku(rows, name, replacement, label("sku_phase_out.replacement"))
                if replacement
                else None
            ),
            "demand": _sku_curve(rows, name, sku, labels),
        }
        old = [v for v in _sku_items(value, "sku_phase_outs") if v.get("sku") == sku]
        if old:  # moved: its demand as it was before it ended, not what is left of it
            data["demand"] = old[0].get("demand", data["demand"])
        phase_out: SkuPhaseOut = _model(SkuPhaseOut, data, "sku_phase_out")  # type: ignore[assignment]
        before = _sku_items(value, "sku_phase_outs")
        after = [v for v in before if v.get("sku") != sku] + [phase_out.model_dump(mode="json")]
        if after == before:
            edits: list[Edit] = []
        else:
            saw = value.get("sku_phase_outs")
            edits = [Edit("family", key, saw, after, field="sku_phase_outs")]
        said = sku_phase_out_words(name, phase_out)
        new = edit_company(
            wb, company, edits, author=actor, summary=f"phase-out of {sku}: {said}",
            as_action="portfolio",
        )  # fmt: skip
        logged = _log(wb, company, f"SKU phase-out: {said}.", name, actor, today) if edits else None
        return PortfolioChange(new, edits, said, logged)


def clear_sku_phase_out(
    wb: Workbench, company: str, family: str, sku: str, *, author: str | Actor
) -> PortfolioChange:
    """Take the phase-out of SKU ``sku`` of ``family`` back: it sells to the end again."""
    return _drop_sku_item(wb, company, family, sku, "sku_phase_outs", "phase-out", author)


def _drop_sku_item(
    wb: Workbench, company: str, family: str, sku: str, field: str, what: str,
    author: str | Actor,
) -> PortfolioChange:  # fmt: skip
    actor = as_actor(author)
    require(actor, "portfolio")
    with wb.store.transaction():
        state = company_state(wb, company)
        key = _family(state, family)
        value = state.value("family", key) or {}
        name = str(value["name"])
        sku = str(sku or "").strip()
        before = _sku_items(value, field)
        after = [v for v in before if v.get("sku") != sku]
        if len(after) == len(before):
            have = ", ".join(str(v.get("sku")) for v in before) or "none"
            raise InputError(
                Problem(
                    label("sku_launch.sku" if field == "sku_launches" else "sku_phase_out.sku"),
                    f"{sku!r} has no {what} in {name} (SKU {what}s there: {have}); "
                    "nothing to take back",
                )
            )
        edits = [Edit("family", key, value.get(field), after, field=field)]
        said = f"Took back the {what} of {sku} ({name})."
        new = edit_company(
            wb, company, edits, author=actor, summary=f"took back the {what} of {sku}",
            as_action="portfolio",
        )  # fmt: skip
        return PortfolioChange(new, edits, said, None)
