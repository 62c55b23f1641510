"""Write query results as text: an aligned table for people, and the SPARQL results formats.

* ``json``: SPARQL 1.1 Query Results JSON Format (for a graph: JSON-LD);
* ``csv``: SPARQL 1.1 Query Results CSV Format (plain values, CRLF line ends);
* ``tsv``: SPARQL 1.1 Query Results TSV Format (terms in SPARQL syntax);
* ``table``: columns aligned for a terminal, IRIs shortened with the project's prefixes
  (for a graph: canonical Turtle).

A graph written as CSV or TSV is one row per triple, with columns subject, predicate and
object. ``xsd:string`` literals are written as simple literals in every format, so that the
same answer reads the same whichever engine produced it.
"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Identifier

from swapgraph.csvsafe import neutralise, neutralise_term
from swapgraph.engine import AskResult, GraphResult, QueryResult, Row, SelectResult
from swapgraph.errors import SwapgraphError
from swapgraph.formats import QUERY_OUTPUT_FORMATS
from swapgraph.namespaces import bind_prefixes, compact
from swapgraph.turtle import serialize

#: The formats :func:`render` writes.
FORMATS = QUERY_OUTPUT_FORMATS

_TSV_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_TSV_BARE = {XSD.integer: re.compile(r"[+-]?[0-9]+"), XSD.boolean: re.compile(r"true|false")}


def render(result: QueryResult, fmt: str) -> str:
    """Write a query result in one of :data:`FORMATS`.

    Args:
        result: A SELECT, ASK or graph result.
        fmt: ``table``, ``csv``, ``tsv`` or ``json``.

    Returns:
        The text, ending with a newline.

    Raises:
        SwapgraphError: If the format is unknown.
    """
    if fmt not in FORMATS:
        raise SwapgraphError(
            f"unknown result format {fmt!r} (expected one of {', '.join(FORMATS)})"
        )
    if isinstance(result, GraphResult):
        if fmt == "table":
            return serialize(result.graph)
        if fmt == "json":
            return bind_prefixes(result.graph).serialize(format="json-ld") + "\n"
        result = _triples(result)
    if fmt == "json":
        return json.dumps(to_json(result), ensure_ascii=False, indent=2) + "\n"
    if isinstance(result, AskResult):
        return "true\n" if result.value else "false\n"
    if fmt == "csv":
        return to_csv(result)
    if fmt == "tsv":
        return to_tsv(result)
    return to_table(result)


def to_json(result: SelectResult | AskResult) -> dict[str, Any]:
    """Return a SELECT or ASK result as SPARQL 1.1 Query Results JSON (a JSON object)."""
    if isinstance(result, AskResult):
        return {"head": {}, "boolean": result.value}
    return {
        "head": {"vars": result.variables},
        "results": {
            "bindings": [
                {name: _json_term(term) for name, term in row.items() if term is not None}
                for row in result.rows
            ]
        },
    }


def to_csv(result: SelectResult) -> str:
    """Return a SELECT result as SPARQL 1.1 CSV: lexical values only, CRLF line ends.

    A value that a spreadsheet would run as a formula is written with a leading ``'``
    (:mod:`swapgraph.csvsafe`).
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(result.variables)
    for row in result.rows:
        writer.writerow([neutralise(_plain(row.get(name))) for name in result.variables])
    return out.getvalue()


def to_tsv(result: SelectResult) -> str:
    """Return a SELECT result as SPARQL 1.1 TSV: every term in SPARQL syntax.

    A literal that a spreadsheet would run as a formula gets a ``'`` inside its quotes
    (:func:`swapgraph.csvsafe.neutralise_term`).
    """
    lines = ["\t".join(f"?{name}" for name in result.variables)]
    for row in result.rows:
        lines.append(
            "\t".join(neutralise_term(_sparql_term(row.get(name))) for name in result.variables)
        )
    return "\n".join(lines) + "\n"


def to_table(result: SelectResult) -> str:
    """Return a SELECT result as aligned columns, IRIs shortened with the project's prefixes."""
    header = list(result.variables)
    cells = [[_short(row.get(name)) for name in header] for row in result.rows]
    widths = [max([len(h), *(len(c[i]) for c in cells)]) for i, h in enumerate(header)]

    def line(values: list[str]) -> str:
        return "  ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), rule, *(line(c) for c in cells)]) + "\n"


def _triples(result: GraphResult) -> SelectResult:
    names = ["subject", "predicate", "object"]
    rows: list[Row] = [
        {"subject": s, "predicate": p, "object": o}  # type: ignore[dict-item]
        for s, p, o in sorted(result.graph, key=lambda t: tuple(x.n3() for x in t))
    ]
    return SelectResult(names, rows)


def _json_term(term: Identifier) -> dict[str, str]:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    if isinstance(term, Literal):
        out = {"type": "literal", "value": str(term)}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype is not None and term.datatype != XSD.string:
            out["datatype"] = str(term.datatype)
        return out
    raise SwapgraphError(f"cannot write {term!r} as a SPARQL result")


def _plain(term: Identifier | None) -> str:
    if term is None:
        return ""
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


def _sparql_term(term: Identifier | None) -> str:
    if term is None:
        return ""
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, Literal):
        lexical = str(term)
        bare = _TSV_BARE.get(term.datatype) if term.datatype is not None else None
        if bare is not None and bare.fullmatch(lexical):
            return lexical
        quoted = '"' + "".join(_TSV_ESCAPES.get(c, c) for c in lexical) + '"'
        if term.language:
            return f"{quoted}@{term.language}"
        if term.datatype is not None and term.datatype != XSD.string:
            return f"{quoted}^^<{term.datatype}>"
        return quoted
    raise SwapgraphError(f"cannot write {term!r} as a SPARQL result")


def _short(term: Identifier | None) -> str:
    if isinstance(term, URIRef):
        return compact(term)
    return " ".join(_plain(term).split())
