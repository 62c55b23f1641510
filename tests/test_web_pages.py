"""The web page's server side: the page and its assets, the named-query list, entity pages."""

from __future__ import annotations

import http.client
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS

from swapgraph.named_queries import load_named_queries
from swapgraph.paths import Project
from swapgraph.server import Settings, web
from swapgraph.server.entity_page import describe_entity, render_entity
from swapgraph.server.web import STATIC_DIR
from tests.serving import RunningServer, swapgraph_server

ID = "https://w3id.org/swapgraph/id/"
STAGE_1 = f"{ID}exchange/2025-05-23-ru-ua"
STAGE_1_TITLE = "Russia\u2013Ukraine exchange of 23 May 2025"
DISPUTED = f"{ID}exchange/2024-01-31-ru-ua"


class Links(HTMLParser):
    """Collects a page's links (with the text of their first occurrence), scripts and
    stylesheets, and its ``<h1>``."""

    def __init__(self) -> None:
        super().__init__()
        self.links: dict[str, str] = {}
        self.assets: list[str] = []
        self.h1 = ""
        self._href: str | None = None
        self._in_h1 = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        href = attributes.get("href")
        if tag == "a" and href and href not in self.links:
            self._href = href
            self.links[href] = ""
        if tag in ("script", "img") and attributes.get("src"):
            self.assets.append(attributes["src"] or "")
        if tag == "link" and attributes.get("href"):
            self.assets.append(attributes["href"] or "")
        self._in_h1 = self._in_h1 or tag == "h1"

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._href = None
        if tag == "h1":
            self._in_h1 = False

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self.links[self._href] += data
        if self._in_h1:
            self.h1 += data


def parse(html: str) -> Links:
    parser = Links()
    parser.feed(html)
    return parser


@pytest.fixture(scope="module")
def server(project: Project) -> Iterator[RunningServer]:
    with swapgraph_server(Settings(project, workers=1)) as running:
        yield running


def page_of(server: RunningServer, iri: str) -> str:
    """The HTML page of an entity, as a browser asks for it."""
    response = httpx.get(
        f"{server.url}/id/{iri.removeprefix(ID)}", headers={"Accept": "text/html,*/*;q=0.8"}
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    return response.text


# --------------------------------------------------------------------------- the page


def test_home_page_loads_only_its_own_assets(server: RunningServer) -> None:
    response = httpx.get(f"{server.url}/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = parse(response.text)
    assert "/static/js/main.js" in page.assets
    for asset in page.assets:
        assert asset.startswith("/static/"), f"{asset} is not served by swapgraph"
        assert httpx.get(f"{server.url}{asset}").status_code == 200


def test_scripts_import_only_local_modules_that_exist(server: RunningServer) -> None:
    scripts = sorted((STATIC_DIR / "js").glob("*.js"))
    assert scripts
    for script in scripts:
        text = script.read_text(encoding="utf-8")
        imports = re.findall(r'^import .* from "([^"]+)";$', text, flags=re.M)
        assert all(module.startswith("./") for module in imports), script
        for module in imports:
            response = httpx.get(f"{server.url}/static/js/{module[2:]}")
            assert response.status_code == 200, f"{script.name} imports {module}"
            assert response.headers["content-type"].startswith("text/javascript")


@pytest.mark.parametrize(
    "path", ["/static/../web.py", "/static/%2e%2e/web.py", "/static/js/missing.js", "/static/"]
)
def test_static_serves_nothing_outside_its_folder(server: RunningServer, path: str) -> None:
    response = httpx.get(f"{server.url}{path}")
    assert response.status_code == 404


def test_static_serves_no_allowed_file_outside_its_folder(
    server: RunningServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A file with an allowed suffix beside the folder, asked for by a raw ``%2e%2e``
    # segment that no client normalises away: only the folder check refuses it.
    static = (tmp_path / "static").resolve()
    static.mkdir()
    (static / "inside.css").write_text("inside", encoding="utf-8")
    (static.parent / "outside.css").write_text("outside", encoding="utf-8")
    monkeypatch.setattr(web, "STATIC_DIR", static)
    connection = http.client.HTTPConnection(server.url.removeprefix("http://"), timeout=30)
    answers = {}
    for path in ("/static/inside.css", "/static/%2e%2e/outside.css", "/static/x/../../outside.css"):
        connection.request("GET", path)
        response = connection.getresponse()
        answers[path] = (response.status, response.read())
    connection.close()
    assert answers["/static/inside.css"] == (200, b"inside")
    assert answers["/static/%2e%2e/outside.css"][0] == 404
    assert answers["/static/x/../../outside.css"][0] == 404


def test_named_query_list_describes_every_query(server: RunningServer, project: Project) -> None:
    response = httpx.get(f"{server.url}/api/queries")
    assert response.status_code == 200
    listed = {query["name"]: query for query in response.json()}
    expected = load_named_queries(project)
    assert listed.keys() == expected.keys()
    between = listed["exchanges-between"]
    assert between["url"].endswith("/api/queries/exchanges-between")
    assert between["description"]
    assert "SELECT" in between["text"]
    assert {p["name"]: p["type"] for p in between["parameters"]} == {
        "state_a": "iri",
        "state_b": "iri",
        "from": "date",
        "to": "date",
    }
    assert all(p["required"] is False for p in between["parameters"])


# --------------------------------------------------------------------------- entity pages


def test_exchange_page_shows_its_transfers_mediations_and_sources(server: RunningServer) -> None:
    html = page_of(server, STAGE_1)
    page = parse(html)
    assert page.h1 == STAGE_1_TITLE
    # Transfers and mediations are blank nodes: they are shown inline, each with a summary.
    assert "Russia → Ukraine: 390 people" in html
    assert "Ukraine → Russia: 390 people" in html
    assert "Belarus: transit state" in html
    assert "Turkey: host" in html
    # Every source is a link to the source itself, with its outlet's name.
    sources = [href for href in page.links if "pravda.com.ua" in href]
    assert sources == ["https://www.pravda.com.ua/eng/news/2025/05/23/7513734/"]
    assert page.links[sources[0]] == "Ukrainska Pravda"
    # Entities of the graph link to their own pages on this server.
    assert page.links["/id/state/russia"] == "Russia"
    assert page.links["/id/agreement/2025-05-16-istanbul"].startswith("Istanbul agreement")


def test_disputed_figure_shows_each_claim_with_its_source(server: RunningServer) -> None:
    html = page_of(server, DISPUTED)
    assert "disputed: the claims are listed below" in html
    claims = re.findall(r'<div class="nested claim">(.*?)</table></div>', html, flags=re.S)
    summaries = sorted(re.search(r"<strong>(.*?)</strong>", claim).group(1) for claim in claims)  # type: ignore[union-attr]
    assert "people: 195, according to Ministry of Defence of the Russian Federation" in summaries
    assert "people: 207, according to Ukraine" in summaries
    for claim in claims:
        assert re.search(r'<a class="external" href="https?://', claim), "a claim without source"


def test_state_page_lists_the_exchanges_it_took_part_in(server: RunningServer) -> None:
    html = page_of(server, f"{ID}state/russia")
    page = parse(html)
    assert page.h1 == "Russia"
    assert "/id/exchange/2025-05-23-ru-ua" in page.links
    assert "As released by" in html and "As received by" in html


def test_unknown_entity_has_no_page(server: RunningServer) -> None:
    response = httpx.get(f"{server.url}/id/state/atlantis", headers={"Accept": "text/html"})
    assert response.status_code == 404


def test_unsafe_iri_is_never_written_into_a_query(server: RunningServer) -> None:
    iri = URIRef(f"{ID}state/russia> ?p ?o }} #")
    graph = Graph()
    graph.add((iri, RDFS.label, Literal("Russia")))
    description = describe_entity(server.app.state.service.engine, iri, graph)
    assert description.referrers == [] and description.labels == {}
    assert parse(render_entity(description)).h1 == "Russia"


def test_nested_nodes_are_rendered_once_each(server: RunningServer) -> None:
    html = page_of(server, STAGE_1)
    assert html.count('<div class="nested">') == 4  # two transfers, two mediations


def test_entity_page_links_to_its_rdf(server: RunningServer) -> None:
    page = parse(page_of(server, STAGE_1))
    url = f"{server.url}/id/{STAGE_1.removeprefix(ID)}"
    for link, media_type in (
        ("?format=ttl", "text/turtle"),
        ("?format=jsonld", "application/ld+json"),
    ):
        assert link in page.links
        response = httpx.get(url + link, headers={"Accept": "text/html"})
        assert response.status_code == 200
        assert response.headers["content-type"].startswith(media_type)


def test_entity_pages_links_to_the_ontology_hit_its_anchors(server: RunningServer) -> None:
    links = [href for href in parse(page_of(server, STAGE_1)).links if "/ontology#" in href]
    assert "/ontology#Exchange" in links
    ontology = httpx.get(f"{server.url}/ontology", headers={"Accept": "text/html"}).text
    for link in links:
        assert f'id="{link.removeprefix("/ontology#")}"' in ontology, link
