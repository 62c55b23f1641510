"""A readable list of the SHACL shapes: what each one targets, which paths it checks, and why.

Other projects reuse the shapes by IRI (``sh:shapesGraph <https://w3id.org/swapgraph/shapes>``);
people choosing whether to do so read this list, served as the HTML form of ``/shapes``.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from swapgraph.namespaces import term
from swapgraph.shacl_paths import sparql_path

_TARGETS = {
    SH.targetClass: "instances of",
    SH.targetNode: "the node",
    SH.targetSubjectsOf: "subjects of",
    SH.targetObjectsOf: "objects of",
}


@dataclass(frozen=True)
class ShapeSummary:
    """One shape as a person reads it.

    Attributes:
        iri: The shape's IRI.
        name: Its compact name (``swapsh:ExchangeShape``), also the page anchor.
        kind: ``node shape`` or ``property shape``.
        severity: ``Violation``, ``Warning`` or ``Info``.
        targets: What it applies to, in words (``instances of swap:Exchange``).
        paths: The property paths it checks, in SPARQL path syntax.
        message: What a report says when it fails.
        used_by: The node shapes that include it (for property shapes).
    """

    iri: URIRef
    name: str
    kind: str
    severity: str
    targets: tuple[str, ...]
    paths: tuple[str, ...]
    message: str
    used_by: tuple[str, ...]


def summarise(shapes: Graph) -> list[ShapeSummary]:
    """Every named shape of ``shapes``, node shapes first, each group by name."""

    def short(node: Node) -> str:
        return term(node) if isinstance(node, URIRef) else str(node)

    def path_text(path: Node) -> str:
        return sparql_path(shapes, path)

    summaries = []
    for kind, shape_class in (("node shape", SH.NodeShape), ("property shape", SH.PropertyShape)):
        for shape in sorted(shapes.subjects(RDF.type, shape_class), key=str):
            if not isinstance(shape, URIRef):
                continue
            targets = [
                f"{words} {short(o)}"
                for predicate, words in _TARGETS.items()
                for o in sorted(shapes.objects(shape, predicate), key=str)
            ]
            targets += [
                f"the nodes selected by the SPARQL target {short(t)}"
                for t in sorted(shapes.objects(shape, SH.target), key=str)
            ]
            paths = [path_text(p) for p in shapes.objects(shape, SH.path)]
            paths += [
                path_text(p)
                for prop in shapes.objects(shape, SH.property)
                for p in shapes.objects(prop, SH.path)
            ]
            severity = shapes.value(shape, SH.severity) or SH.Violation
            summaries.append(
                ShapeSummary(
                    shape,
                    short(shape),
                    kind,
                    str(severity).removeprefix(str(SH)),
                    tuple(targets),
                    tuple(sorted(set(paths))),
                    " ".join(str(m) for m in shapes.objects(shape, SH.message)),
                    tuple(sorted(short(s) for s in shapes.subjects(SH.property, shape))),
                )
            )
    return summaries
