"""Data-quality rules of the graph that keep every credit and count true to its sources.

These rules are about the curated data in graph/, not about the model: the shapes check
what any graph must satisfy; these tests check what this graph promises its readers.
"""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import urlsplit

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS
from rdflib.term import Node

from swapgraph.load import data_graph
from swapgraph.namespaces import ID, SWAP, WD
from swapgraph.paths import Project

#: Hosts that hold copies, not publications: another project's repository, a paste, or an
#: archive of an automated run. A fact cites the publisher's page or a news agency copy.
NON_PUBLISHER_HOSTS = {
    "github.com",
    "raw.githubusercontent.com",
    "gist.github.com",
    "gitlab.com",
    "bitbucket.org",
    "pastebin.com",
    "web.archive.org",
    "archive.org",
    "archive.ph",
    "archive.today",
}

#: Words a quote may use for a small count instead of digits.
NUMBER_WORDS = {
    word: value
    for value, word in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
            "twenty",
        ]
    )
}

#: Phrases of research notes that must never reach a public page.
RESEARCH_NOTES = ("OUTSIDE the requested", "kept for context", "not verified here")


@pytest.fixture(scope="module")
def graph(project: Project) -> Graph:
    return data_graph(project)


def _int(node: Node | None) -> int:
    assert isinstance(node, Literal), node
    return int(node.toPython())


def _exchanges(graph: Graph) -> list[Node]:
    return sorted(graph.subjects(RDF.type, SWAP.Exchange), key=str)


def test_mediations_are_credited_only_by_their_exchange_sources(graph: Graph) -> None:
    # A source that credits a third party is one the exchange cites: a reader who follows
    # the exchange's sources finds every credit among them.
    strays = []
    for exchange in _exchanges(graph):
        cited = set(graph.objects(exchange, DCTERMS.source))
        for mediation in graph.objects(exchange, SWAP.mediation):
            for source in graph.objects(mediation, SWAP.creditedIn):
                if source not in cited:
                    strays.append((str(exchange), str(source)))
    assert strays == []


def test_no_source_is_a_copy_on_a_non_publisher_host(graph: Graph) -> None:
    hosts = {
        str(source): (urlsplit(str(source)).hostname or "").removeprefix("www.")
        for source in graph.subjects(RDF.type, SWAP.Source)
    }
    assert {s: h for s, h in hosts.items() if h in NON_PUBLISHER_HOSTS} == {}


def test_no_research_notes_in_public_text(graph: Graph) -> None:
    texts = [
        str(o)
        for p in (RDFS.comment, RDFS.label, SWAP.supportingQuote)
        for o in graph.objects(None, p)
    ]
    assert [t[:80] for t in texts if any(note in t for note in RESEARCH_NOTES)] == []


def _numbers(text: str) -> set[int]:
    found = {int(n.replace(",", "")) for n in re.findall(r"\d[\d,]*", text)}
    return found | {
        NUMBER_WORDS[w] for w in re.findall(r"[a-z]+", text.lower()) if w in NUMBER_WORDS
    }


def _texts_about(graph: Graph, exchange: Node) -> str:
    """Every quote and claimed value that the exchange, its mediations and claims carry."""
    nodes = [exchange, *graph.objects(exchange, SWAP.transfer)]
    nodes += list(graph.objects(exchange, SWAP.mediation))
    nodes += [c for n in list(nodes) for c in graph.objects(n, SWAP.claim)]
    parts = [str(q) for n in nodes for q in graph.objects(n, SWAP.supportingQuote)]
    parts += [str(v) for n in nodes for v in graph.objects(n, SWAP.claimedValue)]
    return " ".join(parts)


def test_every_count_after_2025_is_stated_by_a_quoted_source(graph: Graph) -> None:
    # Each direction's count of an exchange of 2026 or later appears in a quote taken from
    # one of its sources (or in a claim that names its source): no derived figure.
    unsupported = []
    for exchange in _exchanges(graph):
        day = graph.value(exchange, SWAP.date)
        if not isinstance(day, Literal) or day.toPython() < date(2026, 1, 1):
            continue
        assert set(graph.objects(exchange, DCTERMS.source)), exchange
        stated = _numbers(_texts_about(graph, exchange))
        for transfer in graph.objects(exchange, SWAP.transfer):
            for prop in (SWAP.peopleCount, SWAP.remainsCount):
                count = graph.value(transfer, prop)
                if count is not None and _int(count) not in stated:
                    unsupported.append((str(exchange), str(prop), _int(count)))
    assert unsupported == []


def test_people_counts_exclude_remains(graph: Graph) -> None:
    # Bodies are never "others" released: a transfer whose text speaks of bodies or remains
    # records them as swap:remainsCount.
    for transfer in graph.subjects(SWAP.otherCount, None):
        text = " ".join(str(c) for c in graph.objects(transfer, RDFS.comment)).lower()
        assert "bod" not in text and "remains" not in text, transfer
    # 18 October 2024: 95 prisoners each way; the 501 bodies returned the same day are
    # remains (Coordination Headquarters via Babel), never people.
    exchange = ID["exchange/2024-10-18-ru-ua"]
    to_ukraine = next(
        t
        for t in graph.objects(exchange, SWAP.transfer)
        if (t, SWAP.receivedBy, ID["state/ukraine"]) in graph
    )
    assert graph.value(to_ukraine, SWAP.peopleCount) == Literal(95)
    assert graph.value(to_ukraine, SWAP.remainsCount) == Literal(501)
    # The 6,000-for-6,000 clause of 2 June 2025 is a commitment of remains, not of people.
    agreement = ID["agreement/2025-06-02-istanbul"]
    commitments = list(graph.objects(agreement, SWAP.commitment))
    assert {_int(graph.value(c, SWAP.remainsCount)) for c in commitments} == {6000}
    assert all(graph.value(c, SWAP.promisedCount) is None for c in commitments)


def test_every_state_has_a_wikidata_id(graph: Graph) -> None:
    missing = [
        str(state)
        for state in graph.subjects(RDF.type, SWAP.State)
        if not any(str(o).startswith(str(WD)) for o in graph.objects(state, SKOS.exactMatch))
    ]
    assert missing == []


def test_armed_groups_are_never_states(graph: Graph) -> None:
    groups = set(graph.subjects(RDF.type, SWAP.ArmedGroup))
    assert {ID["armed-group/hamas"], ID["armed-group/houthis"]} <= groups
    assert not groups & set(graph.subjects(RDF.type, SWAP.State))
    # No Wikidata id on an armed group unless verified; none is, so far.
    assert not [g for g in groups if graph.value(g, SKOS.exactMatch) is not None]


def test_denied_links_are_claims_with_their_source(graph: Graph) -> None:
    denied = {
        str(exchange).rsplit("/", 1)[1]: graph.value(claim, SWAP.claimedBy)
        for exchange in _exchanges(graph)
        for claim in graph.objects(exchange, SWAP.claim)
        if graph.value(claim, SWAP.claimedProperty) == SWAP.linked
        and graph.value(claim, SWAP.claimedValue) == Literal(False)
        and graph.value(claim, DCTERMS.source) is not None
    }
    assert denied == {
        "2025-01-08-it-ir": ID["state/iran"],
        "2026-01-14-az-am-sy": ID["state/armenia"],
    }


def test_agreements_of_2026_edition(graph: Graph) -> None:
    # Muscat, 23 December 2025: 1,700 Houthi prisoners for 1,200 (al-Mortada), no release found.
    muscat = ID["agreement/2025-12-23-muscat-yemen"]
    promised = {
        (graph.value(c, SWAP.releasedBy), _int(graph.value(c, SWAP.promisedCount)))
        for c in graph.objects(muscat, SWAP.commitment)
    }
    assert promised == {(ID["state/yemen"], 1700), (ID["armed-group/houthis"], 1200)}
    assert graph.value(muscat, SWAP.status) == SWAP.PendingStatus
    assert not set(graph.subjects(SWAP.implements, muscat))
    geneva = ID["agreement/2026-02-geneva"]
    assert graph.value(geneva, SWAP.status) == SWAP.DeliveredStatus
    assert graph.value(ID["agreement/2026-05-08-victory-day-ceasefire"], SWAP.status) == URIRef(
        SWAP.PartlyDeliveredStatus
    )
