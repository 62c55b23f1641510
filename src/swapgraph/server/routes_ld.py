"""Publishing conventions of Linked Data: VoID, releases, context, shapes, versions, crawlers.

The routes that let Linked Data tools, data catalogues and search engines find, cite and
reuse the dataset: ``/.well-known/void`` (and ``/stats``), ``/releases`` with the dumps,
``/context.jsonld``, ``/shapes``, ``/ontology/{version}``, ``/robots.txt`` and
``/sitemap.xml``. What they describe is built by domain modules (:mod:`swapgraph.void`,
:mod:`swapgraph.dcat`, …); this module negotiates and writes.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from urllib.parse import quote
from weakref import WeakKeyDictionary

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response
from rdflib import Graph
from rdflib.namespace import DCTERMS, OWL, RDF

from swapgraph import formats, jsonld_context, ontology_versions, void
from swapgraph.dcat import catalog_graph, find_release_file, find_releases
from swapgraph.engine import select
from swapgraph.load import shapes_graph
from swapgraph.namespaces import ID, bind_prefixes
from swapgraph.server import pages
from swapgraph.server.deps import ServiceDep
from swapgraph.server.negotiation import (
    LINKED_DATA_TYPES,
    VARY,
    WITH_HTML,
    graph_response,
    html_response,
    negotiate,
    negotiated_responses,
    write_graph,
)
from swapgraph.server.requests import public_url
from swapgraph.server.service import GraphService
from swapgraph.shapes_catalog import summarise

router = APIRouter(tags=["Linked Data"])

_RDF_RESPONSES = negotiated_responses("The description.", LINKED_DATA_TYPES)


def addresses(request: Request, service: GraphService) -> void.Addresses:
    """The dataset's IRI and the server's base, from the configured public base URL if any."""
    # The site's root as its users reach it: never from the Host header, which any client
    # sets as it likes (VoID, the sitemap and robots.txt would name its host to everyone).
    base = service.settings.base_url
    return void.addresses(public_url(request, base, "home"), base)


def not_found(message: str) -> Response:
    """A plain 404 answer."""
    return Response(f"{message}\n", status_code=404, media_type=formats.PLAIN_TEXT)


# The data does not change while it is served: its statistics are computed once per service.
_STATISTICS: WeakKeyDictionary[GraphService, void.Statistics] = WeakKeyDictionary()


def void_response(request: Request, service: GraphService) -> Response:
    """The VoID description of the served dataset (blocking: its queries run here)."""
    releases = find_releases(service.settings.project)
    if service not in _STATISTICS:
        _STATISTICS[service] = void.statistics(service.engine)
    graph = void.void_graph(_STATISTICS[service], addresses(request, service), releases)
    return graph_response(request, graph, "the VoID description")


@router.get(
    "/.well-known/void",
    summary="VoID description of the dataset",
    response_class=Response,
    responses=_RDF_RESPONSES,
)
def well_known_void(request: Request, service: ServiceDep) -> Response:
    """Title, licence, publisher, dumps, URI space, SPARQL endpoint, partitions, examples."""
    return void_response(request, service)


# --------------------------------------------------------------------------- JSON-LD context


def jsonld_response(service: GraphService, graph: Graph) -> Response:
    """``graph`` as compacted JSON-LD with the vocabulary's context inline (blocking).

    Inline, not by reference: a client then needs nothing else, and parsers that would
    fetch a remote context (rdflib's does) stay offline.
    """
    body = jsonld_context.to_text(graph, jsonld_context.context(service.ontology))
    return Response(body, media_type=formats.JSON_LD, headers=VARY)


@router.get(
    "/context.jsonld",
    summary="The JSON-LD context of the vocabulary",
    response_class=Response,
    responses={200: {"description": "The context.", "content": {formats.JSON_LD: {}}}},
)
def context_document(service: ServiceDep) -> Response:
    """Terms for every class and property of the ontology, generated from it."""
    document = jsonld_context.document(service.ontology)
    body = json.dumps(document, indent=1) + "\n"
    headers = {"Access-Control-Allow-Origin": "*"}  # contexts are fetched by any site's code
    return Response(body, media_type=formats.JSON_LD, headers=headers)


# --------------------------------------------------------------------------- shapes

_SHAPES_IRI = "https://w3id.org/swapgraph/shapes"


def _page(template: str, title: str, **values: object) -> str:
    """A page of this module: its ``<main>`` from a template, in the site's frame."""
    return pages.render(template, title=f"{title} · swapgraph", heading=title, **values)


@router.get(
    "/shapes",
    summary="The SHACL shapes: the data contract",
    response_class=Response,
    responses=negotiated_responses("The shapes, or a page listing them."),
)
def shapes(request: Request, service: ServiceDep) -> Response:
    """Turtle as written (comments included), other RDF syntaxes, or an HTML list."""
    project = service.settings.project
    media_type = negotiate(request, WITH_HTML, "the shapes")
    files = project.shape_files()
    if media_type == formats.TURTLE and len(files) == 1:
        return Response(files[0].read_bytes(), media_type=formats.TURTLE, headers=VARY)
    graph = bind_prefixes(shapes_graph(project))
    if media_type != formats.HTML:
        return write_graph(graph, media_type)
    header = graph.value(predicate=RDF.type, object=OWL.Ontology)
    html = _page(
        "shapes.html",
        str(graph.value(header, DCTERMS.title) or "swapgraph shapes"),
        description=str(graph.value(header, DCTERMS.description) or ""),
        version=str(graph.value(header, OWL.versionInfo) or ""),
        iri=_SHAPES_IRI,
        shapes=summarise(graph),
    )
    return html_response(html)


# --------------------------------------------------------------------------- ontology versions


def version_history_html(service: GraphService) -> str:
    """The ontology page's version history, from the CHANGELOG, linking each kept version."""
    project = service.settings.project
    entries = ontology_versions.history(project.changelog)
    current = ontology_versions.version_of(service.ontology)
    resolvable = {current} | {release.version for release in find_releases(project)}
    return pages.render(
        "ontology_versions.html", entries=entries, current=current, resolvable=resolvable
    )


@router.get(
    "/ontology/{version}",
    summary="One version of the vocabulary, by its version IRI",
    response_class=Response,
    responses=negotiated_responses(
        "That version of the ontology.", missing="No such version is kept."
    ),
)
def ontology_version(version: str, request: Request, service: ServiceDep) -> Response:
    """The ontology as released in ``version``: the current file, or the release's dump."""
    # Imported here: the Linked Data router imports this module for its JSON-LD writer.
    from swapgraph.server.linked_data import render_ontology_html

    media_type = negotiate(request, WITH_HTML, "the ontology")
    graph = ontology_versions.ontology_at(service.settings.project, service.ontology, version)
    if graph is None:
        return not_found(f"no version {version} of the ontology is kept here")
    if media_type == formats.HTML:
        return html_response(render_ontology_html(graph))
    return write_graph(bind_prefixes(graph), media_type)


# --------------------------------------------------------------------------- releases


@router.get(
    "/releases",
    summary="The releases as a DCAT catalogue, one distribution per dump",
    response_class=Response,
    responses=negotiated_responses("The catalogue, or a page listing it."),
)
def releases(request: Request, service: ServiceDep) -> Response:
    """Every release in ``dist/`` with its dumps' media type, size, checksum and licence."""
    media_type = negotiate(request, WITH_HTML, "the releases")
    found = find_releases(service.settings.project)
    if media_type == formats.HTML:
        return html_response(_page("releases.html", "swapgraph releases", releases=found))
    return write_graph(catalog_graph(found, addresses(request, service).site), media_type)


@router.get(
    "/releases/{version}/{name}",
    summary="A file of a release: a dump, its checksums or its DCAT description",
    response_class=Response,
    responses={200: {"description": "The file."}, 404: {"description": "No such file."}},
)
def release_file(version: str, name: str, service: ServiceDep) -> Response:
    """Only files that belong to a release are served; any other name is 404."""
    path = find_release_file(service.settings.project, version, name)
    if path is None:
        return not_found(f"release {version} has no file {name}")
    suffix = ".dcat.ttl" if name.endswith(".dcat.ttl") else path.suffix
    media_type = formats.RELEASE_FILE_TYPES.get(suffix, formats.OCTET_STREAM)
    return FileResponse(path, media_type=media_type, filename=name)


# --------------------------------------------------------------------------- crawlers

#: The sitemap protocol's limit of URLs per file.
SITEMAP_LIMIT = 50_000
_ENTITY_PAGES = f"""
SELECT DISTINCT ?s WHERE {{ ?s ?p ?o . FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{ID}")) }}
ORDER BY ?s LIMIT {SITEMAP_LIMIT - 10}
"""
#: Pages for people besides the entities, listed first in the sitemap.
_SITE_PAGES = ("", "ontology", "shapes", "releases")


@router.get("/robots.txt", include_in_schema=False)
def robots(request: Request, service: ServiceDep) -> Response:
    """Crawlers may read every page; the query services are for people and programs."""
    site = addresses(request, service).site
    lines = [
        "User-agent: *",
        "Disallow: /sparql",
        "Disallow: /api/",
        "Disallow: /export/",
        "Disallow: /validate",
        "Allow: /",
        f"Sitemap: {site}sitemap.xml",
    ]
    return Response("\n".join(lines) + "\n", media_type=formats.PLAIN_TEXT)


@router.get("/sitemap.xml", include_in_schema=False)
def sitemap(request: Request, service: ServiceDep) -> Response:
    """Every entity page, and the site's other pages (blocking: it queries)."""
    site = addresses(request, service).site
    rows = select(service.engine, _ENTITY_PAGES)
    pages = [f"{site}{page}" for page in _SITE_PAGES]
    pages += [
        f"{site}id/{quote(str(row['s']).removeprefix(str(ID)), safe='/:@!$&()*+,;=-._~')}"
        for row in rows
    ]
    urlset = ET.Element("urlset", xmlns="http://www.sitemaps.org/schemas/sitemap/0.9")
    for page in pages:
        ET.SubElement(ET.SubElement(urlset, "url"), "loc").text = page
    body = ET.tostring(urlset, encoding="utf-8", xml_declaration=True)
    return Response(body, media_type=formats.XML)
