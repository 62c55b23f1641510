"""The JSON/CSV API: one route per named query, plus /health, /stats and /validate."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, VOID, XSD

from swapgraph.engine import NotAcceptable
from swapgraph.limits import check_json_depth, check_rdf_upload
from swapgraph.named_queries import NamedQuery
from swapgraph.report import render_json
from swapgraph.server import shacl_report
from swapgraph.server.negotiation import acceptable
from swapgraph.server.requests import (
    BadRequest,
    UnsupportedMediaType,
    public_url,
    read_body,
    record_query,
    single_values,
)
from swapgraph.server.service import GraphService
from swapgraph.validate import ValidationReport, validate_graph

router = APIRouter()

_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"description": text, "content": {"text/plain": {"schema": {"type": "string"}}}}
    for status, text in {
        400: "Malformed request.",
        406: "No accepted media type.",
        413: "The request body is too large.",
        415: "Unsupported content type.",
        422: "A parameter is missing, unknown or of the wrong type.",
        503: "The query ran past the time limit, or the server is busy.",
    }.items()
}
_SCHEMA_TYPES = {
    "integer": {"type": "integer"},
    "date": {"type": "string", "format": "date"},
    "boolean": {"type": "boolean"},
    "iri": {"type": "string"},
    "string": {"type": "string"},
}
_RESULT_TYPES = ("application/sparql-results+json", "text/csv")


def _service(request: Request) -> GraphService:
    service: GraphService = request.app.state.service
    return service


def add_named_query_routes(app: FastAPI, queries: dict[str, NamedQuery]) -> None:
    """Add ``GET /api/queries/NAME`` for each named query, documented in the OpenAPI."""
    for query in queries.values():
        app.add_api_route(
            f"/api/queries/{query.name}",
            _named_query_endpoint(query),
            methods=["GET"],
            name=f"query_{query.name}",
            summary=query.summary,
            description=query.description or query.summary,
            tags=["Named queries"],
            response_class=Response,
            responses={
                200: {
                    "description": "The rows, as SPARQL JSON results or CSV.",
                    "content": {
                        "application/sparql-results+json": {"schema": {"type": "object"}},
                        "text/csv": {"schema": {"type": "string"}},
                    },
                },
                **_ERRORS,
            },
            openapi_extra={"parameters": _openapi_parameters(query)},
        )


def _openapi_parameters(query: NamedQuery) -> list[dict[str, Any]]:
    parameters: list[dict[str, Any]] = [
        {
            "name": p.name,
            "in": "query",
            "required": p.required,
            "description": p.description + ("" if p.required else f" (default: {p.default})"),
            "schema": _SCHEMA_TYPES[p.type],
        }
        for p in query.parameters
    ]
    parameters.append(
        {
            "name": "format",
            "in": "query",
            "required": False,
            "description": "json or csv (default: by Accept, else json)",
            "schema": {"type": "string", "enum": ["json", "csv"]},
        }
    )
    return parameters


def _named_query_endpoint(query: NamedQuery) -> Any:
    def run_named_query(request: Request) -> Response:
        raw = single_values(request)
        format_name = raw.pop("format", None)
        bindings = query.bind(raw)
        accepted = acceptable(_RESULT_TYPES, request.headers.get("accept"), format_name)
        if not accepted:
            raise NotAcceptable("named queries answer in " + ", ".join(_RESULT_TYPES))
        record_query(request, query.text)
        result = _service(request).run(query.text, accepted, bindings)
        return Response(result.body, media_type=result.media_type, headers={"Vary": "Accept"})

    run_named_query.__doc__ = query.summary
    return run_named_query


@router.get("/api/queries", summary="List the named queries", tags=["Named queries"])
def list_named_queries(request: Request) -> list[dict[str, Any]]:
    """Every named query with its summary, parameters and URL."""
    return [
        {
            "name": q.name,
            "summary": q.summary,
            "description": q.description,
            "url": public_url(request, f"query_{q.name}"),
            "parameters": [
                {
                    "name": p.name,
                    "type": p.type,
                    "required": p.required,
                    "default": p.default,
                    "description": p.description,
                }
                for p in q.parameters
            ],
            "text": q.text,
        }
        for q in _service(request).named_queries.values()
    ]


@router.get("/health", summary="Is the service up", tags=["Service"])
def health(request: Request) -> dict[str, Any]:
    """Answers when the query workers answer."""
    service = _service(request)
    service.run("ASK {}", ("application/sparql-results+json",))
    return {"status": "ok", "engine": service.engine_name}


_COUNTS = """
SELECT (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?entities)
       (COUNT(DISTINCT ?p) AS ?properties)
       (COUNT(DISTINCT IF(?p = <http://www.w3.org/1999/02/22-rdf-syntax-ns#type>, ?o, ?none))
        AS ?classes)
WHERE { ?s ?p ?o }
"""


@router.get(
    "/stats",
    summary="VoID description of the dataset: triples, entities, classes, properties",
    tags=["Service"],
    response_class=Response,
    responses={
        200: {
            "description": "VoID in Turtle (or JSON-LD by Accept).",
            "content": {"text/turtle": {}, "application/ld+json": {}},
        },
        406: _ERRORS[406],
    },
)
def stats(request: Request) -> Response:
    """Size and shape of the served dataset, and when its files last changed."""
    service = _service(request)
    accepted = acceptable(("text/turtle", "application/ld+json"), request.headers.get("accept"))
    if not accepted:
        raise NotAcceptable("statistics are written in text/turtle or application/ld+json")
    answer = json.loads(service.run(_COUNTS, ("application/sparql-results+json",)).body)
    row = answer["results"]["bindings"][0]
    void = Graph()
    void.bind("void", VOID)
    void.bind("dct", DCTERMS)
    dataset = URIRef(public_url(request, "stats") + "#dataset")
    void.add((dataset, RDF.type, VOID.Dataset))
    void.add((dataset, VOID.sparqlEndpoint, URIRef(public_url(request, "sparql_get"))))
    for key in ("triples", "entities", "classes", "properties"):
        void.add((dataset, VOID[key], Literal(int(row[key]["value"]), datatype=XSD.integer)))
    modified = max((f.stat().st_mtime for f in service.data_files), default=None)
    if modified is not None:
        stamp = datetime.fromtimestamp(modified, UTC).replace(microsecond=0)
        void.add((dataset, DCTERMS.modified, Literal(stamp.isoformat(), datatype=XSD.dateTime)))
    fmt = "turtle" if accepted[0] == "text/turtle" else "json-ld"
    return Response(void.serialize(format=fmt), media_type=accepted[0])


_VALIDATE_TYPES = {"text/turtle": "turtle", "application/ld+json": "json-ld"}
_REPORT_TYPES = ("application/json", "text/turtle")


@router.post(
    "/validate",
    summary="Validate posted RDF against the project's SHACL shapes",
    tags=["Service"],
    responses={
        200: {
            "description": "The validation report: JSON by default, or a SHACL validation "
            "report graph in Turtle by Accept.",
            "content": {
                "application/json": {"schema": {"type": "object"}},
                "text/turtle": {"schema": {"type": "string"}},
            },
        },
        **{s: _ERRORS[s] for s in (400, 406, 413, 415)},
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "text/turtle": {"schema": {"type": "string"}},
                "application/ld+json": {"schema": {"type": "object"}},
            },
        }
    },
)
async def validate(request: Request) -> Response:
    """Turtle or JSON-LD in, the SHACL report out; shapes in the data are ignored.

    RDF/XML is refused (no XML entity expansion), and JSON-LD may not name remote
    contexts: nothing is fetched.
    """
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type not in _VALIDATE_TYPES:
        raise UnsupportedMediaType(
            f"post the data as {' or '.join(_VALIDATE_TYPES)}, not {media_type or 'nothing'}"
        )
    accepted = acceptable(_REPORT_TYPES, request.headers.get("accept"))
    if not accepted:
        raise NotAcceptable("validation reports are written in " + ", ".join(_REPORT_TYPES))
    body = await read_body(request)
    report = await run_in_threadpool(_validate, _service(request), body, media_type)
    if accepted[0] == "text/turtle":
        turtle = shacl_report.report_graph(report).serialize(format="turtle", encoding="utf-8")
        return Response(turtle, media_type="text/turtle", headers={"Vary": "Accept"})
    return JSONResponse(json.loads(render_json(report)), headers={"Vary": "Accept"})


def _validate(service: GraphService, body: bytes, media_type: str) -> ValidationReport:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BadRequest(f"the body is not UTF-8 (byte {error.start})") from None
    if media_type == "application/ld+json":
        check_json_depth(text)
        _refuse_remote_contexts(text)
    try:
        check_rdf_upload(text, media_type)
    except SyntaxError as error:
        raise BadRequest(f"the body is not valid {media_type}: {error}") from None
    data = Graph()
    try:
        data.parse(data=text, format=_VALIDATE_TYPES[media_type])
    except Exception as error:  # parsers raise many types for bad input
        raise BadRequest(f"the body is not valid {media_type}: {error}") from None
    return validate_graph(service.settings.project, data)


def _refuse_remote_contexts(text: str) -> None:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise BadRequest(f"the body is not JSON: line {error.lineno}: {error.msg}") from None

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("@context", "@import") and _names_a_document(value):
                    raise BadRequest("JSON-LD contexts must be inline: nothing is fetched")
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(document)


def _names_a_document(context: object) -> bool:
    if isinstance(context, str):
        return True
    if isinstance(context, list):
        return any(_names_a_document(item) for item in context)
    return False
