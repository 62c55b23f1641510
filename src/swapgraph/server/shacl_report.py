"""A validation report as a SHACL validation report graph, for clients that read RDF.

:mod:`swapgraph.validate` writes each result's terms as Turtle text with the project's
prefixes; here they become RDF terms again. A focus node that is a blank node nested in an
exchange is written as a blank node whose ``rdfs:comment`` says where it sits (the path text
of the report), and a property path longer than one property is left out (``sh:resultPath``
is optional), so the graph never states a term the report did not name.
"""

from __future__ import annotations

from rdflib import BNode, Graph, Literal
from rdflib.namespace import RDF, RDFS, SH, XSD
from rdflib.term import Node

from swapgraph.namespaces import PREFIXES, bind_prefixes
from swapgraph.report import ValidationReport

_TURTLE_PREFIXES = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in PREFIXES.items())


def report_graph(report: ValidationReport) -> Graph:
    """Build the ``sh:ValidationReport`` of ``report``, with one ``sh:result`` per finding."""
    graph = bind_prefixes(Graph())
    graph.bind("sh", SH)
    root = BNode()
    graph.add((root, RDF.type, SH.ValidationReport))
    graph.add((root, SH.conforms, Literal(report.conforms, datatype=XSD.boolean)))
    nested: dict[str, BNode] = {}  # one blank node per nested focus, however many findings
    for finding in report.results:
        result = BNode()
        graph.add((root, SH.result, result))
        graph.add((result, RDF.type, SH.ValidationResult))
        graph.add((result, SH.resultSeverity, SH[finding.severity]))
        graph.add((result, SH.resultMessage, Literal(finding.message)))
        focus = _term(finding.focus)
        if focus is None:
            focus = nested.setdefault(finding.focus, BNode())
            graph.add((focus, RDFS.comment, Literal(finding.focus)))
        graph.add((result, SH.focusNode, focus))
        for predicate, text in (
            (SH.sourceShape, finding.shape),
            (SH.resultPath, finding.path),
            (SH.value, finding.value),
        ):
            term = _term(text) if text else None
            if term is not None:
                graph.add((result, predicate, term))
    return graph


def _term(text: str) -> Node | None:
    """The one RDF term ``text`` writes in Turtle, or None if it is not a single term."""
    try:
        parsed = Graph().parse(
            data=f"{_TURTLE_PREFIXES}<urn:report:s> <urn:report:p> {text} .", format="turtle"
        )
    except Exception:  # rdflib's Turtle parser raises several types for text that is no term
        return None
    objects = list(parsed.objects())
    if len(parsed) != 1 or isinstance(objects[0], BNode):
        return None
    return objects[0]
