"""The scenario model, the spine of the workbench: what the UI edits, the engine solves,
the store saves and the command line reads (``scenario``), its working-day calendar
(``workdays``) and the what-if levers applied to it (``whatif``)."""
