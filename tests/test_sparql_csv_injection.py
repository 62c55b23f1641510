"""No /sparql result in CSV or TSV carries a live spreadsheet formula (issue 10, OWASP rule).

The engines (Oxigraph, rdflib) write CSV and TSV themselves; the route passes their output
through :func:`swapgraph.csvsafe.neutralise_results`. Checked against a real server on a
project whose state is labelled ``=HYPERLINK(...)``.
"""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Iterator

import httpx
import pytest

from swapgraph.csvsafe import neutralise_results, neutralise_term
from swapgraph.paths import Project
from swapgraph.server import Settings
from tests.conftest import REPO_ROOT
from tests.serving import RunningServer, swapgraph_server

FORMULA = '=HYPERLINK("http://evil.example/","x")'
LABELS = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX state: <https://w3id.org/swapgraph/id/state/>
SELECT ?label ?n WHERE { state:ukraine rdfs:label ?label . BIND (-5 AS ?n) }"""


@pytest.fixture(scope="module", params=["oxigraph", "rdflib"])
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningServer]:
    root = tmp_path_factory.mktemp("formula") / "project"
    for name in ("ontology", "shapes", "graph", "api"):
        shutil.copytree(REPO_ROOT / name, root / name)
    states = root / "graph" / "states.ttl"
    text = states.read_text(encoding="utf-8")
    escaped = FORMULA.replace('"', '\\"')
    states.write_text(text.replace('rdfs:label "Ukraine" ;', f'rdfs:label "{escaped}" ;', 1))
    with swapgraph_server(Settings(Project.open(root), engine=request.param)) as running:
        yield running


def test_csv_from_the_engine_is_neutralised(server: RunningServer) -> None:
    response = httpx.get(server.sparql, params={"query": LABELS}, headers={"Accept": "text/csv"})
    assert response.status_code == 200, response.text
    rows = list(csv.reader(io.StringIO(response.text, newline="")))
    assert rows == [["label", "n"], ["'" + FORMULA, "-5"]]


def test_tsv_from_the_engine_is_neutralised(server: RunningServer) -> None:
    response = httpx.get(
        server.sparql, params={"query": LABELS}, headers={"Accept": "text/tab-separated-values"}
    )
    assert response.status_code == 200, response.text
    _header, row = response.text.rstrip("\n").split("\n")
    label, number = row.split("\t")
    assert label.startswith("\"'=HYPERLINK(")
    assert number == "-5"


def test_other_results_are_untouched() -> None:
    body = b'{"head":{"vars":["x"]},"results":{"bindings":[]}}'
    assert neutralise_results(body, "application/sparql-results+json") is body
    plain = b"label\r\nUkraine\r\n"
    assert neutralise_results(plain, "text/csv") is plain


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ('"=1+1"', '"\'=1+1"'),
        ('"@SUM(A1)"@en', '"\'@SUM(A1)"@en'),
        ('"-5"', '"-5"'),
        ("-5", "-5"),
        ("<https://example.org/=x>", "<https://example.org/=x>"),
        ('"+cmd"^^<urn:x:string>', '"\'+cmd"^^<urn:x:string>'),
    ],
)
def test_tsv_terms(cell: str, expected: str) -> None:
    assert neutralise_term(cell) == expected
