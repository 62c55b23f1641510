"""The JSON/CSV API: one route per named query, plus /health, /stats and /validate."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
from fastapi import APIRouter, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from rdflib import Graph

from swapgraph import formats
from swapgraph.engine import Engine, NotAcceptable, Serialized
from swapgraph.limits import RDF_UPLOAD_FORMATS, check_json_depth, check_rdf_upload
from swapgraph.named_queries import NamedQuery
from swapgraph.paths import Project
from swapgraph.report import ValidationReport, render_json
from swapgraph.server import routes_ld, shacl_report
from swapgraph.server.deps import ServiceDep
from swapgraph.server.errors import BadRequest, UnsupportedMediaType
from swapgraph.server.negotiation import LINKED_DATA_TYPES, VARY, acceptable
from swapgraph.server.requests import (
    content_type,
    public_url,
    read_body,
    record_query,
    single_values,
)

router = APIRouter()
_SPARQL_JSON = formats.media_type(ox.QueryResultsFormat.JSON)

_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"description": text, "content": {formats.PLAIN_TEXT: {"schema": {"type": "string"}}}}
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
_RESULT_TYPES = formats.media_types((ox.QueryResultsFormat.JSON, ox.QueryResultsFormat.CSV))


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
                        _SPARQL_JSON: {"schema": {"type": "object"}},
                        formats.media_type(ox.QueryResultsFormat.CSV): {
                            "schema": {"type": "string"}
                        },
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
    def run_named_query(request: Request, service: ServiceDep) -> Response:
        raw = single_values(request)
        format_name = raw.pop("format", None)
        bindings = query.bind(raw, service.engine)
        accepted = acceptable(_RESULT_TYPES, request.headers.get("accept"), format_name)
        if not accepted:
            raise NotAcceptable("named queries answer in " + ", ".join(_RESULT_TYPES))
        record_query(request, query.text)
        result = service.run(query.text, accepted, bindings)
        return Response(result.body, media_type=result.media_type, headers=VARY)

    run_named_query.__doc__ = query.summary
    return run_named_query


@router.get("/api/queries", summary="List the named queries", tags=["Named queries"])
def list_named_queries(request: Request, service: ServiceDep) -> list[dict[str, Any]]:
    """Every named query with its summary, parameters and URL."""
    return [
        {
            "name": q.name,
            "summary": q.summary,
            "description": q.description,
            "url": public_url(request, service.settings.base_url, f"query_{q.name}"),
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
        for q in service.named_queries.values()
    ]


@router.get(
    "/health",
    summary="Is the service up: its query workers, live and busy",
    tags=["Service"],
    responses={503: {"description": "No query worker is alive: the service cannot answer."}},
)
def health(service: ServiceDep) -> JSONResponse:
    """``ok`` with every worker alive, ``degraded`` with some, 503 ``down`` with none.

    The figures come from the pool's supervisor, not from a query, so the answer is
    immediate even when every worker is busy. A remote engine is asked ``ASK {}``.
    """
    state = service.pool.state()
    if state.size == 0:  # a remote endpoint: ask it
        service.run("ASK {}", (_SPARQL_JSON,))
        return JSONResponse({"status": "ok", "engine": service.engine_name})
    status = "ok" if state.live == state.size else "degraded" if state.live else "down"
    body = {
        "status": status,
        "engine": service.engine_name,
        "workers": {
            "live": state.live,
            "size": state.size,
            "starting": state.starting,
            "busy": state.busy,
            "waiting": state.waiting,
        },
    }
    headers = {"Retry-After": "5"} if status == "down" else None
    return JSONResponse(body, status_code=503 if status == "down" else 200, headers=headers)


@router.get(
    "/stats",
    summary="VoID description of the dataset (as /.well-known/void)",
    tags=["Service"],
    response_class=Response,
    responses={
        200: {
            "description": "VoID in Turtle (or JSON-LD, N-Triples by Accept).",
            "content": {t: {} for t in LINKED_DATA_TYPES},
        },
        406: _ERRORS[406],
    },
)
def stats(request: Request, service: ServiceDep) -> Response:
    """Size and shape of the served dataset: counts, partitions, dumps, licence, dates."""
    return routes_ld.void_response(request, service)


_VALIDATE_TYPES = formats.media_types(RDF_UPLOAD_FORMATS)


@router.post(
    "/validate",
    summary="Validate posted RDF against the project's SHACL shapes",
    tags=["Service"],
    responses={
        200: {
            "description": "The validation report: JSON by default, or a SHACL validation "
            "report graph in Turtle by Accept.",
            "content": {
                formats.JSON: {"schema": {"type": "object"}},
                formats.TURTLE: {"schema": {"type": "string"}},
            },
        },
        **{s: _ERRORS[s] for s in (400, 406, 413, 415)},
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                formats.TURTLE: {"schema": {"type": "string"}},
                formats.JSON_LD: {"schema": {"type": "object"}},
            },
        }
    },
)
async def validate(request: Request, service: ServiceDep) -> Response:
    """Turtle or JSON-LD in, the SHACL report out; shapes in the data are ignored.

    RDF/XML is refused (no XML entity expansion), and JSON-LD may not name remote
    contexts: nothing is fetched.
    """
    media_type, _ = content_type(request)
    if media_type not in _VALIDATE_TYPES:
        raise UnsupportedMediaType(
            f"post the data as {' or '.join(_VALIDATE_TYPES)}, not {media_type or 'nothing'}"
        )
    accepted = acceptable(formats.REPORT_TYPES, request.headers.get("accept"))
    if not accepted:
        raise NotAcceptable("validation reports are written in " + ", ".join(formats.REPORT_TYPES))
    body = await read_body(request, service.settings.max_body_bytes)
    job = ValidationJob(service.settings.project, body, media_type, accepted[0])
    # In a worker, under the time and memory limits of queries: parsing and SHACL are
    # where a hostile body costs the most.
    report = await run_in_threadpool(service.validation_pool.run, job)
    return Response(report.body, media_type=report.media_type, headers=VARY)


@dataclass(frozen=True)
class ValidationJob:
    """Validate a posted body, for a worker process; the answer is the rendered report."""

    project: Project
    body: bytes
    media_type: str
    report_type: str

    def run(self, engine: Engine) -> Serialized:
        """Parse, validate and write the report (``engine`` is not used)."""
        report = _validate(self.project, self.body, self.media_type)
        if self.report_type == formats.TURTLE:
            graph = shacl_report.report_graph(report)
            return Serialized(formats.TURTLE, formats.write_graph(graph, formats.TURTLE))
        return Serialized(formats.JSON, render_json(report).encode("utf-8"))


def _validate(project: Project, body: bytes, media_type: str) -> ValidationReport:
    # Imported here, in the validation worker that runs this: pyshacl would cost the server
    # 13 MiB for its whole life.
    from swapgraph.validate import validate_graph

    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BadRequest(f"the body is not UTF-8 (byte {error.start})") from None
    if media_type == formats.JSON_LD:
        check_json_depth(text)
        _refuse_remote_contexts(text)
    try:
        check_rdf_upload(text, media_type)
    except SyntaxError as error:
        raise BadRequest(f"the body is not valid {media_type}: {error}") from None
    data = Graph()
    try:
        data.parse(data=text, format=media_type)  # rdflib knows its parsers by media type
    except Exception as error:  # parsers raise many types for bad input
        raise BadRequest(f"the body is not valid {media_type}: {error}") from None
    return validate_graph(project, data)


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
