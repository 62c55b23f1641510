"""Comunica (``@comunica/query-sparql`` from npm, in Node) against a real swapgraph server.

Comunica is the JavaScript world's SPARQL client: given the server's ``/sparql`` as a
``sparql`` source it sends each query there by the SPARQL protocol and parses the answer.
Its SELECT rows and CONSTRUCT triples must equal what the embedded engine answers.

The package (about 500 npm packages) is installed once into a cache folder outside the
repository (``$SWAPGRAPH_TEST_CACHE`` or ``~/.cache/swapgraph-tests``), never shipped in the
wheel; without node, npm or the registry the tests skip and say why.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from rdflib import BNode, Literal, URIRef
from rdflib.term import Identifier

from swapgraph.engine import GraphResult, OxigraphEngine, SelectResult
from swapgraph.paths import Project
from tests.serving import RunningServer

pytestmark = pytest.mark.slow

#: The major version tested: Comunica 5 fetches with undici 8, which needs Node 22, while
#: Debian and Ubuntu ship Node 20; Comunica 4 runs on both.
COMUNICA = "@comunica/query-sparql@4"

SELECT = """PREFIX swap: <https://w3id.org/swapgraph/ontology#>
SELECT ?exchange ?date ?people WHERE {
  ?exchange a swap:Exchange ; swap:date ?date ;
            swap:transfer [ swap:receivedBy <https://w3id.org/swapgraph/id/state/ukraine> ;
                            swap:peopleCount ?people ] .
} ORDER BY ?date ?exchange"""

CONSTRUCT = """PREFIX swap: <https://w3id.org/swapgraph/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
CONSTRUCT { ?exchange swap:date ?date ; rdfs:label ?label }
WHERE { ?exchange a swap:Exchange ; swap:date ?date ; rdfs:label ?label }"""

# Runs one query through Comunica against the endpoint and writes its answer as JSON to a
# file: rows of terms for SELECT, a list of triples for CONSTRUCT, terms as RDF/JS gives them.
# A file, not stdout: Node writes to a pipe asynchronously, so process.exit() after
# console.log cuts an answer longer than the pipe's 64 KiB buffer.
RUN = """
const fs = require("fs");
const { QueryEngine } = require(process.argv[2]);
const [endpoint, kind, query, output] = process.argv.slice(3);
const term = (t) => t && ({
  type: t.termType, value: t.value,
  datatype: t.termType === "Literal" ? t.datatype.value : undefined,
  language: t.termType === "Literal" ? t.language : undefined,
});
(async () => {
  const engine = new QueryEngine();
  const context = { sources: [{ type: "sparql", value: endpoint }] };
  let answer;
  if (kind === "select") {
    const bindings = await (await engine.queryBindings(query, context)).toArray();
    answer = bindings.map((b) => Object.fromEntries([...b].map(([v, t]) => [v.value, term(t)])));
  } else {
    const quads = await (await engine.queryQuads(query, context)).toArray();
    answer = quads.map((q) => [term(q.subject), term(q.predicate), term(q.object)]);
  }
  fs.writeFileSync(output, JSON.stringify(answer));
  process.exit(0);
})().catch((error) => { console.error(error); process.exit(1); });
"""


def _cache_folder() -> Path:
    root = os.environ.get("SWAPGRAPH_TEST_CACHE")
    base = Path(root) if root else Path.home() / ".cache" / "swapgraph-tests"
    return base / "comunica-4"


def install_comunica() -> Path:
    """The installed ``@comunica/query-sparql`` package; skip without node, npm or registry.

    Installed once into the cache folder; every later call finds it there.
    """
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("node and npm are needed to run Comunica (@comunica/query-sparql)")
    folder = _cache_folder()
    package = folder / "node_modules" / "@comunica" / "query-sparql"
    if not (package / "package.json").is_file():
        folder.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(
            [npm, "install", "--prefix", str(folder), "--no-audit", "--no-fund", COMUNICA],
            capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        if done.returncode != 0 or not package.is_dir():
            pytest.skip(f"cannot install {COMUNICA} from npm (offline?): {done.stderr[-300:]}")
    return package


@pytest.fixture(scope="module")
def comunica() -> Path:
    """The installed ``@comunica/query-sparql`` package (see :func:`install_comunica`)."""
    return install_comunica()


def run_comunica(package: Path, endpoint: str, kind: str, query: str, tmp: Path) -> Any:
    """Run ``query`` (``kind`` select or construct) through Comunica against ``endpoint``.

    Returns:
        The answer as RUN prints it: rows of terms, or a list of triples.
    """
    script, output = tmp / "run.js", tmp / "answer.json"
    script.write_text(RUN, encoding="utf-8")
    done = subprocess.run(
        ["node", str(script), str(package), endpoint, kind, query, str(output)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(output.read_text(encoding="utf-8"))


def rdf_term(data: dict[str, str] | None) -> Identifier | None:
    """An RDF/JS term, as RUN prints it, back to rdflib's."""
    if data is None:
        return None
    if data["type"] == "NamedNode":
        return URIRef(data["value"])
    if data["type"] == "BlankNode":
        return BNode(data["value"])
    return Literal(data["value"], lang=data["language"] or None, datatype=None
                   if data["language"] else URIRef(data["datatype"]))  # fmt: skip


@pytest.fixture(scope="module")
def embedded(project: Project) -> OxigraphEngine:
    """The embedded engine over the same project the server serves."""
    return OxigraphEngine.from_project(project)


def test_comunica_select_rows_equal_the_embedded_engines(
    comunica: Path, shared_server: RunningServer, embedded: OxigraphEngine, tmp_path: Path
) -> None:
    expected = embedded.query(SELECT)
    assert isinstance(expected, SelectResult)
    assert len(expected.rows) > 5, "the sources record several exchanges returning Ukrainians"
    answer = run_comunica(comunica, shared_server.sparql, "select", SELECT, tmp_path)
    rows = [{name: rdf_term(value) for name, value in row.items()} for row in answer]
    assert rows == [{k: v for k, v in row.items() if v is not None} for row in expected.rows]


def test_comunica_construct_triples_equal_the_embedded_engines(
    comunica: Path, shared_server: RunningServer, embedded: OxigraphEngine, tmp_path: Path
) -> None:
    expected = embedded.query(CONSTRUCT)
    assert isinstance(expected, GraphResult)
    assert len(expected.graph) > 10
    answer = run_comunica(comunica, shared_server.sparql, "construct", CONSTRUCT, tmp_path)
    triples = {tuple(rdf_term(term) for term in triple) for triple in answer}
    assert len(triples) == len(answer), "no triple twice"
    assert triples == set(expected.graph)
