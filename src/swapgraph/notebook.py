"""The Python API for notebooks: the command line's objects behind three short calls.

``swapgraph.open(...)`` gives a :class:`SwapGraph`; its ``query``, ``export`` and
``validate`` do what ``swapgraph query``, ``swapgraph export`` and ``swapgraph validate``
do, with the same engines, the same name resolution of named-query parameters, the same
exports and the same validation report; only the answers are Python values rather than text.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Identifier

from swapgraph.engine import AskResult, Engine, GraphResult, SelectResult, open_engine
from swapgraph.errors import SwapgraphError
from swapgraph.paths import Project

if TYPE_CHECKING:
    from swapgraph.report import ValidationReport

#: A named-query parameter or export filter as a notebook gives it.
ParamValue = str | int | float | dt.date | URIRef


class Results:
    """The rows of a SELECT answer, as Python values.

    Iterating gives one ``dict`` per row (column name to value, ``None`` where unbound);
    IRIs are ``str``, literals their Python value (``int``, ``datetime.date``, ...).

    Attributes:
        columns: The query's variables, in the order it selects them.
        terms: The answer as the engine gave it: rdflib terms per row.
    """

    def __init__(self, result: SelectResult) -> None:
        self.columns: list[str] = list(result.variables)
        self.terms: SelectResult = result

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for row in self.terms.rows:
            yield {name: to_python(row.get(name)) for name in self.columns}

    def __len__(self) -> int:
        return len(self.terms.rows)

    def __repr__(self) -> str:
        return f"<swapgraph Results: {len(self)} rows of {', '.join(self.columns) or 'no columns'}>"

    def to_pandas(self) -> Any:
        """Return the rows as a ``pandas.DataFrame``, one column per variable.

        (Typed ``Any``: pandas is an optional extra, without type stubs installed here.)

        Raises:
            ImportError: If pandas is not installed (``pip install 'swapgraph[notebook]'``).
        """
        try:
            # By name: pandas is optional and ships no type stubs.
            pandas = importlib.import_module("pandas")
        except ImportError:
            raise ImportError(
                "Results.to_pandas() needs pandas: pip install 'swapgraph[notebook]' "
                "(or pip install pandas)"
            ) from None
        return pandas.DataFrame(list(self), columns=self.columns)


def to_python(term: Identifier | None) -> Any:
    """Return a result term as a Python value: IRIs and blank nodes as ``str``.

    A literal whose lexical form is not valid for its datatype stays its text, as the
    command line prints it, rather than becoming ``None``.
    """
    if term is None:
        return None
    if isinstance(term, Literal):
        value = term.toPython()
        return str(term) if value is None or value is term else value
    if isinstance(term, URIRef | BNode):
        return str(term)
    return str(term)


class SwapGraph:
    """A swapgraph project (or a SPARQL endpoint holding one), opened for a notebook.

    Attributes:
        project: The project folder, or ``None`` for an endpoint opened without one.
        engine: The query engine every call runs on.
    """

    def __init__(self, project: Project | None, engine: Engine) -> None:
        self.project = project
        self.engine = engine

    def __repr__(self) -> str:
        where = self.project.root if self.project is not None else "no project folder"
        return f"<swapgraph {type(self.engine).__name__} over {where}>"

    def queries(self) -> dict[str, str]:
        """Return the named queries of ``api/``: name to one-line summary."""
        from swapgraph.named_queries import load_named_queries

        return {n: q.summary for n, q in load_named_queries(self._project("named queries")).items()}

    def query(self, query: str, **params: ParamValue) -> Results | bool | Graph:
        """Run a named query (``api/NAME.rq``) with its parameters, or SPARQL text.

        Parameters are resolved as ``swapgraph query --param`` resolves them: a state or
        organisation by label, other name, ISO code, Wikidata id, prefixed name or IRI, a
        date as ``datetime.date`` or ``YYYY-MM-DD``; an unknown name raises rather than
        answering nothing.

        Args:
            query: A named query's name, or SPARQL text (the command line's prefixes apply).
            **params: The named query's parameters (``from`` is a keyword in Python: pass
                ``**{"from": "2024-01-01"}``); defaults fill in the rest.

        Returns:
            :class:`Results` for SELECT, ``bool`` for ASK, an rdflib ``Graph`` for
            CONSTRUCT and DESCRIBE.

        Raises:
            SwapgraphError: If the query, a parameter or the engine fails (the command line
                would exit 2 with the same message).
        """
        from swapgraph.errors import ParameterError
        from swapgraph.named_queries import resolve_query

        raw = {name: _text(value) for name, value in params.items()}
        if self.project is None:
            found: object = query
        else:
            found = resolve_query(self.project, query)
        if isinstance(found, str):
            if raw:
                raise ParameterError("parameters apply to named queries (api/NAME.rq) only")
            if self.project is None and _looks_like_name(query):
                self._project("named queries")
            result = self.engine.query(found, {})
        else:
            from swapgraph.named_queries import NamedQuery

            assert isinstance(found, NamedQuery)
            result = self.engine.query(found.text, found.bind(raw, self.engine))
        if isinstance(result, SelectResult):
            return Results(result)
        if isinstance(result, AskResult):
            return result.value
        assert isinstance(result, GraphResult)
        return result.graph

    def export(
        self,
        format: str,
        path: str | Path | None = None,
        *,
        view: str = "actors",
        start: ParamValue | None = None,
        end: ParamValue | None = None,
        state: ParamValue | Sequence[ParamValue] = (),
        mediator: ParamValue | Sequence[ParamValue] = (),
    ) -> bytes | Path:
        """Export a view of the graph, as ``swapgraph export`` does.

        Args:
            format: ``gexf``, ``graphml``, ``cytoscape``, ``dot``, ``nodes-csv``,
                ``edges-csv``, ``turtle``, ``ntriples`` or ``jsonld``.
            path: Write the export to this file; None returns its bytes.
            view: ``actors``, ``exchanges`` or ``rdf``.
            start: Keep exchanges on or after this day (``--from``).
            end: Keep exchanges on or before this day (``--to``).
            state: A state, or several that all took part (``--state``).
            mediator: A third party, or several of which any took part (``--mediator``).

        Returns:
            The content, or ``path`` once written.

        Raises:
            SwapgraphError: If the format, view or a filter is wrong, or the file cannot be
                written.
        """
        from swapgraph.exports import export
        from swapgraph.views import Filters

        filters = Filters.parse(
            None if start is None else _text(start),
            None if end is None else _text(end),
            _texts(state),
            _texts(mediator),
        )
        content, _, _ = export(self.engine, format, view, filters)
        if path is None:
            return content
        target = Path(path)
        try:
            target.write_bytes(content)
        except OSError as error:
            raise SwapgraphError(f"{target}: cannot write: {error.strerror}") from None
        return target

    def validate(self, use_cache: bool = True) -> ValidationReport:
        """Validate the project against its SHACL shapes, as ``swapgraph validate`` does.

        Returns:
            The command line's report: ``.conforms``, ``.counts``, ``.results``.
        """
        from swapgraph.checked import checked_report

        return checked_report(self._project("validation"), use_cache=use_cache)

    def _project(self, needed_by: str) -> Project:
        if self.project is None:
            raise SwapgraphError(
                f"{needed_by} need the project folder: "
                "swapgraph.open(URL, project='path/to/project')"
            )
        return self.project


def open(
    location: str | Path = ".",
    engine: str = "oxigraph",
    project: str | Path | None = None,
    timeout: float = 30.0,
) -> SwapGraph:
    """Open a swapgraph project folder, or a SPARQL endpoint, for a notebook.

    Args:
        location: A project folder (ontology/, shapes/, graph/, api/), or the ``http(s)://``
            URL of a SPARQL endpoint (such as ``swapgraph serve``'s ``/sparql``).
        engine: For a folder: ``oxigraph`` (default) or ``rdflib``.
        project: For an endpoint: a project folder whose named queries and shapes to use.
        timeout: For an endpoint: seconds to wait for each answer.

    Raises:
        SwapgraphError: If the folder is not a project, or the engine is unknown.
    """
    from swapgraph.journal import recover

    text = str(location)
    if text.startswith(("http://", "https://")):
        from swapgraph.engine import RemoteEngine

        folder = None if project is None else Project.open(project)
        return SwapGraph(folder, RemoteEngine(text, timeout))
    folder = Project.open(location)
    # As every command does: a write a crash interrupted is finished or undone first.
    recover(folder.root)
    return SwapGraph(folder, open_engine(folder, engine, timeout))


def _looks_like_name(query: str) -> bool:
    # A name, not SPARQL text: what resolve_query would look up in api/.
    return query.replace("-", "").replace("_", "").isalnum()


def _text(value: ParamValue) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _texts(values: ParamValue | Sequence[ParamValue]) -> tuple[str, ...]:
    if isinstance(values, str | int | float | dt.date):
        return (_text(values),)
    return tuple(_text(v) for v in values)
