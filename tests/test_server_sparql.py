"""The SPARQL 1.1 Protocol at /sparql, against a real uvicorn server on 127.0.0.1."""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Iterator

import httpx
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from swapgraph.paths import Project
from swapgraph.server import Settings
from tests.serving import RunningServer, swapgraph_server

COUNT_EXCHANGES = """PREFIX swap: <https://w3id.org/swapgraph/ontology#>
SELECT (COUNT(?e) AS ?n) WHERE { ?e a swap:Exchange }"""
CONSTRUCT_STATES = """PREFIX swap: <https://w3id.org/swapgraph/ontology#>
CONSTRUCT { ?s a swap:State } WHERE { ?s a swap:State }"""


@pytest.fixture(scope="module")
def server(project: Project) -> Iterator[RunningServer]:
    with swapgraph_server(Settings(project)) as running:
        yield running


def _count(response: httpx.Response) -> int:
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def test_get_post_form_and_post_direct_agree(server: RunningServer) -> None:
    by_get = httpx.get(server.sparql, params={"query": COUNT_EXCHANGES})
    by_form = httpx.post(server.sparql, data={"query": COUNT_EXCHANGES})
    by_body = httpx.post(
        server.sparql,
        content=COUNT_EXCHANGES.encode(),
        headers={"Content-Type": "application/sparql-query"},
    )
    assert _count(by_get) == _count(by_form) == _count(by_body) > 0


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("text/csv;q=0.4, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
        ("text/*;q=0.5, */*;q=0.1", "text/csv"),
        ("text/html,application/xhtml+xml,*/*;q=0.8", "application/sparql-results+json"),
    ],
)
def test_select_results_follow_accept(server: RunningServer, accept: str, media_type: str) -> None:
    response = httpx.get(
        server.sparql, params={"query": COUNT_EXCHANGES}, headers={"Accept": accept}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type


def test_csv_and_json_carry_the_same_answer(server: RunningServer) -> None:
    as_json = httpx.get(server.sparql, params={"query": COUNT_EXCHANGES, "format": "json"})
    as_csv = httpx.get(server.sparql, params={"query": COUNT_EXCHANGES, "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert int(rows[0]["n"]) == _count(as_json)


@pytest.mark.parametrize(
    ("accept", "rdflib_format"),
    [
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
    ],
)
def test_graph_results_in_each_rdf_syntax(
    server: RunningServer, accept: str, rdflib_format: str
) -> None:
    response = httpx.get(
        server.sparql, params={"query": CONSTRUCT_STATES}, headers={"Accept": accept}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == accept
    graph = Graph().parse(data=response.content, format=rdflib_format)
    assert (URIRef("https://w3id.org/swapgraph/id/state/russia"), RDF.type, None) in graph


def test_format_parameter_overrides_accept(server: RunningServer) -> None:
    response = httpx.get(
        server.sparql,
        params={"query": CONSTRUCT_STATES, "format": "nt"},
        headers={"Accept": "text/turtle"},
    )
    assert response.headers["content-type"].startswith("application/n-triples")


def test_nothing_acceptable_is_406(server: RunningServer) -> None:
    response = httpx.get(
        server.sparql, params={"query": CONSTRUCT_STATES}, headers={"Accept": "text/csv"}
    )
    assert response.status_code == 406
    assert "text/turtle" in response.text


def test_unknown_format_is_400(server: RunningServer) -> None:
    response = httpx.get(server.sparql, params={"query": COUNT_EXCHANGES, "format": "yaml"})
    assert response.status_code == 400
    assert "yaml" in response.text


def test_syntax_error_names_line_and_column(server: RunningServer) -> None:
    response = httpx.get(server.sparql, params={"query": "SELECT * WHERE {\n  ?s ?p \n"})
    assert response.status_code == 400
    assert "at line 3, column 1:" in response.text


@pytest.mark.parametrize(
    ("method", "kwargs", "status"),
    [
        ("GET", {"params": {"update": "CLEAR ALL"}}, 403),
        ("POST", {"data": {"update": "CLEAR ALL"}}, 403),
        (
            "POST",
            {"content": b"CLEAR ALL", "headers": {"Content-Type": "application/sparql-update"}},
            403,
        ),
        ("GET", {"params": {"query": "INSERT DATA { <a:b> <a:c> <a:d> }"}}, 403),
        ("GET", {"params": [("query", "ASK {}"), ("query", "ASK {}")]}, 400),
        ("POST", {"content": b"ASK {}", "headers": {"Content-Type": "text/plain"}}, 415),
        ("POST", {"content": b"ASK {}"}, 415),
        (
            "POST",
            {
                "content": "ASK {}".encode("utf-16"),
                "headers": {"Content-Type": "application/sparql-query"},
            },
            400,
        ),
        (
            "POST",
            {
                "content": "ASK {}".encode("utf-16"),
                "headers": {"Content-Type": "application/sparql-query; charset=UTF-16"},
            },
            415,
        ),
        ("PUT", {"params": {"query": "ASK {}"}}, 405),
    ],
)
def test_protocol_errors_are_4xx_with_a_message(
    server: RunningServer, method: str, kwargs: dict[str, object], status: int
) -> None:
    response = httpx.request(method, server.sparql, **kwargs)  # type: ignore[arg-type]
    assert response.status_code == status
    assert response.text.strip()


def test_update_is_never_applied(server: RunningServer) -> None:
    before = _count(httpx.get(server.sparql, params={"query": COUNT_EXCHANGES}))
    httpx.post(server.sparql, data={"update": "DELETE WHERE { ?s ?p ?o }"})
    assert _count(httpx.get(server.sparql, params={"query": COUNT_EXCHANGES})) == before


def test_get_without_query_is_the_service_description(server: RunningServer) -> None:
    response = httpx.get(server.sparql)
    assert response.status_code == 200
    description = Graph().parse(data=response.text, format="turtle")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    assert (URIRef(server.sparql), RDF.type, URIRef(sd + "Service")) in description
    formats = set(description.objects(URIRef(server.sparql), URIRef(sd + "resultFormat")))
    assert URIRef("http://www.w3.org/ns/formats/SPARQL_Results_CSV") in formats


def test_every_request_is_logged_with_status_and_query_hash(
    server: RunningServer, caplog: pytest.LogCaptureFixture
) -> None:
    def lines() -> list[str]:
        return [r.getMessage() for r in caplog.records if r.name == "swapgraph.server"]

    with caplog.at_level("INFO", logger="swapgraph.server"):
        httpx.get(server.sparql, params={"query": COUNT_EXCHANGES})
        httpx.get(server.sparql, params={"query": "ASK {"})
        # The server thread logs a request once its answer is sent, so the client may read
        # the answer first: wait for both lines (a bound on the wait, not on a duration).
        for _ in range(100):
            if len(lines()) >= 2:
                break
            time.sleep(0.05)
    assert any(" 200 " in line and "query=" in line and "query=-" not in line for line in lines())
    assert any(" 400 " in line for line in lines())
    assert not any("Exchange" in line for line in lines()), "the query text itself is not logged"


def test_cors_is_off_by_default(server: RunningServer) -> None:
    response = httpx.get(
        server.sparql, params={"query": "ASK {}"}, headers={"Origin": "https://example.org"}
    )
    assert "access-control-allow-origin" not in response.headers


def test_cors_allows_only_the_given_origins(project: Project) -> None:
    settings = Settings(project, cors_origins=("https://analyst.example",), workers=1)
    with swapgraph_server(settings) as server:
        allowed = httpx.get(
            server.sparql, params={"query": "ASK {}"}, headers={"Origin": "https://analyst.example"}
        )
        other = httpx.get(
            server.sparql, params={"query": "ASK {}"}, headers={"Origin": "https://other.example"}
        )
    assert allowed.headers["access-control-allow-origin"] == "https://analyst.example"
    assert "access-control-allow-credentials" not in allowed.headers
    assert "access-control-allow-origin" not in other.headers


def test_results_are_json_parsable_for_ask(server: RunningServer) -> None:
    response = httpx.post(server.sparql, data={"query": "ASK { ?s ?p ?o }"})
    assert json.loads(response.text)["boolean"] is True


# --------------------------------------------------------------------------- clients

SELECT_STATES = """PREFIX swap: <https://w3id.org/swapgraph/ontology#>
SELECT ?s WHERE { ?s a swap:State }"""


def _states(server: RunningServer) -> int:
    return _count(httpx.get(server.sparql, params={"query": COUNT_STATES}))


COUNT_STATES = """PREFIX swap: <https://w3id.org/swapgraph/ontology#>
SELECT (COUNT(?s) AS ?n) WHERE { ?s a swap:State }"""


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sparqlwrapper_works_with_every_return_format(server: RunningServer, method: str) -> None:
    sparqlwrapper = pytest.importorskip("SPARQLWrapper")
    states = _states(server)
    select_formats = ("json", "xml", "csv", "tsv")
    graph_formats = ("json-ld", "n3", "turtle", "rdf+xml")
    for return_format in select_formats + graph_formats:
        client = sparqlwrapper.SPARQLWrapper(server.sparql)
        client.setMethod(method)
        client.setReturnFormat(return_format)
        client.setQuery(SELECT_STATES if return_format in select_formats else CONSTRUCT_STATES)
        answer = client.query()
        converted = answer.convert()
        if return_format == "json":
            assert len(converted["results"]["bindings"]) == states
        elif return_format == "xml":
            assert len(converted.getElementsByTagName("result")) == states
        elif return_format in ("csv", "tsv"):
            assert len(converted.decode().strip().splitlines()) == states + 1
        else:
            # SPARQLWrapper parses RDF/XML and JSON-LD, and hands Turtle and N3 back as bytes.
            graph = converted
            if isinstance(converted, bytes):
                graph = Graph().parse(data=converted.decode(), format="n3")
            assert len(graph) == states, return_format


def test_plain_json_accept_gets_sparql_json(server: RunningServer) -> None:
    response = httpx.get(
        server.sparql, params={"query": COUNT_STATES}, headers={"Accept": "application/json"}
    )
    assert response.headers["content-type"].startswith("application/sparql-results+json")
    assert _count(response) == _states(server)
    graph = httpx.get(
        server.sparql, params={"query": CONSTRUCT_STATES}, headers={"Accept": "application/json"}
    )
    assert graph.headers["content-type"].startswith("application/ld+json")


def test_csv_by_accept(server: RunningServer) -> None:
    response = httpx.get(
        server.sparql, params={"query": COUNT_STATES}, headers={"Accept": "text/csv"}
    )
    assert response.headers["content-type"].startswith("text/csv")
    assert response.text.splitlines()[1] == str(_states(server))


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/sparql",
        "/sparql?query=ASK%20%7B%7D",
        "/id/state/russia",
        "/ontology",
        "/health",
        "/stats",
        "/api/queries",
        "/api/queries/exchanges-between",
        "/static/style.css",
        "/docs",
        "/openapi.json",
    ],
)
def test_head_answers_every_get_route_without_a_body(server: RunningServer, path: str) -> None:
    get = httpx.get(f"{server.url}{path}")
    head = httpx.head(f"{server.url}{path}")
    assert get.status_code == head.status_code == 200
    assert head.headers["content-type"] == get.headers["content-type"]
    assert head.content == b""


@pytest.mark.parametrize("accept", ["text/html", "text/turtle"])
@pytest.mark.parametrize("path", ["/id/state/russia", "/ontology", "/sparql"])
def test_negotiated_responses_vary_by_accept(server: RunningServer, path: str, accept: str) -> None:
    response = httpx.get(f"{server.url}{path}", headers={"Accept": accept})
    if path == "/sparql" and accept == "text/html":
        return  # the service description is RDF only
    assert response.status_code == 200
    assert "Accept" in response.headers["vary"]


def test_absolute_urls_ignore_the_host_header(server: RunningServer) -> None:
    forged = {"Host": "attacker.example", "Accept": "text/turtle"}
    description = httpx.get(server.sparql, headers=forged)
    assert description.status_code == 200
    assert "attacker" not in description.text
    assert f"<{server.sparql}>" in description.text
