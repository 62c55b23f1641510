"""The data contract matches what the engines accept: bounded counts, sane dates, valid IRIs.

Whatever passes ``validate`` must load and give the same aggregate answers in rdflib (the
reference) and Oxigraph, and whatever ``serve`` cannot load, ``validate`` rejects.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from swapgraph.cli import main
from swapgraph.engine import OxigraphEngine, SelectResult
from swapgraph.load import parse_files
from swapgraph.paths import Project
from swapgraph.rdflib_engine import RdflibEngine
from swapgraph.validate import validate_graph
from tests.conftest import REPO_ROOT, TEST_DATA

PREFIXES = """\
@prefix swap: <https://w3id.org/swapgraph/ontology#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix state: <https://w3id.org/swapgraph/id/state/> .
@prefix exchange: <https://w3id.org/swapgraph/id/exchange/> .
@prefix dct: <http://purl.org/dc/terms/> .
"""

EXCHANGE = """\
exchange:x a swap:Exchange ;
    swap:date "{date}"^^xsd:date ;
    dct:source <https://example.org/a> ;
    swap:transfer [ a swap:Transfer ; swap:releasedBy state:russia ;
        swap:receivedBy state:ukraine ; swap:peopleCount {count} ] .
<https://example.org/a> a swap:Source .
"""


def violations(date: str, count: str) -> set[str]:
    project = Project.open(REPO_ROOT)
    data = parse_files([REPO_ROOT / "graph" / "states.ttl"])
    data.parse(data=PREFIXES + EXCHANGE.format(date=date, count=count), format="turtle")
    report = validate_graph(project, data)
    return {r.shape for r in report.results if r.severity == "Violation"}


@pytest.mark.parametrize(
    ("date", "count", "shape"),
    [
        ("2025-05-23", "1" + "0" * 400, "swapsh:PeopleCount"),
        ("2025-05-23", "1000001", "swapsh:PeopleCount"),
        ("9999-12-31", "5", "swapsh:ExchangeDate"),
        ("1899-12-31", "5", "swapsh:ExchangeDate"),
    ],
    ids=["400-digits", "over-a-million", "year-9999", "year-1899"],
)
def test_out_of_range_values_are_violations(date: str, count: str, shape: str) -> None:
    assert shape in violations(date, count)


def test_bounds_themselves_pass() -> None:
    assert not violations("2100-12-31", "1000000") & {"swapsh:PeopleCount", "swapsh:ExchangeDate"}


def test_new_and_import_refuse_a_date_out_of_range(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for folder in ("ontology", "shapes", "graph", "api"):
        shutil.copytree(REPO_ROOT / folder, tmp_path / folder)
    args = ["new", "exchange", "--date", "9999-12-31", "--between", "Russia", "Ukraine"]
    assert main(["--project", str(tmp_path), *args]) == 2
    assert "outside 1900-01-01 to 2100-12-31" in capsys.readouterr().err
    assert not (tmp_path / "graph" / "exchanges-9999.ttl").exists()


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("<https://example.org/b c> a swap:Exchange .\n", "bad.ttl:6: not valid RDF: IRI"),
        (
            EXCHANGE.format(date="2025-05-23", count="9" * 400),
            "bad.ttl:10: not valid RDF: integer of 400 digits",
        ),
    ],
    ids=["iri", "count"],
)
def test_validate_rejects_what_serve_cannot_load(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], text: str, where: str
) -> None:
    for folder in ("ontology", "shapes", "api"):
        shutil.copytree(REPO_ROOT / folder, tmp_path / folder)
    (tmp_path / "graph").mkdir()
    shutil.copy(REPO_ROOT / "graph" / "states.ttl", tmp_path / "graph" / "states.ttl")
    (tmp_path / "graph" / "bad.ttl").write_text(PREFIXES + text, encoding="utf-8")
    # `serve` in a process of its own (were the data loaded after all, it would serve on),
    # started first so that it runs while the others run here.
    serve = subprocess.Popen(
        [sys.executable, "-m", "swapgraph", "--project", str(tmp_path), "serve", "--port", "0"],
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT / "src")},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    outputs = {}
    try:
        for args in (
            ["validate"],
            ["query", "ASK { ?s ?p ?o }"],
            ["query", "--engine", "rdflib", "ASK { ?s ?p ?o }"],
            ["stats"],
            ["export", "gexf"],
        ):
            # Output caught at the file descriptor, where a library's logged traceback lands.
            code = main(["--project", str(tmp_path), *args])
            outputs[" ".join(args)] = (args[0], code, capfd.readouterr().err)
        _, serve_stderr = serve.communicate(timeout=120)
    finally:
        serve.kill()
        serve.wait()
    outputs["serve"] = ("serve", serve.returncode, serve_stderr)
    codes = {}
    for command, (name, code, stderr) in outputs.items():
        assert "Traceback" not in stderr, (command, stderr)
        codes[name] = code
        if name in ("validate", "serve") or "--engine" in command:  # they read with the loader
            assert where in stderr, (command, stderr)
    assert codes["validate"] == codes["serve"] == 2


def _fixtures() -> list[Path]:
    """Every fixture of tests/data that the shapes accept (the valid examples and graph/)."""
    return [*sorted((TEST_DATA / "shapes" / "valid").glob("*.ttl")), REPO_ROOT / "graph"]


AGGREGATES = {
    "triples": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "exchanges": "SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE "
    "{ ?e a <https://w3id.org/swapgraph/ontology#Exchange> }",
    "people": "SELECT (SUM(?c) AS ?n) WHERE "
    "{ ?t <https://w3id.org/swapgraph/ontology#peopleCount> ?c }",
    "max": "SELECT (MAX(?c) AS ?n) WHERE "
    "{ ?t <https://w3id.org/swapgraph/ontology#peopleCount> ?c }",
    "first": "SELECT (MIN(?d) AS ?n) WHERE { ?e <https://w3id.org/swapgraph/ontology#date> ?d }",
}


@pytest.mark.parametrize("fixture", _fixtures(), ids=lambda p: p.name)
def test_both_engines_give_the_same_aggregates(fixture: Path) -> None:
    files = sorted(fixture.glob("*.ttl")) if fixture.is_dir() else [
        TEST_DATA / "shapes" / "background.ttl", fixture
    ]  # fmt: skip
    reference = RdflibEngine.from_files(files)
    oxigraph = OxigraphEngine.from_files(files)
    for name, query in AGGREGATES.items():
        answers = [_scalar(engine.query(query, {})) for engine in (reference, oxigraph)]
        assert answers[0] == answers[1], name


def _scalar(result: object) -> object:
    assert isinstance(result, SelectResult)
    value = result.rows[0]["n"] if result.rows else None
    if value is None:
        return None
    text = str(value)
    try:
        return Decimal(text)
    except ArithmeticError:
        return text
