"""Errors live in two places: the core's in errors.py, the server's beside its status table."""

from __future__ import annotations

import ast
from pathlib import Path

import swapgraph
from swapgraph.errors import QueryRefused, SwapgraphError
from swapgraph.server.errors import BadFormat, ServerBusy, UnknownEntity, status_of

SRC = Path(swapgraph.__file__).parent
HOMES = {SRC / "errors.py", SRC / "server" / "errors.py"}
# Not errors but signals: one unwinds start-up, one ends the work a start-up that stops no
# longer needs, the last hands shapes that the fast validator does not implement over to
# pyshacl; none ever reaches a user.
NOT_ERRORS = {"Stopped", "Cancelled", "Unsupported"}


def _classes(path: Path) -> list[ast.ClassDef]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [node for node in ast.walk(tree) if isinstance(node, ast.ClassDef)]


# The error classes the two modules declare: a class deriving from one of them is an error.
_ERRORS = {node.name for home in HOMES for node in _classes(home)}


def _exception_classes(path: Path) -> list[str]:
    return [
        node.name
        for node in _classes(path)
        if any(
            (base := ast.unparse(b).rpartition(".")[2]) in _ERRORS
            or base.endswith(("Error", "Exception"))
            for b in node.bases
        )
    ]


def test_every_exception_class_is_declared_in_one_of_the_two_error_modules() -> None:
    strays = {
        f"{path.relative_to(SRC)}: {name}"
        for path in SRC.rglob("*.py")
        if path not in HOMES
        for name in _exception_classes(path)
        if name not in NOT_ERRORS
    }
    assert strays == set()


def test_each_server_error_has_its_status() -> None:
    assert status_of(BadFormat("x")) == 400
    assert status_of(QueryRefused("x")) == 403
    assert status_of(UnknownEntity("x")) == 404
    assert status_of(ServerBusy("x")) == 503
    assert status_of(SwapgraphError("x")) == 500
