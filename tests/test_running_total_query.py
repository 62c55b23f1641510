"""``returned-running-total`` against running totals added up in Python from the graph itself.

The query adds up a running total from per-day, per-month and per-year totals (SPARQL has no
window function); here the same totals are computed the plain way, day by day, from the
triples, and both engines must give exactly those rows for ranges that start mid-month,
mid-year and before the data.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from swapgraph.engine import Engine, SelectResult, open_engine
from swapgraph.load import dataset_graph
from swapgraph.named_queries import load_named_queries
from swapgraph.namespaces import SWAP
from swapgraph.paths import Project

RANGES = [
    {},  # the defaults
    {"from": "2025-05-23", "to": "2025-09-25"},  # starts mid-month
    {"from": "2023-03-15", "to": "2024-02-10"},  # crosses a year
    {"from": "1995-02-14", "to": "2023-03-01"},  # starts before the data
]

Expected = list[tuple[str, str | None, date, int, int]]


def expected_rows(graph: Graph, first: date, last: date) -> Expected:
    """(state, label, date, returned that day, running total) from ``first`` to ``last``."""
    per_day: dict[tuple[URIRef, date], int] = defaultdict(int)
    for exchange, day in graph.subject_objects(SWAP.date):
        for transfer in graph.objects(exchange, SWAP.transfer):
            for state in graph.objects(transfer, SWAP.receivedBy):
                if (state, RDF.type, SWAP.State) not in graph:
                    continue
                for count in graph.objects(transfer, SWAP.peopleCount):
                    assert isinstance(day, Literal) and isinstance(count, Literal)
                    per_day[(URIRef(state), day.toPython())] += int(count.toPython())
    rows: Expected = []
    totals: dict[URIRef, int] = defaultdict(int)
    for state, day in sorted(per_day):
        if not first <= day <= last:
            continue
        totals[state] += per_day[(state, day)]
        label = graph.value(state, RDFS.label)
        rows.append(
            (str(state), str(label) if label else None, day, per_day[(state, day)], totals[state])
        )
    return rows


@pytest.fixture(scope="module")
def graph(project: Project) -> Graph:
    return dataset_graph(project)


@pytest.mark.slow  # rdflib takes seconds per run of this query on the real graph
@pytest.mark.parametrize("engine_name", ["oxigraph", "rdflib"])
def test_running_totals_equal_a_day_by_day_sum(
    project: Project, graph: Graph, engine_name: str
) -> None:
    query = load_named_queries(project)["returned-running-total"]
    engine: Engine = open_engine(project, engine_name)
    for params in RANGES:
        bindings = query.bind(params)
        first, last = (bindings[name].toPython() for name in ("from", "to"))
        result = query.run(engine, params)
        assert isinstance(result, SelectResult)
        got = [
            (
                str(row["state"]),
                str(row["state_label"]) if row["state_label"] is not None else None,
                row["date"].toPython(),  # type: ignore[union-attr]
                int(row["returned"].toPython()),  # type: ignore[union-attr]
                int(row["running_total"].toPython()),  # type: ignore[union-attr]
            )
            for row in result.rows
        ]
        assert got == expected_rows(graph, first, last), params
        assert all(row["from"] == bindings["from"] for row in result.rows)
        assert all(row["to"] == bindings["to"] for row in result.rows)
