"""The words and rules every layer uses: errors and their messages, input limits, text
safety, the table of user-facing fields, and who may do what (roles and actions).
Imports nothing else of ``sop_core``."""
