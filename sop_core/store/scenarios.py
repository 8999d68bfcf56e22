"""The scenario store: named, versioned what-if scenarios in SQLite or PostgreSQL.

Where it lives. :class:`Store` is a :class:`~sop_core.store.session.Database`: the URL
(``SOP_DATABASE_URL`` or the SQLite file ``data/scenarios.sqlite``), the engine, the
sessions and transactions, the migrations on open are described in
:mod:`sop_core.store.session`; this module adds the scenarios.

What it keeps. Each named scenario has a status (``draft``, ``proposed`` or
``approved``; at most one scenario is approved) and a list of immutable versions
1, 2, … Each version holds the scenario itself as its scenario-file JSON (re-validated
with :func:`~sop_core.model.scenario.parse_scenario` when opened), its provenance, its solved
KPIs and cost breakdown (plain dicts, so the store does not depend on the planner), the
solver status, a note, the author and the time (UTC).

Provenance says where the demand came from. A JSON object; by convention::

    {"history": "data/sample_history.csv",       # the demand history used (path or name)
     "forecast": "auto",                          # forecast method, or "file" / "manual"
     "adjustments": [{"family": "Garden tools", "period": "Mar", "delta": 200,
                      "reason": "promotion"}]}    # manual overrides applied, in order

Other keys are kept as they are.

Nothing lost. Saving is optimistic: each save states ``base_version``, the version the
user started from (``None`` for a new name). If someone saved a newer version meanwhile,
:class:`StoreConflict` is raised, carrying the current latest version, and nothing is
written; the caller can save again with ``base_version=exc.latest.version`` ("save as new
version"). A save is one transaction (a compare-and-set on the header, then the insert of
the new version row), so a crash in the middle leaves the last good version. Every
value reaches SQL as a bound parameter, never as SQL text.

Errors: unknown names or versions raise :class:`ScenarioNotFound`, bad arguments raise
:class:`~sop_core.base.errors.InputError` (both name the field, the value and the fix); an
unreachable database raises :class:`~sop_core.store.session.StoreUnavailable`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal, TypedDict

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sop_core.base.access import Actor, require
from sop_core.base.errors import InputError, Problem
from sop_core.model.scenario import Scenario, parse_scenario
from sop_core.store.audit import audit_frame, record
from sop_core.store.common import actor_of, as_utc, check_author, check_name
from sop_core.store.schema import STATUSES, ScenarioRow, VersionRow, WorkspaceRow
from sop_core.store.session import Database

if TYPE_CHECKING:  # pandas is imported where frames are built: saving stays light
    import pandas as pd

Status = Literal["draft", "proposed", "approved"]


class Provenance(TypedDict, total=False):
    """Where a scenario's demand came from (all keys optional; others are kept too)."""

    history: str
    forecast: str
    adjustments: list[Any]


# --------------------------------------------------------------------------- errors


class ScenarioNotFound(InputError):
    """No scenario of that name (or no such version of it)."""

    def __init__(self, problem: Problem, name: str) -> None:
        super().__init__(problem)
        self.name = name


class StoreConflict(InputError):
    """Someone else changed the scenario first; nothing was written.

    ``latest`` is the scenario's current latest version (``None`` when the conflict is
    not about versions, e.g. two approvals at once). To keep both, save again with
    ``base_version=exc.latest.version``: yours becomes the next version.
    """

    def __init__(self, problem: Problem, name: str, latest: VersionInfo | None) -> None:
        super().__init__(problem)
        self.name = name
        self.latest = latest


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class VersionInfo:
    """One saved version, without the scenario itself."""

    name: str
    version: int
    author: str
    created_at: datetime
    note: str
    solve_status: str | None
    total_cost: float | None


@dataclass(frozen=True)
class ScenarioSummary:
    """One row of the scenario list: the header and its latest version."""

    name: str
    status: Status
    latest_version: int
    approved_version: int | None
    author: str
    saved_at: datetime
    note: str
    created_by: str
    created_at: datetime
    total_cost: float | None


@dataclass(frozen=True)
class StoredScenario:
    """An opened version: the scenario and everything saved with it.

    ``scenario.name`` is the store's current name (renames apply to old versions too).
    To save the user's edits on top of it pass ``base_version=version``.
    """

    name: str
    version: int
    latest_version: int
    status: Status
    approved_version: int | None
    scenario: Scenario
    provenance: dict[str, Any]
    kpis: dict[str, float | None] | None
    cost_breakdown: dict[str, float | None] | None
    solve_status: str | None
    note: str
    author: str
    created_at: datetime
    approved_by: str | None = None
    approved_at: datetime | None = None

    @property
    def is_latest(self) -> bool:
        """Whether this is the scenario's latest version."""
        return self.version == self.latest_version

    @property
    def is_approved_version(self) -> bool:
        """Whether this exact version is the approved plan."""
        return self.status == "approved" and self.version == self.approved_version

    @property
    def label(self) -> str:
        """``"Name v3"``: a short label for tables and chart legends."""
        return f"{self.name} v{self.version}"


def solved_fields(result: Any) -> dict[str, Any]:
    """The ``kpis``, ``cost_breakdown`` and ``solve_status`` of a planner result, to save.

    Duck-typed on ``result.status``, ``result.total_cost``, ``result.kpis`` and
    ``result.cost_breakdown`` so the store does not import the planner. ``total_cost``
    is added to the KPIs when they do not already hold it. Use as
    ``store.save(scenario, ..., **solved_fields(solve(scenario)))``.
    """
    kpis = dict(getattr(result, "kpis", None) or {})
    total = getattr(result, "total_cost", None)
    if "total_cost" not in kpis:
        kpis["total_cost"] = total
    breakdown = getattr(result, "cost_breakdown", None)
    status = getattr(result, "status", None)
    return {
        "kpis": kpis,
        "cost_breakdown": dict(breakdown) if breakdown is not None else None,
        "solve_status": str(status) if status is not None else None,
    }


# --------------------------------------------------------------------------- checks


def _check_version(value: Any, field_name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InputError(Problem(field_name, f"must be a version number 1, 2, …, got {value!r}"))
    return value


def _check_numbers(
    field_name: str, values: Mapping[str, Any] | None
) -> dict[str, float | None] | None:
    """Plain ``{str: float | None}``; NaN becomes ``None`` (not defined), ±inf is refused."""
    if values is None:
        return None
    if not isinstance(values, Mapping):
        raise InputError(
            Problem(field_name, f"must be a mapping name → number, got {type(values).__name__}")
        )
    out: dict[str, float | None] = {}
    for key, raw in values.items():
        if not isinstance(key, str):
            raise InputError(Problem(field_name, f"keys must be text, got {key!r}"))
        if raw is None:
            out[key] = None
            continue
        try:
            number = float(raw)
        except (TypeError, ValueError):
            raise InputError(
                Problem(f"{field_name}[{key!r}]", f"must be a number or None, got {raw!r}")
            ) from None
        if math.isnan(number):
            out[key] = None
        elif math.isinf(number):
            raise InputError(
                Problem(
                    f"{field_name}[{key!r}]", f"must be finite, got {raw!r}; store None instead"
                )
            )
        else:
            out[key] = number
    return out


def _check_provenance(value: Mapping[str, Any] | None) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InputError(
            Problem(
                "provenance",
                f"must be a JSON object such as {{'history': ..., 'forecast': ...}}, "
                f"got {type(value).__name__}",
            )
        )
    try:
        return json.loads(json.dumps(dict(value), allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise InputError(
            Problem(
                "provenance", f"must hold only JSON values (text, numbers, lists, objects): {exc}"
            )
        ) from None


def _when(dt: datetime) -> str:
    return as_utc(dt).strftime("%Y-%m-%d %H:%M UTC")


def _quoted(names: Sequence[str], limit: int = 10) -> str:
    shown = ", ".join(repr(n) for n in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def _total_cost(kpis: Mapping[str, Any] | None) -> float | None:
    value = (kpis or {}).get("total_cost")
    return float(value) if value is not None else None


def _version_info(name: str, row: VersionRow) -> VersionInfo:
    return VersionInfo(
        name=name,
        version=row.version,
        author=row.author,
        created_at=as_utc(row.created_at),
        note=row.note,
        solve_status=row.solve_status,
        total_cost=_total_cost(row.kpis),
    )


# --------------------------------------------------------------------------- store


class Store(Database):
    """A scenario store on one database; safe to share between threads and processes.

    ``Store()`` uses :func:`~sop_core.store.session.database_url`; ``Store(url)`` an
    explicit URL. ``busy_timeout`` [s] is how long a SQLite write waits for another
    writer. Raises :class:`~sop_core.base.errors.InputError` for a malformed URL and
    :class:`~sop_core.store.session.StoreUnavailable` when the database cannot be opened
    (the set-up, sessions and transactions are :class:`~sop_core.store.session.Database`'s).
    """

    def _header(self, session: Session, name: str, field_name: str = "name") -> ScenarioRow:
        header = session.scalar(select(ScenarioRow).where(ScenarioRow.name == name))
        if header is None:
            known = list(session.scalars(select(ScenarioRow.name).order_by(ScenarioRow.name)))
            hint = f"known: {_quoted(known)}" if known else "the store is empty; save or import one"
            raise ScenarioNotFound(
                Problem(field_name, f"scenario {name!r} not found; {hint}"), name
            )
        return header

    def _version_row(
        self, session: Session, header: ScenarioRow, version: int | None
    ) -> VersionRow:
        wanted = header.latest_version if version is None else version
        row = session.scalar(
            select(VersionRow).where(
                VersionRow.scenario_id == header.id, VersionRow.version == wanted
            )
        )
        if row is None:
            raise ScenarioNotFound(
                Problem(
                    "version",
                    f"scenario {header.name!r} has no version {wanted}; "
                    f"its versions are 1 to {header.latest_version}",
                ),
                header.name,
            )
        return row

    def _stored(self, header: ScenarioRow, row: VersionRow) -> StoredScenario:
        try:
            scenario = parse_scenario(row.scenario)
        except InputError as exc:
            raise InputError(
                [
                    Problem(f"stored {header.name!r} v{row.version} {p.field}".rstrip(), p.message)
                    for p in exc.problems
                ]
            ) from None
        if scenario.name != header.name:
            scenario = scenario.model_copy(update={"name": header.name})
        return StoredScenario(
            name=header.name,
            version=row.version,
            latest_version=header.latest_version,
            status=header.status,  # type: ignore[arg-type]
            approved_version=header.approved_version,
            scenario=scenario,
            provenance=dict(row.provenance or {}),
            kpis=dict(row.kpis) if row.kpis is not None else None,
            cost_breakdown=dict(row.cost_breakdown) if row.cost_breakdown is not None else None,
            solve_status=row.solve_status,
            note=row.note,
            author=row.author,
            created_at=as_utc(row.created_at),
            approved_by=header.approved_by,
            approved_at=as_utc(header.approved_at) if header.approved_at else None,
        )

    def _latest_info(self, name: str) -> VersionInfo | None:
        with self.session() as session:
            header = session.scalar(select(ScenarioRow).where(ScenarioRow.name == name))
            if header is None:
                return None
            return _version_info(name, self._version_row(session, header, None))

    # -- reading

    def names(self) -> list[str]:
        """Names of all scenarios, sorted."""
        with self.session() as session:
            return list(session.scalars(select(ScenarioRow.name).order_by(ScenarioRow.name)))

    def list_scenarios(self, workspace_id: int | None = None) -> list[ScenarioSummary]:
        """Every scenario with its status and latest version, sorted by name.

        With ``workspace_id``: that company's scenarios and those of no company."""
        query = (
            select(ScenarioRow, VersionRow)
            .join(
                VersionRow,
                (VersionRow.scenario_id == ScenarioRow.id)
                & (VersionRow.version == ScenarioRow.latest_version),
            )
            .order_by(ScenarioRow.name)
        )
        if workspace_id is not None:
            query = query.where(
                (ScenarioRow.workspace_id == workspace_id) | ScenarioRow.workspace_id.is_(None)
            )
        with self.session() as session:
            rows = session.execute(query).all()
            return [
                ScenarioSummary(
                    name=h.name,
                    status=h.status,  # type: ignore[arg-type]
                    latest_version=h.latest_version,
                    approved_version=h.approved_version,
                    author=v.author,
                    saved_at=as_utc(v.created_at),
                    note=v.note,
                    created_by=h.created_by,
                    created_at=as_utc(h.created_at),
                    total_cost=_total_cost(v.kpis),
                )
                for h, v in rows
            ]

    def list_frame(self, workspace_id: int | None = None) -> pd.DataFrame:
        """:meth:`list_scenarios` as a DataFrame, one row per scenario.

        Columns: ``name``, ``status``, ``latest_version``, ``approved_version`` (Int64,
        <NA> unless approved), ``author`` and ``saved_at`` (of the latest version, UTC),
        ``note`` (of the latest version), ``created_by``, ``created_at``, ``total_cost``
        (float, NaN when not solved).
        """
        import pandas as pd

        columns = [f.name for f in fields(ScenarioSummary)]
        rows = [{c: getattr(s, c) for c in columns} for s in self.list_scenarios(workspace_id)]
        frame = pd.DataFrame(rows, columns=columns)
        frame["latest_version"] = frame["latest_version"].astype("int64")
        frame["approved_version"] = frame["approved_version"].astype("Int64")
        frame["total_cost"] = frame["total_cost"].astype("float64")
        for c in ("saved_at", "created_at"):
            frame[c] = pd.to_datetime(frame[c], utc=True)
        return frame

    def versions(self, name: str) -> list[VersionInfo]:
        """All versions of scenario ``name``, oldest first."""
        with self.session() as session:
            header = self._header(session, name)
            rows = session.scalars(
                select(VersionRow)
                .where(VersionRow.scenario_id == header.id)
                .order_by(VersionRow.version)
            )
            return [_version_info(header.name, r) for r in rows]

    def open(self, name: str, version: int | None = None) -> StoredScenario:
        """Version ``version`` (default: the latest) of scenario ``name``."""
        if version is not None:
            _check_version(version, "version")
        with self.session() as session:
            header = self._header(session, name)
            return self._stored(header, self._version_row(session, header, version))

    def approved(self, workspace_id: int | None = None) -> StoredScenario | None:
        """The approved scenario at its approved version, or ``None`` if none is approved.

        Each company has its own (see :mod:`sop_core.store.workspaces`): with
        ``workspace_id``, that company's, else an approved scenario of no company (saved
        before companies existed); without, the one approved last."""
        with self.session() as session:
            query = select(ScenarioRow).where(ScenarioRow.status == "approved")
            if workspace_id is not None:
                query = query.where(
                    (ScenarioRow.workspace_id == workspace_id) | ScenarioRow.workspace_id.is_(None)
                ).order_by(ScenarioRow.workspace_id.is_(None))  # the company's own first
            else:
                query = query.order_by(ScenarioRow.approved_at.desc())
            header = session.scalars(query.limit(1)).first()
            if header is None:
                return None
            return self._stored(header, self._version_row(session, header, header.approved_version))

    # -- writing

    def save(
        self,
        scenario: Scenario,
        *,
        author: str | Actor,
        name: str | None = None,
        base_version: int | None = None,
        note: str = "",
        provenance: Mapping[str, Any] | None = None,
        kpis: Mapping[str, float | None] | None = None,
        cost_breakdown: Mapping[str, float | None] | None = None,
        solve_status: str | None = None,
        workspace_id: int | None = None,
        action: str = "whatif",
    ) -> VersionInfo:
        """Save ``scenario`` as a new version of ``name`` (default ``scenario.name``).

        ``action``: the permission needed (:data:`sop_core.base.access.ACTIONS`): ``whatif``
        (the supply planner's), or ``company`` while importing a whole company.

        ``workspace_id``: the company a new scenario belongs to (see
        :mod:`sop_core.store.workspaces`); ignored for a new version of an existing one.

        ``base_version`` is the version the user started from: ``None`` to create a new
        scenario (version 1, status draft), else the version opened. Raises
        :class:`StoreConflict` when the name already exists (for ``None``) or someone
        saved a newer version meanwhile; nothing is written then. Returns the new
        version. ``kpis``/``cost_breakdown`` map names to numbers (NaN is kept as
        ``None``); see the module docstring for ``provenance``.
        """
        if not isinstance(scenario, Scenario):
            raise InputError(
                Problem(
                    "scenario",
                    f"must be a Scenario, got {type(scenario).__name__}; "
                    "validate it with parse_scenario first",
                )
            )
        name = check_name(scenario.name if name is None else name)
        actor = actor_of(author)
        require(actor, action, "scenario")
        author = check_author(actor)
        if base_version is not None:
            _check_version(base_version, "base_version")
        if not isinstance(note, str):
            raise InputError(Problem("note", f"must be text, got {note!r}"))
        clean_kpis = _check_numbers("kpis", kpis)
        clean_costs = _check_numbers("cost_breakdown", cost_breakdown)
        clean_provenance = _check_provenance(provenance)
        if solve_status is not None and not isinstance(solve_status, str):
            raise InputError(Problem("solve_status", f"must be text, got {solve_status!r}"))
        data = json.loads(scenario.model_copy(update={"name": name}).to_json(indent=None))
        now = datetime.now(UTC)

        try:
            with self.session(write=True) as session:
                header = session.scalar(select(ScenarioRow).where(ScenarioRow.name == name))
                if header is None:
                    if base_version is not None:
                        raise ScenarioNotFound(
                            Problem(
                                "name",
                                f"scenario {name!r} no longer exists (deleted or renamed "
                                f"after you opened version {base_version}); save it as a "
                                "new scenario with base_version=None",
                            ),
                            name,
                        )
                    header = _new_header(session, name, author, now, workspace_id)
                    new_version = 1
                else:
                    if base_version != header.latest_version:
                        latest = _version_info(name, self._version_row(session, header, None))
                        raise _conflict(name, base_version, latest)
                    new_version = base_version + 1
                    # compare-and-set: 0 rows when another save got in first
                    moved = session.execute(
                        update(ScenarioRow)
                        .where(
                            ScenarioRow.id == header.id,
                            ScenarioRow.latest_version == base_version,
                        )
                        .values(latest_version=new_version)
                        .execution_options(synchronize_session=False)
                    )
                    if moved.rowcount != 1:
                        session.expire_all()
                        header = self._header(session, name)
                        latest = _version_info(name, self._version_row(session, header, None))
                        raise _conflict(name, base_version, latest)
                session.add(
                    VersionRow(
                        scenario_id=header.id,
                        version=new_version,
                        scenario=data,
                        provenance=clean_provenance,
                        kpis=clean_kpis,
                        cost_breakdown=clean_costs,
                        solve_status=solve_status,
                        note=note,
                        author=author,
                        created_at=now,
                    )
                )
                _audit_scenario(
                    session,
                    actor,
                    "save",
                    header,
                    version=new_version,
                    before=None if new_version == 1 else {"version": new_version - 1},
                    after={"version": new_version, "note": note, "kpis": clean_kpis},
                    at=now,
                )
                session.flush()
        except IntegrityError:
            # another session created the same name (or version) at the same moment
            latest = self._latest_info(name)
            raise _conflict(name, base_version, latest) from None
        return VersionInfo(
            name=name,
            version=new_version,
            author=author,
            created_at=now,
            note=note,
            solve_status=solve_status,
            total_cost=_total_cost(clean_kpis),
        )

    def duplicate(
        self,
        name: str,
        new_name: str,
        *,
        author: str | Actor,
        version: int | None = None,
        note: str | None = None,
    ) -> VersionInfo:
        """Copy version ``version`` (default latest) of ``name`` to a new draft ``new_name``.

        The copy starts at version 1 with the same scenario, provenance and KPIs; its
        note defaults to ``"duplicate of 'Base' v3"``.
        """
        new_name = check_name(new_name, "new_name")
        actor = actor_of(author)
        require(actor, "whatif", "new_name")
        author = check_author(actor)
        if version is not None:
            _check_version(version, "version")
        now = datetime.now(UTC)
        try:
            with self.session(write=True) as session:
                header = self._header(session, name)
                source = self._version_row(session, header, version)
                self._refuse_taken(session, new_name)
                copy = _new_header(session, new_name, author, now)
                data = dict(source.scenario)
                data["name"] = new_name
                row = VersionRow(
                    scenario_id=copy.id,
                    version=1,
                    scenario=data,
                    provenance=dict(source.provenance or {}),
                    kpis=source.kpis,
                    cost_breakdown=source.cost_breakdown,
                    solve_status=source.solve_status,
                    note=note if note is not None else f"duplicate of {name!r} v{source.version}",
                    author=author,
                    created_at=now,
                )
                session.add(row)
                _audit_scenario(
                    session,
                    actor,
                    "duplicate",
                    copy,
                    version=1,
                    before={"scenario": name, "version": source.version},
                    after={"scenario": new_name, "version": 1},
                    at=now,
                )
                session.flush()
                return _version_info(new_name, row)
        except IntegrityError:
            raise _taken(new_name) from None

    def _refuse_taken(self, session: Session, new_name: str) -> None:
        exists = session.scalar(select(ScenarioRow.id).where(ScenarioRow.name == new_name))
        if exists is not None:
            raise _taken(new_name)

    def rename(self, name: str, new_name: str, *, author: str | Actor) -> None:
        """Rename scenario ``name`` to ``new_name`` (all its versions follow)."""
        new_name = check_name(new_name, "new_name")
        actor = actor_of(author)
        require(actor, "whatif", "new_name")
        try:
            with self.session(write=True) as session:
                header = self._header(session, name)
                if header.name == new_name:
                    return
                self._refuse_taken(session, new_name)
                header.name = new_name
                _audit_scenario(
                    session,
                    actor,
                    "rename",
                    header,
                    field="name",
                    before=name,
                    after=new_name,
                )
                session.flush()
        except IntegrityError:
            raise _taken(new_name) from None

    def delete(
        self,
        name: str,
        *,
        author: str | Actor,
        expected_version: int | None = None,
        action: str = "delete",
    ) -> None:
        """Delete scenario ``name`` and all its versions (ask the user first).

        With ``expected_version``, refuse (:class:`StoreConflict`) if a newer version
        was saved since, so nobody deletes work they have not seen. ``action`` is the
        permission needed (:data:`sop_core.base.access.ACTIONS`): ``delete`` (admin), or
        ``whatif`` when undoing the keeping of a what-if removes its own first draft.
        """
        actor = actor_of(author)
        require(actor, action, "name")
        if expected_version is not None:
            _check_version(expected_version, "expected_version")
        with self.session(write=True) as session:
            header = self._header(session, name)
            if expected_version is not None and header.latest_version != expected_version:
                latest = _version_info(name, self._version_row(session, header, None))
                raise StoreConflict(
                    Problem(
                        "expected_version",
                        f"scenario {name!r} has version {latest.version} (saved by "
                        f"{latest.author} at {_when(latest.created_at)}) after the version "
                        f"{expected_version} you saw; nothing was deleted — open it and "
                        "check before deleting",
                    ),
                    name,
                    latest,
                )
            _audit_scenario(
                session,
                actor,
                "delete",
                header,
                before={"versions": header.latest_version, "status": header.status},
            )
            session.execute(delete(ScenarioRow).where(ScenarioRow.id == header.id))

    def set_status(self, name: str, status: Status, *, author: str | Actor) -> None:
        """Set the status of ``name``: ``draft``, ``proposed`` or ``approved``.

        ``approved`` is :meth:`approve` of the latest version; moving an approved
        scenario back to draft or proposed leaves no scenario approved, and so needs the
        right to approve (an executive's), like approving it did.
        """
        if status not in STATUSES:
            raise InputError(
                Problem("status", f"must be one of {', '.join(STATUSES)}, got {status!r}")
            )
        if status == "approved":
            self.approve(name, author=author)
            return
        actor = actor_of(author)
        if not actor.may("approve"):
            require(actor, "whatif", "status")
        with self.session(write=True) as session:
            header = self._header(session, name)
            if header.status == "approved":  # withdrawing the approval is an approval
                require(actor, "approve", "status")
            _audit_scenario(
                session,
                actor,
                "status",
                header,
                field="status",
                before=header.status,
                after=status,
            )
            header.status = status
            header.approved_version = header.approved_by = header.approved_at = None

    def approve(self, name: str, *, author: str | Actor, version: int | None = None) -> None:
        """Mark version ``version`` (default latest) of ``name`` as the approved plan.

        The company's previously approved scenario, if any, goes back to ``proposed``:
        one scenario per company is approved at a time (the database enforces it; other
        companies' approvals are left as they are). Saving newer versions
        afterwards keeps the approved version as it was, until approved again.
        Its own transaction; :meth:`approve_in` does the same inside a caller's.
        """
        actor = actor_of(author)
        require(actor, "approve", "status")
        try:
            with self.session(write=True) as session:
                self.approve_in(session, name, author=actor, version=version)
        except IntegrityError:
            raise approve_conflict(name) from None

    def approve_in(
        self,
        session: Session,
        name: str,
        *,
        author: str | Actor,
        version: int | None = None,
    ) -> int:
        """:meth:`approve`'s work inside ``session``'s transaction (opened by
        ``self.session(write=True)``), so that it commits or rolls back with whatever
        else that transaction writes (the executive sign-off of a cycle). Returns the
        approved version. Checks the right; a concurrent approval of another scenario
        of the company surfaces as :class:`~sqlalchemy.exc.IntegrityError` (here, at
        the flush, or at the commit): map it with :func:`approve_conflict`."""
        actor = actor_of(author)
        require(actor, "approve", "status")
        who = check_author(actor)
        if version is not None:
            _check_version(version, "version")
        header = self._header(session, name)
        row = self._version_row(session, header, version)
        _audit_scenario(
            session,
            actor,
            "approve",
            header,
            version=row.version,
            field="status",
            before={"status": header.status, "approved_version": header.approved_version},
            after={"status": "approved", "approved_version": row.version},
        )
        session.execute(  # one approved scenario per company
            update(ScenarioRow)
            .where(
                ScenarioRow.status == "approved",
                ScenarioRow.id != header.id,
                ScenarioRow.workspace_id.is_not_distinct_from(header.workspace_id),
            )
            .values(
                status="proposed",
                approved_version=None,
                approved_by=None,
                approved_at=None,
            )
            .execution_options(synchronize_session=False)
        )
        header.status = "approved"
        header.approved_version = row.version
        header.approved_by = who
        header.approved_at = datetime.now(UTC)
        session.flush()
        return row.version

    # -- the audit trail

    def audit(
        self,
        *,
        company: str | None = None,
        object_kind: str | None = None,
        object_key: str | None = None,
        limit: int | None = None,
        words: bool = False,
    ) -> pd.DataFrame:
        """The audit trail, newest first; ``words``: for people
        (:func:`sop_core.store.audit.audit_frame`)."""
        with self.session() as session:
            return audit_frame(
                session,
                company=company,
                object_kind=object_kind,
                object_key=object_key,
                limit=limit,
                words=words,
            )

    # -- comparing

    def compare(self, scenarios: Sequence[str | tuple[str, int]]) -> pd.DataFrame:
        """Compare 2–4 saved scenarios against the approved one; see :func:`comparison_frame`.

        Each item is a name (its latest version) or ``(name, version)``.
        """
        opened: list[StoredScenario] = []
        for item in scenarios:
            if isinstance(item, tuple):
                opened.append(self.open(item[0], item[1]))
            else:
                opened.append(self.open(item))
        return comparison_frame(opened, self.approved())

    def count_versions(self) -> int:
        """Number of version rows in the whole store (for checks and tests)."""
        with self.session() as session:
            return int(session.scalar(select(func.count()).select_from(VersionRow)) or 0)


COMPARISON_COLUMNS: tuple[str, ...] = (
    "scenario",
    "version",
    "label",
    "status",
    "is_approved",
    "section",
    "metric",
    "value",
    "approved_value",
    "delta",
    "delta_pct",
)


def comparison_frame(
    scenarios: Sequence[StoredScenario], approved: StoredScenario | None
) -> pd.DataFrame:
    """A tidy table comparing 2–4 scenarios' KPIs and cost breakdowns with the approved one.

    One row per scenario and metric. Columns:

    - ``scenario`` (name), ``version`` (int), ``label`` (``"Base v3"``), ``status``
    - ``is_approved``: this row's scenario version is the approved one
    - ``section``: ``"kpi"`` or ``"cost"`` (a cost-breakdown line)
    - ``metric``: the KPI or cost name
    - ``value``: float, NaN when that scenario has no such number (e.g. not solved)
    - ``approved_value``: the approved version's value (NaN when none is approved)
    - ``delta``: ``value - approved_value``; ``delta_pct``: ``100 * delta / |approved_value|``
      (NaN when the approved value is 0 or missing)

    Rows are ordered by section (KPIs first), metric (in order of first appearance) and
    the order of ``scenarios``. For a side-by-side table:
    ``frame.pivot(index=["section", "metric"], columns="label", values="value")``.
    """
    import pandas as pd

    if not 2 <= len(scenarios) <= 4:
        raise InputError(
            Problem("scenarios", f"compare needs 2 to 4 scenarios, got {len(scenarios)}")
        )
    labels = [s.label for s in scenarios]
    doubled = sorted({x for x in labels if labels.count(x) > 1})
    if doubled:
        raise InputError(
            Problem("scenarios", f"each scenario version once, got {_quoted(doubled)} twice")
        )
    sections: list[tuple[str, str]] = [("kpi", "kpis"), ("cost", "cost_breakdown")]
    rows: list[dict[str, Any]] = []
    for section, attr in sections:
        metrics: list[str] = []
        for s in [*scenarios, *([approved] if approved else [])]:
            for key in getattr(s, attr) or {}:
                if key not in metrics:
                    metrics.append(key)
        base = (getattr(approved, attr) or {}) if approved else {}
        for metric in metrics:
            base_value = _as_float(base.get(metric))
            for s in scenarios:
                value = _as_float((getattr(s, attr) or {}).get(metric))
                delta = value - base_value
                pct = 100.0 * delta / abs(base_value) if base_value != 0 else math.nan
                rows.append(
                    {
                        "scenario": s.name,
                        "version": s.version,
                        "label": s.label,
                        "status": s.status,
                        "is_approved": bool(
                            approved is not None
                            and s.name == approved.name
                            and s.version == approved.version
                        ),
                        "section": section,
                        "metric": metric,
                        "value": value,
                        "approved_value": base_value,
                        "delta": delta,
                        "delta_pct": pct,
                    }
                )
    frame = pd.DataFrame(rows, columns=list(COMPARISON_COLUMNS))
    for c in ("value", "approved_value", "delta", "delta_pct"):
        frame[c] = frame[c].astype("float64")
    frame["version"] = frame["version"].astype("int64")
    frame["is_approved"] = frame["is_approved"].astype(bool)
    return frame


def _as_float(value: Any) -> float:
    return math.nan if value is None else float(value)


def _company(session: Session, workspace_id: int | None) -> str | None:
    """The name of the company a scenario belongs to, for the audit trail."""
    if workspace_id is None:
        return None
    return session.scalar(select(WorkspaceRow.name).where(WorkspaceRow.id == workspace_id))


def _audit_scenario(
    session: Session,
    actor: Actor,
    action: str,
    header: ScenarioRow,
    *,
    version: int | None = None,
    **fields: Any,
) -> None:
    """One audit row about scenario ``header`` (under its name now; "v3" when about a
    version), in ``session``'s transaction (:func:`sop_core.store.audit.record`)."""
    record(
        session,
        actor,
        action,
        object_kind="scenario",
        object_key=header.name,
        object=f"scenario {header.name}" + (f" v{version}" if version is not None else ""),
        company=_company(session, header.workspace_id),
        **fields,
    )


def _new_header(
    session: Session, name: str, author: str, now: datetime, workspace_id: int | None = None
) -> ScenarioRow:
    """Insert a new scenario's header: a draft whose latest version is 1."""
    header = ScenarioRow(
        name=name,
        status="draft",
        latest_version=1,
        created_by=author,
        created_at=now,
        workspace_id=workspace_id,
    )
    session.add(header)
    session.flush()
    return header


def approve_conflict(name: str) -> StoreConflict:
    """What an approval refused by the one-approved-per-company index says."""
    return StoreConflict(
        Problem(
            "status",
            f"another scenario was approved at the same moment as {name!r}; "
            "reload the list and approve again if still wanted",
        ),
        name,
        None,
    )


def _conflict(name: str, base_version: int | None, latest: VersionInfo | None) -> StoreConflict:
    if latest is None:  # the competing save is gone again (deleted): just retry
        return StoreConflict(
            Problem(
                "name", f"scenario {name!r} changed while saving; nothing was written, save again"
            ),
            name,
            None,
        )
    who = f"saved by {latest.author} at {_when(latest.created_at)}"
    if base_version is None:
        message = (
            f"scenario {name!r} already exists (version {latest.version}, {who}); nothing was "
            f"written — save it as version {latest.version + 1} with base_version="
            f"{latest.version}, or choose another name"
        )
        return StoreConflict(Problem("name", message), name, latest)
    message = (
        f"scenario {name!r} has a newer version {latest.version} ({who}) than the version "
        f"{base_version} you started from; nothing was overwritten — save yours as version "
        f"{latest.version + 1} with base_version={latest.version}, or open version "
        f"{latest.version} first"
    )
    return StoreConflict(Problem("base_version", message), name, latest)


def _taken(new_name: str) -> InputError:
    return InputError(
        Problem("new_name", f"scenario {new_name!r} already exists; choose another name")
    )
