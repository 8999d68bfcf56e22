"""User text shown safely (placeholder until the hardening branch's version is merged)."""

from __future__ import annotations

import re

_MD = re.compile(r"([\\`*_{}\[\]<>()#+\-.!|~$])")


def md_escape(text: object) -> str:
    """``text`` with Markdown's special characters escaped, so it renders as typed."""
    return _MD.sub(r"\\\1", str(text))
