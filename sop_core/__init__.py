"""sop_core: the S&OP workbench's brain (no Streamlit here).

Modules, one concern each:
- ``scenario``  the scenario model and file format (the spine)
- ``lp``        the aggregate-planning LP: variables and one function per constraint family
- ``planner``   compiled model, fast warm re-solves, results, KPIs, infeasibility diagnosis
- ``cli``       ``python -m sop_core ...``
"""
