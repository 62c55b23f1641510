"""Read a graph project's RDF files into rdflib graphs, with errors that name file and line."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable, Iterator
from pathlib import Path

from rdflib import Graph
from rdflib.plugins.parsers.notation3 import BadSyntax

from swapgraph.errors import ProjectError, RDFSyntaxError
from swapgraph.namespaces import bind_prefixes
from swapgraph.paths import Project, rdf_format


def parse_file(path: Path, graph: Graph | None = None) -> Graph:
    """Parse one RDF file into ``graph`` (a new graph if none is given).

    Args:
        path: The file to read; its suffix decides the syntax.
        graph: The graph to add the triples to.

    Returns:
        The graph holding the file's triples.

    Raises:
        ProjectError: If the file does not exist or has an unknown suffix.
        RDFSyntaxError: If the file is not well-formed; names line and column when known.
    """
    if not path.is_file():
        raise ProjectError(f"{path}: no such file")
    target = graph if graph is not None else bind_prefixes(Graph())
    fmt = rdf_format(path)
    try:
        with quiet_literal_warnings():
            target.parse(path, format=fmt)
    except BadSyntax as error:
        line, column = _bad_syntax_position(error)
        raise RDFSyntaxError(path, error._why, line, column) from None
    except Exception as error:  # rdflib raises many types for bad input; all mean the same here
        raise RDFSyntaxError(path, str(error) or type(error).__name__) from None
    return target


def parse_files(paths: Iterable[Path]) -> Graph:
    """Parse several RDF files into one graph."""
    graph = bind_prefixes(Graph())
    for path in paths:
        parse_file(path, graph)
    return graph


def ontology_graph(project: Project) -> Graph:
    """Return the project's ontology as one graph."""
    return parse_files(project.ontology_files())


def shapes_graph(project: Project) -> Graph:
    """Return the project's SHACL shapes as one graph."""
    files = project.shape_files()
    if not files:
        raise ProjectError(f"{project.shapes_dir}: no shape files (*.ttl)")
    return parse_files(files)


def data_graph(project: Project, extra_files: Iterable[Path] = ()) -> Graph:
    """Return the knowledge graph: every file of ``graph/`` plus ``extra_files``."""
    return parse_files([*project.graph_files(), *extra_files])


def dataset_graph(project: Project) -> Graph:
    """Return what is queried: the ontology and the knowledge graph in one graph."""
    return parse_files(project.data_files())


@contextlib.contextmanager
def quiet_literal_warnings() -> Iterator[None]:
    """Silence rdflib's logged traceback for each ill-typed literal (``"2025-02-30"^^xsd:date``).

    Such values are data errors that validation reports as datatype violations, with file and
    line; a traceback on stderr would only bury that report.
    """
    logger = logging.getLogger("rdflib.term")
    was_disabled = logger.disabled
    logger.disabled = True
    try:
        yield
    finally:
        logger.disabled = was_disabled


def _bad_syntax_position(error: BadSyntax) -> tuple[int, int]:
    # rdflib's notation3 parser counts lines from 0 and reports a character offset.
    raw: str | bytes = error._str
    text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else raw
    offset = min(error._i, len(text))
    line_start = text.rfind("\n", 0, offset) + 1
    return error.lines + 1, offset - line_start + 1
