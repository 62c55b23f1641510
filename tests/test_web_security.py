"""No page runs a stranger's script: escaping, safe links, security headers, packaged /docs.

The hostile project is the real one plus a person whose label closes the ``<title>`` and
opens a ``<script>``, and whose ``rdfs:seeAlso`` IRIs are ``javascript:``, ``data:`` and
``vbscript:`` links; it passes ``swapgraph validate``, as such data would.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from swapgraph.paths import Project
from swapgraph.server import Settings
from swapgraph.server.app import SECURITY_HEADERS
from swapgraph.server.entity_page import EntityDescription, render_entity, safe_href
from swapgraph.server.linked_data import render_ontology_html
from swapgraph.server.web import STATIC_DIR
from tests.conftest import REPO_ROOT
from tests.serving import RunningServer, swapgraph_server

ID = "https://w3id.org/swapgraph/id/"
HOSTILE = f"{ID}person/hostile"
PAYLOAD = (
    "</title><script>window.__pwned='label'</script><img src=x onerror=\"window.__pwned='img'\">"
)
SCRIPT_IRIS = [
    "javascript:window.__pwned='see-also'",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
]
HOSTILE_TURTLE = f"""\
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix schema: <https://schema.org/> .
@prefix swap: <https://w3id.org/swapgraph/ontology#> .

<{HOSTILE}> a swap:Person ;
    rdfs:label {Literal(PAYLOAD).n3()} ;
    schema:description "A person whose label and links are an attack." ;
    rdfs:seeAlso {", ".join(f"<{iri}>" for iri in SCRIPT_IRIS)} .
"""


def make_hostile_project(root: Path) -> Project:
    """A copy of the repository's project with the hostile person added to its graph."""
    for folder in ("ontology", "shapes", "graph", "api"):
        shutil.copytree(REPO_ROOT / folder, root / folder)
    (root / "graph" / "hostile.ttl").write_text(HOSTILE_TURTLE, encoding="utf-8")
    return Project.open(root)


class Elements(HTMLParser):
    """Every element of a page with its attributes, and the text of its ``<title>``."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))
        self._in_title = tag == "title"

    def handle_endtag(self, tag: str) -> None:
        self._in_title = self._in_title and tag != "title"

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data

    def tags(self, name: str) -> list[dict[str, str | None]]:
        return [attributes for tag, attributes in self.elements if tag == name]

    def scripts(self) -> list[dict[str, str | None]]:
        """Scripts that run: a JSON data block (schema.org markup, the default prefixes) is
        data, never run."""
        data = ("application/ld+json", "application/json")
        return [s for s in self.tags("script") if s.get("type") not in data]


def elements(html: str) -> Elements:
    parser = Elements()
    parser.feed(html)
    parser.close()
    return parser


def assert_inert(html: str, *, scripts: tuple[str, ...] = ()) -> Elements:
    """No script but the page's own, no event handler, no link to a script scheme."""
    page = elements(html)
    assert [s.get("src") for s in page.scripts()] == list(scripts), "a script was injected"
    assert not page.tags("img"), "an element was injected"
    for tag, attributes in page.elements:
        assert not any(name.startswith("on") for name in attributes), f"handler on <{tag}>"
        href = attributes.get("href")
        safe = href is None or href.startswith(("/", "#", "?", "http://", "https://"))
        assert safe, f"<{tag} href={href!r}>"
    return page


# --------------------------------------------------------------------------- link safety


@pytest.mark.parametrize(
    ("iri", "href"),
    [
        ("https://www.pravda.com.ua/eng/news/", "https://www.pravda.com.ua/eng/news/"),
        ("http://example.org/a?b#c", "http://example.org/a?b#c"),
        ("HTTPS://EXAMPLE.ORG/", "HTTPS://EXAMPLE.ORG/"),
        (f"{ID}state/russia", "/id/state/russia"),
        ("https://w3id.org/swapgraph/ontology#Exchange", "/ontology#Exchange"),
        ("/id/state/russia", "/id/state/russia"),
        ("state/russia", "state/russia"),
        *((iri, None) for iri in SCRIPT_IRIS),
        ("JavaScript:alert(1)", None),
        ("java\tscript:alert(1)", None),  # browsers drop the tab: still javascript:
        ("java\nscript:alert(1)", None),
        (" javascript:alert(1)", None),  # and leading spaces or control characters
        ("\x01javascript:alert(1)", None),
        ("urn:isbn:0451450523", None),
        ("mailto:someone@example.org", None),
        ("file:///etc/passwd", None),
        ("", None),
    ],
)
def test_only_http_https_and_relative_iris_become_links(iri: str, href: str | None) -> None:
    assert safe_href(iri) == href


def test_javascript_rule_matches_the_python_rule() -> None:
    # The page's scripts apply the same rule (safeHref in sparql.js): check they still say so.
    script = (STATIC_DIR / "js" / "sparql.js").read_text(encoding="utf-8")
    assert 'LINKABLE_SCHEMES = new Set(["http", "https"])' in script
    assert "CONTROL_OR_SPACE = /[\\u0000-\\u0020\\u007f]/" in script
    for module in ("table.js", "network.js", "timeline.js"):
        text = (STATIC_DIR / "js" / module).read_text(encoding="utf-8")
        assert "safeHref(" in text and "localHref(" not in text, module


# --------------------------------------------------------------------------- escaping


def hostile_description() -> EntityDescription:
    iri = URIRef(HOSTILE)
    graph = Graph()
    graph.add((iri, RDF.type, URIRef("https://w3id.org/swapgraph/ontology#Person")))
    graph.add((iri, RDFS.label, Literal(PAYLOAD)))
    graph.add((iri, RDFS.comment, Literal(PAYLOAD, lang="en")))
    for target in SCRIPT_IRIS:
        graph.add((iri, RDFS.seeAlso, URIRef(target)))
    description = EntityDescription(iri, graph)
    description.labels[URIRef(SCRIPT_IRIS[0])] = PAYLOAD
    return description


def test_hostile_label_is_text_in_title_heading_and_table() -> None:
    html = render_entity(hostile_description())
    page = assert_inert(html)
    assert page.title == f"{PAYLOAD} · swapgraph"
    assert html.count("&lt;/title&gt;&lt;script&gt;") >= 3  # title, heading, the comment


def test_script_iris_are_shown_as_text_not_links() -> None:
    html = render_entity(hostile_description())
    assert_inert(html)
    for iri in SCRIPT_IRIS[1:]:
        assert f'title="{iri}"' in html.replace("&#39;", "'"), "the IRI is still shown"


def test_ontology_page_escapes_its_terms() -> None:
    ontology = Graph()
    term = URIRef("https://w3id.org/swapgraph/ontology#Evil")
    ontology.add((term, RDF.type, OWL.Class))
    ontology.add((term, RDFS.label, Literal(PAYLOAD)))
    ontology.add((term, SKOS.definition, Literal(PAYLOAD)))
    head = URIRef("https://w3id.org/swapgraph/ontology")
    ontology.add((head, RDF.type, OWL.Ontology))
    ontology.add((head, RDFS.label, Literal(PAYLOAD)))
    page = assert_inert(render_ontology_html(ontology))
    assert page.title == f"{PAYLOAD} · swapgraph"


# --------------------------------------------------------------------------- over HTTP


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    project = make_hostile_project(tmp_path_factory.mktemp("hostile"))
    with swapgraph_server(Settings(project, workers=1)) as running:
        yield running


def test_hostile_entity_page_is_inert(hostile_server: RunningServer) -> None:
    response = httpx.get(
        f"{hostile_server.url}/id/{HOSTILE.removeprefix(ID)}", headers={"Accept": "text/html"}
    )
    assert response.status_code == 200
    page = assert_inert(response.text)
    assert page.title == f"{PAYLOAD} · swapgraph"


@pytest.mark.parametrize(
    "path", ["/", "/ontology", "/docs", "/id/state/russia", "/sparql?query=ASK{}", "/nowhere"]
)
def test_every_response_carries_the_security_headers(
    hostile_server: RunningServer, path: str
) -> None:
    response = httpx.get(f"{hostile_server.url}{path}", headers={"Accept": "text/html"})
    for name, value in SECURITY_HEADERS:
        assert response.headers.get(name.decode()) == value.decode(), name
    policy = response.headers["content-security-policy"]
    for directive in (
        "default-src 'self'",
        "script-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "object-src 'none'",
    ):
        assert directive in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_pages_have_no_inline_script_or_style(hostile_server: RunningServer) -> None:
    for path in ("/", "/ontology", "/docs", "/id/state/russia"):
        html = httpx.get(f"{hostile_server.url}{path}", headers={"Accept": "text/html"}).text
        page = elements(html)
        assert all(script.get("src") for script in page.scripts()), path
        assert not page.tags("style"), path
        assert not any("style" in attributes for _, attributes in page.elements), path


def test_docs_load_swagger_ui_from_this_server(hostile_server: RunningServer) -> None:
    response = httpx.get(f"{hostile_server.url}/docs")
    assert response.status_code == 200
    page = elements(response.text)
    assets = [s.get("src") for s in page.scripts()] + [
        link.get("href") for link in page.tags("link")
    ]
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in assets, (
        "Swagger UI was not built into the package (hatch_build.py)"
    )
    for asset in assets:
        assert asset and asset.startswith("/static/"), asset
        assert httpx.get(f"{hostile_server.url}{asset}").status_code == 200, asset
    assert httpx.get(f"{hostile_server.url}/redoc").status_code == 404  # it used a CDN too


@pytest.mark.slow
def test_wheel_ships_swagger_ui_and_the_editor_and_no_node_modules(tmp_path: Path) -> None:
    # The build hook (hatch_build.py) puts the git-ignored vendor/ files into the wheel.
    build = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q"]
    subprocess.run([*build, "-w", str(tmp_path), str(REPO_ROOT)], check=True)
    (wheel,) = tmp_path.glob("swapgraph-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    vendor = "swapgraph/server/static/vendor/swagger-ui/"
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css", "LICENSE"):
        assert vendor + asset in names
    assert "swapgraph/server/static/vendor/editor/editor.js" in names
    assert not [name for name in names if "node_modules" in name or "frontend/" in name]
