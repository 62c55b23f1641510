"""Find the file and line where a node is described, so that a report can point at it.

The graph's Turtle is canonical (see :mod:`swapgraph.turtle`): every named subject starts a
block at the beginning of a line, written as a prefixed name or as ``<IRI>``, and blank
nodes (transfers, mediations, claims) are written inline inside the block of the node that
holds them. So a named node is found by reading each file's prefixes and the first token of
every unindented line, and a blank node is placed at the block of its nearest named
ancestor in the graph.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rdflib import BNode, Graph, URIRef
from rdflib.term import Node

# `@prefix p: <iri> .` or SPARQL-style `PREFIX p: <iri>`; the empty prefix is allowed.
_PREFIX = re.compile(r"[^\S\n]*(?i:@prefix|PREFIX)[^\S\n]+([A-Za-z][\w.-]*)?:[^\S\n]*<([^>\n]*)>")
# The subject that opens a block: `<iri>` or `prefix:local` at the very start of a line.
_SUBJECT = re.compile(r"<([^>\n]*)>|([A-Za-z][\w.-]*)?:((?:[^\s;,\\]|\\.)*)")
# The lines worth reading: those not indented, and indented ones that may be a prefix
# declaration. The search skips from newline to newline in C; reading every line in Python
# took a tenth of a validation at a million triples, for the one line in twelve that opens
# a block. Lines are counted by newlines, as editors and `grep -n` count them.
_CANDIDATE = re.compile(r"\n(?=[^ \t\r\n]|[ \t]+[@Pp])")
_LOCAL_ESCAPE = re.compile(r"\\(.)")


@dataclass(frozen=True)
class Location:
    """Where a node's block starts.

    Attributes:
        path: The file.
        line: The 1-based line number.
    """

    path: Path
    line: int


@dataclass(frozen=True)
class Anchor:
    """The named node under which a node is described.

    Attributes:
        node: The named node: the node itself if it is an IRI.
        steps: The predicates leading from ``node`` down to a blank node (empty for an IRI).
        location: Where ``node``'s block starts, or None if no file starts one.
    """

    node: URIRef
    steps: tuple[URIRef, ...]
    location: Location | None


class SubjectIndex:
    """The line where each named subject's block starts, over a set of Turtle files.

    Where a subject has blocks in several files, the first file given wins.
    """

    def __init__(self, files: Iterable[Path]) -> None:
        """Read ``files`` and index the subjects that start their lines.

        Args:
            files: Turtle, TriG or N-Triples files; other RDF syntaxes are skipped, since
                their text has no subject-per-line layout.
        """
        self._files = [p for p in files if p.suffix.lower() in {".ttl", ".trig", ".nt"}]
        self._found: dict[str, Location] | None = None  # by IRI: URIRefs cost a check each

    @property
    def _locations(self) -> dict[str, Location]:
        # Read on first use: data that conforms has no result to place, and reading the
        # files took a tenth of a validation at a million triples.
        if self._found is None:
            found: dict[str, Location] = {}
            for path in self._files:
                _index_file(path, found)
            self._found = found
        return self._found

    def locate(self, node: URIRef) -> Location | None:
        """Return where ``node``'s block starts, or None if no file starts one."""
        return self._locations.get(str(node))

    def anchor(self, graph: Graph, node: Node) -> Anchor | None:
        """Find the named node under which ``node`` is described, and where that is.

        Args:
            graph: The graph that holds ``node`` and the triples linking it to its ancestors.
            node: An IRI or a blank node.

        Returns:
            ``node`` itself for an IRI; for a blank node, its nearest named ancestor and the
            predicates leading from it down to the blank node; None for a literal or a
            blank node that no named node holds.
        """
        if isinstance(node, URIRef):
            return Anchor(node, (), self.locate(node))
        if not isinstance(node, BNode):
            return None
        found = _nearest_named_ancestor(graph, node, self._locations)
        if found is None:
            return None
        ancestor, steps = found
        return Anchor(ancestor, steps, self.locate(ancestor))


def _index_file(path: Path, found: dict[str, Location]) -> None:
    """Add where each subject of ``path`` starts its block (the first place wins)."""
    prefixes: dict[str, str] = {}
    text = path.read_text(encoding="utf-8", errors="replace")
    starts = itertools.chain((0,), (match.end() for match in _CANDIDATE.finditer(text)))
    number, counted = 1, 0
    for start in starts:
        number += text.count("\n", counted, start)
        counted = start
        declared = _PREFIX.match(text, start)
        if declared:
            prefixes[declared.group(1) or ""] = declared.group(2)
            continue
        subject = _SUBJECT.match(text, start)
        if subject is None:
            continue
        iri = _resolve(subject, prefixes)
        if iri is not None:
            found.setdefault(iri, Location(path, number))


def _resolve(subject: re.Match[str], prefixes: dict[str, str]) -> str | None:
    full_iri, prefix, local = subject.groups()
    if full_iri is not None:
        return str(full_iri)
    namespace = prefixes.get(prefix or "")
    if namespace is None:
        return None
    # A local name cannot end with a dot: that dot ends the statement.
    return namespace + _LOCAL_ESCAPE.sub(r"\1", local.rstrip("."))


def _nearest_named_ancestor(
    graph: Graph, node: BNode, located: dict[str, Location]
) -> tuple[URIRef, tuple[URIRef, ...]] | None:
    # Breadth-first over incoming triples: the closest holder wins; among holders at the
    # same distance, one that some file describes is preferred.
    # ``below[n]`` is the (child, predicate) by which ``n`` was reached.
    below: dict[Node, tuple[Node, URIRef]] = {}
    frontier: list[Node] = [node]
    while frontier:
        found: list[URIRef] = []
        next_frontier: list[Node] = []
        for current in frontier:
            for holder, predicate in sorted(graph.subject_predicates(current), key=str):
                if holder == node or holder in below or not isinstance(predicate, URIRef):
                    continue
                below[holder] = (current, predicate)
                if isinstance(holder, URIRef):
                    found.append(holder)
                else:
                    next_frontier.append(holder)
        if found:
            ancestor = next((a for a in found if str(a) in located), found[0])
            return ancestor, _steps_down(ancestor, node, below)
        frontier = next_frontier
    return None


def _steps_down(
    ancestor: URIRef, node: Node, below: dict[Node, tuple[Node, URIRef]]
) -> tuple[URIRef, ...]:
    steps: list[URIRef] = []
    current: Node = ancestor
    while current != node:
        current, predicate = below[current]
        steps.append(predicate)
    return tuple(steps)
