"""Named queries on three engines, the JSON/CSV API, Linked Data, validation, real clients."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import httpx
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH, XSD
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from rdflib.term import Identifier
from SPARQLWrapper import JSON, SELECT, SPARQLWrapper

from swapgraph.engine import (
    Engine,
    OxigraphEngine,
    RemoteEngine,
    SelectResult,
    to_oxigraph,
)
from swapgraph.named_queries import NamedQuery, load_named_queries
from swapgraph.paths import Project
from swapgraph.query_text import add_values_block
from swapgraph.rdflib_engine import RdflibEngine
from tests.serving import RunningServer, oxigraph_server

RUSSIA = "https://w3id.org/swapgraph/id/state/russia"


@pytest.fixture(scope="module")
def server(shared_server: RunningServer) -> RunningServer:
    return shared_server  # the default settings: the session's server serves them


@pytest.fixture(scope="module")
def queries(project: Project) -> dict[str, NamedQuery]:
    found = load_named_queries(project)
    assert found, "the project publishes named queries"
    return found


def _comparable(term: Identifier | None) -> object:
    # Engines may differ only where SPARQL leaves it open: blank node labels, xsd:string on
    # simple literals, the lexical form of a number, the order GROUP_CONCAT joins values in.
    if term is None:
        return None
    if isinstance(term, BNode):
        return "_:b"
    if isinstance(term, Literal):
        if term.datatype in (None, XSD.string):
            return ("literal", sorted(str(term).split(", ")), term.language)
        return ("typed", str(term.datatype), term.toPython())
    return str(term)


def _answer(engine: Engine, query: NamedQuery) -> list[tuple[object, ...]]:
    result = engine.query(query.text, query.bind({}))
    assert isinstance(result, SelectResult)
    rows = [tuple(_comparable(row[v]) for v in result.variables) for row in result.rows]
    return sorted(rows, key=repr)


def test_every_named_query_answers_the_same_on_all_three_engines(
    project: Project, queries: dict[str, NamedQuery], tmp_path: Path
) -> None:
    oxigraph = OxigraphEngine.from_project(project)
    rdflib_engine = RdflibEngine.from_project(project)
    with oxigraph_server(project.data_files(), tmp_path) as url:
        remote = RemoteEngine(url)
        for name, query in queries.items():
            reference = _answer(rdflib_engine, query)
            assert _answer(oxigraph, query) == reference, name
            assert _answer(remote, query) == reference, name


def test_named_query_routes_answer_json_and_csv(
    server: RunningServer, queries: dict[str, NamedQuery]
) -> None:
    for name in queries:
        as_json = httpx.get(f"{server.url}/api/queries/{name}")
        assert as_json.status_code == 200, (name, as_json.text)
        rows = as_json.json()["results"]["bindings"]
        as_csv = httpx.get(f"{server.url}/api/queries/{name}", params={"format": "csv"})
        assert as_csv.headers["content-type"].startswith("text/csv")
        assert len(list(csv.DictReader(io.StringIO(as_csv.text)))) == len(rows)


def _query_with(queries: dict[str, NamedQuery], kind: str) -> tuple[NamedQuery, str]:
    for query in queries.values():
        for parameter in query.parameters:
            if parameter.type == kind:
                return query, parameter.name
    pytest.fail(f"no named query has a parameter of type {kind}")


def test_bad_parameter_values_are_422(
    server: RunningServer, queries: dict[str, NamedQuery]
) -> None:
    query, date_param = _query_with(queries, "date")
    response = httpx.get(f"{server.url}/api/queries/{query.name}", params={date_param: "soon"})
    assert response.status_code == 422
    assert date_param in response.text
    unknown = httpx.get(f"{server.url}/api/queries/{query.name}", params={"no_such": "1"})
    assert unknown.status_code == 422


def test_a_value_cannot_change_the_query(
    server: RunningServer, queries: dict[str, NamedQuery]
) -> None:
    query, iri_param = _query_with(queries, "iri")
    attack = f"{RUSSIA}> }} UNION {{ ?s ?p ?o }} #"
    response = httpx.get(f"{server.url}/api/queries/{query.name}", params={iri_param: attack})
    assert response.status_code == 422
    query, string_param = next(
        ((q, p.name) for q in queries.values() for p in q.parameters if p.type == "string"),
        (None, None),
    ) or (None, None)
    if query is not None and string_param is not None:
        injected = httpx.get(
            f"{server.url}/api/queries/{query.name}",
            params={string_param: '" } UNION { ?s ?p ?o } #'},
        )
        assert injected.status_code == 200
        assert injected.json()["results"]["bindings"] == []


def test_openapi_lists_each_named_query_with_summary_and_parameters(
    server: RunningServer, queries: dict[str, NamedQuery]
) -> None:
    document = httpx.get(f"{server.url}/openapi.json").json()
    for name, query in queries.items():
        operation = document["paths"][f"/api/queries/{name}"]["get"]
        assert operation["summary"] == query.summary
        documented = {p["name"] for p in operation["parameters"]}
        assert {p.name for p in query.parameters} <= documented


def _client_text(query: NamedQuery) -> str:
    """The query with its default parameter values as a VALUES block, as a client sends it."""
    terms = {name: str(to_oxigraph(term)) for name, term in query.bind({}).items()}
    return add_values_block(query.text, terms)


def _expected_rows(project: Project, queries: dict[str, NamedQuery]) -> dict[str, int]:
    reference = OxigraphEngine.from_project(project)
    counts = {}
    for name, query in queries.items():
        result = reference.query(query.text, query.bind({}))
        assert isinstance(result, SelectResult)
        counts[name] = len(result.rows)
    return counts


def test_sparqlwrapper_runs_the_named_queries(
    server: RunningServer, queries: dict[str, NamedQuery], project: Project
) -> None:
    expected = _expected_rows(project, queries)
    for name, query in queries.items():
        client = SPARQLWrapper(server.sparql)
        client.setQuery(_client_text(query))
        # SPARQLWrapper guesses the form from the first keyword anywhere in the text, the
        # header comments included ("add up" reads as ADD); the named queries are SELECTs.
        client.queryType = SELECT
        client.setReturnFormat(JSON)
        answer = client.queryAndConvert()
        assert isinstance(answer, dict)
        assert len(answer["results"]["bindings"]) == expected[name], name


def test_rdflib_sparqlstore_runs_the_named_queries(
    server: RunningServer, queries: dict[str, NamedQuery], project: Project
) -> None:
    expected = _expected_rows(project, queries)
    graph = Graph(SPARQLStore(server.sparql, returnFormat="json"))
    for name, query in queries.items():
        assert len(list(graph.query(_client_text(query)))) == expected[name], name


# --------------------------------------------------------------------------- Linked Data


def test_entity_iris_dereference_by_accept(server: RunningServer) -> None:
    url = f"{server.url}/id/state/russia"
    turtle = httpx.get(url, headers={"Accept": "text/turtle"})
    assert turtle.headers["content-type"].startswith("text/turtle")
    graph = Graph().parse(data=turtle.text, format="turtle")
    assert (URIRef(RUSSIA), RDF.type, None) in graph
    jsonld = httpx.get(url, headers={"Accept": "application/ld+json"})
    assert len(Graph().parse(data=jsonld.text, format="json-ld")) == len(graph)
    html = httpx.get(url, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert html.headers["content-type"].startswith("text/html")
    assert RUSSIA in html.text


def test_exchange_description_includes_its_transfers(server: RunningServer) -> None:
    exchanges = httpx.get(
        server.sparql,
        params={
            "query": "SELECT ?e { ?e a <https://w3id.org/swapgraph/ontology#Exchange> } LIMIT 1"
        },
    ).json()["results"]["bindings"]
    iri = exchanges[0]["e"]["value"]
    path = iri.removeprefix("https://w3id.org/swapgraph/id/")
    graph = Graph().parse(
        data=httpx.get(f"{server.url}/id/{path}", headers={"Accept": "text/turtle"}).text,
        format="turtle",
    )
    transfers = list(
        graph.objects(URIRef(iri), URIRef("https://w3id.org/swapgraph/ontology#transfer"))
    )
    assert transfers
    assert all(any(graph.predicate_objects(t)) for t in transfers)


def test_unknown_entity_is_404(server: RunningServer) -> None:
    response = httpx.get(f"{server.url}/id/state/atlantis", headers={"Accept": "text/turtle"})
    assert response.status_code == 404
    not_an_iri = httpx.get(f"{server.url}/id/state/a%20b%7B", headers={"Accept": "text/turtle"})
    assert not_an_iri.status_code == 404
    assert "not an IRI" in not_an_iri.text


def test_ontology_as_turtle_and_html(server: RunningServer) -> None:
    turtle = httpx.get(f"{server.url}/ontology", headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=turtle.text, format="turtle")
    exchange = URIRef("https://w3id.org/swapgraph/ontology#Exchange")
    assert (exchange, RDF.type, None) in graph
    html = httpx.get(f"{server.url}/ontology", headers={"Accept": "text/html"})
    assert "swap:Exchange" in html.text
    assert "swap:releasedBy" in html.text


# --------------------------------------------------------------------------- validate, stats


def test_validate_reports_violations_as_json(server: RunningServer) -> None:
    data = """@prefix swap: <https://w3id.org/swapgraph/ontology#> .
<https://w3id.org/swapgraph/id/exchange/x> a swap:Exchange ."""
    response = httpx.post(
        f"{server.url}/validate", content=data.encode(), headers={"Content-Type": "text/turtle"}
    )
    assert response.status_code == 200
    report = response.json()
    assert report["conforms"] is False


def test_validate_reports_as_a_shacl_report_graph_by_accept(server: RunningServer) -> None:
    data = """@prefix swap: <https://w3id.org/swapgraph/ontology#> .
<https://w3id.org/swapgraph/id/exchange/x> a swap:Exchange ."""
    post = {"content": data.encode(), "headers": {"Content-Type": "text/turtle"}}
    as_json = httpx.post(f"{server.url}/validate", **post).json()  # type: ignore[arg-type]
    response = httpx.post(
        f"{server.url}/validate",
        content=data.encode(),
        headers={"Content-Type": "text/turtle", "Accept": "text/turtle"},
    )
    assert response.headers["content-type"].startswith("text/turtle")
    report = Graph().parse(data=response.text, format="turtle")
    root = next(report.subjects(RDF.type, SH.ValidationReport))
    assert report.value(root, SH.conforms) == Literal(False)
    results = list(report.objects(root, SH.result))
    assert len(results) == len(as_json["results"]) > 0
    exchange = URIRef("https://w3id.org/swapgraph/id/exchange/x")
    assert exchange in {report.value(r, SH.focusNode) for r in results}
    shapes = {str(report.value(r, SH.sourceShape)) for r in results}
    assert all(shape.startswith("https://w3id.org/swapgraph/shapes#") for shape in shapes)
    assert all(
        report.value(r, SH.resultSeverity) in (SH.Violation, SH.Warning, SH.Info) for r in results
    )
    refused = httpx.post(
        f"{server.url}/validate",
        content=data.encode(),
        headers={"Content-Type": "text/turtle", "Accept": "image/png"},
    )
    assert refused.status_code == 406


def test_validate_refuses_rdfxml_remote_contexts_and_large_bodies(server: RunningServer) -> None:
    xml = '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]><rdf:RDF/>'
    refused = httpx.post(
        f"{server.url}/validate",
        content=xml.encode(),
        headers={"Content-Type": "application/rdf+xml"},
    )
    assert refused.status_code == 415
    remote = json.dumps({"@context": "http://127.0.0.1:9/context.jsonld", "@id": "a:b"})
    response = httpx.post(
        f"{server.url}/validate",
        content=remote.encode(),
        headers={"Content-Type": "application/ld+json"},
    )
    assert response.status_code == 400
    huge = httpx.post(
        f"{server.url}/validate",
        content=b"#" * 2_000_000,
        headers={"Content-Type": "text/turtle"},
    )
    assert huge.status_code == 413


def test_health_and_void_stats(server: RunningServer) -> None:
    assert httpx.get(f"{server.url}/health").json()["status"] == "ok"
    void = Graph().parse(data=httpx.get(f"{server.url}/stats").text, format="turtle")
    dataset = URIRef("https://w3id.org/swapgraph/")
    triples = void.value(dataset, URIRef("http://rdfs.org/ns/void#triples"))
    assert isinstance(triples, Literal)
    assert int(triples) > 1000
