"""What a query engine is asked and answers, whatever the engine: light enough for a worker.

A query's dataset chosen by the protocol, a result serialised in a media type, the media types
each kind of result can take, and a sink that stops a result at the size limit. The module
imports pyoxigraph and nothing heavier, so that a query worker on an Oxigraph store runs
without loading rdflib (see :mod:`swapgraph.oxigraph_engine`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, TypeAlias

import pyoxigraph as ox

from swapgraph import formats
from swapgraph.errors import NotAcceptable, QueryError, ResultTooLarge

if TYPE_CHECKING:
    from rdflib.term import Node

#: A term bound to a query's variable: rdflib's, or pyoxigraph's (what a query crosses to a
#: worker process in, which need not load rdflib to read it).
Binding: TypeAlias = "Node | ox.NamedNode | ox.BlankNode | ox.Literal"


@dataclass(frozen=True)
class QueryDataset:
    """An RDF dataset chosen by the SPARQL protocol (``default-graph-uri``/``named-graph-uri``).

    When given, it replaces the query's ``FROM``/``FROM NAMED`` and the service's default:
    the default graph is the merge of ``default_graphs`` (empty if none), and only
    ``named_graphs`` can be reached by ``GRAPH``. Graphs that the service does not hold are
    empty; nothing is ever fetched.
    """

    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Serialized:
    """A query result serialised for the wire."""

    media_type: str
    body: bytes


# The media types each kind of result can be written in, server's preference first.
SELECT_MEDIA_TYPES = formats.media_types(formats.RESULT_FORMATS)
ASK_MEDIA_TYPES = SELECT_MEDIA_TYPES[:2]
GRAPH_MEDIA_TYPES = formats.media_types(formats.GRAPH_FORMATS)
#: Every media type a query result can be written in.
ALL_MEDIA_TYPES = SELECT_MEDIA_TYPES + GRAPH_MEDIA_TYPES


def _not_acceptable(kind: str, offered: Sequence[str]) -> NotAcceptable:
    return NotAcceptable(
        f"cannot write the result of a {kind.upper()} query in any accepted media type; "
        f"available: {', '.join(offered)}"
    )


def too_large(limit: int) -> ResultTooLarge:
    """The error for a result over ``limit`` bytes."""
    return ResultTooLarge(
        f"the result is larger than this endpoint's limit of {limit} bytes; "
        "narrow the query or page through it with LIMIT and OFFSET"
    )


def choose_media_type(kind: str, accepted: Sequence[str]) -> str:
    """Pick the first of ``accepted`` that can carry a ``kind`` result.

    Args:
        kind: ``select``, ``ask`` or ``graph`` (CONSTRUCT and DESCRIBE).
        accepted: Media types in the client's order of preference.

    Raises:
        NotAcceptable: If none can.
    """
    offered = {"select": SELECT_MEDIA_TYPES, "ask": ASK_MEDIA_TYPES}.get(kind, GRAPH_MEDIA_TYPES)
    for media_type in accepted:
        if media_type in offered:
            return media_type
    raise _not_acceptable(kind, offered)


class _CappedBuffer:
    """A binary sink that refuses to grow past a limit, so a huge result stops early."""

    def __init__(self, limit: int | None) -> None:
        self.limit = limit
        self.chunks: list[bytes] = []
        self.size = 0

    def write(self, data: bytes) -> int:
        """Keep ``data``, or refuse it if the result would pass the limit.

        Raises:
            ResultTooLarge: If it would.
        """
        self.size += len(data)
        if self.limit is not None and self.size > self.limit:
            raise too_large(self.limit)
        self.chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        """Nothing to flush: the chunks are kept in memory."""

    def getvalue(self) -> bytes:
        """Everything written, in one piece."""
        return b"".join(self.chunks)


def check_size(body: bytes, limit: int | None) -> bytes:
    """Return ``body`` if it is within ``limit`` bytes (None: no limit).

    Raises:
        ResultTooLarge: If it is not.
    """
    if limit is not None and len(body) > limit:
        raise too_large(limit)
    return body


def shorten(message: str, limit: int = 240) -> str:
    """The first line of an engine's message, cut at ``limit`` characters."""
    first_line = message.splitlines()[0] if message else message
    return first_line if len(first_line) <= limit else first_line[:limit] + " …"


def serialize(
    result: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples,
    accepted: Sequence[str],
    max_bytes: int | None,
) -> Serialized:
    """Write a pyoxigraph result in the first of ``accepted`` that can carry its kind.

    Raises:
        NotAcceptable: If none can.
        ResultTooLarge: If it is longer than ``max_bytes``.
        QueryError: If evaluating or writing it fails (Oxigraph evaluates as it writes).
    """
    buffer = _CappedBuffer(max_bytes)
    output: IO[bytes] = buffer  # type: ignore[assignment]
    try:
        if isinstance(result, ox.QueryTriples):
            media_type = choose_media_type("graph", accepted)
            result.serialize(output, formats.graph_format(media_type))
        else:
            kind = "ask" if isinstance(result, ox.QueryBoolean) else "select"
            media_type = choose_media_type(kind, accepted)
            result.serialize(output, formats.result_format(media_type))
    except (OSError, ValueError, RuntimeError) as error:
        raise QueryError(f"query failed: {error}") from None
    return Serialized(media_type, buffer.getvalue())
