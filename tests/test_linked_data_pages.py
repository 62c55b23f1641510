"""Linked Data resources for people and crawlers: shapes, ontology versions, entity pages."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from urllib.parse import urljoin

import httpx
import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SH

from swapgraph import schema_org
from swapgraph.load import data_graph, ontology_graph, shapes_graph
from swapgraph.namespaces import ID, SWAP
from swapgraph.paths import Project
from tests.serving import RunningServer

SHAPES = URIRef("https://w3id.org/swapgraph/shapes#")
CC_BY = URIRef("https://creativecommons.org/licenses/by/4.0/")


@pytest.fixture(scope="module")
def server(shared_server: RunningServer) -> RunningServer:
    return shared_server


class Page(HTMLParser):
    """The parts of an HTML page the tests read: rows by id, cells' text, tags seen."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.rows: dict[str, list[str]] = {}
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._row: str | None = None
        self._script: dict[str, str | None] | None = None
        self._text: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.tags.append((tag, values))
        if tag == "tr" and values.get("id"):
            self._row = values["id"]
            self.rows[self._row or ""] = []
        if tag == "td":
            self._text = []
        if tag == "script":
            self._script = values
            self._text = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._row is not None:
            self.rows[self._row].append(" ".join("".join(self._text).split()))
        if tag == "tr":
            self._row = None
        if tag == "script" and self._script is not None:
            self.scripts.append((self._script, "".join(self._text)))
            self._script = None

    def handle_data(self, data: str) -> None:
        self._text.append(data)


def html(url: str) -> tuple[str, Page]:
    answer = httpx.get(url, headers={"Accept": "text/html"}, timeout=60)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/html")
    return answer.text, Page(answer.text)


def assert_no_inline_code(page: Page) -> None:
    """Nothing that a strict Content-Security-Policy (no inline script or style) blocks."""
    for tag, attrs in page.tags:
        assert "style" not in attrs, tag
        assert not any(name.startswith("on") for name in attrs), tag
        assert tag != "style"
    # JSON data blocks (schema.org markup, the default prefixes) are data, never run.
    for attrs, _ in page.scripts:
        assert attrs.get("src") or attrs.get("type") in ("application/ld+json", "application/json")


# --------------------------------------------------------------------------- shapes


def test_shapes_are_served_as_turtle_with_metadata(server: RunningServer, project: Project) -> None:
    answer = httpx.get(f"{server.url}/shapes", headers={"Accept": "text/turtle"})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/turtle")
    served = Graph().parse(data=answer.text, format="turtle")
    assert isomorphic(served, shapes_graph(project))
    assert served.value(SHAPES, DCTERMS.title) is not None
    assert served.value(SHAPES, DCTERMS.license) == CC_BY
    assert served.value(SHAPES, OWL.versionInfo) is not None
    # The public IRI that a data graph's sh:shapesGraph names resolves here.
    assert served.value(SHAPES, RDFS.isDefinedBy) == URIRef("https://w3id.org/swapgraph/shapes")
    as_jsonld = httpx.get(f"{server.url}/shapes", headers={"Accept": "application/ld+json"})
    assert isomorphic(Graph().parse(data=as_jsonld.text, format="json-ld"), served)


def test_shapes_page_lists_every_shape_with_target_paths_and_message(
    server: RunningServer, project: Project
) -> None:
    text, page = html(f"{server.url}/shapes")
    shapes = shapes_graph(project)
    named = {
        s
        for kind in (SH.NodeShape, SH.PropertyShape)
        for s in shapes.subjects(RDF.type, kind)
        if isinstance(s, URIRef)
    }
    assert len(page.rows) == len(named)
    exchange = page.rows["swapsh:ExchangeShape"]
    assert "instances of swap:Exchange" in exchange[1]
    assert "swap:date" in exchange[2]
    message = str(shapes.value(URIRef(f"{SHAPES}ExchangeShape"), SH.message))
    assert exchange[4] == " ".join(message.split())
    # Messages holding markup-like text are escaped, not interpreted.
    assert "&lt;slug&gt;" in text
    date = page.rows["swapsh:ExchangeDate"]
    assert "swapsh:ExchangeShape" in date[1] and "swap:date" in date[2]
    inverse = [row for row in page.rows.values() if "^swap:transfer" in row[2]]
    assert inverse, "inverse paths are written in SPARQL path syntax"
    assert_no_inline_code(page)


def test_shapes_answer_406_for_an_unknown_type(server: RunningServer) -> None:
    answer = httpx.get(f"{server.url}/shapes", headers={"Accept": "image/png"})
    assert answer.status_code == 406


# --------------------------------------------------------------------------- ontology versions


def test_the_current_version_iri_resolves(server: RunningServer, project: Project) -> None:
    ontology = ontology_graph(project)
    [header] = ontology.subjects(RDF.type, OWL.Ontology)
    version_iri = str(ontology.value(header, OWL.versionIRI))
    version = version_iri.rsplit("/", 1)[1]
    assert version == str(ontology.value(header, OWL.versionInfo))
    path = version_iri.removeprefix("https://w3id.org/swapgraph")
    answer = httpx.get(f"{server.url}{path}", headers={"Accept": "text/turtle"})
    assert answer.status_code == 200
    assert isomorphic(Graph().parse(data=answer.text, format="turtle"), ontology)
    _, page = html(f"{server.url}{path}")
    assert_no_inline_code(page)
    assert httpx.get(f"{server.url}/ontology/99.0.0").status_code == 404


def test_the_ontology_page_lists_the_changelog_versions(
    server: RunningServer, project: Project
) -> None:
    text, page = html(f"{server.url}/ontology")
    versions = re.findall(r"^## +(\d+\.\d+\.\d+)", project.changelog.read_text(), re.MULTILINE)
    assert versions
    ids = {attrs.get("id") for _, attrs in page.tags}
    for version in versions:
        assert f"version-{version}" in ids
    # The current version links to its version IRI's page.
    links = {attrs.get("href") for tag, attrs in page.tags if tag == "a"}
    current = str(next(ontology_graph(project).objects(None, OWL.versionInfo)))
    assert f"/ontology/{current}" in links
    assert "Ontology" in text and "Data" in text
    assert_no_inline_code(page)


# --------------------------------------------------------------------------- entity pages

SCHEMA = Namespace("https://schema.org/")


def schema_org_block(page: Page) -> Graph:
    [(_, text)] = [(a, t) for a, t in page.scripts if a.get("type") == "application/ld+json"]
    return Graph().parse(data=text, format="json-ld")


def test_entity_page_links_every_rdf_form(server: RunningServer) -> None:
    url = f"{server.url}/id/exchange/2025-05-23-ru-ua"
    _, page = html(url)
    alternates = {
        attrs["type"]: attrs["href"]
        for tag, attrs in page.tags
        if tag == "link" and attrs.get("rel") == "alternate"
    }
    formats = {
        "text/turtle": "turtle",
        "application/ld+json": "json-ld",
        "application/n-triples": "nt",
        "application/rdf+xml": "xml",
    }
    assert set(alternates) == set(formats)
    turtle = Graph().parse(data=httpx.get(url, headers={"Accept": "text/turtle"}).text)
    for media_type, href in alternates.items():
        answer = httpx.get(urljoin(url, href))
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith(media_type)
        assert isomorphic(Graph().parse(data=answer.text, format=formats[media_type]), turtle)
    assert_no_inline_code(page)


def test_exchange_page_embeds_a_schema_org_event(server: RunningServer, project: Project) -> None:
    iri = URIRef("https://w3id.org/swapgraph/id/exchange/2025-05-23-ru-ua")
    _, page = html(f"{server.url}/id/exchange/2025-05-23-ru-ua")
    event = schema_org_block(page)
    data = data_graph(project)
    assert (iri, RDF.type, SCHEMA.Event) in event
    assert str(event.value(iri, SCHEMA.startDate)) == str(data.value(iri, SWAP.date))
    assert str(event.value(iri, SCHEMA.name)) == str(data.value(iri, RDFS.label))
    released_by = {
        o for t in data.objects(iri, SWAP.transfer) for o in data.objects(t, SWAP.releasedBy)
    }
    about = set(event.objects(iri, SCHEMA.about))
    assert released_by <= about
    for actor in released_by:
        assert (actor, RDF.type, SCHEMA.Country) in event
        assert event.value(actor, SCHEMA.name) == data.value(actor, RDFS.label)


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("state/turkey", "Country"),
        ("organisation/mit", "GovernmentOrganization"),
        ("organisation/icrc", "Organization"),
    ],
)
def test_actor_pages_embed_schema_org(
    server: RunningServer, project: Project, path: str, kind: str
) -> None:
    iri = URIRef(f"https://w3id.org/swapgraph/id/{path}")
    _, page = html(f"{server.url}/id/{path}")
    described = schema_org_block(page)
    assert (iri, RDF.type, SCHEMA[kind]) in described
    data = data_graph(project)
    assert described.value(iri, SCHEMA.name) == data.value(iri, RDFS.label)
    for same in data.objects(iri, OWL.sameAs):
        assert (iri, SCHEMA.sameAs, same) in described


def test_schema_org_block_cannot_end_its_script_element() -> None:
    iri = URIRef("https://w3id.org/swapgraph/id/person/x")
    graph = Graph()
    graph.add((iri, RDF.type, SWAP.Person))
    hostile = "</script><script>alert(1)</script> & <!--"
    graph.add((iri, RDFS.label, Literal(hostile)))
    head = schema_org.head_html(iri, graph, lambda iris: {})
    script = head.split('<script type="application/ld+json">', 1)[1].rsplit("</script>", 1)[0]
    assert "</" not in script and "<!--" not in script
    assert json.loads(script)["name"] == hostile


def test_robots_and_sitemap_list_the_entity_pages(server: RunningServer, project: Project) -> None:
    robots = httpx.get(f"{server.url}/robots.txt")
    assert robots.status_code == 200
    [sitemap_url] = [
        line.split(":", 1)[1].strip()
        for line in robots.text.splitlines()
        if line.startswith("Sitemap:")
    ]
    assert sitemap_url == f"{server.url}/sitemap.xml"
    assert "Disallow: /sparql" in robots.text
    answer = httpx.get(sitemap_url)
    assert answer.status_code == 200
    namespace = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    locations = [loc.text or "" for loc in ET.fromstring(answer.content).iter(f"{namespace}loc")]
    graph = data_graph(project) + ontology_graph(project)
    entities = {s for s in graph.subjects() if isinstance(s, URIRef) and s.startswith(str(ID))}
    pages = [loc for loc in locations if "/id/" in loc]
    assert len(pages) == len(entities)
    assert f"{server.url}/id/state/russia" in pages
    for page in pages[:: max(1, len(pages) // 5)]:
        assert httpx.get(page, headers={"Accept": "text/html"}).status_code == 200
