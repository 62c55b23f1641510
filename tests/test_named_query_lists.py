"""Lists in named queries' answers are in one order on every engine; parameters read back.

SPARQL leaves the order of ``GROUP_CONCAT`` to the engine, so the queries feed it from an
ordered subquery: every list cell of a named query's answer is in alphabetical order, on
Oxigraph and on rdflib alike (and on Virtuoso: ``test_remote_virtuoso.py``). A remote
endpoint that writes a parameter back in another form (Virtuoso answers ``true`` as ``1``)
is read as the term bound.
"""

from __future__ import annotations

import json

import httpx
import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from swapgraph.engine import RemoteEngine, SelectResult, open_engine, parse_serialized
from swapgraph.named_queries import load_named_queries
from swapgraph.paths import Project
from swapgraph.results import to_json

#: Columns holding a GROUP_CONCAT list of labels, by query.
LIST_COLUMNS = {
    "asymmetric-exchanges": ("more_released_by", "fewer_released_by"),
    "disputed-figures": ("released_by", "received_by"),
    "exchanges-between": ("mediators",),
    "named-figures": ("released_by", "received_by"),
    "third-states": ("used_as",),
}


@pytest.mark.parametrize("engine_name", ["oxigraph", "rdflib"])
@pytest.mark.parametrize("name", sorted(LIST_COLUMNS))
def test_list_cells_are_in_alphabetical_order(
    project: Project, engine_name: str, name: str
) -> None:
    query = load_named_queries(project)[name]
    result = query.run(open_engine(project, engine_name), {})
    assert isinstance(result, SelectResult)
    lists = [
        binding[column]["value"]
        for binding in to_json(result)["results"]["bindings"]
        for column in LIST_COLUMNS[name]
        if column in binding
    ]
    several = [cell for cell in lists if ", " in cell]
    assert several, "the real graph has lists of several items"
    assert [cell for cell in several if cell.split(", ") != sorted(cell.split(", "))] == []


def _endpoint(cells: dict[str, dict[str, str]]) -> RemoteEngine:
    """A remote engine whose endpoint answers every query with one row of ``cells``."""
    body = {"head": {"vars": list(cells)}, "results": {"bindings": [cells]}}

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, json=body, headers={"content-type": "application/sparql-results+json"}
        )

    engine = RemoteEngine("http://endpoint.invalid/sparql")
    engine.client = httpx.Client(transport=httpx.MockTransport(answer))
    return engine


def test_remote_parameters_read_back_as_bound() -> None:
    # As Virtuoso 7.2 answers: a boolean parameter as an integer, a computed one as "1".
    integer, boolean = str(XSD.integer), str(XSD.boolean)
    engine = _endpoint(
        {
            "flag": {"type": "literal", "datatype": integer, "value": "0"},
            "count": {"type": "literal", "datatype": integer, "value": "1"},
            "computed": {"type": "literal", "datatype": boolean, "value": "1"},
            "who": {"type": "uri", "value": "https://example.org/x"},
        }
    )
    bindings = {"flag": Literal(False), "who": URIRef("https://example.org/x")}
    result = engine.query("SELECT ?flag ?count ?computed ?who WHERE { }", bindings)
    assert isinstance(result, SelectResult)
    assert result.rows == [
        {
            "flag": Literal("false", datatype=XSD.boolean),
            "count": Literal("1", datatype=XSD.integer),
            "computed": Literal("true", datatype=XSD.boolean),
            "who": URIRef("https://example.org/x"),
        }
    ]
    assert json.loads(json.dumps(to_json(result)))["results"]["bindings"][0]["flag"] == {
        "type": "literal",
        "datatype": boolean,
        "value": "false",
    }


@pytest.mark.parametrize(
    "media_type", ["application/sparql-results+json", "application/sparql-results+xml"]
)
def test_remote_serialized_answer_holds_the_parameters_as_bound(media_type: str) -> None:
    # The HTTP API's path (GET /api/queries/NAME) gives what query() gives, not Virtuoso's 1/0.
    integer, boolean = str(XSD.integer), str(XSD.boolean)
    engine = _endpoint(
        {
            "flag": {"type": "literal", "datatype": integer, "value": "0"},
            "computed": {"type": "literal", "datatype": boolean, "value": "1"},
        }
    )
    sparql = "SELECT ?flag ?computed WHERE { }"
    bindings = {"flag": Literal(False)}
    answer = engine.query_serialized(sparql, [media_type], bindings)
    assert answer.media_type == media_type
    assert parse_serialized(answer, "test") == engine.query(sparql, bindings)
    result = parse_serialized(answer, "test")
    assert isinstance(result, SelectResult)
    assert result.rows == [
        {
            "flag": Literal("false", datatype=XSD.boolean),
            "computed": Literal("true", datatype=XSD.boolean),
        }
    ]
