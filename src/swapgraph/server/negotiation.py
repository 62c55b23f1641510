"""Content negotiation: which of the media types a resource offers a client accepts, in order."""

from __future__ import annotations

from collections.abc import Sequence

from swapgraph.errors import SwapgraphError

#: Short names for the ``format`` parameter; a name may stand for a result and a graph type.
FORMAT_ALIASES: dict[str, tuple[str, ...]] = {
    "json": ("application/sparql-results+json", "application/ld+json"),
    "xml": ("application/sparql-results+xml", "application/rdf+xml"),
    "csv": ("text/csv",),
    "tsv": ("text/tab-separated-values",),
    "turtle": ("text/turtle",),
    "ttl": ("text/turtle",),
    "nt": ("application/n-triples",),
    "ntriples": ("application/n-triples",),
    "n-triples": ("application/n-triples",),
    "jsonld": ("application/ld+json",),
    "json-ld": ("application/ld+json",),
    "rdfxml": ("application/rdf+xml",),
    "rdf": ("application/rdf+xml",),
    "rdf+xml": ("application/rdf+xml",),
    # Turtle is N3 without N3's extensions: an N3 reader reads it (SPARQLWrapper asks "n3").
    "n3": ("text/turtle",),
    "html": ("text/html",),
}
# Clients that ask for plain JSON mean the JSON form of whatever the resource is.
_JSON_TYPES = ("application/sparql-results+json", "application/ld+json")


class BadFormat(SwapgraphError):
    """A ``format`` parameter names no known format."""


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
        if media_range == media_type or (
            media_range == "application/json" and media_type in _JSON_TYPES
        ):
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
            wanted.extend(FORMAT_ALIASES.get(name, ()))
    if not wanted:
        known = ", ".join(FORMAT_ALIASES)
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
