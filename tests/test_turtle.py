from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, RDFS, XSD

from swapgraph.errors import RDFSyntaxError, SwapgraphError
from swapgraph.fmt import format_project
from swapgraph.load import parse_file
from swapgraph.namespaces import ID, SWAP
from swapgraph.paths import Project
from swapgraph.turtle import check_canonical, serialize, write_atomic, write_files
from tests.conftest import DiskFull

SAMPLE = """
@prefix swap: <https://w3id.org/swapgraph/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/swapgraph/id/exchange/2025-05-23-ru-ua> a swap:Exchange ;
    rdfs:comment "line one\\nline \\"two\\" ends with a quote\\"" , "short \\\\ text" ;
    swap:transfer [ a swap:Transfer ; swap:peopleCount 390 ;
        swap:claim [ a swap:Claim ; swap:claimedValue 12 ] ] ,
      [ a swap:Transfer ; swap:peopleCount 307 ] ;
    swap:directNegotiation true ;
    swap:x <http://example.org/a%20b> ;
    swap:y "1.5"^^<http://www.w3.org/2001/XMLSchema#double> .
_:c swap:p _:d . _:d swap:p _:c .
_:e swap:q _:f . _:g swap:q _:f .
[] rdfs:label "anonymous" .
"""


def _parse(text: str) -> Graph:
    return Graph().parse(data=text, format="turtle")


def test_round_trip_is_isomorphic_and_stable() -> None:
    graph = _parse(SAMPLE)
    text = serialize(graph)
    again = _parse(text)
    assert isomorphic(graph, again)
    assert serialize(again) == text


def test_layout() -> None:
    text = serialize(_parse(SAMPLE))
    lines = text.splitlines()
    # Only used prefixes, in the project's order.
    prefixes = [line.split()[1] for line in lines if line.startswith("@prefix")]
    assert prefixes == ["swap:", "exchange:", "rdfs:", "xsd:"]
    assert "exchange:2025-05-23-ru-ua a swap:Exchange ;" in lines
    assert '"""line one' in text  # newline -> long string
    assert "    swap:transfer [" in lines  # blank nodes cited once are nested
    assert "    ] , [" in lines  # sibling blocks chained, in the order of their text
    assert "swap:directNegotiation true ;" in text
    assert "\n\n\n" not in text and text.endswith(".\n")


def test_predicates_sorted_type_first() -> None:
    graph = Graph()
    node = ID["state/x"]
    graph.add((node, RDFS.label, Literal("X")))
    graph.add((node, RDF.type, SWAP.State))
    graph.add((node, SWAP.iso3166Alpha2, Literal("XX")))
    text = serialize(graph)
    body = text.split("\n\n", 1)[1]
    assert body.startswith("state:x a swap:State ;\n    rdfs:label")
    assert body.index("rdfs:label") < body.index("swap:iso3166Alpha2")


def test_integers_are_bare_and_other_datatypes_typed() -> None:
    graph = Graph()
    node = ID["exchange/e"]
    graph.add((node, SWAP.peopleCount, Literal(5, datatype=XSD.integer)))
    graph.add((node, SWAP.date, Literal("2025-01-01", datatype=XSD.date)))
    text = serialize(graph)
    assert "swap:peopleCount 5" in text
    assert '"2025-01-01"^^xsd:date' in text


def test_shared_blank_node_is_labelled_deterministically() -> None:
    graph = Graph()
    shared = BNode()
    for name in ("a", "b"):
        graph.add((URIRef(ID[f"exchange/{name}"]), SWAP.transfer, shared))
    graph.add((shared, SWAP.peopleCount, Literal(1)))
    text = serialize(graph)
    assert text.count("_:b") == 3
    assert serialize(_parse(text)) == text


def test_empty_graph() -> None:
    assert serialize(Graph()) == ""


def test_write_atomic_refuses_text_that_does_not_parse(tmp_path: Path) -> None:
    target = tmp_path / "states.ttl"
    target.write_text("# original\n")
    with pytest.raises(RDFSyntaxError, match=r"states\.ttl"):
        write_atomic(target, "this is not turtle .")
    assert target.read_text() == "# original\n"
    assert list(tmp_path.iterdir()) == [target]


def test_write_atomic_writes(tmp_path: Path) -> None:
    target = tmp_path / "new.ttl"
    text = serialize(_parse(SAMPLE))
    write_atomic(target, text)
    assert target.read_text() == text
    assert check_canonical(target)
    target.write_text(SAMPLE)
    assert not check_canonical(target)


def test_write_files_is_all_or_nothing(
    tmp_path: Path, disk_full_on_replace: Callable[[int], DiskFull]
) -> None:
    first, second, third = (tmp_path / n for n in ("a.ttl", "b.ttl", "c.ttl"))
    first.write_text("# a\n")
    second.write_text("# b\n")
    good = serialize(_parse(SAMPLE))
    disk_full_on_replace(2)
    with pytest.raises(SwapgraphError, match="could not write"):
        write_files({first: good, second: good, third: good})
    assert first.read_text() == "# a\n"
    assert second.read_text() == "# b\n"
    assert not third.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.ttl", "b.ttl"]


def test_write_files_refuses_before_touching_anything(tmp_path: Path) -> None:
    first = tmp_path / "a.ttl"
    first.write_text("# a\n")
    with pytest.raises(RDFSyntaxError, match=r"b\.ttl"):
        write_files({first: serialize(_parse(SAMPLE)), tmp_path / "b.ttl": "@prefix broken"})
    assert first.read_text() == "# a\n"
    assert [p.name for p in tmp_path.iterdir()] == ["a.ttl"]


_EX = "https://example.org/"


def _list_graph(items: int) -> Graph:
    text = f"@prefix ex: <{_EX}> .\nex:a ex:p ( "
    text += " ".join(f'"item {i}"' for i in range(items)) + " ) , ( ) .\n"
    return _parse(text)


def _lists(graph: Graph) -> list[list[object]]:
    """The items of every list that ``ex:a ex:p`` points to, in order."""
    heads = graph.objects(URIRef(f"{_EX}a"), URIRef(f"{_EX}p"))
    return sorted((list(Collection(graph, head)) for head in heads), key=len)


@pytest.mark.parametrize("items", [3, 250, 1000])
def test_lists_are_written_as_collections(items: int) -> None:
    graph = _list_graph(items)
    text = serialize(graph)
    assert "rdf:first" not in text and "rdf:rest" not in text and "(" in text
    # The same lists, item for item, and no other triple: what `isomorphic` would prove,
    # without its search over a thousand blank nodes (a minute for the longest list).
    again = _parse(text)
    assert _lists(again) == _lists(graph) == [[], [Literal(f"item {i}") for i in range(items)]]
    assert len(again) == len(graph) == 2 + 2 * items
    assert serialize(_parse(text)) == text


@pytest.mark.slow
def test_fmt_writes_a_list_of_5000_items(tmp_path: Path) -> None:
    for folder in ("ontology", "shapes"):
        (tmp_path / folder).mkdir()
    (tmp_path / "graph").mkdir()
    path = tmp_path / "graph" / "long.ttl"
    path.write_text(
        "@prefix ex: <https://example.org/> .\nex:a ex:p ("
        + " ".join(str(i) for i in range(5_000))
        + ") .\n",
        encoding="utf-8",
    )
    project = Project.open(tmp_path)
    assert format_project(project) == [path]
    assert format_project(project, check=True) == []
    assert len(parse_file(path)) == 10_001


def test_deep_nesting_is_written_without_recursion() -> None:
    depth = 3000
    text = "@prefix ex: <https://example.org/> .\nex:a "
    text += "ex:p [ " * depth + "ex:q 1" + " ]" * depth + " .\n"
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(100_000)  # rdflib's parser recurses; the writer must not
    try:
        graph = _parse(text)
    finally:
        sys.setrecursionlimit(old)
    written = serialize(graph)
    # Past 16 levels the nodes are labelled; indistinguishable ones may be numbered in any
    # order, so compare sizes (the labels make the graphs' shapes the same).
    assert len(_parse(written)) == len(graph)
    assert written.count("_:") > 0 and len(serialize(_parse(written))) == len(written)
