"""The shapes, checked against the valid and invalid examples of tests/data/shapes/manifest.json."""

from __future__ import annotations

import json
from collections import Counter
from functools import cache
from typing import Any

import pytest
from pyshacl.entrypoints import meta_validate
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH

from swapgraph.load import ontology_graph, parse_files, shapes_graph
from swapgraph.namespaces import SWAPSH
from swapgraph.paths import Project
from swapgraph.report import ValidationReport
from swapgraph.validate import validate_graph
from tests.conftest import REPO_ROOT, TEST_DATA

EXAMPLES = TEST_DATA / "shapes"
MANIFEST: dict[str, Any] = json.loads((EXAMPLES / "manifest.json").read_text(encoding="utf-8"))
CASES: list[dict[str, Any]] = MANIFEST["cases"]


@cache
def _case_data(file: str) -> Graph:
    return parse_files([EXAMPLES / MANIFEST["background"], EXAMPLES / file])


@cache
def _report(file: str) -> ValidationReport:
    return validate_graph(Project.open(REPO_ROOT), _case_data(file))


def _shapes() -> Graph:
    return shapes_graph(Project.open(REPO_ROOT))


def _qname(node: URIRef) -> str:
    return f"swapsh:{node.removeprefix(str(SWAPSH))}"


@pytest.mark.parametrize("case", CASES, ids=[case["file"] for case in CASES])
def test_example_gives_the_expected_results(case: dict[str, Any]) -> None:
    report = _report(case["file"])
    violations = {(r.shape, r.focus) for r in report.results if r.severity == "Violation"}
    warnings = {(r.shape, r.focus) for r in report.results if r.severity == "Warning"}
    assert violations == {(v["shape"], v["focus"]) for v in case["violations"]}
    assert {(w["shape"], w["focus"]) for w in case["warnings"]} <= warnings
    assert report.conforms == (not case["violations"])


def test_shapes_pass_shacl_shacl() -> None:
    conforms, _, text = meta_validate(_shapes())
    assert conforms, text


def test_every_shape_is_named_and_has_a_message() -> None:
    shapes = _shapes()
    declared = set(shapes.subjects(RDF.type, SH.NodeShape)) | set(
        shapes.subjects(RDF.type, SH.PropertyShape)
    )
    # Anything used as a shape must be declared as one (so this test sees it).
    used = set(shapes.objects(None, SH.property)) | {
        member for lst in shapes.objects(None, SH["or"]) for member in shapes.items(lst)
    }
    assert used <= declared
    for shape in declared:
        assert isinstance(shape, URIRef) and shape.startswith(str(SWAPSH)), shape
        assert shapes.value(shape, SH.message) is not None, f"{shape} has no sh:message"


def test_every_shape_has_an_invalid_example() -> None:
    shapes = _shapes()
    failed = {v["shape"] for case in CASES for v in [*case["violations"], *case["warnings"]]}
    for shape in _all_shapes(shapes):
        related = {shape, *_children(shapes, shape), *_parents(shapes, shape)}
        assert {_qname(s) for s in related} & failed, f"no invalid example for {shape}"


def test_every_shape_has_a_valid_example() -> None:
    # A shape passes a valid example when the example has more of its focus nodes than it
    # has results from the shape: at least one focus node passed.
    shapes = _shapes()
    valid_files = [case["file"] for case in CASES if not case["violations"]]
    for shape in _all_shapes(shapes):
        if _sparql_targeted(shapes, shape):
            continue  # checked by test_valid_examples_reach_the_sparql_rules
        name = _qname(shape)
        assert any(
            len(_focus_nodes(shapes, shape, _with_ontology(file)))
            > Counter(r.shape for r in _report(file).results)[name]
            for file in valid_files
        ), f"no valid example for {name}"


@pytest.mark.parametrize(
    "ask",
    [
        # a stage dated after its agreement
        "ASK { ?e swap:implements/swap:date ?a ; swap:date ?d FILTER (?d >= ?a) }",
        # a mediator that is not a party
        "ASK { ?e swap:mediation [ swap:role swap:MediatorRole ; swap:actor ?m ] ;"
        " swap:transfer [ swap:releasedBy ?r ] FILTER (?m != ?r) }",
        # a transfer with all three categories adding up
        "ASK { ?t swap:militaryCount ?m ; swap:civilianCount ?c ; swap:otherCount ?o ;"
        " swap:peopleCount ?n FILTER (?m + ?c + ?o = ?n) }",
    ],
)
def test_valid_examples_reach_the_sparql_rules(ask: str) -> None:
    valid_files = [case["file"] for case in CASES if not case["violations"]]
    assert any(
        _case_data(file)
        .query(ask, initNs={"swap": "https://w3id.org/swapgraph/ontology#"})
        .askAnswer
        for file in valid_files
    )


def test_impossible_date_is_a_violation() -> None:
    report = _report("invalid/exchanges.ttl")
    (result,) = [r for r in report.results if r.value == '"2025-02-30"^^xsd:date']
    assert (result.severity, result.shape) == ("Violation", "swapsh:ExchangeDate")


def _all_shapes(shapes: Graph) -> list[URIRef]:
    return sorted(
        s
        for kind in (SH.NodeShape, SH.PropertyShape)
        for s in shapes.subjects(RDF.type, kind)
        if isinstance(s, URIRef)
    )


def _children(shapes: Graph, shape: URIRef) -> list[URIRef]:
    members = [m for lst in shapes.objects(shape, SH["or"]) for m in shapes.items(lst)]
    return [*shapes.objects(shape, SH.property), *members]  # type: ignore[list-item]


def _parents(shapes: Graph, shape: URIRef) -> list[URIRef]:
    return [s for s in _all_shapes(shapes) if shape in _children(shapes, s)]


def _sparql_targeted(shapes: Graph, shape: URIRef) -> bool:
    return any(
        shapes.value(t, RDF.type) == SH.SPARQLTarget
        for s in [shape, *_parents(shapes, shape)]
        for t in shapes.objects(s, SH.target)
    )


@cache
def _with_ontology(file: str) -> Graph:
    graph = Graph()
    for triple in _case_data(file):
        graph.add(triple)
    for triple in ontology_graph(Project.open(REPO_ROOT)):
        graph.add(triple)
    return graph


def _focus_nodes(shapes: Graph, shape: URIRef, data: Graph) -> set[Any]:
    nodes: set[Any] = set()
    for cls in shapes.objects(shape, SH.targetClass):
        query = "SELECT ?n WHERE { ?n a/<http://www.w3.org/2000/01/rdf-schema#subClassOf>* ?c }"
        nodes |= {row[0] for row in data.query(query, initBindings={"c": cls})}  # type: ignore[index]
    for predicate in shapes.objects(shape, SH.targetSubjectsOf):
        nodes |= set(data.subjects(predicate, None))
    for parent in _parents(shapes, shape):
        nodes |= _focus_nodes(shapes, parent, data)
    return nodes


def test_shapes_in_the_data_are_ignored() -> None:
    data = Graph().parse(
        format="turtle",
        data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix swap: <https://w3id.org/swapgraph/ontology#> .
        <https://example.org/NoExchanges> a sh:NodeShape ;
            sh:targetClass swap:Exchange ; sh:maxCount 0 ; sh:path swap:date .
        """,
    )
    data += _case_data("valid/exchanges.ttl")
    assert validate_graph(Project.open(REPO_ROOT), data).conforms
