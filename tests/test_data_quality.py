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


#: Mediations that every source of their exchange (two or more) credits, each checked against
#: the sources' stored text: a credit copied to every source without such a check fails
#: test_a_credit_by_every_source_was_checked. "unread" names a source whose text no stored copy
#: gave; its credit stays until someone reads it.
CREDITED_BY_EVERY_SOURCE: dict[tuple[str, str, str], str] = {
    ("2022-03-24-ru-ua", "turkey", "TransitStateRole"): (
        "Interfax, Ukrainska Pravda: the Sapfir goes to a Turkish port; unread: People's Daily"
    ),
    ("2022-04-27-ru-us", "turkey", "HostRole"): (
        "Daily Sabah, MEMO: exchanged at an airport in Turkey; unread: AzerNews"
    ),
    ("2022-04-27-ru-us", "turkey", "TransitStateRole"): (
        "Daily Sabah, MEMO: exchanged at an airport in Turkey; unread: AzerNews"
    ),
    ("2022-09-21-ru-ua", "saudi-arabia", "TransitStateRole"): (
        "Babel: the 10 foreigners handed over to Saudi Arabia; Ukrainian News: already in "
        "Riyadh; unread: Kyiv Independent, RFE/RL, News Front"
    ),
    ("2022-09-21-ru-ua", "turkey", "MediatorRole"): (
        "Ukrainian News: personal agreements of Zelensky and Erdogan; Kyiv Independent: "
        "Erdogan assisted in arranging the swap; Babel: Kalin, 3.5 months of talks; "
        "unread: RFE/RL, News Front"
    ),
    ("2022-09-21-ru-ua-b", "saudi-arabia", "MediatorRole"): (
        "WBRC (Saudi embassy statement), Khaleej Times (Reuters): the crown prince's "
        "mediation; unread: Arab News Pakistan"
    ),
    ("2022-09-21-ru-ua-b", "saudi-arabia", "TransitStateRole"): (
        "WBRC, Khaleej Times: received and transferred to the Kingdom; unread: Arab News Pakistan"
    ),
    ("2022-12-08-ru-us", "united-arab-emirates", "TransitStateRole"): (
        "The National: the UAE received Griner and Bout; Devdiscourse (Reuters): the exchange "
        "took place at Abu Dhabi airport; unread: Middle East Eye"
    ),
    ("2023-02-04-ru-ua", "united-arab-emirates", "MediatorRole"): (
        "Inquirer (Reuters): made possible through the mediation of the UAE; unread: Kyiv "
        "Independent, Boston Globe, Daily Beast"
    ),
    ("2023-05-26-ir-be", "oman", "TransitStateRole"): (
        "New Indian Express and TRT (AP), Tehran Times: released people transferred to Muscat"
    ),
    ("2023-06-02-ir-at-dk", "oman", "MediatorRole"): (
        "The National: after mediation by Oman; This is Beirut: with mediation from the "
        "Sultanate of Oman; UK Time News (AP): Oman played an important role"
    ),
    ("2023-09-18-ir-us", "qatar", "MediatorRole"): (
        "DW: Qatar brokered the deal; Tribune India (Reuters): a deal brokered by Qatar; "
        "unread: Pledge Times"
    ),
    ("2023-09-18-ir-us", "qatar", "TransitStateRole"): (
        "DW, Tribune India: flown via Doha; unread: Pledge Times"
    ),
    ("2023-12-20-ve-us", "qatar", "MediatorRole"): "unread: AsiaOne, Sloboden Pecat, UPI",
    ("2023-11-27-il-hamas", "qatar", "MediatorRole"): (
        "The Hindu and ETV Bharat (AP): Qatar the key mediator, announcing the extension"
    ),
    ("2023-11-28-il-hamas", "icrc", "FacilitatorRole"): (
        "Xinhua, Reuters, AP: the hostages handed over to the Red Cross"
    ),
    ("2024-01-03-ru-ua", "united-arab-emirates", "MediatorRole"): (
        "Armenpress, Pledge Times, i24NEWS: mediation by the UAE"
    ),
    ("2024-06-15-ir-se", "oman", "MediatorRole"): (
        "Hurriyet Daily News: following its mediation (Oman News Agency); Al Jazeera: "
        "Omani-mediated deal"
    ),
    ("2024-06-15-ir-se", "oman", "TransitStateRole"): (
        "Hurriyet Daily News, Al Jazeera: transferred from Tehran and Stockholm to Muscat"
    ),
    ("2024-06-25-ru-ua", "united-arab-emirates", "MediatorRole"): (
        "Arab News, Devdiscourse (Reuters): the UAE succeeded in mediating the exchange"
    ),
    ("2024-08-24-ru-ua", "united-arab-emirates", "MediatorRole"): (
        "A News, Jang, Al Arabiya: mediated by the UAE"
    ),
    ("2024-09-13-ru-ua", "united-arab-emirates", "MediatorRole"): (
        "LIGA: facilitated by the UAE; unread in full: Kyiv Independent, Lokmat Times"
    ),
    ("2024-09-14-ru-ua", "united-arab-emirates", "MediatorRole"): (
        "Censor.NET: with the help of the UAE; OODA Loop: mediated by the UAE; unread in "
        "full: Online.ua"
    ),
    ("2024-12-30-ru-ua", "belarus", "TransitStateRole"): (
        "Al Jazeera, China Daily: assistance in Belarus before moving home; unread: WION"
    ),
    ("2024-12-30-ru-ua", "united-arab-emirates", "MediatorRole"): (
        "Al Jazeera: brokered by the UAE; China Daily: the UAE as mediator; WION: "
        "UAE-brokered deal (headline)"
    ),
    ("2025-01-15-ru-ua", "united-arab-emirates", "MediatorRole"): (
        "TRT, Caspian News, UrduPoint: UAE mediation"
    ),
    ("2025-01-19-il-hamas", "icrc", "FacilitatorRole"): (
        "unread against the stored copies: Dunya News, East Coast Daily, WION"
    ),
    ("2025-01-21-af-us", "qatar", "MediatorRole"): (
        "unread against the stored copies: Asharq Al-Awsat, Khabarkada, Christian Post, SOFX"
    ),
    ("2025-01-21-af-us", "qatar", "TransitStateRole"): (
        "unread against the stored copies: Asharq Al-Awsat, Khabarkada, Christian Post, SOFX"
    ),
    ("2025-02-05-ru-ua", "belarus", "TransitStateRole"): (
        "Devdiscourse, TRT: returned Russians in Belarus"
    ),
    ("2025-02-05-ru-ua", "united-arab-emirates", "MediatorRole"): (
        "Devdiscourse: the UAE mediated; TRT: both sides thanked the UAE for its mediation"
    ),
    ("2025-03-19-ru-ua", "united-arab-emirates", "MediatorRole"): (
        "UrduPoint: brokered by the UAE; unread: AsiaOne, Ukrainska Pravda"
    ),
    ("2025-03-19-ru-ua", "belarus", "TransitStateRole"): (
        "UrduPoint: all the Russian soldiers are in Belarus; unread: AsiaOne, Ukrainska Pravda"
    ),
    ("2025-04-10-ru-us", "united-arab-emirates", "FacilitatorRole"): (
        "Babel (WSJ): grateful to the UAE for facilitating; MENAFN: gratitude to the UAE for "
        "mediating (headline); unread: news.by"
    ),
    ("2025-04-10-ru-us", "united-arab-emirates", "TransitStateRole"): (
        "Babel, MENAFN: exchanged in Abu Dhabi; unread: news.by"
    ),
    ("2025-04-19-ru-ua", "united-arab-emirates", "MediatorRole"): (
        "Epoch Times: mediated by the UAE Foreign Ministry; The National: following "
        "negotiations by the UAE; unread in full: Mint"
    ),
    ("2025-04-19-ru-ua", "belarus", "TransitStateRole"): (
        "Epoch Times: care on Belarusian territory; unread in full: The National, Mint"
    ),
    ("2025-05-06-ru-ua", "belarus", "TransitStateRole"): (
        "TRT (AFP): soldiers in Belarus; unread: Firstpost"
    ),
    ("2025-05-06-ru-ua", "united-arab-emirates", "MediatorRole"): (
        "TRT (AFP): brokered by the UAE; unread: Firstpost"
    ),
    ("2025-05-23-ru-ua", "turkey", "HostRole"): (
        "Ukrainska Pravda: agreement reached at the meeting in Turkiye; LIGA: negotiations in "
        "Istanbul; unread: Shine, TRT"
    ),
    ("2025-05-24-ru-ua", "turkey", "HostRole"): (
        "LIGA: agreed upon in Turkey; UNN, TRT: agreements reached in Istanbul"
    ),
    ("2025-05-25-ru-ua", "turkey", "HostRole"): "unread: Trend, Sakh.online, Mallorca Services",
    ("2025-05-25-ru-ua", "belarus", "TransitStateRole"): (
        "unread: Trend, Sakh.online, Mallorca Services"
    ),
    ("2025-06-09-ru-ua", "turkey", "HostRole"): (
        "Ukrainska Pravda: the meeting in Istanbul; TRT: negotiations hosted by Turkiye; "
        "WION: talks in Turkey"
    ),
    ("2025-06-10-ru-ua", "turkey", "HostRole"): "unread: Euronews (Italian), Ukrainska Pravda",
    ("2025-06-12-ru-ua", "turkey", "HostRole"): (
        "RBC-Ukraine, Ukrainska Pravda: agreements reached in Istanbul"
    ),
    ("2025-06-14-ru-ua", "turkey", "HostRole"): (
        "MENAFN: negotiations held in Istanbul; unread: Online.ua"
    ),
    ("2025-06-14-ru-ua", "belarus", "TransitStateRole"): (
        "MENAFN: care in Belarus; unread: Online.ua"
    ),
    ("2025-06-20-ru-ua", "turkey", "HostRole"): (
        "Sputnik: agreements reached in Istanbul; unread: Online.ua"
    ),
    ("2025-06-20-ru-ua", "belarus", "TransitStateRole"): (
        "Sputnik: personnel are in Belarus; unread: Online.ua"
    ),
    ("2025-06-26-ru-ua", "turkey", "HostRole"): (
        "UA News: within the Istanbul agreements; unread: LIGA, Tesaa World"
    ),
    ("2025-07-23-ru-ua", "turkey", "HostRole"): (
        "News.Az: agreements brokered in Istanbul; unread: Ukrainska Pravda"
    ),
    ("2025-07-23-ru-ua", "belarus", "TransitStateRole"): (
        "News.Az: support in neighbouring Belarus; unread: Ukrainska Pravda"
    ),
    ("2025-08-14-ru-ua", "united-arab-emirates", "MediatorRole"): (
        "The Moscow Times: the UAE mediated the swap (headline); unread: Mediafax"
    ),
    ("2025-08-14-ru-ua", "belarus", "TransitStateRole"): "unread: Mediafax, The Moscow Times",
    ("2025-08-24-ru-ua", "united-arab-emirates", "MediatorRole"): (
        "The Media Line, Millennium Post: after mediation by the UAE; unread: Censor.NET"
    ),
    ("2025-08-24-ru-ua", "belarus", "TransitStateRole"): (
        "The Media Line, Millennium Post: transported to Belarus; unread: Censor.NET"
    ),
    ("2025-10-02-ru-ua", "belarus", "TransitStateRole"): (
        "TRT, MENAFN (KUNA): servicemen and civilians in neighbouring Belarus; unread: Particle"
    ),
    ("2026-02-05-ru-ua", "united-states", "MediatorRole"): (
        "Vedomosti: with the mediation of the US and the UAE; Kentron: envoy Witkoff"
    ),
    ("2026-03-06-ru-ua", "united-arab-emirates", "MediatorRole"): (
        "WAM and The National: UAE-US mediation; M24 and Devdiscourse quote the Russian MoD"
    ),
    ("2026-03-06-ru-ua", "united-states", "MediatorRole"): (
        "WAM and The National: UAE-US mediation; M24 and Devdiscourse quote the Russian MoD"
    ),
}

#: Credits withdrawn because the source's text does not name the actor in that role:
#: (exchange, actor, role, source).
NOT_CREDITED_BY = [
    (
        "2022-09-21-ru-ua",
        "turkey",
        "GuarantorRole",
        "https://ukranews.com/en/news/883451-ukraine-returns-215-defenders-from-russian-"
        "captivity-in-exchange-for-medvedchuk-and-55-russian",
    ),
    (
        "2022-09-21-ru-ua",
        "saudi-arabia",
        "MediatorRole",
        "https://ukranews.com/en/news/883451-ukraine-returns-215-defenders-from-russian-"
        "captivity-in-exchange-for-medvedchuk-and-55-russian",
    ),
    (
        "2022-09-21-ru-ua",
        "saudi-arabia",
        "MediatorRole",
        "https://babel.ua/en/news/84696-erdogan-s-spokesman-the-initial-list-for-the-exchange-"
        "included-15-commanders-from-azvostal-but-only-five-names-were-agreed-upon",
    ),
    (
        "2023-05-26-ir-be",
        "oman",
        "MediatorRole",
        "https://www.trtworld.com/article/13384290",
    ),
    (
        "2024-01-31-ru-ua",
        "united-arab-emirates",
        "MediatorRole",
        "https://www.i24news.tv/en/news/ukraine-conflict/1706711359-russia-ukraine-conduct-"
        "first-prisoner-swap-since-plane-crash",
    ),
    (
        "2024-08-24-ru-ua",
        "belarus",
        "TransitStateRole",
        "https://english.alarabiya.net/News/world/2024/08/24/russia-ukraine-set-to-swap-115-"
        "prisoners-uae-official-says",
    ),
    (
        "2025-05-23-ru-ua",
        "belarus",
        "TransitStateRole",
        "https://www.pravda.com.ua/eng/news/2025/05/23/7513734/",
    ),
    (
        "2025-05-24-ru-ua",
        "belarus",
        "TransitStateRole",
        "https://unn.ua/en/news/russia-announced-the-second-round-of-prisoner-exchange-with-"
        "ukraine-in-the-format-of-307-for-307",
    ),
    (
        "2025-06-09-ru-ua",
        "belarus",
        "TransitStateRole",
        "https://www.pravda.com.ua/eng/news/2025/06/9/7516322/",
    ),
    (
        "2025-06-26-ru-ua",
        "belarus",
        "TransitStateRole",
        "https://www.uanews.net/en/post/107299-ukraine-russia-swap-prisoners-troops-from-afu-"
        "national-guard-border-guard-return-home",
    ),
]


#: Other names by which a quote may name a third party: the Red Cross for the ICRC, "UN" for
#: the envoy's office, "U.S." for the United States, Belarus in a Russian quote.
QUOTE_NAMES = {
    "icrc": ("Red Cross",),
    "un-special-envoy-yemen": ("UN",),
    "united-states": ("U.S.",),
    "belarus": ("Белорусс",),
}

#: Mediations whose quote does not name the actor, with the reason the credit stands.
QUOTE_WITHOUT_THE_ACTOR = {
    ("2025-10-13-il-hamas", actor): (
        "the quote speaks of 'the four mediating countries' that signed the Sharm el-Sheikh "
        "document; the source names them in the text around it"
    )
    for actor in ("egypt", "qatar", "turkey")
}


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


def _mediation_key(graph: Graph, exchange: Node, mediation: Node) -> tuple[str, str, str]:
    actor, role = graph.value(mediation, SWAP.actor), graph.value(mediation, SWAP.role)
    return (
        str(exchange).rsplit("/", 1)[1],
        str(actor).rsplit("/", 1)[1],
        str(role).rsplit("#", 1)[1],
    )


def test_a_credit_by_every_source_was_checked(graph: Graph) -> None:
    # Copying a mediation's credit to every source of its exchange is how the 0.1.0 graph
    # went wrong; where every source does credit it, the register says who read what.
    copied = set()
    for exchange in _exchanges(graph):
        cited = set(graph.objects(exchange, DCTERMS.source))
        for mediation in graph.objects(exchange, SWAP.mediation):
            if len(cited) > 1 and set(graph.objects(mediation, SWAP.creditedIn)) == cited:
                copied.add(_mediation_key(graph, exchange, mediation))
    assert copied - set(CREDITED_BY_EVERY_SOURCE) == set()
    assert set(CREDITED_BY_EVERY_SOURCE) - copied == set()


def test_a_mediation_quote_names_its_actor(graph: Graph) -> None:
    # A quote kept on a mediation is the crediting source's own words about that actor.
    unnamed = set()
    for exchange in _exchanges(graph):
        for mediation in graph.objects(exchange, SWAP.mediation):
            quotes = " ".join(str(q) for q in graph.objects(mediation, SWAP.supportingQuote))
            if not quotes:
                continue
            actor = graph.value(mediation, SWAP.actor)
            key = _mediation_key(graph, exchange, mediation)
            names = [str(o) for p in (RDFS.label, SKOS.altLabel) for o in graph.objects(actor, p)]
            names += QUOTE_NAMES.get(key[1], ())
            if not any(name.lower() in quotes.lower() for name in names):
                unnamed.add(key[:2])
    assert unnamed == set(QUOTE_WITHOUT_THE_ACTOR)


def test_credits_withdrawn_where_the_text_does_not_credit(graph: Graph) -> None:
    credited = {
        (*_mediation_key(graph, exchange, mediation), str(source))
        for exchange in _exchanges(graph)
        for mediation in graph.objects(exchange, SWAP.mediation)
        for source in graph.objects(mediation, SWAP.creditedIn)
    }
    assert [row for row in NOT_CREDITED_BY if row in credited] == []
    # The exchanges still cite those sources for what they do say.
    for exchange_id, *_, source in NOT_CREDITED_BY:
        assert (ID[f"exchange/{exchange_id}"], DCTERMS.source, URIRef(source)) in graph


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
