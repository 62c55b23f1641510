"""rdflib's SPARQL engine over an in-memory dataset: slow, but the reference.

A module of its own so that a process that never runs rdflib's SPARQL (the server, whose
queries run in workers on Oxigraph) does not import it: 8 MiB for the life of the process.
Importing it configures rdflib's SPARQL as :mod:`swapgraph.rdflib_sparql` describes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path

import pyoxigraph as ox
from pyparsing import ParseException
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.plugins.sparql.sparql import Query
from rdflib.query import Result
from rdflib.term import Identifier

from swapgraph import daily_totals, formats, rdflib_sparql
from swapgraph.answer import Binding, QueryDataset, Serialized, check_size, choose_media_type
from swapgraph.engine import (
    AskResult,
    GraphResult,
    QueryResult,
    Row,
    SelectResult,
    to_rdflib,
)
from swapgraph.errors import LimitExceeded, QueryError, QuerySyntaxError
from swapgraph.load import parse_file
from swapgraph.oxigraph_engine import on_view
from swapgraph.paths import Project
from swapgraph.query_text import DEFAULT_PREFIXES, check_read_only_query, describe_syntax_error

rdflib_sparql.configure()


class RdflibEngine:
    """rdflib's SPARQL engine over an in-memory dataset: slow, but the reference."""

    name = "rdflib"

    def __init__(self, dataset: Dataset) -> None:
        self.dataset = dataset

    @property
    def graph(self) -> Graph:
        """The default graph: the project's ontology and knowledge graph."""
        graph: Graph = self.dataset.default_graph
        return graph

    @classmethod
    def from_files(
        cls, files: Sequence[Path], named_graphs: Mapping[str, Path] | None = None
    ) -> RdflibEngine:
        """Load RDF files into the default graph, and others as named graphs."""
        dataset = Dataset(default_union=False)
        for file in files:
            parse_file(file, dataset.default_graph)
        for iri, file in (named_graphs or {}).items():
            parse_file(file, dataset.graph(URIRef(iri)))
        engine = cls(dataset)
        engine._add_daily_totals()
        return engine

    def _add_daily_totals(self) -> None:
        """Compute the view of :mod:`swapgraph.daily_totals` into its named graph."""
        result = self.query(daily_totals.PER_DAY_QUERY)
        assert isinstance(result, SelectResult)
        per_day: list[daily_totals.PerDay] = []
        states: dict[str, Identifier] = {}
        for row in result.rows:
            state, day, returned = row["state"], row["date"], row["returned"]
            if not (isinstance(day, Literal) and isinstance(returned, Literal) and state):
                return
            states[str(state)] = state
            per_day.append(
                (str(state), str(day), str(day.datatype), str(returned), str(returned.datatype))
            )
        view = self.dataset.graph(URIRef(daily_totals.GRAPH))
        subjects: defaultdict[int, BNode] = defaultdict(BNode)
        for index, name, value, datatype in daily_totals.view_statements(per_day):
            term = states[value] if datatype is None else Literal(value, datatype=URIRef(datatype))
            view.add((subjects[index], URIRef(daily_totals.VIEW + name), term))

    @classmethod
    def from_project(cls, project: Project) -> RdflibEngine:
        """Load a project's ontology and knowledge graph."""
        return cls.from_files(project.data_files())

    def has_daily_totals(self) -> bool:
        """Tell whether the dataset holds the view of :mod:`swapgraph.daily_totals`."""
        # A Graph over the store reads the named graph without adding it to the dataset.
        view = Graph(self.dataset.store, identifier=URIRef(daily_totals.GRAPH))
        return (None, URIRef(daily_totals.VIEW + "state"), None) in view

    def _run(
        self,
        sparql: str,
        bindings: Mapping[str, Binding] | None,
        dataset: QueryDataset | None,
        base_iri: str | None = None,
    ) -> Result:
        check_read_only_query(sparql)
        sparql = on_view(sparql, dataset, self.has_daily_totals)
        try:
            parsed = parseQuery(sparql)
        except ParseException as error:
            raise QuerySyntaxError(
                describe_syntax_error(f"at {error.lineno}:{error.col}: {error.msg}")
            ) from None
        except RecursionError:
            raise _too_deep_for_rdflib() from None
        try:
            query = translateQuery(parsed, base=base_iri, initNs=DEFAULT_PREFIXES)
            if dataset is not None:
                _replace_dataset(query, dataset)
            initial = {name: to_rdflib(term) for name, term in (bindings or {}).items()}
            return self.dataset.query(query, initBindings=initial)
        except RecursionError:
            raise _too_deep_for_rdflib() from None
        except Exception as error:  # rdflib raises many types while evaluating
            raise QueryError(f"query failed: {error}") from None

    def query(
        self,
        sparql: str,
        bindings: Mapping[str, Binding] | None = None,
        dataset: QueryDataset | None = None,
    ) -> QueryResult:
        """Run a SPARQL query on the dataset."""
        return _from_rdflib_result(self._run(sparql, bindings, dataset))

    def query_serialized(
        self,
        sparql: str,
        accepted: Sequence[str],
        bindings: Mapping[str, Binding] | None = None,
        dataset: QueryDataset | None = None,
        max_bytes: int | None = None,
        base_iri: str | None = None,
    ) -> Serialized:
        """Run a query and serialise its result with rdflib's writers."""
        result = self._run(sparql, bindings, dataset, base_iri)
        kind = {"ASK": "ask", "SELECT": "select"}.get(result.type, "graph")
        media_type = choose_media_type(kind, accepted)
        try:
            if kind == "graph":
                assert result.graph is not None
                body: bytes | None = result.graph.serialize(format=media_type, encoding="utf-8")
            elif media_type == formats.media_type(ox.QueryResultsFormat.TSV):
                # rdflib registers its writers under their media types, but has no writer
                # for SPARQL TSV (only a reader): ours writes it.
                from swapgraph.results import to_tsv  # results builds on this module

                selected = _from_rdflib_result(result)
                assert isinstance(selected, SelectResult)
                body = to_tsv(selected).encode("utf-8")
            else:
                body = result.serialize(format=media_type, encoding="utf-8")
        except Exception as error:  # a writer failing on an unusual term
            raise QueryError(f"cannot write the result as {media_type}: {error}") from None
        return Serialized(media_type, check_size(body or b"", max_bytes))


def _from_rdflib_result(result: Result) -> QueryResult:
    """An rdflib query result as this module's result types."""
    if result.type == "ASK":
        return AskResult(bool(result.askAnswer))
    if result.type == "SELECT":
        names = [str(v) for v in result.vars or []]
        rows: list[Row] = [
            {n: row[i] for i, n in enumerate(names)}  # type: ignore[index, misc]
            for row in result
        ]
        return SelectResult(names, rows)
    graph = Graph()
    for triple in result:
        graph.add(triple)  # type: ignore[arg-type]
    return GraphResult(graph)


def _too_deep_for_rdflib() -> LimitExceeded:
    # rdflib's parser recurses in Python, whose recursion limit is reached well before the
    # service's own limits (a few dozen nested brackets): a 400, not a crash.
    return LimitExceeded(
        "the query nests too deeply for the rdflib engine; flatten it, or use the oxigraph engine"
    )


def _replace_dataset(query: Query, dataset: QueryDataset) -> None:
    # rdflib reads the dataset from the query's FROM clauses; the protocol's dataset
    # replaces them. Without any default graph rdflib would fall back to the service
    # default, so an unknown IRI stands in for "empty".
    clauses = [CompValue("DatasetClause", default=URIRef(iri)) for iri in dataset.default_graphs]
    clauses += [CompValue("DatasetClause", named=URIRef(iri)) for iri in dataset.named_graphs]
    if not dataset.default_graphs:
        clauses.append(CompValue("DatasetClause", default=URIRef("urn:swapgraph:empty-graph")))
    query.algebra["datasetClause"] = clauses
