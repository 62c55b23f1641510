"""``swapgraph new exchange``: the skeleton of an exchange, written the day it happens.

A curator knows the date, the two states and perhaps a mediator and a first source; the
figures come later. The skeleton holds what is known, in the shape the importer gives every
exchange (so the graph stays uniform):

* the IRI ``exchange/<date>-<a>-<b>`` from the states' ISO 3166 alpha-2 codes, in the
  order given, and the matching ``dct:identifier`` (``RU-UA-2026-03-05``); a further
  exchange between the same two states on the same day gets ``-b``, ``-c`` …;
* ``rdfs:label``, ``swap:date``, one ``swap:transfer`` per direction with
  ``swap:releasedBy`` and ``swap:receivedBy``;
* one ``swap:mediation`` with ``swap:MediatorRole`` per mediator, credited in the sources;
* ``dct:source`` per source, each described in ``graph/sources.ttl`` if new.

What is not known is left out rather than guessed: no count, no handover place. The
shapes report each missing fact as a Warning (a missing source as a Violation), so
``swapgraph validate`` lists what is still to fill in; :func:`new_exchange` returns the
same list.

States and mediators are found by label, alternative label, ISO 3166 code or Wikidata id
among the nodes already in the graph, never invented: an unknown name is an error listing
close matches. The exchange's file (``graph/exchanges-<year>.ttl``, created if absent) and
``graph/sources.ttl`` are rewritten canonically in one all-or-nothing step; an exchange IRI
already in the graph is never overwritten.
"""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, XSD

from swapgraph.errors import SwapgraphError

# The importer owns how an exchange is named, looked up and filed; reuse it so that an
# exchange added by hand and one imported from CSV look the same.
from swapgraph.importer import (
    ACTOR_TYPES,
    Names,
    add_source,
    check_date,
    check_texts,
    exchange_label,
    exchange_slug,
    files_for,
    read_graph_files,
)
from swapgraph.journal import project_lock
from swapgraph.namespaces import ID, SWAP, bind_prefixes
from swapgraph.paths import Project
from swapgraph.resolve import Resolver
from swapgraph.turtle import serialize, write_files

__all__ = ["NewExchange", "new_exchange"]


@dataclass(frozen=True)
class NewExchange:
    """What :func:`new_exchange` wrote.

    Attributes:
        iri: The new exchange.
        label: Its label, in the importer's form ("Russia-Ukraine exchange of 5 March 2026").
        written: The files rewritten or created.
        to_fill: The facts still missing, one line each, as a curator reads them.
        same_day: Exchanges already in the graph between the same states on the same day.
    """

    iri: URIRef
    label: str
    written: tuple[Path, ...]
    to_fill: tuple[str, ...]
    same_day: tuple[URIRef, ...]


def new_exchange(
    project: Project,
    date: dt.date,
    between: Sequence[str],
    mediators: Sequence[str] = (),
    sources: Sequence[str] = (),
) -> NewExchange:
    """Add the skeleton of an exchange to the project's graph.

    Args:
        project: The graph project.
        date: The day of the exchange.
        between: The two states, each by name, ISO 3166 code or Wikidata id; the first is
            written first in the IRI.
        mediators: Third parties credited as mediators (states, organisations or persons).
        sources: Web addresses reporting the exchange.

    Returns:
        What was written and what is still to fill in.

    Raises:
        SwapgraphError: If a name matches nothing (the message lists close matches), the
            states are not two different ones, a mediator is a party, a source is not a
            web address, a file does not parse, or the files cannot be written. Nothing
            is written then.
    """
    if len(between) != 2:
        raise SwapgraphError(f"an exchange is between two states, got {len(between)}")
    check_date(date)
    # The lock covers the read as well as the write, so that a second curator's exchange
    # is added to this one's files rather than to the files both read before either wrote.
    with project_lock(project.root):
        return _new_exchange(project, date, between, mediators, sources)


def _new_exchange(
    project: Project,
    date: dt.date,
    between: Sequence[str],
    mediators: Sequence[str],
    sources: Sequence[str],
) -> NewExchange:
    seen, files, existing = read_graph_files(project)

    # Names resolve as in every other command (resolve.py): label, alternative label, ISO
    # code, Wikidata id, prefixed name or IRI, among the states or among all actors.
    resolver = Resolver.from_graph(existing)
    states = Names(resolver, existing, (SWAP.State,))
    parties = [states.resolve(name, "state") for name in between]
    if parties[0] == parties[1]:
        raise SwapgraphError(f"--between names the same state twice: <{parties[0]}>")
    actors = Names(resolver, existing, ACTOR_TYPES)
    third_parties = [actors.resolve(name, "mediator") for name in mediators]
    for name, actor in zip(mediators, third_parties, strict=True):
        if actor in parties:
            raise SwapgraphError(f"mediator {name!r} is one of the two states of the exchange")
    urls = [_source(url) for url in sources]

    codes = [_alpha2(existing, state) for state in parties]
    same_day = _same_day(existing, date, set(parties))
    row_id, iri = _free_identifier(existing, codes, date, len(same_day))

    additions = bind_prefixes(Graph())
    label = _skeleton(additions, iri, row_id, date, parties, third_parties, urls, states)
    for url in urls:
        add_source(additions, existing, url)
    graphs = {
        path: bind_prefixes(files.get(path, Graph()) + graph)
        for path, graph in files_for(project, additions).items()
    }
    texts = {path: serialize(graph) for path, graph in graphs.items()}
    check_texts(texts, {path: len(graph) for path, graph in graphs.items()}, "new")
    expected = {path: seen.get(path) for path in texts}
    write_files(texts, root=project.root, expected=expected, checked=texts)
    return NewExchange(
        iri=iri,
        label=label,
        written=tuple(sorted(texts)),
        to_fill=_to_fill(parties, states, bool(urls), bool(third_parties)),
        same_day=tuple(same_day),
    )


def _alpha2(graph: Graph, state: URIRef) -> str:
    code = graph.value(state, SWAP.iso3166Alpha2)
    if code is None or len(str(code)) != 2 or not str(code).isalpha():
        raise SwapgraphError(f"<{state}> has no swap:iso3166Alpha2 code to name the exchange by")
    return str(code).upper()


def _source(url: str) -> URIRef:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in url:
        raise SwapgraphError(f"source {url!r} is not a web address (http:// or https://)")
    return URIRef(url)


def _same_day(graph: Graph, date: dt.date, parties: set[URIRef]) -> list[URIRef]:
    day = Literal(date.isoformat(), datatype=XSD.date)
    found = []
    for exchange in graph.subjects(SWAP.date, day):
        involved = {
            actor
            for transfer in graph.objects(exchange, SWAP.transfer)
            for p in (SWAP.releasedBy, SWAP.receivedBy)
            for actor in graph.objects(transfer, p)
        }
        if isinstance(exchange, URIRef) and involved == parties:
            found.append(exchange)
    return sorted(found)


def _free_identifier(
    graph: Graph, codes: Sequence[str], date: dt.date, taken: int
) -> tuple[str, URIRef]:
    """The first identifier and IRI, from the part letter after ``taken``, not yet used."""
    base = f"{'-'.join(codes)}-{date.isoformat()}"
    # An exchange is the first of its day (no letter), then b, c, ... as the importer does.
    parts = ["", *string.ascii_lowercase[1:]]
    for part in parts[taken:]:
        row_id = base + part
        iri = ID[f"exchange/{exchange_slug(row_id)}"]
        mentioned = (iri, None, None) in graph or (None, None, iri) in graph
        if not mentioned and (None, DCTERMS.identifier, Literal(row_id)) not in graph:
            return row_id, iri
    raise SwapgraphError(f"every identifier {base}[a-z] is taken")


def _skeleton(
    graph: Graph,
    iri: URIRef,
    row_id: str,
    date: dt.date,
    parties: Sequence[URIRef],
    mediators: Sequence[URIRef],
    sources: Sequence[URIRef],
    states: Names,
) -> str:
    part = row_id[-1] if row_id[-1].isalpha() else ""
    label = exchange_label([states.label(parties[0])], [states.label(parties[1])], date, part)
    graph.add((iri, RDF.type, SWAP.Exchange))
    graph.add((iri, DCTERMS.identifier, Literal(row_id)))
    graph.add((iri, RDFS.label, Literal(label)))
    graph.add((iri, SWAP.date, Literal(date.isoformat(), datatype=XSD.date)))
    for source in sources:
        graph.add((iri, DCTERMS.source, source))
    for released, received in ((parties[0], parties[1]), (parties[1], parties[0])):
        transfer = BNode()
        graph.add((iri, SWAP.transfer, transfer))
        graph.add((transfer, RDF.type, SWAP.Transfer))
        graph.add((transfer, SWAP.releasedBy, released))
        graph.add((transfer, SWAP.receivedBy, received))
    for actor in mediators:
        mediation = BNode()
        graph.add((iri, SWAP.mediation, mediation))
        graph.add((mediation, RDF.type, SWAP.Mediation))
        graph.add((mediation, SWAP.actor, actor))
        graph.add((mediation, SWAP.role, SWAP.MediatorRole))
        for source in sources:
            graph.add((mediation, SWAP.creditedIn, source))
    return label


def _to_fill(
    parties: Sequence[URIRef], states: Names, has_source: bool, has_mediator: bool
) -> tuple[str, ...]:
    names = [states.label(p) for p in parties]
    missing = [
        f"how many people {names[0]} released to {names[1]}: swap:peopleCount in that transfer",
        f"how many people {names[1]} released to {names[0]}: swap:peopleCount in that transfer",
        "military and civilian counts, where sources give them: swap:militaryCount, "
        "swap:civilianCount",
        "where the prisoners were handed over: swap:handoverPlace",
    ]
    if not has_mediator:
        missing.append("who mediated: swap:mediation, or swap:directNegotiation true if no one did")
    if not has_source:
        missing.insert(0, "a source (required): dct:source <URL>, described in sources.ttl")
    return tuple(missing)
