"""The S&OP workbench: `streamlit run app.py` opens it on the embedded sample company.

Pages (files in pages/, registered here; st.navigation turns off auto-discovery):
Home (where we stand: the cycle, what waits for me, the approved plan, the exceptions),
the Cycle (this month's S&OP cycle, its sign-offs and log); Launches and phase-outs
(product development's) → Demand → Capacity →
Plan (the live what-if, at /plan) → Schedule; Executive (the one balance chart),
Scenarios and the Audit trail. With a sign-in provider configured (see pages/_access.py)
only the sign-in page is served until the person has signed in.
Add ``?present=1`` to a page's URL for presentation mode: no sidebar, no controls, large type.
"""

from __future__ import annotations

import streamlit as st

from pages._access import sign_in_gate
from pages._common import presenting
from pages._sidebar import company_sidebar
from pages._workspace import init_session, show_flash, state, sync_company_url
from sop_core.base.errors import InputError, StoreUnavailable

st.set_page_config(
    page_title="S&OP workbench",
    page_icon=":material/balance:",
    layout="wide",
    initial_sidebar_state="expanded",
)

sign_in_gate()  # with a sign-in provider configured, nothing below runs until signed in

try:
    init_session()
except (StoreUnavailable, InputError) as exc:  # the store is the system of record
    st.error(f"The workbench's database cannot be opened: {exc}")
    st.stop()

pages = {
    "S&OP": [
        st.Page(
            "pages/home.py",
            title="Home",
            icon=":material/home:",
            default=True,  # served at "/" (the default page has no other path)
        ),
        st.Page("pages/cycle.py", title="Cycle", icon=":material/event_repeat:", url_path="cycle"),
    ],
    "Plan": [
        st.Page(
            "pages/launches.py",
            title="Launches and phase-outs",
            icon=":material/rocket_launch:",
            url_path="launches",
        ),
        st.Page(
            "pages/demand.py", title="Demand", icon=":material/trending_up:", url_path="demand"
        ),
        st.Page(
            "pages/capacity.py", title="Capacity", icon=":material/factory:", url_path="capacity"
        ),
        st.Page("pages/plan.py", title="Plan", icon=":material/tune:", url_path="plan"),
        st.Page(
            "pages/schedule.py",
            title="Schedule",
            icon=":material/calendar_view_week:",
            url_path="schedule",
        ),
    ],
    "Decide": [
        st.Page(
            "pages/executive.py",
            title="Executive",
            icon=":material/co_present:",
            url_path="executive",
        ),
        st.Page(
            "pages/scenarios.py",
            title="Scenarios",
            icon=":material/folder_open:",
            url_path="scenarios",
        ),
        st.Page(
            "pages/audit.py",
            title="Audit trail",
            icon=":material/history_edu:",
            url_path="audit",
        ),
    ],
}
page = st.navigation(pages, position="hidden" if presenting() else "sidebar")
sync_company_url()

# tile labels and button labels wrap rather than end in "…" on a narrow screen
st.html(
    "<style>[data-testid='stMetricLabel'] *, [data-testid='stBaseButton-primary'] *,"
    " [data-testid='stBaseButton-secondary'] * { white-space: normal !important;"
    " overflow: visible !important; text-overflow: clip !important; }</style>"
)
if presenting():
    st.html(
        "<style>[data-testid='stSidebar'], [data-testid='stSidebarCollapsedControl'],"
        " [data-testid='stToolbar'] { display: none !important; }</style>"
    )
else:
    with st.sidebar:
        company_sidebar(state())
show_flash()

page.run()
