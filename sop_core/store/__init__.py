"""The system of record: scenarios and their versions (``scenarios``, with the session
and engine set-up every store module uses), the companies' workspaces (``workspaces``),
the cycles (``cycles``), the audit trail (``audit``), the schema (``schema``) and its
Alembic migrations (``migrate``, ``migrations/``)."""
