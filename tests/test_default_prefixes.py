"""One set of default prefixes and one way of placing a syntax error, everywhere.

The command line, the notebook API and ``/sparql`` let a query use the project's prefixes
undeclared (:data:`swapgraph.query_text.DEFAULT_PREFIXES`), the service description lists
them, and a syntax error is placed at the same line and column of the text as written.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SH, XSD

from swapgraph.cli import main
from swapgraph.namespaces import PREFIXES
from swapgraph.query_text import (
    DEFAULT_PREFIXES,
    declare_default_prefixes,
    describe_syntax_error,
    error_position,
)
from tests.conftest import REPO_ROOT
from tests.serving import RunningServer
from tests.test_query_cli import TYPO, TYPO_AT

pytestmark = pytest.mark.slow  # the shared real server

COUNT = "SELECT (COUNT(?e) AS ?n) WHERE { ?e a swap:Exchange }"


def test_default_prefixes_are_the_projects() -> None:
    assert {name: str(ns) for name, ns in PREFIXES.items()} == DEFAULT_PREFIXES


def test_sparql_endpoint_knows_the_default_prefixes(
    shared_server: RunningServer, capsys: pytest.CaptureFixture[str]
) -> None:
    answer = httpx.get(shared_server.sparql, params={"query": COUNT, "format": "csv"})
    assert answer.status_code == 200, answer.text
    assert main(["query", COUNT, "--format", "csv", "--project", str(REPO_ROOT)]) == 0
    assert answer.text.splitlines() == capsys.readouterr().out.splitlines()


def test_sparql_endpoint_places_a_syntax_error_as_the_command_line_does(
    shared_server: RunningServer, capsys: pytest.CaptureFixture[str]
) -> None:
    answer = httpx.post(shared_server.sparql, data={"query": TYPO})
    assert answer.status_code == 400
    assert main(["query", TYPO, "--project", str(REPO_ROOT)]) == 2
    command_line = capsys.readouterr().err.removeprefix("swapgraph: error: ").strip()
    assert answer.text.strip() == command_line
    assert f"at {TYPO_AT}:" in command_line


def test_service_description_lists_the_default_prefixes(shared_server: RunningServer) -> None:
    answer = httpx.get(shared_server.sparql, headers={"Accept": "text/turtle"})
    assert answer.status_code == 200
    description = Graph().parse(data=answer.text, format="turtle")
    endpoint = URIRef(shared_server.sparql)
    declared = {
        str(description.value(d, SH.prefix)): description.value(d, SH.namespace)
        for d in description.objects(endpoint, SH.declare)
    }
    assert declared == {
        name: Literal(namespace, datatype=XSD.anyURI)
        for name, namespace in DEFAULT_PREFIXES.items()
    }


def test_remote_engines_get_the_prefixes_declared_on_the_first_line() -> None:
    text = 'SELECT ?x WHERE {\n  ?x a swap:Exchange ; rdfs:label "no:prefix" ; <urn:a:b> _:c .\n}'
    sent, added = declare_default_prefixes(text)
    assert sent == (
        f"PREFIX swap: <{DEFAULT_PREFIXES['swap']}> PREFIX rdfs: <{DEFAULT_PREFIXES['rdfs']}> "
        + text
    )
    assert added == len(sent) - len(text)
    assert sent.count("\n") == text.count("\n"), "every line keeps its number"
    declared = "PREFIX swap: <urn:mine#>\nASK { ?x a swap:Exchange }"
    assert declare_default_prefixes(declared) == (declared, 0)
    # An error on line 1 of the sent text is placed in the text as written.
    message = describe_syntax_error(f"error at 1:{added + 8}: expected WHERE", added)
    assert message == "SPARQL syntax error at line 1, column 8: expected WHERE"
    assert error_position(message) == (1, 8)
    assert (
        describe_syntax_error("error at 3:2: x", added)
        == "SPARQL syntax error at line 3, column 2: x"
    )


def test_a_remote_endpoint_answers_with_the_default_prefixes(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from swapgraph.paths import Project
    from tests.serving import oxigraph_server

    argv = ["query", COUNT, "--format", "csv", "--project", str(REPO_ROOT)]
    assert main(argv) == 0
    local = capsys.readouterr().out
    with oxigraph_server(Project.open(REPO_ROOT).data_files(), tmp_path) as url:
        assert main([*argv, "--engine", url]) == 0
        assert capsys.readouterr().out == local
        # A typo: the endpoint's position, in the text it was sent (declarations added on
        # line 1), is placed back in the text as written, where the embedded engine puts it.
        assert main(["query", TYPO, "--engine", url, "--project", str(REPO_ROOT)]) == 2
        remote = capsys.readouterr().err
        one_line = TYPO.replace("\n", " ")
        assert main(["query", one_line, "--engine", url, "--project", str(REPO_ROOT)]) == 2
        remote_line_1 = capsys.readouterr().err
    assert f"rejected the query: SPARQL syntax error at {TYPO_AT}: " in remote
    assert main(["query", one_line, "--project", str(REPO_ROOT)]) == 2
    local_line_1 = capsys.readouterr().err
    assert error_position(local_line_1) == (1, 102)
    assert error_position(remote_line_1) == error_position(local_line_1)
