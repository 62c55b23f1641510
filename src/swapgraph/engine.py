"""Query engines behind one interface: pyoxigraph (default, fast) and rdflib (the reference).

Every engine answers SPARQL 1.1 queries over the same dataset, the project's ontology and
knowledge graph in the default graph, and returns results as rdflib terms, so that callers
(the CLI, the analytics, the HTTP API) never depend on which engine ran the query.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Identifier, Node

from swapgraph.errors import QueryError
from swapgraph.load import parse_files
from swapgraph.paths import Project

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

    def query(self, sparql: str, bindings: Mapping[str, Node] | None = None) -> QueryResult:
        """Run a SPARQL query, with variables pre-bound to RDF terms (never pasted as text).

        Raises:
            QueryError: If the query is malformed or fails.
        """
        ...


def select(engine: Engine, sparql: str, bindings: Mapping[str, Node] | None = None) -> list[Row]:
    """Run a SELECT query and return its rows; a convenience for analytics code.

    Raises:
        QueryError: If the query is not a SELECT query.
    """
    result = engine.query(sparql, bindings)
    if not isinstance(result, SelectResult):
        raise QueryError("expected a SELECT query")
    return result.rows


# --------------------------------------------------------------------------- pyoxigraph

_OX_FORMATS = {".ttl": ox.RdfFormat.TURTLE, ".trig": ox.RdfFormat.TRIG, ".nt": ox.RdfFormat.N_TRIPLES}


class OxigraphEngine:
    """An in-memory (or on-disk) pyoxigraph store holding the project's dataset."""

    name = "oxigraph"

    def __init__(self, store: ox.Store) -> None:
        self.store = store

    @classmethod
    def from_files(cls, files: Sequence[Path], path: Path | None = None) -> OxigraphEngine:
        """Load RDF files into a new store (on disk at ``path`` if given).

        The files are parsed by rdflib first only when Oxigraph cannot read their syntax.
        """
        store = ox.Store(str(path)) if path is not None else ox.Store()
        for file in files:
            fmt = _OX_FORMATS.get(file.suffix.lower())
            if fmt is None:
                data = parse_files([file]).serialize(format="nt")
                store.load(data.encode(), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.DefaultGraph())
            else:
                store.load(path=str(file), format=fmt, to_graph=ox.DefaultGraph())
        return cls(store)

    @classmethod
    def from_project(cls, project: Project) -> OxigraphEngine:
        """Load a project's ontology and knowledge graph."""
        return cls.from_files(project.data_files())

    def query(self, sparql: str, bindings: Mapping[str, Node] | None = None) -> QueryResult:
        """Run a SPARQL query on the store."""
        substitutions = {ox.Variable(k): to_oxigraph(v) for k, v in (bindings or {}).items()}
        try:
            result = self.store.query(sparql, substitutions=substitutions or None)
        except SyntaxError as error:
            raise QueryError(f"SPARQL syntax error: {error}") from None
        except (OSError, ValueError, RuntimeError) as error:
            raise QueryError(f"query failed: {error}") from None
        if isinstance(result, ox.QueryBoolean):
            return AskResult(bool(result))
        if isinstance(result, ox.QuerySolutions):
            names = [v.value for v in result.variables]
            rows = [
                {n: (from_oxigraph(s[n]) if s[n] is not None else None) for n in names}
                for s in result
            ]
            return SelectResult(names, rows)
        graph = Graph()
        for triple in result:
            graph.add((from_oxigraph(triple.subject), from_oxigraph(triple.predicate), from_oxigraph(triple.object)))  # type: ignore[arg-type]
        return GraphResult(graph)


def to_oxigraph(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """Convert an rdflib term to a pyoxigraph term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise QueryError(f"cannot bind {term!r}: not an IRI, blank node or literal")


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


# --------------------------------------------------------------------------- rdflib


class RdflibEngine:
    """rdflib's SPARQL engine over an in-memory graph: slow, but the reference."""

    name = "rdflib"

    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    @classmethod
    def from_project(cls, project: Project) -> RdflibEngine:
        """Load a project's ontology and knowledge graph."""
        return cls(parse_files(project.data_files()))

    def query(self, sparql: str, bindings: Mapping[str, Node] | None = None) -> QueryResult:
        """Run a SPARQL query on the graph."""
        try:
            result = self.graph.query(sparql, initBindings=dict(bindings or {}))
        except Exception as error:  # rdflib's parser raises pyparsing errors among others
            raise QueryError(f"query failed: {error}") from None
        if result.type == "ASK":
            return AskResult(bool(result.askAnswer))
        if result.type == "SELECT":
            names = [str(v) for v in result.vars or []]
            rows: list[Row] = [
                {n: row[i] for i, n in enumerate(names)}  # type: ignore[index]
                for row in result
            ]
            return SelectResult(names, rows)
        graph = Graph()
        for triple in result:
            graph.add(triple)  # type: ignore[arg-type]
        return GraphResult(graph)


def open_engine(project: Project, name: str = "oxigraph") -> Engine:
    """Open the engine called ``name`` over a project.

    Args:
        project: The graph project to load.
        name: ``oxigraph`` or ``rdflib``.

    Raises:
        QueryError: If the name is unknown.
    """
    if name == "oxigraph":
        return OxigraphEngine.from_project(project)
    if name == "rdflib":
        return RdflibEngine.from_project(project)
    raise QueryError(f"unknown engine {name!r} (expected oxigraph or rdflib)")
