"""The session's company: which workspace it works in, its state, and saving edits.

Every edit a page makes goes through :func:`commit` straight into the store (no save
button): a reload, a second tab or the next day shows what was saved. Pages read the
workspace through :func:`state` and plan :func:`current_scenario`.

Shared session-state keys (set by :func:`init_session`, called by ``app.py`` on every
full run; fragment reruns keep what they find):

``company``      the workspace's name (the sidebar's company selector; ``?company=`` in
                 the URL opens another)
``author``       the name typed in the sidebar in local single-user mode (signed in: the
                 person's own, see :mod:`pages._access`), recorded with every change
``ws_state``     the :class:`~sop_core.process.workspace.WorkspaceState` last read; refreshed
                 when the store's revision moved on (one cheap query per full run)
``scenario``     the scenario of that state (the same object while the revision holds,
                 so caches keyed on it stay warm), or ``None`` when it is incomplete
``flash``        messages of edits saved or refused by widget callbacks, shown once
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd
import streamlit as st

from pages._access import current_actor, remembered_author
from sop_core.base.access import Actor
from sop_core.base.errors import InputError
from sop_core.base.text import md_escape
from sop_core.demand.history import read_history
from sop_core.model.scenario import Scenario, load_scenario
from sop_core.process.workspace import Edit, WorkspaceState
from sop_core.services import companies, plans, scenarios
from sop_core.services.scenarios import StoredScenario
from sop_core.services.workbench import Workbench, connect, resolved_url

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
SAMPLE_FILES = ("sample_company.json", "red_tomato.json")
SAMPLE_HISTORY = DATA / "sample_history.csv"
SAMPLE_COMPANY = "Sample company"
T = TypeVar("T")


# --------------------------------------------------------------------------- the store


@st.cache_resource(max_entries=2)
def _workbench(url: str) -> Workbench:
    return connect(url)


def store_url() -> str | None:
    """The database URL from Streamlit secrets (``database_url``), if any."""
    try:
        return st.secrets.get("database_url")
    except Exception:  # no secrets file: the store uses $SOP_DATABASE_URL or SQLite
        return None


def workbench() -> Workbench:
    """The store every service acts on (thread-safe, shared by sessions); raises
    StoreUnavailable when the database does not answer."""
    return _workbench(resolved_url(store_url()))


# --------------------------------------------------------------------------- the sample


def sample_path() -> Path:
    """The embedded sample: the sample company when present, else Red Tomato Tools.

    ``$SOP_SAMPLE_SCENARIO`` (a scenario file) replaces it, e.g. for the latency benchmark."""
    override = os.environ.get("SOP_SAMPLE_SCENARIO", "").strip()
    if override:
        return Path(override)
    for name in SAMPLE_FILES:
        if (DATA / name).is_file():
            return DATA / name
    raise FileNotFoundError(f"none of {SAMPLE_FILES} in {DATA}")


def sample_company() -> str:
    """The name of the workspace a fresh store opens on."""
    override = os.environ.get("SOP_SAMPLE_SCENARIO", "").strip()
    return f"Sample: {Path(override).stem}" if override else SAMPLE_COMPANY


def seed_sample(wb: Workbench, author: str = "sample") -> None:
    """Create the sample company (its scenario and, for the embedded one, its sales
    history) unless it exists; two sessions racing to do it is harmless."""
    name = sample_company()
    if name in companies.company_names(wb):
        return
    with_history = not os.environ.get("SOP_SAMPLE_SCENARIO") and SAMPLE_HISTORY.is_file()
    companies.seed_company(
        wb,
        name,
        load_scenario(sample_path()),
        author=author,
        history=read_history(SAMPLE_HISTORY) if with_history else None,
        history_name=f"data/{SAMPLE_HISTORY.name}",
    )


# --------------------------------------------------------------------------- the session


def init_session() -> None:
    """Pick the company, refresh its state if the store moved on (once per full run)."""
    ss = st.session_state
    ss.setdefault("planners", {})
    ss.setdefault("whatif", None)
    ss.setdefault("flash", [])
    if "author" not in ss:  # the name this browser typed last, else the default
        ss.author = remembered_author()
        ss.author_kept = ss.author
    wb = workbench()
    if "company" not in ss:
        seed_sample(wb)
        wanted = st.query_params.get("company")
        names = companies.company_names(wb)
        ss.company = wanted if wanted in names else sample_company()
    cached: WorkspaceState | None = ss.get("ws_state")
    if (
        cached is None
        or cached.name != ss.company
        or companies.revision(wb, ss.company) != cached.revision
    ):
        set_state(companies.company_state(wb, ss.company))


def sync_company_url() -> None:
    """Name the company in the URL (unless it is the sample), so that a reload or a
    shared link opens it (called by ``app.py`` after ``st.navigation``)."""
    company = st.session_state.get("company")
    if company is not None and company != sample_company():
        if st.query_params.get("company") != company:
            st.query_params["company"] = company
    elif "company" in st.query_params:
        del st.query_params["company"]


def set_state(state: WorkspaceState) -> None:
    ss = st.session_state
    ss.ws_state = state
    try:
        scenario: Scenario | None = state.scenario()
        ss.scenario_problem = None
    except InputError as exc:
        scenario, ss.scenario_problem = None, exc
    old = ss.get("scenario")
    # keep the same object when nothing that plans changed, so caches keyed on it hold
    ss.scenario = old if old is not None and old == scenario else scenario


def state() -> WorkspaceState:
    """The company's workspace as last read (see :func:`init_session`)."""
    if "ws_state" not in st.session_state:
        init_session()
    return st.session_state.ws_state


def author() -> Actor:
    """The person using this session: every change is saved under their name and checked
    against their roles (:mod:`pages._access`)."""
    return current_actor()


def current_scenario() -> Scenario:
    """The scenario every page plans. When the company's data is incomplete (no family
    yet), says what is missing and stops the page."""
    state()
    scenario = st.session_state.get("scenario")
    if scenario is None:
        problem = st.session_state.get("scenario_problem")
        st.info(
            "This company cannot be planned yet:\n\n"
            + "\n".join(f"- {md_escape(p)}" for p in (problem.problems if problem else []))
        )
        st.stop()
    return scenario


def switch_company(name: str) -> None:
    ss = st.session_state
    ss.company = name
    ss.whatif = None
    set_state(companies.company_state(workbench(), name))


def flash(kind: str, text: str) -> None:
    """A message to show at the top of the next run (widget callbacks can't draw)."""
    st.session_state.setdefault("flash", []).append((kind, text))


def show_flash() -> None:
    for kind, text in st.session_state.pop("flash", []) or []:
        getattr(st, kind)(text)
    st.session_state.flash = []


#: where each step of the cycle is worked, for the link to the next step: (page, words)
STEP_PAGES: dict[str, tuple[str, str]] = {
    "data": ("pages/demand.py", "gather the sales history on the Demand page"),
    "demand": ("pages/demand.py", "the demand review on the Demand page"),
    "supply": ("pages/capacity.py", "the supply review on the Capacity and Plan pages"),
    "finance": ("pages/executive.py", "the business plan on the Executive page"),
    "executive": ("pages/executive.py", "the decision on the Executive page"),
}


def confirm(place: str, text: str, next_step: tuple[str, str] | None = None) -> None:
    """Confirm an action beside its button, where :func:`confirmation` of ``place`` is
    drawn (on this run or, after a rerun, the next): ``text`` (Markdown, escaped by the
    caller) and, when given, the next step as a link, ``next_step`` = (page, words)."""
    st.session_state.setdefault("confirmations", {})[place] = (text, next_step)


def confirmation(place: str) -> None:
    """Draw (once) what :func:`confirm` said for ``place``."""
    said = st.session_state.get("confirmations", {}).pop(place, None)
    if said is None:
        return
    text, next_step = said
    st.success(text, icon=":material/check_circle:")
    if next_step is not None:
        page, words = next_step
        st.page_link(page, label=f"Next: {words}", icon=":material/arrow_forward:")


def approved_scenario() -> StoredScenario | None:
    """This company's approved scenario at its approved version, or ``None``: each
    company has its own."""
    return scenarios.approved_scenario(workbench(), state().name)


def approved_plan():
    """This company's approved plan (the time fence's reference), solved once per approved
    version and kept in the session; None if nothing is approved or no store answers."""
    try:
        stored = approved_scenario()
    except Exception:  # no store: nothing is approved, nothing is frozen
        return None
    if stored is None:
        return None
    key = (stored.name, stored.version, stored.created_at)
    kept = st.session_state.get("fence_approved")
    if kept is not None and kept[0] == key:
        return kept[1]
    plan = plans.approved_plan(stored)
    st.session_state.fence_approved = (key, plan)
    return plan


def refusal(exc: InputError) -> str:
    """A refused change in words: "Not saved:" and each problem."""
    return "Not saved:\n\n" + "\n".join(f"- {md_escape(p)}" for p in exc.problems)


def perform(
    action: Callable[[Workbench, str, Actor], T],
    refused: Callable[[InputError], None] | None = None,
) -> T | None:
    """Run a service action on this session's company as this person:
    ``action(workbench, company, person)``. The company's new state it returns (alone or
    first of a pair) becomes the session's; a refusal (someone else changed a cell first,
    an invalid value, a right the person lacks) gives None and goes to ``refused``
    (default: flashed at the top of the page with the service's message)."""
    try:
        result = action(workbench(), st.session_state.company, author())
    except InputError as exc:
        if refused is None:
            flash("error", refusal(exc))
        else:
            refused(exc)
        return None
    new = result[0] if isinstance(result, tuple) else result
    if isinstance(new, WorkspaceState):
        set_state(new)
    return result


def commit(
    edits: list[Edit],
    summary: str | None = None,
    as_action: str | None = None,
    refused: Callable[[InputError], None] | None = None,
) -> bool:
    """Save ``edits`` as one action (:func:`sop_core.services.companies.edit_company`);
    a refusal goes to ``refused`` (default: flashed). Returns whether it was saved."""
    if not edits:
        return True
    saved = perform(
        lambda wb, company, who: companies.edit_company(
            wb, company, edits, author=who, summary=summary, as_action=as_action
        ),
        refused,
    )
    return saved is not None


def undo() -> None:
    """Undo the company's newest action (a button callback)."""
    try:
        new, what = companies.undo_last(workbench(), st.session_state.company, author=author())
    except InputError as exc:
        flash("warning", "\n".join(md_escape(p.message) for p in exc.problems))
        return
    set_state(new)
    flash("success", f"Undone: {md_escape(what)}")


# --------------------------------------------------------------------------- history


@st.cache_data(max_entries=8, show_spinner=False)
def stored_history(store_url: str, upload_id: int) -> pd.DataFrame:
    """An uploaded history as kept in a store (immutable, so cached by store and id)."""
    return companies.stored_history(workbench(), upload_id)


def company_history(ws: WorkspaceState | None = None) -> tuple[pd.DataFrame | None, str]:
    """The company's sales history in use, its families named as the company names
    them, and the file's name; ``(None, "")`` before any upload."""
    ws = ws or state()
    upload = ws.history_upload
    if not upload:
        return None, ""
    frame = stored_history(workbench().url, int(upload["upload_id"]))
    return ws.planned_history(frame), str(upload["name"])


# --------------------------------------------------------------------------- editors


def apply_editor_delta(frame: pd.DataFrame, delta: dict[str, Any]) -> pd.DataFrame:
    """The table a ``st.data_editor`` shows after the user's edits (its session value:
    ``edited_rows`` and ``deleted_rows`` by position, ``added_rows``). Added rows get
    a missing index value."""
    out = frame.copy()
    for pos, changes in (delta.get("edited_rows") or {}).items():
        for col, value in changes.items():
            if col in out.columns:
                out.iloc[int(pos), out.columns.get_loc(col)] = value
    deleted = {int(i) for i in delta.get("deleted_rows") or []}
    out = out.iloc[[i for i in range(len(out)) if i not in deleted]]
    added = [r for r in delta.get("added_rows") or [] if r]
    if added:
        new = pd.DataFrame(added, index=pd.Index([None] * len(added), name=out.index.name))
        out = pd.concat([out, new])
    return out


def saved_editor(
    name: str,
    frame: pd.DataFrame,
    to_edits: Callable[[pd.DataFrame], list[Edit]],
    *,
    summary: str | None = None,
    **kwargs: Any,
) -> None:
    """A ``st.data_editor`` whose every edit is saved as it is made.

    ``frame`` has a ``key`` column (each row's item key, blank for none). The editor
    shows the other columns on a plain (hidden) row index: a hidden column would shift
    the editor's column positions, and an editor that adds and deletes rows shows any
    other index as an editable column. The editor's changes come by row position, so
    they are applied to the frame with its keys.
    ``to_edits`` turns the edited table into edits against the state the table was
    drawn from (its ``before`` values), so an edit of a cell someone else changed
    meanwhile is refused and told, never written over theirs. The key carries the
    revision, so after a save the table is drawn afresh from the store; a refused edit
    is taken back out of the table (a new key draws it as stored) and told just above
    it, where the person is looking."""
    ss = st.session_state
    resets, told = f"{name}_resets", f"{name}_refused"
    key = f"{name}_{state().revision}_{ss.get(resets, 0)}"
    keyed = frame.set_index("key")
    shown = keyed.reset_index(drop=True)

    def refuse(exc: InputError) -> None:
        ss[told] = refusal(exc) + "\n\nThe table shows what is saved."
        ss[resets] = ss.get(resets, 0) + 1  # the refused value leaves the cell

    def save() -> None:
        ss.pop(told, None)
        edited = apply_editor_delta(keyed, ss.get(key) or {}).reset_index()
        try:
            edits = to_edits(edited)
        except InputError as exc:
            refuse(exc)
            return
        commit(edits, summary, refused=refuse)

    message = ss.pop(told, None)  # told once, beside the table
    if message:
        st.error(message, icon=":material/undo:")
    st.data_editor(shown, key=key, on_change=save, hide_index=True, **kwargs)
