"""Every client the README names, against ``swapgraph serve`` started as the README says.

The other client tests share one server that runs in a thread of the test process; here the
server is the command a user types (``python3 -m swapgraph serve`` in the repository, plus a
free port), in a process of its own. SPARQLWrapper with every return format its query form
allows, rdflib's ``SPARQLStore``, pandas ``read_csv``, curl and Comunica each get the answer
the embedded engine gives for the same query over the same files.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote
from xml.dom.minidom import Document, Element, Text

import httpx
import pytest
from rdflib import Graph, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from rdflib.term import Identifier

from swapgraph.engine import GRAPH_MEDIA_TYPES, GraphResult, OxigraphEngine, SelectResult
from swapgraph.named_queries import load_named_queries
from swapgraph.paths import Project
from tests.conftest import REPO_ROOT
from tests.graphs import isomorphic
from tests.serving import free_port
from tests.test_comunica import install_comunica, rdf_term, run_comunica

pytestmark = pytest.mark.slow

PREFIXES = """PREFIX swap: <https://w3id.org/swapgraph/ontology#>
PREFIX state: <https://w3id.org/swapgraph/id/state/>
"""
#: The states that received people Russia released (declared prefixes: Comunica parses the
#: query itself and knows no default prefix).
RECEIVERS = (
    PREFIXES
    + """SELECT DISTINCT ?state WHERE {
  ?exchange a swap:Exchange ;
            swap:transfer [ swap:releasedBy state:russia ; swap:receivedBy ?state ] .
} ORDER BY ?state"""
)
#: The same exchanges as triples: each with its date.
EXCHANGE_DATES = (
    PREFIXES
    + """CONSTRUCT { ?exchange swap:date ?date } WHERE {
  ?exchange a swap:Exchange ; swap:date ?date ;
            swap:transfer [ swap:releasedBy state:russia ] .
}"""
)
DESCRIBE_RUSSIA = PREFIXES + "DESCRIBE state:russia"
ASK_RUSSIA = PREFIXES + "ASK { ?exchange swap:transfer [ swap:releasedBy state:russia ] }"
#: Without declarations: /sparql knows the same default prefixes as the command line.
COUNT_EXCHANGES = "SELECT (COUNT(?exchange) AS ?n) WHERE { ?exchange a swap:Exchange }"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``python3 -m swapgraph serve --port N`` in the repository, until the module ends.

    Yields:
        The server's base URL, once ``/health`` answers ``ok``.
    """
    port = free_port()
    log_path = tmp_path_factory.mktemp("serve") / "serve.log"
    # The checkout's own code, as an editable install would run it. The log goes to a file:
    # a pipe nobody reads would fill and block the server.
    environment = {**os.environ, "PYTHONPATH": str(REPO_ROOT / "src")}
    with log_path.open("w", encoding="utf-8") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "swapgraph", "serve", "--port", str(port)],
            cwd=REPO_ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300
        while True:
            if process.poll() is not None:
                pytest.fail(f"swapgraph serve stopped:\n{log_path.read_text()[-3000:]}")
            if time.monotonic() > deadline:
                pytest.fail(f"no healthy answer in 300 s:\n{log_path.read_text()[-3000:]}")
            try:
                if httpx.get(f"{base}/health", timeout=10).json().get("status") == "ok":
                    break
            except (httpx.TransportError, ValueError):
                pass  # the port is taken before validation: not answering yet
            threading.Event().wait(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def endpoint(served: str) -> str:
    return f"{served}/sparql"


@pytest.fixture(scope="module")
def embedded(project: Project) -> OxigraphEngine:
    """The embedded engine over the files the server serves."""
    return OxigraphEngine.from_project(project)


def expected_column(engine: OxigraphEngine, query: str, name: str) -> list[Identifier]:
    """The values of one variable, in order, as the embedded engine answers ``query``."""
    result = engine.query(query)
    assert isinstance(result, SelectResult)
    values = [row[name] for row in result.rows]
    assert None not in values, f"every row binds ?{name}"
    return [value for value in values if value is not None]


def expected_graph(engine: OxigraphEngine, query: str) -> Graph:
    result = engine.query(query)
    assert isinstance(result, GraphResult)
    assert len(result.graph) > 0, "the graph holds an answer"
    return result.graph


@pytest.fixture(scope="module")
def receivers(embedded: OxigraphEngine) -> list[Identifier]:
    states = expected_column(embedded, RECEIVERS, "state")
    assert URIRef("https://w3id.org/swapgraph/id/state/ukraine") in states
    assert len(states) > 3, "Russia released people to several states"
    return states


@pytest.fixture(scope="module")
def exchange_count(embedded: OxigraphEngine) -> int:
    count = int(expected_column(embedded, COUNT_EXCHANGES, "n")[0])
    assert count > 50
    return count


def csv_column(text: str, name: str, delimiter: str = ",") -> list[str]:
    """One column of a CSV or TSV answer, in order."""
    return [row[name] for row in csv.DictReader(io.StringIO(text), delimiter=delimiter)]


# --------------------------------------------------------------------------- SPARQLWrapper

SELECT_FORMATS = ["json", "xml", "csv", "tsv"]
ASK_FORMATS = ["json", "xml"]  # SPARQL results in CSV/TSV have no boolean
GRAPH_FORMATS = ["turtle", "n3", "xml", "rdf+xml", "json-ld"]  # SPARQLWrapper has no N-Triples


def _sparqlwrapper(endpoint: str, query: str, return_format: str, method: str) -> Any:
    from SPARQLWrapper import SPARQLWrapper

    client = SPARQLWrapper(endpoint)
    client.setMethod(method)
    client.setReturnFormat(return_format)
    client.setQuery(query)
    return client.queryAndConvert()


def _text(element: Element) -> str:
    """The text inside an element of SPARQL XML results."""
    text = element.firstChild
    assert isinstance(text, Text)
    return text.data


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("return_format", SELECT_FORMATS)
def test_sparqlwrapper_select(
    endpoint: str, receivers: list[Identifier], return_format: str, method: str
) -> None:
    answer = _sparqlwrapper(endpoint, RECEIVERS, return_format, method)
    if return_format == "json":
        states = [binding["state"]["value"] for binding in answer["results"]["bindings"]]
    elif return_format == "xml":
        assert isinstance(answer, Document)
        states = [_text(uri) for uri in answer.getElementsByTagName("uri")]
    elif return_format == "csv":
        states = csv_column(answer.decode(), "state")
    else:
        states = [cell.strip("<>") for cell in csv_column(answer.decode(), "?state", "\t")]
    assert states == [str(state) for state in receivers]


@pytest.mark.parametrize("return_format", ASK_FORMATS)
def test_sparqlwrapper_ask(endpoint: str, return_format: str) -> None:
    answer = _sparqlwrapper(endpoint, ASK_RUSSIA, return_format, "GET")
    if return_format == "json":
        assert answer["boolean"] is True
    else:
        assert _text(answer.getElementsByTagName("boolean")[0]) == "true"


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("return_format", GRAPH_FORMATS)
@pytest.mark.parametrize("query", [EXCHANGE_DATES, DESCRIBE_RUSSIA], ids=["construct", "describe"])
def test_sparqlwrapper_graph(
    endpoint: str, embedded: OxigraphEngine, query: str, return_format: str, method: str
) -> None:
    answer = _sparqlwrapper(endpoint, query, return_format, method)
    # SPARQLWrapper parses RDF/XML and JSON-LD, and hands Turtle and N3 back as bytes.
    graph = (
        Graph().parse(data=answer.decode(), format="n3") if isinstance(answer, bytes) else answer
    )
    assert isinstance(graph, Graph)
    assert isomorphic(graph, expected_graph(embedded, query))


def test_sparqlwrapper_with_default_prefixes(endpoint: str, exchange_count: int) -> None:
    answer = _sparqlwrapper(endpoint, COUNT_EXCHANGES, "json", "GET")
    assert int(answer["results"]["bindings"][0]["n"]["value"]) == exchange_count


# --------------------------------------------------------------------------- rdflib


def test_rdflib_sparqlstore_select(endpoint: str, receivers: list[Identifier]) -> None:
    graph = Graph(SPARQLStore(endpoint, returnFormat="json"))
    assert [row.state for row in graph.query(RECEIVERS)] == receivers  # type: ignore[union-attr]


def test_rdflib_sparqlstore_construct(endpoint: str, embedded: OxigraphEngine) -> None:
    graph = Graph(SPARQLStore(endpoint))
    answer = graph.query(EXCHANGE_DATES).graph
    assert answer is not None
    assert isomorphic(answer, expected_graph(embedded, EXCHANGE_DATES))


def test_rdflib_sparqlstore_ask_and_default_prefixes(endpoint: str, exchange_count: int) -> None:
    graph = Graph(SPARQLStore(endpoint, returnFormat="json"))
    assert graph.query(ASK_RUSSIA).askAnswer is True
    assert [int(row.n) for row in graph.query(COUNT_EXCHANGES)] == [exchange_count]  # type: ignore[union-attr]


# --------------------------------------------------------------------------- pandas


def test_pandas_read_csv_by_accept(
    endpoint: str, receivers: list[Identifier], exchange_count: int
) -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.read_csv(
        f"{endpoint}?query={quote(RECEIVERS)}", storage_options={"Accept": "text/csv"}
    )
    assert list(frame.columns) == ["state"]
    assert list(frame["state"]) == [str(state) for state in receivers]
    count = pd.read_csv(
        f"{endpoint}?query={quote(COUNT_EXCHANGES)}", storage_options={"Accept": "text/csv"}
    )
    assert list(count["n"]) == [exchange_count]


def test_pandas_read_csv_named_query(
    served: str, project: Project, embedded: OxigraphEngine
) -> None:
    pd = pytest.importorskip("pandas")
    named = load_named_queries(project)["exchanges-between"]
    expected = named.run(embedded, {"state_a": "Russia", "state_b": "UA"})
    assert isinstance(expected, SelectResult)
    assert len(expected.rows) > 10
    url = f"{served}/api/queries/exchanges-between?state_a=Russia&state_b=UA"
    for frame in (
        pd.read_csv(url, storage_options={"Accept": "text/csv"}),
        pd.read_csv(f"{url}&format=csv"),  # as the README's recipe writes it
    ):
        assert list(frame.columns) == expected.variables
        assert list(frame["exchange"]) == [str(row["exchange"]) for row in expected.rows]


# --------------------------------------------------------------------------- curl


def _curl(*args: str) -> str:
    binary = shutil.which("curl")
    if binary is None:
        pytest.skip("curl is not installed")
    done = subprocess.run(
        [binary, "-sS", "--fail-with-body", *args], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr + done.stdout
    return done.stdout


def test_curl_csv_and_json(endpoint: str, receivers: list[Identifier], exchange_count: int) -> None:
    by_post = _curl("-H", "Accept: text/csv", "--data-urlencode", f"query={RECEIVERS}", endpoint)
    assert csv_column(by_post, "state") == [str(state) for state in receivers]
    by_get = _curl("-G", "--data-urlencode", f"query={COUNT_EXCHANGES}", endpoint)
    assert int(json.loads(by_get)["results"]["bindings"][0]["n"]["value"]) == exchange_count


@pytest.mark.parametrize("media_type", GRAPH_MEDIA_TYPES)
def test_curl_every_graph_media_type(
    endpoint: str, embedded: OxigraphEngine, media_type: str
) -> None:
    # Every graph type /sparql offers, N-Triples included (SPARQLWrapper has no name for it).
    written = _curl(
        "-H", f"Accept: {media_type}", "-w", "\n%{content_type}",
        "--data-urlencode", f"query={EXCHANGE_DATES}", endpoint,
    )  # fmt: skip
    body, content_type = written.rsplit("\n", 1)
    assert content_type.split(";")[0] == media_type
    graph = Graph().parse(data=body, format=media_type)
    assert isomorphic(graph, expected_graph(embedded, EXCHANGE_DATES))


# --------------------------------------------------------------------------- Comunica


@pytest.fixture(scope="module")
def comunica() -> Path:
    return install_comunica()


def test_comunica_select(
    comunica: Path, endpoint: str, receivers: list[Identifier], tmp_path: Path
) -> None:
    answer = run_comunica(comunica, endpoint, "select", RECEIVERS, tmp_path)
    assert [rdf_term(row["state"]) for row in answer] == receivers


def test_comunica_construct(
    comunica: Path, endpoint: str, embedded: OxigraphEngine, tmp_path: Path
) -> None:
    answer = run_comunica(comunica, endpoint, "construct", EXCHANGE_DATES, tmp_path)
    triples = {tuple(rdf_term(term) for term in triple) for triple in answer}
    assert len(triples) == len(answer), "no triple twice"
    assert triples == set(expected_graph(embedded, EXCHANGE_DATES))
