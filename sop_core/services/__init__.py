"""The service layer: one function per user action, the only door pages and the command
line go through to read or change a company's data, plans and cycles.

Each action takes the acting person, checks the right, runs in one transaction, writes
its audit rows and returns what the caller shows. A rule that decides what a plan is (the
time fence) is applied here, once, so that what a page shows, what the store keeps and
what an export writes cannot differ. Callers hold a :class:`~.workbench.Workbench` (the
store, opened once) and hand it to each function; they never reach through it.

- ``workbench``  open the store (:func:`~.workbench.connect`)
- ``companies``  start, copy, seed, read, edit (a cell, a table, a plan opened), undo,
  export and import a company's workbook
- ``history``    upload a sales history with its mapping of family names
- ``feeds``      pull a history or the actuals from the company's own database (read
  only), loaded exactly as an upload
- ``demand``     hand the consensus forecast over to the plan
- ``consensus``  adjust the consensus, forecast the stored history and hand it over
- ``portfolio``  product development's launches and phase-outs: add, remove, set, clear,
  list, and the demand they change
- ``capacity``   set a workforce, policy or family field; add, rename, remove a family;
  the rough-cut resources and the working-day calendar
- ``monthly``    upload or clear the business plan and the actuals
- ``plans``      the one fenced solve of any shown or stored plan (a company's plan as it
  stands, a kept what-if, its approved plan); keep a what-if; save a scenario version
  with the KPIs of exactly that plan
- ``scenarios``  list, open, compare, approve, set the status of, duplicate, rename and
  delete saved scenarios
- ``cycles``     start the monthly cycle, sign off its steps, comment, log and close
  assumptions and decisions
- ``audit``      the audit trail, in words or with exact values for a download
- ``exports``    a company's plan and its weekly SKU schedule as rows, for a file or a
  table of another database (pushed in one transaction)
- ``pack``       gather a company's month from the store and build the meeting pack (PDF
  and Excel)
- ``tradeoffs``  the trade-offs of a company's plan (read only): its frontiers, its
  tornado, the plan under uncertain demand; a frontier point opened
"""
