"""The HTML view of one entity of the graph: every fact with its sources as links.

An entity's description is its own triples plus the blank nodes nested under it (an
exchange's transfers and mediations, and the claims nested in those), as the Linked Data
route fetches it; this module adds the labels of the IRIs it mentions and the entities that
point at it. Nested nodes are rendered inline under the fact that holds them. Where sources
disagree on a figure, the curated value is flagged and each claim is shown with the value it
gives, who gives it and its source.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import urlsplit

from markupsafe import Markup
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS
from rdflib.term import Node

from swapgraph import schema_org
from swapgraph.engine import QueryResult, SelectResult
from swapgraph.namespaces import ID, SWAP, prefixed
from swapgraph.server.pages import render

ONTOLOGY_BASE = "https://w3id.org/swapgraph/ontology"

# An IRI may be written into query text only without these (RFC 3987 forbids them anyway).
_IRI_UNSAFE = re.compile(r'[\x00-\x20<>"{}|\\^`]')

# Labels for the reused vocabularies' terms, which the project's ontology does not label.
_KNOWN_LABELS: dict[URIRef, str] = {
    RDF.type: "type",
    RDFS.label: "name",
    RDFS.comment: "note",
    RDFS.seeAlso: "see also",
    DCTERMS.source: "source",
    DCTERMS.identifier: "identifier",
    DCTERMS.issued: "published",
    SKOS.altLabel: "also called",
    SKOS.exactMatch: "same as",
    SKOS.closeMatch: "close match",
    OWL.sameAs: "same as",
}

# Facts shown first, in this order; the rest follow by label, then these last.
_FIRST = [
    SWAP.date,
    SWAP.datePrecision,
    SWAP.releasedBy,
    SWAP.receivedBy,
    SWAP.peopleCount,
    SWAP.militaryCount,
    SWAP.civilianCount,
    SWAP.otherCount,
    SWAP.releasedPerson,
    SWAP.actor,
    SWAP.role,
    SWAP.transfer,
    SWAP.mediation,
    SWAP.implements,
    SWAP.stageNumber,
    SWAP.partOf,
    SWAP.handoverPlace,
]
_LAST = [
    SWAP.claim,
    SWAP.supportingQuote,
    RDFS.comment,
    SWAP.creditedIn,
    SWAP.deniedIn,
    DCTERMS.source,
]
# Facts that the page shows elsewhere (the heading, a nested node's summary line).
_SHOWN_APART = {RDF.type, RDFS.label}


class Queries(Protocol):
    """What the page needs of a query engine: run a query, get rdflib terms back."""

    def query(self, sparql: str) -> QueryResult:
        """Run a SPARQL query."""
        ...


def is_safe_iri(iri: str) -> bool:
    """True if ``iri`` is absolute and may be written as ``<iri>`` in SPARQL text."""
    return bool(re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", iri)) and not _IRI_UNSAFE.search(iri)


@dataclass
class Referrer:
    """An entity whose facts (its own or a nested node's) point at the described entity."""

    iri: URIRef
    predicate: URIRef
    date: str | None


@dataclass
class EntityDescription:
    """What the page of one entity shows.

    Attributes:
        iri: The entity.
        graph: Its triples and those of the blank nodes nested under it.
        labels: Display names of the IRIs the page mentions.
        details: Other facts about mentioned IRIs that the page shows (a source's date).
        referrers: Entities that point at this one, newest first.
    """

    iri: URIRef
    graph: Graph
    labels: dict[URIRef, str] = field(default_factory=dict)
    details: dict[URIRef, str] = field(default_factory=dict)
    referrers: list[Referrer] = field(default_factory=list)


def describe_entity(queries: Queries, iri: URIRef, graph: Graph) -> EntityDescription:
    """Gather what the page of ``iri`` shows besides its own triples.

    Args:
        queries: The query engine over the project's dataset.
        iri: The entity's IRI.
        graph: Its triples and those of the blank nodes nested under it.

    Returns:
        The description, with labels for every IRI it mentions and the entities that point
        at it (none when ``iri`` cannot be written safely into a query).
    """
    description = EntityDescription(iri, graph)
    if not is_safe_iri(str(iri)):
        return description
    description.referrers = _referrers(queries, str(iri))
    mentioned = {iri, *(r.iri for r in description.referrers)}
    mentioned.update(r.predicate for r in description.referrers)
    for triple in graph:
        mentioned.update(term for term in triple if isinstance(term, URIRef))
    _fetch_labels(queries, mentioned, description)
    return description


def _referrers(queries: Queries, iri: str) -> list[Referrer]:
    result = queries.query(f"""
        SELECT DISTINCT ?owner ?p ?date WHERE {{
          {{ ?owner ?p <{iri}> }}
          UNION {{ ?owner ?q ?b . FILTER (isBlank(?b)) ?b ?p <{iri}> }}
          FILTER (isIRI(?owner) && ?owner != <{iri}> && ?p != <{RDF.type}>)
          OPTIONAL {{ ?owner <{SWAP.date}> ?date }}
        }}""")
    if not isinstance(result, SelectResult):
        return []
    referrers = [
        Referrer(owner, predicate, str(row["date"]) if row["date"] is not None else None)
        for row in result.rows
        if isinstance(owner := row["owner"], URIRef) and isinstance(predicate := row["p"], URIRef)
    ]
    return sorted(referrers, key=lambda r: (r.date or "", str(r.iri)), reverse=True)


def _fetch_labels(queries: Queries, iris: Iterable[URIRef], into: EntityDescription) -> None:
    values = " ".join(f"<{iri}>" for iri in sorted(iris) if is_safe_iri(str(iri)))
    if not values:
        return
    result = queries.query(f"""
        SELECT ?x ?p ?v WHERE {{
          VALUES ?x {{ {values} }}
          VALUES ?p {{ <{RDFS.label}> <{SKOS.prefLabel}> <{SWAP.publisherName}>
                       <{DCTERMS.issued}> }}
          ?x ?p ?v .
          FILTER (!isLiteral(?v) || lang(?v) = "" || langMatches(lang(?v), "en"))
        }}""")
    if not isinstance(result, SelectResult):
        return
    ranked: dict[URIRef, tuple[int, str]] = {}
    preference = [SWAP.publisherName, SKOS.prefLabel, RDFS.label]
    for row in result.rows:
        subject, predicate, value = row["x"], row["p"], row["v"]
        if not isinstance(subject, URIRef) or value is None:
            continue
        if predicate == DCTERMS.issued:
            into.details[subject] = str(value)
            continue
        rank = preference.index(predicate) if isinstance(predicate, URIRef) else len(preference)
        if subject not in ranked or rank < ranked[subject][0]:
            ranked[subject] = (rank, str(value))
    into.labels.update({iri: label for iri, (_, label) in ranked.items()})


# --------------------------------------------------------------------------- rendering
#
# The page is a Jinja2 template with autoescaping (templates/entity.html); this module only
# builds the plain values it shows, so no text of the graph is ever written as markup here.

# A scheme as a URL parser finds it. Browsers drop tabs and newlines inside a URL and spaces
# and control characters around it before they look for the scheme ("java\tscript:" is
# "javascript:"), so any such character makes an IRI unlinkable (IRIs cannot hold them).
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
_CONTROL_OR_SPACE = re.compile(r"[\x00-\x20\x7f]")
_LINKABLE_SCHEMES = {"http", "https"}


def _shown(iri: URIRef) -> str:
    # A page shows a prefixed name where there is one, else the IRI itself (no brackets).
    return prefixed(str(iri)) or str(iri)


def local_href(iri: str) -> str:
    """The address of an IRI's page: swapgraph's own IRIs resolve on this server."""
    if iri.startswith(str(ID)):
        return "/id/" + iri[len(str(ID)) :]
    if iri.startswith(ONTOLOGY_BASE):
        return "/ontology" + iri[len(ONTOLOGY_BASE) :]
    return iri


def safe_href(iri: str) -> str | None:
    """Where a link to ``iri`` may point, or None if it must be shown as text only.

    Only ``http``, ``https`` and relative references are links: ``javascript:``, ``data:``,
    ``vbscript:`` and every other scheme would let the data run script or open things the
    reader did not ask for. The same rule is ``safeHref`` in ``static/js/sparql.js``.
    """
    href = local_href(iri)
    if not href or _CONTROL_OR_SPACE.search(href):
        return None
    scheme = _SCHEME.match(href)
    if scheme is not None and scheme.group(1).lower() not in _LINKABLE_SCHEMES:
        return None
    return href


@dataclass(frozen=True)
class LinkView:
    """An IRI as the page shows it: a link when :func:`safe_href` allows one, else text."""

    text: str
    title: str
    href: str | None
    external: bool = False
    date: str | None = None
    kind: str = "link"


@dataclass(frozen=True)
class LiteralView:
    """A literal value: a quote is set apart, a language tag becomes ``lang``."""

    text: str
    lang: str | None = None
    quote: bool = False
    kind: str = "literal"


@dataclass(frozen=True)
class NestedView:
    """A blank node shown inline: its kind, a summary line and its own facts."""

    kind_label: str
    css: str
    summary: str
    flag: str | None
    facts: list[FactView]
    kind: str = "nested"


ValueView = LinkView | LiteralView | NestedView


@dataclass(frozen=True)
class FactView:
    """One row of a facts table: a property and its values."""

    label: str
    title: str
    values: list[ValueView]
    disputed: bool


@dataclass(frozen=True)
class ReferrerGroup:
    """The entities that point at the described one through one property."""

    label: str
    items: list[tuple[LinkView, str | None]]


@dataclass(frozen=True)
class EntityView:
    """Everything ``templates/entity.html`` shows."""

    title: str
    iri: str
    kinds: list[LinkView]
    facts: list[FactView]
    referrers: list[ReferrerGroup]


class _Builder:
    """Turns an :class:`EntityDescription` into the plain values of an :class:`EntityView`."""

    def __init__(self, description: EntityDescription) -> None:
        self.description = description
        self.graph = description.graph

    def label(self, iri: URIRef) -> str:
        own = self.graph.value(iri, RDFS.label) or self.graph.value(iri, SKOS.prefLabel)
        known = self.description.labels.get(iri) or own or _KNOWN_LABELS.get(iri)
        if known:
            return str(known)
        name = prefixed(str(iri))
        host = urlsplit(str(iri)).hostname
        if name is None and host and iri.startswith("http"):
            return host.removeprefix("www.")  # a source without a publisher's name
        return name or str(iri)

    def link(self, iri: URIRef) -> LinkView:
        href = safe_href(str(iri))
        if href == str(iri):  # not one of ours: an outside page, with its date if known
            date = self.description.details.get(iri)
            return LinkView(self.label(iri), str(iri), href, external=True, date=date)
        return LinkView(self.label(iri), _shown(iri), href)

    def value(self, node: Node, predicate: URIRef, depth: int) -> ValueView:
        if isinstance(node, URIRef):
            return self.link(node)
        if isinstance(node, BNode):
            return self.nested(node, depth + 1)
        if isinstance(node, Literal):
            quote = predicate == SWAP.supportingQuote
            return LiteralView(str(node), node.language or ("en" if quote else None), quote)
        return LiteralView(str(node))

    def facts(self, node: URIRef | BNode, depth: int, skip: set[URIRef]) -> list[FactView]:
        """The node's facts, one row per property, nested nodes inline."""
        by_predicate: dict[URIRef, list[Node]] = defaultdict(list)
        for predicate, value in self.graph.predicate_objects(node):
            if isinstance(predicate, URIRef) and predicate not in skip:
                by_predicate[predicate].append(value)
        disputed = {
            claimed
            for claim in self.graph.objects(node, SWAP.claim)
            if isinstance(claimed := self.graph.value(claim, SWAP.claimedProperty), URIRef)
        }
        return [
            FactView(
                self.label(predicate),
                _shown(predicate),
                [
                    self.value(v, predicate, depth)
                    for v in sorted(by_predicate[predicate], key=self._value_order)
                ],
                predicate in disputed,
            )
            for predicate in sorted(by_predicate, key=self._order)
        ]

    def _order(self, predicate: URIRef) -> tuple[int, str]:
        if predicate in _FIRST:
            return (0, f"{_FIRST.index(predicate):03d}")
        if predicate in _LAST:
            return (2, f"{_LAST.index(predicate):03d}")
        return (1, self.label(predicate).lower())

    def _value_order(self, node: Node) -> tuple[str, str]:
        if isinstance(node, URIRef):
            return ("", self.label(node).lower())
        if isinstance(node, BNode):
            # Nested nodes in a stable order: by their summary line.
            return ("~", self.summary(node))
        return ("", str(node))

    def names(self, node: BNode, predicate: URIRef) -> str:
        return (
            ", ".join(
                self.label(o) for o in self.graph.objects(node, predicate) if isinstance(o, URIRef)
            )
            or "?"
        )

    def summary(self, node: BNode) -> str:
        """One line saying what a nested node is: a transfer's direction and count, etc."""
        kinds = set(self.graph.objects(node, RDF.type))
        if SWAP.Transfer in kinds:
            count = self.graph.value(node, SWAP.peopleCount)
            people = f"{count} people" if count is not None else "number not stated"
            return (
                f"{self.names(node, SWAP.releasedBy)} → {self.names(node, SWAP.receivedBy)}:"
                f" {people}"
            )
        if SWAP.Mediation in kinds:
            return f"{self.names(node, SWAP.actor)}: {self.names(node, SWAP.role)}"
        if SWAP.Claim in kinds:
            claimed = self.graph.value(node, SWAP.claimedProperty)
            value = self.graph.value(node, SWAP.claimedValue)
            what = self.label(claimed) if isinstance(claimed, URIRef) else "value"
            text = f"{what}: {value}"
            if self.graph.value(node, SWAP.claimedBy) is not None:
                text += f", according to {self.names(node, SWAP.claimedBy)}"
            return text
        return ", ".join(self.label(k) for k in kinds if isinstance(k, URIRef)) or "details"

    def nested(self, node: BNode, depth: int) -> ValueView:
        if depth > 4:  # the description is a few levels deep; this only guards a cycle
            return LiteralView(self.summary(node))
        kinds = [k for k in self.graph.objects(node, RDF.type) if isinstance(k, URIRef)]
        flag = None
        if (node, SWAP.claim, None) in self.graph:
            flag = "figures disputed"
        if (node, SWAP.deniedIn, None) in self.graph:
            flag = "denied by a source"
        skip = set(_SHOWN_APART)
        if SWAP.Claim in kinds:  # the summary line already gives the property and value
            skip |= {SWAP.claimAbout, SWAP.claimedProperty, SWAP.claimedValue}
        return NestedView(
            ", ".join(self.label(k) for k in kinds) or "details",
            "nested claim" if SWAP.Claim in kinds else "nested",
            self.summary(node),
            flag,
            self.facts(node, depth, skip),
        )

    def referrers(self) -> list[ReferrerGroup]:
        groups: dict[URIRef, list[Referrer]] = defaultdict(list)
        for referrer in self.description.referrers:
            groups[referrer.predicate].append(referrer)
        return [
            ReferrerGroup(self.label(predicate), [(self.link(r.iri), r.date) for r in members])
            for predicate, members in sorted(groups.items(), key=lambda g: self.label(g[0]).lower())
        ]

    def view(self) -> EntityView:
        entity = self.description.iri
        kinds = sorted(k for k in self.graph.objects(entity, RDF.type) if isinstance(k, URIRef))
        return EntityView(
            title=self.label(entity),
            iri=str(entity),
            kinds=[self.link(k) for k in kinds],
            facts=self.facts(entity, 0, set(_SHOWN_APART)),
            referrers=self.referrers(),
        )


def entity_view(description: EntityDescription) -> EntityView:
    """What the page of an entity shows, as plain values for its template."""
    return _Builder(description).view()


def entity_html(queries: Queries, iri: URIRef, graph: Graph) -> str:
    """The HTML page of an entity.

    Args:
        queries: The served dataset, asked for labels and for what points at ``iri``.
        iri: The entity.
        graph: Its triples and those of the blank nodes nested under it.

    Blocks while its queries run: call it off the event loop.
    """
    head = schema_org.head_html(iri, graph, lambda iris: _labels(queries, iris))
    return render_entity(describe_entity(queries, iri, graph), head)


def _labels(queries: Queries, iris: list[URIRef]) -> dict[URIRef, str]:
    query = schema_org.label_query(iris)
    if query is None:
        return {}
    result = queries.query(query)
    return schema_org.labels_from_rows(result.rows) if isinstance(result, SelectResult) else {}


def render_entity(description: EntityDescription, head: str = "") -> str:
    """The HTML page of an entity, rendered by ``templates/entity.html``.

    ``head`` is what :mod:`swapgraph.schema_org` adds to ``<head>`` (alternate links and the
    schema.org JSON-LD block), written with its own escaping.
    """
    view = entity_view(description)
    return render("entity.html", title=f"{view.title} · swapgraph", entity=view, head=Markup(head))
