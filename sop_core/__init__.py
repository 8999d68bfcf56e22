"""sop_core: the S&OP workbench's brain (no Streamlit here).

Modules, one concern each:
- ``scenario``   the scenario model and file format (the spine); ``errors`` the InputError
- ``lp``         the aggregate-planning LP: variables, one function per constraint family
- ``planner``    compiled model, fast warm re-solves, results, KPIs, infeasibility diagnosis
- ``history``    sales history import and validation
- ``models``, ``accuracy``, ``forecast``, ``parallel``   forecasting models, backtests,
                 per-series model choice, local pool or dask
- ``consensus``  planner adjustments and the hand-over of a forecast to a scenario
- ``store``, ``store_schema``   the versioned scenario store (SQLite or PostgreSQL)
- ``cli`` and ``cli_*``         ``python -m sop_core ...``
"""
