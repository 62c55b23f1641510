"""``/export/{format}``: the graph as a download for graph tools, filtered like the CLI."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from swapgraph.errors import QueryError, SwapgraphError
from swapgraph.exports import export
from swapgraph.formats import EXPORT_FORMATS, PLAIN_TEXT, split_media_type
from swapgraph.server.deps import ServiceDep
from swapgraph.server.errors import BadRequest
from swapgraph.views import VIEWS, Filters

router = APIRouter(tags=["Exports"])

_FORMAT_LIST = "\n".join(
    f"- `{f.name}`: {f.media_type}" + (" (the RDF triples; the view is ignored)" if f.rdf else "")
    for f in EXPORT_FORMATS.values()
)
_TEXT = {PLAIN_TEXT: {"schema": {"type": "string"}}}


def _enum(names: Iterable[str]) -> dict[str, Any]:
    # Documented, not enforced by FastAPI: export() names the choices in its 400 message.
    return {"enum": list(names)}


@router.get(
    "/export/{format}",
    summary="Download the graph for yEd, Gephi, Cytoscape, Graphviz or an RDF tool",
    description="The actors network, the exchange-actor network or the RDF graph, with the "
    "exchanges kept by the filters, in one of these formats:\n\n" + _FORMAT_LIST,
    response_class=Response,
    responses={
        200: {
            "description": "The export, as an attachment with a file name.",
            "content": {split_media_type(f.media_type)[0]: {} for f in EXPORT_FORMATS.values()},
        },
        400: {"description": "An unknown format, view, date, state or mediator.", "content": _TEXT},
        503: {"description": "The server is busy, or the export ran too long.", "content": _TEXT},
    },
)
def export_graph(
    service: ServiceDep,
    format: Annotated[
        str, Path(description="The file format.", json_schema_extra=_enum(EXPORT_FORMATS))
    ],
    view: Annotated[
        str,
        Query(description="The network to write.", json_schema_extra=_enum(VIEWS)),
    ] = "actors",
    start: Annotated[
        str | None, Query(alias="from", description="Keep exchanges on or after this day.")
    ] = None,
    end: Annotated[
        str | None, Query(alias="to", description="Keep exchanges on or before this day.")
    ] = None,
    state: Annotated[
        list[str] | None,
        Query(
            description="Keep exchanges where this state released or received people "
            "(label, ISO 3166 code, Wikidata id or IRI); repeat for several."
        ),
    ] = None,
    mediator: Annotated[
        list[str] | None,
        Query(
            description="Keep exchanges where this actor played a third-party role; "
            "repeat for several (any of them)."
        ),
    ] = None,
    states_only: Annotated[
        bool,
        Query(
            description="Keep exchanges whose every party is a state (no armed group), as "
            "the named queries' states_only does."
        ),
    ] = False,
) -> Response:
    """The export as a download; runs its queries through the query workers."""
    try:
        filters = Filters.parse(start, end, state or (), mediator or (), states_only)
        content, media_type, file_name = export(service.engine, format, view, filters)
    except QueryError:
        raise  # the engine's own failures keep their status (busy, timed out)
    except SwapgraphError as error:
        # Everything else export raises is about the request's format, view or filters.
        raise BadRequest(str(error)) from None
    disposition = f'attachment; filename="{file_name}"'
    return Response(content, media_type=media_type, headers={"Content-Disposition": disposition})
