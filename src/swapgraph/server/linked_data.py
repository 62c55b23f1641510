"""Linked Data: every ``https://w3id.org/swapgraph/id/…`` IRI under ``/id/…``, and ``/ontology``.

A browser gets HTML, a client asking for RDF gets Turtle, JSON-LD, N-Triples or RDF/XML.
HTML pages are rendered from the templates by :mod:`swapgraph.server.pages`.
"""

from __future__ import annotations

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from markupsafe import Markup
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from swapgraph.engine import NotAcceptable
from swapgraph.errors import SwapgraphError
from swapgraph.namespaces import ID, bind_prefixes
from swapgraph.server import entity_page, pages, routes_ld
from swapgraph.server.negotiation import acceptable
from swapgraph.server.service import GraphService

router = APIRouter(tags=["Linked Data"])

_RDF_TYPES = {
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
}
# A browser's Accept lists text/html first; a client that names no type gets Turtle.
_OFFERED = ("text/turtle", "text/html", *tuple(_RDF_TYPES)[1:])
_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {"description": "The description.", "content": {t: {} for t in _OFFERED}},
    404: {"description": "Nothing is said about this IRI."},
    406: {"description": "No accepted media type."},
}


class UnknownEntity(SwapgraphError):
    """The graph says nothing about the IRI asked for."""


def _negotiate(request: Request, what: str) -> str:
    accepted = acceptable(
        _OFFERED, request.headers.get("accept"), request.query_params.get("format")
    )
    if not accepted:
        raise NotAcceptable(f"{what} is written in {', '.join(_OFFERED)}")
    return accepted[0]


def _write(graph: Graph, media_type: str) -> Response:
    body = bind_prefixes(graph).serialize(format=_RDF_TYPES[media_type], encoding="utf-8")
    return Response(body, media_type=media_type, headers={"Vary": "Accept"})


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


def describe_entity(service: GraphService, iri: URIRef) -> Graph:
    """The triples about ``iri``, with its nested blank nodes (blocking).

    Raises:
        UnknownEntity: If there are none.
    """
    answer = service.describe(iri, ("application/n-triples",))
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
async def entity(path: str, request: Request) -> Response:
    """``/id/state/russia`` describes ``https://w3id.org/swapgraph/id/state/russia``."""
    media_type = _negotiate(request, "an entity")
    iri = entity_iri(path)
    service: GraphService = request.app.state.service
    graph = await run_in_threadpool(describe_entity, service, iri)
    if media_type == "text/html":
        html = await run_in_threadpool(entity_page.entity_html, service.engine, iri, graph)
        return Response(html, media_type="text/html", headers={"Vary": "Accept"})
    if media_type == "application/ld+json":
        return await run_in_threadpool(routes_ld.jsonld_response, service, graph)
    return _write(graph, media_type)


@router.get("/ontology", summary="The vocabulary", responses=_RESPONSES, response_class=Response)
async def ontology(request: Request) -> Response:
    """The ontology as Turtle (or another RDF syntax), or as an HTML page of its terms."""
    media_type = _negotiate(request, "the ontology")
    service: GraphService = request.app.state.service
    if media_type == "text/html":
        history = await run_in_threadpool(routes_ld.version_history_html, service)
        return Response(
            render_ontology_html(service.ontology, history),
            media_type="text/html",
            headers={"Vary": "Accept"},
        )
    return _write(service.ontology, media_type)


def render_ontology_html(ontology: Graph, history: str = "") -> str:
    """A readable page of the vocabulary's classes and properties with their definitions.

    ``history`` is the version history's HTML, placed after the terms.
    """
    names = bind_prefixes(Graph()).namespace_manager

    def section(title: str, kinds: tuple[URIRef, ...]) -> dict[str, object]:
        terms = sorted(
            {s for k in kinds for s in ontology.subjects(RDF.type, k) if isinstance(s, URIRef)}
        )
        return {
            "title": title,
            "terms": [
                {
                    "name": t.n3(names),
                    "label": str(ontology.value(t, RDFS.label) or ""),
                    "definition": str(ontology.value(t, SKOS.definition) or ""),
                }
                for t in terms
            ],
        }

    title = ontology.value(predicate=RDF.type, object=OWL.Ontology)
    heading = str(ontology.value(title, RDFS.label) or "ontology") if title else "ontology"
    sections = [
        section("Classes", (OWL.Class,)),
        section("Properties", (OWL.ObjectProperty, OWL.DatatypeProperty)),
    ]
    return pages.render(
        "ontology.html",
        title=f"{heading} · swapgraph",
        heading=heading,
        sections=sections,
        # Written by the version-history template, which escapes every value itself.
        history=Markup(history),
    )
