"""No page runs a stranger's script, tried in headless Chromium against a hostile project.

Every page here is opened with the network cut off (any request to a host other than the
test server is aborted and recorded), with dialogs, page errors and Content-Security-Policy
violations recorded, and with ``window.__pwned`` as the canary the hostile data would set.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from rdflib import Literal

from swapgraph.server import Settings
from swapgraph.server.entity_page import safe_href
from tests.serving import RunningServer, swapgraph_server
from tests.test_web_browser import OUTPUT, WAIT_MS, browser, expect
from tests.test_web_security import HOSTILE, ID, PAYLOAD, SCRIPT_IRIS, make_hostile_project

pytestmark = pytest.mark.browser
__all__ = ["browser"]  # the shared Chromium fixture, used by name

# Runs before any script of the page (and is not subject to its CSP): records violations.
WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


class Watched:
    """A page and what it did that it should not have."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.outside: list[str] = []

    def assert_nothing_ran(self) -> None:
        assert self.page.evaluate("window.__pwned") is None, "the hostile script ran"
        assert not self.dialogs, f"dialogs opened: {self.dialogs}"
        assert not self.errors, f"script errors: {self.errors}"
        assert not self.outside, f"requests to elsewhere: {self.outside}"
        assert self.page.evaluate("window.__violations") == [], "CSP violations"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    project = make_hostile_project(tmp_path_factory.mktemp("hostile"))
    with swapgraph_server(Settings(project)) as running:
        yield running


@pytest.fixture
def watched(
    browser: Any, server: RunningServer, request: pytest.FixtureRequest
) -> Iterator[Watched]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.add_init_script(WATCH)
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    seen = Watched(page)
    server_host = urlsplit(server.url).netloc

    def offline(route: Any) -> None:
        # The network is off: only the test server on 127.0.0.1 answers.
        url = route.request.url
        if urlsplit(url).netloc == server_host or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            seen.outside.append(url)
            route.abort()

    context.route("**/*", offline)

    def on_dialog(dialog: Any) -> None:
        seen.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("pageerror", lambda error: seen.errors.append(str(error)))
    yield seen
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / f"{request.node.name}.png"))
    context.close()


def test_hostile_entity_page_runs_nothing(watched: Watched, server: RunningServer) -> None:
    page = watched.page
    response = page.goto(f"{server.url}/id/{HOSTILE.removeprefix(ID)}")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert page.title() == f"{PAYLOAD} · swapgraph"
    expect(page.locator("h1")).to_have_text(PAYLOAD)
    script_links = "a[href^='javascript' i], a[href^='data' i], a[href^='vbscript' i]"
    assert page.locator(script_links).count() == 0
    for iri in SCRIPT_IRIS:
        shown = page.locator(f'.iri-text[title="{iri}"]')
        expect(shown).to_have_count(1)
        shown.click()
    watched.assert_nothing_ran()


def test_shared_link_waits_for_run_and_its_results_have_no_script_links(
    watched: Watched, server: RunningServer
) -> None:
    page = watched.page
    query = (
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        f"SELECT ?link ?label WHERE {{ <{HOSTILE}> rdfs:label ?label .\n"
        f"  VALUES ?text {{ {' '.join(f'{chr(34)}{iri}{chr(34)}' for iri in SCRIPT_IRIS)} }}\n"
        "  BIND (IRI(?text) AS ?link) }"
    )
    page.goto(f"{server.url}/#query?sparql={quote(query)}")
    expect(page.locator("#sparql")).to_have_value(query)
    expect(page.locator("#status")).to_contain_text("press Run")
    expect(page.locator("table.results")).to_have_count(0)  # not run on opening
    page.get_by_role("button", name="Run").click()
    rows = page.locator("table.results tbody tr")
    expect(rows).to_have_count(len(SCRIPT_IRIS))
    assert page.locator("table.results a").count() == 0
    for cell in page.locator("table.results td").all():
        cell.click()
    expect(page.locator("table.results tbody td:nth-child(2)").first).to_have_text(PAYLOAD)
    watched.assert_nothing_ran()


def test_docs_work_with_the_network_off(watched: Watched, server: RunningServer) -> None:
    page = watched.page
    page.goto(f"{server.url}/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("swapgraph")
    expect(page.locator(".opblock").first).to_be_visible()
    watched.assert_nothing_ran()


def test_pages_work_with_the_network_off(watched: Watched, server: RunningServer) -> None:
    page = watched.page
    page.goto(f"{server.url}/")
    expect(page.locator("table.results tbody tr").first).to_be_visible()
    expect(page.locator(".sparql-editor .cm-content")).to_be_visible()  # the packaged editor
    page.goto(f"{server.url}/#timeline")
    expect(page.locator("svg.timeline-view a.exchange").first).to_be_visible()
    page.goto(f"{server.url}/#network")
    expect(page.locator("svg.network-view a.node").first).to_be_visible()
    page.goto(f"{server.url}/ontology")
    expect(page.locator("h1")).to_be_visible()
    watched.assert_nothing_ran()


@pytest.mark.parametrize(
    "iri",
    [
        *SCRIPT_IRIS,
        "JavaScript:alert(1)",
        "java\tscript:alert(1)",
        " javascript:alert(1)",
        "\x01javascript:alert(1)",
        "https://example.org/",
        f"{ID}state/russia",
        "https://w3id.org/swapgraph/ontology#Exchange",
        "state/russia",
        "urn:isbn:0451450523",
        "",
    ],
)
def test_page_scripts_apply_the_same_link_rule_as_the_server(
    watched: Watched, server: RunningServer, iri: str
) -> None:
    page = watched.page
    page.goto(f"{server.url}/ontology")
    href = page.evaluate("async (iri) => (await import('/static/js/sparql.js')).safeHref(iri)", iri)
    assert href == safe_href(iri)


def test_csv_download_neutralises_formulas(watched: Watched, server: RunningServer) -> None:
    page = watched.page
    cells = ['=HYPERLINK("http://x")', "+1+1", "-1+1", "@SUM(A1)", "\tx", "-5", "2.5e3", "ok"]
    values = " ".join(Literal(cell).n3() for cell in cells)
    query = f"SELECT ?v WHERE {{ VALUES ?v {{ {values} }} }}"
    page.goto(f"{server.url}/#query?sparql={quote(query)}")
    page.get_by_role("button", name="Run").click()
    expect(page.locator("table.results tbody tr")).to_have_count(len(cells))
    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV").click()
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
    numbers = {"-5", "2.5e3"}  # not formulas: kept as they are
    expected = {f"'{c}" if c[0] in "=+-@\t" and c not in numbers else c for c in cells}
    assert rows[0] == ["v"]
    assert {row[0] for row in rows[1:]} == expected
    watched.assert_nothing_ran()
