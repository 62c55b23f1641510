"""Cells that a spreadsheet would run as formulas, neutralised in every CSV swapgraph writes.

Curated text reaches CSV files (named query results, ``/sparql`` and ``query`` results in
CSV and TSV, ``export nodes-csv``/``edges-csv``)
that analysts open in Excel, LibreOffice or Google Sheets, which treat a cell beginning
with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return as a formula (CSV injection).
Following OWASP's advice, such a cell is written with a leading ``'``, which spreadsheets
show as text. A cell that is just a number (``-5``, ``+1.5e3``) is left alone: it cannot
run, and an analyst expects to sum it.
"""

from __future__ import annotations

import csv
import io
import re

from swapgraph.formats import CSV, TSV

__all__ = ["neutralise", "neutralise_results", "neutralise_term"]

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$")


def neutralise(cell: object) -> object:
    """Return ``cell`` as a spreadsheet will show it, never as a formula.

    Args:
        cell: A value about to be written to a CSV file; only strings are changed.

    Returns:
        The value, with ``'`` put before a string that a spreadsheet would evaluate.
    """
    if isinstance(cell, str) and cell.startswith(_TRIGGERS) and not _NUMBER.match(cell):
        return "'" + cell
    return cell


def neutralise_term(cell: str) -> str:
    """Return a SPARQL TSV cell (a term in SPARQL syntax) that a spreadsheet shows as text.

    A literal is written in quotes (``"=1+1"@en``); spreadsheets drop the quotes when they
    open the file, so the ``'`` goes inside them, before the value. IRIs (``<...>``) and
    bare numbers (``-5``) cannot run and are left alone.

    Args:
        cell: One cell of a SPARQL 1.1 TSV result.
    """
    if cell.startswith('"'):
        lexical = cell[1:].split('"', 1)[0]
        if lexical.startswith(_TRIGGERS) and not _NUMBER.match(lexical):
            return "\"'" + cell[1:]
        return cell
    changed = neutralise(cell)
    return changed if isinstance(changed, str) else cell


def neutralise_results(body: bytes, media_type: str) -> bytes:
    """Neutralise the cells of a serialised SPARQL result in CSV or TSV; others pass through.

    Used for results that a query engine wrote itself (Oxigraph, rdflib or a remote
    endpoint), which know nothing of spreadsheets. The header is left alone (variable
    names cannot start with a trigger), and a body with nothing to neutralise is returned
    byte for byte.

    Args:
        body: The serialised result, UTF-8.
        media_type: Its media type: ``text/csv`` or ``text/tab-separated-values`` are
            rewritten.

    Returns:
        The body, every formula-like cell prefixed with ``'``.
    """
    kind = media_type.split(";", 1)[0].strip().lower()
    if kind not in (CSV, TSV):
        return body
    text = body.decode("utf-8")
    if kind == TSV:
        lines = text.split("\n")
        rows = [
            lines[0],
            *("\t".join(map(neutralise_term, line.split("\t"))) for line in lines[1:]),
        ]
        out = "\n".join(rows)
        return body if out == text else out.encode("utf-8")
    records = list(csv.reader(io.StringIO(text, newline="")))
    cleaned = (
        [records[0], *([str(neutralise(c)) for c in r] for r in records[1:])] if records else []
    )
    if cleaned == records:
        return body
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(cleaned)
    return buffer.getvalue().encode("utf-8")
