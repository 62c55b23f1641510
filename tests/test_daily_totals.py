"""The daily-totals view behind ``returned-running-total``: where it lives, and the fallback.

The embedded engines compute the view into its own named graph when they load the data; the
named query reads it, and computes the totals itself where the graph is empty (a remote
SPARQL server): both ways give the same answers.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from swapgraph import daily_totals
from swapgraph.engine import OxigraphEngine, SelectResult, open_engine
from swapgraph.named_queries import load_named_queries
from swapgraph.paths import Project

RANGES = [
    {},
    {"from": "2025-05-23", "to": "2025-09-25"},
    {"from": "2023-03-15", "to": "2024-02-10"},
    {"from": "1995-02-14", "to": "2023-03-01"},
    {"from": "2030-01-01"},
]
IN_VIEW = f"GRAPH <{daily_totals.GRAPH}> {{ ?row <{daily_totals.VIEW.state}> ?state }}"


@pytest.mark.parametrize("engine_name", ["oxigraph", "rdflib"])
def test_view_is_in_its_named_graph_only(project: Project, engine_name: str) -> None:
    engine = open_engine(project, engine_name)
    in_graph = engine.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ {IN_VIEW} }}")
    in_default = engine.query(
        f"SELECT (COUNT(*) AS ?n) WHERE {{ ?row <{daily_totals.VIEW.state}> ?state }}"
    )
    assert isinstance(in_graph, SelectResult) and isinstance(in_default, SelectResult)
    assert int(in_graph.rows[0]["n"]) > 0  # type: ignore[arg-type]
    assert int(in_default.rows[0]["n"]) == 0  # type: ignore[arg-type]


def test_answers_without_the_view_are_the_same(project: Project) -> None:
    query = load_named_queries(project)["returned-running-total"]
    with_view = OxigraphEngine.from_project(project)
    without = OxigraphEngine.from_project(project)
    without.store.remove_graph(ox.NamedNode(str(daily_totals.GRAPH)))
    for params in RANGES:
        expected = query.run(with_view, params)
        got = query.run(without, params)
        assert isinstance(got, SelectResult) and isinstance(expected, SelectResult)
        assert got.rows == expected.rows, params
    assert expected.rows == []  # the last range has no day


def test_cached_store_holds_the_view(project: Project, tmp_path: Path) -> None:
    for folder in ("ontology", "graph", "shapes"):
        shutil.copytree(project.root / folder, tmp_path / folder)
    copy = Project.open(tmp_path)
    engine = OxigraphEngine.from_project_cache(copy)
    result = engine.query(f"ASK {{ {IN_VIEW} }}")
    assert getattr(result, "value", None) is True


def test_view_left_empty_where_python_cannot_order_as_sparql() -> None:
    date, integer = daily_totals.XSD_DATE, daily_totals.XSD_INTEGER
    good = ("s", "2025-05-23", date, "3", integer)
    assert daily_totals.view_rows([good, ("s", "2025-05-01", date, "2", integer)]) == [
        ("s", "2025-05-01", 2, 0, None),
        ("s", "2025-05-23", 3, 2, "2025-05-01"),
    ]
    for bad in [
        ("s", "2025-05-23Z", date, "3", integer),  # a time zone
        ("s", "20250523", date, "3", integer),  # not canonical
        ("s", "2025-05", "http://www.w3.org/2001/XMLSchema#gYearMonth", "3", integer),
        ("s", "2025-05-24", date, "3.5", "http://www.w3.org/2001/XMLSchema#decimal"),
    ]:
        assert daily_totals.view_rows([good, bad]) == []
