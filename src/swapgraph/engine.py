"""Query engines behind one interface: pyoxigraph (default), rdflib (the reference), remote.

Every engine answers SPARQL 1.1 queries over the same dataset, the project's ontology and
knowledge graph in the default graph (plus, for a server, any extra named graphs), and
returns results as rdflib terms, so that callers (the CLI, the analytics, the HTTP API)
never depend on which engine ran the query. For the HTTP API every engine can also answer
with the serialised bytes of a result in a negotiated media type, which lets pyoxigraph and
a remote endpoint produce them without building Python objects per row.

Every engine is read-only and closed: updates and ``SERVICE`` are refused before the engine
sees the text, and ``FROM`` / ``FROM NAMED`` / dataset parameters only select graphs already
loaded (for rdflib, :mod:`swapgraph.rdflib_sparql` sees to it).

The pyoxigraph engine lives in :mod:`swapgraph.oxigraph_engine`, the rdflib engine in
:mod:`swapgraph.rdflib_engine`, and what a query is asked and answers in
:mod:`swapgraph.answer`, so that a process imports only the engine it runs: a query worker
on Oxigraph does without rdflib, and the server without rdflib's SPARQL. This module
exports the Oxigraph engine too, and adds the result types in rdflib terms and the remote
engine.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Identifier

from swapgraph import formats

# Imported here too (as X as X) for the modules that still import them from the engine.
from swapgraph.answer import ALL_MEDIA_TYPES as ALL_MEDIA_TYPES
from swapgraph.answer import ASK_MEDIA_TYPES as ASK_MEDIA_TYPES
from swapgraph.answer import GRAPH_MEDIA_TYPES as GRAPH_MEDIA_TYPES
from swapgraph.answer import SELECT_MEDIA_TYPES as SELECT_MEDIA_TYPES
from swapgraph.answer import Binding as Binding
from swapgraph.answer import QueryDataset as QueryDataset
from swapgraph.answer import Serialized as Serialized
from swapgraph.answer import check_size, serialize, shorten
from swapgraph.answer import choose_media_type as choose_media_type
from swapgraph.errors import NotAcceptable as NotAcceptable
from swapgraph.errors import QueryError, QueryTimeout
from swapgraph.errors import QuerySyntaxError as QuerySyntaxError
from swapgraph.errors import ResultTooLarge as ResultTooLarge
from swapgraph.oxigraph_engine import OxigraphEngine as OxigraphEngine
from swapgraph.oxigraph_engine import on_view as on_view
from swapgraph.oxigraph_engine import to_oxigraph as to_oxigraph
from swapgraph.paths import Project
from swapgraph.query_text import (
    add_values_block,
    check_read_only_query,
    declare_default_prefixes,
    describe_syntax_error,
)
from swapgraph.settings import engine_kind

if TYPE_CHECKING:
    # Imported where a remote engine is made: a server on its own data does without (5 MiB).
    import httpx

log = logging.getLogger("swapgraph.engine")

#: A row of a SELECT result: variable name to term, ``None`` where unbound.
Row = dict[str, Identifier | None]


@dataclass
class SelectResult:
    """The answer to a SELECT query."""

    variables: list[str]
    rows: list[Row] = field(default_factory=list)


@dataclass
class AskResult:
    """The answer to an ASK query."""

    value: bool


@dataclass
class GraphResult:
    """The answer to a CONSTRUCT or DESCRIBE query."""

    graph: Graph


QueryResult = SelectResult | AskResult | GraphResult


class Engine(Protocol):
    """What every query engine offers."""

    name: str

    def query(
        self,
        sparql: str,
        bindings: Mapping[str, Binding] | None = None,
        dataset: QueryDataset | None = None,
    ) -> QueryResult:
        """Run a SPARQL query, with variables pre-bound to RDF terms (never pasted as text).

        Raises:
            QuerySyntaxError: If the query is malformed.
            QueryRefused: If the text is an update or calls another service.
            QueryError: If the query fails.
        """
        ...

    def query_serialized(
        self,
        sparql: str,
        accepted: Sequence[str],
        bindings: Mapping[str, Binding] | None = None,
        dataset: QueryDataset | None = None,
        max_bytes: int | None = None,
        base_iri: str | None = None,
    ) -> Serialized:
        """Run a query and serialise its result in the first fitting ``accepted`` media type.

        Raises:
            NotAcceptable: If no accepted media type fits the result's kind.
            ResultTooLarge: If the result is longer than ``max_bytes``.

        ``base_iri`` resolves relative IRIs in the query (a service's endpoint URL).
        """
        ...


def select(engine: Engine, sparql: str, bindings: Mapping[str, Binding] | None = None) -> list[Row]:
    """Run a SELECT query and return its rows; a convenience for analytics code.

    Raises:
        QueryError: If the query is not a SELECT query.
    """
    result = engine.query(sparql, bindings)
    if not isinstance(result, SelectResult):
        raise QueryError("expected a SELECT query")
    return result.rows


# --------------------------------------------------------------------------- pyoxigraph


def _serialized_terms(bindings: Mapping[str, Binding] | None) -> dict[str, str]:
    # Terms in N-Triples syntax, written by pyoxigraph: a value can never close the block.
    terms = {}
    for name, term in (bindings or {}).items():
        written = to_oxigraph(term)
        if isinstance(written, ox.BlankNode):
            raise QueryError(f"cannot bind ?{name} to a blank node")
        terms[name] = str(written)
    return terms


def from_oxigraph_result(
    result: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples,
) -> QueryResult:
    """A pyoxigraph query result as this module's result types, in rdflib terms."""
    if isinstance(result, ox.QueryBoolean):
        return AskResult(bool(result))
    if isinstance(result, ox.QuerySolutions):
        names = [v.value for v in result.variables]
        rows = [
            {n: (from_oxigraph(s[n]) if s[n] is not None else None) for n in names} for s in result
        ]
        return SelectResult(names, rows)
    graph = Graph()
    for triple in result:
        subject, predicate, obj = (from_oxigraph(t) for t in triple)
        graph.add((subject, predicate, obj))
    return GraphResult(graph)


def to_rdflib(term: Binding) -> Identifier:
    """Convert a pyoxigraph term to an rdflib term (an rdflib term is kept as it is)."""
    if isinstance(term, ox.NamedNode | ox.BlankNode | ox.Literal):
        return from_oxigraph(term)
    if not isinstance(term, Identifier):
        raise QueryError(f"cannot bind {term!r}: not an IRI, blank node or literal")
    return term


def from_oxigraph(term: object) -> Identifier:
    """Convert a pyoxigraph term to an rdflib term."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise QueryError(f"unsupported term in result: {term!r}")


# --------------------------------------------------------------------------- remote

#: Result formats that keep every RDF term, to read answers back (:func:`parse_serialized`).
TERM_MEDIA_TYPES = formats.media_types((ox.QueryResultsFormat.JSON, ox.RdfFormat.N_TRIPLES))


class RemoteEngine:
    """Any SPARQL 1.1 endpoint over HTTP (Oxigraph server, Fuseki, GraphDB, Virtuoso …).

    Queries are checked here (read-only, no ``SERVICE``) before they leave; parameters are
    bound by a ``VALUES`` block of terms written by pyoxigraph, never by pasting input.
    """

    name = "remote"

    def __init__(self, url: str, timeout: float = 30.0) -> None:
        import httpx

        self.url = url
        self.timeout = timeout
        self.client = httpx.Client(timeout=timeout, follow_redirects=False)

    def _post(
        self,
        sparql: str,
        accepted: Sequence[str],
        bindings: Mapping[str, Binding] | None,
        dataset: QueryDataset | None,
        base_iri: str | None = None,
    ) -> httpx.Response:
        base = f"BASE <{base_iri}> " if base_iri is not None else ""
        check_read_only_query(sparql)
        # The endpoint knows none of the default prefixes: declare those the query uses, on
        # its first line, and place an error it reports back in the text as written.
        sparql, added = declare_default_prefixes(sparql)
        added += len(base)
        sparql = add_values_block(base + sparql, _serialized_terms(bindings))
        form: list[tuple[str, str]] = [("query", sparql)]
        if dataset is not None:
            form += [("default-graph-uri", iri) for iri in dataset.default_graphs]
            form += [("named-graph-uri", iri) for iri in dataset.named_graphs]
        accept = ", ".join(
            f"{media_type};q={max(1.0 - i * 0.05, 0.1):.2f}"
            for i, media_type in enumerate(accepted)
        )
        import httpx  # loaded already: the client is one

        try:
            response = self.client.post(
                self.url, data=dict(_group(form)), headers={"Accept": accept}
            )
        except httpx.TimeoutException:
            raise QueryTimeout(f"{self.url} did not answer within {self.timeout:g} s") from None
        except httpx.HTTPError as error:
            raise QueryError(f"{self.url}: {error}") from None
        if response.status_code == 400:
            message = describe_syntax_error(shorten(response.text.strip()), added)
            raise QuerySyntaxError(f"{self.url} rejected the query: {message}")
        if response.status_code >= 300:
            raise QueryError(
                f"{self.url} answered {response.status_code}: {response.text.strip()[:500]}"
            )
        return response

    def query(
        self,
        sparql: str,
        bindings: Mapping[str, Binding] | None = None,
        dataset: QueryDataset | None = None,
    ) -> QueryResult:
        """Run a query on the endpoint and parse its answer into rdflib terms.

        A parameter's column holds the term bound (see :func:`_as_bound`), and booleans are
        read in their canonical form, whatever form the endpoint wrote them in.
        """
        response = self._post(sparql, TERM_MEDIA_TYPES, bindings, dataset)
        result = parse_serialized(Serialized(_media_type(response), response.content), self.url)
        return _as_bound(result, bindings) if isinstance(result, SelectResult) else result

    def query_serialized(
        self,
        sparql: str,
        accepted: Sequence[str],
        bindings: Mapping[str, Binding] | None = None,
        dataset: QueryDataset | None = None,
        max_bytes: int | None = None,
        base_iri: str | None = None,
    ) -> Serialized:
        """Run a query on the endpoint; pass its answer through when it is acceptable.

        With ``bindings``, the answer is read and written again instead, so that it holds
        what :meth:`query` gives (the terms bound, booleans in their canonical form).
        """
        if bindings:
            return self._rewritten(sparql, accepted, bindings, dataset, max_bytes, base_iri)
        response = self._post(sparql, accepted, bindings, dataset, base_iri)
        media_type = _media_type(response)
        if media_type in accepted:
            return Serialized(media_type, check_size(response.content, max_bytes))
        # The endpoint ignored Accept: convert.
        return serialize(
            _parse_oxigraph(media_type, response.content, self.url), accepted, max_bytes
        )

    def _rewritten(
        self,
        sparql: str,
        accepted: Sequence[str],
        bindings: Mapping[str, Binding],
        dataset: QueryDataset | None,
        max_bytes: int | None,
        base_iri: str | None,
    ) -> Serialized:
        response = self._post(sparql, TERM_MEDIA_TYPES, bindings, dataset, base_iri)
        answer = Serialized(_media_type(response), response.content)
        parsed = _parse_oxigraph(answer.media_type, answer.body, self.url)
        if isinstance(parsed, ox.QueryTriples):
            return serialize(parsed, accepted, max_bytes)
        result = from_oxigraph_result(parsed)
        if isinstance(result, SelectResult):
            from swapgraph.results import to_json  # results builds on this module

            body = to_json(_as_bound(result, bindings))
        else:
            body = {"head": {}, "boolean": isinstance(result, AskResult) and result.value}
        rewritten = ox.parse_query_results(json.dumps(body).encode(), ox.QueryResultsFormat.JSON)
        return serialize(rewritten, accepted, max_bytes)


def _as_bound(result: SelectResult, bindings: Mapping[str, Binding] | None) -> SelectResult:
    """Give a bound variable's column the term bound to it, and booleans their canonical form.

    The ``VALUES`` block that binds the parameters joins every solution of the query, so a
    projected parameter holds exactly the term bound; but an endpoint may write that term
    back in another form: Virtuoso 7.2 stores booleans as integers and answers ``true`` as
    ``"1"^^xsd:integer`` (and a computed boolean as ``"1"^^xsd:boolean``).
    """
    bound = {
        name: to_rdflib(term) for name, term in (bindings or {}).items() if name in result.variables
    }
    for row in result.rows:
        for name, term in row.items():
            if term is None:
                continue
            if name in bound:
                row[name] = bound[name]
            elif isinstance(term, Literal) and term.datatype == _XSD_BOOLEAN:
                lexical = str(term)
                if lexical in ("1", "0"):
                    row[name] = Literal(lexical == "1", datatype=_XSD_BOOLEAN)
    return result


_XSD_BOOLEAN = URIRef("http://www.w3.org/2001/XMLSchema#boolean")


def _group(pairs: Sequence[tuple[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for key, value in pairs:
        grouped.setdefault(key, []).append(value)
    return grouped


def _media_type(response: httpx.Response) -> str:
    return formats.split_media_type(response.headers.get("content-type", ""))[0]


def parse_serialized(answer: Serialized, origin: str) -> QueryResult:
    """Read a serialised query result back into rdflib terms.

    Args:
        answer: The result, in one of :data:`ALL_MEDIA_TYPES`.
        origin: Who wrote it, for error messages.

    Raises:
        QueryError: If the body cannot be read as its media type.
    """
    return from_oxigraph_result(_parse_oxigraph(answer.media_type, answer.body, origin))


def _parse_oxigraph(
    media_type: str, body: bytes, origin: str
) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
    try:
        if media_type in SELECT_MEDIA_TYPES:
            return ox.parse_query_results(body, formats.result_format(media_type))
        if media_type in GRAPH_MEDIA_TYPES:
            store = ox.Store()
            store.load(body, formats.graph_format(media_type))
            return store.query("CONSTRUCT WHERE { ?s ?p ?o }")
    except (SyntaxError, ValueError) as error:
        raise QueryError(f"cannot read the answer of {origin}: {error}") from None
    raise QueryError(f"{origin} answered in an unexpected media type {media_type!r}")


def open_engine(
    project: Project, name: str = "oxigraph", timeout: float = 30.0, cached: bool = False
) -> Engine:
    """Open the engine called ``name`` over a project.

    Args:
        project: The graph project to load.
        name: ``oxigraph``, ``rdflib``, or the ``http(s)://`` URL of a SPARQL endpoint
            that already holds the project's data.
        timeout: For a remote endpoint, seconds to wait for an answer.
        cached: For Oxigraph, reuse (or build) the on-disk store of the project's cache
            folder, for short-lived commands on large projects.

    Raises:
        QueryError: If the name is unknown.
    """
    kind = engine_kind(name)
    if kind == "remote":
        return RemoteEngine(name, timeout)
    if kind == "rdflib":
        from swapgraph.rdflib_engine import RdflibEngine  # its SPARQL: 8 MiB, not for a server

        return RdflibEngine.from_project(project)
    if cached:
        return OxigraphEngine.from_project_cache(project)
    return OxigraphEngine.from_project(project)
