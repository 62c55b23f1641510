"""One IRI shortener for the whole package: prefixed names that read back, else ``<iri>``."""

from __future__ import annotations

import pytest

from swapgraph.namespaces import compact

ID = "https://w3id.org/swapgraph/id/"


@pytest.mark.parametrize(
    ("iri", "written"),
    [
        (f"{ID}state/russia", "state:russia"),
        (f"{ID}exchange/2025-05-23-ru-ua", "exchange:2025-05-23-ru-ua"),
        ("https://w3id.org/swapgraph/ontology#Exchange", "swap:Exchange"),
        ("https://w3id.org/swapgraph/shapes#ExchangeShape", "swapsh:ExchangeShape"),
        ("http://www.w3.org/2001/XMLSchema#date", "xsd:date"),
        (f"{ID}state/t%C3%BCrkiye", "state:t%C3%BCrkiye"),
        # No legal local name: written in full.
        (f"{ID}source/a/b", f"<{ID}source/a/b>"),
        (f"{ID}state/a.", f"<{ID}state/a.>"),
        (f"{ID}state/-a", f"<{ID}state/-a>"),
        (f"{ID}state/", f"<{ID}state/>"),
        (f"{ID}state/a:b", f"<{ID}state/a:b>"),
        # No prefix.
        ("http://example.org/x", "<http://example.org/x>"),
        (f"{ID}other/x", f"<{ID}other/x>"),
    ],
)
def test_compact(iri: str, written: str) -> None:
    assert compact(iri) == written


def test_entity_pages_write_an_iri_with_the_one_shortener() -> None:
    # The page once had a shortener of its own that wrote "source:a/b", no legal name.
    from rdflib import Graph, Literal, URIRef
    from rdflib.namespace import RDFS

    from swapgraph.namespaces import ID, SWAP
    from swapgraph.server.entity_page import EntityDescription, entity_view

    entity = URIRef(ID["exchange/x"])
    odd = URIRef(ID["source/a/b"])
    graph = Graph()
    graph.add((entity, RDFS.label, Literal("X")))
    graph.add((entity, SWAP.source, odd))
    (fact,) = [f for f in entity_view(EntityDescription(entity, graph)).facts if f.values]
    assert fact.title == "swap:source"
    (link,) = fact.values
    assert link.title == str(odd)
    assert "source:" not in link.text


def test_one_writer_for_every_term_in_reports() -> None:
    # Validation reports and the shapes catalogue write IRIs as compact() does, in literals'
    # datatypes too, so a name that is not a legal local name is written in full.
    from rdflib import BNode, Literal, URIRef
    from rdflib.namespace import XSD

    from swapgraph.namespaces import term

    assert term(URIRef("https://w3id.org/swapgraph/id/state/russia")) == "state:russia"
    assert term(URIRef("https://w3id.org/swapgraph/id/source/a/b")).startswith("<https://")
    assert term(Literal("52", datatype=XSD.integer)) == '"52"^^xsd:integer'
    assert term(Literal('say "hi"', lang="en")) == '"say \\"hi\\""@en'
    assert term(Literal("plain")) == '"plain"'
    assert term(BNode()) == "[ ]"


def test_writing_iris_keeps_nothing_of_them() -> None:
    # A server writes every IRI its pages, reports and errors show, for as long as it runs:
    # rdflib's namespace manager, which compact() once used, kept each one (42 MiB after
    # 100,000) and took a time growing with their number to add a namespace it had not met.
    import gc
    import tracemalloc

    compact(f"{ID}state/warm-up")
    compact("http://example.org/warm-up/x")
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        written = [compact(f"{ID}state/s{i}") for i in range(5_000)]
        written += [compact(f"http://example.org/{i}/x") for i in range(2_000)]
        assert written[0] == "state:s0"
        assert written[-1] == "<http://example.org/1999/x>"
        del written
        gc.collect()
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert held < 100_000, f"{held} bytes held after writing 7,000 IRIs"


def test_the_vocabularies_reused_are_rdflibs() -> None:
    # The table is written as strings, so that a query worker need not load rdflib to read it;
    # the vocabularies it shares with rdflib must be rdflib's to the character.
    from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SDO, SH, SKOS, XSD

    from swapgraph.prefixes import PREFIXES

    reused = {
        "dct": DCTERMS, "owl": OWL, "prov": PROV, "rdf": RDF, "rdfs": RDFS,
        "schema": SDO, "sh": SH, "skos": SKOS, "xsd": XSD,
    }  # fmt: skip
    assert {prefix: PREFIXES[prefix] for prefix in reused} == {
        prefix: str(namespace) for prefix, namespace in reused.items()
    }
