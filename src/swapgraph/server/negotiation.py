"""Content negotiation: which of the media types a resource offers a client accepts, in order."""

from __future__ import annotations

from collections.abc import Sequence

import pyoxigraph as ox
from fastapi import Request
from fastapi.responses import Response
from rdflib import Graph

from swapgraph import formats
from swapgraph.errors import NotAcceptable
from swapgraph.server.errors import BadFormat

#: The header of every negotiated response: caches keep one copy per ``Accept``.
VARY = {"Vary": "Accept"}
#: What a Linked Data description is written in: Turtle first, JSON-LD before the others.
LINKED_DATA_TYPES = formats.media_types(formats.LINKED_DATA_FORMATS)
#: What a resource with a page for people offers: Turtle first (a client naming no type
#: gets it), HTML for browsers, which list text/html first, then the other RDF syntaxes.
WITH_HTML = (LINKED_DATA_TYPES[0], formats.HTML, *LINKED_DATA_TYPES[1:])

# Clients that ask for plain JSON mean the JSON form of whatever the resource is.
_JSON_TYPES = formats.media_types((ox.QueryResultsFormat.JSON, ox.RdfFormat.JSON_LD))


def _parse_accept(header: str) -> list[tuple[str, float]]:
    ranges = []
    for part in header.split(","):
        media_range, *params = (piece.strip() for piece in part.split(";"))
        if not media_range:
            continue
        quality = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    quality = 0.0
        ranges.append((media_range.lower(), quality))
    return ranges


def _quality(media_type: str, ranges: list[tuple[str, float]]) -> float:
    # The most specific matching range decides (RFC 9110 §12.5.1).
    best: tuple[int, float] | None = None
    kind = media_type.split("/")[0]
    for media_range, quality in ranges:
        if media_range == media_type or (media_range == formats.JSON and media_type in _JSON_TYPES):
            specificity = 2
        elif media_range == f"{kind}/*":
            specificity = 1
        elif media_range == "*/*":
            specificity = 0
        else:
            continue
        if best is None or specificity > best[0]:
            best = (specificity, quality)
    return best[1] if best else 0.0


def _wanted_types(format_name: str) -> list[str]:
    wanted: list[str] = []
    for name in format_name.lower().split(","):
        name = name.strip()
        if "/" in name:
            wanted.append(name.split(";")[0].strip())
        else:
            wanted.extend(formats.FORMAT_ALIASES.get(name, ()))
    if not wanted:
        known = ", ".join(formats.FORMAT_ALIASES)
        raise BadFormat(f"unknown format {format_name[:100]!r} (expected one of {known})")
    return wanted


def acceptable(
    offered: Sequence[str], accept: str | None, format_name: str | None = None
) -> tuple[str, ...]:
    """Order the ``offered`` media types by the client's preference, dropping refused ones.

    Args:
        offered: Media types the resource can be written in, the server's preference first
            (it breaks ties, and decides alone when there is no ``Accept`` header).
        accept: The ``Accept`` header.
        format_name: A ``format`` parameter: short names or media types, comma-separated
            (clients such as SPARQLWrapper send several); when given it overrides ``Accept``.

    Returns:
        The acceptable media types, preferred first; empty if none is.

    Raises:
        BadFormat: If ``format_name`` names no known short name and no media type.
    """
    if format_name:
        wanted = _wanted_types(format_name)
        return tuple(dict.fromkeys(t for t in wanted if t in offered))
    if not accept or not accept.strip():
        return tuple(offered)
    ranges = _parse_accept(accept)
    scored = [(_quality(t, ranges), -i, t) for i, t in enumerate(offered)]
    return tuple(t for q, _, t in sorted(scored, reverse=True) if q > 0)


def negotiate(request: Request, offered: Sequence[str], what: str) -> str:
    """The media type to answer in, by the ``format`` parameter or ``Accept``.

    Raises:
        NotAcceptable: If the client accepts none of ``offered`` (``what`` names the
            resource in the message).
        BadFormat: If ``format`` names no known format.
    """
    accepted = acceptable(
        offered, request.headers.get("accept"), request.query_params.get("format")
    )
    if not accepted:
        raise NotAcceptable(f"{what} is written in {', '.join(offered)}")
    return accepted[0]


def graph_response(
    request: Request,
    graph: Graph,
    what: str,
    offered: Sequence[str] = LINKED_DATA_TYPES,
) -> Response:
    """``graph`` in the RDF syntax the client accepts of ``offered``; 406 if none."""
    return write_graph(graph, negotiate(request, offered, what))


def write_graph(graph: Graph, media_type: str) -> Response:
    """``graph`` written in ``media_type`` (one of :data:`swapgraph.formats.GRAPH_FORMATS`)."""
    return Response(formats.write_graph(graph, media_type), media_type=media_type, headers=VARY)


def html_response(html: str) -> Response:
    """A page for people: one of the negotiated forms of a resource, so it varies by Accept."""
    return Response(html, media_type=formats.HTML, headers=VARY)


def negotiated_responses(
    description: str, offered: Sequence[str] = WITH_HTML, missing: str | None = None
) -> dict[int | str, dict[str, object]]:
    """OpenAPI's answers of a negotiated resource: 200 in each ``offered`` type, 404, 406.

    Args:
        description: What a 200 answer is.
        offered: The media types it is written in.
        missing: What a 404 answer means, if the resource can be missing.
    """
    responses: dict[int | str, dict[str, object]] = {
        200: {"description": description, "content": {t: {} for t in offered}}
    }
    if missing is not None:
        responses[404] = {"description": missing}
    responses[406] = {"description": "No accepted media type."}
    return responses
