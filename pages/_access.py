"""Who is using the app: sign-in (Streamlit's ``st.login``), the person's roles, and
controls that show what they may do.

With an ``[auth]`` section in ``.streamlit/secrets.toml`` the app asks everyone to sign
in with the configured OpenID Connect provider; the signed-in person's e-mail and name
are the author of every change, and their roles come from the role file
(:func:`sop_core.base.access.load_roles`). Without it (``make run`` on a laptop) the app is
in local single-user mode: the sidebar says so, the name typed there is the author,
and that person has every right. The store checks each right again
(:mod:`sop_core.base.access`): what this module disables is a courtesy, not the lock.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote, unquote

import streamlit as st

from sop_core.base.access import Actor, RoleConfig, load_roles, local_actor, roles_path
from sop_core.base.errors import InputError
from sop_core.base.fields import MONEY_FIELDS

DEFAULT_AUTHOR = "planner"
#: the cookie that keeps the name typed in local mode, per browser, for a year
NAME_COOKIE = "sop_author"
NAME_COOKIE_DAYS = 365


@st.cache_data(ttl=30, show_spinner=False)
def auth_configured() -> bool:
    """Whether secrets configure a sign-in provider (an ``[auth]`` section); looked up
    at most every 30 s (without a secrets file Streamlit searches the disk each time)."""
    try:  # no secrets file (the laptop default) is not an error: local mode
        return st.secrets.load_if_toml_exists() and "auth" in st.secrets
    except (FileNotFoundError, OSError):
        return False


@st.cache_data(ttl=30, max_entries=4, show_spinner=False)
def _roles(path: str, mtime: float) -> RoleConfig | str:
    """The role file's config, or its error in words (re-read when the file changes)."""
    try:
        return load_roles(Path(path))
    except InputError as exc:
        return str(exc)


def role_config() -> RoleConfig:
    path = roles_path()
    mtime = path.stat().st_mtime if path.is_file() else 0.0
    config = _roles(str(path), mtime)
    if isinstance(config, str):
        st.error(f"The role file cannot be read, so nobody has a role: {config}")
        return RoleConfig()
    return config


def signed_in() -> bool:
    return bool(auth_configured() and st.user.is_logged_in)


def current_actor() -> Actor:
    """The person using this session (see the module docstring)."""
    if auth_configured():
        if not st.user.is_logged_in:
            return Actor(name="signed out", roles=frozenset(), signed_in=False)
        email = st.user.get("email")
        name = st.user.get("name")
        return role_config().actor(str(email) if email else None, str(name) if name else None)
    name = (st.session_state.get("author") or DEFAULT_AUTHOR).strip() or DEFAULT_AUTHOR
    return local_actor(name)


def may(action: str) -> bool:
    return current_actor().may(action)


def why_not(action: str) -> str | None:
    """``None`` when the person may, else the reason in words (for a control's help)."""
    return current_actor().why_not(action)


def guarded(action: str) -> dict[str, object]:
    """A control's ``disabled`` and ``help`` for ``action``: ``st.button(…, **guarded("approve"))``
    is disabled, saying why, when the person may not approve."""
    reason = why_not(action)
    return {"disabled": reason is not None, "help": reason}


def explain(action: str) -> bool:
    """Whether the person may do ``action``; if not, a caption saying why (draw it next
    to the disabled control)."""
    reason = why_not(action)
    if reason is not None:
        st.caption(f":material/lock: {reason}")
    return reason is None


def _sign_in_page() -> None:
    st.title("S&OP workbench")
    st.write(
        "Sales and operations planning for your company: demand, capacity and one "
        "cost-optimal plan. Sign in to continue."
    )
    if st.button("Sign in", type="primary", icon=":material/login:"):
        st.login()


def locked_columns(fields: dict[str, str]) -> list[str]:
    """The column labels of ``fields`` (field -> label) the person may not edit: costs
    and prices without the finance role, the rest without the supply planner's."""
    actor = current_actor()
    return [
        label
        for name, label in fields.items()
        if not actor.may("money" if name in MONEY_FIELDS else "capacity")
    ]


def sign_in_gate() -> None:
    """With a provider configured, show only the sign-in page until the person has
    signed in (no other page is even registered, so none can be opened by URL)."""
    if not auth_configured() or st.user.is_logged_in:
        return
    st.navigation([st.Page(_sign_in_page, title="Sign in", default=True)], position="hidden").run()
    st.stop()


def account_sidebar() -> None:
    """Who is signed in and their roles, or the local mode's name field."""
    actor = current_actor()
    if actor.signed_in:
        st.caption(
            f":material/person: **{actor.name}**"
            + (f" · {actor.email}" if actor.email and actor.email != actor.name else "")
            + f"  \nRoles: {actor.role_words}"
        )
        if not actor.roles:
            st.caption(
                "You can read everything but change nothing: ask an admin to give your "
                f"address a role in `{roles_path()}`."
            )
        if st.button("Sign out", icon=":material/logout:", key="sidebar_sign_out"):
            st.logout()
        return
    remember_author()
    st.text_input(
        "Your name (recorded with every change)",
        value=actor.name,
        key="sidebar_author",
        on_change=_set_author,
    )
    st.caption(
        ":material/info: Local single-user mode: no sign-in is configured, so you have "
        "every right. To share the workbench with a team, see the README's sign-in section."
    )


def _set_author() -> None:
    st.session_state.author = st.session_state.sidebar_author.strip()


def remembered_author() -> str:
    """The name this browser typed last (its cookie), else :data:`DEFAULT_AUTHOR`."""
    try:
        kept = st.context.cookies.get(NAME_COOKIE)
    except Exception:  # no browser request behind this session (a test, a bare run)
        kept = None
    name = unquote(kept).strip() if isinstance(kept, str) else ""
    return name[:100] if name else DEFAULT_AUTHOR


def remember_author() -> None:
    """Keep the session's name in this browser (a cookie, read back by
    :func:`remembered_author` on the next visit), once per change of the name."""
    name = st.session_state.get("author") or DEFAULT_AUTHOR
    if st.session_state.get("author_kept") == name:
        return
    st.session_state.author_kept = name
    if name == remembered_author():
        return  # the browser has it already
    seconds = NAME_COOKIE_DAYS * 24 * 3600
    cookie = json.dumps(f"{NAME_COOKIE}={quote(name)}; path=/; max-age={seconds}; SameSite=Lax")
    st.html(f"<script>document.cookie = {cookie};</script>", unsafe_allow_javascript=True)
