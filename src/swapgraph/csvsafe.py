"""Cells that a spreadsheet would run as formulas, neutralised in every CSV swapgraph writes.

Curated text reaches CSV files (named query results, ``export nodes-csv``/``edges-csv``)
that analysts open in Excel, LibreOffice or Google Sheets, which treat a cell beginning
with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return as a formula (CSV injection).
Following OWASP's advice, such a cell is written with a leading ``'``, which spreadsheets
show as text. A cell that is just a number (``-5``, ``+1.5e3``) is left alone: it cannot
run, and an analyst expects to sum it.
"""

from __future__ import annotations

import re

__all__ = ["neutralise"]

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
