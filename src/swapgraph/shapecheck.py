"""Check a few new nodes against the shapes, fast, when the rest of the graph is known valid.

pyshacl takes about 5 ms per new exchange (its per-node interpretation of every shape over
rdflib), so importing 2,000 rows spent most of its time there, re-validating the whole
graph. An import only adds nodes, and the project it adds to is known to conform (its
validation report is cached by content hash, :mod:`swapgraph.checked`), so only the nodes
the import touches need checking. This module checks them with a direct evaluation of the
SHACL Core components the project's shapes use, and gives pyshacl's answer for those nodes:
the same result nodes (focus, path, value, severity, message, source shape), which
:mod:`swapgraph.validate` turns into findings exactly as it does pyshacl's report.

It is deliberately narrow: :func:`compile_shapes` returns None when the shapes use anything
it does not implement (another constraint component, a message template, a SPARQL
constraint), and the caller then validates with pyshacl as before. Which nodes need checking
is worked out generally rather than from this project's shapes:

* every subject of the new triples, and every node the new triples reach through a path
  that a shape follows backwards (``sh:inversePath``), since its values changed;
* every node that a SPARQL target selects from the merged graph (run by Oxigraph over the
  whole graph, so a rule that relates a new node to old ones sees both);
* if the new triples give an existing node another ``rdf:type``, the class checks of every
  node pointing to it may change: the caller is told to validate everything.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.graph import ReadOnlyGraphAggregate
from rdflib.namespace import RDF, RDFS, SH, XSD
from rdflib.term import Node

from swapgraph.engine import from_oxigraph, to_oxigraph

__all__ = ["CompiledShapes", "check_additions", "compile_shapes"]

# The predicates of sh: a shape may carry for this module to evaluate it.
_CONSTRAINTS = frozenset(
    {
        SH.minCount, SH.maxCount, SH.datatype, SH["class"], SH.nodeKind, SH.pattern,
        SH.minInclusive, SH.maxInclusive, SH.minLength, SH["in"], SH.disjoint, SH["or"],
        SH["not"], SH.hasValue,
    }
)  # fmt: skip
_OTHER = frozenset(
    {
        SH.targetClass, SH.targetSubjectsOf, SH.target, SH.property, SH.path, SH.severity,
        SH.message, SH.name, SH.description, SH.order, SH.group,
    }
)  # fmt: skip
_TEMPLATE = re.compile(r"\{[$?]")


class Unsupported(Exception):
    """The shapes use something this module does not evaluate."""


# A property path, compiled: ("p", predicate), ("^", predicate), ("|", paths), ("/", paths).
_Path = tuple[str, object]


@dataclass
class _Shape:
    node: Node
    is_property: bool
    severity: URIRef
    messages: tuple[Literal, ...]
    path: Node | None
    # Each constraint's argument, read once: an int for counts and lengths, a frozenset
    # for sh:in, a tuple of shapes for sh:or, the shapes graph's node otherwise.
    constraints: list[tuple[str, Any]]
    steps: _Path | None = None
    violation: bool = True
    properties: list[_Shape] = field(default_factory=list)
    target_classes: tuple[Node, ...] = ()
    target_subjects_of: tuple[Node, ...] = ()
    sparql_targets: tuple[str, ...] = ()


@dataclass
class CompiledShapes:
    """The project's shapes, read once into what :func:`check_additions` evaluates.

    Attributes:
        shapes_graph: The shapes, for copying property paths into the report.
        top: The shapes that have targets.
        inverse_predicates: Predicates some shape's path follows backwards.
    """

    shapes_graph: Graph
    top: list[_Shape]
    inverse_predicates: frozenset[Node]
    _all: dict[Node, _Shape]


def compile_shapes(shapes: Graph) -> CompiledShapes | None:
    """Read the shapes, or return None if any uses something this module cannot evaluate.

    Args:
        shapes: The project's shapes graph.
    """
    try:
        return _compile(shapes)
    except Unsupported:
        return None


def _compile(shapes: Graph) -> CompiledShapes:
    nodes = set(shapes.subjects(RDF.type, SH.NodeShape)) | set(
        shapes.subjects(RDF.type, SH.PropertyShape)
    )
    nodes |= set(shapes.subjects(SH.path, None))
    prefixes = _prefixes(shapes)
    compiled: dict[Node, _Shape] = {}

    def make(node: Node) -> _Shape:
        if node in compiled:
            return compiled[node]
        path = shapes.value(node, SH.path)
        if (node, SH.deactivated, None) in shapes:
            raise Unsupported(f"{node}: sh:deactivated")
        constraints: list[tuple[URIRef, Node]] = []
        for p, o in shapes.predicate_objects(node):
            if p in (RDF.type, RDFS.label, RDFS.comment) or not str(p).startswith(str(SH)):
                continue
            if p in _CONSTRAINTS:
                assert isinstance(p, URIRef)
                constraints.append((p, o))
            elif p not in _OTHER:
                raise Unsupported(f"{node}: {p}")
        messages = tuple(m for m in shapes.objects(node, SH.message) if isinstance(m, Literal))
        if any(_TEMPLATE.search(str(m)) for m in messages):
            raise Unsupported(f"{node}: message template")
        severity = shapes.value(node, SH.severity) or SH.Violation
        assert isinstance(severity, URIRef)
        sparql = []
        for target in shapes.objects(node, SH.target):
            select = shapes.value(target, SH.select)
            if (target, RDF.type, SH.SPARQLTarget) not in shapes or select is None:
                raise Unsupported(f"{node}: target {target}")
            sparql.append(prefixes + str(select))
        shape = _Shape(
            node=node,
            is_property=path is not None,
            severity=severity,
            messages=messages,
            path=path,
            constraints=[],
            target_classes=tuple(shapes.objects(node, SH.targetClass)),
            target_subjects_of=tuple(shapes.objects(node, SH.targetSubjectsOf)),
            sparql_targets=tuple(sparql),
        )
        compiled[node] = shape
        shape.steps = _compile_path(shapes, path) if path is not None else None
        # Kinds as plain strings ("minCount"): rdflib's URIRef compares in Python, slowly.
        shape.constraints = [
            (str(k)[len(str(SH)) :], _prepare(shapes, k, o))
            for k, o in sorted(constraints, key=lambda c: str(c[0]))
        ]
        shape.violation = str(severity) == str(SH.Violation)
        shape.properties = [make(p) for p in shapes.objects(node, SH.property)]
        for kind, value in constraints:
            if kind == SH["or"]:
                for member in Collection(shapes, value):
                    make(member)
            elif kind == SH["not"]:
                make(value)
        if shape.properties and shape.is_property:
            raise Unsupported(f"{node}: sh:property on a property shape")
        return shape

    for node in sorted(nodes, key=str):
        make(node)
    inverse: set[Node] = set()
    for shape in compiled.values():
        if shape.path is not None:
            inverse |= _inverse_predicates(shapes, shape.path)
    top = [
        s for s in compiled.values() if s.target_classes or s.target_subjects_of or s.sparql_targets
    ]
    # A shape whose results are reported needs its own words: pyshacl's default wording
    # is not reproduced here. (Shapes inside sh:or and sh:not only decide conformance.)
    for shape in [*top, *(p for s in top for p in s.properties)]:
        if not shape.messages and shape.constraints:
            raise Unsupported(f"{shape.node}: no sh:message (pyshacl would word one)")
    return CompiledShapes(shapes, top, frozenset(inverse), compiled)


def _compile_path(shapes: Graph, path: Node) -> _Path:
    if isinstance(path, URIRef):
        return ("p", path)
    inner = shapes.value(path, SH.inversePath)
    if isinstance(inner, URIRef):
        return ("^", inner)
    alternatives = shapes.value(path, SH.alternativePath)
    if alternatives is not None:
        return ("|", tuple(_compile_path(shapes, m) for m in Collection(shapes, alternatives)))
    if shapes.value(path, RDF.first) is not None:
        return ("/", tuple(_compile_path(shapes, m) for m in Collection(shapes, path)))
    raise Unsupported(f"path {path}")


_NODE_KINDS: dict[Node, tuple[type, ...]] = {
    SH.IRI: (URIRef,),
    SH.Literal: (Literal,),
    SH.BlankNode: (BNode,),
    SH.BlankNodeOrIRI: (BNode, URIRef),
    SH.BlankNodeOrLiteral: (BNode, Literal),
    SH.IRIOrLiteral: (URIRef, Literal),
}


def _prepare(shapes: Graph, kind: URIRef, arg: Node) -> Any:
    if kind == SH["in"]:
        return frozenset(Collection(shapes, arg))
    if kind == SH["or"]:
        return tuple(Collection(shapes, arg))
    if kind in (SH.minCount, SH.maxCount, SH.minLength):
        return int(str(arg))
    if kind == SH.nodeKind:
        if arg not in _NODE_KINDS:
            raise Unsupported(f"sh:nodeKind {arg}")
        return _NODE_KINDS[arg]
    if kind == SH.pattern:
        if (None, SH.flags, None) in shapes:
            raise Unsupported("sh:flags")
        return re.compile(str(arg))
    if kind in (SH.minInclusive, SH.maxInclusive):
        if not isinstance(arg, Literal):
            raise Unsupported(f"{kind} {arg}")
        return arg.toPython()
    if kind == SH.datatype:
        return str(arg)
    return arg


def _prefixes(shapes: Graph) -> str:
    lines = []
    for declaration in shapes.objects(None, SH.declare):
        prefix = shapes.value(declaration, SH.prefix)
        namespace = shapes.value(declaration, SH.namespace)
        if prefix is not None and namespace is not None:
            lines.append(f"PREFIX {prefix}: <{namespace}>\n")
    return "".join(sorted(set(lines)))


def _inverse_predicates(shapes: Graph, path: Node) -> set[Node]:
    if isinstance(path, URIRef):
        return set()
    inner = shapes.value(path, SH.inversePath)
    if inner is not None:
        return {inner} if isinstance(inner, URIRef) else _all_predicates(shapes, inner)
    found: set[Node] = set()
    alternatives = shapes.value(path, SH.alternativePath)
    members = (
        Collection(shapes, alternatives)
        if alternatives is not None
        else Collection(shapes, path)
        if shapes.value(path, RDF.first) is not None
        else None
    )
    if members is None:
        raise Unsupported(f"path {path}")
    for member in members:
        found |= _inverse_predicates(shapes, member)
    return found


def _all_predicates(shapes: Graph, path: Node) -> set[Node]:
    # Conservative: every predicate mentioned under a path followed backwards.
    if isinstance(path, URIRef):
        return {path}
    return {o for _, _, o in shapes.triples((path, None, None)) if isinstance(o, URIRef)} | {
        p
        for member in shapes.objects(path, None)
        if isinstance(member, BNode)
        for p in _all_predicates(shapes, member)
    }


# --------------------------------------------------------------------------- evaluation


class _Data:
    """The merged graph (old plus new plus ontology), indexed once for lookups.

    rdflib's memory store answers each ``objects()`` call through several generator layers
    (about 10 µs); the checks make hundreds of thousands of them, so plain dictionaries are
    built instead, in one pass over the triples.
    """

    def __init__(self, graphs: Iterable[Graph]) -> None:
        self._out: dict[tuple[Node, Node], list[Node]] = {}
        self._in: dict[tuple[Node, Node], list[Node]] = {}
        for graph in graphs:
            for s, p, o in graph:
                self._out.setdefault((s, p), []).append(o)
                self._in.setdefault((o, p), []).append(s)
        self._supers: dict[Node, frozenset[Node]] = {}
        self._types: dict[Node, frozenset[Node]] = {}

    def objects(self, subject: Node, predicate: Node) -> list[Node]:
        return self._out.get((subject, predicate), [])

    def subjects(self, predicate: Node, obj: Node) -> list[Node]:
        return self._in.get((obj, predicate), [])

    def superclasses(self, cls: Node) -> frozenset[Node]:
        found = self._supers.get(cls)
        if found is None:
            seen = {cls}
            todo = [cls]
            while todo:
                for parent in self.objects(todo.pop(), RDFS.subClassOf):
                    if parent not in seen:
                        seen.add(parent)
                        todo.append(parent)
            found = self._supers[cls] = frozenset(seen)
        return found

    def classes(self, node: Node) -> frozenset[Node]:
        """Return the types of ``node`` and all their superclasses."""
        found = self._types.get(node)
        if found is None:
            found = frozenset().union(*(self.superclasses(t) for t in self.objects(node, RDF.type)))
            self._types[node] = found
        return found

    def is_instance(self, node: Node, cls: Node) -> bool:
        return cls in self.classes(node)


def _values(data: _Data, focus: Node, path: _Path) -> list[Node]:
    kind, arg = path
    if kind == "p":
        return list(dict.fromkeys(data.objects(focus, arg)))  # type: ignore[arg-type]
    if kind == "^":
        return list(dict.fromkeys(data.subjects(arg, focus)))  # type: ignore[arg-type]
    members: tuple[_Path, ...] = arg  # type: ignore[assignment]
    if kind == "|":
        found: dict[Node, None] = {}
        for member in members:
            found.update(dict.fromkeys(_values(data, focus, member)))
        return list(found)
    current = [focus]
    for member in members:
        step: dict[Node, None] = {}
        for node in current:
            step.update(dict.fromkeys(_values(data, node, member)))
        current = list(step)
    return current


Report = Callable[[_Shape, Node, Node | None], None]


def _evaluate(
    shape: _Shape,
    focus: Node,
    data: _Data,
    compiled: CompiledShapes,
    report: Report,
    violations_only: bool = False,
) -> None:
    """Report each way ``focus`` fails ``shape`` (value None: no value node to name)."""
    if violations_only and not shape.violation:
        return
    values = [focus] if shape.steps is None else _values(data, focus, shape.steps)
    for kind, arg in shape.constraints:
        if kind == "minCount":
            if len(values) < arg:
                report(shape, focus, None)
        elif kind == "maxCount":
            if len(values) > arg:
                report(shape, focus, None)
        elif kind == "hasValue":
            if arg not in values:
                report(shape, focus, None)
        elif kind == "disjoint":
            others = set(data.objects(focus, arg))
            for value in values:
                if value in others:
                    report(shape, focus, value)
        else:
            for value in values:
                if not _holds(kind, arg, value, data, compiled):
                    report(shape, focus, value)
    for prop in shape.properties:
        _evaluate(prop, focus, data, compiled, report, violations_only)


def _conforms(shape_node: Node, focus: Node, data: _Data, compiled: CompiledShapes) -> bool:
    failed: list[bool] = []
    _evaluate(compiled._all[shape_node], focus, data, compiled, lambda *_: failed.append(True))
    return not failed


_STRING, _LANG_STRING = str(XSD.string), str(RDF.langString)


def _holds(kind: str, arg: Any, value: Node, data: _Data, compiled: CompiledShapes) -> bool:
    if kind == "class":
        return not isinstance(value, Literal) and data.is_instance(value, arg)
    if kind == "datatype":
        if not isinstance(value, Literal) or getattr(value, "ill_typed", False):
            return False
        if value.datatype is None:
            return bool(arg == (_LANG_STRING if value.language else _STRING))
        return str.__eq__(value.datatype, arg)
    if kind == "nodeKind":
        return isinstance(value, arg)
    if kind == "pattern":
        return not isinstance(value, BNode) and arg.search(str(value)) is not None
    if kind == "minLength":
        return not isinstance(value, BNode) and len(str(value)) >= arg
    if kind in ("minInclusive", "maxInclusive"):
        if not isinstance(value, Literal) or getattr(value, "ill_typed", False):
            return False
        try:
            if kind == "minInclusive":
                return bool(value.toPython() >= arg)
            return bool(value.toPython() <= arg)
        except TypeError:
            return False
    if kind == "in":
        return value in arg
    if kind == "or":
        return any(_conforms(member, value, data, compiled) for member in arg)
    if kind == "not":
        return not _conforms(arg, value, data, compiled)
    raise Unsupported(kind)


# --------------------------------------------------------------------------- entry point


def check_additions(
    compiled: CompiledShapes,
    existing: Graph,
    additions: Graph,
    ontology: Graph,
    violations_only: bool = False,
) -> Graph | None:
    """Validate what ``additions`` changes in a graph whose ``existing`` part conforms.

    Args:
        compiled: The project's shapes, from :func:`compile_shapes`.
        existing: The graph before the import (known to conform).
        additions: The new triples.
        ontology: The ontology, validated with the data as :mod:`swapgraph.validate` does.
        violations_only: Evaluate only the shapes whose results are Violations.

    Returns:
        A SHACL report graph (``sh:ValidationResult`` nodes, as pyshacl writes them) of every
        result on the nodes the additions can affect; or None if the additions give an
        existing node a new type, when only a full validation gives the exact answer.
    """
    # An aggregate of graphs is read graph by graph: its own iteration adds a layer per triple.
    parts = list(additions.graphs) if isinstance(additions, ReadOnlyGraphAggregate) else [additions]
    for part in parts:
        for node, _, cls in part.triples((None, RDF.type, None)):
            if (node, None, None) in existing and (node, RDF.type, cls) not in existing:
                return None
    data = _Data([existing, *parts, ontology])
    focus: set[Node] = {s for part in parts for s, _, _ in part}
    for predicate in compiled.inverse_predicates:
        for part in parts:
            focus.update(part.objects(None, predicate))
    sparql_focus = _sparql_targets(compiled, [existing, *parts, ontology])

    report = Graph()
    seen: set[tuple[Node, Node, Node | None]] = set()

    def add(shape: _Shape, node: Node, value: Node | None) -> None:
        if (shape.node, node, value) in seen:
            return
        seen.add((shape.node, node, value))
        result = BNode()
        report.add((result, RDF.type, SH.ValidationResult))
        report.add((result, SH.focusNode, node))
        report.add((result, SH.resultSeverity, shape.severity))
        report.add((result, SH.sourceShape, shape.node))
        for message in shape.messages:
            report.add((result, SH.resultMessage, message))
        if shape.path is not None:
            report.add((result, SH.resultPath, shape.path))
            _copy_path(compiled.shapes_graph, shape.path, report)
        # pyshacl names the value node, which for a node shape's constraints is the focus.
        report.add((result, SH.value, value if value is not None else node))
        if value is None and shape.path is not None:
            report.remove((result, SH.value, node))

    # Which focus nodes each kind of target selects, worked out once for all shapes.
    by_class: dict[Node, set[Node]] = {}
    by_predicate: dict[Node, set[Node]] = {}
    subjects_of = {p for shape in compiled.top for p in shape.target_subjects_of}
    for node in focus:
        for cls in data.classes(node):
            by_class.setdefault(cls, set()).add(node)
        for predicate in subjects_of:
            if data.objects(node, predicate):
                by_predicate.setdefault(predicate, set()).add(node)
    for shape in compiled.top:
        targets: set[Node] = set()
        for cls in shape.target_classes:
            targets |= by_class.get(cls, set())
        for predicate in shape.target_subjects_of:
            targets |= by_predicate.get(predicate, set())
        for query in shape.sparql_targets:
            targets.update(sparql_focus[query])
        for node in targets:
            _evaluate(shape, node, data, compiled, add, violations_only)
    return report


def _copy_path(shapes: Graph, path: Node, into: Graph) -> None:
    if not isinstance(path, BNode):
        return
    for p, o in shapes.predicate_objects(path):
        into.add((path, p, o))
        _copy_path(shapes, o, into)


def _sparql_targets(compiled: CompiledShapes, graphs: list[Graph]) -> dict[str, set[Node]]:
    queries = {q for shape in compiled.top for q in shape.sparql_targets}
    if not queries:
        return {}
    store = ox.Store()
    # Terms recur (every type, predicate and actor): each is converted once.
    terms: dict[Node, ox.NamedNode | ox.BlankNode | ox.Literal] = {}

    def term(node: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
        found = terms.get(node)
        if found is None:
            found = terms[node] = to_oxigraph(node)
        return found

    store.bulk_extend(
        ox.Quad(term(s), term(p), term(o))  # type: ignore[arg-type]
        for graph in graphs
        for s, p, o in graph
    )
    found: dict[str, set[Node]] = {}
    for query in queries:
        solutions = store.query(query)
        found[query] = {
            from_oxigraph(solution["this"])
            for solution in solutions  # type: ignore[union-attr]
            if solution["this"] is not None
        }
    return found
