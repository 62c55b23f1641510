"""VoID: the description of the dataset that Linked Data crawlers and catalogues read.

One function, :func:`void_graph`, builds it from the served data (counts, class and property
partitions, example resources, the date of the newest source) and from the project's
releases (dumps, release dates). Served at ``/.well-known/void`` (RFC 5785, as the VoID
specification asks) and ``/stats``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, VOID, XSD

from swapgraph import formats
from swapgraph.dcat import LICENSE, W3ID, ReleaseFiles, add_release, publisher
from swapgraph.engine import Engine, select
from swapgraph.namespaces import ID, SWAP, bind_prefixes

_COUNTS = """
SELECT (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects)
       (COUNT(DISTINCT ?p) AS ?properties) (COUNT(DISTINCT ?o) AS ?objects)
WHERE { ?s ?p ?o }
"""
# The entities are the subjects minted in the dataset's URI space (our own constant).
_ENTITIES = f"""
SELECT (COUNT(DISTINCT ?s) AS ?entities) WHERE {{
  ?s ?p ?o . FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{ID}"))
}}
"""
_CLASSES = """
SELECT ?class (COUNT(DISTINCT ?s) AS ?entities) (MIN(STR(?s)) AS ?example) WHERE {
  ?s a ?class .
} GROUP BY ?class ORDER BY ?class
"""
_PROPERTIES = """
SELECT ?property (COUNT(*) AS ?triples) WHERE { ?s ?property ?o } GROUP BY ?property
ORDER BY ?property
"""
_LATEST_SOURCE = """
PREFIX dct: <http://purl.org/dc/terms/>
SELECT (MAX(?issued) AS ?latest) WHERE { ?source dct:issued ?issued . FILTER(isIRI(?source)) }
"""
#: Classes whose first instance (by IRI) is given as an example resource.
EXAMPLE_CLASSES = (SWAP.Exchange, SWAP.Agreement, SWAP.State)


@dataclass(frozen=True)
class Addresses:
    """Where the dataset lives.

    Attributes:
        dataset: The dataset's IRI (the configured public base, else the w3id IRI).
        site: The base URL of the server's routes, ending in ``/``.
    """

    dataset: URIRef
    site: str


def addresses(site: str, base_url: str | None) -> Addresses:
    """The dataset IRI and the routes' base.

    Args:
        site: The base URL the request came to (``http://127.0.0.1:8000/``).
        base_url: The configured public base URL, if any: it then names both.
    """
    if base_url:
        base = base_url.rstrip("/") + "/"
        return Addresses(URIRef(base), base)
    return Addresses(URIRef(W3ID), site if site.endswith("/") else site + "/")


@dataclass(frozen=True)
class Statistics:
    """What VoID says about the data itself: counts, partitions, examples, newest source.

    Computed once per served dataset (the data does not change while it is served).
    """

    counts: dict[str, int]
    classes: list[tuple[URIRef, int, URIRef | None]]
    properties: list[tuple[URIRef, int]]
    latest_source: dt.date | None


def statistics(engine: Engine) -> Statistics:
    """Query the data for its :class:`Statistics`."""
    [row] = select(engine, _COUNTS)
    counts = {key: int(str(row[key])) for key in ("triples", "subjects", "properties", "objects")}
    [entities] = select(engine, _ENTITIES)
    counts["entities"] = int(str(entities["entities"]))
    classes = [
        (
            URIRef(str(r["class"])),
            int(str(r["entities"])),
            URIRef(str(r["example"])) if r["example"] is not None else None,
        )
        for r in select(engine, _CLASSES)
    ]
    properties = [
        (URIRef(str(r["property"])), int(str(r["triples"]))) for r in select(engine, _PROPERTIES)
    ]
    [latest_row] = select(engine, _LATEST_SOURCE)
    latest = latest_row["latest"]
    value = latest.toPython() if isinstance(latest, Literal) else None
    if isinstance(value, dt.datetime):
        value = value.date()
    return Statistics(counts, classes, properties, value if isinstance(value, dt.date) else None)


def void_graph(stats: Statistics, where: Addresses, releases: list[ReleaseFiles]) -> Graph:
    """The VoID description of the served dataset.

    Args:
        stats: What the data says about itself (:func:`statistics`).
        where: The dataset's IRI and the server's base URL.
        releases: The releases whose dumps the server offers, newest first.

    Returns:
        The description, with prefixes bound.
    """
    graph = bind_prefixes(Graph())
    for prefix, namespace in (("void", VOID), ("dcat", DCAT), ("foaf", FOAF)):
        graph.bind(prefix, namespace)
    dataset = where.dataset
    site = where.site
    graph.add((dataset, RDF.type, VOID.Dataset))
    graph.add((dataset, DCTERMS.title, Literal("swapgraph", lang="en")))
    graph.add(
        (
            dataset,
            DCTERMS.description,
            Literal(
                "An open knowledge graph of state-to-state prisoner exchanges: who released "
                "whom to whom, when, where, through which mediator or transit state, under "
                "which agreement, and according to which source.",
                lang="en",
            ),
        )
    )
    graph.add((dataset, DCTERMS.license, LICENSE))
    graph.add((dataset, DCTERMS.publisher, publisher(graph)))
    graph.add((dataset, FOAF.homepage, URIRef(site)))
    graph.add((dataset, VOID.uriSpace, Literal(str(ID))))
    graph.add((dataset, VOID.vocabulary, URIRef(str(SWAP))))
    graph.add((dataset, VOID.sparqlEndpoint, URIRef(f"{site}sparql")))
    graph.add((dataset, VOID.uriLookupEndpoint, URIRef(f"{site}id/")))
    for syntax in formats.LINKED_DATA_FORMATS:  # what /id/… answers in
        graph.add((dataset, VOID.feature, URIRef(formats.format_iri(syntax))))
    graph.add((dataset, VOID.dataDump, URIRef(f"{site}export/ntriples")))
    for release in releases:
        version = add_release(graph, release, site)
        graph.add((dataset, DCTERMS.hasVersion, version))
        for dump in release.dumps:
            url = URIRef(f"{site}releases/{release.version}/{dump.name}")
            graph.add((dataset, VOID.dataDump, url))

    for key, term in (
        ("triples", VOID.triples),
        ("subjects", VOID.distinctSubjects),
        ("properties", VOID.properties),
        ("objects", VOID.distinctObjects),
        ("entities", VOID.entities),
    ):
        graph.add((dataset, term, _integer(stats.counts[key])))
    graph.add((dataset, VOID.classes, _integer(len(stats.classes))))
    for cls, entities, example in stats.classes:
        partition = BNode()
        graph.add((dataset, VOID.classPartition, partition))
        graph.add((partition, VOID["class"], cls))
        graph.add((partition, VOID.entities, _integer(entities)))
        if cls in EXAMPLE_CLASSES and example is not None:
            graph.add((dataset, VOID.exampleResource, example))
    for prop, triples in stats.properties:
        partition = BNode()
        graph.add((dataset, VOID.propertyPartition, partition))
        graph.add((partition, VOID.property, prop))
        graph.add((partition, VOID.triples, _integer(triples)))

    modified = last_modified(stats, releases)
    if modified is not None:
        graph.add((dataset, DCTERMS.modified, Literal(modified.isoformat(), datatype=XSD.date)))
    return graph


def last_modified(stats: Statistics, releases: list[ReleaseFiles]) -> dt.date | None:
    """The newest date the data knows: its latest source's publication or latest release.

    Not a file's time or the clock: a checkout, a copy or a restart changes those, while
    the dataset stays the same.
    """
    dates = [release.issued for release in releases]
    if stats.latest_source is not None:
        dates.append(stats.latest_source)
    return max(dates, default=None)


def _integer(value: int) -> Literal:
    return Literal(value, datatype=XSD.integer)
