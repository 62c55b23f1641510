"""The namespaces swapgraph mints and the vocabularies it reuses."""

from __future__ import annotations

import re

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import NamespaceManager
from rdflib.term import Node

from swapgraph import prefixes

#: The prefixes of :mod:`swapgraph.prefixes`, in its order, as rdflib namespaces.
PREFIXES: dict[str, Namespace] = {
    prefix: Namespace(iri) for prefix, iri in prefixes.PREFIXES.items()
}
#: The vocabulary.
SWAP = PREFIXES["swap"]
#: Base of every instance IRI: ``ID[f"exchange/{slug}"]``.
ID = Namespace(prefixes.ID)
#: Shapes.
SWAPSH = PREFIXES["swapsh"]
SEM = PREFIXES["sem"]
WD = PREFIXES["wd"]


def bind_prefixes(graph: Graph) -> Graph:
    """Bind swapgraph's prefixes on ``graph``, replacing any others, and return it."""
    graph.namespace_manager = NamespaceManager(graph, bind_namespaces="none")
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph


# Every namespace with its prefix, the longest first: where one namespace begins another, the
# longer one is the IRI's namespace.
_BY_LENGTH = sorted(
    ((str(ns), prefix) for prefix, ns in PREFIXES.items()), key=lambda n: -len(n[0])
)
# A local name that SPARQL and Turtle read back as written (PN_LOCAL without backslash
# escapes).
_LOCAL = re.compile(
    r"(?:[^\W]|%[0-9A-Fa-f]{2})(?:(?:[\w.-]|%[0-9A-Fa-f]{2})*(?:[\w-]|%[0-9A-Fa-f]{2}))?"
)


def compact(iri: str) -> str:
    """Write an IRI as a prefixed name with the project's prefixes, or as ``<iri>``.

    The longest matching namespace wins; an IRI whose remainder is not a legal local name
    (``source:a/b``, ``state:a.``) or that no prefix matches is written in full between angle
    brackets, so that the result can always be pasted into a SPARQL query or a Turtle file.

    Args:
        iri: An absolute IRI.

    Returns:
        ``prefix:local`` or ``<iri>``.
    """
    return prefixed(iri) or f"<{iri}>"


def prefixed(iri: str) -> str | None:
    """The IRI as a prefixed name with the project's prefixes, as :func:`compact` writes it.

    Returns:
        ``prefix:local``, or None where :func:`compact` writes the IRI in full.
    """
    # Not rdflib's namespace manager: it keeps every IRI it has written, and adds each new
    # namespace it meets to a trie at a cost that grows with the trie, so that a long-lived
    # process held 42 MiB more after 100,000 IRIs and took 9.5 s over 8,000 foreign ones.
    for namespace, prefix in _BY_LENGTH:
        if iri.startswith(namespace):
            local = iri[len(namespace) :]
            return f"{prefix}:{local}" if _LOCAL.fullmatch(local) else None
    return None


def term(node: Node) -> str:
    """Write an RDF term as Turtle and SPARQL write it, IRIs by :func:`compact`.

    A literal keeps its quotes, escapes and language tag, and names its datatype by
    :func:`compact` too (``"5"^^xsd:integer``); a blank node is written ``[ ]``, since its
    label means nothing outside the graph it came from.
    """
    if isinstance(node, URIRef):
        return compact(str(node))
    if isinstance(node, Literal):
        text = Literal(str(node), lang=node.language).n3()
        return f"{text}^^{compact(str(node.datatype))}" if node.datatype is not None else text
    return "[ ]"
