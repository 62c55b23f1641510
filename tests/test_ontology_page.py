"""The /ontology page: anchors that entity pages' links hit, domain and range of every property.

Against the shared real server: entity pages are built from the served data.
"""

from __future__ import annotations

from html.parser import HTMLParser

import httpx
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Node

from swapgraph.engine import open_engine, select
from swapgraph.load import ontology_graph
from swapgraph.paths import Project
from tests.serving import RunningServer

_NAMESPACE = "https://w3id.org/swapgraph/ontology#"
# One entity of each kind whose page links to the vocabulary (sources with our own IRIs).
_ENTITIES = """
PREFIX swap: <https://w3id.org/swapgraph/ontology#>
SELECT ?s WHERE {
  VALUES ?type { swap:Exchange swap:State swap:Source swap:Agreement }
  { SELECT ?type (MIN(STR(?e)) AS ?s) WHERE {
      ?e a ?type FILTER(STRSTARTS(STR(?e), "https://w3id.org/swapgraph/id/"))
  } GROUP BY ?type }
}
"""


class _Page(HTMLParser):
    """The ids, links and the text of each term's domain and range on a page."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.term_fields: dict[str, dict[str, str]] = {}
        self._article: str | None = None
        self._field: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.add(str(found["id"]))
        if tag == "a" and found.get("href"):
            self.links.append(str(found["href"]))
        if tag == "article" and found.get("id"):
            self._article = str(found["id"])
            self.term_fields[self._article] = {}
        if tag == "dd" and self._article and found.get("class") in ("domain", "range"):
            self._field = str(found["class"])
            self.term_fields[self._article][self._field] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "dd":
            self._field = None
        if tag == "article":
            self._article = None

    def handle_data(self, data: str) -> None:
        if self._article and self._field:
            self.term_fields[self._article][self._field] += data


def _parse(text: str) -> _Page:
    page = _Page()
    page.feed(text)
    return page


def _html(url: str) -> str:
    response = httpx.get(url, headers={"Accept": "text/html"}, timeout=30)
    assert response.status_code == 200, url
    return response.text


def test_every_ontology_link_of_entity_pages_hits_an_anchor(
    shared_server: RunningServer, project: Project
) -> None:
    ontology_page = _parse(_html(f"{shared_server.url}/ontology"))
    entities = [str(row["s"]) for row in select(open_engine(project, "oxigraph"), _ENTITIES)]
    assert entities
    checked = 0
    for iri in entities:
        path = iri.removeprefix("https://w3id.org/swapgraph/id/")
        links = _parse(_html(f"{shared_server.url}/id/{path}")).links
        for link in links:
            if link.startswith("/ontology#"):
                assert link.removeprefix("/ontology#") in ontology_page.ids, (iri, link)
                checked += 1
    assert checked > 0  # the pages do link to the vocabulary


def test_every_property_shows_its_domain_and_range(
    shared_server: RunningServer, project: Project
) -> None:
    ontology = ontology_graph(project)
    page = _parse(_html(f"{shared_server.url}/ontology"))
    properties = {
        p
        for kind in (OWL.ObjectProperty, OWL.DatatypeProperty)
        for p in ontology.subjects(RDF.type, kind)
        if isinstance(p, URIRef)
    }
    assert properties
    for prop in properties:
        local = str(prop).removeprefix(_NAMESPACE)
        shown = page.term_fields[local]
        for field, predicate in (("domain", RDFS.domain), ("range", RDFS.range)):
            for value in ontology.objects(prop, predicate):
                for member in _members(ontology, value):
                    name = str(member).removeprefix(_NAMESPACE)
                    expected = (
                        name if name != str(member) else member.n3(ontology.namespace_manager)
                    )
                    assert expected in shown[field], (local, field, expected, shown[field])
            if (prop, predicate, None) not in ontology:
                assert shown[field] == "any resource"


def test_every_class_lists_the_properties_whose_domain_it_is(
    shared_server: RunningServer, project: Project
) -> None:
    ontology = ontology_graph(project)
    page = _html(f"{shared_server.url}/ontology")
    exchange = page[page.index('id="Exchange"') :]
    exchange = exchange[: exchange.index("</article>")]
    for prop in ontology.subjects(RDFS.domain, URIRef(_NAMESPACE + "Exchange")):
        assert f'href="#{str(prop).removeprefix(_NAMESPACE)}"' in exchange
    assert 'id="contents"' in page and 'id="version"' in page


def _members(ontology: Graph, node: Node) -> list[URIRef]:
    if isinstance(node, URIRef):
        return [node]
    union = ontology.value(node, OWL.unionOf)
    return [m for m in ontology.items(union) if isinstance(m, URIRef)] if union else []
