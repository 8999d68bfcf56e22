"""Monthly S&OP cycles in the store: create, sign off step by step, comment, log.

:class:`Cycles` works on the scenario store (:class:`~sop_core.store.scenarios.Store`;
tables in :mod:`sop_core.store.schema`, models in :mod:`sop_core.process.cycle`). Every change
checks the person's right (:func:`sop_core.base.access.require`; a refusal writes nothing) and
writes its audit row (``object_kind`` "cycle") in the same transaction.

Signing off:

- the **demand review** freezes the company's consensus: the plan demand per family and
  period in the workspace at that moment, and the statistical forecast the caller passes
  (``statistical=``; the page computes it, the core does not forecast) (a ``consensus``
  snapshot, shape in :func:`sop_core.process.cycle.consensus_content`);
- the **supply review** fixes the recommended scenario versions, saved in the store
  (``recommended``; at least one, each must exist);
- the **executive meeting** approves one of the recommended versions
  (:meth:`Store.approve_in <sop_core.store.scenarios.Store.approve_in>`) and records it as the
  cycle's plan (``approved``), in one transaction: both are written or neither.

Snapshots and signed-off steps are refused UPDATE and DELETE by the database itself
(migration 0004), so later edits of the workspace or of a scenario never change them:
a new save is a new version, and the snapshot keeps naming the version it fixed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

import pandas as pd
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sop_core.base.access import Actor, require
from sop_core.base.errors import InputError, Problem
from sop_core.process.cycle import (
    STEPS,
    Comment,
    Cycle,
    LogEntry,
    Snapshot,
    Step,
    StepDef,
    check_month,
    check_statistical,
    consensus_content,
    cycle_label,
    month_of,
    step_def,
)
from sop_core.store.audit import record
from sop_core.store.common import actor_of, as_utc, check_author
from sop_core.store.scenarios import Store, approve_conflict
from sop_core.store.schema import (
    AUTHOR_MAX,
    NAME_MAX,
    CycleCommentRow,
    CycleLogRow,
    CycleRow,
    CycleSnapshotRow,
    CycleStepRow,
    WorkspaceRow,
)
from sop_core.store.workspaces import Workspaces, read_state

TEXT_MAX = 2000


def _audit_cycle(
    s: Session,
    actor: Actor,
    action: str,
    ws: WorkspaceRow,
    month: str,
    what: str | None = None,
    **fields: Any,
) -> None:
    """One audit row about the company's ``month`` cycle (``what``: the step or log entry
    in words), in ``s``'s transaction (:func:`sop_core.store.audit.record`)."""
    record(
        s,
        actor,
        action,
        object_kind="cycle",
        object_key=month,
        object=cycle_label(month) + (f": {what}" if what else ""),
        company=ws.name,
        **fields,
    )


class CycleNotFound(InputError):
    """No cycle of that company and month."""


def _text(value: Any, field_name: str, what: str) -> str:
    text = str(value or "").strip()
    if not text:
        raise InputError(Problem(field_name, f"is empty; write {what}"))
    if len(text) > TEXT_MAX:
        raise InputError(
            Problem(field_name, f"must be at most {TEXT_MAX} characters, got {len(text)}")
        )
    return text


class Cycles:
    """The monthly cycles of one store; safe to share between threads like the store."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.spaces = Workspaces(store)

    # -- reading

    def months(self, company: str) -> list[str]:
        """The months the company has cycles for, oldest first."""
        with self.store.session() as s:
            ws = self.spaces._row(s, company)
            return list(
                s.scalars(
                    select(CycleRow.month)
                    .where(CycleRow.workspace_id == ws.id)
                    .order_by(CycleRow.month)
                )
            )

    def get(self, company: str, month: str) -> Cycle:
        """The company's cycle of ``month``; :class:`CycleNotFound` names the ones there are."""
        month = check_month(month)
        with self.store.session() as s:
            ws = self.spaces._row(s, company)
            return _cycle(s, ws, self._cycle_row(s, ws, month))

    def find(self, company: str, month: str) -> Cycle | None:
        """The company's cycle of ``month``, or ``None``."""
        try:
            return self.get(company, month)
        except CycleNotFound:
            return None

    def current(self, company: str, today: date | None = None) -> Cycle | None:
        """The cycle of this month (``today``'s), else the newest before it, else ``None``."""
        this = month_of(today)
        earlier = [m for m in self.months(company) if m <= this]
        return self.get(company, earlier[-1]) if earlier else None

    def previous(self, company: str, month: str) -> Cycle | None:
        """The company's newest cycle before ``month`` (``None``: this is the first)."""
        earlier = [m for m in self.months(company) if m < check_month(month)]
        return self.get(company, earlier[-1]) if earlier else None

    def _cycle_row(
        self, s: Session, ws: WorkspaceRow, month: str, *, lock: bool = False
    ) -> CycleRow:
        query = select(CycleRow).where(CycleRow.workspace_id == ws.id, CycleRow.month == month)
        row = s.scalar(query.with_for_update() if lock else query)
        if row is None:
            known = list(
                s.scalars(
                    select(CycleRow.month)
                    .where(CycleRow.workspace_id == ws.id)
                    .order_by(CycleRow.month)
                )
            )
            hint = ", ".join(known) if known else "none yet; start one on the Cycle page"
            raise CycleNotFound(
                Problem("month", f"{ws.name} has no {cycle_label(month)}; its cycles: {hint}")
            )
        return row

    # -- writing

    def create(self, company: str, month: str | None = None, *, author: str | Actor) -> Cycle:
        """Start the company's cycle of ``month`` (default: this month), every step open.
        Open assumptions and decisions of earlier cycles are carried into it.
        Raises :class:`InputError` when the month has a cycle already."""
        actor = actor_of(author)
        require(actor, "cycle", "month")
        month = check_month(month or month_of())
        now = datetime.now(UTC)
        try:
            with self.store.session(write=True) as s:
                ws = self.spaces._row(s, company)
                row = CycleRow(
                    workspace_id=ws.id, month=month, created_by=check_author(actor), created_at=now
                )
                s.add(row)
                s.flush()
                for i, d in enumerate(STEPS, start=1):
                    s.add(
                        CycleStepRow(
                            cycle_id=row.id,
                            step=d.key,
                            position=i,
                            owner_role=d.role,
                            status="open",
                        )
                    )
                _audit_cycle(
                    s,
                    actor,
                    "create",
                    ws,
                    month,
                    at=now,
                )
        except IntegrityError:
            raise InputError(
                Problem("month", f"{company} has a {cycle_label(month)} already; open it")
            ) from None
        return self.get(company, month)

    def set_status(
        self, company: str, month: str, step: str, status: str, *, author: str | Actor
    ) -> Cycle:
        """Mark ``step`` ``open`` or ``in_review`` (its owner's right); a signed-off step
        stays signed off, and sign-offs go through :meth:`sign_off`."""
        d = step_def(step)
        actor = actor_of(author)
        require(actor, d.action, "status")
        if status not in ("open", "in_review"):
            raise InputError(
                Problem(
                    "status",
                    f"must be 'open' or 'in_review', got {status!r}; to sign off use sign_off",
                )
            )
        with self.store.session(write=True) as s:
            ws, row = self._step_row(s, company, month, step)
            if row.status == "signed_off":
                raise InputError(Problem("status", f"{d.label} is signed off; a sign-off is final"))
            if row.status != status:
                _audit_cycle(
                    s,
                    actor,
                    "status",
                    ws,
                    month,
                    f"{d.label.lower()}",
                    field="status",
                    before=row.status,
                    after=status,
                )
                row.status = status
        return self.get(company, month)

    def sign_off(
        self,
        company: str,
        month: str,
        step: str,
        *,
        author: str | Actor,
        comment: str = "",
        recommended: Sequence[tuple[str, int] | str] | None = None,
        approve: tuple[str, int] | str | None = None,
        statistical: pd.DataFrame | None = None,
    ) -> Cycle:
        """Sign off ``step`` of the company's ``month`` cycle (see the module docstring).

        ``recommended`` (supply review): the scenario versions recommended, each a name
        (its latest version) or ``(name, version)``. ``approve`` (executive meeting): one
        of the recommended versions (a name alone: the recommended version of it).
        ``statistical`` (demand review): the statistical forecast to freeze with the
        consensus, columns family, period (the plan's labels), forecast
        (:func:`sop_core.process.cycle.consensus_content`); ignored by the other steps.
        The step before must be signed off. Raises :class:`InputError` saying what is
        missing, :class:`~sop_core.base.access.PermissionDenied` without the step's right."""
        d = step_def(step)
        actor = actor_of(author)
        require(actor, d.action, d.key)
        month = check_month(month)
        note = str(comment or "").strip()
        if d.freezes == "consensus" and statistical is not None:
            check_statistical(statistical)  # a bad frame is named as such, before anything
        cycle = self.get(company, month)
        reason = cycle.why_not_sign_off(step)
        if reason is not None:
            raise InputError(Problem(d.key, reason))
        approved: tuple[str, int] | None = None
        if d.freezes == "approved":
            approved = self._pick_approved(cycle, approve)
            require(actor, "approve", "status")
        try:
            return self._sign_off(
                company, month, d, actor, note, recommended, approved, statistical
            )
        except IntegrityError:
            if approved is None:
                raise
            raise approve_conflict(approved[0]) from None

    def _sign_off(
        self,
        company: str,
        month: str,
        d: StepDef,
        actor: Actor,
        note: str,
        recommended: Sequence[tuple[str, int] | str] | None,
        approved: tuple[str, int] | None,
        statistical: pd.DataFrame | None,
    ) -> Cycle:
        """:meth:`sign_off`'s transaction: the step row locked, the approval (executive
        meeting) written first, then the step re-checked, the snapshot, comment, audit row
        and status; a refusal anywhere rolls back all of it, the approval included."""
        step = d.key
        now = datetime.now(UTC)
        with self.store.session(write=True) as s:
            ws, row = self._step_row(s, company, month, step, lock=True)
            if approved is not None:  # commits with the sign-off, or not at all
                self.store.approve_in(s, approved[0], author=actor, version=approved[1])
            cycle = _cycle(s, ws, self._cycle_row(s, ws, month))
            reason = cycle.why_not_sign_off(step)
            if reason is not None:
                raise InputError(Problem(d.key, reason))
            content: dict[str, Any] | None = None
            if d.freezes == "consensus":
                try:
                    content = consensus_content(read_state(s, ws), statistical)
                except InputError as exc:
                    raise InputError(
                        [Problem(d.key, f"nothing to freeze: {p}") for p in exc.problems]
                    ) from None
            elif d.freezes == "recommended":
                content = {"scenarios": self._recommended(s, ws, recommended)}
            elif d.freezes == "approved":
                assert approved is not None
                content = {"name": approved[0], "version": approved[1]}
            if content is not None:
                s.add(
                    CycleSnapshotRow(
                        cycle_id=row.cycle_id,
                        step=d.key,
                        kind=d.freezes,
                        content=content,
                        taken_by=check_author(actor),
                        taken_at=now,
                    )
                )
            if note:
                s.add(
                    CycleCommentRow(
                        cycle_id=row.cycle_id,
                        step=d.key,
                        text=_text(note, "comment", "a comment"),
                        author=check_author(actor),
                        created_at=now,
                    )
                )
            _audit_cycle(
                s,
                actor,
                "sign off",
                ws,
                month,
                f"{d.label.lower()}",
                field="status",
                before=row.status,
                after={"status": "signed_off", **({d.freezes: content} if d.freezes else {})},
                at=now,
            )
            row.status = "signed_off"
            row.signed_off_by = check_author(actor)
            row.signed_off_at = now
        return self.get(company, month)

    def comment(
        self, company: str, month: str, step: str, text: str, *, author: str | Actor
    ) -> Cycle:
        """Add a comment to ``step`` (anyone with a role; see ``cycle_log``)."""
        d = step_def(step)
        actor = actor_of(author)
        require(actor, "cycle_log", "comment")
        text = _text(text, "comment", "a comment")
        with self.store.session(write=True) as s:
            ws, row = self._step_row(s, company, month, step)
            s.add(
                CycleCommentRow(
                    cycle_id=row.cycle_id,
                    step=d.key,
                    text=text,
                    author=check_author(actor),
                    created_at=datetime.now(UTC),
                )
            )
            _audit_cycle(
                s,
                actor,
                "comment",
                ws,
                month,
                f"{d.label.lower()}",
                after=text,
            )
        return self.get(company, month)

    def add_assumption(
        self,
        company: str,
        month: str,
        text: str,
        *,
        owner: str,
        family: str | None = None,
        author: str | Actor,
    ) -> int:
        """Log an assumption the plan rests on; returns its id."""
        return self._add(company, month, "assumption", text, owner, family, None, author)

    def add_decision(
        self,
        company: str,
        month: str,
        text: str,
        *,
        owner: str,
        due: date | None = None,
        family: str | None = None,
        author: str | Actor,
    ) -> int:
        """Log a decision: what was decided, by whom (``owner``), due when; returns its id."""
        return self._add(company, month, "decision", text, owner, family, due, author)

    def close(self, company: str, month: str, entry_id: int, *, author: str | Actor) -> Cycle:
        """Close an assumption or decision in the ``month`` cycle: it is no longer carried."""
        actor = actor_of(author)
        require(actor, "cycle_log", "close")
        month = check_month(month)
        with self.store.session(write=True) as s:
            ws = self.spaces._row(s, company)
            self._cycle_row(s, ws, month)
            row = s.get(CycleLogRow, entry_id)
            if row is None or row.workspace_id != ws.id:
                raise InputError(Problem("entry", f"{company} has no log entry {entry_id}"))
            if row.status == "closed":
                raise InputError(
                    Problem(
                        "entry",
                        f"{row.kind} {entry_id} was closed by {row.closed_by} in the "
                        f"{cycle_label(row.closed_month or '?')}",
                    )
                )
            _audit_cycle(
                s,
                actor,
                "close",
                ws,
                month,
                f"{row.kind} {entry_id}",
                field="status",
                before="open",
                after="closed",
            )
            row.status = "closed"
            row.closed_by = check_author(actor)
            row.closed_at = datetime.now(UTC)
            row.closed_month = month
        return self.get(company, month)

    # -- helpers

    def _add(
        self,
        company: str,
        month: str,
        kind: str,
        text: str,
        owner: str,
        family: str | None,
        due: date | None,
        author: str | Actor,
    ) -> int:
        actor = actor_of(author)
        require(actor, "cycle_log", kind)
        month = check_month(month)
        what = "the assumption" if kind == "assumption" else "what was decided"
        text = _text(text, "text", what)
        owner = _text(owner, "owner", "who owns it" if kind == "assumption" else "who decided")
        owner = owner[:AUTHOR_MAX]
        family = (family or "").strip()[:NAME_MAX] or None
        if due is not None and not isinstance(due, date):
            raise InputError(Problem("due", f"must be a date, got {due!r}"))
        with self.store.session(write=True) as s:
            ws = self.spaces._row(s, company)
            cycle = self._cycle_row(s, ws, month)
            row = CycleLogRow(
                workspace_id=ws.id,
                cycle_id=cycle.id,
                kind=kind,
                text=text,
                owner=owner,
                family=family,
                due=due,
                status="open",
                created_by=check_author(actor),
                created_at=datetime.now(UTC),
            )
            s.add(row)
            s.flush()
            _audit_cycle(
                s,
                actor,
                "create",
                ws,
                month,
                f"{kind} {row.id}",
                after={"text": text, "owner": owner, "family": family, "due": due},
            )
            return row.id

    def _step_row(
        self, s: Session, company: str, month: str, step: str, *, lock: bool = False
    ) -> tuple[WorkspaceRow, CycleStepRow]:
        ws = self.spaces._row(s, company)
        cycle = self._cycle_row(s, ws, check_month(month))
        query = select(CycleStepRow).where(
            CycleStepRow.cycle_id == cycle.id, CycleStepRow.step == step
        )
        row = s.scalar(query.with_for_update() if lock else query)
        assert row is not None, (company, month, step)
        return ws, row

    def _recommended(
        self, s: Session, ws: WorkspaceRow, wanted: Sequence[tuple[str, int] | str] | None
    ) -> list[dict[str, Any]]:
        if not wanted:
            raise InputError(
                Problem(
                    "recommended",
                    "name the scenario versions the supply review recommends (one or "
                    "more); save them on the Scenarios page first",
                )
            )
        out: list[dict[str, Any]] = []
        for item in wanted:
            name, version = (item, None) if isinstance(item, str) else item
            header = self.store._header(s, name, "recommended")
            if header.workspace_id not in (None, ws.id):
                raise InputError(
                    Problem("recommended", f"scenario {name!r} belongs to another company")
                )
            row = self.store._version_row(s, header, version)
            entry = {"name": header.name, "version": row.version}
            if entry not in out:
                out.append(entry)
        return out

    def _pick_approved(
        self, cycle: Cycle, approve: tuple[str, int] | str | None
    ) -> tuple[str, int]:
        options = cycle.recommended
        listed = ", ".join(f"{n} v{v}" for n, v in options) or "none"
        if approve is None:
            if len(options) == 1:
                return options[0]
            raise InputError(
                Problem(
                    "approve", f"choose the scenario to approve among the recommended: {listed}"
                )
            )
        if isinstance(approve, str):
            match = [o for o in options if o[0] == approve]
        else:
            match = [o for o in options if o == (approve[0], int(approve[1]))]
        if not match:
            shown = approve if isinstance(approve, str) else f"{approve[0]} v{approve[1]}"
            raise InputError(
                Problem(
                    "approve",
                    f"{shown} was not recommended by the supply review; approve one of: {listed}",
                )
            )
        return match[0]


# --------------------------------------------------------------------------- reading rows


def _cycle(s: Session, ws: WorkspaceRow, row: CycleRow) -> Cycle:
    comments = list(
        s.scalars(
            select(CycleCommentRow)
            .where(CycleCommentRow.cycle_id == row.id)
            .order_by(CycleCommentRow.id)
        )
    )
    steps = tuple(
        Step(
            key=r.step,
            label=step_def(r.step).label,
            position=r.position,
            owner_role=r.owner_role,
            status=r.status,  # type: ignore[arg-type]
            signed_off_by=r.signed_off_by,
            signed_off_at=as_utc(r.signed_off_at) if r.signed_off_at else None,
            comments=tuple(
                Comment(c.step, c.text, c.author, as_utc(c.created_at))
                for c in comments
                if c.step == r.step
            ),
        )
        for r in s.scalars(
            select(CycleStepRow)
            .where(CycleStepRow.cycle_id == row.id)
            .order_by(CycleStepRow.position)
        )
    )
    snapshots = tuple(
        Snapshot(r.step, r.kind, dict(r.content), r.taken_by, as_utc(r.taken_at))
        for r in s.scalars(
            select(CycleSnapshotRow)
            .where(CycleSnapshotRow.cycle_id == row.id)
            .order_by(CycleSnapshotRow.id)
        )
    )
    # the log of this cycle: raised in it or earlier, and open or closed in it or later
    raised = {
        cid: m
        for cid, m in s.execute(
            select(CycleRow.id, CycleRow.month).where(CycleRow.workspace_id == ws.id)
        )
    }
    log_rows = s.scalars(
        select(CycleLogRow)
        .where(
            CycleLogRow.workspace_id == ws.id,
            or_(CycleLogRow.closed_month.is_(None), CycleLogRow.closed_month >= row.month),
        )
        .order_by(CycleLogRow.id)
    )
    log = tuple(
        LogEntry(
            id=r.id,
            kind=r.kind,  # type: ignore[arg-type]
            text=r.text,
            owner=r.owner,
            family=r.family,
            due=r.due,
            status=r.status if r.closed_month is None or r.closed_month <= row.month else "open",  # type: ignore[arg-type]
            raised=raised[r.cycle_id],
            created_by=r.created_by,
            created_at=as_utc(r.created_at),
            closed_by=r.closed_by if r.closed_month == row.month else None,
            closed_at=as_utc(r.closed_at) if r.closed_at and r.closed_month == row.month else None,
            closed_month=r.closed_month if r.closed_month == row.month else None,
        )
        for r in log_rows
        if raised[r.cycle_id] <= row.month
    )
    return Cycle(
        company=ws.name,
        month=row.month,
        created_by=row.created_by,
        created_at=as_utc(row.created_at),
        steps=steps,
        snapshots=snapshots,
        log=log,
    )
