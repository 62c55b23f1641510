"""The measures analysts ask for, computed from the same SPARQL answers as the views.

Each measure is a :class:`Table`:

``per_year``
    year, exchanges, people (released, both ways, with known counts).
``per_pair``
    state_a, state_b (by label), exchanges between them, people a_to_b and b_to_a, first
    and last date. A transfer with several releasers or receivers counts in full for each pair.
``mediators``
    rank, mediator, exchanges, people, disputed, roles: third parties ranked by the exchanges
    they played a role in other than transit state (then by people), ``disputed`` counting
    those a source denies.
``mediators_by_year``
    year, rank, mediator, exchanges, people: the same ranking within each year.
``centrality``
    actor, type, degree (distinct counterparts), degree_centrality, betweenness: on the
    actors view taken as an undirected simple graph, third-party edges included.
``agreements``
    agreement, date, stages, party, promised (each way), delivered (people the party
    released in the exchanges that implement the agreement, known counts only), uncounted
    (the party's transfers in those exchanges for which no source gave a number).
``running_totals``
    date, state, released, received, total_released, total_received: per state and
    exchange date, what it released and received that day and so far.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import networkx as nx
from rdflib import Literal, URIRef

from swapgraph import formats
from swapgraph.engine import Engine, open_engine, select
from swapgraph.errors import SwapgraphError
from swapgraph.paths import Project
from swapgraph.views import Facts, Filters, actors_view, load_facts

Cell = str | int | float | None

STATS_FORMATS = formats.STATS_FORMATS

#: Third-party roles that do not count as mediating an exchange.
_NOT_MEDIATING = {"transit state"}

_AGREEMENTS = """
PREFIX swap: <https://w3id.org/swapgraph/ontology#>
SELECT ?agreement ?date ?promised ?party WHERE {
  ?agreement a swap:Agreement .
  OPTIONAL { ?agreement swap:date ?date }
  OPTIONAL { ?agreement swap:promisedCount ?promised }
  OPTIONAL { ?agreement swap:party ?party }
}
"""

_IMPLEMENTS = """
PREFIX swap: <https://w3id.org/swapgraph/ontology#>
SELECT ?exchange ?agreement WHERE { ?exchange a swap:Exchange ; swap:implements ?agreement }
"""


@dataclass
class Table:
    """One measure: a name, its columns and its rows."""

    name: str
    columns: list[str]
    rows: list[list[Cell]]

    def records(self) -> list[dict[str, Cell]]:
        """Return the rows as dictionaries keyed by column."""
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


def compute_stats(source: Project | Engine, filters: Filters | None = None) -> list[Table]:
    """Compute every measure over a project.

    Args:
        source: A project (loaded into the default engine) or an engine open on one.
        filters: Count only the exchanges these keep (as ``export`` does); None counts all.

    Returns:
        The tables, in the order of the module documentation.

    Raises:
        ParameterError: If a filter's date or name is not understood (see
            :meth:`~swapgraph.views.Filters.select`).
    """
    engine = open_engine(source) if isinstance(source, Project) else source
    facts = load_facts(engine)
    if filters is not None and not filters.is_empty():
        facts = facts.restricted(filters.select(facts))
    return [
        per_year(facts),
        per_pair(facts),
        *mediators(facts),
        centrality(facts),
        agreements(engine, facts, states_only=filters is not None and filters.state_to_state),
        running_totals(facts),
    ]


def _year(facts: Facts, exchange: URIRef) -> int:
    return int(facts.exchanges[exchange].date[:4])


def per_year(facts: Facts) -> Table:
    """Exchanges and people per year."""
    exchanges: dict[int, int] = defaultdict(int)
    people: dict[int, int] = defaultdict(int)
    for iri in facts.exchanges:
        exchanges[_year(facts, iri)] += 1
    for transfer in facts.transfers:
        people[_year(facts, transfer.exchange)] += transfer.people or 0
    rows: list[list[Cell]] = [[y, exchanges[y], people[y]] for y in sorted(exchanges)]
    return Table("per_year", ["year", "exchanges", "people"], rows)


def per_pair(facts: Facts) -> Table:
    """Exchanges and people each way per pair of states."""
    states = {iri for iri, actor in facts.actors.items() if actor.type == "state"}
    flows: dict[tuple[URIRef, URIRef], int] = defaultdict(int)
    met: dict[frozenset[URIRef], set[URIRef]] = defaultdict(set)
    for transfer in facts.transfers:
        for releaser in transfer.releasers & states:
            for receiver in (transfer.receivers & states) - {releaser}:
                flows[releaser, receiver] += transfer.people or 0
                met[frozenset((releaser, receiver))].add(transfer.exchange)
    rows: list[list[Cell]] = []
    for pair, exchanges in met.items():
        a, b = sorted(pair, key=lambda s: facts.actor(s).label)
        days = sorted(facts.exchanges[e].date for e in exchanges)
        row: list[Cell] = [facts.actor(a).label, facts.actor(b).label, len(exchanges)]
        row += [flows[a, b], flows[b, a], flows[a, b] + flows[b, a], days[0], days[-1]]
        rows.append(row)
    rows.sort(key=lambda r: (-int(r[2] or 0), str(r[0]), str(r[1])))
    columns = ["state_a", "state_b", "exchanges", "a_to_b", "b_to_a", "people", "first", "last"]
    return Table("per_pair", columns, rows)


def mediators(facts: Facts) -> tuple[Table, Table]:
    """Third parties ranked by exchanges and people, overall and within each year."""
    roles: dict[URIRef, set[str]] = defaultdict(set)
    served: dict[tuple[int | None, URIRef], set[URIRef]] = defaultdict(set)
    disputed: dict[URIRef, set[URIRef]] = defaultdict(set)
    for m in facts.mediations:
        if m.role in _NOT_MEDIATING:
            continue
        roles[m.actor].add(m.role)
        served[None, m.actor].add(m.exchange)
        served[_year(facts, m.exchange), m.actor].add(m.exchange)
        if m.disputed:
            disputed[m.actor].add(m.exchange)

    def ranked(year: int | None) -> list[tuple[int, URIRef, int, int]]:
        scores = [
            (actor, len(exchanges), sum(facts.people(e) for e in exchanges))
            for (y, actor), exchanges in served.items()
            if y == year
        ]
        scores.sort(key=lambda s: (-s[1], -s[2], facts.actor(s[0]).label))
        return [(rank, *score) for rank, score in enumerate(scores, 1)]

    overall: list[list[Cell]] = [
        [rank, facts.actor(a).label, n, people, len(disputed[a]), ", ".join(sorted(roles[a]))]
        for rank, a, n, people in ranked(None)
    ]
    years = sorted({y for y, _ in served if y is not None})
    by_year: list[list[Cell]] = [
        [year, rank, facts.actor(a).label, n, people]
        for year in years
        for rank, a, n, people in ranked(year)
    ]
    return (
        Table(
            "mediators", ["rank", "mediator", "exchanges", "people", "disputed", "roles"], overall
        ),
        Table("mediators_by_year", ["year", "rank", "mediator", "exchanges", "people"], by_year),
    )


def centrality(facts: Facts) -> Table:
    """Degree and betweenness centrality of the actors."""
    graph = nx.Graph(actors_view(facts).to_undirected())
    degree = nx.degree_centrality(graph)
    betweenness = nx.betweenness_centrality(graph)
    rows: list[list[Cell]] = []
    for node, data in graph.nodes(data=True):
        rows.append(
            [
                data["label"],
                data["type"],
                graph.degree(node),
                round(degree[node], 6),
                round(betweenness[node], 6),
            ]
        )
    rows.sort(key=lambda r: (-float(r[4] or 0), -int(r[2] or 0), str(r[0])))
    return Table(
        "centrality", ["actor", "type", "degree", "degree_centrality", "betweenness"], rows
    )


def agreements(engine: Engine, facts: Facts, states_only: bool = False) -> Table:
    """Promised against delivered, per agreement and party.

    With ``states_only``, an agreement to which an armed group or another non-state party
    is a party is left out, as its stages are.
    """
    dates: dict[URIRef, str] = {}
    promised: dict[URIRef, int] = {}
    parties: dict[URIRef, set[URIRef]] = defaultdict(set)
    for row in select(engine, _AGREEMENTS):
        agreement = URIRef(str(row["agreement"]))
        parties[agreement]
        if isinstance(row["date"], Literal):
            dates[agreement] = str(row["date"])
        if isinstance(row["promised"], Literal):
            promised[agreement] = int(row["promised"].toPython())
        if isinstance(row["party"], URIRef):
            parties[agreement].add(row["party"])
    stages: dict[URIRef, set[URIRef]] = defaultdict(set)
    for row in select(engine, _IMPLEMENTS):
        if URIRef(str(row["exchange"])) in facts.exchanges:
            stages[URIRef(str(row["agreement"]))].add(URIRef(str(row["exchange"])))
    if states_only:
        states = {iri for iri, actor in facts.actors.items() if actor.type == "state"}
        parties = {a: p for a, p in parties.items() if p <= states}
    rows: list[list[Cell]] = []
    for agreement in sorted(parties, key=lambda a: (dates.get(a, ""), str(a))):
        delivered: dict[URIRef, int] = defaultdict(int)
        uncounted: dict[URIRef, int] = defaultdict(int)
        for transfer in facts.transfers:
            if transfer.exchange in stages[agreement]:
                for releaser in transfer.releasers:
                    delivered[releaser] += transfer.people or 0
                    uncounted[releaser] += transfer.people is None
        for party in sorted(
            parties[agreement] | set(delivered), key=lambda p: facts.actor(p).label
        ):
            rows.append(
                [
                    facts.labels.get(agreement) or str(agreement),
                    dates.get(agreement),
                    len(stages[agreement]),
                    facts.actor(party).label,
                    promised.get(agreement),
                    delivered[party],
                    uncounted[party],
                ]
            )
    return Table(
        "agreements",
        ["agreement", "date", "stages", "party", "promised", "delivered", "uncounted"],
        rows,
    )


def running_totals(facts: Facts) -> Table:
    """What each state released and received per exchange date, and so far."""
    states = {iri for iri, actor in facts.actors.items() if actor.type == "state"}
    released: dict[tuple[str, URIRef], int] = defaultdict(int)
    received: dict[tuple[str, URIRef], int] = defaultdict(int)
    for transfer in facts.transfers:
        day = facts.exchanges[transfer.exchange].date
        for state in transfer.releasers & states:
            released[day, state] += transfer.people or 0
        for state in transfer.receivers & states:
            received[day, state] += transfer.people or 0
    totals: dict[URIRef, list[int]] = defaultdict(lambda: [0, 0])
    rows: list[list[Cell]] = []
    for day, state in sorted(
        set(released) | set(received), key=lambda k: (k[0], facts.actor(k[1]).label)
    ):
        total = totals[state]
        total[0] += released[day, state]
        total[1] += received[day, state]
        rows.append(
            [day, facts.actor(state).label, released[day, state], received[day, state], *total]
        )
    columns = ["date", "state", "released", "received", "total_released", "total_received"]
    return Table("running_totals", columns, rows)


# --------------------------------------------------------------------------- output


def render(tables: Sequence[Table], fmt: str) -> str:
    """Write tables as aligned text, CSV or JSON.

    CSV holds one table per section: a ``# name`` line, the header, the rows and a blank
    line; JSON is an object of table name to a list of records.

    Raises:
        SwapgraphError: If the format is unknown.
    """
    if fmt == "json":
        return (
            json.dumps({t.name: t.records() for t in tables}, ensure_ascii=False, indent=1) + "\n"
        )
    if fmt == "csv":
        return "\n".join(_csv(t, header=len(tables) > 1) for t in tables)
    if fmt == "table":
        return "\n".join(_text(t) for t in tables)
    raise SwapgraphError(
        f"unknown stats format {fmt!r} (expected one of {', '.join(STATS_FORMATS)})"
    )


def _csv(table: Table, header: bool) -> str:
    buffer = io.StringIO()
    if header:
        buffer.write(f"# {table.name}\n")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(table.columns)
    writer.writerows([["" if c is None else c for c in row] for row in table.rows])
    return buffer.getvalue()


def _text(table: Table) -> str:
    cells = [table.columns] + [[_cell(c) for c in row] for row in table.rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(table.columns))]
    lines = [table.name, "=" * len(table.name)]
    for i, row in enumerate(cells):
        lines.append(
            "  ".join(_align(c, w, i > 0) for c, w in zip(row, widths, strict=True)).rstrip()
        )
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines) + "\n"


def _cell(value: Cell) -> str:
    if value is None:
        return "-"
    return f"{value:.4f}" if isinstance(value, float) else str(value)


def _align(text: str, width: int, body: bool) -> str:
    numeric = body and text.replace(".", "", 1).replace("-", "", 1).isdigit()
    return text.rjust(width) if numeric else text.ljust(width)


def select_tables(tables: Iterable[Table], names: Sequence[str]) -> list[Table]:
    """Keep the tables called ``names`` (all when empty).

    Raises:
        SwapgraphError: If a name is not a table.
    """
    tables = list(tables)
    known = [t.name for t in tables]
    for name in names:
        if name not in known:
            raise SwapgraphError(
                f"unknown stats table {name!r} (expected one of {', '.join(known)})"
            )
    return [t for t in tables if not names or t.name in names]
