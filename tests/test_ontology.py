"""The vocabulary: versioned like the package, every term defined, consistent under OWL 2 RL."""

from __future__ import annotations

import owlrl
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from swapgraph import __version__
from swapgraph.load import dataset_graph, ontology_graph
from swapgraph.namespaces import SWAP
from swapgraph.paths import Project

ONTOLOGY = URIRef("https://w3id.org/swapgraph/ontology")
TERM_TYPES = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, SKOS.Concept, SKOS.ConceptScheme)


@pytest.fixture(scope="module")
def ontology(project: Project) -> Graph:
    return ontology_graph(project)


def test_version_info_matches_package_version(ontology: Graph) -> None:
    assert ontology.value(ONTOLOGY, OWL.versionInfo).toPython() == __version__
    assert ontology.value(ONTOLOGY, OWL.versionIRI) == URIRef(f"{ONTOLOGY}/{__version__}")


def _terms(ontology: Graph) -> set[URIRef]:
    terms = {s for s in ontology.subjects() if isinstance(s, URIRef) and s.startswith(str(SWAP))}
    assert terms, "the ontology declares no swap: terms"
    return terms


def test_every_term_has_a_type_a_label_and_a_definition(ontology: Graph) -> None:
    for term in sorted(_terms(ontology)):
        types = set(ontology.objects(term, RDF.type))
        assert types, f"{term} has no rdf:type"
        assert ontology.value(term, RDFS.label) is not None, f"{term} has no rdfs:label"
        assert ontology.value(term, SKOS.definition) is not None, f"{term} has no skos:definition"


def test_every_used_swap_term_is_declared(project: Project, ontology: Graph) -> None:
    """The graph uses no swap: class or property that the ontology does not declare."""
    data = dataset_graph(project)
    declared = _terms(ontology)
    used = {p for p in data.predicates() if p.startswith(str(SWAP))}
    used |= {o for o in data.objects(None, RDF.type) if o.startswith(str(SWAP))}
    used |= {o for o in data.objects() if isinstance(o, URIRef) and o.startswith(str(SWAP))}
    assert used - declared == set()


def _owl_rl_errors(graph: Graph) -> list[str]:
    closure = Graph()
    for triple in graph:
        closure.add(triple)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(closure)
    # OWL-RL records each inconsistency as an error message node that it adds to the graph.
    errors = closure.objects(None, URIRef("http://www.daml.org/2002/03/agents/agent-ont#error"))
    return sorted(str(e) for e in errors)


def test_owl_rl_closure_of_ontology_and_graph_is_consistent(project: Project) -> None:
    assert _owl_rl_errors(dataset_graph(project)) == []


def test_owl_rl_check_catches_a_state_used_as_a_place(ontology: Graph) -> None:
    bad = ontology + Graph().parse(
        format="turtle",
        data="""
        @prefix swap: <https://w3id.org/swapgraph/ontology#> .
        <https://w3id.org/swapgraph/id/exchange/x> a swap:Exchange ;
            swap:handoverPlace <https://w3id.org/swapgraph/id/state/belarus> .
        <https://w3id.org/swapgraph/id/state/belarus> a swap:State .
        """,
    )
    errors = _owl_rl_errors(bad)
    assert len(errors) == 1
    assert "Disjoint classes" in errors[0]
    assert errors[0].endswith("https://w3id.org/swapgraph/id/state/belarus")


def test_changelog_has_an_entry_with_an_ontology_section_for_this_version(
    project: Project,
) -> None:
    text = project.changelog.read_text(encoding="utf-8")
    entry = text.split(f"## {__version__}", 1)
    assert len(entry) == 2, f"CHANGELOG.md has no entry for {__version__}"
    this_version = entry[1].split("\n## ", 1)[0]
    assert "### Ontology" in this_version
