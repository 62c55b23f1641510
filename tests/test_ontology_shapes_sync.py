"""The shapes and the ontology must not drift apart."""

from __future__ import annotations

import re

from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SH, SKOS

from swapgraph.load import ontology_graph, shapes_graph
from swapgraph.namespaces import SWAP
from swapgraph.paths import Project

#: Terms of other vocabularies that the shapes constrain, and why the graph uses them.
REUSED_TERMS = {
    DCTERMS.source: "every exchange, claim and agreement cites its sources with dct:source",
    RDFS.label: "names of actors and places",
    SKOS.inScheme: "role, confidence and date-precision concepts belong to schemes",
    SKOS.prefLabel: "names of those concepts",
    SKOS.ConceptScheme: "the schemes themselves",
    RDF.type: "an armed group is checked never to be typed swap:State as well",
}

#: Ontology classes without a shape of their own, and why. (None at present: keep it so.)
CLASSES_WITHOUT_SHAPE: dict[URIRef, str] = {}

#: Ontology properties that no shape constrains, and why. (None at present: keep it so.)
PROPERTIES_WITHOUT_SHAPE: dict[URIRef, str] = {}

_SWAP_TERM = re.compile(r"\bswap:([A-Za-z][A-Za-z0-9]*)")


def _graphs(project: Project) -> tuple[Graph, Graph]:
    return ontology_graph(project), shapes_graph(project)


def _declared(ontology: Graph) -> set[URIRef]:
    return {s for s in ontology.subjects(RDF.type, None) if isinstance(s, URIRef)}


def _path_terms(shapes: Graph, path: object) -> set[URIRef]:
    if isinstance(path, URIRef):
        return {path}
    terms: set[URIRef] = set()
    for _, _, inner in shapes.triples((path, None, None)):  # type: ignore[arg-type]
        if inner != RDF.nil:
            terms |= _path_terms(shapes, inner)
    return terms


def _terms_used(shapes: Graph) -> set[URIRef]:
    terms: set[URIRef] = set()
    for path in shapes.objects(None, SH.path):
        terms |= _path_terms(shapes, path)
    for predicate in (SH["class"], SH.targetClass, SH.targetSubjectsOf, SH.disjoint):
        terms |= {t for t in shapes.objects(None, predicate) if isinstance(t, URIRef)}
    # Terms named inside SPARQL targets.
    for query in shapes.objects(None, SH.select):
        terms |= {SWAP[name] for name in _SWAP_TERM.findall(str(query))}
    return terms - {RDF.first, RDF.rest, SH.inversePath, SH.alternativePath}


def test_every_term_the_shapes_use_is_declared(project: Project) -> None:
    ontology, shapes = _graphs(project)
    undeclared = {
        term
        for term in _terms_used(shapes)
        if term not in _declared(ontology) and term not in REUSED_TERMS
    }
    assert not undeclared, f"terms used by shapes/ but not declared by the ontology: {undeclared}"


def test_every_ontology_class_has_a_shape(project: Project) -> None:
    ontology, shapes = _graphs(project)
    classes = {c for c in ontology.subjects(RDF.type, OWL.Class) if c.startswith(str(SWAP))}
    targeted = set(shapes.objects(None, SH.targetClass))
    missing = classes - targeted - set(CLASSES_WITHOUT_SHAPE)
    assert not missing, f"ontology classes without a shape: {missing}"
    assert not set(CLASSES_WITHOUT_SHAPE) - classes, "exemption for a class the ontology lacks"


def test_every_ontology_property_is_constrained(project: Project) -> None:
    ontology, shapes = _graphs(project)
    properties = {
        p
        for kind in (OWL.ObjectProperty, OWL.DatatypeProperty)
        for p in ontology.subjects(RDF.type, kind)
        if p.startswith(str(SWAP))
    }
    missing = properties - _terms_used(shapes) - set(PROPERTIES_WITHOUT_SHAPE)
    assert not missing, f"ontology properties no shape constrains: {missing}"
