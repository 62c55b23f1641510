"""A fast SHACL Core validator for large graphs, checked against pyshacl (the reference).

pyshacl walks an rdflib graph node by node in Python: at a million triples, parsing and
validating took minutes and gigabytes. This module parses with pyoxigraph (Rust), keeps one
index of the triples by predicate, and evaluates each shape over all its focus nodes at once;
SPARQL-based targets (SHACL Advanced Features) run first, on a pyoxigraph store of the
triples they can match, which is dropped before the tables are built (see
:meth:`DataIndex.from_quads` and :func:`sparql_predicates`).
Terms are converted to rdflib terms once, so that every comparison, datatype check and
equality follows rdflib's rules exactly as pyshacl's do.

It implements the SHACL Core features the project's shapes use and the common others (see
:data:`SUPPORTED`); a shapes graph using anything else (``sh:sparql`` constraints, qualified
value shapes, custom components) raises :class:`Unsupported`, and the caller falls back to
pyshacl. Its report graph has pyshacl's layout (one ``sh:ValidationResult`` per result, with
focus node, path, value, source shape, constraint component, severity and messages), so the
rest of :mod:`swapgraph.validate` reads either the same way.

Known differences from rdflib parsing, which only show in how a value is written in a report:
pyoxigraph writes language tags in lower case, and does not tell a plain string from an
explicit ``^^xsd:string`` (both are reported as plain strings).
"""

from __future__ import annotations

import gzip
import io
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, cast

import pyoxigraph as ox
from pyshacl.rdfutil.compare import compare_literal as _untyped_compare
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, XSD
from rdflib.paths import (
    AlternativePath,
    InvPath,
    MulPath,
    NegatedPath,
    OneOrMore,
    SequencePath,
)
from rdflib.plugins.sparql import prepareQuery
from rdflib.term import Node, Variable

from swapgraph import memory, rdflib_sparql
from swapgraph.load import quiet_literal_warnings

if TYPE_CHECKING:
    from swapgraph.paths import Project
    from swapgraph.report import ValidationReport

# The shapes' SPARQL runs on rdflib here too: closed to the outside.
rdflib_sparql.configure()

Term = URIRef | BNode | Literal
#: The subjects and the objects of one predicate's triples, pair by pair: two lists of
#: pointers cost 16 bytes a triple, a list of (subject, object) tuples 72.
Pairs = tuple[list[Node], list[Node]]
#: Each node's values by one predicate (or its subjects, for the inverse), each value once
#: and in the order of the data: the value itself where it is the only one, else a tuple
#: (a quarter of the dict that builds it). At a million triples, 869k of 920k keys had one
#: value, and a one-item tuple each took 53 MiB. Read with :func:`_values`.
Table = dict[Node, Node | tuple[Node, ...]]
ResultRow = tuple[Node, Node | None, Node | None, Node, Node, Node, tuple[Literal, ...]]

#: The shape parameters this validator understands; any other ``sh:`` predicate on a shape
#: makes it refuse the shapes graph (see :class:`Unsupported`).
SUPPORTED = frozenset(
    SH[name]
    for name in [
        "targetClass",
        "targetNode",
        "targetSubjectsOf",
        "targetObjectsOf",
        "target",
        "path",
        "property",
        "node",
        "class",
        "datatype",
        "nodeKind",
        "minCount",
        "maxCount",
        "minInclusive",
        "maxInclusive",
        "minExclusive",
        "maxExclusive",
        "minLength",
        "maxLength",
        "pattern",
        "flags",
        "languageIn",
        "uniqueLang",
        "in",
        "hasValue",
        "equals",
        "disjoint",
        "lessThan",
        "lessThanOrEquals",
        "not",
        "and",
        "or",
        "xone",
        "closed",
        "ignoredProperties",
        "severity",
        "message",
        "deactivated",
        "name",
        "description",
        "order",
        "group",
        "defaultValue",
    ]
)

# xsd:integer and its subtypes, whose values swapgraph.load refuses beyond 64 bits.
_INTEGER_TYPES = frozenset(
    str(XSD[name])
    for name in (
        "integer", "long", "int", "short", "byte", "nonNegativeInteger", "positiveInteger",
        "nonPositiveInteger", "negativeInteger", "unsignedLong", "unsignedInt",
        "unsignedShort", "unsignedByte",
    )
)  # fmt: skip


_INTEGER_TERMS = frozenset(URIRef(iri) for iri in _INTEGER_TYPES)
_DATE = XSD.date
_PLAIN_DATE_LENGTH = len("2025-05-23")

# Hot loops read these once: rdflib's namespace attributes are computed on each access.
_TYPE = RDF.type
_STRING = XSD.string
_STRING_IRI = str(XSD.string)
_LANG_STRING = RDF.langString
_RDFS_LITERAL = RDFS.Literal
_RDFS_DATATYPE = RDFS.Datatype
_PROPERTY = SH.property


class Unsupported(Exception):
    """The shapes use a SHACL feature this validator does not implement."""


def compare_literal(left: Literal, right: Node) -> int:
    """Compare two literals as pyshacl does (negative, zero or positive)."""
    # Counts against an integer bound and dates against a date bound are most of the
    # comparisons at scale, and pyshacl's path (rdflib's eq, then its ordering) costs 6
    # (integers) to 11 (dates) times more; for these two cases both end in comparing the
    # Python values.
    if isinstance(right, Literal):
        a, b = left.value, right.value
        kind = type(a)
        if kind is type(b) and (
            (kind is int and left.datatype in _INTEGER_TERMS and right.datatype in _INTEGER_TERMS)
            or (
                kind is date
                and left.datatype == _DATE
                and right.datatype == _DATE
                and len(left) == len(right) == _PLAIN_DATE_LENGTH  # no time zone on either
            )
        ):
            order: int = (a > b) - (a < b)
            return order
    answer: int = _untyped_compare(left, right)  # type: ignore[no-untyped-call]
    return answer


# --------------------------------------------------------------------------- data


class DataIndex:
    """The data graph as rdflib terms, indexed by predicate, with a pyoxigraph store for SPARQL.

    Once validation is done, :meth:`narrow` keeps what placing its results reads.
    """

    def __init__(
        self,
        pairs: dict[Node, Pairs] | None,
        store: ox.Store,
        big_integer: bool = False,
        packed: bytes | None = None,
    ) -> None:
        """Hold triples (use :meth:`from_quads` or :meth:`from_graphs`).

        Args:
            pairs: The subjects and objects of each predicate, as rdflib terms; a pair
                given twice counts once (every table built from them is a set). None if
                ``packed`` gives them.
            store: The same triples for pyoxigraph (SPARQL-based targets).
            big_integer: True if an integer has more than 18 digits.
            packed: The triples as gzipped N-Quads, to index on first use (see
                :meth:`from_quads`).
        """
        #: The triples for SPARQL, until :meth:`release_store`.
        self.store: ox.Store | None = store
        #: True if an integer has more than 18 digits (swapgraph.load checks it further).
        self.big_integer = big_integer
        self._indexed = pairs
        self._packed = packed
        self._out: dict[Node, Table] = {}
        self._in: dict[Node, Table] = {}
        self._subclasses: dict[Node, frozenset[Node]] = {}
        self._types: Table | None = None

    @classmethod
    def from_quads(
        cls, quads: Iterable[ox.Quad], for_sparql: frozenset[str] | None = None
    ) -> DataIndex:
        """Hold triples parsed by pyoxigraph (the graph name of a quad is ignored).

        Only the triples whose predicate is in ``for_sparql`` go into the store (all of
        them if None; see :func:`sparql_predicates`).

        The quads go into the store by small batches (see :class:`_Batches`), and all of
        them into a gzipped N-Quads copy (about 10 MiB at a million triples), indexed only
        when the index is first used: after :meth:`release_store`, when validation runs its
        SPARQL targets first, so that the store and the index are never in memory together.
        At a million triples, the store of the 17 predicates the project's targets read
        took 138 MiB and the index 88; side by side they were validation's peak, at the
        moment a first start's build of the store peaks too. Either way each term is kept
        as parsed, blank node labels included: a store rewrites some literals
        (``"5"^^xsd:nonNegativeInteger`` comes back an ``xsd:integer``), which pyshacl
        sees as written.
        """
        store = ox.Store()
        big_integer = False

        def stored() -> Iterator[ox.Quad]:
            nonlocal big_integer
            with _Batches(store) as batches:
                for quad in quads:
                    o = quad.object
                    if (
                        isinstance(o, ox.Literal)
                        and len(o.value) > 18
                        and o.datatype.value in _INTEGER_TYPES
                    ):
                        big_integer = True
                    if for_sparql is None or quad.predicate.value in for_sparql:
                        batches.add(quad)
                    yield quad

        packed = io.BytesIO()
        with gzip.GzipFile(fileobj=packed, mode="wb", compresslevel=1) as writer:
            # typeshed's GzipFile is not an IO[bytes], though it is a binary file.
            output = cast(IO[bytes], writer)
            ox.serialize(stored(), output=output, format=ox.RdfFormat.N_QUADS)
        return cls(None, store, big_integer, packed=packed.getvalue())

    @property
    def _pairs(self) -> dict[Node, Pairs]:
        found = self._indexed
        if found is None:
            if self._packed is None:
                raise ValueError("the triples were forgotten (see narrow)")
            reader = cast(IO[bytes], gzip.GzipFile(fileobj=io.BytesIO(self._packed), mode="rb"))
            found = self._indexed = _index(ox.parse(input=reader, format=ox.RdfFormat.N_QUADS))
            self._packed = None
        return found

    @classmethod
    def from_graphs(cls, graphs: Iterable[Graph]) -> DataIndex:
        """Index the union of rdflib graphs, without copying them into one graph first.

        The rdflib terms are kept as they are, so values compare exactly as pyshacl's do on
        the same graphs; a triple in two graphs counts once.
        """
        # rdflib terms hash and compare in Python: this loop keys its dicts by plain strings,
        # and leaves a triple given twice to the tables (sets) and the store to merge.
        by_predicate: dict[str, tuple[Node, Pairs]] = {}
        named: dict[str, Any] = {}
        store = ox.Store()
        named_node, quad = ox.NamedNode, ox.Quad

        def convert(term: Node) -> Any:
            if type(term) is URIRef:
                key = str(term)
                found = named.get(key)
                if found is None:
                    found = named[key] = named_node(key)
                return found
            return _to_ox_any(term)

        with _Batches(store) as batches:
            for graph in graphs:
                for s, p, o in graph:
                    predicate = str(p)
                    bucket = by_predicate.get(predicate)
                    if bucket is None:
                        bucket = by_predicate[predicate] = (p, ([], []))
                    bucket[1][0].append(s)
                    bucket[1][1].append(o)
                    batches.add(quad(convert(s), convert(p), convert(o)))
        pairs = {term: found for term, found in by_predicate.values()}
        return cls(pairs, store)

    def release_store(self) -> None:
        """Drop the pyoxigraph store (most of the memory) once SPARQL no longer needs it.

        The memory it freed is handed back to the system (see :func:`swapgraph.memory.give_back`).
        """
        self.store = None
        memory.give_back()

    def narrow(self, focus_nodes: Iterable[Node]) -> Around:
        """Keep what placing results on ``focus_nodes`` reads, and forget everything else.

        The triples, their terms and validation's tables go: at a million triples they
        took 150 MiB while the files were read to place the results, at the moment a first
        start's build of the store peaked too. The index is empty afterwards.

        Returns:
            The values of the blank nodes among ``focus_nodes``, and the triples leading
            to them and to every blank node above them (see :class:`Around`).
        """
        blank: set[Node] = {node for node in focus_nodes if isinstance(node, BNode)}
        values: dict[Node, dict[Node, dict[Node, None]]] = {node: {} for node in blank}
        holders: dict[Node, dict[tuple[Node, Node], None]] = {node: {} for node in blank}
        frontier, first = set(blank), True
        while frontier:  # one pass over the triples per level of nesting
            following: set[Node] = set()
            for predicate, (subjects, objects) in self._pairs.items():
                for s, o in zip(subjects, objects, strict=True):
                    if first and s in blank:
                        values[s].setdefault(predicate, {})[o] = None
                    if o in frontier:
                        holders[o][s, predicate] = None
                        if isinstance(s, BNode) and s not in holders:
                            holders[s] = {}
                            following.add(s)
            frontier, first = following, False
        self._indexed = self._packed = self._types = None
        self._out.clear()
        self._in.clear()
        memory.give_back()
        return Around(
            {s: {p: tuple(found) for p, found in by.items()} for s, by in values.items()},
            {o: tuple(found) for o, found in holders.items()},
        )

    def out(self, predicate: Node) -> Table:
        """Return the values of ``predicate`` by subject."""
        table = self._out.get(predicate)
        if table is None:
            table = self._out[predicate] = self._table(predicate, inverse=False)
        return table

    def into(self, predicate: Node) -> Table:
        """Return the subjects of ``predicate`` by object."""
        table = self._in.get(predicate)
        if table is None:
            table = self._in[predicate] = self._table(predicate, inverse=True)
        return table

    def _table(self, predicate: Node, inverse: bool) -> Table:
        subjects, objects = self._pairs.get(predicate, ([], []))
        keys, values = (objects, subjects) if inverse else (subjects, objects)
        # One value per key, as for most properties: built in C, a quarter of the time of
        # the loop below.
        table: Table = dict(zip(keys, values, strict=True))
        if len(table) == len(keys):
            return table
        # Dicts as ordered sets while building, then a tuple per node: a table stays for
        # the whole run, and one-value dicts took 240 MiB at a million triples.
        building: dict[Node, dict[Node, None]] = {}
        for key, value in zip(keys, values, strict=True):
            found = building.get(key)
            if found is None:
                found = building[key] = {}
            found[value] = None
        table = {}
        for key, found in building.items():
            table[key] = tuple(found) if len(found) > 1 else next(iter(found))
        return table

    def instances(self, cls: Node) -> list[Node]:
        """Return the nodes typed ``cls`` or one of its subclasses (rdfs:subClassOf*)."""
        types = self.into(_TYPE)
        seen: dict[Node, None] = {}
        for sub in self.subclasses(cls):
            for node in _values(types.get(sub)):
                seen[node] = None
        return list(seen)

    def subclasses(self, cls: Node) -> frozenset[Node]:
        """Return ``cls`` and every class below it by rdfs:subClassOf."""
        found = self._subclasses.get(cls)
        if found is None:  # computed once per class
            below = self.into(RDFS.subClassOf)
            members: set[Node] = {cls}
            frontier: list[Node] = [cls]
            while frontier:
                for sub in _values(below.get(frontier.pop())):
                    if sub not in members:
                        members.add(sub)
                        frontier.append(sub)
            found = self._subclasses[cls] = frozenset(members)
        return found

    def has_class(self, node: Node, cls: Node) -> bool:
        """True if ``node`` is typed ``cls`` or one of its subclasses."""
        if isinstance(node, Literal):
            return False
        subclasses = self.subclasses(cls)
        if self._types is None:
            self._types = self.out(_TYPE)
        return any(t in subclasses for t in _values(self._types.get(node)))

    def predicates_of(self, node: Node) -> Iterator[tuple[Node, tuple[Node, ...]]]:
        """Yield each predicate of ``node`` with its values."""
        for predicate in self._pairs:
            values = self.out(predicate).get(node)
            if values is not None:
                yield predicate, _values(values)


class Around:
    """What placing validation's results reads: the values and holders of some blank nodes.

    A result on a blank node names it by its values and by the triples leading to it from
    a named node. This answers the two rdflib ``Graph`` methods that
    :func:`swapgraph.validate.report_from_findings` reads them with, for the nodes
    :meth:`DataIndex.narrow` kept, and refuses any other node rather than answer wrong.
    """

    def __init__(
        self,
        values: dict[Node, dict[Node, tuple[Node, ...]]],
        holders: dict[Node, tuple[tuple[Node, Node], ...]],
    ) -> None:
        """Hold each kept node's values by predicate, and each kept node's holders."""
        self._values = values
        self._holders = holders

    def objects(self, subject: Node, predicate: Node) -> Iterator[Node]:
        """Yield the values of ``predicate`` on ``subject``, as ``Graph.objects`` does."""
        found = self._values.get(subject)
        if found is None:
            raise ValueError(f"{subject!r}: its values were not kept (see DataIndex.narrow)")
        yield from found.get(predicate, ())

    def subject_predicates(self, obj: Node) -> Iterator[tuple[Node, Node]]:
        """Yield each (subject, predicate) pointing at ``obj``, as rdflib's method does."""
        found = self._holders.get(obj)
        if found is None:
            raise ValueError(f"{obj!r}: what points at it was not kept (see DataIndex.narrow)")
        yield from found


def _values(found: Node | tuple[Node, ...] | None) -> tuple[Node, ...]:
    """What a :data:`Table` gives for a key (its ``get``), as a tuple of values."""
    if found is None:
        return ()
    if isinstance(found, tuple):
        return found
    return (found,)


def _index(quads: Iterable[ox.Quad]) -> dict[Node, Pairs]:
    """Convert quads to rdflib terms, by predicate (each distinct term made once)."""
    cache: dict[Any, Node] = {}
    pairs: dict[Node, Pairs] = {}
    with quiet_literal_warnings():
        for quad in quads:
            s, p, o = quad.subject, quad.predicate, quad.object
            rs = cache.get(s)
            if rs is None:
                rs = cache[s] = _to_rdflib(s)
            rp = cache.get(p)
            if rp is None:
                rp = cache[p] = _to_rdflib(p)
            ro = cache.get(o)
            if ro is None:
                ro = cache[o] = _to_rdflib(o)
            bucket = pairs.get(rp)
            if bucket is None:
                bucket = pairs[rp] = ([], [])
            bucket[0].append(rs)
            bucket[1].append(ro)
    return pairs


class _Batches:
    """Add quads to a store by batches of :attr:`SIZE`, the last one on leaving the block.

    Neither one list of every quad (Python objects, more memory than the store itself) nor
    ``Store.extend`` or ``bulk_extend`` of a generator (each buffers the whole input in
    Rust first): at a million triples a batch of a thousand kept the peak at the store's size.
    """

    #: Quads per ``Store.extend`` call.
    SIZE = 1000

    def __init__(self, store: ox.Store) -> None:
        """Prepare to fill ``store``."""
        self._store = store
        self._batch: list[ox.Quad] = []

    def __enter__(self) -> _Batches:
        """Start adding."""
        return self

    def __exit__(self, *error: object) -> None:
        """Add the last, partial batch (unless the block raised)."""
        if error[0] is None:
            self._store.extend(self._batch)
        self._batch = []

    def add(self, quad: ox.Quad) -> None:
        """Add ``quad`` to the batch, and the batch to the store when it is full."""
        batch = self._batch
        batch.append(quad)
        if len(batch) >= self.SIZE:
            self._store.extend(batch)
            batch.clear()


def _to_rdflib(term: Any) -> Term:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == _STRING_IRI:
            return Literal(term.value)  # rdflib keeps a plain string untyped
        return Literal(term.value, datatype=URIRef(datatype))
    raise Unsupported(f"RDF-star term {term} is not supported")


def _to_ox(term: Node) -> Any:
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    raise TypeError(term)


def parse_paths(paths: Sequence[Path], for_sparql: frozenset[str] | None = None) -> DataIndex:
    """Parse RDF files with pyoxigraph into one :class:`DataIndex`.

    Each file's blank nodes are its own, even where two files write the same label.
    ``for_sparql`` names the predicates the store for SPARQL holds (None: all).

    Raises:
        SyntaxError: If a file is not well-formed (pyoxigraph's error; callers that need
            swapgraph's error with file and line parse again with :mod:`swapgraph.load`).
    """

    def quads() -> Iterator[ox.Quad]:
        for path in paths:
            base = path.absolute().as_uri()
            # Renamed, a label such as _:t in two files makes two nodes, as in rdflib.
            yield from ox.parse(
                path=str(path), format=_format(path), base_iri=base, rename_blank_nodes=True
            )

    return DataIndex.from_quads(quads(), for_sparql)


def _to_ox_any(term: Node) -> Any:
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        datatype = term.datatype or XSD.string
        return ox.Literal(str(term), datatype=ox.NamedNode(str(datatype)))
    return _to_ox(term)


_FORMATS = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".trig": ox.RdfFormat.TRIG,
    ".nq": ox.RdfFormat.N_QUADS,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
}


def _format(path: Path) -> ox.RdfFormat:
    try:
        return _FORMATS[path.suffix.lower()]
    except KeyError:
        raise Unsupported(f"{path}: no pyoxigraph parser for this file type") from None


def can_parse(paths: Iterable[Path]) -> bool:
    """True if every file is in a syntax pyoxigraph parses (not JSON-LD)."""
    return all(path.suffix.lower() in _FORMATS for path in paths)


# --------------------------------------------------------------------------- shapes


@dataclass
class Shape:
    """One shape of the shapes graph, with what validation needs from it."""

    node: Node
    path: Node | None
    severity: Node
    messages: tuple[Literal, ...]
    deactivated: bool
    params: dict[Node, list[Node]] = field(default_factory=dict)


class ShapesGraph:
    """The shapes of a shapes graph, checked for features this module implements."""

    def __init__(self, graph: Graph) -> None:
        """Read every shape of ``graph``.

        Raises:
            Unsupported: If a shape uses a parameter outside :data:`SUPPORTED`.
        """
        self.graph = graph
        for marker in (SH.parameter, SH.validator, SH.nodeValidator, SH.propertyValidator):
            if (None, marker, None) in graph:
                raise Unsupported("custom constraint components are not supported")
        self._shapes: dict[Node, Shape] = {}
        self._lists: dict[Node, list[Node]] = {}
        self._checks: dict[Node, list[tuple[Check, Node]]] = {}
        self.prefixes = _sparql_prefixes
        roots: set[Node] = set()
        for kind in (SH.NodeShape, SH.PropertyShape):
            roots.update(graph.subjects(RDF.type, kind))
        for parameter in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf,
                          SH.targetObjectsOf, SH.target):  # fmt: skip
            roots.update(graph.subjects(parameter, None))
        self.roots = sorted(roots, key=str)
        for node in self.roots:
            self.shape(node)

    def shape(self, node: Node) -> Shape:
        """Return the shape ``node``, read on first use."""
        found = self._shapes.get(node)
        if found is not None:
            return found
        graph = self.graph
        params: dict[Node, list[Node]] = {}
        for predicate, value in graph.predicate_objects(node):
            if isinstance(predicate, URIRef) and predicate.startswith(str(SH)):
                if predicate not in SUPPORTED:
                    raise Unsupported(f"{node}: {predicate} is not supported")
                params.setdefault(predicate, []).append(value)
        deactivated = any(
            isinstance(v, Literal) and v.value is True for v in params.get(SH.deactivated, ())
        )
        messages = tuple(m for m in params.get(SH.message, ()) if isinstance(m, Literal))
        shape = Shape(
            node=node,
            path=params[SH.path][0] if SH.path in params else None,
            severity=params[SH.severity][0] if SH.severity in params else SH.Violation,
            messages=messages,
            deactivated=deactivated,
            params=params,
        )
        self._shapes[node] = shape
        for key in (SH.property, SH.node, SH["not"]):
            for child in params.get(key, ()):
                self.shape(child)
        for key in (SH["and"], SH["or"], SH.xone):
            for members in params.get(key, ()):
                for child in Collection(graph, members):
                    self.shape(child)
        return shape

    def items(self, node: Node) -> list[Node]:
        """Return the members of an RDF list of the shapes graph."""
        found = self._lists.get(node)
        if found is None:
            found = self._lists[node] = list(Collection(self.graph, node))
        return found

    def checks(self, shape: Shape) -> list[tuple[Check, Node]]:
        """Return the constraint checks of ``shape`` with their parameter values."""
        found = self._checks.get(shape.node)
        if found is None:
            found = [
                (check, rule) for name, check in _CHECKS for rule in shape.params.get(name, ())
            ]
            self._checks[shape.node] = found
        return found


def sparql_predicates(shapes: ShapesGraph) -> frozenset[str] | None:
    """The predicates the SPARQL-based targets of ``shapes`` can match, or None for all.

    Validation loads only these triples into its store for SPARQL (at a million triples
    the whole data took a fifth of the time and 110 of the 390 MiB peak, for four targets
    that read 17 predicates). Every IRI of a query counts, constants included: a
    few triples too many cost nothing. None, the whole data, when a query can match any
    predicate: a variable predicate, a negated property set, or a path that may have zero
    length (``p*``, ``p?``), which binds every node of the data.
    """
    graph = shapes.graph
    found: set[str] = set()
    for target in set(graph.objects(None, SH.target)):
        query = _target_query(graph, target)
        if query is None:
            continue  # not a SPARQL target: Validator reports it as unsupported
        try:
            algebra = prepareQuery(query).algebra
        except Exception:  # rdflib's parser raises pyparsing's and its own errors
            return None  # Oxigraph reports the error when the target runs
        if not _collect_iris(algebra, found):
            return None
    return frozenset(found)


def _collect_iris(part: object, found: set[str]) -> bool:
    """Add the IRIs of a query's algebra to ``found``; False if any predicate may match."""
    if isinstance(part, URIRef):
        found.add(str(part))
    elif isinstance(part, NegatedPath):
        return False
    elif isinstance(part, MulPath):
        return part.mod == OneOrMore and _collect_iris(part.path, found)
    elif isinstance(part, InvPath):
        return _collect_iris(part.arg, found)
    elif isinstance(part, SequencePath | AlternativePath):
        return all(_collect_iris(step, found) for step in part.args)
    elif isinstance(part, dict):  # rdflib's CompValue, and the parse tree inside EXISTS
        for key, value in part.items():
            if key == "triples":
                for triples in value:
                    # Flat lists of subject, predicate, object (several triples in a row).
                    if any(isinstance(p, Variable) for p in list(triples)[1::3]):
                        return False
            if not _collect_iris(value, found):
                return False
    elif isinstance(part, list | tuple | set | frozenset):
        return all(_collect_iris(item, found) for item in part)
    return True


def _target_query(graph: Graph, target: Node) -> str | None:
    """The query of a SPARQL-based target with its prefixes, or None if it has none."""
    select = graph.value(target, SH.select)
    return None if select is None else f"{_sparql_prefixes(graph, target)}\n{select}"


def _sparql_prefixes(graph: Graph, target: Node) -> str:
    lines = []
    for holder in graph.objects(target, SH.prefixes):
        for declaration in graph.objects(holder, SH.declare):
            prefix = graph.value(declaration, SH.prefix)
            namespace = graph.value(declaration, SH.namespace)
            lines.append(f"PREFIX {prefix}: <{namespace}>")
    return "\n".join(lines)


# --------------------------------------------------------------------------- validation


class Validator:
    """Validate one data graph against one shapes graph."""

    def __init__(self, data: DataIndex, shapes: ShapesGraph, release_store: bool = False) -> None:
        """Prepare to validate ``data`` against ``shapes``.

        Args:
            data: The data graph.
            shapes: The shapes.
            release_store: Let :meth:`run` drop the data's store once every SPARQL-based
                target is selected, before the validation builds its tables (the data
                then no longer answers SPARQL).
        """
        self.data = data
        self.shapes = shapes
        self.release_store = release_store
        self._conforms_cache: dict[tuple[Node, Node], bool] = {}
        self._paths: dict[Node, Callable[[Node], list[Node]]] = {}
        self._selected: dict[Node, list[Node]] = {}

    def run(self) -> list[ResultRow]:
        """Return every result of every shape with targets, over its focus nodes."""
        active = [self.shapes.shape(node) for node in self.shapes.roots]
        active = [shape for shape in active if not shape.deactivated]
        # SPARQL first: the store is only read for these targets.
        for shape in active:
            for target in shape.params.get(SH.target, ()):
                self._sparql_target(target)
        if self.release_store:
            self.data.release_store()
        rows: list[ResultRow] = []
        for shape in active:
            focus = self.focus_nodes(shape)
            if focus:
                rows.extend(self.validate(shape, focus))
        return rows

    def focus_nodes(self, shape: Shape) -> list[Node]:
        """Return the targets of ``shape`` in the data, each once."""
        data, params = self.data, shape.params
        found: dict[Node, None] = {}
        for cls in params.get(SH.targetClass, ()):
            found.update(dict.fromkeys(data.instances(cls)))
        if (shape.node, RDF.type, RDFS.Class) in self.shapes.graph:  # implicit class target
            found.update(dict.fromkeys(data.instances(shape.node)))
        for node in params.get(SH.targetNode, ()):
            found[node] = None
        for predicate in params.get(SH.targetSubjectsOf, ()):
            found.update(dict.fromkeys(data.out(predicate)))
        for predicate in params.get(SH.targetObjectsOf, ()):
            found.update(dict.fromkeys(data.into(predicate)))
        for target in params.get(SH.target, ()):
            found.update(dict.fromkeys(self._sparql_target(target)))
        return list(found)

    def _sparql_target(self, target: Node) -> list[Node]:
        nodes = self._selected.get(target)
        if nodes is None:
            nodes = self._selected[target] = self._select(target)
        return nodes

    def _select(self, target: Node) -> list[Node]:
        query = _target_query(self.shapes.graph, target)
        if query is None:
            raise Unsupported(f"{target}: only SPARQL-based targets (sh:select) are supported")
        store = self.data.store
        if store is None:
            raise ValueError("the data's store was released before its SPARQL targets ran")
        nodes: list[Node] = []
        with quiet_literal_warnings():
            for solution in store.query(query):  # type: ignore[union-attr]
                value = solution["this"]
                if value is not None:
                    nodes.append(_to_rdflib(value))
        return nodes

    # ---- values

    def path_function(self, path: Node) -> Callable[[Node], list[Node]]:
        """Return a function giving the value nodes of a focus node by ``path``."""
        found = self._paths.get(path)
        if found is None:
            if isinstance(path, URIRef):
                table = self.data.out(path)

                def found(focus: Node) -> list[Node]:
                    return list(_values(table.get(focus)))

            else:
                graph = self.shapes.graph
                # A list is a sequence path even if it has other properties, as in values().
                is_list = (path, RDF.first, None) in graph
                inverse = None if is_list else graph.value(path, SH.inversePath)
                if isinstance(inverse, URIRef):
                    table = self.data.into(inverse)

                    def found(focus: Node) -> list[Node]:
                        return list(_values(table.get(focus)))

                else:

                    def found(focus: Node) -> list[Node]:
                        return self.values(focus, path)

            self._paths[path] = found
        return found

    def values(self, focus: Node, path: Node) -> list[Node]:
        """Return the value nodes reached from ``focus`` by the SHACL path ``path``."""
        graph, data = self.shapes.graph, self.data
        if isinstance(path, URIRef):
            return list(_values(data.out(path).get(focus)))
        if (path, RDF.first, None) in graph:
            current = [focus]
            for step in Collection(graph, path):
                following: dict[Node, None] = {}
                for node in current:
                    following.update(dict.fromkeys(self.values(node, step)))
                current = list(following)
            return current
        inverse = graph.value(path, SH.inversePath)
        if inverse is not None:
            if isinstance(inverse, URIRef):
                return list(_values(data.into(inverse).get(focus)))
            return self._inverse_values(focus, inverse)
        alternatives = graph.value(path, SH.alternativePath)
        if alternatives is not None:
            found: dict[Node, None] = {}
            for step in Collection(graph, alternatives):
                found.update(dict.fromkeys(self.values(focus, step)))
            return list(found)
        for predicate, include_self, once in (
            (SH.zeroOrMorePath, True, False),
            (SH.oneOrMorePath, False, False),
            (SH.zeroOrOnePath, True, True),
        ):
            inner = graph.value(path, predicate)
            if inner is None:
                continue
            reached: dict[Node, None] = {focus: None} if include_self else {}
            frontier = [focus]
            seen = {focus}
            while frontier:
                step_nodes: list[Node] = []
                for node in frontier:
                    for value in self.values(node, inner):
                        reached[value] = None
                        if value not in seen:
                            seen.add(value)
                            step_nodes.append(value)
                frontier = [] if once else step_nodes
            return list(reached)
        raise Unsupported(f"path {path} is not supported")

    def _inverse_values(self, focus: Node, path: Node) -> list[Node]:
        # A rare inverse of a complex path: every node whose path reaches ``focus``.
        candidates: set[Node] = set()
        for predicate in list(self.data._pairs):
            candidates.update(self.data.out(predicate))
        return [node for node in candidates if focus in self.values(node, path)]

    # ---- shapes

    def conforms(self, node: Node, shape_node: Node) -> bool:
        """True if ``node`` gives no result against the shape ``shape_node``."""
        key = (node, shape_node)
        answer = self._conforms_cache.get(key)
        if answer is None:
            shape = self.shapes.shape(shape_node)
            answer = shape.deactivated or not any(True for _ in self.validate(shape, [node]))
            self._conforms_cache[key] = answer
        return answer

    def validate(self, shape: Shape, focus_nodes: Sequence[Node]) -> Iterator[ResultRow]:
        """Yield the results of ``shape`` for ``focus_nodes``."""
        if shape.deactivated:
            return
        checks = self.shapes.checks(shape)
        path = shape.path
        children = shape.params.get(_PROPERTY, ())
        reached: list[Node] = []  # a value reached from two focus nodes is checked twice
        values_of = self.path_function(path) if path is not None else None
        for focus in focus_nodes:
            values = values_of(focus) if values_of is not None else [focus]
            if checks:

                def result(
                    value: Node | None,
                    component: URIRef,
                    focus: Node = focus,
                ) -> ResultRow:
                    return (
                        focus, path, value, shape.node, component, shape.severity, shape.messages
                    )  # fmt: skip

                for check, rule in checks:
                    yield from check(self, shape, focus, values, rule, result)
            if children:
                reached.extend(values)
        # A property shape's focus nodes are the value nodes of its parent, all at once.
        for child in children:
            yield from self.validate(self.shapes.shape(child), reached)


# Each check takes (validator, shape, focus, value nodes, parameter value, result maker) and
# yields results, following pyshacl's constraint components.
Check = Callable[
    [Validator, Shape, Node, list[Node], Node, Callable[..., ResultRow]], Iterator[ResultRow]
]


def _class(v: Validator, s: Shape, f: Node, values: list[Node], rule: Node, r: Any) -> Any:
    subclasses = v.data.subclasses(rule)
    types = v.data.out(_TYPE)
    for value in values:
        if isinstance(value, Literal) or not any(
            t in subclasses for t in _values(types.get(value))
        ):
            yield r(value, SH.ClassConstraintComponent)


def _datatype(v: Validator, s: Shape, f: Node, values: list[Node], rule: Node, r: Any) -> Any:
    for value in values:
        if not _has_datatype(value, rule):
            yield r(value, SH.DatatypeConstraintComponent)


def _has_datatype(value: Node, rule: Node) -> bool:
    # pyshacl's DatatypeConstraintComponent: same IRI, and the value well-formed for it.
    if not isinstance(value, Literal):
        return False
    datatype, language = value.datatype, value.language
    if datatype == rule:
        if getattr(value, "ill_typed", None) is True:
            return False
        return _actual_datatype(value, rule)
    if rule == _RDFS_LITERAL:
        return True
    if rule == _RDFS_DATATYPE and datatype:
        return True
    if datatype is None and language is None and rule == _STRING:
        return _actual_datatype(value, rule)
    if rule == _LANG_STRING and language:
        return _actual_datatype(value, rule)
    return False


_PYTHON_TYPES: dict[Node, Any] = {
    XSD.string: (str, bytes),
    RDF.langString: (str, bytes),
    XSD.integer: int,
    XSD.float: float,
    XSD.decimal: Decimal,
    XSD.boolean: bool,
    XSD.date: date,
    XSD.time: time,
    XSD.dateTime: datetime,
}


def _actual_datatype(value: Literal, rule: Node) -> bool:
    python_type = _PYTHON_TYPES.get(rule)
    # pyshacl cannot check other datatypes, and lets them pass.
    return isinstance(value.value, python_type) if python_type is not None else True


# Built once: rdflib's namespace attributes are looked up in Python, and this check runs
# for every value of every focus node.
_NODE_KINDS: dict[Node, tuple[type, ...]] = {
    SH.IRI: (URIRef,),
    SH.BlankNode: (BNode,),
    SH.Literal: (Literal,),
    SH.BlankNodeOrIRI: (BNode, URIRef),
    SH.BlankNodeOrLiteral: (BNode, Literal),
    SH.IRIOrLiteral: (URIRef, Literal),
}


def _node_kind(v: Validator, s: Shape, f: Node, values: list[Node], rule: Node, r: Any) -> Any:
    allowed = _NODE_KINDS[rule]
    for value in values:
        if not isinstance(value, allowed):
            yield r(value, SH.NodeKindConstraintComponent)


def _min_count(v: Validator, s: Shape, f: Node, values: list[Node], rule: Node, r: Any) -> Any:
    if len(values) < int(rule):  # type: ignore[call-overload]
        yield r(None, SH.MinCountConstraintComponent)


def _max_count(v: Validator, s: Shape, f: Node, values: list[Node], rule: Node, r: Any) -> Any:
    if len(values) > int(rule):  # type: ignore[call-overload]
        yield r(None, SH.MaxCountConstraintComponent)


def _range(component: URIRef, passes: Callable[[int], bool]) -> Check:
    def check(v: Validator, s: Shape, f: Node, values: list[Node], rule: Node, r: Any) -> Any:
        # pyshacl's value range components: a string never compares with a non-string.
        bound_is_string = isinstance(rule, Literal) and isinstance(rule.value, str)
        for value in values:
            ok = False
            if isinstance(value, Literal):
                value_is_string = isinstance(value.value, str)
                if bound_is_string == value_is_string:
                    try:
                        ok = passes(compare_literal(value, rule))
                    except (TypeError, NotImplementedError):
                        ok = False
            if not ok:
                yield r(value, component)

    return check


def _length(component: URIRef, passes: Callable[[int, int], bool]) -> Check:
    def check(v: Validator, s: Shape, f: Node, values: list[Node], rule: Node, r: Any) -> Any:
        limit = int(rule)  # type: ignore[call-overload]
        for value in values:
            if isinstance(value, BNode) or not passes(len(str(value)), limit):
                yield r(value, component)

    return check


def _pattern(v: Validator, s: Shape, f: Node, values: list[Node], rule: Node, r: Any) -> Any:
    flags = 0
    for flag in str(s.params.get(SH.flags, [""])[0]):
        flags |= {"i": re.I, "m": re.M, "s": re.S, "x": re.X}.get(flag, 0)
    regex = re.compile(str(rule), flags)
    for value in values:
        if isinstance(value, BNode) or not regex.search(str(value)):
            yield r(value, SH.PatternConstraintComponent)


def _language_in(v: Validator, s: Shape, f: Node, values: list[Node], rule: Node, r: Any) -> Any:
    ranges = [str(x).lower() for x in v.shapes.items(rule)]
    for value in values:
        language = value.language.lower() if isinstance(value, Literal) and value.language else ""
        if not language or not any(
            x == "*" or language == x or language.startswith(x + "-") for x in ranges
        ):
            yield r(value, SH.LanguageInConstraintComponent)


def _unique_lang(v: Validator, s: Shape, f: Node, values: list[Node], rule: Node, r: Any) -> Any:
    if not (isinstance(rule, Literal) and rule.value is True):
        return
    seen: dict[str, int] = {}
    for value in values:
        if isinstance(value, Literal) and value.language:
            key = value.language.lower()
            seen[key] = seen.get(key, 0) + 1
    for _language, count in sorted(seen.items()):
        if count > 1:
            yield r(None, SH.UniqueLangConstraintComponent)


def _in(v: Validator, s: Shape, f: Node, values: list[Node], rule: Node, r: Any) -> Any:
    allowed = set(v.shapes.items(rule))
    for value in values:
        if value not in allowed:
            yield r(value, SH.InConstraintComponent)


def _has_value(v: Validator, s: Shape, f: Node, values: list[Node], rule: Node, r: Any) -> Any:
    if rule not in values:
        yield r(None, SH.HasValueConstraintComponent)


def _equals(v: Validator, s: Shape, f: Node, values: list[Node], rule: Node, r: Any) -> Any:
    others = v.values(f, rule)
    for value in values:
        if value not in others:
            yield r(value, SH.EqualsConstraintComponent)
    for value in others:
        if value not in values:
            yield r(value, SH.EqualsConstraintComponent)


def _disjoint(v: Validator, s: Shape, f: Node, values: list[Node], rule: Node, r: Any) -> Any:
    others = set(v.values(f, rule))
    for value in values:
        if value in others:
            yield r(value, SH.DisjointConstraintComponent)


def _less(component: URIRef, or_equal: bool) -> Check:
    def check(v: Validator, s: Shape, f: Node, values: list[Node], rule: Node, r: Any) -> Any:
        # pyshacl's comparison: IRIs and strings compare as strings, never with other values.
        others = [_comparable(other) for other in v.values(f, rule)]
        for value in values:
            left, left_is_string = _comparable(value)
            for right, right_is_string in others:
                if left_is_string != right_is_string:
                    ok = False
                else:
                    try:
                        ok = bool(left <= right if or_equal else left < right)
                    except TypeError:
                        ok = False
                if not ok:
                    yield r(value, component)

    return check


def _comparable(node: Node) -> tuple[Any, bool]:
    if isinstance(node, BNode):
        raise Unsupported("sh:lessThan cannot compare a blank node")
    if isinstance(node, URIRef):
        return str(node), True
    if isinstance(node, Literal) and isinstance(node.value, str):
        return node.value, True
    return node, False


def _not(v: Validator, s: Shape, f: Node, values: list[Node], rule: Node, r: Any) -> Any:
    for value in values:
        if v.conforms(value, rule):
            yield r(value, SH.NotConstraintComponent)


def _node(v: Validator, s: Shape, f: Node, values: list[Node], rule: Node, r: Any) -> Any:
    for value in values:
        if not v.conforms(value, rule):
            yield r(value, SH.NodeConstraintComponent)


def _and(v: Validator, s: Shape, f: Node, values: list[Node], rule: Node, r: Any) -> Any:
    members = v.shapes.items(rule)
    for value in values:
        if not all(v.conforms(value, m) for m in members):
            yield r(value, SH.AndConstraintComponent)


def _or(v: Validator, s: Shape, f: Node, values: list[Node], rule: Node, r: Any) -> Any:
    members = v.shapes.items(rule)
    for value in values:
        if not any(v.conforms(value, m) for m in members):
            yield r(value, SH.OrConstraintComponent)


def _xone(v: Validator, s: Shape, f: Node, values: list[Node], rule: Node, r: Any) -> Any:
    members = v.shapes.items(rule)
    for value in values:
        if sum(v.conforms(value, m) for m in members) != 1:
            yield r(value, SH.XoneConstraintComponent)


def _closed(v: Validator, s: Shape, f: Node, values: list[Node], rule: Node, r: Any) -> Any:
    if not (isinstance(rule, Literal) and rule.value is True):
        return
    graph = v.shapes.graph
    allowed: set[Node] = set()
    for ignored in s.params.get(SH.ignoredProperties, ()):
        allowed.update(v.shapes.items(ignored))
    for child in s.params.get(SH.property, ()):
        path = graph.value(child, SH.path)
        if isinstance(path, URIRef):
            allowed.add(path)
    for value in values:
        for predicate, objects in v.data.predicates_of(value):
            if predicate not in allowed:
                for obj in objects:
                    yield (
                        value,
                        predicate,
                        obj,
                        s.node,
                        SH.ClosedConstraintComponent,
                        s.severity,
                        s.messages,
                    )


_CHECKS: tuple[tuple[URIRef, Check], ...] = (
    (SH["class"], _class),
    (SH.datatype, _datatype),
    (SH.nodeKind, _node_kind),
    (SH.minCount, _min_count),
    (SH.maxCount, _max_count),
    (SH.minInclusive, _range(SH.MinInclusiveConstraintComponent, lambda c: c >= 0)),
    (SH.maxInclusive, _range(SH.MaxInclusiveConstraintComponent, lambda c: c <= 0)),
    (SH.minExclusive, _range(SH.MinExclusiveConstraintComponent, lambda c: c > 0)),
    (SH.maxExclusive, _range(SH.MaxExclusiveConstraintComponent, lambda c: c < 0)),
    (SH.minLength, _length(SH.MinLengthConstraintComponent, lambda n, m: n >= m)),
    (SH.maxLength, _length(SH.MaxLengthConstraintComponent, lambda n, m: n <= m)),
    (SH.pattern, _pattern),
    (SH.languageIn, _language_in),
    (SH.uniqueLang, _unique_lang),
    (SH["in"], _in),
    (SH.hasValue, _has_value),
    (SH.equals, _equals),
    (SH.disjoint, _disjoint),
    (SH.lessThan, _less(SH.LessThanConstraintComponent, or_equal=False)),
    (SH.lessThanOrEquals, _less(SH.LessThanOrEqualsConstraintComponent, or_equal=True)),
    (SH["not"], _not),
    (SH["and"], _and),
    (SH["or"], _or),
    (SH.xone, _xone),
    (SH.node, _node),
    (SH.closed, _closed),
)


# --------------------------------------------------------------------------- report


def validate(data: DataIndex, shapes: Graph) -> tuple[bool, Graph]:
    """Validate ``data`` against ``shapes``, returning a report as pyshacl does.

    Args:
        data: The data graph (with the ontology, for ``sh:class``: no inference runs).
        shapes: The shapes graph.

    Returns:
        ``(conforms, report_graph)``; conforms is False if there is any result, whatever
        its severity (pyshacl's ``allow_warnings`` is applied by the caller).

    Raises:
        Unsupported: If the shapes use a feature this module does not implement.
    """
    with quiet_literal_warnings():
        rows = Validator(data, ShapesGraph(shapes)).run()
        return not rows, report_graph(rows, shapes)


def report_graph(rows: Iterable[ResultRow], shapes: Graph) -> Graph:
    """Write results as a SHACL validation report, in pyshacl's layout.

    A path that is not an IRI is copied with its structure from the shapes graph.
    """
    report = Graph()
    root = BNode()
    report.add((root, RDF.type, SH.ValidationReport))
    conforms = True
    for row in rows:
        conforms = False
        focus, path, value, source, component, severity, messages = row
        node = BNode()
        report.add((root, SH.result, node))
        report.add((node, RDF.type, SH.ValidationResult))
        report.add((node, SH.focusNode, focus))
        report.add((node, SH.sourceShape, source))
        report.add((node, SH.sourceConstraintComponent, component))
        report.add((node, SH.resultSeverity, severity))
        for message in messages:
            report.add((node, SH.resultMessage, message))
        if value is not None:
            report.add((node, SH.value, value))
        if path is not None:
            report.add((node, SH.resultPath, path))
            if isinstance(path, BNode):
                _copy_structure(shapes, path, report)
    report.add((root, SH.conforms, Literal(conforms)))
    return report


def _copy_structure(source: Graph, node: Node, target: Graph) -> None:
    stack = [node]
    done: set[Node] = set()
    while stack:
        current = stack.pop()
        if current in done:
            continue
        done.add(current)
        for predicate, value in source.predicate_objects(current):
            target.add((current, predicate, value))
            if isinstance(value, BNode):
                stack.append(value)


# --------------------------------------------------------------------------- project


def validate_files(project: Project, files: Sequence[Path]) -> ValidationReport | None:
    """Validate a project's files with this module, or return None to leave it to pyshacl.

    None is returned, and the caller validates with pyshacl, when a file is not in a syntax
    pyoxigraph reads, when a file does not parse (pyshacl's path then reports the error with
    swapgraph's wording, file and line), when an integer is beyond 64 bits (refused by
    :mod:`swapgraph.load`), and when the shapes use a feature this module lacks.

    Args:
        project: The project whose shapes and ontology are used.
        files: The data files (without the ontology, which is added).

    Returns:
        The report, equal to :func:`swapgraph.validate.validate_project`'s with pyshacl.
    """
    from swapgraph.load import shapes_graph

    paths = [*files, *project.ontology_files()]
    if not can_parse(paths):
        return None
    with quiet_literal_warnings():
        shapes = shapes_graph(project)
    try:
        shapes_index = ShapesGraph(shapes)
        data = parse_paths(paths, sparql_predicates(shapes_index))
    except (Unsupported, SyntaxError, ValueError, OSError):
        return None
    if data.big_integer:
        return None
    return _project_report(project, shapes, shapes_index, data, paths)


def validate_graphs(
    project: Project, graphs: Sequence[Graph], violations_only: bool = False
) -> ValidationReport | None:
    """Validate the union of rdflib graphs with this module, or return None for pyshacl.

    The graphs are indexed as they are (no copy into one graph, no reparse), so that data
    sent by a client or built by an import is validated as pyshacl would validate their
    union. None is returned, and the caller validates with pyshacl, when the shapes use a
    feature this module lacks or a term has no pyoxigraph equivalent.

    Args:
        project: The project whose shapes and ontology are used (the ontology is added).
        graphs: The data; any shapes they contain are ignored.
        violations_only: Leave out Warnings and Infos (quicker, when only conformance
            matters).

    Returns:
        The report, equal to :func:`swapgraph.validate.validate_graph`'s with pyshacl (or
        its Violations only).
    """
    from swapgraph.load import ontology_graph, shapes_graph

    with quiet_literal_warnings():
        shapes = shapes_graph(project)
        ontology = ontology_graph(project)
    try:
        shapes_index = ShapesGraph(shapes)
        data = DataIndex.from_graphs([*graphs, ontology])
    except (Unsupported, ValueError, TypeError):
        return None
    return _project_report(
        project, shapes, shapes_index, data, project.ontology_files(), violations_only
    )


def _project_report(
    project: Project,
    shapes: Graph,
    shapes_index: ShapesGraph,
    data: DataIndex,
    located: Sequence[Path],
    violations_only: bool = False,
) -> ValidationReport | None:
    """Validate, and place the results in the files of ``located``; None to hand over."""
    from swapgraph.locate import SubjectIndex
    from swapgraph.validate import Finding, report_from_findings

    with quiet_literal_warnings():
        try:
            rows = Validator(data, shapes_index, release_store=True).run()
        except Unsupported:
            return None
        placed = data.narrow(row[0] for row in rows)
        if violations_only:
            rows = [row for row in rows if row[5] == SH.Violation]
    # The rows go straight into the report: a report graph of every result (what
    # :func:`validate` returns, for the W3C suite) costs rdflib's triple indexes.
    findings = (
        Finding(
            focus=focus,
            path=path,
            value=value,
            severity=severity,
            messages=tuple(dict.fromkeys(messages)),
            source_shape=source,
        )
        for focus, path, value, source, _component, severity, messages in rows
    )
    index = SubjectIndex(located)
    return report_from_findings(findings, placed, shapes, index, project.root)  # type: ignore[arg-type]
