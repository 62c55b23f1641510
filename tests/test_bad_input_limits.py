"""The bounds on client input (swapgraph.limits), on their own and at the engines' edge."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from swapgraph import limits
from swapgraph.errors import LimitExceeded
from swapgraph.limits import check_json_depth, check_rdf_upload
from swapgraph.query_text import check_read_only_query, measure_depth
from tests.conftest import REPO_ROOT

# Query shapes that Oxigraph folds into one deep tree, by how many times a piece repeats.
SHAPES: dict[str, Callable[[int], str]] = {
    "nested braces": lambda n: "SELECT * WHERE " + "{" * n + "}" * n,
    "nested parentheses": lambda n: "ASK { FILTER(" + "(" * n + "1" + ")" * n + ") }",
    "nested collections": lambda n: "ASK { ?s ?p " + "(" * n + "1" + ")" * n + " }",
    "nested blank nodes": lambda n: "ASK { ?s ?p " + "[ ?p " * n + "1" + " ]" * n + " }",
    "UNION": lambda n: "ASK { {} " + "UNION {} " * n + "}",
    "OPTIONAL": lambda n: "ASK { " + "OPTIONAL {} " * n + "}",
    "MINUS": lambda n: "ASK { " + "MINUS {} " * n + "}",
    "BIND": lambda n: "SELECT * { " + " ".join(f"BIND(1 AS ?v{i})" for i in range(n)) + " }",
    "FILTER": lambda n: "ASK { " + "FILTER(true) " * n + "}",
    "||": lambda n: "ASK { FILTER(true" + " || true" * n + ") }",
    "+": lambda n: "ASK { FILTER(1" + " + 1" * n + " > 0) }",
    "!": lambda n: "ASK { FILTER(" + "!" * n + "true) }",
    "path |": lambda n: "ASK { ?s <p:a>" + "|<p:a>" * n + " ?o }",
}


def _allowed(text: str) -> bool:
    try:
        check_read_only_query(text)
    except LimitExceeded:
        return False
    return True


def _largest_allowed(shape: Callable[[int], str]) -> int:
    low, high = 0, 5_000
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (middle, high) if _allowed(shape(middle)) else (low, middle)
    return low


@pytest.mark.slow
def test_the_largest_queries_let_through_run_in_oxigraph_without_crashing(
    tmp_path: Path,
) -> None:
    texts = {name: shape(_largest_allowed(shape)) for name, shape in SHAPES.items()}
    assert all(not _allowed(shape(_largest_allowed(shape) + 1)) for shape in SHAPES.values())
    script = (
        "import json, sys, pyoxigraph as ox\n"
        "for name, text in json.load(sys.stdin).items():\n"
        "    result = ox.Store().query(text)\n"
        "    print(name, bool(result) if hasattr(result, '__bool__') else 'ran', flush=True)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", script],
        input=json.dumps(texts),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    # A stack overflow ends the process with SIGSEGV (return code -11): never at the limit.
    assert run.returncode == 0, (run.returncode, run.stdout[-400:], run.stderr[-400:])
    assert len(run.stdout.splitlines()) == len(SHAPES)


@pytest.mark.slow
def test_the_command_line_refuses_crashing_queries_with_exit_2(tmp_path: Path) -> None:
    # Each of these ended `swapgraph query` with SIGSEGV (exit 139).
    crashing = [
        ("nested braces", 2_500, "nests brackets"),
        ("nested parentheses", 5_000, "nests brackets"),
        ("UNION", 100_000, "UNION"),
        ("OPTIONAL", 50_000, "OPTIONAL"),
    ]
    for shape, times, message in crashing:
        query = tmp_path / "crash.rq"
        query.write_text(SHAPES[shape](times), encoding="utf-8")
        run = subprocess.run(
            [sys.executable, "-m", "swapgraph", "query", "-f", str(query)],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert (run.returncode, message in run.stderr) == (2, True), (shape, run.stderr)


@pytest.mark.parametrize(
    "text",
    [
        # Names, literals and decorations hold dashes, dots and slashes that are no operators.
        'SELECT * { exchange:2025-05-23-ru-ua ex:p-q "a-b/c"@en-GB , 1.5e-3 , _:b-1 }',
        # Inline data counts for nothing, however long.
        "ASK { VALUES (?a ?b) { " + '(-1 "x"^^xsd:string) ' * 20_000 + "} }",
        # Brackets and keywords in strings, comments and IRIs are not syntax.
        'ASK { FILTER("{{{{ UNION" != "") } # ' + "{" * 1000 + "\n",
        "ASK { <http://example.org/" + "((((" * 100 + "> ?p ?o }",
        # Many short chains in separate groups: the tree is wide, not deep.
        "ASK { " + "{ ?s ?p ?o FILTER(?o > 1 || ?o < 0) } " * 2_000 + "}",
    ],
)
def test_large_but_shallow_queries_pass(text: str) -> None:
    check_read_only_query(text)


def test_escaped_brackets_are_counted_as_the_parser_reads_them() -> None:
    depth = measure_depth("SELECT * WHERE " + "\\u007B" * 100 + "\\u007D" * 100)
    assert depth.nesting == 100


def _turtle(body: str, prefixes: int = 0) -> str:
    declarations = "".join(f"@prefix p{i}: <http://example.org/{i}#> .\n" for i in range(prefixes))
    return declarations + body


def test_posted_rdf_within_every_limit_is_counted() -> None:
    size = check_rdf_upload(_turtle("<http://a/s> <http://a/p> 1 , 2 , <rel> .", 3), "text/turtle")
    assert size.triples == 3


@pytest.mark.parametrize(
    ("text", "media_type", "message"),
    [
        (_turtle("", limits.MAX_PREFIXES + 1), "text/turtle", "prefixes"),
        (
            "<http://a/" + "x" * limits.MAX_IRI_LENGTH + "> <http://a/p> 1 .",
            "text/turtle",
            "IRI",
        ),
        (
            "<http://a/s> <http://a/p> 0" + ",1" * limits.MAX_TRIPLES + " .",
            "text/turtle",
            "triples",
        ),
        (
            # Short IRIs, long literals: memory is bounded whatever holds it.
            "<http://a/s> <http://a/p> "
            + ", ".join(f'"{i}{"x" * 1000}"' for i in range(limits.MAX_EXPANDED_CHARACTERS // 1000))
            + " .",
            "text/turtle",
            "characters",
        ),
        ('{"a": ' * (limits.MAX_JSON_DEPTH + 1) + "1" + "}" * 65, "application/ld+json", "JSON"),
    ],
)
def test_posted_rdf_past_a_limit_is_refused(text: str, media_type: str, message: str) -> None:
    with pytest.raises(LimitExceeded, match=message):
        check_rdf_upload(text, media_type)


def test_json_depth_ignores_brackets_in_strings() -> None:
    check_json_depth('{"@id": "' + "[{" * 10_000 + '"}')
    with pytest.raises(LimitExceeded):
        check_json_depth("[" * 100_000)


def test_posted_rdf_that_does_not_parse_says_where() -> None:
    with pytest.raises(SyntaxError, match="line 1"):
        check_rdf_upload("<http://a/s> <http://a/p> .", "text/turtle")
