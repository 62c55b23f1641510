"""formats.py is the one table of media types and suffixes; the others derive from it."""

from __future__ import annotations

import pyoxigraph as ox

from swapgraph import formats


def test_format_aliases_name_the_media_types_clients_ask_for() -> None:
    aliases = formats.FORMAT_ALIASES
    assert aliases["json"] == ("application/sparql-results+json", "application/ld+json")
    assert aliases["xml"] == ("application/sparql-results+xml", "application/rdf+xml")
    assert aliases["csv"] == ("text/csv",)
    assert aliases["tsv"] == ("text/tab-separated-values",)
    for name in ("turtle", "ttl", "n3"):
        assert aliases[name] == ("text/turtle",)
    for name in ("nt", "ntriples", "n-triples"):
        assert aliases[name] == ("application/n-triples",)
    for name in ("jsonld", "json-ld"):
        assert aliases[name] == ("application/ld+json",)
    for name in ("rdfxml", "rdf", "rdf+xml"):
        assert aliases[name] == ("application/rdf+xml",)
    assert aliases["html"] == ("text/html",)


def test_release_files_have_the_media_types_of_their_syntax() -> None:
    assert formats.DUMP_TYPES == {
        ".nt": "application/n-triples",
        ".trig": "application/trig",
        ".jsonld": "application/ld+json",
    }
    assert formats.RELEASE_FILE_TYPES[".sha256"] == "text/plain"
    assert formats.RELEASE_FILE_TYPES[".dcat.ttl"] == "text/turtle"


def test_rdf_exports_take_media_type_and_suffix_from_pyoxigraph() -> None:
    for name, format_ in (
        ("turtle", ox.RdfFormat.TURTLE),
        ("ntriples", ox.RdfFormat.N_TRIPLES),
        ("jsonld", ox.RdfFormat.JSON_LD),
    ):
        export = formats.EXPORT_FORMATS[name]
        assert export.rdf
        assert (export.media_type, export.suffix) == (format_.media_type, format_.file_extension)
    assert formats.EXPORT_FORMATS["nodes-csv"].media_type == "text/csv; charset=utf-8"


def test_oxigraph_reads_turtle_trig_and_ntriples_files_only() -> None:
    assert formats.oxigraph_reads(".TTL") == ox.RdfFormat.TURTLE
    assert formats.oxigraph_reads(".trig") == ox.RdfFormat.TRIG
    assert formats.oxigraph_reads(".nt") == ox.RdfFormat.N_TRIPLES
    assert formats.oxigraph_reads(".jsonld") is None
    assert formats.oxigraph_reads("") is None


def test_entity_pages_link_each_linked_data_form_by_its_short_name() -> None:
    names = [formats.format_name(f) for f in formats.LINKED_DATA_FORMATS]
    assert names == ["turtle", "jsonld", "nt", "rdfxml"]


def test_the_named_media_types_are_pyoxigraphs() -> None:
    assert formats.media_type(ox.RdfFormat.TURTLE) == formats.TURTLE
    assert formats.media_type(ox.RdfFormat.JSON_LD) == formats.JSON_LD
    assert formats.REPORT_TYPES == ("application/json", "text/turtle")


def test_void_names_the_syntaxes_entities_are_served_in() -> None:
    from rdflib import URIRef
    from rdflib.namespace import VOID

    from swapgraph.engine import OxigraphEngine
    from swapgraph.void import addresses, statistics, void_graph

    store = ox.Store()
    store.load(
        "<https://w3id.org/swapgraph/id/state/a> a <https://w3id.org/swapgraph/ontology#State> .",
        ox.RdfFormat.TURTLE,
    )
    where = addresses("https://example.org/", None)
    graph = void_graph(statistics(OxigraphEngine(store)), where, [])
    features = set(graph.objects(where.dataset, VOID.feature))
    assert features == {
        URIRef("http://www.w3.org/ns/formats/" + name)
        for name in ("Turtle", "N-Triples", "JSON-LD", "RDF_XML")
    }
