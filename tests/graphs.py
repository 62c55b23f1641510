"""Graph comparison for tests: isomorphism through Oxigraph's canonical blank-node labels.

``rdflib.compare.isomorphic`` searches blank-node mappings in Python: over the whole
repository graph (hundreds of blank nodes) it takes a minute. Oxigraph relabels the blank
nodes of each graph canonically, in Rust, after which two isomorphic graphs are equal sets of
triples; the comparison then takes a second. Terms are compared as RDF 1.1 defines them, so
``"x"`` and ``"x"^^xsd:string`` are one term (rdflib keeps them apart).
"""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import Graph


def canonical(graph: Graph) -> ox.Dataset:
    """The triples of ``graph`` with its blank nodes relabelled canonically."""
    dataset = ox.Dataset(ox.parse(graph.serialize(format="nt"), ox.RdfFormat.N_TRIPLES))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return dataset


def isomorphic(first: Graph, second: Graph) -> bool:
    """Whether the two graphs are the same up to the names of their blank nodes."""
    return canonical(first) == canonical(second)
