"""A semantic diff of two versions of a graph project, entity by entity.

Two versions are compared the way a reviewer reads them, not line by line: each named
node (an exchange, an agreement, a state, an ontology term) is an *entity*, and the diff
says which entities were added or removed and, for the others, which of their values
changed::

    exchange 2025-10-02 Russia-Ukraine: people to Ukraine 185 → 205; source added <https://…>

Blank nodes are never compared by their ids, which mean nothing across two parses. A blank
node written inside an entity (a transfer, a mediation, a claim) is part of that entity and
is matched with its counterpart by what identifies it there: a transfer by the actors that
released and received its people, a mediation by its actor and role, a claim by the
property it is about, its sources and who made it. Any other blank node is matched by its
whole content. A value of a functional property (``owl:FunctionalProperty`` in either
version of the ontology) that differs is reported as changed; other values as added or
removed.

The old version is either another project directory or a git revision of this one
(:func:`materialise_revision`).
"""

from __future__ import annotations

import io
import subprocess
import tarfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from tempfile import TemporaryDirectory
from typing import Literal as Status

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS
from rdflib.term import Node

from swapgraph.errors import SwapgraphError
from swapgraph.load import data_graph, ontology_graph
from swapgraph.namespaces import SWAP, compact
from swapgraph.paths import Project

__all__ = [
    "Change",
    "EntityDiff",
    "ProjectDiff",
    "diff_graphs",
    "diff_project_graphs",
    "diff_projects",
    "has_revision",
    "materialise_revision",
]

#: What identifies a blank node of each class among its siblings; other blank nodes are
#: identified by their whole content.
_IDENTITY: dict[URIRef, tuple[URIRef, ...]] = {
    SWAP.Transfer: (SWAP.releasedBy, SWAP.receivedBy),
    SWAP.Mediation: (SWAP.actor, SWAP.role),
    SWAP.Claim: (SWAP.claimedProperty, DCTERMS.source, SWAP.claimedBy),
}
#: The folders a revision needs to be compared: the vocabulary and the knowledge graph.
_COMPARED_FOLDERS = ("ontology", "graph", "shapes")
_LABELS = (SKOS.prefLabel, RDFS.label)
_ONTOLOGY_KINDS = {
    OWL.Ontology: "ontology",
    OWL.Class: "class",
    OWL.ObjectProperty: "property",
    OWL.DatatypeProperty: "property",
    OWL.AnnotationProperty: "property",
    SKOS.ConceptScheme: "concept scheme",
}


@dataclass(frozen=True)
class Change:
    """One difference inside an entity.

    Attributes:
        field: What changed, as a person reads it ("people to Ukraine", "source").
        property: The IRI of the property whose value changed.
        old: The old value as text; ``None`` when a value was added.
        new: The new value as text; ``None`` when a value was removed.
    """

    field: str
    property: str
    old: str | None
    new: str | None

    def __str__(self) -> str:
        if self.old is None:
            return f"{self.field} added {self.new}"
        if self.new is None:
            return f"{self.field} removed {self.old}"
        return f"{self.field} {self.old} → {self.new}"


@dataclass(frozen=True)
class EntityDiff:
    """How one entity differs between the two versions.

    Attributes:
        kind: The entity's class as a person reads it ("exchange", "state", "class").
        iri: The entity's IRI (for an anonymous top-level node, what identifies it).
        label: A readable name ("2025-10-02 Russia-Ukraine", the parties joined by an en dash).
        status: ``added``, ``removed`` or ``changed``.
        changes: For a changed entity, each difference; empty otherwise.
    """

    kind: str
    iri: str
    label: str
    status: Status["added", "removed", "changed"]
    changes: tuple[Change, ...] = ()

    def __str__(self) -> str:
        if self.status != "changed":
            return f"{self.kind} {self.label}: {self.status}"
        return f"{self.kind} {self.label}: " + "; ".join(str(c) for c in self.changes)

    def to_json(self) -> dict[str, object]:
        """Return the entity's diff as plain JSON values."""
        return {
            "kind": self.kind,
            "iri": self.iri,
            "label": self.label,
            "status": self.status,
            "changes": [
                {"field": c.field, "property": c.property, "old": c.old, "new": c.new}
                for c in self.changes
            ],
        }


@dataclass(frozen=True)
class ProjectDiff:
    """The differences between two versions of a project: vocabulary and data apart."""

    ontology: tuple[EntityDiff, ...]
    data: tuple[EntityDiff, ...]

    @property
    def empty(self) -> bool:
        """True if the two versions say the same things."""
        return not self.ontology and not self.data

    def to_json(self) -> dict[str, object]:
        """Return the diff as plain JSON values."""
        return {
            "ontology": [e.to_json() for e in self.ontology],
            "data": [e.to_json() for e in self.data],
        }

    def to_text(self) -> str:
        """Return the diff as lines a person reads, one per entity."""
        lines: list[str] = []
        for title, entities in (("ontology", self.ontology), ("data", self.data)):
            if not entities:
                lines.append(f"{title}: no changes")
                continue
            lines.append(f"{title}:")
            lines.extend(f"  {entity}" for entity in entities)
        return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- descriptions


@dataclass
class _Nested:
    """A blank node written inside an entity, with the key that matches it across versions."""

    key: str
    kind: str
    label: str
    values: dict[URIRef, dict[str, _Value]] = field(default_factory=dict)


_Value = URIRef | Literal | _Nested


class _Describer:
    """Turns a graph into entity descriptions; knows labels from both versions."""

    def __init__(self, graph: Graph, names: Graph) -> None:
        self.graph = graph
        self.names = names
        incoming: dict[BNode, int] = {}
        for obj in graph.objects():
            if isinstance(obj, BNode):
                incoming[obj] = incoming.get(obj, 0) + 1
        # As in canonical Turtle: a blank node cited once is written inside its citer.
        self.nested = {b for b, n in incoming.items() if n == 1}

    # ---- naming

    def name(self, node: Node) -> str:
        """A readable name for an IRI or literal."""
        if isinstance(node, Literal):
            if node.datatype is None or node.datatype.endswith("#string"):
                return f'"{node}"'
            return str(node)
        if isinstance(node, URIRef):
            # This version's own label first, so that a renamed term shows its new name.
            for graph in (self.graph, self.names):
                for predicate in _LABELS:
                    labels = sorted(str(o) for o in graph.objects(node, predicate))
                    if labels:
                        return labels[0]
            return compact(node)
        return "[]"

    def kind(self, node: Node) -> str:
        types = set(self.graph.objects(node, RDF.type))
        for owl_type, kind in _ONTOLOGY_KINDS.items():
            if owl_type in types:
                return kind
        named = sorted((t for t in types if isinstance(t, URIRef)), key=str)
        for t in named:
            if t.startswith(str(SWAP)):
                return self.name(t)
        return self.name(named[0]) if named else "node"

    def entity_label(self, node: URIRef) -> str:
        if (node, RDF.type, SWAP.Exchange) in self.graph:
            dates = sorted(str(d) for d in self.graph.objects(node, SWAP.date))
            parties = {
                actor
                for transfer in self.graph.objects(node, SWAP.transfer)
                for p in (SWAP.releasedBy, SWAP.receivedBy)
                for actor in self.graph.objects(transfer, p)
            }
            names = sorted(self.name(p) for p in parties)
            return " ".join([*dates[:1], "\N{EN DASH}".join(names)]).strip() or compact(node)
        return self.name(node)

    # ---- descriptions

    def describe(
        self, node: Node, seen: frozenset[Node] = frozenset()
    ) -> dict[URIRef, dict[str, _Value]]:
        """The values of ``node`` by predicate, each keyed by what identifies it."""
        by_predicate: dict[URIRef, list[Node]] = {}
        for p, o in self.graph.predicate_objects(node):
            by_predicate.setdefault(p, []).append(o)  # type: ignore[arg-type]
        seen = seen | {node}
        values: dict[URIRef, dict[str, _Value]] = {}
        for predicate, objects in by_predicate.items():
            keyed: dict[str, _Value] = {}
            blanks = [o for o in objects if isinstance(o, BNode) and o not in seen]
            labels = self._sibling_labels(blanks)
            for obj in objects:
                if not isinstance(obj, BNode):
                    keyed[obj.n3()] = obj  # type: ignore[assignment]
                elif obj in seen:  # a cycle of blank nodes: name the kind, go no deeper
                    keyed["cycle:" + self.kind(obj)] = _Nested("cycle", self.kind(obj), "[]")
                else:
                    inner = self.describe(obj, seen)
                    # A node cited elsewhere too is not this entity's own: match by content.
                    if obj in self.nested:
                        key = self._identity(obj, inner)
                    else:
                        key = "content:" + _content_key(inner)
                    while key in keyed:  # indistinguishable siblings: keep both
                        key += "'"
                    keyed[key] = _Nested(key, self.kind(obj), labels[obj], inner)
            values[predicate] = keyed
        return values

    def _identity(self, node: BNode, values: dict[URIRef, dict[str, _Value]]) -> str:
        types = sorted(str(t) for t in self.graph.objects(node, RDF.type))
        identifying = next((props for cls, props in _IDENTITY.items() if str(cls) in types), None)
        if identifying is None:
            return "content:" + _content_key(values)
        parts = [",".join(types)]
        for prop in identifying:
            parts.append(",".join(sorted(values.get(prop, {}))))
        return "|".join(parts)

    def _sibling_labels(self, nodes: list[BNode]) -> dict[BNode, str]:
        """Labels for blank nodes under one predicate, told apart from their siblings."""
        labels: dict[BNode, str] = {}
        receivers = {n: self._names(n, SWAP.receivedBy) for n in nodes}
        for node in nodes:
            if (node, RDF.type, SWAP.Transfer) in self.graph:
                to = receivers[node]
                unique = sum(1 for other in nodes if receivers[other] == to) == 1
                source = "" if unique else f"from {self._names(node, SWAP.releasedBy)} "
                labels[node] = f"{source}to {to}"
            elif (node, RDF.type, SWAP.Mediation) in self.graph:
                role = self._names(node, SWAP.role)
                labels[node] = f"{self._names(node, SWAP.actor)} ({role})"
            elif (node, RDF.type, SWAP.Claim) in self.graph:
                claimed = self._names(node, SWAP.claimedProperty)
                labels[node] = f"{claimed} per {self._names(node, DCTERMS.source)}"
            else:
                labels[node] = self.kind(node)
        return labels

    def _names(self, node: Node, predicate: URIRef) -> str:
        return ", ".join(sorted(self.name(o) for o in self.graph.objects(node, predicate))) or "?"

    def entities(self) -> dict[str, tuple[URIRef | BNode, dict[URIRef, dict[str, _Value]]]]:
        """Every top-level node: IRIs by their text, other blank nodes by their content."""
        out: dict[str, tuple[URIRef | BNode, dict[URIRef, dict[str, _Value]]]] = {}
        for subject in set(self.graph.subjects()):
            if isinstance(subject, BNode) and subject in self.nested:
                continue
            values = self.describe(subject)
            if isinstance(subject, URIRef):
                out[str(subject)] = (subject, values)
            elif isinstance(subject, BNode):
                out["_:" + _content_key(values)] = (subject, values)
        return out


def _content_key(values: dict[URIRef, dict[str, _Value]]) -> str:
    parts = []
    for predicate in sorted(values):
        for key, value in sorted(values[predicate].items()):
            inner = _content_key(value.values) if isinstance(value, _Nested) else key
            parts.append(f"{predicate.n3()} {inner}")
    return "{" + " ; ".join(parts) + "}"


# --------------------------------------------------------------------------- comparison


class _Comparer:
    def __init__(self, old: _Describer, new: _Describer, functional: set[URIRef]) -> None:
        self.old = old
        self.new = new
        self.functional = functional

    def property_name(self, predicate: URIRef) -> str:
        label = self.new.name(predicate)
        if label == compact(predicate) and not label.startswith("<"):
            return label.split(":", 1)[1]  # no label: the local name reads best
        return label

    def render(self, value: _Value, describer: _Describer) -> str:
        if isinstance(value, _Nested):
            return value.label
        return describer.name(value)

    def compare(
        self,
        old: dict[URIRef, dict[str, _Value]],
        new: dict[URIRef, dict[str, _Value]],
        context: str,
        out: list[Change],
    ) -> None:
        for predicate in sorted(set(old) | set(new), key=self.property_name):
            before, after = old.get(predicate, {}), new.get(predicate, {})
            removed = [before[k] for k in sorted(before) if k not in after]
            added = [after[k] for k in sorted(after) if k not in before]
            name = self.property_name(predicate) + context
            if (
                len(removed) == len(added) == 1
                and not isinstance(removed[0], _Nested)
                and not isinstance(added[0], _Nested)
                and (predicate in self.functional or isinstance(added[0], Literal))
            ):
                out.append(
                    Change(
                        name,
                        str(predicate),
                        self.render(removed[0], self.old),
                        self.render(added[0], self.new),
                    )
                )
                continue
            out.extend(
                Change(name, str(predicate), self.render(v, self.old), None) for v in removed
            )
            out.extend(Change(name, str(predicate), None, self.render(v, self.new)) for v in added)
            for key in sorted(set(before) & set(after)):
                was, now = before[key], after[key]
                if isinstance(was, _Nested) and isinstance(now, _Nested):
                    inner = (
                        f" {now.label}" if now.kind == "transfer" else f" [{now.kind} {now.label}]"
                    )
                    self.compare(was.values, now.values, context + inner, out)


def diff_graphs(old: Graph, new: Graph, names: Graph, functional: set[URIRef]) -> list[EntityDiff]:
    """Compare two graphs entity by entity.

    Args:
        old: The earlier version.
        new: The later version.
        names: Where labels of IRIs are looked up (both versions and their ontologies).
        functional: Properties that hold one value, whose differing values are "changed".

    Returns:
        One entry per entity that differs, sorted by kind and label.
    """
    old_side, new_side = _Describer(old, names), _Describer(new, names)
    comparer = _Comparer(old_side, new_side, functional)
    before, after = old_side.entities(), new_side.entities()
    diffs: list[EntityDiff] = []
    for key in set(before) | set(after):
        if key not in after:
            node, _ = before[key]
            diffs.append(_entity(old_side, node, key, "removed"))
        elif key not in before:
            node, _ = after[key]
            diffs.append(_entity(new_side, node, key, "added"))
        else:
            node, values = after[key]
            changes: list[Change] = []
            comparer.compare(before[key][1], values, "", changes)
            if changes:
                diffs.append(_entity(new_side, node, key, "changed", tuple(changes)))
    return _distinct_labels(sorted(diffs, key=lambda d: (d.kind, d.label, d.iri)))


def _distinct_labels(diffs: list[EntityDiff]) -> list[EntityDiff]:
    """Add the IRI to labels that two entities of one kind share (same-day exchanges)."""
    shared = Counter((d.kind, d.label) for d in diffs)
    return [
        replace(d, label=f"{d.label} ({compact(URIRef(d.iri))})")
        if shared[(d.kind, d.label)] > 1 and not d.iri.startswith("_:")
        else d
        for d in diffs
    ]


def _entity(
    describer: _Describer,
    node: URIRef | BNode,
    key: str,
    status: Status["added", "removed", "changed"],
    changes: tuple[Change, ...] = (),
) -> EntityDiff:
    label = describer.entity_label(node) if isinstance(node, URIRef) else key
    return EntityDiff(describer.kind(node), key, label, status, changes)


def diff_projects(old: Project, new: Project) -> ProjectDiff:
    """Compare two versions of a project: its vocabulary and its knowledge graph.

    Args:
        old: The earlier version.
        new: The later version.

    Returns:
        The differences, ontology and data apart.

    Raises:
        RDFSyntaxError: If a file of either version does not parse.
    """
    return diff_project_graphs(
        ontology_graph(old), ontology_graph(new), data_graph(old), data_graph(new)
    )


def diff_project_graphs(
    old_ontology: Graph, new_ontology: Graph, old_data: Graph, new_data: Graph
) -> ProjectDiff:
    """Compare two versions of a project given as parsed graphs (see :func:`diff_projects`).

    For a caller that has the graphs already: parsing is most of a diff's time.

    Args:
        old_ontology: The earlier vocabulary.
        new_ontology: The later vocabulary.
        old_data: The earlier knowledge graph.
        new_data: The later knowledge graph.

    Returns:
        The differences, ontology and data apart.
    """
    names = old_ontology + old_data + new_ontology + new_data
    functional = {
        p for p in names.subjects(RDF.type, OWL.FunctionalProperty) if isinstance(p, URIRef)
    }
    return ProjectDiff(
        ontology=tuple(diff_graphs(old_ontology, new_ontology, names, functional)),
        data=tuple(diff_graphs(old_data, new_data, names, functional)),
    )


# --------------------------------------------------------------------------- git


@contextmanager
def materialise_revision(project: Project, revision: str) -> Iterator[Project]:
    """Check out a git revision of the project's content into a temporary directory.

    Only the content folders are extracted; the working tree is not touched. A folder that
    did not exist at that revision is empty.

    Args:
        project: The project, inside a git work tree.
        revision: Anything ``git`` accepts as a commit (a tag, a branch, ``HEAD~3``).

    Yields:
        The project as it was at ``revision``.

    Raises:
        SwapgraphError: If the project is not in a git work tree or the revision is unknown.
    """
    prefix = _git(project.root, "rev-parse", "--show-prefix").decode().strip()
    top = Path(_git(project.root, "rev-parse", "--show-toplevel").decode().strip())
    # Run from the top: in a subdirectory, git archive keeps only that subdirectory's part
    # of the tree it is given.
    archive = _git(top, "archive", "--format=tar", f"{revision}:{prefix}")
    with TemporaryDirectory(prefix="swapgraph-rev-") as temp:
        root = Path(temp)
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            # Only plain files and folders of the compared folders: what tarfile's "data"
            # filter allows, checked here too because Pythons before 3.11.4 lack the filter.
            members = [
                m
                for m in tar.getmembers()
                if PurePosixPath(m.name).parts[:1] in {(f,) for f in _COMPARED_FOLDERS}
                and ".." not in PurePosixPath(m.name).parts
                and (m.isfile() or m.isdir())
            ]
            if hasattr(tarfile, "data_filter"):
                tar.extractall(root, members=members, filter="data")
            else:  # pragma: no cover - Python < 3.11.4
                tar.extractall(root, members=members)
        for folder in _COMPARED_FOLDERS:
            (root / folder).mkdir(exist_ok=True)
        yield Project(root)


def has_revision(project: Project, revision: str) -> bool:
    """Tell whether the project lies in a git work tree that knows ``revision``."""
    try:
        _git(project.root, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
    except SwapgraphError:
        return False
    return True


def _git(directory: Path, *args: str) -> bytes:
    try:
        done = subprocess.run(
            ["git", "-C", str(directory), *args], capture_output=True, check=False
        )
    except OSError as exc:
        raise SwapgraphError(f"cannot run git: {exc.strerror or exc}") from None
    if done.returncode != 0:
        message = done.stderr.decode(errors="replace").strip().splitlines()
        reason = message[-1] if message else f"exit status {done.returncode}"
        raise SwapgraphError(f"{directory}: git {args[0]} failed: {reason}")
    return done.stdout
