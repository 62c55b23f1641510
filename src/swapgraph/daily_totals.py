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

From these a running total from any first day takes plain joins (:data:`RUNNING_TOTAL_QUERY`):
the total at a row is ``before + returned`` of the row less ``before`` of the first day of
the range, and that first day is the one day of the state in the range whose ``previous``
day is not.

The named query keeps its own text, which adds the totals up directly and answers on every
SPARQL engine: that text is what ``/api/queries`` shows, what clients send to ``/sparql``
and what a remote engine sends. Only an embedded engine that holds the view runs
:data:`RUNNING_TOTAL_QUERY` instead, when it is given exactly the named query's text (see
:func:`view_query_for`); anything else, a remote endpoint included, runs the text as given.
The view is left empty where it could differ from the direct computation (a date that is
not a canonical ``xsd:date`` without time zone, a count that adds up to no integer), and the
engine then runs the direct text too.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from datetime import date

# IRIs as plain strings, each engine making its own terms: a store's build runs in a child
# process that imports pyoxigraph alone (rdflib would add 15 MiB to it; see oxigraph_load).

#: The named graph holding the view (kept out of the default graph).
GRAPH = "https://w3id.org/swapgraph/id/view/daily-totals"
#: Changes whenever the view's content changes, so that stores cached with another are rebuilt.
FORMAT = "daily-totals 1"
#: The namespace of the view's properties, local to its graph.
VIEW = f"{GRAPH}#"

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

#: What the embedded engines run, on the view, for the named query
#: ``returned-running-total``: the same variables in the same order, the same rows in the
#: same order, its parameters ``?from`` and ``?to`` bound by the engine as for the named
#: query (the filters that read them sit in nested groups, which the engines' own bindings
#: reach; a ``VALUES`` block would not, which is one reason this text is never sent to a
#: remote endpoint). Each row of the range meets the one first day of its state in the
#: range: no pair of days is ever formed.
RUNNING_TOTAL_QUERY = f"""\
PREFIX view: <{VIEW}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?state ?state_label ?date ?from ?to ?returned ?running_total
WHERE {{
  {{
    GRAPH <{GRAPH}> {{
      ?first view:state ?state ; view:date ?first_date ; view:before ?first_before .
      FILTER(?first_date >= ?from && ?first_date <= ?to)
      FILTER NOT EXISTS {{ ?first view:previous ?previous FILTER(?previous >= ?from) }}
    }}
    GRAPH <{GRAPH}> {{
      ?day view:state ?state ; view:date ?date ; view:returned ?returned ; view:before ?before .
      FILTER(?date >= ?from && ?date <= ?to)
    }}
    OPTIONAL {{ ?state rdfs:label ?state_label }}
    BIND(?before + ?returned - ?first_before AS ?running_total)
  }}
}}
ORDER BY ?state ?date
"""

#: The fingerprint (:func:`fingerprint`) of ``api/returned-running-total.rq`` for which
#: :data:`RUNNING_TOTAL_QUERY` gives the same answers. A change to that query's SPARQL (not to
#: its comments or indentation) changes its fingerprint, and the engines then run it as
#: written, until this is updated after checking that both still agree
#: (``tests/test_daily_totals.py`` fails meanwhile).
RUNNING_TOTAL_FINGERPRINT = "31a03c0ea3cb93189ec6bf02e1b193a1609f139d4af038e2950d52ddb1bf0da1"

#: What :data:`RUNNING_TOTAL_QUERY` stands in for, by fingerprint.
_VIEW_QUERIES = {RUNNING_TOTAL_FINGERPRINT: RUNNING_TOTAL_QUERY}


def fingerprint(sparql: str) -> str:
    """A hash of a query's text that its comment lines, blank lines and indentation leave alike.

    Only whole lines are dropped or trimmed, never anything within a line: two texts with
    one fingerprint differ at most in comments and whitespace between tokens, provided
    neither holds a long string (\"\"\"…\"\"\"), in which a line may start with ``#``;
    the named queries given a view query have none.
    """
    lines = (line.strip() for line in sparql.splitlines())
    code = "\n".join(line for line in lines if line and not line.startswith("#"))
    return hashlib.sha256(code.encode("utf-8")).hexdigest()


def view_query_for(sparql: str) -> str | None:
    """The query that answers as ``sparql`` does from the view, if there is one.

    Returns:
        :data:`RUNNING_TOTAL_QUERY` for the text of the named query
        ``returned-running-total`` (its comments and indentation aside), else ``None``.
        It gives the same answers only where the view was computed from the data queried
        (an embedded engine's default graph), with the same bindings.
    """
    if "swap:peopleCount" not in sparql:  # most queries: no hash needed to tell
        return None
    return _VIEW_QUERIES.get(fingerprint(sparql))


#: The largest integer Oxigraph computes with (64 bits, signed).
_MAX_INTEGER = 2**63 - 1

XSD_DATE = "http://www.w3.org/2001/XMLSchema#date"
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"

#: An answer row of :data:`PER_DAY_QUERY` as plain strings: the state (an IRI, or a blank
#: node's label), the date's lexical form and datatype IRI, the sum's lexical form and
#: datatype IRI. Plain strings, so that each engine converts from and to its own terms.
PerDay = tuple[str, str, str, str, str]
#: A row of the view: state, date, returned that day, returned before, previous day or None.
ViewRow = tuple[str, str, int, int, str | None]
#: A statement of the view, for an engine to write with its own terms: the row it belongs to
#: (a number), the property's local name in :data:`VIEW`, and its object: the state's key as
#: :data:`PerDay` gives it (datatype ``None``), or a literal's lexical form and datatype IRI.
Statement = tuple[int, str, str, str | None]
#: The view's properties (local names in :data:`VIEW`).
PROPERTIES = ("state", "date", "returned", "before", "previous")


def view_rows(rows: Iterable[PerDay]) -> list[ViewRow]:
    """The rows of the view, from the answer rows of :data:`PER_DAY_QUERY`.

    Returns:
        One row per state and day, in order; none at all where a row could not be ordered
        or added up exactly as SPARQL would, or where a total could pass 64 bits (the
        engine then runs the named query's own text, which computes the totals itself).
    """
    per_state: dict[str, list[tuple[date, int]]] = defaultdict(list)
    for state, day_text, day_type, returned_text, returned_type in rows:
        day, returned = _day(day_text, day_type), _integer(returned_text, returned_type)
        if day is None or returned is None:
            return []
        per_state[state].append((day, returned))
    for days in per_state.values():
        # Oxigraph's integers have 64 bits: a sum past them is an error there (no value),
        # but not in Python. With no day's total negative (counts are not, by the shapes),
        # no sum either query forms (of days, months and years, or before + returned -
        # before) exceeds the state's grand total: within the limit, both ways agree.
        if any(returned < 0 for _, returned in days) or sum(r for _, r in days) > _MAX_INTEGER:
            return []
    return list(_rows(per_state))


def view_statements(rows: Iterable[PerDay]) -> Iterator[Statement]:
    """The statements of the view (:func:`view_rows`), from the rows of :data:`PER_DAY_QUERY`."""
    for index, (state, day, returned, before, previous) in enumerate(view_rows(rows)):
        yield index, "state", state, None
        yield index, "date", day, XSD_DATE
        yield index, "returned", str(returned), XSD_INTEGER
        yield index, "before", str(before), XSD_INTEGER
        if previous is not None:
            yield index, "previous", previous, XSD_DATE


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
