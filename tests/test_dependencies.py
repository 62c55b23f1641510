"""Every runtime dependency is one the package imports; the rest belong to an extra."""

from __future__ import annotations

import ast
import re
import tomllib

from tests.conftest import REPO_ROOT

#: Distribution names whose import name differs.
IMPORT_NAMES = {"python-multipart": "multipart"}


def _imported_modules() -> set[str]:
    found: set[str] = set()
    for path in (REPO_ROOT / "src" / "swapgraph").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found.add(node.module.split(".")[0])
            elif _names_a_distribution(node):
                # A package used for its files (a shared library), looked up by its name.
                found.add(node.args[0].value.replace("-", "_"))  # type: ignore[attr-defined]
    return found


def _names_a_distribution(node: ast.AST) -> bool:
    if not isinstance(node, ast.Call) or not node.args:
        return False
    called = node.func.attr if isinstance(node.func, ast.Attribute) else None
    first = node.args[0]
    return (
        called == "distribution"
        and isinstance(first, ast.Constant)
        and isinstance(first.value, str)
    )


def test_every_runtime_dependency_is_imported_by_the_package() -> None:
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    names = [re.split(r"[<>=!~\[; ]", spec, maxsplit=1)[0] for spec in project["dependencies"]]
    imported = _imported_modules()
    unused = [n for n in names if IMPORT_NAMES.get(n, n).replace("-", "_") not in imported]
    assert unused == [], "runtime dependencies nothing in src/ imports"
