"""Canonical Turtle, and writes that never leave a content file half-written.

Every file of ``graph/`` is written by :func:`serialize`, so that two curators who make the
same change get the same text and a diff shows only what changed:

* the prefixes of :data:`swapgraph.namespaces.PREFIXES` that the file uses, in that order;
* subjects sorted by IRI, each followed by one blank line;
* ``a`` first, then predicates sorted by their written form, objects sorted likewise;
* a blank node that is the object of exactly one triple is written inline as ``[ ... ]``
  under that triple (transfers, mediations and claims live inside their exchange), up to
  a depth of 16; deeper ones are labelled, so that no step recurses as deep as the data;
* a well-formed RDF list is written as a collection ``( ... )``, of any length;
* literals holding a line break are written between triple quotes.

Writes go through :func:`write_atomic` (one file) or :func:`write_files` (several files, all
or nothing): the text is parsed before anything touches the disk, then written by the
project journal (:mod:`swapgraph.journal`), which survives a crash between two files.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections import Counter, defaultdict, deque
from collections.abc import Collection, Mapping
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.term import Node

from swapgraph import load
from swapgraph.errors import SwapgraphError
from swapgraph.journal import commit
from swapgraph.namespaces import PREFIXES
from swapgraph.paths import RDF_SUFFIXES

__all__ = [
    "check_canonical",
    "parse_text",
    "serialize",
    "write_atomic",
    "write_files",
]

_INDENT = "    "
#: How deep blank nodes are written inside one another; deeper ones are labelled.
_MAX_NESTING = 16
# rdflib resolves RDF.x by a method call each time; a list of 10^5 items asks 10^5 times.
_FIRST, _REST, _NIL = RDF.first, RDF.rest, RDF.nil
_LIST_CELL = sorted([str(_FIRST), str(_REST)])
# A conservative subset of Turtle's PN_LOCAL: anything else is written as a full IRI.
_LOCAL_NAME = re.compile(r"^[A-Za-z0-9_](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?$")
_INTEGER = re.compile(r"^[+-]?[0-9]+$")
_DECIMAL = re.compile(r"^[+-]?[0-9]*\.[0-9]+$")
# Characters Turtle forbids inside <...>, escaped as \uXXXX.
_IRI_FORBIDDEN = set('<>"{}|^`\\') | {chr(c) for c in range(0x21)}
_SHORT_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def parse_text(text: str, path: Path) -> Graph:
    """Parse ``text`` as the RDF file ``path`` would be parsed.

    Args:
        text: The file's content.
        path: The file it is (or will be) stored in; its suffix picks the parser, and it
            names the file in errors.

    Returns:
        The parsed graph.

    Raises:
        RDFSyntaxError: If the text does not parse.
    """
    return load.parse_text(text, path)


class _Writer:
    """Writes one graph; holds the prefix table and the blank-node bookkeeping."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.namespaces = [(p, str(ns)) for p, ns in PREFIXES.items()]
        self.used: set[str] = set()
        # One pass over the graph: rdflib's per-node lookups cost tens of microseconds each.
        self.out: dict[Node, list[tuple[Node, Node]]] = defaultdict(list)
        for s, p, o in graph:
            self.out[s].append((p, o))
        refs: Counter[BNode] = Counter(o for o in graph.objects() if isinstance(o, BNode))
        # Blank nodes cited once are nested under the citing triple, unless they sit on a
        # cycle of such nodes, which would then never be reached from a written subject.
        self.nested = {b for b, n in refs.items() if n == 1}
        self.nested -= self._unreachable_nested()
        self.list_nodes = self._list_nodes()
        # Nesting stops at a fixed depth (deeper nodes are labelled), so that writing never
        # recurses as deep as the data goes and the text grows linearly with the graph.
        self.nested -= self._too_deep()
        self.labels: dict[BNode, str] = {}
        labelled = {n for n in set(self.out) | set(refs) if isinstance(n, BNode)} - self.nested
        top_unreferenced = {b for b in labelled if refs[b] == 0}
        needs_label = labelled - top_unreferenced
        if needs_label:
            self.labels = self._canonical_labels(needs_label)

    def _unreachable_nested(self) -> set[BNode]:
        roots = [s for s in set(self.out) if s not in self.nested]
        seen: set[Node] = set()
        stack: list[Node] = list(roots)
        while stack:
            node = stack.pop()
            for _, obj in self.out.get(node, ()):
                if obj in self.nested and obj not in seen:
                    seen.add(obj)
                    stack.append(obj)
        return {b for b in self.nested if b not in seen}

    def _value(self, node: Node, predicate: Node) -> Node | None:
        return next((o for p, o in self.out.get(node, ()) if p == predicate), None)

    def _list_nodes(self) -> set[BNode]:
        """The nested nodes that form well-formed RDF lists, written as ``( ... )``."""
        cells = {b for b in self.nested if sorted(str(p) for p, _ in self.out[b]) == _LIST_CELL}
        rests = {self._value(b, _REST) for b in cells}
        found: set[BNode] = set()
        for head in cells - rests:
            chain: set[BNode] = set()
            node: Node | None = head
            while isinstance(node, BNode) and node in cells and node not in chain:
                chain.add(node)
                node = self._value(node, _REST)
            if node == _NIL:
                found.update(chain)
        return found

    def _children(self, node: Node, as_list: bool) -> list[Node]:
        if as_list:  # a list's items; its other cells are written inside it
            items: list[Node] = []
            cell: Node | None = node
            while cell is not None and cell != _NIL:
                item = self._value(cell, _FIRST)
                if isinstance(item, BNode) and item in self.nested:
                    items.append(item)
                cell = self._value(cell, _REST)
            return items
        return [o for _, o in self.out.get(node, ()) if o in self.nested]

    def _too_deep(self) -> set[BNode]:
        roots = [s for s in set(self.out) if s not in self.nested]
        queue: deque[tuple[Node, int]] = deque((r, 0) for r in roots)
        cut: set[BNode] = set()
        while queue:
            node, depth = queue.popleft()
            as_list = node in self.list_nodes and node not in cut and depth > 0
            for child in self._children(node, as_list):
                level = depth + 1
                if level > _MAX_NESTING and isinstance(child, BNode):
                    cut.add(child)
                    level = 0
                queue.append((child, level))
        return cut

    def _canonical_labels(self, nodes: set[BNode]) -> dict[BNode, str]:
        # Labels come from what a node says and what says it, never from the parser's ids,
        # so that the same graph is always written with the same labels.
        mapping = {
            b: "b" + hashlib.sha1(self._signature(b).encode("utf-8")).hexdigest()[:10]
            for b in nodes
        }
        counts = Counter(mapping.values())
        seen: Counter[str] = Counter()
        for b in sorted(nodes, key=lambda n: (mapping[n], str(n))):
            label = mapping[b]
            if counts[label] > 1:  # indistinguishable nodes: any numbering is equivalent
                seen[label] += 1
                mapping[b] = f"{label}n{seen[label]}"
        return mapping

    def _signature(self, node: BNode) -> str:
        out = sorted(
            f"{p.n3()} {o.n3() if not isinstance(o, BNode) else '_'}"
            for p, o in self.out.get(node, ())
        )
        inc = sorted(
            f"{s.n3() if not isinstance(s, BNode) else '_'} {p.n3()}"
            for s, p in self.graph.subject_predicates(node)
        )
        return "|".join(out) + "||" + "|".join(inc)

    # ----------------------------------------------------------------- terms

    def iri(self, iri: URIRef) -> str:
        text = str(iri)
        best: tuple[str, str] | None = None
        for prefix, ns in self.namespaces:
            if text.startswith(ns) and (best is None or len(ns) > len(best[1])):
                local = text[len(ns) :]
                if local == "" or _LOCAL_NAME.match(local):
                    best = (prefix, ns)
        if best is not None:
            self.used.add(best[0])
            return f"{best[0]}:{text[len(best[1]) :]}"
        escaped = "".join(f"\\u{ord(c):04X}" if c in _IRI_FORBIDDEN else c for c in text)
        return f"<{escaped}>"

    def literal(self, lit: Literal) -> str:
        lex = str(lit)
        dt = lit.datatype
        if lit.language is None:
            if dt == XSD.integer and _INTEGER.match(lex):
                return lex
            if dt == XSD.decimal and _DECIMAL.match(lex):
                return lex
            if dt == XSD.boolean and lex in ("true", "false"):
                return lex
        if "\n" in lex:
            body = '"""' + _escape_long(lex) + '"""'
        else:
            body = '"' + "".join(_SHORT_ESCAPES.get(c, c) for c in lex) + '"'
        if lit.language is not None:
            return f"{body}@{lit.language}"
        if dt is not None and dt != XSD.string:
            return f"{body}^^{self.iri(dt)}"
        return body

    def term(self, node: Node, depth: int) -> str:
        if isinstance(node, Literal):
            return self.literal(node)
        if isinstance(node, URIRef):
            return self.iri(node)
        if isinstance(node, BNode):
            if node in self.nested and node in self.list_nodes:
                return self.collection(node, depth)
            if node in self.nested:
                return self.block(node, depth)
            return f"_:{self.labels[node]}"
        raise SwapgraphError(f"cannot write {node!r} in Turtle")

    # ----------------------------------------------------------------- structure

    def predicate_lines(self, subject: Node, depth: int) -> list[str]:
        """Return ``predicate objects`` parts of a subject, already sorted."""
        indent = _INDENT * (depth + 1)
        grouped: dict[str, list[str]] = {}
        for p, o in self.out.get(subject, ()):
            key = "a" if p == RDF.type else self.iri(p)  # type: ignore[arg-type]
            grouped.setdefault(key, []).append(self.term(o, depth + 1))
        keys = sorted(grouped, key=lambda k: (k != "a", k))
        parts = []
        for key in keys:
            objects = sorted(grouped[key])
            # Nested blocks read best chained as "] , ["; other values one per line.
            block = any(o.startswith("[") for o in objects)
            joiner = " , " if block else " ,\n" + indent + _INDENT
            parts.append(f"{key} {joiner.join(objects)}")
        return parts

    def collection(self, head: BNode, depth: int) -> str:
        """Write an RDF list as ``( ... )``: one line if short, else one item per line."""
        items = []
        cell: Node | None = head
        while cell is not None and cell != _NIL:  # a loop: lists can be long
            first = self._value(cell, _FIRST)
            assert first is not None  # every cell of a list node has rdf:first
            items.append(self.term(first, depth + 1))
            cell = self._value(cell, _REST)
        if sum(len(i) + 1 for i in items) <= 60 and not any("\n" in i for i in items):
            return "( " + " ".join(items) + " )"
        inner = _INDENT * (depth + 1)
        return "(\n" + inner + ("\n" + inner).join(items) + "\n" + _INDENT * depth + ")"

    def block(self, node: BNode, depth: int) -> str:
        parts = self.predicate_lines(node, depth)
        if not parts:
            return "[]"
        inner = _INDENT * (depth + 1)
        return "[\n" + inner + (" ;\n" + inner).join(parts) + "\n" + _INDENT * depth + "]"

    def statement(self, subject: Node) -> str:
        if isinstance(subject, BNode) and subject not in self.labels:
            head = self.block(subject, 0)
            return head + " ."
        head = self.term(subject, 0)
        parts = self.predicate_lines(subject, 0)
        return head + " " + (" ;\n" + _INDENT).join(parts) + " ."

    def write(self) -> str:
        subjects = {s for s in self.out if s not in self.nested}
        named = sorted((s for s in subjects if not isinstance(s, BNode)), key=str)
        labelled = sorted(
            (s for s in subjects if isinstance(s, BNode) and s in self.labels),
            key=lambda b: self.labels[b],
        )
        statements = [self.statement(s) for s in named + labelled]
        anonymous = sorted(
            self.statement(s) for s in subjects if isinstance(s, BNode) and s not in self.labels
        )
        body = "\n\n".join(statements + anonymous)
        header = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in self.namespaces if p in self.used)
        if not body:
            return header
        return (header + "\n" if header else "") + body + "\n"


def _escape_long(text: str) -> str:
    out: list[str] = []
    for i, c in enumerate(text):
        if c == "\\":
            out.append("\\\\")
        elif c == "\r":
            out.append("\\r")
        elif c == '"' and (i + 1 == len(text) or text[i + 1] == '"'):
            # A quote is only ambiguous next to another quote or the closing delimiter.
            out.append('\\"')
        else:
            out.append(c)
    return "".join(out)


def serialize(graph: Graph) -> str:
    """Write ``graph`` as canonical Turtle.

    The same graph (up to blank node identity) always gives the same text, and parsing the
    text back gives a graph isomorphic to ``graph``.

    Args:
        graph: The graph to write.

    Returns:
        The Turtle text, ending with a newline (empty for an empty graph).
    """
    return _Writer(graph).write()


def check_canonical(path: Path) -> bool:
    """Tell whether an RDF file is already written exactly as :func:`serialize` writes it.

    Args:
        path: A Turtle file.

    Returns:
        True if rewriting the file would not change it.

    Raises:
        RDFSyntaxError: If the file does not parse.
        SwapgraphError: If the file cannot be read.
    """
    text = _read(path)
    return serialize(parse_text(text, path)) == text


def write_atomic(path: Path, text: str, *, root: Path | None = None) -> None:
    """Replace ``path`` with ``text`` in one step.

    The text is parsed first; it is then written through the project journal (see
    :mod:`swapgraph.journal`), so readers see the old file or the new one, never a mixture.

    Args:
        path: The target file.
        text: Its new content.
        root: The project root (default: the file's folder).

    Raises:
        RDFSyntaxError: If ``text`` does not parse as the file's RDF format; nothing is
            written.
        SwapgraphError: If the file cannot be written; the original is left untouched.
    """
    write_files({path: text}, root=root)


def write_files(
    files: Mapping[Path, str],
    *,
    root: Path | None = None,
    expected: Mapping[Path, str | None] | None = None,
    checked: Collection[Path] = (),
) -> None:
    """Replace several files, all or nothing, even across a crash.

    Every RDF text (by the file's suffix) is parsed first, unless the caller checked it
    already; other files, such as a CHANGELOG or a checksum list, are written as given. The
    files are then written as one journaled transaction under the project's lock
    (:func:`swapgraph.journal.commit`): if the process fails, each target keeps its original
    content (or does not exist, if it did not before); if it is killed, the next command
    that touches the project finishes or undoes the transaction.

    Args:
        files: New content by target path.
        root: The project root, where the journal and the lock live (default: the
            deepest folder holding every target).
        expected: For files the caller read, their :func:`swapgraph.journal.fingerprint`
            at that time; a file changed since is not overwritten.
        checked: Files of ``files`` whose text the caller has parsed or checked already
            (a release's dumps are large: parsing them again would take longer than the
            rest of the release).

    Raises:
        RDFSyntaxError: If any RDF text does not parse; nothing is written.
        SwapgraphError: If any file cannot be written, or changed since it was read;
            nothing is changed.
    """
    for path, text in files.items():
        if path.suffix.lower() in RDF_SUFFIXES and path not in checked:
            parse_text(text, path)
    if not files:
        return
    if root is None:
        root = Path(os.path.commonpath([os.path.abspath(p.parent) for p in files]))
    data = {path: text.encode("utf-8") for path, text in files.items()}
    commit(root, data, expected)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SwapgraphError(f"{path}: cannot read: {exc.strerror or exc}") from exc
