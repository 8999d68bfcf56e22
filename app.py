"""The S&OP workbench: `streamlit run app.py` opens it on the embedded sample company.

Pages (files in pages/, registered here; st.navigation turns off auto-discovery):
Demand → Capacity → Plan (the live what-if) → Executive (the one balance chart) → Scenarios.
Add ``?present=1`` to a page's URL for presentation mode: no sidebar, no controls, large type.
"""

from __future__ import annotations

import streamlit as st

from pages._common import current_scenario, init_session, presenting

st.set_page_config(
    page_title="S&OP workbench",
    page_icon=":material/balance:",
    layout="wide",
    initial_sidebar_state="expanded",
)

init_session()

pages = {
    "Plan": [
        st.Page(
            "pages/demand.py", title="Demand", icon=":material/trending_up:", url_path="demand"
        ),
        st.Page(
            "pages/capacity.py", title="Capacity", icon=":material/factory:", url_path="capacity"
        ),
        st.Page(
            "pages/plan.py", title="Plan", icon=":material/tune:", url_path="plan", default=True
        ),
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
    ],
}
page = st.navigation(pages, position="hidden" if presenting() else "sidebar")

if presenting():
    st.html(
        "<style>[data-testid='stSidebar'], [data-testid='stSidebarCollapsedControl'],"
        " [data-testid='stToolbar'] { display: none !important; }</style>"
    )
else:
    scenario = current_scenario()
    with st.sidebar:
        st.caption("Current scenario")
        st.markdown(f"**{scenario.name}**")
        periods = scenario.period_labels
        st.caption(
            f"{len(scenario.families)} families · {len(periods)} periods "
            f"({periods[0]} – {periods[-1]})"
        )
        st.caption(f"Data: {st.session_state.scenario_source}")
        if st.session_state.whatifs:
            st.caption(f"{len(st.session_state.whatifs)} what-if(s) kept this session")

page.run()
