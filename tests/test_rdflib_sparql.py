"""Wherever swapgraph runs SPARQL on rdflib, rdflib's SPARQL is closed to the outside.

rdflib fetches any ``http:`` or ``file:`` IRI a query names in ``FROM`` unless told not to,
process-wide. Each module that runs SPARQL on rdflib (the rdflib engine, validation with
pyshacl or the fast validator, the resolver over a curator's working copy) tells it so when
it is imported or used, in a process where nothing else has; the server's process, which
runs no SPARQL on rdflib, does not load rdflib's SPARQL at all (tests/test_serve_cli.py).
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from swapgraph.paths import Project

_LOOK = """
import rdflib.plugins.sparql as sparql
print(sparql.SPARQL_LOAD_GRAPHS, sparql.SPARQL_DEFAULT_GRAPH_UNION, sorted(sparql.CUSTOM_EVALS))
"""


@pytest.mark.parametrize(
    "setup",
    [
        "import swapgraph.rdflib_engine",
        "import swapgraph.validate",
        "import swapgraph.fast_validate",
        "from rdflib import Graph\nfrom swapgraph.resolve import Resolver\n"
        "Resolver.from_graph(Graph())",
        "from swapgraph.engine import open_engine\nfrom swapgraph.paths import Project\n"
        "import sys\nopen_engine(Project.open(sys.argv[1]), 'rdflib')",
    ],
)
def test_rdflib_sparql_is_closed_where_it_runs(setup: str, project: Project) -> None:
    root = str(project.root)
    run = subprocess.run(
        [sys.executable, "-c", setup + "\n" + _LOOK, root],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.split()[:2] == ["False", "False"], (setup, run.stdout)
    assert "'swapgraph-hash-join'" in run.stdout, run.stdout  # and it joins as we measured
