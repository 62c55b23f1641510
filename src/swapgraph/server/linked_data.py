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

from swapgraph.errors import SwapgraphError
from swapgraph.namespaces import ID, bind_prefixes
from swapgraph.server import entity_page, pages, routes_ld
from swapgraph.server.negotiation import VARY, WITH_HTML, negotiate, write_graph
from swapgraph.server.service import GraphService

router = APIRouter(tags=["Linked Data"])

_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {"description": "The description.", "content": {t: {} for t in WITH_HTML}},
    404: {"description": "Nothing is said about this IRI."},
    406: {"description": "No accepted media type."},
}


class UnknownEntity(SwapgraphError):
    """The graph says nothing about the IRI asked for."""


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
    media_type = negotiate(request, WITH_HTML, "an entity")
    iri = entity_iri(path)
    service: GraphService = request.app.state.service
    graph = await run_in_threadpool(describe_entity, service, iri)
    if media_type == "text/html":
        html = await run_in_threadpool(entity_page.entity_html, service.engine, iri, graph)
        return Response(html, media_type="text/html", headers=VARY)
    if media_type == "application/ld+json":
        return await run_in_threadpool(routes_ld.jsonld_response, service, graph)
    return write_graph(bind_prefixes(graph), media_type)


@router.get("/ontology", summary="The vocabulary", responses=_RESPONSES, response_class=Response)
async def ontology(request: Request) -> Response:
    """The ontology as Turtle (or another RDF syntax), or as an HTML page of its terms."""
    media_type = negotiate(request, WITH_HTML, "the ontology")
    service: GraphService = request.app.state.service
    if media_type == "text/html":
        history = await run_in_threadpool(routes_ld.version_history_html, service)
        return Response(
            render_ontology_html(service.ontology, history),
            media_type="text/html",
            headers=VARY,
        )
    return write_graph(bind_prefixes(service.ontology), media_type)


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
