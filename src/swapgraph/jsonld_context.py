"""The JSON-LD context of the vocabulary, generated from the ontology, and compaction with it.

A web developer reading swapgraph's JSON-LD should see ``"date": "2025-05-23"`` and
``"releasedBy": "state:russia"``, not ``"swap:date": [{"@value": …}]``. The context gives
every class and property of the ontology its local name as a term; object properties are
coerced to ``@id``; datatype properties carry their range as ``@type`` (integers and
booleans stay native JSON numbers and booleans instead). It is built from the ontology each
time, never kept as a hand-written copy that could drift from it.

Documents are compacted here (:func:`compact`), not by rdflib: rdflib 7.6's JSON-LD
serializer drops the blank nodes that a property coerced to ``@id`` points at (an exchange's
transfers). The tests read what this writes back with PyLD, the JSON-LD reference processor
for Python, and with rdflib, and compare the graphs.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD
from rdflib.term import Node

from swapgraph.errors import SwapgraphError
from swapgraph.namespaces import PREFIXES, SWAP

if TYPE_CHECKING:  # the query engines are for the server; a release only writes files
    from swapgraph.engine import Engine

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
    from swapgraph.engine import GraphResult

    result = engine.query(_VOCABULARY)
    if not isinstance(result, GraphResult):
        raise SwapgraphError("the vocabulary query did not return a graph")
    return result.graph


def document(ontology: Graph) -> dict[str, Any]:
    """The context as a document of its own, as served at ``/context.jsonld``."""
    return {"@context": context(ontology)}


def compact(graph: Graph, terms: dict[str, Any]) -> dict[str, Any]:
    """``graph`` as compacted JSON-LD (flattened: one node object per subject).

    The context this module makes holds only prefixes and terms with an ``@id`` and at most
    a ``@type``; for such a context, compacting a flat graph is a lookup per triple, which
    this does directly (a general JSON-LD processor took seconds on the 5,000 triples of the
    project). The tests check that PyLD and rdflib read the result back to the same graph.

    Args:
        graph: The triples.
        terms: The context's content (:func:`context`).
    """
    writer = _Compactor(terms)
    nodes = [writer.node(graph, subject) for subject in sorted(set(graph.subjects()), key=_key)]
    return {"@context": terms, "@graph": nodes}


def _key(node: Node) -> tuple[int, str]:
    return (isinstance(node, BNode), str(node))


class _Compactor:
    """Writes terms, IRIs and literals as this context compacts them."""

    def __init__(self, terms: dict[str, Any]) -> None:
        # Longest namespace first: the most specific prefix names an IRI.
        found = [
            (iri, name)
            for name, iri in terms.items()
            if isinstance(iri, str) and iri.endswith(("/", "#")) and ":" in iri
        ]
        self.prefixes = dict(sorted(found, key=lambda pair: -len(pair[0])))
        self.by_iri: dict[str, tuple[str, str | None]] = {}
        for name, definition in terms.items():
            if isinstance(definition, dict):
                iri, kind = self.expand(definition["@id"]), definition.get("@type")
                self.by_iri[iri] = (name, self.expand(kind) if kind and kind != "@id" else kind)
            elif str(definition).startswith("swap:"):
                self.by_iri[self.expand(definition)] = (name, None)

    def expand(self, compact_iri: str) -> str:
        prefix, _, local = compact_iri.partition(":")
        for namespace, name in self.prefixes.items():
            if name == prefix:
                return namespace + local
        return compact_iri

    def iri(self, iri: str) -> str:
        """A compact IRI where a prefix fits, else the IRI (document-relative positions)."""
        for namespace, name in self.prefixes.items():
            local = iri[len(namespace) :]
            if iri.startswith(namespace) and local and not local.startswith("//"):
                return f"{name}:{local}"
        return iri

    def vocab(self, iri: str) -> str:
        """A term where one names exactly ``iri`` with no coercion, else a compact IRI."""
        found = self.by_iri.get(iri)
        if found is not None and found[1] is None:
            return found[0]
        return self.iri(iri)

    def node(self, graph: Graph, subject: Node) -> dict[str, Any]:
        node: dict[str, Any] = {"@id": self.reference(subject)}
        values: dict[str, list[Any]] = {}
        for predicate, value in sorted(graph.predicate_objects(subject), key=_pair_key):
            if predicate == RDF.type and not isinstance(value, Literal):
                values.setdefault("@type", []).append(self.vocab_type(value))
                continue
            key, written = self.value(str(predicate), value)
            values.setdefault(key, []).append(written)
        for key, found in values.items():
            node[key] = found[0] if len(found) == 1 else found
        return node

    def vocab_type(self, value: Node) -> str:
        return self.vocab(str(value)) if isinstance(value, URIRef) else self.reference(value)

    def reference(self, node: Node) -> str:
        return f"_:{node}" if isinstance(node, BNode) else self.iri(str(node))

    def value(self, predicate: str, value: Node) -> tuple[str, Any]:
        """The key and the JSON value of one triple's object."""
        term = self.by_iri.get(predicate)
        coercion = term[1] if term else None
        fallback = self.iri(predicate)
        if not isinstance(value, Literal):
            if term and coercion == "@id":
                return term[0], self.reference(value)
            return (term[0] if term and coercion is None else fallback), {
                "@id": self.reference(value)
            }
        if term and coercion is not None and coercion != "@id":
            if value.datatype is not None and str(value.datatype) == coercion:
                return term[0], str(value)
            return fallback, self.literal(value)
        return (term[0] if term and coercion is None else fallback), self.literal(value)

    def literal(self, value: Literal) -> Any:
        """A literal where no coercion applies: native, plain or a value object."""
        text = str(value)
        if value.language:
            return {"@value": text, "@language": value.language}
        if value.datatype in (None, XSD.string):
            return text
        if value.datatype == XSD.boolean and text in ("true", "false"):
            return text == "true"
        if value.datatype == XSD.integer and re.fullmatch(r"-?(0|[1-9][0-9]*)", text):
            return int(text)
        return {"@value": text, "@type": self.vocab(str(value.datatype))}


def _pair_key(pair: tuple[Node, Node]) -> tuple[str, str, str]:
    predicate, value = pair
    return (str(predicate), type(value).__name__, str(value))


def to_text(graph: Graph, terms: dict[str, Any]) -> str:
    """``graph`` as compacted JSON-LD text (see :func:`compact`)."""
    return json.dumps(compact(graph, terms), indent=1, ensure_ascii=False) + "\n"
