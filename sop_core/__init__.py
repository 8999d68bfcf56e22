"""sop_core: the S&OP workbench's brain (no Streamlit here).

Sub-packages by job, in layers that only import downward (checked by import-linter,
``.importlinter``; the README's "The layers" draws them):

- ``cli``       the command line (``python -m sop_core``)
- ``services``  one function per user action; the one fenced solve of any shown plan
- ``reports``   charts, exports, the meeting pack, the company workbook
- ``store``     the system of record: scenarios, workspaces, cycles, audit, migrations
- ``process``   the monthly S&OP process and a company's items (workspace, cycle, tables)
- ``schedule``  the family plan down to SKUs and weeks
- ``demand``    histories, forecasts, backtests, the consensus
- ``engine``    the LP, the planner, results, diagnosis, KPIs
- ``model``     the scenario (the spine), its calendar, what-ifs
- ``base``      errors, limits, text, fields, access
"""
