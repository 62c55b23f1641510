"""The JSON-LD context of the vocabulary, generated from the ontology, and compaction with it.

A web developer reading swapgraph's JSON-LD should see ``"date": "2025-05-23"`` and
``"releasedBy": "state:russia"``, not ``"swap:date": [{"@value": …}]``. The context gives
every class and property of the ontology its local name as a term; object properties are
coerced to ``@id``; datatype properties carry their range as ``@type`` (integers and
booleans stay native JSON numbers and booleans instead). It is built from the ontology each
time, never kept as a hand-written copy that could drift from it.

Compaction is done by PyLD, the JSON-LD reference processor for Python: rdflib 7.6's JSON-LD
serializer drops the blank nodes that a property coerced to ``@id`` points at (an exchange's
transfers), so it cannot write with this context. No context is ever fetched: the document
loader refuses every URL.
"""

from __future__ import annotations

import json
from typing import Any

from pyld import jsonld
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD

from swapgraph.engine import Engine, GraphResult
from swapgraph.errors import SwapgraphError
from swapgraph.namespaces import PREFIXES, SWAP

#: Ranges written as native JSON values (numbers, booleans), not coerced strings.
_NATIVE = {XSD.integer, XSD.boolean}
_KINDS = (
    OWL.Class,
    RDFS.Class,
    OWL.ObjectProperty,
    OWL.DatatypeProperty,
    OWL.AnnotationProperty,
    RDF.Property,
)
_VOCABULARY = f"""
PREFIX owl: <{OWL}>
PREFIX rdfs: <{RDFS}>
CONSTRUCT {{ ?term a ?kind ; rdfs:range ?range . }} WHERE {{
  ?term a ?kind .
  FILTER(isIRI(?term) && STRSTARTS(STR(?term), "{SWAP}"))
  VALUES ?kind {{ {" ".join(k.n3() for k in _KINDS)} }}
  OPTIONAL {{ ?term rdfs:range ?range . }}
}}
"""


def context(ontology: Graph) -> dict[str, Any]:
    """The context's content (the value of ``@context``) for the ontology's vocabulary.

    Args:
        ontology: A graph declaring the vocabulary's classes and properties.

    Returns:
        Prefixes, then one term per class and property of the ``swap:`` namespace.

    Raises:
        SwapgraphError: If two terms of the vocabulary share a local name.
    """
    terms: dict[str, Any] = {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}
    owners: dict[str, URIRef] = {}
    declared = sorted(
        {
            t
            for kind in _KINDS
            for t in ontology.subjects(RDF.type, kind)
            if isinstance(t, URIRef) and _in_vocabulary(t)
        }
    )
    for term in declared:
        name = term.removeprefix(str(SWAP))
        if name in terms and owners.get(name) != term:
            raise SwapgraphError(f"{term}: the JSON-LD term {name!r} is taken")
        owners[name] = term
        terms[name] = _definition(ontology, term)
    return terms


def _in_vocabulary(term: URIRef) -> bool:
    return term.startswith(str(SWAP)) and term != URIRef(str(SWAP))


def _definition(ontology: Graph, term: URIRef) -> str | dict[str, str]:
    compact = f"swap:{term.removeprefix(str(SWAP))}"
    if (term, RDF.type, OWL.ObjectProperty) in ontology:
        return {"@id": compact, "@type": "@id"}
    if (term, RDF.type, OWL.DatatypeProperty) in ontology:
        ranges = [r for r in ontology.objects(term, RDFS.range) if isinstance(r, URIRef)]
        if len(ranges) == 1 and ranges[0].startswith(str(XSD)) and ranges[0] != XSD.string:
            if ranges[0] in _NATIVE:
                return {"@id": compact}
            return {"@id": compact, "@type": f"xsd:{ranges[0].removeprefix(str(XSD))}"}
        return {"@id": compact}
    return compact


def vocabulary(engine: Engine) -> Graph:
    """The declarations :func:`context` reads, taken from the data an engine holds."""
    result = engine.query(_VOCABULARY)
    if not isinstance(result, GraphResult):
        raise SwapgraphError("the vocabulary query did not return a graph")
    return result.graph


def document(ontology: Graph) -> dict[str, Any]:
    """The context as a document of its own, as served at ``/context.jsonld``."""
    return {"@context": context(ontology)}


def compact(graph: Graph, terms: dict[str, Any]) -> dict[str, Any]:
    """``graph`` as compacted JSON-LD with the context ``terms`` inline.

    Args:
        graph: The triples.
        terms: The context's content (:func:`context`).
    """
    lines = graph.serialize(format="nt")
    expanded = jsonld.from_rdf(lines, {"format": "application/n-quads", "useNativeTypes": True})
    options = {"documentLoader": _refuse_fetching}
    compacted: dict[str, Any] = jsonld.compact(expanded, {"@context": terms}, options)
    return compacted


def to_text(graph: Graph, terms: dict[str, Any]) -> str:
    """``graph`` as compacted JSON-LD text (see :func:`compact`)."""
    return json.dumps(compact(graph, terms), indent=1, ensure_ascii=False) + "\n"


def expand_to_graph(document_: dict[str, Any] | list[Any]) -> Graph:
    """Read JSON-LD into triples with PyLD, fetching nothing."""
    options = {"documentLoader": _refuse_fetching, "format": "application/n-quads"}
    lines: str = jsonld.to_rdf(document_, options)
    return Graph().parse(data=lines, format="nt")


def _refuse_fetching(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    raise jsonld.JsonLdError(
        f"JSON-LD contexts are inline here: {url} is not fetched", "loading document failed"
    )
