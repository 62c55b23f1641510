"""The RDF and query-result formats swapgraph reads and writes, on pyoxigraph's format objects.

pyoxigraph's :class:`~pyoxigraph.RdfFormat` and :class:`~pyoxigraph.QueryResultsFormat`
already know each format's media type, file extension and W3C IRI; this module chooses which
of them swapgraph offers, in its order of preference, and is the only place that maps a media
type to a format (for pyoxigraph, rdflib or a service description).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

import pyoxigraph as ox
from rdflib import Graph

from swapgraph.errors import SwapgraphError

#: Graph (CONSTRUCT, DESCRIBE, Linked Data) syntaxes, the server's preference first.
GRAPH_FORMATS: tuple[ox.RdfFormat, ...] = (
    ox.RdfFormat.TURTLE,
    ox.RdfFormat.N_TRIPLES,
    ox.RdfFormat.JSON_LD,
    ox.RdfFormat.RDF_XML,
)
#: The same for Linked Data descriptions: JSON-LD, which web developers read, comes second.
LINKED_DATA_FORMATS: tuple[ox.RdfFormat, ...] = (
    ox.RdfFormat.TURTLE,
    ox.RdfFormat.JSON_LD,
    ox.RdfFormat.N_TRIPLES,
    ox.RdfFormat.RDF_XML,
)
#: SELECT result syntaxes, the server's preference first; ASK uses the first two.
RESULT_FORMATS: tuple[ox.QueryResultsFormat, ...] = (
    ox.QueryResultsFormat.JSON,
    ox.QueryResultsFormat.XML,
    ox.QueryResultsFormat.CSV,
    ox.QueryResultsFormat.TSV,
)
#: Every format a query result can be written in.
ALL_FORMATS: tuple[ox.QueryResultsFormat | ox.RdfFormat, ...] = (*RESULT_FORMATS, *GRAPH_FORMATS)
# pyoxigraph names JSON-LD by a newer IRI than the one in the W3C's formats namespace, which
# service descriptions use for every other format.
_W3C_IRI = {ox.RdfFormat.JSON_LD: "http://www.w3.org/ns/formats/JSON-LD"}


_Format = TypeVar("_Format", ox.RdfFormat, ox.QueryResultsFormat)


class UnknownFormat(SwapgraphError):
    """A media type names no format swapgraph writes."""


def media_type(format_: ox.RdfFormat | ox.QueryResultsFormat) -> str:
    """The format's media type without parameters (pyoxigraph adds ``charset`` to CSV)."""
    return split_media_type(format_.media_type)[0]


def media_types(formats: Iterable[ox.RdfFormat | ox.QueryResultsFormat]) -> tuple[str, ...]:
    """The media types of ``formats``, in their order."""
    return tuple(media_type(f) for f in formats)


def split_media_type(header: str) -> tuple[str, dict[str, str]]:
    """A ``Content-Type`` value as its lower-case media type and its parameters.

    Parameter names are lower-cased; quotes around values are dropped.
    """
    essence, *pieces = header.split(";")
    parameters: dict[str, str] = {}
    for piece in pieces:
        key, _, value = piece.partition("=")
        if key.strip():
            parameters[key.strip().lower()] = value.strip().strip('"')
    return essence.strip().lower(), parameters


def graph_format(media_type_: str) -> ox.RdfFormat:
    """The graph format written in ``media_type_``.

    Raises:
        UnknownFormat: If it is none of :data:`GRAPH_FORMATS`.
    """
    return _known(ox.RdfFormat.from_media_type(media_type_), GRAPH_FORMATS, media_type_)


def result_format(media_type_: str) -> ox.QueryResultsFormat:
    """The query-result format written in ``media_type_``.

    Raises:
        UnknownFormat: If it is none of :data:`RESULT_FORMATS`.
    """
    return _known(ox.QueryResultsFormat.from_media_type(media_type_), RESULT_FORMATS, media_type_)


def _known(found: _Format | None, offered: tuple[_Format, ...], asked: str) -> _Format:
    if found is None or found not in offered:
        raise UnknownFormat(f"{asked} is not one of {', '.join(media_types(offered))}")
    return found


def rdflib_name(media_type_: str) -> str:
    """The name of rdflib's writer for ``media_type_``.

    rdflib registers its graph writers and most result writers under their media types;
    its TSV result writer only under ``tsv``.
    """
    if media_type_ == media_type(ox.QueryResultsFormat.TSV):
        return "tsv"
    return media_type_


def format_iri(format_: ox.RdfFormat | ox.QueryResultsFormat) -> str:
    """The format's IRI in the W3C's formats namespace (for ``sd:resultFormat``)."""
    return _W3C_IRI.get(format_, format_.iri) if isinstance(format_, ox.RdfFormat) else format_.iri


def write_graph(graph: Graph, media_type_: str) -> bytes:
    """``graph`` serialised by rdflib in ``media_type_``, one of :data:`GRAPH_FORMATS`."""
    graph_format(media_type_)
    data: bytes = graph.serialize(format=rdflib_name(media_type_), encoding="utf-8")
    return data
