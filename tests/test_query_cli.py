"""``swapgraph query``: text, files and named queries; output formats; exit codes."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from swapgraph.cli import main
from swapgraph.query_text import DEFAULT_PREFIXES, error_position
from tests.conftest import REPO_ROOT

PROJECT = ["--project", str(REPO_ROOT)]
GRINER = "https://w3id.org/swapgraph/id/person/brittney-griner"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["query", *args, *PROJECT])
    out, err = capsys.readouterr()
    return code, out, err


def test_list_shows_every_named_query(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--list")
    assert code == 0
    names = [line.split()[0] for line in out.splitlines()]
    assert names == sorted(p.stem for p in (REPO_ROOT / "api").glob("*.rq"))
    assert "Named public figures released: by whom, to whom, when" in out


def test_named_query_with_parameters_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "named-figures", "--param", "name=griner", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert "person" in data["head"]["vars"]
    [row] = data["results"]["bindings"]
    assert row["person"] == {"type": "uri", "value": GRINER}
    assert row["date"] == {
        "type": "literal",
        "value": "2022-12-08",
        "datatype": "http://www.w3.org/2001/XMLSchema#date",
    }
    assert row["name"] == {"type": "literal", "value": "griner"}


@pytest.mark.parametrize("engine", ["oxigraph", pytest.param("rdflib", marks=pytest.mark.slow)])
def test_csv_and_tsv(capsys: pytest.CaptureFixture[str], engine: str) -> None:
    args = ["named-figures", "--param", "name=griner", "--engine", engine]
    code, out, _ = run(capsys, *args, "--format", "csv")
    assert code == 0 and "\r\n" in out
    [row] = list(csv.DictReader(io.StringIO(out)))
    assert (row["person"], row["person_label"], row["date"]) == (
        GRINER,
        "Brittney Griner",
        "2022-12-08",
    )
    code, out, _ = run(capsys, *args, "--format", "tsv")
    header, line = out.splitlines()
    cells = dict(zip(header.split("\t"), line.split("\t"), strict=True))
    assert cells["?person"] == f"<{GRINER}>"
    assert cells["?date"] == '"2022-12-08"^^<http://www.w3.org/2001/XMLSchema#date>'
    assert cells["?person_label"] == '"Brittney Griner"'


def test_table_shortens_iris(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "named-figures", "--param", "name=griner")
    assert code == 0
    header, rule, row = out.splitlines()
    assert header.split()[:2] == ["person", "person_label"]
    assert set(rule) == {"-", " "}
    assert row.startswith("person:brittney-griner  Brittney Griner")


def test_table_writes_iris_that_have_no_legal_prefixed_name_in_full(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # "source:a/b" and "state:a." are not prefixed names a query or Turtle file can read back.
    iris = [
        "https://w3id.org/swapgraph/id/source/a/b",
        "https://w3id.org/swapgraph/id/state/a.",
        "http://example.org/x",
    ]
    values = " ".join(f"<{iri}>" for iri in iris)
    code, out, _ = run(capsys, f"SELECT ?x WHERE {{ VALUES ?x {{ {values} }} }}")
    assert code == 0
    assert sorted(out.splitlines()[2:]) == sorted(f"<{iri}>" for iri in iris)


def test_sparql_text_ask_and_construct(capsys: pytest.CaptureFixture[str]) -> None:
    ask = f"ASK {{ <{GRINER}> a <https://w3id.org/swapgraph/ontology#Person> }}"
    assert run(capsys, ask)[:2] == (0, "true\n")
    assert json.loads(run(capsys, ask, "--format", "json")[1]) == {"head": {}, "boolean": True}
    construct = f"CONSTRUCT {{ <{GRINER}> ?p ?o }} WHERE {{ <{GRINER}> ?p ?o }}"
    code, out, _ = run(capsys, construct)
    assert code == 0 and out.startswith("@prefix ") and "person:brittney-griner" in out
    code, out, _ = run(capsys, construct, "--format", "csv")
    assert out.splitlines()[0] == "subject,predicate,object"


def test_query_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    plain = tmp_path / "plain.rq"
    plain.write_text(f"# who\nSELECT ?p WHERE {{ <{GRINER}> ?p ?o }} LIMIT 1\n")
    code, out, _ = run(capsys, "-f", str(plain), "--format", "csv")
    assert code == 0 and out.startswith("p\r\n")
    named = tmp_path / "Mine.rq"
    named.write_text((REPO_ROOT / "api" / "named-figures.rq").read_text())
    code, out, _ = run(capsys, "-f", str(named), "--param", "name=bout", "--format", "csv")
    assert code == 0 and "Viktor Bout" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["SELECT ?x WHERE { ?x"], "SPARQL syntax error"),
        (["nosuch-query"], "no named query 'nosuch-query'"),
        (["-f", "/nonexistent/q.rq"], "/nonexistent/q.rq: no such query file"),
        (["named-figures", "--param", "colour=red"], "has no parameter 'colour'"),
        (["exchanges-between", "--param", "from=2025-13-45"], "'2025-13-45' is not a date"),
        (["asymmetric-exchanges", "--param", "min_imbalance=abc"], "'abc' is not an integer"),
        (["named-figures", "--param", "name"], "must read NAME=VALUE"),
        (["ASK { ?s ?p ?o }", "--param", "x=1"], "named queries (api/NAME.rq) only"),
    ],
)
def test_errors_exit_2_with_one_line(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, out, err = run(capsys, *args)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1
    assert err.startswith("swapgraph: error: ") and message in err


def test_query_and_file_are_exclusive(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["query", "named-figures", "-f", "x.rq"])
    assert caught.value.code == 2
    assert "not allowed with" in capsys.readouterr().err


def test_result_formats_escape_and_type_terms() -> None:
    from rdflib import BNode, Literal, URIRef
    from rdflib.namespace import XSD

    from swapgraph.engine import SelectResult
    from swapgraph.results import render

    result = SelectResult(
        ["a", "b", "c"],
        [
            {"a": Literal('tab\there "q"\nline'), "b": Literal("Kyiv", lang="en"), "c": None},
            {"a": Literal(5, datatype=XSD.integer), "b": BNode("x1"), "c": URIRef("urn:x")},
        ],
    )
    assert render(result, "tsv").splitlines() == [
        "?a\t?b\t?c",
        '"tab\\there \\"q\\"\\nline"\t"Kyiv"@en\t',
        "5\t_:x1\t<urn:x>",
    ]
    assert list(csv.reader(io.StringIO(render(result, "csv")))) == [
        ["a", "b", "c"],
        ['tab\there "q"\nline', "Kyiv", ""],
        ["5", "_:x1", "urn:x"],
    ]
    bindings = json.loads(render(result, "json"))["results"]["bindings"]
    assert bindings[0]["b"] == {"type": "literal", "value": "Kyiv", "xml:lang": "en"}
    assert "c" not in bindings[0]
    assert bindings[1]["b"] == {"type": "bnode", "value": "x1"}
    assert render(result, "table").splitlines()[2] == 'tab here "q" line  Kyiv'


@pytest.mark.slow  # starts Oxigraph server
def test_named_query_through_a_remote_endpoint_matches_local(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from swapgraph.paths import Project
    from tests.serving import oxigraph_server

    project = Project.open(REPO_ROOT)
    argv = ["query", "third-states", "--format", "json", "--project", str(REPO_ROOT)]
    assert main(argv) == 0
    local = json.loads(capsys.readouterr().out)
    with oxigraph_server(project.data_files(), tmp_path) as url:
        assert main([*argv, "--engine", url]) == 0
    remote = json.loads(capsys.readouterr().out)

    def rows(answer: dict[str, Any]) -> list[dict[str, tuple[str, ...]]]:
        # GROUP_CONCAT lists have no defined order: compare their items as sorted tuples.
        return [
            {name: tuple(sorted(term["value"].split(", "))) for name, term in row.items()}
            for row in answer["results"]["bindings"]
        ]

    assert rows(remote) == rows(local)
    assert local["results"]["bindings"][0]["state_label"]["value"] == "Belarus"


@pytest.mark.parametrize(
    ("param", "message"),
    [
        (
            "state_b=state:ukrane",
            "parameter 'state_b': unknown name 'state:ukrane' (did you mean: Ukraine",
        ),
        ("from=2025-06-01", "parameter 'from' (2025-06-01) is after 'to' (2025-05-31)"),
    ],
)
def test_a_typo_or_a_reversed_range_exits_2_never_an_empty_table(
    capsys: pytest.CaptureFixture[str], param: str, message: str
) -> None:
    args = ["exchanges-between", "--param", "to=2025-05-31", "--param", param]
    code, out, err = run(capsys, *args)
    assert (code, out) == (2, "")
    assert err.startswith(f"swapgraph: error: {message}")


def test_named_query_takes_a_state_by_its_name(capsys: pytest.CaptureFixture[str]) -> None:
    by_iri = run(capsys, "exchanges-between", "--param", "state_a=state:russia")
    by_name = run(capsys, "exchanges-between", "--param", "state_a=Russia")
    assert by_name == by_iri and by_iri[0] == 0


# A keyword typo on line 5 of a query that declares no prefix: it uses the default ones.
TYPO = """SELECT ?exchange ?date
WHERE {
  ?exchange a swap:Exchange ;
            swap:date ?date .
  FILTR (?date > "2025-01-01"^^xsd:date)
}"""
# Where Oxigraph stops on it: line 5, after "FILTR (?date".
TYPO_AT = "line 5, column 11"


@pytest.mark.parametrize("how", ["text", "file"])
def test_a_syntax_error_is_placed_in_the_text_as_written(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, how: str
) -> None:
    query_file = tmp_path / "typo.rq"
    query_file.write_text(TYPO, encoding="utf-8")
    args = [TYPO] if how == "text" else ["--file", str(query_file)]
    code, out, err = run(capsys, *args)
    assert (code, out) == (2, "")
    assert err.startswith(f"swapgraph: error: SPARQL syntax error at {TYPO_AT}: ")
    assert error_position(err) == (5, 11)


def test_the_default_prefixes_need_no_declaration(capsys: pytest.CaptureFixture[str]) -> None:
    text = "SELECT (COUNT(?e) AS ?n) WHERE { ?e a swap:Exchange ; swap:date ?d }"
    declared = f"PREFIX swap: <{DEFAULT_PREFIXES['swap']}>\n{text}"
    for engine in ("oxigraph", "rdflib"):
        _, plain, _ = run(capsys, text, "--format", "csv", "--engine", engine)
        _, written, _ = run(capsys, declared, "--format", "csv", "--engine", engine)
        assert plain == written
        assert int(plain.splitlines()[1]) > 100, "the sources record over a hundred exchanges"
    # A query's own declaration wins over the default one.
    code, out, _ = run(
        capsys, "PREFIX swap: <urn:other#> ASK { ?e a swap:Exchange }", "--format", "csv"
    )
    assert (code, out.split()) == (0, ["false"])
