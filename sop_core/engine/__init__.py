"""The planning engine: the aggregate-planning LP (``lp``: one ``add_*`` function per
constraint family and the block table), its compiled, warm re-solving planner
(``planner``), the tables of a solved plan (``results``), the diagnosis of an infeasible
one (``diagnosis``) and the KPIs (``kpis``)."""
