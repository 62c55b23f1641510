"""networkx projections of the knowledge graph, built from SPARQL answers of the query engine.

Three views, each a :class:`networkx.MultiDiGraph` whose node keys are IRIs (blank nodes as
``_:id``, literals as ``literal:<hash>``) and whose attributes are plain ``str``, ``int`` or
``float`` values, one type per attribute name, never ``None`` (an unknown value is left out):

*actors*
    States, armed groups and organisations. Nodes: ``label``, ``type`` (state, armed group,
    organisation, person),
    ``iri``, ``wikidata`` and ``iso2``/``iso3`` where known, ``first``/``last`` (dates of the
    first and last exchange the actor took part in), ``exchanges``, ``released``,
    ``received`` (people), ``third_party`` (1 if it ever played a third-party role).
    Edges, keyed by role: ``released`` from the releasing to the receiving actor, and one edge
    per third-party role (``mediator``, ``host``, ``transit state`` ...) from the third party
    to each party of the exchanges it served. Edge attributes: ``role``, ``kind``
    (``transfer`` or ``third party``), ``label``, ``people``, ``exchanges``, ``first``,
    ``last``, ``dates`` (the exchange dates, space-separated), ``disputed`` (exchanges where
    a source denies the role) and ``weight`` (= people). A transfer with several releasers or
    receivers counts in full on each of its edges; a third-party edge's ``people`` is the
    total released, both ways, in the exchanges it counts.
*exchanges*
    Bipartite: exchange nodes (``type`` exchange, ``label``, ``iri``, ``first`` = ``last`` =
    its date, ``people``) and the actor nodes above, with edges from each exchange to its
    actors keyed by role: ``released by`` and ``received by`` (with ``people``) and the
    third-party roles (with ``disputed`` 0 or 1).
*rdf*
    The whole knowledge graph (the ontology left out) as a labelled multigraph: one node per
    IRI, blank node or literal (``label``, ``type`` iri/blank node/literal, ``class`` where
    typed, ``iri`` or ``value``/``datatype``), one edge per triple keyed by the predicate in
    prefixed form (``predicate``, ``label``).

Every view takes :class:`Filters`: a date range, states that must all take part, third
parties of which at least one must have played a role, and state-to-state (every party a
``swap:State``: no armed group or other non-state party released or received anyone).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF
from rdflib.term import Identifier, Node

from swapgraph.counts import weight
from swapgraph.engine import Engine, GraphResult, select
from swapgraph.errors import ParameterError, SwapgraphError
from swapgraph.formats import EXPORT_VIEWS
from swapgraph.namespaces import SWAP, WD, compact
from swapgraph.resolve import Resolver, for_engine

if TYPE_CHECKING:
    # networkx is imported where a view is built: a server that never exports does without
    # its 11 MiB.
    import networkx as nx

#: The views :func:`build_view` builds.
VIEWS = EXPORT_VIEWS

_ACTOR_NODE = (
    "label", "type", "iri", "wikidata", "iso2", "iso3", "first", "last",
    "exchanges", "released", "received", "third_party",
)  # fmt: skip
#: Every attribute a view's nodes and edges may carry, in the order exports list them.
COLUMNS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "actors": (
        _ACTOR_NODE,
        (
            "role", "kind", "label", "people", "exchanges", "first", "last", "dates",
            "disputed", "weight",
        ),
    ),
    "exchanges": (
        (*_ACTOR_NODE, "people"),
        ("role", "label", "first", "last", "dates", "people", "disputed", "weight"),
    ),
    "rdf": (
        ("label", "type", "class", "iri", "value", "datatype", "language"),
        ("predicate", "label", "iri"),
    ),
}  # fmt: skip

_PREFIXES = """
PREFIX swap: <https://w3id.org/swapgraph/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <https://schema.org/>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
"""

_EXCHANGES = (
    _PREFIXES
    + """
SELECT ?exchange ?date WHERE { ?exchange a swap:Exchange ; swap:date ?date }
"""
)

_TRANSFERS = (
    _PREFIXES
    + """
SELECT ?exchange ?transfer ?releaser ?receiver ?people WHERE {
  ?exchange a swap:Exchange ; swap:transfer ?transfer .
  ?transfer swap:releasedBy ?releaser ; swap:receivedBy ?receiver .
  OPTIONAL { ?transfer swap:peopleCount ?people }
}
"""
)

_MEDIATIONS = (
    _PREFIXES
    + """
SELECT ?exchange ?actor ?role (COUNT(?denial) AS ?denials) WHERE {
  ?exchange a swap:Exchange ; swap:mediation ?mediation .
  ?mediation swap:actor ?actor ; swap:role ?role .
  OPTIONAL { ?mediation swap:deniedIn ?denial }
} GROUP BY ?exchange ?actor ?role
"""
)

_LABELS = (
    _PREFIXES
    + """
SELECT ?node ?label WHERE { ?node rdfs:label|skos:prefLabel|schema:name ?label }
"""
)

_ALT_LABELS = (
    _PREFIXES
    + """
SELECT ?node ?label WHERE { ?node skos:altLabel ?label }
"""
)

_ACTORS = (
    _PREFIXES
    + """
SELECT ?actor ?class ?code2 ?code3 ?same WHERE {
  VALUES ?class { swap:State swap:ArmedGroup swap:Organisation swap:Person }
  ?actor a ?class .
  OPTIONAL { ?actor swap:iso3166Alpha2 ?code2 }
  OPTIONAL { ?actor swap:iso3166Alpha3 ?code3 }
  OPTIONAL {
    ?actor owl:sameAs|skos:exactMatch ?same
    FILTER(STRSTARTS(STR(?same), "http://www.wikidata.org/entity/"))
  }
}
"""
)

_DATA_TRIPLES = """
CONSTRUCT { ?s ?p ?o } WHERE {
  ?s ?p ?o .
  FILTER(!(isIRI(?s) && STRSTARTS(STR(?s), "https://w3id.org/swapgraph/ontology")))
}
"""

_ACTOR_TYPES = {
    SWAP.State: "state",
    SWAP.ArmedGroup: "armed group",
    SWAP.Organisation: "organisation",
    SWAP.Person: "person",
}


# --------------------------------------------------------------------------- facts


@dataclass(frozen=True)
class Actor:
    """A state, armed group, organisation or person, as the views and stats describe it."""

    iri: URIRef
    label: str
    type: str = ""
    wikidata: str = ""
    iso2: str = ""
    iso3: str = ""
    other_names: tuple[str, ...] = ()


@dataclass(frozen=True)
class Transfer:
    """One direction of an exchange; ``people`` is None where no source gave the number."""

    exchange: URIRef
    releasers: frozenset[URIRef]
    receivers: frozenset[URIRef]
    people: int | None


@dataclass(frozen=True)
class Mediation:
    """A third party's role in an exchange; disputed when a source denies it."""

    exchange: URIRef
    actor: URIRef
    role: str
    disputed: bool


@dataclass(frozen=True)
class Exchange:
    """An exchange with its date and its label."""

    iri: URIRef
    date: str
    label: str


@dataclass
class Facts:
    """What the views and stats are made of: the answers of a few SPARQL queries."""

    exchanges: dict[URIRef, Exchange]
    transfers: list[Transfer]
    mediations: list[Mediation]
    actors: dict[URIRef, Actor]
    labels: dict[Identifier, str]
    names: Resolver = field(default_factory=Resolver)

    def people(self, exchange: URIRef) -> int:
        """Return the people released in an exchange, both ways (known counts only)."""
        return sum(t.people or 0 for t in self.transfers if t.exchange == exchange)

    def parties(self, exchange: URIRef) -> set[URIRef]:
        """Return the actors that released or received people in an exchange."""
        return {
            a for t in self.transfers if t.exchange == exchange for a in t.releasers | t.receivers
        }

    def actor(self, iri: URIRef) -> Actor:
        """Return an actor's description; one with no type is still labelled."""
        return self.actors.get(iri) or Actor(iri, self.labels.get(iri) or _slug_label(iri))

    def restricted(self, keep: set[URIRef]) -> Facts:
        """Return the facts about the exchanges in ``keep`` only."""
        return Facts(
            {k: v for k, v in self.exchanges.items() if k in keep},
            [t for t in self.transfers if t.exchange in keep],
            [m for m in self.mediations if m.exchange in keep],
            self.actors,
            self.labels,
            self.names,
        )


def load_facts(engine: Engine) -> Facts:
    """Run the view queries on ``engine`` and gather their answers.

    Args:
        engine: A query engine over the project.

    Returns:
        The exchanges, transfers, mediations, actors and labels of the graph.
    """
    labels = _labels(engine)
    grouped: dict[Identifier, tuple[URIRef, set[URIRef], set[URIRef], int | None]] = {}
    for row in select(engine, _TRANSFERS):
        exchange, key = _iri(row["exchange"]), row["transfer"]
        assert key is not None
        count = _int(row["people"])
        entry = grouped.setdefault(key, (exchange, set(), set(), count))
        entry[1].add(_iri(row["releaser"]))
        entry[2].add(_iri(row["receiver"]))
    transfers = [
        Transfer(exchange, frozenset(out), frozenset(back), count)
        for exchange, out, back, count in grouped.values()
    ]
    mediations = [
        Mediation(
            _iri(row["exchange"]),
            _iri(row["actor"]),
            labels.get(_iri(row["role"])) or _slug_label(_iri(row["role"])),
            bool(_int(row["denials"])),
        )
        for row in select(engine, _MEDIATIONS)
    ]
    dates = {_iri(r["exchange"]): str(r["date"]) for r in select(engine, _EXCHANGES)}
    facts = Facts({}, transfers, mediations, _actors(engine, labels), labels, for_engine(engine))
    for iri, day in sorted(dates.items(), key=lambda item: (item[1], str(item[0]))):
        facts.exchanges[iri] = Exchange(
            iri, day, labels.get(iri) or _exchange_label(facts, iri, day)
        )
    return facts


def _labels(engine: Engine) -> dict[Identifier, str]:
    best: dict[Identifier, tuple[int, str]] = {}
    for row in select(engine, _LABELS):
        node, label = row["node"], row["label"]
        if node is None or not isinstance(label, Literal):
            continue
        rank = 0 if label.language in (None, "en") else 1
        if node not in best or (rank, str(label)) < best[node]:
            best[node] = (rank, str(label))
    return {node: text for node, (_, text) in best.items()}


def _actors(engine: Engine, labels: dict[Identifier, str]) -> dict[URIRef, Actor]:
    other_names: dict[Identifier, list[str]] = defaultdict(list)
    for row in select(engine, _ALT_LABELS):
        if row["node"] is not None:
            other_names[row["node"]].append(str(row["label"]))
    actors: dict[URIRef, Actor] = {}
    for row in select(engine, _ACTORS):
        iri = _iri(row["actor"])
        if iri in actors:
            continue
        same = row["same"]
        actors[iri] = Actor(
            iri,
            labels.get(iri) or _slug_label(iri),
            _ACTOR_TYPES[_iri(row["class"])],
            str(same)[len(str(WD)) :] if same is not None else "",
            str(row["code2"] or ""),
            str(row["code3"] or ""),
            tuple(sorted(other_names[iri])),
        )
    return actors


def _exchange_label(facts: Facts, iri: URIRef, day: str) -> str:
    names = sorted(facts.actor(a).label for a in facts.parties(iri))
    return f"{day} {' / '.join(names)}" if names else f"{day} {_slug_label(iri)}"


def _iri(term: Identifier | None) -> URIRef:
    if not isinstance(term, URIRef):
        raise SwapgraphError(f"expected an IRI in a query answer, got {term!r}")
    return term


def _int(term: Identifier | None) -> int | None:
    return int(term.toPython()) if isinstance(term, Literal) else None


def _slug_label(iri: URIRef) -> str:
    text = str(iri).rstrip("/")
    return text.rsplit("#", 1)[-1] if "#" in text else text.rsplit("/", 1)[-1]


# --------------------------------------------------------------------------- filters


@dataclass(frozen=True)
class Filters:
    """Which exchanges a view or export keeps.

    Attributes:
        start: Keep exchanges on or after this day.
        end: Keep exchanges on or before this day.
        states: Every one of these states released or received people in the exchange
            (matched by label, ISO 3166 code, Wikidata id or IRI).
        mediators: At least one of these actors played a third-party role in it.
        state_to_state: Every party that released or received people is a ``swap:State``
            (the filter the named queries' ``states_only`` applies): exchanges with an armed
            group or another non-state party are left out.
    """

    start: date | None = None
    end: date | None = None
    states: tuple[str, ...] = field(default=())
    mediators: tuple[str, ...] = field(default=())
    state_to_state: bool = False

    @classmethod
    def parse(
        cls,
        start: str | None = None,
        end: str | None = None,
        states: Sequence[str] = (),
        mediators: Sequence[str] = (),
        state_to_state: bool = False,
    ) -> Filters:
        """Build filters from text, as a command line or a URL gives them.

        Raises:
            ParameterError: If a date is not an ISO date (YYYY-MM-DD), or ``start`` is after
                ``end`` (a range that would keep nothing).
        """
        first, last = _date("from", start), _date("to", end)
        if first is not None and last is not None and first > last:
            raise ParameterError(f"from ({first}) is after to ({last}): the range holds no day")
        return cls(first, last, tuple(states), tuple(mediators), state_to_state)

    def is_empty(self) -> bool:
        """Tell whether the filters keep every exchange."""
        return not (self.start or self.end or self.states or self.mediators or self.state_to_state)

    def select(self, facts: Facts) -> set[URIRef]:
        """Return the exchanges these filters keep.

        Raises:
            UnknownNameError: If a state or mediator names no state or third party, or several;
                the message names close matches.
        """
        states_known = {a.iri for a in facts.actors.values() if a.type == "state"}
        states = {facts.names.resolve(n, kind="state", among=states_known) for n in self.states}
        third = {m.actor for m in facts.mediations}
        mediators = {facts.names.resolve(n, kind="mediator", among=third) for n in self.mediators}
        keep = set()
        for iri, exchange in facts.exchanges.items():
            day = date.fromisoformat(exchange.date[:10])
            if (self.start and day < self.start) or (self.end and day > self.end):
                continue
            parties = facts.parties(iri)
            if not states <= parties:
                continue
            if self.state_to_state and not parties <= states_known:
                continue
            if mediators and not any(
                m.exchange == iri and m.actor in mediators for m in facts.mediations
            ):
                continue
            keep.add(iri)
        return keep


def _date(name: str, text: str | None) -> date | None:
    if text is None or text == "":
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ParameterError(f"{name}: {text!r} is not a date (expected YYYY-MM-DD)") from None


# --------------------------------------------------------------------------- views


def actors_view(facts: Facts) -> nx.MultiDiGraph:
    """Build the actors view (see the module documentation) from ``facts``."""
    import networkx as nx

    graph = nx.MultiDiGraph(name="swapgraph actors", view="actors")
    edges: dict[tuple[URIRef, URIRef, str], _EdgeTally] = defaultdict(_EdgeTally)
    for transfer in facts.transfers:
        day = facts.exchanges[transfer.exchange].date
        for releaser in sorted(transfer.releasers):
            for receiver in sorted(transfer.receivers - {releaser}):
                edges[releaser, receiver, "released"].add(
                    transfer.exchange, day, transfer.people or 0
                )
    for mediation in facts.mediations:
        day = facts.exchanges[mediation.exchange].date
        people = facts.people(mediation.exchange)
        for party in sorted(facts.parties(mediation.exchange) - {mediation.actor}):
            edges[mediation.actor, party, mediation.role].add(
                mediation.exchange, day, people, mediation.disputed
            )
    for actor in _actor_nodes(facts):
        graph.add_node(str(actor.iri), **_actor_attributes(facts, actor))
    for (source, target, role), tally in sorted(edges.items()):
        is_transfer = role == "released"
        graph.add_edge(
            str(source),
            str(target),
            key=role,
            role=role,
            kind="transfer" if is_transfer else "third party",
            label="released people to" if is_transfer else f"{role} for",
            people=tally.people,
            exchanges=len(tally.dates),
            first=min(tally.dates.values()),
            last=max(tally.dates.values()),
            dates=" ".join(sorted(set(tally.dates.values()))),
            disputed=len(tally.disputed),
            weight=weight(tally.people),
        )
    graph.graph[PEOPLE_BY_DATE] = people_by_date(facts)
    return graph


#: The actors view's graph attribute holding :func:`people_by_date` of its edges.
PEOPLE_BY_DATE = "people_by_date"


def people_by_date(facts: Facts) -> dict[tuple[str, str, str], dict[str, int]]:
    """Return the people each actors-view edge counts, by exchange date.

    The edge's ``people`` spread over the days of its exchanges, counted as
    :func:`actors_view` counts them (a transfer in full on each releaser-receiver edge, a
    third party the people freed in the exchange it helped), so that the values of an edge
    add up to its ``people``; two exchanges on one day add up too.

    Returns:
        ``(source IRI, target IRI, role)`` (the view's edge key) to ``{date: people}``.
    """
    counts: dict[tuple[str, str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for transfer in facts.transfers:
        day = facts.exchanges[transfer.exchange].date
        for releaser in transfer.releasers:
            for receiver in transfer.receivers - {releaser}:
                counts[str(releaser), str(receiver), "released"][day] += transfer.people or 0
    for mediation in facts.mediations:
        day = facts.exchanges[mediation.exchange].date
        people = facts.people(mediation.exchange)
        for party in facts.parties(mediation.exchange) - {mediation.actor}:
            counts[str(mediation.actor), str(party), mediation.role][day] += people
    return {edge: dict(sorted(days.items())) for edge, days in sorted(counts.items())}


@dataclass
class _EdgeTally:
    dates: dict[URIRef, str] = field(default_factory=dict)
    people: int = 0
    disputed: set[URIRef] = field(default_factory=set)

    def add(self, exchange: URIRef, day: str, people: int, disputed: bool = False) -> None:
        self.dates[exchange] = day
        self.people += people
        if disputed:
            self.disputed.add(exchange)


def _actor_nodes(facts: Facts) -> list[Actor]:
    iris = {a for t in facts.transfers for a in t.releasers | t.receivers}
    iris |= {m.actor for m in facts.mediations}
    return [facts.actor(iri) for iri in sorted(iris)]


def _actor_attributes(facts: Facts, actor: Actor) -> dict[str, str | int]:
    took_part = {t.exchange for t in facts.transfers if actor.iri in t.releasers | t.receivers}
    third = {m.exchange for m in facts.mediations if m.actor == actor.iri}
    days = sorted(facts.exchanges[e].date for e in took_part | third)
    attributes: dict[str, str | int] = {
        "label": actor.label,
        "type": actor.type or "actor",
        "iri": str(actor.iri),
        "wikidata": actor.wikidata,
        "iso2": actor.iso2,
        "iso3": actor.iso3,
        "first": days[0],
        "last": days[-1],
        "exchanges": len(took_part | third),
        "released": sum(t.people or 0 for t in facts.transfers if actor.iri in t.releasers),
        "received": sum(t.people or 0 for t in facts.transfers if actor.iri in t.receivers),
        "third_party": int(bool(third)),
    }
    return {k: v for k, v in attributes.items() if v != ""}


def exchanges_view(facts: Facts) -> nx.MultiDiGraph:
    """Build the bipartite exchange-actor view (see the module documentation)."""
    import networkx as nx

    graph = nx.MultiDiGraph(name="swapgraph exchanges", view="exchanges")
    for actor in _actor_nodes(facts):
        graph.add_node(str(actor.iri), **_actor_attributes(facts, actor))
    for exchange in facts.exchanges.values():
        graph.add_node(
            str(exchange.iri),
            label=exchange.label,
            type="exchange",
            iri=str(exchange.iri),
            first=exchange.date,
            last=exchange.date,
            people=facts.people(exchange.iri),
        )
    people: dict[tuple[URIRef, URIRef, str], int] = defaultdict(int)
    for transfer in facts.transfers:
        for iri in transfer.releasers:
            people[transfer.exchange, iri, "released by"] += transfer.people or 0
        for iri in transfer.receivers:
            people[transfer.exchange, iri, "received by"] += transfer.people or 0
    for (exchange_iri, actor_iri, role), count in sorted(people.items()):
        day = facts.exchanges[exchange_iri].date
        graph.add_edge(
            str(exchange_iri), str(actor_iri), key=role, role=role, label=role, first=day, last=day,
            dates=day, people=count, weight=weight(count, str(exchange_iri)),
        )  # fmt: skip
    for m in sorted(facts.mediations, key=lambda m: (str(m.exchange), str(m.actor), m.role)):
        day = facts.exchanges[m.exchange].date
        graph.add_edge(
            str(m.exchange), str(m.actor), key=m.role, role=m.role, label=m.role, first=day,
            last=day, dates=day, disputed=int(m.disputed), weight=1.0,
        )  # fmt: skip
    return graph


def data_graph(engine: Engine, facts: Facts, filters: Filters | None = None) -> Graph:
    """Return the knowledge graph's triples (the ontology left out), filtered.

    With filters, the graph keeps the selected exchanges with their blank nodes (transfers,
    mediations), the nodes that point at them (claims) and the description of every resource
    they refer to (actors, places, agreements, sources).

    Args:
        engine: A query engine over the project.
        facts: The facts loaded from the same engine.
        filters: Which exchanges to keep; None keeps the whole graph.
    """
    result = engine.query(_DATA_TRIPLES)
    assert isinstance(result, GraphResult)
    full = result.graph
    if filters is None or filters.is_empty():
        return full
    keep = filters.select(facts)
    subset = Graph()
    described: set[Node] = set()
    for exchange in sorted(keep):
        subset += _closure(full, exchange, described)
    claims = {s for s, o in full.subject_objects(SWAP.claimAbout) if o in described}
    for claim in sorted(claims, key=str):
        subset += _closure(full, claim, described)
    referenced = {o for o in subset.objects() if isinstance(o, URIRef)}
    for resource in sorted(referenced - set(facts.exchanges)):
        subset += _closure(full, resource, described)
    return subset


def _closure(graph: Graph, node: Node, seen: set[Node]) -> list[tuple[Node, Node, Node]]:
    """Return the triples of ``node`` and, through blank nodes, of what it nests.

    Nodes in ``seen`` are skipped, and every node visited is added to it.
    """
    triples: list[tuple[Node, Node, Node]] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        for p, o in graph.predicate_objects(current):
            triples.append((current, p, o))
            if isinstance(o, BNode):
                stack.append(o)
    return triples


def rdf_view(graph: Graph, labels: dict[Identifier, str]) -> nx.MultiDiGraph:
    """Build the labelled multigraph of every triple of ``graph``."""
    import networkx as nx

    view = nx.MultiDiGraph(name="swapgraph rdf", view="rdf")
    classes = {
        s: labels.get(o) or _slug_label(o)
        for s, o in graph.subject_objects(RDF.type)
        if isinstance(o, URIRef)
    }
    for s, p, o in sorted(graph):
        for node in (s, o):
            key = _node_key(node)
            if key not in view:
                view.add_node(key, **_rdf_node(node, labels, classes))
        predicate = compact(URIRef(str(p)))
        view.add_edge(
            _node_key(s), _node_key(o), key=f"{predicate} {_node_key(o)}",
            predicate=predicate, label=labels.get(URIRef(str(p))) or predicate, iri=str(p),
        )  # fmt: skip
    return view


def _node_key(node: Node) -> str:
    if isinstance(node, Literal):
        return "literal:" + hashlib.sha1(node.n3().encode("utf-8")).hexdigest()[:16]
    if isinstance(node, BNode):
        return f"_:{node}"
    return str(node)


def _rdf_node(
    node: Node, labels: dict[Identifier, str], classes: dict[Node, str]
) -> dict[str, str]:
    if isinstance(node, Literal):
        attributes = {"label": str(node), "type": "literal", "value": str(node)}
        if node.datatype is not None:
            attributes["datatype"] = compact(node.datatype)
        if node.language:
            attributes["language"] = node.language
        return attributes
    kind = "blank node" if isinstance(node, BNode) else "iri"
    attributes = {"type": kind}
    if node in classes:
        attributes["class"] = classes[node]
    if isinstance(node, URIRef):
        attributes["iri"] = str(node)
        attributes["label"] = labels.get(node) or compact(node)
    else:
        attributes["label"] = classes.get(node, "blank node")
    return attributes


def build_view(engine: Engine, name: str, filters: Filters | None = None) -> nx.MultiDiGraph:
    """Build the view called ``name`` over the exchanges that ``filters`` keep.

    Args:
        engine: A query engine over the project.
        name: ``actors``, ``exchanges`` or ``rdf``.
        filters: Which exchanges to keep; None keeps all.

    Raises:
        SwapgraphError: If the view name is unknown or a filter matches nothing known.
    """
    if name not in VIEWS:
        raise SwapgraphError(f"unknown view {name!r} (expected one of {', '.join(VIEWS)})")
    facts = load_facts(engine)
    if name == "rdf":
        return rdf_view(data_graph(engine, facts, filters), facts.labels)
    if filters is not None and not filters.is_empty():
        facts = facts.restricted(filters.select(facts))
    return actors_view(facts) if name == "actors" else exchanges_view(facts)
