"""Who may do what: roles, the one table of actions, and the person behind each change.

Everyone who changes the store is an :class:`Actor`: a name, an e-mail (when signed in)
and roles. The app makes one from the signed-in user (Streamlit's ``st.login``, OpenID
Connect) and the role config; without a provider configured it runs in **local
single-user mode**, where the actor has every role. The command line and tests pass a
plain name, which is the same trusted local actor (whoever can run the CLI can open
the database file anyway).

Roles (:data:`ROLES`) and what each may do (:data:`ACTIONS`, the one table the pages and
the store both read):

=================  =========================================================
role               may
=================  =========================================================
demand planner     upload history, adjust the consensus, hand it to the plan, enter
                   actuals; start a monthly cycle, sign off data gathering and demand
                   review
supply planner     capacity, resources, calendar, policy, what-ifs, scenarios, actuals;
                   sign off the supply review
finance            costs and prices, the business plan; sign off the financial
                   reconciliation
executive          approve scenarios, sign off the executive meeting
product developer  add, change and remove launches and phase-outs (the portfolio)
admin              start companies and cycles, delete scenarios (users and roles: the
                   role file, see :func:`load_roles`)
=================  =========================================================

Every role but admin may comment on a cycle's steps and log (and close) assumptions and
decisions (``cycle_log``).

The store checks every change with :func:`require` (a page that hides a button is a
courtesy; a forged request still meets the check) and raises :class:`PermissionDenied`,
which names the action, the roles that may do it and the person's own roles.

The role config is a TOML file (``SOP_ROLES_FILE``, default ``.streamlit/roles.toml``)::

    [roles]
    "ana@acme.example" = ["demand planner"]
    "@acme.example" = ["executive"]        # everyone with an address at acme.example

A person's roles are the union of the entries for their address and their domain.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sop_core.base.errors import InputError, Problem
from sop_core.base.fields import MONEY_FIELDS

#: role -> label, in the order the README and the pages list them
ROLES: dict[str, str] = {
    "demand_planner": "demand planner",
    "supply_planner": "supply planner",
    "finance": "finance",
    "executive": "executive",
    "product_developer": "product developer",
    "admin": "admin",
}
ALL_ROLES: frozenset[str] = frozenset(ROLES)


@dataclass(frozen=True)
class Action:
    """Something the store lets a person do: its words and the roles that may."""

    name: str
    label: str  # completes "… may <label>"
    roles: frozenset[str]


def _action(name: str, label: str, *roles: str) -> tuple[str, Action]:
    assert set(roles) <= ALL_ROLES, roles
    return name, Action(name, label, frozenset(roles))


#: the one table of actions: every permission check and every disabled control reads it
ACTIONS: dict[str, Action] = dict(
    [
        _action("history", "upload sales history", "demand_planner"),
        _action("consensus", "adjust the consensus forecast", "demand_planner"),
        _action("plan_demand", "hand the consensus to the plan", "demand_planner"),
        _action("capacity", "change hours, limits and families", "supply_planner"),
        _action("money", "change costs and prices", "finance"),
        _action("budget", "change the business plan", "finance"),
        _action(
            "actuals",
            "enter actual production, inventory and backlog",
            "demand_planner",
            "supply_planner",
        ),
        _action("settings", "change resources, calendar and policy", "supply_planner"),
        _action("whatif", "keep what-ifs and save scenarios", "supply_planner"),
        _action("approve", "approve a scenario", "executive"),
        _action("targets", "set the scorecard's targets", "executive"),
        _action("portfolio", "add, change and remove launches and phase-outs", "product_developer"),
        _action("company", "start a company", "admin"),
        _action("delete", "delete scenarios", "admin"),
        # the monthly S&OP cycle (sop_core.process.cycle): who starts it, who signs off each step
        _action("cycle", "start a monthly S&OP cycle", "demand_planner", "admin"),
        _action(
            "cycle_log",
            "comment, log assumptions and decisions, and close them",
            "demand_planner",
            "supply_planner",
            "finance",
            "executive",
            "product_developer",
        ),
        _action("signoff_data", "sign off data gathering", "demand_planner"),
        _action("signoff_demand", "sign off the demand review", "demand_planner"),
        _action("signoff_supply", "sign off the supply review", "supply_planner"),
        _action("signoff_finance", "sign off the financial reconciliation", "finance"),
        _action("signoff_executive", "sign off the executive meeting", "executive"),
    ]
)


@dataclass(frozen=True)
class Actor:
    """The person behind a change: their name, e-mail and roles."""

    name: str
    email: str | None = None
    roles: frozenset[str] = field(default=ALL_ROLES)
    signed_in: bool = False

    @property
    def author(self) -> str:
        """How the store's ``author`` columns name this person."""
        if self.email and self.email != self.name:
            return f"{self.name} <{self.email}>"
        return self.name

    @property
    def role_words(self) -> str:
        named = [label for role, label in ROLES.items() if role in self.roles]
        return ", ".join(named) if named else "no role"

    def may(self, action: str) -> bool:
        return bool(ACTIONS[action].roles & self.roles)

    def why_not(self, action: str) -> str | None:
        """``None`` when allowed, else a short reason in words (for a disabled control)."""
        if self.may(action):
            return None
        a = ACTIONS[action]
        who = " or ".join(_person(r) for r in ROLES if r in a.roles)
        return f"Only {who} may {a.label}; you are: {self.role_words}."


def _person(role: str) -> str:
    """Someone with ``role``, in words: "a supply planner", "an executive"."""
    if role == "finance":
        return "someone in finance"
    label = ROLES[role]
    return ("an " if label[0] in "aeiou" else "a ") + label


class PermissionDenied(InputError):
    """The person may not do this; ``problems`` says who may."""


def local_actor(name: str) -> Actor:
    """The trusted local actor (single-user mode, the CLI, tests): every role."""
    return Actor(name=name, roles=ALL_ROLES, signed_in=False)


def as_actor(author: str | Actor) -> Actor:
    """``author`` as an :class:`Actor`; a plain name is the trusted local actor."""
    return author if isinstance(author, Actor) else local_actor(author)


def require(actor: Actor, action: str, what: str | None = None) -> None:
    """Raise :class:`PermissionDenied` unless ``actor`` may do ``action``."""
    reason = actor.why_not(action)
    if reason is not None:
        raise PermissionDenied(Problem(what or action, f"not allowed: {reason}"))


def require_all(actor: Actor, actions: Iterable[str], what: str | None = None) -> None:
    for action in dict.fromkeys(actions):
        require(actor, action, what)


def edit_action(kind: str, field_name: str | None, key: str | None = None) -> str:
    """The action a workspace edit needs (see :mod:`sop_core.process.workspace` for the kinds).

    A family or workforce cell is ``money`` when it is a cost or a price
    (:data:`sop_core.base.fields.MONEY_FIELDS`) and ``capacity`` otherwise; adding or removing
    a whole family is ``capacity``; a family's plan demand and the plan item are
    ``plan_demand``; a family's launch and phase-out are ``portfolio``; the names a
    family has in uploaded histories are ``history``; the business plan's rows are
    ``budget`` and the actuals' ``actuals``; the scorecard's targets (the ``setting``
    item ``targets``) are ``targets``."""
    if kind == "setting" and key == "targets":
        return "targets"
    if kind == "family" and field_name == "demand":
        return "plan_demand"
    if kind == "family" and field_name == "history_names":
        return "history"
    if kind == "family" and field_name in ("launch", "phase_out"):
        return "portfolio"
    if kind in ("family", "workforce"):
        return "money" if field_name in MONEY_FIELDS else "capacity"
    return {
        "plan": "plan_demand",
        "policy": "settings",
        "setting": "settings",
        "adjustment": "consensus",
        "history": "history",
        "whatif": "whatif",
        "budget": "budget",
        "actual": "actuals",
    }.get(kind, "capacity")


def edits_actions(edits: Iterable[Any]) -> list[str]:
    """The actions a list of workspace edits (``kind``, ``field``, ``before``, ``after``)
    needs, each once: :func:`edit_action` of each, except that when the edits rename or
    remove a family, what is edited with it follows the family (``capacity``): the
    adjustments, business plan and actuals rows naming it, the launches and phase-outs
    naming it, and the old name kept as a name the family has in histories; and adding
    or removing a launch's family is ``portfolio``."""
    edits = list(edits)
    family_moves = any(
        e.kind == "family" and (e.field == "name" or (e.field is None and e.after is None))
        for e in edits
    )
    needed: dict[str, None] = {}
    for e in edits:
        action = edit_action(e.kind, e.field, e.key)
        if family_moves and (
            e.kind in ("adjustment", "budget", "actual")
            or e.field in ("history_names", "launch", "phase_out")
        ):
            action = "capacity"
        if e.kind == "family" and e.field is None and _is_launch(e.before, e.after):
            action = "portfolio"  # a launch's family comes and goes with the launch
        needed[action] = None
    return list(needed)


def _is_launch(*values: Any) -> bool:
    """Whether a family item's value (before or after an edit) is a launch's."""
    return any(isinstance(v, Mapping) and v.get("launch") for v in values)


# --------------------------------------------------------------------------- role config

ROLES_FILE_ENV = "SOP_ROLES_FILE"
DEFAULT_ROLES_FILE = Path(".streamlit") / "roles.toml"


@dataclass(frozen=True)
class RoleConfig:
    """E-mail addresses and domains (``@acme.example``) -> roles."""

    grants: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def roles_for(self, email: str | None) -> frozenset[str]:
        if not email:
            return frozenset()
        email = email.strip().lower()
        domain = "@" + email.rsplit("@", 1)[-1] if "@" in email else None
        roles: set[str] = set()
        for who, granted in self.grants.items():
            if who == email or (domain is not None and who == domain):
                roles |= granted
        return frozenset(roles)

    def actor(self, email: str | None, name: str | None) -> Actor:
        """The signed-in person as an :class:`Actor` (no entry: no role, read only)."""
        label = (name or email or "signed-in user").strip()
        return Actor(name=label, email=email, roles=self.roles_for(email), signed_in=True)


def _role_key(label: Any, where: str) -> str:
    if isinstance(label, str):
        key = label.strip().lower().replace("-", " ").replace(" ", "_")
        if key in ROLES:
            return key
    known = ", ".join(repr(v) for v in ROLES.values())
    raise InputError(Problem(where, f"unknown role {label!r}; roles are {known}"))


def parse_roles(data: Mapping[str, Any], source: str = "roles") -> RoleConfig:
    """A :class:`RoleConfig` from the TOML's parsed ``data``; errors name the entry."""
    table = data.get("roles", {})
    if not isinstance(table, Mapping):
        raise InputError(Problem(f"{source}: roles", "must be a table of address = [roles]"))
    grants: dict[str, frozenset[str]] = {}
    problems: list[Problem] = []
    for who, roles in table.items():
        where = f"{source}: roles.{who!r}"
        key = str(who).strip().lower()
        if "@" not in key or key.endswith("@"):
            problems.append(
                Problem(where, "must be an e-mail address or a domain such as '@acme.example'")
            )
            continue
        if isinstance(roles, str):
            roles = [roles]
        if not isinstance(roles, list):
            problems.append(Problem(where, f"must be a list of roles, got {roles!r}"))
            continue
        try:
            grants[key] = frozenset(_role_key(r, where) for r in roles)
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    return RoleConfig(grants)


def roles_path() -> Path:
    return Path(os.environ.get(ROLES_FILE_ENV) or DEFAULT_ROLES_FILE)


def load_roles(path: Path | None = None) -> RoleConfig:
    """The role config from ``path`` (default: :func:`roles_path`); none there: nobody
    signed in has a role until an admin writes the file."""
    path = path or roles_path()
    if not path.is_file():
        return RoleConfig()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(Problem(str(path), f"is not valid TOML: {exc}")) from None
    return parse_roles(data, source=str(path))
