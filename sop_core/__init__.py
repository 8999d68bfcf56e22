"""sop_core: the S&OP workbench's brain (no Streamlit here).

Modules, one concern each:
- ``scenario``   the scenario model and file format (the spine); ``errors`` the InputError
- ``lp``         the aggregate-planning LP: variables, one function per constraint family,
                 and the block table (COLUMNS, ROWS) everything compiled derives from
- ``planner``    compiled model, fast warm re-solves, the time fence
- ``results``, ``diagnosis``   result tables, KPIs, shadow prices; why no plan fits
- ``workdays``   the working-day calendar (public holidays, shutdowns)
- ``history``    sales history import and validation
- ``models``, ``accuracy``, ``forecast``, ``parallel``   forecasting models, backtests,
                 per-series model choice, local pool or dask
- ``consensus``  planner adjustments and the hand-over of a forecast to a scenario
- ``store``, ``store_schema``   the versioned scenario store (SQLite or PostgreSQL)
- ``cli`` and ``cli_*``         ``python -m sop_core ...``
"""
