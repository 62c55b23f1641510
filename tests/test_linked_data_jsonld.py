"""The vocabulary's JSON-LD context: generated from the ontology, served, and used."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from pyld import jsonld
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD

from swapgraph import jsonld_context
from swapgraph.exports import export
from swapgraph.load import data_graph, ontology_graph
from swapgraph.namespaces import SWAP
from swapgraph.paths import Project
from tests.graphs import isomorphic
from tests.serving import RunningServer

EXCHANGE = "exchange/2025-05-23-ru-ua"


@pytest.fixture(scope="module")
def server(shared_server: RunningServer) -> RunningServer:
    return shared_server


@pytest.fixture(scope="module")
def served_context(server: RunningServer) -> dict[str, Any]:
    answer = httpx.get(f"{server.url}/context.jsonld")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/ld+json")
    document: dict[str, Any] = answer.json()
    return document


def offline(url: str, options: object = None) -> None:
    raise AssertionError(f"a context was fetched: {url}")


def test_every_term_of_the_ontology_is_in_the_context(
    project: Project, served_context: dict[str, Any]
) -> None:
    ontology = ontology_graph(project)
    terms = served_context["@context"]
    assert terms == jsonld_context.context(ontology)
    for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty):
        for term in ontology.subjects(RDF.type, kind):
            if isinstance(term, URIRef) and term.startswith(str(SWAP)):
                name = term.removeprefix(str(SWAP))
                definition = terms[name]
                iri = definition if isinstance(definition, str) else definition["@id"]
                assert iri == f"swap:{name}"
                if kind == OWL.ObjectProperty:
                    assert definition["@type"] == "@id", name
    assert terms["date"] == {"@id": "swap:date", "@type": "xsd:date"}


def test_the_context_follows_the_ontology_not_a_copy() -> None:
    ontology = Graph()
    ontology.add((SWAP.heldIn, RDF.type, OWL.ObjectProperty))
    ontology.add((SWAP.heldSince, RDF.type, OWL.DatatypeProperty))
    ontology.add((SWAP.heldSince, RDFS.range, URIRef("http://www.w3.org/2001/XMLSchema#date")))
    terms = jsonld_context.context(ontology)
    assert terms["heldIn"] == {"@id": "swap:heldIn", "@type": "@id"}
    assert terms["heldSince"] == {"@id": "swap:heldSince", "@type": "xsd:date"}
    assert "Exchange" not in terms


def read_back(document: dict[str, Any]) -> tuple[Graph, Graph]:
    """The graph of a JSON-LD document as PyLD and as rdflib read it, fetching nothing."""
    lines = jsonld.to_rdf(document, {"format": "application/n-quads", "documentLoader": offline})
    by_pyld = Graph().parse(data=lines, format="nt")
    return by_pyld, Graph().parse(data=json.dumps(document), format="json-ld")


def test_our_compaction_round_trips_the_whole_graph(project: Project) -> None:
    graph = data_graph(project) + ontology_graph(project)
    document = jsonld_context.compact(graph, jsonld_context.context(ontology_graph(project)))
    by_pyld, by_rdflib = read_back(document)
    assert isomorphic(by_pyld, graph)
    assert isomorphic(by_rdflib, graph)


def test_compaction_keeps_values_the_context_does_not_fit() -> None:
    ontology = Graph()
    ontology.add((SWAP.date, RDF.type, OWL.DatatypeProperty))
    ontology.add((SWAP.date, RDFS.range, XSD.date))
    ontology.add((SWAP.actor, RDF.type, OWL.ObjectProperty))
    thing = URIRef("https://w3id.org/swapgraph/id/exchange/x")
    graph = Graph()
    for value in (
        Literal("2025-05"),  # a plain string where a date is expected
        Literal("2025-05-23", datatype=XSD.date),
        Literal("1.5", datatype=XSD.double),
        Literal("007", datatype=XSD.integer),  # not canonical: a JSON number would change it
        Literal("12", datatype=XSD.integer),
        Literal("true", datatype=XSD.boolean),
        Literal("Kyiv", lang="uk"),
        URIRef("https://example.org/elsewhere"),
    ):
        graph.add((thing, SWAP.date, value))
        graph.add((thing, SWAP.actor, value))
    graph.add((thing, SWAP.actor, BNode()))
    graph.add((thing, RDF.type, SWAP.Exchange))
    document = jsonld_context.compact(graph, jsonld_context.context(ontology))
    by_pyld, by_rdflib = read_back(document)
    assert isomorphic(by_pyld, graph)
    assert isomorphic(by_rdflib, graph)
    [node] = [n for n in document["@graph"] if n["@id"] == "exchange:x"]
    assert node["date"] == "2025-05-23"


@pytest.mark.slow
def test_a_standard_processor_round_trips_the_whole_graph_with_the_served_context(
    project: Project, served_context: dict[str, Any]
) -> None:
    graph = data_graph(project) + ontology_graph(project)
    expanded = jsonld.from_rdf(
        graph.serialize(format="nt"), {"format": "application/n-quads", "useNativeTypes": True}
    )
    compacted = jsonld.compact(expanded, served_context, {"documentLoader": offline})
    again = jsonld.to_rdf(
        jsonld.expand(compacted, {"documentLoader": offline}), {"format": "application/n-quads"}
    )
    assert isomorphic(Graph().parse(data=again, format="nt"), graph)
    # rdflib, another processor, reads the compacted form to the same graph.
    assert isomorphic(Graph().parse(data=json.dumps(compacted), format="json-ld"), graph)


def test_an_entity_compacts_to_plain_keys(server: RunningServer) -> None:
    url = f"{server.url}/id/{EXCHANGE}"
    answer = httpx.get(url, headers={"Accept": "application/ld+json"})
    assert answer.status_code == 200
    document = answer.json()
    nodes = document.get("@graph", [document])
    [exchange] = [n for n in nodes if n.get("@id") == "exchange:2025-05-23-ru-ua"]
    assert exchange["@type"] == "Exchange"
    assert exchange["date"] == "2025-05-23"
    assert exchange["implements"].startswith("agreement:")
    transfers = [n for n in nodes if n.get("@type") == "Transfer"]
    assert transfers, "the nested transfers are in the document"
    assert all(isinstance(t["peopleCount"], int) for t in transfers if "peopleCount" in t)
    turtle = httpx.get(url, headers={"Accept": "text/turtle"}).text
    assert isomorphic(
        Graph().parse(data=answer.text, format="json-ld"),
        Graph().parse(data=turtle, format="turtle"),
    )


def test_the_jsonld_export_uses_the_context(project: Project) -> None:
    content, media_type, _ = export(project, "jsonld")
    document = json.loads(content)
    assert media_type == "application/ld+json"
    assert document["@context"]["date"] == {"@id": "swap:date", "@type": "xsd:date"}
    assert any("date" in node for node in document["@graph"])
    ntriples, _, _ = export(project, "ntriples")
    # "x"^^xsd:string in N-Triples is "x" in JSON-LD: one RDF 1.1 term, as `isomorphic` has it.
    assert isomorphic(
        Graph().parse(data=content, format="json-ld"), Graph().parse(data=ntriples, format="nt")
    )
