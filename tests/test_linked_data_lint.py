"""A Linked Data lint of the ontology and shapes: the OOPS! and FOOPS! checks that run offline.

Each test names the pitfall it guards against (OOPS! codes P…, FOOPS! metadata checks).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SH, SKOS, Namespace
from rdflib.plugins.sparql import prepareQuery
from rdflib.term import Node

from swapgraph.load import data_graph, ontology_graph, parse_file, shapes_graph
from swapgraph.namespaces import PREFIXES, SWAP, SWAPSH
from swapgraph.paths import Project

VANN = Namespace("http://purl.org/vocab/vann/")
ONTOLOGY = URIRef("https://w3id.org/swapgraph/ontology")
SHAPES_HEADER = URIRef(str(SWAPSH))
CC_BY = URIRef("https://creativecommons.org/licenses/by/4.0/")
PROPERTY_KINDS = (OWL.ObjectProperty, OWL.DatatypeProperty)
#: Properties meant for several classes that the data happens to use on one so far.
OPEN_DOMAINS = {
    SWAP.datePrecision: "any dated node (exchanges and agreements)",
    SWAP.peopleCount: "transfers, and by its definition agreements' promises",
}


@pytest.fixture(scope="module")
def ontology(project: Project) -> Graph:
    return ontology_graph(project)


@pytest.fixture(scope="module")
def shapes(project: Project) -> Graph:
    return shapes_graph(project)


def vocabulary_terms(ontology: Graph) -> list[URIRef]:
    """Every IRI of the swap: namespace that the ontology describes."""
    return sorted(
        {s for s in ontology.subjects() if isinstance(s, URIRef) and s.startswith(str(SWAP))}
    )


def properties(ontology: Graph) -> list[URIRef]:
    return sorted(
        {p for k in PROPERTY_KINDS for p in ontology.subjects(RDF.type, k) if isinstance(p, URIRef)}
    )


def named_shapes(shapes: Graph) -> list[URIRef]:
    return sorted(
        {
            s
            for kind in (SH.NodeShape, SH.PropertyShape)
            for s in shapes.subjects(RDF.type, kind)
            if isinstance(s, URIRef)
        }
    )


def missing(graph: Graph, terms: list[URIRef], predicate: URIRef) -> list[str]:
    return [str(t) for t in terms if graph.value(t, predicate) is None]


# --------------------------------------------------------------------------- annotations (P08)


def test_every_term_has_a_label_and_a_definition(ontology: Graph) -> None:
    terms = vocabulary_terms(ontology)
    assert len(terms) > 20
    assert missing(ontology, terms, RDFS.label) == []
    assert missing(ontology, terms, SKOS.definition) == []


def test_every_term_has_one_label_and_one_definition_per_language(ontology: Graph) -> None:
    for term in vocabulary_terms(ontology):
        for predicate in (RDFS.label, SKOS.definition):
            languages = Counter(
                o.language for o in ontology.objects(term, predicate) if isinstance(o, Literal)
            )
            assert all(n == 1 for n in languages.values()), (term, predicate)


def test_every_term_is_defined_by_the_ontology(ontology: Graph) -> None:
    terms = vocabulary_terms(ontology)
    assert [str(t) for t in terms if ontology.value(t, RDFS.isDefinedBy) != ONTOLOGY] == []


def test_every_shape_has_a_message_that_says_what_it_checks(shapes: Graph) -> None:
    found = named_shapes(shapes)
    assert len(found) > 20
    assert missing(shapes, found, SH.message) == []


def test_every_shape_has_a_label_and_is_defined_by_the_shapes_graph(shapes: Graph) -> None:
    found = named_shapes(shapes)
    assert missing(shapes, found, RDFS.label) == []
    defined_by = URIRef("https://w3id.org/swapgraph/shapes")
    assert [str(s) for s in found if shapes.value(s, RDFS.isDefinedBy) != defined_by] == []


# --------------------------------------------------------------------------- metadata (FOOPS!)


def test_ontology_metadata_for_catalogues(ontology: Graph) -> None:
    """What LOV, pyLODE and FOOPS! read from the header."""
    header = ONTOLOGY
    assert (header, RDF.type, OWL.Ontology) in ontology
    for predicate in (
        DCTERMS.title,
        DCTERMS.description,
        DCTERMS.creator,
        DCTERMS.created,
        DCTERMS.modified,
        RDFS.label,
    ):
        assert ontology.value(header, predicate) is not None, predicate
    assert ontology.value(header, DCTERMS.license) == CC_BY
    assert ontology.value(header, VANN.preferredNamespacePrefix) == Literal("swap")
    assert ontology.value(header, VANN.preferredNamespaceUri) == Literal(str(SWAP))
    assert str(PREFIXES["swap"]) == str(SWAP)
    created = ontology.value(header, DCTERMS.created)
    modified = ontology.value(header, DCTERMS.modified)
    assert isinstance(created, Literal) and isinstance(modified, Literal)
    assert created.toPython() <= modified.toPython()


def test_version_iri_follows_the_version(ontology: Graph) -> None:
    version = ontology.value(ONTOLOGY, OWL.versionInfo)
    assert re.fullmatch(r"\d+\.\d+\.\d+", str(version))
    assert ontology.value(ONTOLOGY, OWL.versionIRI) == URIRef(f"{ONTOLOGY}/{version}")


def test_shapes_metadata(shapes: Graph) -> None:
    for predicate in (DCTERMS.title, DCTERMS.description, OWL.versionInfo, RDFS.isDefinedBy):
        assert shapes.value(SHAPES_HEADER, predicate) is not None, predicate
    assert shapes.value(SHAPES_HEADER, DCTERMS.license) == CC_BY


# --------------------------------------------------------------------------- structure (OOPS!)


def test_no_term_is_defined_twice(project: Project, ontology: Graph) -> None:
    """P30-like: one file declares each term; no term is both a class and a property."""
    declared_in: dict[Node, list[str]] = defaultdict(list)
    for path in project.ontology_files():
        for term in parse_file(path).subjects(RDF.type, None):
            if isinstance(term, URIRef) and term.startswith(str(SWAP)):
                declared_in[term].append(path.name)
    assert {t: f for t, f in declared_in.items() if len(set(f)) > 1} == {}
    classes = set(ontology.subjects(RDF.type, OWL.Class))
    assert classes.isdisjoint(properties(ontology))
    assert set(ontology.subjects(RDF.type, OWL.ObjectProperty)).isdisjoint(
        ontology.subjects(RDF.type, OWL.DatatypeProperty)
    )


def test_no_two_terms_of_a_kind_share_a_label(ontology: Graph) -> None:
    """P32: two classes (or two properties) with one label confuse every reader.

    A class and a property may share one (the class "actor", the property "actor").
    """
    for kinds in ((OWL.Class,), PROPERTY_KINDS):
        labels = Counter(
            (str(label).lower(), label.language)
            for kind in kinds
            for term in ontology.subjects(RDF.type, kind)
            if isinstance(term, URIRef) and term.startswith(str(SWAP))
            for label in ontology.objects(term, RDFS.label)
            if isinstance(label, Literal)
        )
        assert [label for label, n in labels.items() if n > 1] == []


def test_terms_follow_one_naming_convention(ontology: Graph) -> None:
    """P22: classes in UpperCamelCase, properties in lowerCamelCase."""
    for cls in ontology.subjects(RDF.type, OWL.Class):
        if isinstance(cls, URIRef) and cls.startswith(str(SWAP)):
            assert re.fullmatch(r"[A-Z][A-Za-z0-9]*", cls.removeprefix(str(SWAP))), cls
    for prop in properties(ontology):
        assert re.fullmatch(r"[a-z][A-Za-z0-9]*", prop.removeprefix(str(SWAP))), prop


def test_every_referenced_term_is_declared(ontology: Graph, project: Project) -> None:
    """P34/P35: swap: terms used as a superclass, domain, range or in the data exist."""
    declared = {
        s
        for s in ontology.subjects(RDF.type, None)
        if isinstance(s, URIRef) and s.startswith(str(SWAP))
    }
    referenced = {
        o
        for p in (RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range, OWL.inverseOf)
        for o in ontology.objects(None, p)
        if isinstance(o, URIRef) and o.startswith(str(SWAP))
    }
    data = data_graph(project)
    referenced |= {p for p in data.predicates() if p.startswith(str(SWAP))}
    referenced |= {
        c for c in data.objects(None, RDF.type) if isinstance(c, URIRef) and c.startswith(str(SWAP))
    }
    assert sorted(referenced - declared) == []


def test_domains_and_ranges_are_declared_or_deliberately_open(
    ontology: Graph, project: Project
) -> None:
    """P11: a property without a domain (range) is one the data uses on several classes
    (with values of several kinds), where a single declared class would be wrong."""
    data = data_graph(project) + ontology
    for prop in properties(ontology):
        if ontology.value(prop, RDFS.domain) is None and prop not in OPEN_DOMAINS:
            kinds = {k for s in data.subjects(prop, None) for k in data.objects(s, RDF.type)}
            assert len(kinds) >= 2, f"{prop}: no rdfs:domain, and used on {kinds or 'nothing'}"
        if ontology.value(prop, RDFS.range) is None:
            # A property may be used only through its inverse (claims are written nested).
            inverses = set(ontology.objects(prop, OWL.inverseOf))
            inverses |= set(ontology.subjects(OWL.inverseOf, prop))
            values = set(data.objects(None, prop))
            values |= {s for i in inverses for s in data.subjects(i, None)}
            kinds = {_kind(data, o) for o in values}
            assert len(kinds) >= 2, f"{prop}: no rdfs:range, and its values are all {kinds}"


def _kind(graph: Graph, value: Node) -> Node | None:
    if isinstance(value, Literal):
        return value.datatype
    return graph.value(value, RDF.type)


def test_inverse_properties_are_object_properties(ontology: Graph) -> None:
    """P05/P25: owl:inverseOf relates two object properties, with swapped domain and range."""
    for a, b in ontology.subject_objects(OWL.inverseOf):
        assert (a, RDF.type, OWL.ObjectProperty) in ontology
        assert (b, RDF.type, OWL.ObjectProperty) in ontology
        for x, y in ((a, b), (b, a)):
            domain, range_ = ontology.value(x, RDFS.domain), ontology.value(y, RDFS.range)
            if domain is not None and range_ is not None:
                assert domain == range_, (x, y)


# --------------------------------------------------------------------------- prefixes


def test_every_prefix_the_files_declare_is_swapgraphs(project: Project) -> None:
    """One prefix, one namespace, across the project and the engine."""
    declaration = re.compile(r"^@prefix\s+([\w-]*):\s*<([^>]*)>", re.MULTILINE)
    known = {prefix: str(ns) for prefix, ns in PREFIXES.items()}
    for path in project.ontology_files() + project.shape_files():
        for prefix, namespace in declaration.findall(path.read_text(encoding="utf-8")):
            if prefix in known:
                assert known[prefix] == namespace, (path.name, prefix)
            assert namespace not in {v for k, v in known.items() if k != prefix}, (
                path.name,
                prefix,
            )


def test_sparql_in_the_shapes_uses_only_declared_prefixes(shapes: Graph) -> None:
    """A SPARQL target or constraint sees only the prefixes its sh:prefixes declare."""
    queries = [
        (node, query)
        for predicate in (SH.select, SH.ask)
        for node, query in shapes.subject_objects(predicate)
    ]
    assert queries
    for node, query in queries:
        declared = {
            str(shapes.value(d, SH.prefix)): str(shapes.value(d, SH.namespace))
            for source in shapes.objects(node, SH.prefixes)
            for d in shapes.objects(source, SH.declare)
        }
        prologue = "".join(f"PREFIX {p}: <{n}>\n" for p, n in declared.items())
        prepareQuery(prologue + str(query))  # an undeclared prefix does not parse


def test_named_queries_declare_their_prefixes(project: Project) -> None:
    files = project.query_files()
    assert files
    for path in files:
        text = path.read_text(encoding="utf-8")
        # rdflib's parser knows some prefixes by default; name none of them for it.
        used = set(re.findall(r"(?<![\w<#\"'?$])([A-Za-z][\w-]*):(?=[A-Za-z_])", _code(text)))
        declared = set(re.findall(r"^\s*PREFIX\s+([\w-]*):", text, re.MULTILINE | re.I))
        assert used <= declared, (path.name, sorted(used - declared))


def _code(query: str) -> str:
    """The query without comments, IRIs and strings, where prefixed names cannot hide."""
    query = re.sub(r"#[^\n]*", "", query)
    query = re.sub(r"<[^>\s]*>", "", query)
    return re.sub(r"\"[^\"]*\"|'[^']*'", "", query)
