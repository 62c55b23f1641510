"""The computed view of people returned to each state per day, for running totals.

SPARQL has no window function, so a running total over a date range costs a query far more
than the rows it returns (see ``api/returned-running-total.rq``). The embedded engines
therefore compute, once when they load the data, one row per state and day on which people
were returned to it, in the named graph :data:`GRAPH` (never in the default graph, so that
other queries, exports and statistics see the data unchanged)::

    _:row  view:state     <state> ;          # a swap:State that swap:receivedBy names
           view:date      "2025-05-23"^^xsd:date ;
           view:returned  12 ;               # the swap:peopleCount of that day, added up
           view:before    340 ;              # returned to the state on every earlier day
           view:previous  "2025-05-01"^^xsd:date .   # its latest earlier day, if any

From these the named query gets a running total from any first day with plain joins: the
total at a row is ``before + returned`` of the row less ``before`` of the first day of the
range, and that first day is the one day of the state in the range whose ``previous`` day
is not. The view is left empty where it could differ from the direct computation (a date
that is not a canonical ``xsd:date`` without time zone, a count that adds up to no integer);
the query then computes the totals itself, as it does on a remote SPARQL server, which has
no view.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from datetime import date

from rdflib import Namespace, URIRef
from rdflib.namespace import XSD

#: The named graph holding the view (kept out of the default graph).
GRAPH = URIRef("https://w3id.org/swapgraph/id/view/daily-totals")
#: Changes whenever the view's content changes, so that stores cached with another are rebuilt.
FORMAT = "daily-totals 1"
#: The view's properties, local to its graph.
VIEW = Namespace(f"{GRAPH}#")

#: The per-day totals the view is made of, exactly as the named query's own direct
#: computation adds them up (same patterns, grouped by the state and the date term).
PER_DAY_QUERY = """\
PREFIX swap: <https://w3id.org/swapgraph/ontology#>
SELECT ?state ?date (SUM(?count) AS ?returned)
WHERE {
  ?exchange swap:date ?date ; swap:transfer ?transfer .
  ?transfer swap:receivedBy ?state ; swap:peopleCount ?count .
  ?state a swap:State .
}
GROUP BY ?state ?date
"""

XSD_DATE = str(XSD.date)
XSD_INTEGER = str(XSD.integer)

#: An answer row of :data:`PER_DAY_QUERY` as plain strings: the state (an IRI, or a blank
#: node's label), the date's lexical form and datatype IRI, the sum's lexical form and
#: datatype IRI. Plain strings, so that each engine converts from and to its own terms.
PerDay = tuple[str, str, str, str, str]
#: A row of the view: state, date, returned that day, returned before, previous day or None.
ViewRow = tuple[str, str, int, int, str | None]


def view_rows(rows: Iterable[PerDay]) -> list[ViewRow]:
    """The rows of the view, from the answer rows of :data:`PER_DAY_QUERY`.

    Returns:
        One row per state and day, in order; none at all where a row could not be ordered
        or added up exactly as SPARQL would (the query then computes the totals itself).
    """
    per_state: dict[str, list[tuple[date, int]]] = defaultdict(list)
    for state, day_text, day_type, returned_text, returned_type in rows:
        day, returned = _day(day_text, day_type), _integer(returned_text, returned_type)
        if day is None or returned is None:
            return []
        per_state[state].append((day, returned))
    return list(_rows(per_state))


def _rows(per_state: Mapping[str, list[tuple[date, int]]]) -> Iterator[ViewRow]:
    for state, days in per_state.items():
        before = 0
        previous: str | None = None
        for day, returned in sorted(days):
            text = day.isoformat()
            yield state, text, returned, before, previous
            before += returned
            previous = text


def _day(lexical: str, datatype: str) -> date | None:
    # Only a canonical xsd:date without time zone compares in Python as in SPARQL and is
    # one value per term; anything else leaves the view empty.
    if datatype != XSD_DATE:
        return None
    try:
        day = date.fromisoformat(lexical)
    except ValueError:
        return None
    return day if day.isoformat() == lexical else None


def _integer(lexical: str, datatype: str) -> int | None:
    if datatype != XSD_INTEGER:
        return None
    try:
        return int(lexical)
    except ValueError:
        return None
