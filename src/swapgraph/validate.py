"""Check the knowledge graph against the project's SHACL shapes.

Validation runs :mod:`swapgraph.fast_validate` (or pyshacl, the reference, when it hands
over or is asked for) over the data and the ontology, with the project's shapes only: shapes
that come with the data are ignored. pyshacl reads an rdflib graph (never an Oxigraph store,
which rewrites integer subtypes). No inference runs: ``sh:class`` sees the types as
written plus the ontology's ``rdfs:subClassOf``, whereas RDFS inference would derive the
missing type of, say, a released-by actor from the property's range and hide the mistake.

Each result is placed at the file and line where its focus node is described; a blank node
(a transfer, a mediation, a claim) is placed at the block of its nearest named ancestor,
normally its exchange.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pyshacl import validate as run_shacl
from pyshacl.errors import ReportableRuntimeError
from rdflib import BNode, Graph
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from swapgraph import rdflib_sparql
from swapgraph.errors import ProjectError
from swapgraph.load import ontology_graph, parse_files, quiet_literal_warnings, shapes_graph
from swapgraph.locate import Anchor, SubjectIndex
from swapgraph.memory import cycles_uncollected
from swapgraph.namespaces import SWAP, bind_prefixes, term
from swapgraph.paths import Project
from swapgraph.report import SEVERITIES, ValidationReport, ValidationResult
from swapgraph.shacl_paths import sparql_path

# pyshacl runs the shapes' SPARQL on rdflib: closed to the outside, as every query here.
rdflib_sparql.configure()

#: The validators: ``fast`` (:mod:`swapgraph.fast_validate`, falling back to pyshacl for
#: what it does not implement) and ``pyshacl``, the reference.
ENGINES: tuple[str, ...] = ("fast", "pyshacl")


@cycles_uncollected()
def validate_project(
    project: Project, extra_files: Iterable[Path] = (), engine: str = "fast"
) -> ValidationReport:
    """Validate the project's graph, plus files not (yet) in ``graph/``.

    Args:
        project: The graph project: its shapes, ontology and ``graph/`` files are used.
        extra_files: More data files to validate with the graph, such as a curator's new
            file; a file already in ``graph/`` is read once.
        engine: One of :data:`ENGINES`; both give the same report.

    Returns:
        The report, with each result placed at a file and line.

    Raises:
        ProjectError: If a file is missing or the shapes cannot be used.
        RDFSyntaxError: If a file is not well-formed RDF (naming file, line and column).
    """
    files = _unique([*project.graph_files(), *extra_files])
    if engine == "fast":
        from swapgraph.fast_validate import validate_files

        fast = validate_files(project, files)
        if fast is not None:
            return fast
    with quiet_literal_warnings():
        data = parse_files(files)
    index = SubjectIndex([*files, *project.ontology_files()])
    return _validate(project, data, index)


def validate_graph(project: Project, data: Graph, engine: str = "fast") -> ValidationReport:
    """Validate a graph that did not come from files (for instance sent by a client).

    ``data`` is not modified, and any shapes it contains are ignored.

    Args:
        project: The graph project whose shapes and ontology are used.
        data: The data to validate.
        engine: One of :data:`ENGINES`; both give the same report.

    Returns:
        The report; results name no file or line, except for ontology nodes.

    Raises:
        ProjectError: If the shapes cannot be used.
    """
    return validate_additions(project, data, Graph(), engine=engine)


@cycles_uncollected()
def validate_additions(
    project: Project,
    existing: Graph,
    additions: Graph,
    violations_only: bool = False,
    engine: str = "fast",
) -> ValidationReport:
    """Validate ``existing + additions`` as one graph, without copying them into one.

    The whole resulting graph is validated, so its report also names what was already
    wrong in ``existing``; the fast engine (:func:`swapgraph.fast_validate.validate_graphs`)
    reads both graphs where they are, and hands over to pyshacl when the shapes use
    something it does not evaluate.

    Args:
        project: The graph project whose shapes and ontology are used.
        existing: The graph before the change.
        additions: The new triples.
        violations_only: Leave out Warnings and Infos (quicker, when only conformance
            matters).
        engine: One of :data:`ENGINES`; both give the same report.

    Returns:
        The report; results name no file or line, as :func:`validate_graph`.

    Raises:
        ProjectError: If the shapes cannot be used.
    """
    if engine == "fast":
        from swapgraph.fast_validate import validate_graphs

        fast = validate_graphs(project, [existing, additions], violations_only)
        if fast is not None:
            return fast
    data = existing + additions if len(additions) else existing
    report = _validate(project, data, SubjectIndex(project.ontology_files()))
    if violations_only:
        kept = tuple(r for r in report.results if r.severity == "Violation")
        return ValidationReport(results=kept, shapes=report.shapes)
    return report


def _validate(project: Project, data: Graph, index: SubjectIndex) -> ValidationReport:
    with quiet_literal_warnings():
        shapes = shapes_graph(project)
        target = bind_prefixes(Graph())
        for graph in (data, ontology_graph(project)):
            for triple in graph:
                target.add(triple)
        try:
            _, report_graph, _ = run_shacl(
                target,
                shacl_graph=shapes,
                inference="none",
                advanced=True,  # the shapes use SPARQL targets (SHACL Advanced Features)
                inplace=True,  # ``target`` is our own copy
                allow_warnings=True,
                allow_infos=True,
                do_owl_imports=False,
            )
        except ReportableRuntimeError as error:
            raise ProjectError(f"{project.shapes_dir}: shapes cannot be used: {error}") from None
    return build_report(report_graph, target, shapes, index, project.root)


def build_report(
    report_graph: Graph, target: Graph, shapes: Graph, index: SubjectIndex, root: Path
) -> ValidationReport:
    """Turn a SHACL report graph into a :class:`ValidationReport` placed in the files.

    Args:
        report_graph: The report, in pyshacl's layout.
        target: The data validated (an rdflib graph, or an object with the same
            ``objects`` and ``subject_predicates`` methods) to name blank nodes.
        shapes: The shapes graph.
        index: Where each subject is described.
        root: The project's root, to which file names are made relative.
    """
    found = []
    for node in report_graph.subjects(RDF.type, SH.ValidationResult):
        focus = report_graph.value(node, SH.focusNode)
        assert focus is not None  # every SHACL result has one
        found.append(
            Finding(
                focus=focus,
                path=report_graph.value(node, SH.resultPath),
                value=report_graph.value(node, SH.value),
                severity=report_graph.value(node, SH.resultSeverity),
                messages=tuple(report_graph.objects(node, SH.resultMessage)),
                source_shape=report_graph.value(node, SH.sourceShape),
            )
        )
    # A path that is not an IRI is read in the report, which copies it from the shapes.
    return report_from_findings(found, target, shapes, index, root, paths=report_graph)


@dataclass(frozen=True)
class Finding:
    """One result as a validator gives it: the fields of a ``sh:ValidationResult``.

    Attributes:
        focus: ``sh:focusNode``.
        path: ``sh:resultPath``, if any.
        value: ``sh:value``, if any.
        severity: ``sh:resultSeverity``, if any.
        messages: Every ``sh:resultMessage``, each once.
        source_shape: ``sh:sourceShape``, if any.
    """

    focus: Node
    path: Node | None
    value: Node | None
    severity: Node | None
    messages: tuple[Node, ...]
    source_shape: Node | None


def report_from_findings(
    findings: Iterable[Finding],
    target: Graph,
    shapes: Graph,
    index: SubjectIndex,
    root: Path,
    paths: Graph | None = None,
) -> ValidationReport:
    """Turn results into a :class:`ValidationReport` placed in the files.

    Args:
        findings: The results; two that read the same once placed are reported once.
        target: The data validated, as for :func:`build_report`.
        shapes: The shapes graph.
        index: Where each subject is described.
        root: The project's root, to which file names are made relative.
        paths: The graph holding the structure of the paths that are not IRIs (the
            shapes graph, by default).
    """
    # A value can fail two constraints of one shape (``"52"`` is neither an integer nor
    # >= 1); the shape's one message covers both, so the result is reported once.
    # Resolved once per file, not once per result (7,000 results at a million triples).
    display = functools.cache(lambda path: _display_path(path, root))
    unique_results = {
        _result(finding, target, index, display, shapes if paths is None else paths)
        for finding in findings
    }
    results = sorted(
        unique_results,
        key=lambda r: (
            r.file is None,
            r.file or "",
            r.line or 0,
            SEVERITIES.index(r.severity),
            r.shape,
            r.focus,
            r.value or "",
        ),
    )
    all_shapes = {
        shape
        for kind in (SH.NodeShape, SH.PropertyShape)
        for shape in shapes.subjects(RDF.type, kind)
    }
    return ValidationReport(
        results=tuple(results),
        shapes=tuple(sorted(term(shape) for shape in all_shapes)),
    )


def _result(
    finding: Finding,
    data: Graph,
    index: SubjectIndex,
    display: Callable[[Path], str],
    paths: Graph,
) -> ValidationResult:
    focus, path, value, severity = finding.focus, finding.path, finding.value, finding.severity
    anchor = index.anchor(data, focus)
    location = anchor.location if anchor else None
    messages = sorted(str(m) for m in finding.messages)
    source_shape = finding.source_shape
    return ValidationResult(
        severity=str(severity).removeprefix(str(SH)) if severity else "Violation",
        focus=_focus(focus, anchor, data),
        path=sparql_path(paths, path) if path is not None else None,
        value=term(value) if value is not None and value != focus else None,
        shape=term(source_shape) if source_shape is not None else "",
        message=" ".join(messages),
        file=display(location.path) if location else None,
        line=location.line if location else None,
    )


# What tells a nested node apart from its siblings: a transfer by its direction, a
# mediation by actor and role, a claim by the property and value it gives.
_IDENTIFYING = (
    SWAP.releasedBy,
    SWAP.receivedBy,
    SWAP.actor,
    SWAP.role,
    SWAP.claimedProperty,
    SWAP.claimedValue,
)


def _focus(focus: Node, anchor: Anchor | None, data: Graph) -> str:
    if not isinstance(focus, BNode) or anchor is None:
        return term(focus)
    # A blank node is named by the predicates leading to it from its named ancestor, and by
    # the values that tell it apart from its siblings.
    # Values in sorted order: rdflib yields them in an order that changes with the hash seed.
    inner = " ; ".join(
        f"{term(p)} {value}"
        for p in _IDENTIFYING
        for value in sorted(term(o) for o in data.objects(focus, p))
    )
    steps = (term(p) for p in anchor.steps)
    return " ".join([term(anchor.node), *steps, f"[ {inner} ]" if inner else "[ ]"])


def _display_path(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _unique(files: Sequence[Path]) -> list[Path]:
    seen: set[Path] = set()
    unique = []
    for path in files:
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(path)
    return unique
