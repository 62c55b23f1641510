"""The one RDF loader: a project's files as rdflib graphs, with errors naming file and line.

Every command reads RDF through this module, so that all of them accept and refuse the same
files: the parse reads nothing but the file (no JSON-LD context is fetched or opened), and an
IRI that Oxigraph would refuse is refused here, naming the file and line, rather than
passing ``validate`` and breaking ``serve``.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.plugins.parsers.notation3 import BadSyntax

from swapgraph.errors import NotUTF8, ProjectError, RDFSyntaxError
from swapgraph.namespaces import bind_prefixes
from swapgraph.paths import Project, rdf_format

# xsd:integer and the types derived from it, which Oxigraph stores as 64-bit integers.
_INTEGER_TYPES = frozenset(
    XSD[name]
    for name in (
        "integer", "long", "int", "short", "byte", "nonNegativeInteger", "positiveInteger",
        "nonPositiveInteger", "negativeInteger", "unsignedLong", "unsignedInt",
        "unsignedShort", "unsignedByte",
    )
)  # fmt: skip


def parse_file(path: Path, graph: Graph | None = None) -> Graph:
    """Parse one RDF file into ``graph`` (a new graph if none is given).

    The parse reads only the file: a JSON-LD file that names a remote or ``file:``
    context is refused rather than fetched. Every IRI must be one that Oxigraph accepts,
    so that what passes here loads in every engine.

    Args:
        path: The file to read; its suffix decides the syntax.
        graph: The graph to add the triples to.

    Returns:
        The graph holding the file's triples.

    Raises:
        ProjectError: If the file does not exist or has an unknown suffix.
        RDFSyntaxError: If the file is not well-formed, names a context to fetch, or holds
            an IRI the engines refuse; names line and column when known.
    """
    target = graph if graph is not None else bind_prefixes(Graph())
    text = _parse_into(path, target)
    check_iris(target, {path: text})
    return target


def parse_text(text: str, path: Path, graph: Graph | None = None) -> Graph:
    """Parse ``text`` as the RDF file ``path`` would be parsed (see :func:`parse_file`).

    Args:
        text: The file's content.
        path: The file it is (or will be) stored in; its suffix picks the parser, and it
            names the file in errors.
        graph: The graph to add the triples to.

    Returns:
        The graph holding the text's triples.

    Raises:
        ProjectError: If the suffix is unknown.
        RDFSyntaxError: As :func:`parse_file`.
    """
    target = graph if graph is not None else bind_prefixes(Graph())
    _parse_text_into(text, path, target)
    check_iris(target, {path: text})
    return target


def parse_files(paths: Iterable[Path]) -> Graph:
    """Parse several RDF files into one graph (see :func:`parse_file`)."""
    graph = bind_prefixes(Graph())
    texts = {path: _parse_into(path, graph) for path in paths}
    check_iris(graph, texts)
    return graph


def read_utf8(path: Path, *, bom: bool = False) -> str:
    """Read a text file as UTF-8: the one reader of every file a command takes in.

    Args:
        path: The file.
        bom: Drop a leading byte order mark (Excel's "CSV UTF-8" writes one); RDF files
            keep it, as the engines would see it.

    Returns:
        The text.

    Raises:
        ProjectError: If the file does not exist or cannot be read.
        NotUTF8: If a byte is not UTF-8, naming its line.
    """
    if not path.is_file():
        raise ProjectError(f"{path}: no such file")
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ProjectError(f"{path}: cannot read: {error.strerror or error}") from None
    try:
        return raw.decode("utf-8-sig" if bom else "utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise NotUTF8(path, line, error.start, raw[error.start]) from None


def _parse_into(path: Path, graph: Graph) -> str:
    if not path.is_file():
        raise ProjectError(f"{path}: no such file")
    rdf_format(path)  # an unknown suffix is a project error, before reading
    try:
        text = read_utf8(path)
    except NotUTF8 as error:
        raise RDFSyntaxError(path, f"not UTF-8 (byte {error.offset})", error.line) from None
    _parse_text_into(text, path, graph)
    return text


def _parse_text_into(text: str, path: Path, graph: Graph) -> None:
    fmt = rdf_format(path)
    if fmt == "json-ld":
        refuse_contexts(text, path)
    try:
        with quiet_literal_warnings():
            # From the text, never from the path or a URL: rdflib then has nothing to open.
            graph.parse(data=text, format=fmt, publicID=path.absolute().as_uri())
    except BadSyntax as error:
        line, column = _bad_syntax_position(error)
        raise RDFSyntaxError(path, error._why, line, column) from None
    except RDFSyntaxError:
        raise
    except Exception as error:  # rdflib raises many types for bad input; all mean the same here
        detail = str(error).strip().splitlines()[0] if str(error).strip() else ""
        raise RDFSyntaxError(path, detail or type(error).__name__) from None


def refuse_contexts(text: str, path: Path) -> None:
    """Refuse a JSON-LD document that would make a parser fetch or open anything.

    rdflib's JSON-LD parser fetches a ``@context`` given as a URL and opens a ``file:``
    one; so does ``@import`` in a context. Only contexts written inline are allowed.

    Args:
        text: The JSON-LD text.
        path: Its file, for the error.

    Raises:
        RDFSyntaxError: If the text is not JSON or names a context by reference.
    """
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise RDFSyntaxError(path, f"not JSON: {error.msg}", error.lineno, error.colno) from None
    stack: list[object] = [document]
    while stack:  # iterative: a deeply nested document must not exhaust the stack
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            for key, value in node.items():
                if key == "@import" or (key == "@context" and _names_context(value)):
                    where = _json_line(text, key)
                    raise RDFSyntaxError(
                        path,
                        f"{key} names a context to fetch ({_short(value)}); "
                        "write the context inline",
                        where,
                    )
                stack.append(value)


def _names_context(value: object) -> bool:
    values = value if isinstance(value, list) else [value]
    return any(isinstance(v, str) for v in values)


def _json_line(text: str, key: str) -> int | None:
    index = text.find(f'"{key}"')
    return text.count("\n", 0, index) + 1 if index >= 0 else None


def _short(value: object) -> str:
    text = json.dumps(value)
    return text if len(text) <= 80 else text[:77] + "..."


def check_iris(graph: Graph, texts: Mapping[Path, str]) -> None:
    """Refuse IRIs that Oxigraph would refuse (a space, ``{}|^`` and the like, no scheme).

    rdflib accepts such IRIs, so without this check a graph that validates would stop
    ``serve`` and ``query`` from loading. Integers beyond 64 bits are refused too: Oxigraph
    keeps them as ill-typed literals that its ``SUM`` skips while rdflib's adds them.

    Args:
        graph: The parsed graph.
        texts: The text of each file parsed into it, to name the file and line.

    Raises:
        RDFSyntaxError: At the first offending IRI, in the first file that mentions it.
    """
    seen: set[str] = set()
    for triple in graph:
        for term in triple:
            if isinstance(term, Literal):
                if term.datatype is None:
                    continue
                if len(term) > 18 and term.datatype in _INTEGER_TYPES:
                    _check_integer(term, texts)
                term = term.datatype
            if not isinstance(term, URIRef):
                continue
            iri = str(term)
            if iri in seen:
                continue
            seen.add(iri)
            try:
                ox.NamedNode(iri)
            except ValueError as error:
                path, line = _locate(iri, texts)
                raise RDFSyntaxError(path, f"IRI <{iri}> is not valid: {error}", line) from None


def _check_integer(value: Literal, texts: Mapping[Path, str]) -> None:
    number = value.toPython()
    if isinstance(number, int) and not -(2**63) <= number < 2**63:
        path, line = _locate(str(value), texts)
        raise RDFSyntaxError(
            path, f"integer of {len(str(value))} digits is beyond the 64 bits Oxigraph holds", line
        )


def _locate(iri: str, texts: Mapping[Path, str]) -> tuple[Path, int | None]:
    tail = re.split(r"[/#:]", iri)[-1]
    for needle in (iri, tail):
        if not needle:
            continue
        for path, text in texts.items():
            index = text.find(needle)
            if index >= 0:
                return path, text.count("\n", 0, index) + 1
    return next(iter(texts), Path("?")), None


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
