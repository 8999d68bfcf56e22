"""The command line (``python -m sop_core``): one module per group of commands, all
started from ``main``."""
