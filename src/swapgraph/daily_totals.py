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

from rdflib import BNode, Literal, Namespace, URIRef
from rdflib.namespace import XSD
from rdflib.term import Identifier

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

Triple = tuple[Identifier, Identifier, Identifier]


def view_triples(rows: Iterable[Mapping[str, Identifier | None]]) -> list[Triple]:
    """The view's triples from the answer rows of :data:`PER_DAY_QUERY`.

    Args:
        rows: Rows with ``state``, ``date`` and ``returned``.

    Returns:
        The triples of the graph :data:`GRAPH`; none where a row could not be ordered or
        added up exactly as SPARQL would (the query then computes the totals itself).
    """
    per_state: dict[Identifier, list[tuple[date, int]]] = defaultdict(list)
    for row in rows:
        state, day, returned = row.get("state"), _day(row.get("date")), _integer(row.get("returned"))
        if state is None or day is None or returned is None:
            return []
        per_state[state].append((day, returned))
    return list(_triples(per_state))


def _triples(per_state: Mapping[Identifier, list[tuple[date, int]]]) -> Iterator[Triple]:
    for state, days in per_state.items():
        before = 0
        previous: date | None = None
        for day, returned in sorted(days):
            row = BNode()
            yield row, VIEW.state, state
            yield row, VIEW.date, Literal(day.isoformat(), datatype=XSD.date)
            yield row, VIEW.returned, Literal(str(returned), datatype=XSD.integer)
            yield row, VIEW.before, Literal(str(before), datatype=XSD.integer)
            if previous is not None:
                yield row, VIEW.previous, Literal(previous.isoformat(), datatype=XSD.date)
            before += returned
            previous = day


def _day(term: Identifier | None) -> date | None:
    # Only a canonical xsd:date without time zone compares in Python as in SPARQL and is
    # one value per term; anything else leaves the view empty.
    if not isinstance(term, Literal) or term.datatype != XSD.date:
        return None
    lexical = str(term)
    try:
        day = date.fromisoformat(lexical)
    except ValueError:
        return None
    return day if day.isoformat() == lexical else None


def _integer(term: Identifier | None) -> int | None:
    if not isinstance(term, Literal) or term.datatype != XSD.integer:
        return None
    try:
        return int(str(term))
    except ValueError:
        return None
