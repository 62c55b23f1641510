"""schema.org descriptions of entities, embedded in their pages for search engines.

Dataset and web search engines read schema.org JSON-LD from a page's
``<script type="application/ld+json">`` element. An exchange is a ``schema:Event`` (its
date, place, the states involved, the larger exchange it is a stage of); a state is a
``schema:Country``; an agency of a state is a ``schema:GovernmentOrganization`` and any
other organisation a ``schema:Organization``; a person a ``schema:Person``; a place a
``schema:Place``. The page also links each RDF form of the entity with
``<link rel="alternate">``.

The JSON-LD names its vocabulary with an inline ``@vocab`` rather than the remote context
``https://schema.org``: the same triples, and a consumer needs to fetch nothing to read them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from html import escape
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SDO, SKOS

from swapgraph import formats
from swapgraph.engine import Row
from swapgraph.namespaces import ID, SWAP, WD

_SCHEMA = str(SDO)
# An IRI is put in a query only if it cannot break out of its <…> (RFC 3987 forbids these).
_IRI_UNSAFE = re.compile(r'[\x00-\x20<>"{}|\\^`]')

#: Looks up labels (rdfs:label) of IRIs; the server passes a function over its engine.
Labeller = Callable[[list[URIRef]], Mapping[URIRef, str]]


def alternate_links(iri: URIRef) -> list[tuple[str, str]]:
    """``(href, media type)`` of each RDF form of an entity's page, relative to the site."""
    path = "/id/" + iri.removeprefix(str(ID))
    return [
        (f"{path}?format={formats.format_name(f)}", formats.media_type(f))
        for f in formats.LINKED_DATA_FORMATS
    ]


def describe(iri: URIRef, graph: Graph, labels: Labeller) -> dict[str, Any] | None:
    """The schema.org node of an entity, or None for kinds without a schema.org match.

    Args:
        iri: The entity.
        graph: Its triples and those of the blank nodes nested under it.
        labels: Gives the names of the IRIs the entity refers to.
    """
    types = set(graph.objects(iri, RDF.type))
    node: dict[str, Any] = {"@id": str(iri), "url": str(iri)}
    name = graph.value(iri, RDFS.label)
    if name is not None:
        node["name"] = str(name)
    description = graph.value(iri, SDO.description)
    if description is not None:
        node["description"] = str(description)
    same = {
        str(o)
        for p in (OWL.sameAs, SKOS.exactMatch)
        for o in graph.objects(iri, p)
        if isinstance(o, URIRef) and o.startswith(str(WD))
    }
    if same:
        node["sameAs"] = [{"@id": link} for link in sorted(same)]
    if SWAP.Exchange in types:
        return _event(iri, graph, node, labels)
    if SWAP.State in types:
        codes = [str(graph.value(iri, p) or "") for p in (SWAP.iso3166Alpha2, SWAP.iso3166Alpha3)]
        node["@type"] = "Country"
        if any(codes):
            node["identifier"] = [code for code in codes if code]
        return node
    if SWAP.Organisation in types:
        state = graph.value(iri, SWAP.country)
        node["@type"] = "GovernmentOrganization" if state is not None else "Organization"
        if isinstance(state, URIRef):
            node["areaServed"] = _named(state, "Country", labels([state]))
        return node
    if SWAP.Person in types:
        node["@type"] = "Person"
        return node
    if SWAP.Place in types:
        node["@type"] = "Place"
        state = graph.value(iri, SWAP.country)
        if isinstance(state, URIRef):
            node["containedInPlace"] = _named(state, "Country", labels([state]))
        return node
    return None


def _event(iri: URIRef, graph: Graph, node: dict[str, Any], labels: Labeller) -> dict[str, Any]:
    node["@type"] = "Event"
    day = graph.value(iri, SWAP.date)
    if isinstance(day, Literal):
        node["startDate"] = str(day)
        node["endDate"] = str(day)
    transfers = list(graph.objects(iri, SWAP.transfer))
    parties = sorted(
        {
            o
            for t in transfers
            for p in (SWAP.releasedBy, SWAP.receivedBy)
            for o in graph.objects(t, p)
            if isinstance(o, URIRef)
        }
    )
    third = sorted(
        {
            o
            for m in graph.objects(iri, SWAP.mediation)
            for o in graph.objects(m, SWAP.actor)
            if isinstance(o, URIRef)
        }
        - set(parties)
    )
    places = sorted(o for o in graph.objects(iri, SWAP.handoverPlace) if isinstance(o, URIRef))
    stage_of = sorted(o for o in graph.objects(iri, SWAP.partOf) if isinstance(o, URIRef))
    names = labels([*parties, *third, *places, *stage_of])
    kinds = _actor_kinds(graph, [*parties, *third])
    if parties or third:
        node["about"] = [_named(a, kinds.get(a, "Country"), names) for a in [*parties, *third]]
    if places:
        node["location"] = [_named(p, "Place", names) for p in places]
    if stage_of:
        node["superEvent"] = [_named(e, "Event", names) for e in stage_of]
    return node


def _actor_kinds(graph: Graph, actors: list[URIRef]) -> dict[URIRef, str]:
    # The entity's own graph types none of the actors it refers to: their IRIs say the kind.
    kinds = {"state/": "Country", "organisation/": "Organization", "person/": "Person"}
    found = {}
    for actor in actors:
        tail = actor.removeprefix(str(ID))
        found[actor] = next((k for prefix, k in kinds.items() if tail.startswith(prefix)), "Thing")
    return found


def _named(iri: URIRef, kind: str, names: Mapping[URIRef, str]) -> dict[str, str]:
    node = {"@type": kind, "@id": str(iri)}
    if iri in names:
        node["name"] = names[iri]
    return node


def document(node: dict[str, Any]) -> dict[str, Any]:
    """A standalone schema.org JSON-LD document for ``node``."""
    return {"@context": {"@vocab": _SCHEMA}, **node}


def script_json(node: dict[str, Any]) -> str:
    """The JSON for a ``<script type="application/ld+json">`` element.

    ``<``, ``>`` and ``&`` are written as JSON escapes, so that no value (a label holding
    ``</script>``) can end the element early or be read as markup; JSON parsers read them
    back as the same characters.
    """
    text = json.dumps(document(node), ensure_ascii=False, indent=1)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def head_html(iri: URIRef, graph: Graph, labels: Labeller) -> str:
    """What an entity page adds to its ``<head>``: alternate links and schema.org JSON-LD."""
    lines = [
        f'  <link rel="alternate" type="{escape(media_type)}" href="{escape(href)}">'
        for href, media_type in alternate_links(iri)
    ]
    node = describe(iri, graph, labels)
    if node is not None:
        lines.append(f'  <script type="application/ld+json">\n{script_json(node)}\n  </script>')
    return "\n".join(lines)


def label_query(iris: list[URIRef]) -> str | None:
    """A SELECT of ``?s ?label`` for the safe IRIs among ``iris``; None if there are none."""
    safe = sorted({i for i in iris if not _IRI_UNSAFE.search(i)})
    if not safe:
        return None
    values = " ".join(f"<{i}>" for i in safe)
    return f"SELECT ?s ?label WHERE {{ VALUES ?s {{ {values} }} ?s <{RDFS.label}> ?label }}"


def labels_from_rows(rows: list[Row]) -> dict[URIRef, str]:
    """The labels a :func:`label_query` answered, by IRI."""
    return {
        row["s"]: str(row["label"])
        for row in rows
        if isinstance(row["s"], URIRef) and row["label"] is not None
    }
