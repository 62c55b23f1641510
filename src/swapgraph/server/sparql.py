"""The SPARQL 1.1 Protocol at ``/sparql``: query by GET, POST form and POST direct.

This module reads the protocol (parameters, media types, encodings) and writes responses;
the query itself runs in the service's pool, off the event loop.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Annotated, TypeVar
from urllib.parse import parse_qsl

import pyoxigraph as ox
from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH, XSD

from swapgraph import formats
from swapgraph.csvsafe import neutralise_results
from swapgraph.engine import ALL_MEDIA_TYPES, GRAPH_MEDIA_TYPES, QueryDataset
from swapgraph.errors import QueryRefused
from swapgraph.query_text import DEFAULT_PREFIXES, check_read_only_query
from swapgraph.server.deps import ServiceDep
from swapgraph.server.errors import BadRequest, UnsupportedMediaType
from swapgraph.server.negotiation import VARY, acceptable, graph_response
from swapgraph.server.requests import (
    content_type,
    public_url,
    read_body,
    record_query,
)
from swapgraph.server.service import GraphService

router = APIRouter(tags=["SPARQL"])

_SD = "http://www.w3.org/ns/sparql-service-description#"
_QUERY_FORM = "application/x-www-form-urlencoded"
_QUERY_DIRECT = "application/sparql-query"
_UPDATE_DIRECT = "application/sparql-update"
_CHECK_INLINE_CHARACTERS = 4_000
_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {
        "description": "The result, in the negotiated media type (without a query: the "
        "service description).",
        "content": {media_type: {} for media_type in ALL_MEDIA_TYPES},
    },
    400: {"description": "Malformed request or query syntax error (with line and column)."},
    403: {"description": "An update, or a query using SERVICE: this service is read-only."},
    406: {"description": "No accepted media type can carry the result."},
    413: {"description": "The request body is too large."},
    415: {"description": "The request's content type is not a SPARQL query type."},
    503: {"description": "The query ran past the time limit, or the server is busy."},
}

_Endpoint = TypeVar("_Endpoint", bound=Callable[..., object])


def _known_prefixes_table() -> str:
    rows = "".join(f"\n| `{name}:` | `{iri}` |" for name, iri in DEFAULT_PREFIXES.items())
    return (
        "**Prefixes known without declaration** (as on the command line; a query's own "
        "`PREFIX` wins; the service description lists them as `sh:declare`):\n\n"
        "| prefix | namespace |\n|---|---|" + rows
    )


def _lists_default_prefixes(endpoint: _Endpoint) -> _Endpoint:
    """Append the default prefixes to the route's docstring, its OpenAPI description.

    Generated from :data:`DEFAULT_PREFIXES`, so that the documentation cannot drift from
    what the engines accept. Applied before the route decorator, which reads the docstring.
    """
    endpoint.__doc__ = f"{inspect.cleandoc(endpoint.__doc__ or '')}\n\n{_known_prefixes_table()}"
    return endpoint


@router.get(
    "/sparql",
    summary="Run a SPARQL query (GET), or read the service description",
    responses=_RESPONSES,
    response_class=Response,
)
@_lists_default_prefixes
async def sparql_get(
    request: Request,
    service: ServiceDep,
    query: Annotated[str | None, Query(description="The SPARQL query.")] = None,
    format: Annotated[
        str | None, Query(description="Result format (json, xml, csv, tsv, turtle, nt, jsonld).")
    ] = None,
) -> Response:
    """The SPARQL 1.1 Protocol query operation by GET.

    ``default-graph-uri`` and ``named-graph-uri`` (repeatable) choose graphs of the loaded
    dataset. Without ``query``, the response is the SPARQL service description.
    """
    params = list(request.query_params.multi_items())
    if not any(key in ("query", "update") for key, _ in params):
        return _service_description(request, service)
    return await _answer(request, service, params)


@router.post(
    "/sparql",
    summary="Run a SPARQL query (POST form or direct)",
    responses=_RESPONSES,
    response_class=Response,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                _QUERY_DIRECT: {"schema": {"type": "string"}},
                _QUERY_FORM: {
                    "schema": {
                        "type": "object",
                        "properties": {"query": {"type": "string"}},
                        "required": ["query"],
                    }
                },
            },
        }
    },
)
@_lists_default_prefixes
async def sparql_post(request: Request, service: ServiceDep) -> Response:
    """The SPARQL 1.1 Protocol query operation by POST (URL-encoded form or direct)."""
    media_type, parameters = content_type(request)
    params = list(request.query_params.multi_items())
    if media_type == _UPDATE_DIRECT:
        raise QueryRefused("updates are refused: this endpoint is read-only")
    if media_type not in (_QUERY_FORM, _QUERY_DIRECT):
        raise UnsupportedMediaType(
            f"a query is posted as {_QUERY_FORM} or {_QUERY_DIRECT}, "
            f"not {media_type or 'a body without content type'}"
        )
    charset = parameters.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8", "us-ascii"):
        raise UnsupportedMediaType(f"the body must be UTF-8 (got charset={charset})")
    body = await read_body(request, service.settings.max_body_bytes)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BadRequest(f"the body is not UTF-8 (byte {error.start})") from None
    if media_type == _QUERY_FORM:
        try:
            params += parse_qsl(text, keep_blank_values=True, errors="strict")
        except UnicodeDecodeError:
            raise BadRequest("the form is not percent-encoded UTF-8") from None
    else:
        if any(key == "query" for key, _ in params):
            raise BadRequest("a direct POST carries the query in the body, not in the URL")
        params.append(("query", text))
    return await _answer(request, service, params)


async def _answer(
    request: Request, service: GraphService, params: list[tuple[str, str]]
) -> Response:
    if any(key == "update" for key, _ in params):
        raise QueryRefused("updates are refused: this endpoint is read-only")
    queries = [value for key, value in params if key == "query"]
    if len(queries) != 1:
        raise BadRequest(f"expected one 'query' parameter, got {len(queries)}")
    sparql = queries[0]
    record_query(request, sparql)
    # Refused here, before a worker is taken: text that would crash an engine never
    # reaches one. Tens of microseconds for a usual query; up to about a second for a
    # megabyte of brackets, so long texts are checked off the event loop.
    if len(sparql) > _CHECK_INLINE_CHARACTERS:
        await run_in_threadpool(check_read_only_query, sparql)
    else:
        check_read_only_query(sparql)
    formats = [value for key, value in params if key == "format"]
    # Every value counts: SPARQLWrapper sends a short name and media types as two values.
    accepted = acceptable(ALL_MEDIA_TYPES, request.headers.get("accept"), ",".join(formats))
    default_graphs = _graph_iris(params, "default-graph-uri")
    named_graphs = _graph_iris(params, "named-graph-uri")
    dataset = QueryDataset(default_graphs, named_graphs) if default_graphs or named_graphs else None
    base_iri = public_url(request, service.settings.base_url, "sparql_get")
    result = await run_in_threadpool(service.run, sparql, accepted, None, dataset, base_iri)
    # The engines write CSV and TSV themselves; no cell may reach a spreadsheet as a formula.
    body = neutralise_results(result.body, result.media_type)
    return Response(body, media_type=result.media_type, headers=VARY)


def _graph_iris(params: list[tuple[str, str]], key: str) -> tuple[str, ...]:
    iris = tuple(value for name, value in params if name == key)
    for iri in iris:
        try:
            ox.NamedNode(iri)
        except ValueError:
            raise BadRequest(f"{key} must be an absolute IRI, not {iri[:100]!r}") from None
    return iris


def _service_description(request: Request, service: GraphService) -> Response:
    sd = Graph()
    sd.bind("sd", _SD)
    endpoint = URIRef(public_url(request, service.settings.base_url, "sparql_get"))
    sd.add((endpoint, RDF.type, URIRef(_SD + "Service")))
    sd.add((endpoint, URIRef(_SD + "endpoint"), endpoint))
    sd.add((endpoint, URIRef(_SD + "supportedLanguage"), URIRef(_SD + "SPARQL11Query")))
    for result_format in formats.ALL_FORMATS:
        sd.add((endpoint, URIRef(_SD + "resultFormat"), URIRef(formats.format_iri(result_format))))
    dataset = URIRef(str(endpoint) + "#dataset")
    sd.add((endpoint, URIRef(_SD + "defaultDataset"), dataset))
    sd.add((dataset, RDF.type, URIRef(_SD + "Dataset")))
    for name in service.graph_names():
        named = BNode()
        sd.add((dataset, URIRef(_SD + "namedGraph"), named))
        sd.add((named, URIRef(_SD + "name"), URIRef(name)))
    # The prefixes queries may use undeclared, as SHACL declares prefixes (sh:declare).
    for prefix, namespace in DEFAULT_PREFIXES.items():
        declaration = BNode()
        sd.add((endpoint, SH.declare, declaration))
        sd.add((declaration, SH.prefix, Literal(prefix)))
        sd.add((declaration, SH.namespace, Literal(namespace, datatype=XSD.anyURI)))
    sd.add(
        (endpoint, URIRef("http://purl.org/dc/terms/title"), Literal("swapgraph SPARQL endpoint"))
    )
    return graph_response(request, sd, "the service description", GRAPH_MEDIA_TYPES)
