"""Workspaces in the store: each company's master data, saved edit by edit, with undo.

Built on the scenario store's database (:class:`~sop_core.store.session.Database`: SQLite by
default, PostgreSQL by URL); the items and edits are described in
:mod:`sop_core.process.workspace`.

Saving. :meth:`Workspaces.apply` writes a list of edits as one action in one
transaction: the workspace row is locked (PostgreSQL ``SELECT … FOR UPDATE``; SQLite
``BEGIN IMMEDIATE``), every edit's ``before`` is compared with what is stored, and only
if all still hold are the items written, the revision raised and one change row per
edit appended to the log. Otherwise nothing is written and :class:`WorkspaceConflict`
names each item, its value now, and who changed it when. Family, workforce and policy
values are validated as the scenario they make (:class:`~sop_core.base.errors.InputError`
names the family and field).

Undo. :meth:`Workspaces.undo` reverts the newest action not yet undone (undos
themselves are not undone again: undo repeatedly to go further back), as a new action
whose ``undoes`` names the reverted revision; it is refused, like any edit, when someone
changed one of those items since.

Histories. :meth:`Workspaces.add_history` keeps an uploaded history as CSV text
(immutable); the ``history`` item points at the one in use, so undo can go back to the
previous upload.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sop_core.base.access import Actor, edits_actions, require, require_all
from sop_core.base.errors import InputError, Problem
from sop_core.model.scenario import Scenario
from sop_core.process.workspace import (
    MONTHLY_TABLES,
    Change,
    Edit,
    Item,
    WorkspaceState,
    canonical,
    check_monthly,
    describe,
    empty_edits,
    object_words,
    seed_edits,
    summary_of,
)
from sop_core.store.audit import record
from sop_core.store.common import actor_of, as_utc, check_author, check_name
from sop_core.store.scenarios import Store
from sop_core.store.schema import ChangeRow, HistoryUploadRow, ItemRow, WorkspaceRow

if TYPE_CHECKING:
    import pandas as pd


class WorkspaceNotFound(InputError):
    """No workspace of that name."""


class WorkspaceConflict(InputError):
    """Someone changed an item first; nothing was written. Each problem names the item."""


class Workspaces:
    """The workspaces of one store; safe to share between threads like the store."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # -- reading

    def names(self) -> list[str]:
        """Names of all workspaces, oldest first."""
        with self.store.session() as s:
            return list(s.scalars(select(WorkspaceRow.name).order_by(WorkspaceRow.id)))

    def _row(self, session: Session, name: str, *, lock: bool = False) -> WorkspaceRow:
        query = select(WorkspaceRow).where(WorkspaceRow.name == name)
        row = session.scalar(query.with_for_update() if lock else query)
        if row is None:
            known = ", ".join(repr(n) for n in session.scalars(select(WorkspaceRow.name)))
            raise WorkspaceNotFound(
                Problem("company", f"{name!r} not found; companies: {known or 'none yet'}")
            )
        return row

    def id_of(self, name: str) -> int:
        """The workspace's id (what a saved scenario records as its company)."""
        with self.store.session() as s:
            return self._row(s, name).id

    def revision(self, name: str) -> int:
        """The workspace's revision: one cheap query to tell whether anything changed."""
        with self.store.session() as s:
            return self._row(s, name).revision

    def state(self, name: str) -> WorkspaceState:
        """The workspace's items at its current revision."""
        with self.store.session() as s:
            ws = self._row(s, name)
            return read_state(s, ws)

    def changes(self, name: str, limit: int = 50) -> list[Change]:
        """The newest ``limit`` logged changes, newest first."""
        with self.store.session() as s:
            ws = self._row(s, name)
            rows = s.scalars(
                select(ChangeRow)
                .where(ChangeRow.workspace_id == ws.id)
                .order_by(ChangeRow.id.desc())
                .limit(limit)
            )
            return [_change(r) for r in rows]

    def history(self, upload_id: int) -> pd.DataFrame:
        """An uploaded history (validated again, as any file is)."""
        from sop_core.demand.history import read_history

        with self.store.session() as s:
            row = s.get(HistoryUploadRow, upload_id)
            if row is None:
                raise InputError(Problem("history", f"upload {upload_id} not found"))
            content, name = row.content, row.name
        return read_history(content.encode(), filename=_csv_name(name), max_bytes=4 * len(content))

    # -- writing

    def create(
        self, name: str, *, author: str | Actor, scenario: Scenario | None = None
    ) -> WorkspaceState:
        """A new workspace; with ``scenario``, holding its workforce, families and policy;
        without, the textbook workforce to review and no family yet (see
        :func:`~sop_core.process.workspace.empty_edits`).

        Raises :class:`InputError` when the name is taken. One transaction: the company
        row and its first items are saved together."""
        name, actor = check_name(name, "company"), actor_of(author)
        require(actor, "company", "company")
        with self.store.transaction():
            return self._create_in(name, actor, scenario)

    def _create_in(self, name: str, actor: Actor, scenario: Scenario | None) -> WorkspaceState:
        now = datetime.now(UTC)
        try:
            with self.store.session(write=True) as s:
                s.add(
                    WorkspaceRow(
                        name=name, revision=0, created_by=check_author(actor), created_at=now
                    )
                )
                record(
                    s,
                    actor,
                    "create",
                    object_kind="company",
                    object_key=name,
                    object=f"company {name}",
                    company=name,
                    at=now,
                )
        except IntegrityError:
            raise InputError(
                Problem("company", f"{name!r} exists already; open it or pick another name")
            ) from None
        edits = seed_edits(scenario) if scenario is not None else empty_edits(name)
        return self.apply(name, edits, author=actor, summary="created", as_action="company")

    def add_history(
        self,
        name: str,
        history: pd.DataFrame,
        filename: str,
        *,
        author: str | Actor,
        as_action: str = "history",
    ) -> dict:
        """Keep an uploaded history; returns the ``history`` item's value for it
        (``{"upload_id", "name", "rows"}``), to be set by an edit (see
        :func:`~sop_core.process.workspace.mapping_edits`). ``as_action``: the permission needed
        (``company`` while importing a whole company). To keep it and take it into use in
        one transaction, see :meth:`upload_history`."""
        actor = actor_of(author)
        require(actor, as_action, "history")
        with self.store.session(write=True) as s:
            return _keep_history_in(s, self._row(s, name), actor, history, filename)

    def upload_history(
        self,
        name: str,
        history: pd.DataFrame,
        filename: str,
        edits_for: Callable[[WorkspaceState, dict], Sequence[Edit]],
        *,
        author: str | Actor,
        summary: str | None = None,
        as_action: str = "history",
    ) -> WorkspaceState:
        """Keep an uploaded history and apply the edits that take it into use, as one
        action in one transaction: ``edits_for(state, upload)`` makes them from the
        company's state and the kept upload (its ``history`` item value; see
        :func:`~sop_core.process.workspace.mapping_edits`). When the edits are refused (a name
        taken, someone else's change first, a right missing) nothing is kept: neither
        the upload nor its audit row. Returns the new state."""
        actor = actor_of(author)
        require(actor, as_action, "history")
        with self.store.session(write=True) as s:
            ws = self._row(s, name, lock=True)
            upload = _keep_history_in(s, ws, actor, history, filename)
            edits = list(edits_for(read_state(s, ws), upload))
            return self._apply_in(
                s, ws, edits, actor, summary=summary, undoes=None, now=datetime.now(UTC)
            )

    def apply(
        self,
        name: str,
        edits: Sequence[Edit],
        *,
        author: str | Actor,
        summary: str | None = None,
        undoes: int | None = None,
        as_action: str | None = None,
    ) -> WorkspaceState:
        """Apply ``edits`` as one action (see the module docstring); returns the new state.

        The person must have the right for every edit
        (:func:`sop_core.base.access.edits_actions`), or, with ``as_action``, for that one action
        as a whole (starting a company seeds every kind of item; an upload may create its
        new families). No edits: nothing is written and the current state is returned."""
        actor = actor_of(author)
        if as_action is not None:
            require(actor, as_action)
        else:
            require_all(actor, edits_actions(edits))
        check_author(actor)
        if not edits:
            return self.state(name)
        with self.store.session(write=True) as s:
            ws = self._row(s, name, lock=True)
            return self._apply_in(
                s, ws, edits, actor, summary=summary, undoes=undoes, now=datetime.now(UTC)
            )

    def _apply_in(
        self,
        s: Session,
        ws: WorkspaceRow,
        edits: Sequence[Edit],
        actor: Actor,
        *,
        summary: str | None,
        undoes: int | None,
        now: datetime,
    ) -> WorkspaceState:
        """:meth:`apply` inside the caller's transaction, on the locked workspace row."""
        author = check_author(actor)
        if not edits:
            return read_state(s, ws)
        before_state = read_state(s, ws)
        revision = ws.revision + 1
        # the stored rows of the edited items only (a workspace may hold thousands of
        # business plan rows; an edit touches a few)
        rows = _item_rows(s, ws, {(e.kind, e.key) for e in edits})
        items = {(i.kind, i.key): i for i in before_state.items}
        problems: list[Problem] = []
        positions: list[int | None] = []
        for e in edits:
            row = rows.get((e.kind, e.key))
            problem = _check(e, row)
            if problem is not None:
                problems.append(problem)
                positions.append(None)
                continue
            positions.append(e.position if row is None else row.position)
            if e.field is not None:
                assert row is not None
                row.value = {**row.value, e.field: canonical(e.after)}
            elif e.before is None:
                row = ItemRow(
                    workspace_id=ws.id,
                    kind=e.kind,
                    key=e.key,
                    position=e.position if e.position is not None else len(items) + 1,
                    value=canonical(e.after),
                    revision=revision,
                    updated_by=author,
                    updated_at=now,
                )
                s.add(row)
                rows[(e.kind, e.key)] = row
                items[(e.kind, e.key)] = _item(row)
                continue
            elif e.after is None:
                assert row is not None
                s.delete(row)
                del rows[(e.kind, e.key)]
                del items[(e.kind, e.key)]
                continue
            else:
                assert row is not None
                row.value = canonical(e.after)
            row.revision, row.updated_by, row.updated_at = revision, author, now
            items[(e.kind, e.key)] = _item(row)
        if problems:
            raise WorkspaceConflict(problems)
        after_state = _state_of(ws, items.values(), revision)
        _validate(after_state, edits)
        ws.revision = revision
        for e, position in zip(edits, positions, strict=True):
            s.add(
                ChangeRow(
                    workspace_id=ws.id,
                    revision=revision,
                    kind=e.kind,
                    key=e.key,
                    field=e.field,
                    position=position,
                    before=canonical(e.before),
                    after=canonical(e.after),
                    summary=summary or describe(e, before_state),
                    undoes=undoes,
                    author=author,
                    created_at=now,
                )
            )
            record(
                s,
                actor,
                "undo" if undoes is not None else "edit",
                object_kind=e.kind,
                object_key=e.key,
                object=object_words(e, before_state),
                company=ws.name,
                field=e.field,
                before=canonical(e.before),
                after=canonical(e.after),
                at=now,
            )
        s.flush()
        return after_state

    def undo(self, name: str, *, author: str | Actor) -> tuple[WorkspaceState, str]:
        """Revert the newest action not undone yet; returns the new state and what was
        undone, in words. Raises :class:`InputError` when there is nothing to undo and
        :class:`WorkspaceConflict` when someone changed those items since."""
        with self.store.session() as s:
            ws = self._row(s, name)
            undone = select(ChangeRow.undoes).where(
                ChangeRow.workspace_id == ws.id, ChangeRow.undoes.is_not(None)
            )
            target = s.scalar(
                select(func.max(ChangeRow.revision)).where(
                    ChangeRow.workspace_id == ws.id,
                    ChangeRow.undoes.is_(None),
                    ChangeRow.revision.not_in(undone),
                )
            )
            if target is None:
                raise InputError(Problem("undo", "nothing to undo in this company"))
            rows = list(
                s.scalars(
                    select(ChangeRow)
                    .where(ChangeRow.workspace_id == ws.id, ChangeRow.revision == target)
                    .order_by(ChangeRow.id.desc())
                )
            )
        edits = [
            Edit(r.kind, r.key, before=r.after, after=r.before, field=r.field, position=r.position)
            for r in rows
        ]
        what = summary_of(r.summary for r in reversed(rows))
        try:
            state = self.apply(name, edits, author=author, summary=f"undo: {what}", undoes=target)
        except WorkspaceConflict as exc:
            raise WorkspaceConflict(
                [Problem(p.field, f"cannot undo “{what}”: {p.message}") for p in exc.problems]
            ) from None
        return state, what


# --------------------------------------------------------------------------- helpers


def _csv_name(name: str) -> str:
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return f"{stem}.csv"


def _when(dt: datetime) -> str:
    return as_utc(dt).strftime("%Y-%m-%d %H:%M UTC")


def _label(e: Edit, row: ItemRow | None) -> str:
    value = row.value if row is not None else (e.after or e.before)
    name = value.get("name") if isinstance(value, dict) else None
    what = f"{e.kind} {name!r}" if name else f"{e.kind} {e.key}"
    return f"{what}.{e.field}" if e.field else what


def _check(e: Edit, row: ItemRow | None) -> Problem | None:
    """Whether edit ``e`` still applies to the stored ``row`` (compare-and-set)."""
    if e.field is not None:
        if row is None:
            return Problem(_label(e, row), "was removed meanwhile; reload to see it")
        now = row.value.get(e.field)
        if canonical(now) != canonical(e.before):
            return Problem(
                _label(e, row),
                f"is now {now!r} (changed by {row.updated_by} at {_when(row.updated_at)}), "
                f"not {e.before!r} as you saw it; nothing was saved, reload and edit again",
            )
        return None
    if e.before is None:
        if row is not None:
            return Problem(_label(e, row), f"exists already (added by {row.updated_by})")
        return None
    if row is None:
        return Problem(_label(e, row), "was removed meanwhile; reload to see it")
    if canonical(row.value) != canonical(e.before):
        return Problem(
            _label(e, row),
            f"was changed by {row.updated_by} at {_when(row.updated_at)} after you loaded it; "
            "nothing was saved, reload and edit again",
        )
    return None


def _validate(state: WorkspaceState, edits: Sequence[Edit]) -> None:
    """The edited workspace must still make a valid scenario (once it has families and a
    workforce), and its edited monthly tables valid rows
    (:func:`~sop_core.process.workspace.check_monthly`); problems name the family by its name
    rather than its index."""
    tables = dict.fromkeys(e.kind for e in edits if e.kind in MONTHLY_TABLES)
    table_problems = [p for kind in tables for p in check_monthly(state, kind)]
    if table_problems:
        raise InputError(table_problems)
    if not any(e.kind in ("family", "workforce", "policy", "plan") for e in edits):
        return
    if state.value("workforce") is None or not state.families:
        return
    try:
        state.scenario()
    except InputError as exc:
        names = state.family_names
        problems = []
        for p in exc.problems:
            field = p.field
            for i, n in enumerate(names):
                field = field.replace(f"families[{i}]", f"family {n!r}")
            problems.append(Problem(field, p.message))
        raise InputError(problems) from None


def _item(r: Any) -> Item:
    """An item of a stored row (an :class:`ItemRow` or a row of its columns)."""
    return Item(
        r.kind, r.key, r.position, dict(r.value), r.revision, r.updated_by, as_utc(r.updated_at)
    )


def _state_of(ws: WorkspaceRow, items: Any, revision: int | None = None) -> WorkspaceState:
    ordered = sorted(items, key=lambda i: (i.kind, i.position, i.key))
    return WorkspaceState(ws.name, ws.revision if revision is None else revision, tuple(ordered))


_ITEM_COLUMNS = (
    ItemRow.kind,
    ItemRow.key,
    ItemRow.position,
    ItemRow.value,
    ItemRow.revision,
    ItemRow.updated_by,
    ItemRow.updated_at,
)


def _keep_history_in(
    s: Session, ws: WorkspaceRow, actor: Actor, history: pd.DataFrame, filename: str
) -> dict:
    """Keep an uploaded history in the caller's transaction (and its audit row); returns
    the ``history`` item's value for it (``{"upload_id", "name", "rows"}``)."""
    author = check_author(actor)
    record(
        s,
        actor,
        "upload",
        object_kind="history",
        object_key=filename[:200],
        object=f"history {filename[:200]}",
        company=ws.name,
        after={"rows": len(history), "file": filename[:200]},
    )
    row = HistoryUploadRow(
        workspace_id=ws.id,
        name=filename[:200],
        rows=len(history),
        content=history_csv(history),
        uploaded_by=author,
        uploaded_at=datetime.now(UTC),
    )
    s.add(row)
    s.flush()
    return {"upload_id": row.id, "name": row.name, "rows": row.rows}


def read_state(s: Session, ws: WorkspaceRow) -> WorkspaceState:
    """The workspace's items, read as plain rows (no ORM objects: a workspace may hold
    thousands of business plan and actuals rows)."""
    rows = s.execute(select(*_ITEM_COLUMNS).where(ItemRow.workspace_id == ws.id))
    return _state_of(ws, (_item(r) for r in rows))


def _item_rows(
    s: Session, ws: WorkspaceRow, keys: set[tuple[str, str]]
) -> dict[tuple[str, str], ItemRow]:
    """The stored rows of the items ``keys`` ((kind, key) pairs) that exist."""
    by_kind: dict[str, list[str]] = {}
    for kind, key in keys:
        by_kind.setdefault(kind, []).append(key)
    out: dict[tuple[str, str], ItemRow] = {}
    for kind, names in by_kind.items():
        for start in range(0, len(names), 500):  # bounded IN lists
            query = select(ItemRow).where(
                ItemRow.workspace_id == ws.id,
                ItemRow.kind == kind,
                ItemRow.key.in_(names[start : start + 500]),
            )
            out.update({(r.kind, r.key): r for r in s.scalars(query)})
    return out


def _change(r: ChangeRow) -> Change:
    return Change(
        r.revision,
        r.kind,
        r.key,
        r.field,
        r.before,
        r.after,
        r.summary,
        r.undoes,
        r.author,
        as_utc(r.created_at),
    )


def history_csv(history: pd.DataFrame) -> str:
    """A history frame as the CSV text the store keeps (periods as dates)."""
    frame = history.copy()
    frame["period"] = frame["period"].dt.strftime("%Y-%m-%d")
    return frame.to_csv(index=False)


# --------------------------------------------------------------------------- what-ifs


def keep_whatif(
    spaces: Workspaces,
    company: str,
    name: str,
    scenario: Scenario,
    settings: dict[str, Any],
    *,
    author: str | Actor,
    note: str = "",
    solved: dict[str, Any] | None = None,
    as_action: str = "whatif",
) -> WorkspaceState:
    """Keep a what-if: save ``scenario`` (the what-if applied) as a draft of the company
    in the scenario store, and list it in the workspace (an undoable ``whatif`` item
    ``{"scenario": stored name, "settings": …}`` under ``name``).

    Scenario names are unique across companies: when another company's scenario has the
    name, the draft is saved as "name (company)". Raises :class:`InputError` when this
    company already keeps a what-if of that name. ``as_action``: the permission needed
    (``company`` while importing a whole company)."""
    store = spaces.store
    name = check_name(name)
    if name in spaces.state(company).whatifs:
        raise InputError(
            Problem(
                "name", f"this company already keeps a what-if called {name!r}; pick another name"
            )
        )
    stored = name if name not in store.names() else f"{name} ({company})"
    store.save(
        scenario,
        author=author,
        name=stored,
        note=note,
        provenance={"company": company, "whatif": settings},
        workspace_id=spaces.id_of(company),
        action=as_action,
        **(solved or {}),
    )
    value = {"scenario": stored, "settings": settings}
    return spaces.apply(
        company,
        [Edit("whatif", name, None, value)],
        author=author,
        summary=f"kept what-if {name}",
        as_action=as_action,
    )


def undo_action(
    spaces: Workspaces, store: Store, company: str, *, author: str | Actor
) -> tuple[WorkspaceState, str]:
    """:meth:`Workspaces.undo`, and a kept what-if whose keeping is undone leaves the
    scenario store too, unless someone saved a newer version of it meanwhile."""
    before = spaces.state(company)
    state, what = spaces.undo(company, author=author)
    for item in before.items:
        if item.kind == "whatif" and state.item("whatif", item.key) is None:
            try:
                store.delete(
                    item.value["scenario"], author=author, expected_version=1, action="whatif"
                )
            except InputError:
                what += f" (the saved scenario {item.value['scenario']!r} has newer versions: kept)"
    return state, what
