"""House rules import-linter does not check, read from the source: no module imports a
private name (``_x``) of another, and no test module imports another test module (shared
fixtures live in tests/factories.py, tests/apptests.py and tests/e2e_server.py). Each
check is shown to find what it forbids."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def private_imports(path: Path) -> list[str]:
    """``from module import _name`` in ``path``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module != "__future__":
            for alias in node.names:
                if alias.name.startswith("_"):
                    found.append(f"{path.name}:{node.lineno} {node.module}.{alias.name}")
    return found


def imports_from_another_test(path: Path) -> list[str]:
    """``import test_x`` / ``from test_x import …`` in ``path``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = (
            [node.module or ""]
            if isinstance(node, ast.ImportFrom)
            else [a.name for a in node.names]
            if isinstance(node, ast.Import)
            else []
        )
        found += [f"{path.name}:{node.lineno} {n}" for n in names if n.startswith("test_")]
    return found


def test_the_checks_find_what_they_forbid(tmp_path):
    bad = tmp_path / "test_bad.py"
    bad.write_text(
        "from sop_core.reports.pack import _cell\nfrom test_scorecard import hand_case\n",
        encoding="utf-8",
    )
    assert private_imports(bad) == ["test_bad.py:1 sop_core.reports.pack._cell"]
    assert imports_from_another_test(bad) == ["test_bad.py:2 test_scorecard"]


def test_no_module_imports_a_private_name_of_another():
    files = [ROOT / "app.py", *ROOT.glob("sop_core/**/*.py"), *ROOT.glob("pages/*.py")]
    files += [*ROOT.glob("tests/*.py"), *ROOT.glob("benchmarks/*.py")]
    found = [hit for path in sorted(files) for hit in private_imports(path)]
    assert found == [], "make the name public, or keep its use in its module: " + ", ".join(found)


def test_no_test_module_imports_another():
    found = [
        hit for path in sorted(ROOT.glob("tests/*.py")) for hit in imports_from_another_test(path)
    ]
    assert found == [], "move what is shared to tests/factories.py: " + ", ".join(found)
