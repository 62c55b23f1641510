"""rdflib's SPARQL engine as every part of swapgraph that uses it must have it: closed, and fast.

rdflib would fetch any ``http:`` or ``file:`` IRI named in ``FROM``, and makes its default
graph the union of all graphs; :func:`configure` switches the first off for the whole
process and makes the default graph the dataset's own, as SPARQL 1.1 specifies. It also gives
rdflib a hash join (:mod:`swapgraph.sparql_join`), which answers the same.

Called by the modules that run SPARQL on rdflib (the rdflib engine, validation, the name
resolver over an rdflib graph) when they are imported, and by nothing else: the server, whose
queries run on Oxigraph, never loads rdflib's SPARQL (8 MiB).
"""

from __future__ import annotations

import rdflib.plugins.sparql

from swapgraph import sparql_join


def configure() -> None:
    """Close rdflib's SPARQL to the outside and give it its hash join (idempotent)."""
    rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False
    rdflib.plugins.sparql.SPARQL_DEFAULT_GRAPH_UNION = False
    sparql_join.install()
