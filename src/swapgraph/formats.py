"""The RDF and query-result formats swapgraph reads and writes, on pyoxigraph's format objects.

pyoxigraph's :class:`~pyoxigraph.RdfFormat` and :class:`~pyoxigraph.QueryResultsFormat`
already know each format's media type, file extension and W3C IRI; this module chooses which
of them swapgraph offers, in its order of preference, and is the only place that maps a media
type to a format (for pyoxigraph, rdflib or a service description), a short ``format`` name to
a media type, or a file suffix to a media type: the exports for graph tools, the release dumps,
the web page's static files and the validation reports take their media types from here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

import pyoxigraph as ox

from swapgraph.errors import UnknownFormat

if TYPE_CHECKING:  # rdflib is not imported for a store's build (see oxigraph_load)
    from rdflib import Graph

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

#: Media types that are no RDF or query-result format.
HTML = "text/html"
JSON = "application/json"
PLAIN_TEXT = "text/plain"
#: The sitemap protocol's files.
XML = "application/xml"
#: The media types the server names most: its default RDF syntax and its JSON one.
TURTLE = "text/turtle"
JSON_LD = "application/ld+json"
#: The tables a spreadsheet opens (without pyoxigraph's ``charset`` parameter).
CSV = "text/csv"
TSV = "text/tab-separated-values"
#: What the server answers a file of unknown type with.
OCTET_STREAM = "application/octet-stream"

#: Short names for the ``format`` parameter of each format; the first one is what links use.
#: ``json`` and ``xml`` name a result and a graph format: the resource decides which.
_NAMES: dict[ox.RdfFormat | ox.QueryResultsFormat, tuple[str, ...]] = {
    ox.QueryResultsFormat.JSON: ("json",),
    ox.QueryResultsFormat.XML: ("xml",),
    ox.QueryResultsFormat.CSV: ("csv",),
    ox.QueryResultsFormat.TSV: ("tsv",),
    # Turtle is N3 without N3's extensions: an N3 reader reads it (SPARQLWrapper asks "n3").
    ox.RdfFormat.TURTLE: ("turtle", "ttl", "n3"),
    ox.RdfFormat.N_TRIPLES: ("nt", "ntriples", "n-triples"),
    ox.RdfFormat.JSON_LD: ("jsonld", "json-ld", "json"),
    ox.RdfFormat.RDF_XML: ("rdfxml", "rdf", "rdf+xml", "xml"),
}


_Format = TypeVar("_Format", ox.RdfFormat, ox.QueryResultsFormat)


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


def format_iri(format_: ox.RdfFormat | ox.QueryResultsFormat) -> str:
    """The format's IRI in the W3C's formats namespace (for ``sd:resultFormat``)."""
    return _W3C_IRI.get(format_, format_.iri) if isinstance(format_, ox.RdfFormat) else format_.iri


def write_graph(graph: Graph, media_type_: str) -> bytes:
    """``graph`` serialised by rdflib in ``media_type_``, one of :data:`GRAPH_FORMATS`."""
    graph_format(media_type_)
    data: bytes = graph.serialize(format=media_type_, encoding="utf-8")
    return data


def format_name(format_: ox.RdfFormat | ox.QueryResultsFormat) -> str:
    """The short name that asks for ``format_`` in a ``format`` parameter (``turtle``, ``nt``)."""
    return _NAMES[format_][0]


def suffix(format_: ox.RdfFormat | ox.QueryResultsFormat) -> str:
    """The file name suffix of ``format_``, with its dot (``.ttl``)."""
    return "." + format_.file_extension


def suffix_types(formats: Iterable[ox.RdfFormat | ox.QueryResultsFormat]) -> dict[str, str]:
    """The media type of each of ``formats`` by its file name suffix (``{".nt": ...}``)."""
    return {suffix(f): media_type(f) for f in formats}


def _aliases() -> dict[str, tuple[str, ...]]:
    aliases: dict[str, tuple[str, ...]] = {}
    for format_, names in _NAMES.items():
        for name in names:
            aliases[name] = (*aliases.get(name, ()), media_type(format_))
    aliases["html"] = (HTML,)
    return aliases


#: Short names for the ``format`` parameter: the media types each one stands for, a query
#: result's before a graph's.
FORMAT_ALIASES: dict[str, tuple[str, ...]] = _aliases()

#: What a validation report is written in: JSON, or the SHACL report graph in Turtle.
REPORT_TYPES: tuple[str, ...] = (JSON, TURTLE)

#: The syntaxes of a release's dumps (one file each), by file name suffix.
DUMP_TYPES: dict[str, str] = suffix_types(
    (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.TRIG, ox.RdfFormat.JSON_LD)
)
#: Every file of a release: the dumps, the checksum list and the DCAT catalogue.
RELEASE_FILE_TYPES: dict[str, str] = {
    **DUMP_TYPES,
    ".sha256": PLAIN_TEXT,
    ".dcat.ttl": TURTLE,
}
#: The files the web page loads from ``static/``, by suffix; other suffixes are not served.
STATIC_TYPES: dict[str, str] = {
    ".css": "text/css",
    ".js": "text/javascript",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}
#: The syntaxes a project's data files are read in by pyoxigraph (rdflib reads the others).
_OXIGRAPH_READS = (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.N_TRIPLES)


def oxigraph_reads(file_suffix: str) -> ox.RdfFormat | None:
    """The format pyoxigraph reads a data file with ``file_suffix`` in, if it reads it."""
    found = ox.RdfFormat.from_extension(file_suffix.lower().removeprefix("."))
    return found if found in _OXIGRAPH_READS else None


@dataclass(frozen=True)
class ExportFormat:
    """An export format: its name on the command line and in URLs, media type and suffix."""

    name: str
    media_type: str
    suffix: str
    #: Whether it writes the RDF triples rather than a view for graph tools.
    rdf: bool = False


def _rdf_export(name: str, format_: ox.RdfFormat) -> ExportFormat:
    return ExportFormat(name, media_type(format_), format_.file_extension, rdf=True)


#: The views ``export`` writes (:mod:`swapgraph.views` builds them). Named here, with the
#: other choices of the command line, so that building its parser imports no view code.
EXPORT_VIEWS = ("actors", "exchanges", "rdf")
#: The formats ``query`` writes its results in (:func:`swapgraph.results.render`).
QUERY_OUTPUT_FORMATS = ("table", "csv", "tsv", "json")
#: The formats ``stats`` writes its tables in (:func:`swapgraph.stats.render`).
STATS_FORMATS = ("table", "csv", "json")

# Node and edge tables are CSV as RFC 4180 has it, which is what SPARQL's CSV results are.
_CSV = ox.QueryResultsFormat.CSV.media_type
#: The formats ``export`` writes, by name: views for graph tools, then the RDF syntaxes.
EXPORT_FORMATS: dict[str, ExportFormat] = {
    f.name: f
    for f in (
        ExportFormat("graphml", "application/graphml+xml", "graphml"),
        ExportFormat("gexf", "application/gexf+xml", "gexf"),
        ExportFormat("cytoscape", JSON, "cyjs"),
        ExportFormat("dot", "text/vnd.graphviz", "dot"),
        ExportFormat("nodes-csv", _CSV, "nodes.csv"),
        ExportFormat("edges-csv", _CSV, "edges.csv"),
        _rdf_export("turtle", ox.RdfFormat.TURTLE),
        _rdf_export("ntriples", ox.RdfFormat.N_TRIPLES),
        _rdf_export("jsonld", ox.RdfFormat.JSON_LD),
    )
}
