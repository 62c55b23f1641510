"""SHACL property paths written in SPARQL's syntax, for validation reports and the shapes' list.

A module of its own, on rdflib alone: the list of shapes is a page of the server, which has
no use for pyshacl (13 MiB in a process that serves for weeks) beside it.
"""

from __future__ import annotations

from rdflib import Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from swapgraph.namespaces import term

_UNARY_PATHS = {
    SH.inversePath: "^{}",
    SH.zeroOrMorePath: "{}*",
    SH.oneOrMorePath: "{}+",
    SH.zeroOrOnePath: "{}?",
}


def sparql_path(shapes: Graph, path: Node) -> str:
    """Write a SHACL property path in SPARQL syntax.

    Args:
        shapes: The graph that holds the path's nodes (sequences and alternatives are lists).
        path: An IRI, or the node of a sequence, alternative or unary path.
    """
    if isinstance(path, URIRef):
        return term(path)
    if shapes.value(path, RDF.first) is not None:
        return "/".join(sparql_path(shapes, step) for step in Collection(shapes, path))
    alternatives = shapes.value(path, SH.alternativePath)
    if alternatives is not None:
        inner = "|".join(sparql_path(shapes, step) for step in Collection(shapes, alternatives))
        return f"({inner})"
    for predicate, template in _UNARY_PATHS.items():
        inner_path = shapes.value(path, predicate)
        if inner_path is not None:
            return template.format(sparql_path(shapes, inner_path))
    return term(path)
