"""Linked Data: every ``https://w3id.org/swapgraph/id/…`` IRI under ``/id/…``, and ``/ontology``.

A browser gets HTML, a client asking for RDF gets Turtle, JSON-LD, N-Triples or RDF/XML.
HTML pages are rendered from the templates by :mod:`swapgraph.server.pages`.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from markupsafe import Markup
from rdflib import Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, Namespace
from rdflib.term import Node

from swapgraph import formats
from swapgraph.namespaces import ID, bind_prefixes, compact
from swapgraph.server import entity_page, pages, routes_ld
from swapgraph.server.deps import ServiceDep
from swapgraph.server.errors import UnknownEntity
from swapgraph.server.negotiation import (
    WITH_HTML,
    html_response,
    negotiate,
    negotiated_responses,
    write_graph,
)
from swapgraph.server.service import GraphService

router = APIRouter(tags=["Linked Data"])

VANN = Namespace("http://purl.org/vocab/vann/")

_RESPONSES = negotiated_responses("The description.", missing="Nothing is said about this IRI.")


def entity_iri(path: str) -> URIRef:
    """The entity IRI that ``/id/{path}`` stands for.

    Raises:
        UnknownEntity: If ``path`` cannot be part of an IRI (no entity can have it).
    """
    iri = str(ID) + path
    try:
        ox.NamedNode(iri)
    except ValueError as error:
        raise UnknownEntity(f"/id/{path} names no entity: not an IRI ({error})") from None
    return URIRef(iri)


def entity_triples(service: GraphService, iri: URIRef) -> Graph:
    """The triples about ``iri``, with its nested blank nodes (blocking).

    Raises:
        UnknownEntity: If there are none.
    """
    answer = service.describe(iri, (formats.media_type(ox.RdfFormat.N_TRIPLES),))
    graph = Graph().parse(data=answer.body, format="nt")
    if len(graph) == 0:
        raise UnknownEntity(f"nothing is known about {iri}")
    return graph


@router.get(
    "/id/{path:path}",
    summary="Dereference an entity IRI",
    responses=_RESPONSES,
    response_class=Response,
)
async def entity(path: str, request: Request, service: ServiceDep) -> Response:
    """``/id/state/russia`` describes ``https://w3id.org/swapgraph/id/state/russia``."""
    media_type = negotiate(request, WITH_HTML, "an entity")
    iri = entity_iri(path)
    graph = await run_in_threadpool(entity_triples, service, iri)
    if media_type == formats.HTML:
        html = await run_in_threadpool(entity_page.entity_html, service.engine, iri, graph)
        return html_response(html)
    if media_type == formats.JSON_LD:
        return await run_in_threadpool(routes_ld.jsonld_response, service, graph)
    return write_graph(bind_prefixes(graph), media_type)


@router.get("/ontology", summary="The vocabulary", responses=_RESPONSES, response_class=Response)
async def ontology(request: Request, service: ServiceDep) -> Response:
    """The ontology as Turtle (or another RDF syntax), or as an HTML page of its terms."""
    media_type = negotiate(request, WITH_HTML, "the ontology")
    if media_type == formats.HTML:
        history = await run_in_threadpool(routes_ld.version_history_html, service)
        return html_response(render_ontology_html(service.ontology, history))
    return write_graph(bind_prefixes(service.ontology), media_type)


def render_ontology_html(ontology: Graph, history: str = "") -> str:
    """A page of the vocabulary in the manner of pyLODE: contents, classes, properties, values.

    Every term of the ontology's namespace gets an anchor named by its local name
    (``#Exchange``), the form of the links entity pages make; each class lists the
    properties whose domain it is (alone or in a union), each property its domain, range
    and definition. ``history`` is the version history's HTML, placed after the terms.
    """
    header = ontology.value(predicate=RDF.type, object=OWL.Ontology)
    namespace = _namespace_of(ontology, header)

    def ref(node: Node, sep: str = ", ") -> dict[str, str]:
        # A term of ours links to its anchor here, another IRI to itself; ``sep`` is what
        # the page writes before it when it follows another.
        iri = str(node)
        if namespace and iri.startswith(namespace):
            return {"text": iri[len(namespace) :], "href": "#" + iri[len(namespace) :], "sep": sep}
        href = iri if iri.startswith(("http://", "https://")) else ""
        return {"text": compact(str(node)), "href": href, "sep": sep}

    def refs(predicate: URIRef, subject: URIRef) -> list[dict[str, str]]:
        # A union of classes (a blank node) is written out as its members: "A or B".
        found = []
        for value in sorted(ontology.objects(subject, predicate), key=str):
            members = [value] if isinstance(value, URIRef) else _union_members(ontology, value)
            found += [ref(m, " or " if i else ", ") for i, m in enumerate(members)]
        return found

    def ours(kinds: tuple[URIRef, ...]) -> list[URIRef]:
        found = {s for k in kinds for s in ontology.subjects(RDF.type, k)}
        return sorted(t for t in found if isinstance(t, URIRef) and str(t).startswith(namespace))

    def term(node: URIRef, kind: str) -> dict[str, object]:
        return {
            "id": str(node)[len(namespace) :],
            "name": compact(str(node)),
            "iri": str(node),
            "kind": kind,
            "label": str(ontology.value(node, RDFS.label) or ""),
            "definition": str(
                ontology.value(node, SKOS.definition) or ontology.value(node, RDFS.comment) or ""
            ),
            # Every kind of term has every list, so the template needs no tests of presence.
            **{key: [] for key in ("parents", "types", "properties", "in_range_of")},
            **{key: [] for key in ("domain", "range")},
        }

    properties = ours((OWL.ObjectProperty, OWL.DatatypeProperty, RDF.Property))
    domains = {p: _classes_in(ontology, ontology.objects(p, RDFS.domain)) for p in properties}
    classes = [
        {
            **term(c, "Class"),
            "parents": refs(RDFS.subClassOf, c),
            "properties": [ref(p) for p in properties if c in domains[p]],
            "in_range_of": [ref(p) for p in properties if (p, RDFS.range, c) in ontology],
        }
        for c in ours((OWL.Class, RDFS.Class))
    ]
    property_terms = [
        {
            **term(
                p,
                "Object property"
                if (p, RDF.type, OWL.ObjectProperty) in ontology
                else "Datatype property",
            ),
            "domain": refs(RDFS.domain, p),
            "range": refs(RDFS.range, p),
            "parents": refs(RDFS.subPropertyOf, p),
        }
        for p in properties
    ]
    class_set = {URIRef(str(c["iri"])) for c in classes}
    declared = class_set | set(properties) | ({header} if header else set())
    values = [
        {
            **term(v, "Value"),
            "types": [
                ref(t) for t in sorted(ontology.objects(v, RDF.type), key=str) if t in class_set
            ],
        }
        for v in sorted(
            {s for s in ontology.subjects(RDF.type) if isinstance(s, URIRef)} - declared
        )
        if namespace and str(v).startswith(namespace)
    ]
    sections = [
        {"id": "classes", "title": "Classes", "terms": classes},
        {"id": "properties", "title": "Properties", "terms": property_terms},
        {"id": "values", "title": "Values and concept schemes", "terms": values},
    ]
    heading = str(ontology.value(header, RDFS.label) or "ontology") if header else "ontology"
    about = {
        "title": str(ontology.value(header, DCTERMS.title) or "") if header else "",
        "description": str(ontology.value(header, DCTERMS.description) or "") if header else "",
        "iri": str(header or ""),
        "version": str(ontology.value(header, OWL.versionInfo) or "") if header else "",
        "version_iri": str(ontology.value(header, OWL.versionIRI) or "") if header else "",
        "modified": str(ontology.value(header, DCTERMS.modified) or "") if header else "",
        "namespace": namespace,
    }
    return pages.render(
        "ontology.html",
        title=f"{heading} · swapgraph",
        heading=heading,
        about=about,
        sections=sections,
        # Written by the version-history template, which escapes every value itself.
        history=Markup(history),
    )


def _namespace_of(ontology: Graph, header: Node | None) -> str:
    """The namespace the ontology's terms share: its preferred one, else its IRI and ``#``."""
    preferred = ontology.value(header, VANN.preferredNamespaceUri) if header else None
    if preferred:
        return str(preferred)
    return f"{header}#" if isinstance(header, URIRef) else ""


def _union_members(ontology: Graph, node: Node) -> list[Node]:
    members = ontology.value(node, OWL.unionOf)
    return list(Collection(ontology, members)) if members is not None else []


def _classes_in(ontology: Graph, nodes: Iterable[Node]) -> set[Node]:
    """The named classes of ``nodes``, a union of classes counting as each of its members."""
    found: set[Node] = set()
    for node in nodes:
        found.update([node] if isinstance(node, URIRef) else _union_members(ontology, node))
    return found
