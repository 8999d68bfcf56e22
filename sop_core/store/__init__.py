"""The system of record: the database, its engine, sessions and transactions every store
module uses (``session``, with the checks they share in ``common``), scenarios and their
versions (``scenarios``), the companies' workspaces (``workspaces``), the cycles
(``cycles``), the audit trail (``audit``), the schema (``schema``) and its Alembic
migrations (``migrate``, ``migrations/``)."""
