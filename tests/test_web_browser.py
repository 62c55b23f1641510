"""The web page in a real headless Chromium against a real server on the real graph.

Each test saves a screenshot under ``tests/output/``.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from swapgraph.paths import Project
from swapgraph.server import Settings
from tests.serving import RunningServer, swapgraph_server

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
OUTPUT = Path(__file__).resolve().parent / "output"
# Generous: the first query of a fresh server also starts its worker processes.
WAIT_MS = 30_000

if CHROMIUM is None:
    pytest.skip("Chromium is not installed (Debian package 'chromium')", allow_module_level=True)
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="Playwright for Python is not installed"
)
Page = sync_api.Page
expect = sync_api.expect
expect.set_options(timeout=WAIT_MS)


@pytest.fixture(scope="module")
def server(project: Project) -> Iterator[RunningServer]:
    with swapgraph_server(Settings(project)) as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: object, server: RunningServer, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A laptop-sized page that fails the test on any script error or outside request."""
    context = browser.new_context(viewport={"width": 1366, "height": 820})  # type: ignore[attr-defined]
    opened: Page = context.new_page()
    opened.set_default_timeout(WAIT_MS)
    errors: list[str] = []
    outside: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))

    def note_outside(request: object) -> None:
        url: str = request.url  # type: ignore[attr-defined]
        if not url.startswith((server.url, "blob:", "data:")):
            outside.append(url)

    opened.on("request", note_outside)
    yield opened
    OUTPUT.mkdir(exist_ok=True)
    opened.screenshot(path=str(OUTPUT / f"{request.node.name}.png"))
    context.close()
    assert not errors, f"script errors: {errors}"
    assert not outside, f"the page fetched from elsewhere: {outside}"


def write_query(page: Page, text: str) -> None:
    """Replace the SPARQL editor's text, as pasting would (no auto-closed brackets)."""
    editor = page.locator(".sparql-editor .cm-content")
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(text)


def line_of(page: Page, selector: str) -> int:
    """The editor's line number (1-based) holding the first element matching ``selector``."""
    return int(
        page.locator(".sparql-editor .cm-content").evaluate(
            """(content, selector) => {
                const lines = [...content.querySelectorAll(".cm-line")];
                return lines.findIndex((line) => line.querySelector(selector)) + 1;
            }""",
            selector,
        )
    )


def test_named_query_runs_and_shows_its_rows(page: Page, server: RunningServer) -> None:
    page.goto(f"{server.url}/")
    page.select_option("#named", "exchanges-between")
    expect(page.locator("#param-state_a")).to_have_value("state:russia")
    page.fill("#param-from", "2025-05-20")
    page.fill("#param-to", "2025-05-31")
    page.get_by_role("button", name="Run").click()
    rows = page.locator("table.results tbody tr")
    expect(rows).to_have_count(3)
    expect(page.locator("#status")).to_contain_text("3 rows")
    for stage in ("2025-05-23", "2025-05-24", "2025-05-25"):
        link = page.locator(f'table.results a[href="/id/exchange/{stage}-ru-ua"]')
        expect(link).to_have_count(1)
    expect(page.get_by_role("button", name="Download CSV")).to_be_enabled()
    # The address now reopens the same query with the same parameters.
    assert "name=exchanges-between" in page.url and "p.from=2025-05-20" in page.url


def test_edited_query_runs_with_ctrl_enter_sorts_and_reopens_from_its_link(
    page: Page, server: RunningServer
) -> None:
    page.goto(f"{server.url}/")
    page.select_option("#named", "")
    query = (
        "PREFIX swap: <https://w3id.org/swapgraph/ontology#>\n"
        "SELECT ?exchange ?people WHERE { ?exchange swap:transfer/swap:peopleCount ?people }\n"
        "ORDER BY ?exchange LIMIT 12"
    )
    write_query(page, query)
    page.keyboard.press("Control+Enter")
    rows = page.locator("table.results tbody tr")
    expect(rows).to_have_count(12)
    people = page.locator("table.results tbody td:nth-child(2)")
    page.get_by_role("button", name="people").click()
    ascending = [int(v) for v in people.all_inner_texts()]
    assert ascending == sorted(ascending)
    page.get_by_role("button", name="people").click()
    descending = [int(v) for v in people.all_inner_texts()]
    assert descending == sorted(ascending, reverse=True)
    link = page.url
    assert "sparql=" in link
    page.goto(f"{server.url}/static/style.css")  # leave, then come back by the link
    page.goto(link)
    expect(page.locator("#sparql")).to_have_value(query)
    # A shared query is shown, not run, until the reader asks.
    expect(page.locator("#status")).to_contain_text("press Run")
    expect(page.locator("table.results")).to_have_count(0)
    page.get_by_role("button", name="Run").click()
    expect(page.locator("table.results tbody tr")).to_have_count(12)


def test_query_error_is_shown_as_one_line(page: Page, server: RunningServer) -> None:
    page.goto(f"{server.url}/")
    page.select_option("#named", "")
    write_query(page, "SELECT ?x WHERE { ?x ?y }")
    page.keyboard.press("Control+Enter")
    status = page.locator("#status.error")
    expect(status).to_contain_text("400")
    expect(page.locator("table.results")).to_have_count(0)


def test_editor_marks_a_keyword_typo_before_running(page: Page, server: RunningServer) -> None:
    page.goto(f"{server.url}/")
    page.select_option("#named", "")
    write_query(page, "SELECT ?x WHERE {\n  ?x ?p ?o .\n  FILTR (?x)\n}\nLIMIT 1")
    marked = page.locator(".sparql-editor .cm-lintRange-error").first
    expect(marked).to_be_visible()
    assert line_of(page, ".cm-lintRange-error") == 3
    expect(page.locator("#status.error")).to_have_count(0)  # found before any run


def test_editor_marks_the_servers_error_where_it_says(page: Page, server: RunningServer) -> None:
    page.goto(f"{server.url}/")
    page.select_option("#named", "")
    # Valid grammar, but an undeclared prefix: only the server finds it.
    write_query(page, "SELECT ?x WHERE {\n  ?x a nowhere:Thing\n}")
    expect(page.locator(".sparql-editor .cm-lintRange-error")).to_have_count(0)
    page.keyboard.press("Control+Enter")
    expect(page.locator("#status.error")).to_contain_text("400")
    message = page.locator("#status").inner_text()
    line = int(message.split(" at ", 1)[1].split(":", 1)[0])
    expect(page.locator(".sparql-editor .cm-lintRange-error").first).to_be_visible()
    assert line_of(page, ".cm-lintRange-error") == line


def test_editor_highlights_and_completes_terms_and_prefixes(
    page: Page, server: RunningServer
) -> None:
    page.goto(f"{server.url}/")
    page.select_option("#named", "")
    write_query(page, "SELECT ?x WHERE {\n  ?x a ")
    page.keyboard.type("swap:Exch")
    options = page.locator(".sparql-editor .cm-tooltip-autocomplete li")
    expect(options.first).to_contain_text("swap:Exchange")
    options.first.click()
    text = page.locator("#sparql").input_value()
    # The term, and a declaration of its prefix that the query lacked.
    assert text.startswith("PREFIX swap: <https://w3id.org/swapgraph/ontology#>\n")
    assert "?x a swap:Exchange" in text
    keyword = page.locator(".sparql-editor .cm-line span", has_text="SELECT").first
    line = page.locator(".sparql-editor .cm-line", has_text="SELECT").first
    colour = "(element) => getComputedStyle(element).color"
    assert keyword.evaluate(colour) != line.evaluate(colour), "no highlighting"


def test_network_view_draws_the_actors(page: Page, server: RunningServer) -> None:
    page.goto(f"{server.url}/#network")
    nodes = page.locator("svg.network-view a.node")
    expect(nodes.first).to_be_visible()
    drawn = set(nodes.evaluate_all("nodes => nodes.map(n => n.dataset.iri)"))
    state = "https://w3id.org/swapgraph/id/state/"
    assert {f"{state}russia", f"{state}ukraine", f"{state}united-arab-emirates"} <= drawn
    uae = page.locator(f'a.node[data-iri="{state}united-arab-emirates"]')
    assert "third-party" in (uae.get_attribute("class") or "")
    russia = page.locator(f'a.node[data-iri="{state}russia"] .shape')
    iran = page.locator(f'a.node[data-iri="{state}iran"] .shape')
    assert float(russia.get_attribute("r") or 0) > 3 * float(iran.get_attribute("r") or 0) / 2
    expect(page.locator("svg.network-view line.link.exchange").first).to_be_attached()
    expect(page.locator("svg.network-view line.link.third-party").first).to_be_attached()


def test_clicking_an_actor_opens_its_page(page: Page, server: RunningServer) -> None:
    page.goto(f"{server.url}/#network")
    page.locator('a.node[data-iri$="/state/ukraine"] .shape').click()
    page.wait_for_url(f"{server.url}/id/state/ukraine")
    expect(page.locator("h1")).to_have_text("Ukraine")


def test_network_zooms_with_buttons_and_keys(page: Page, server: RunningServer) -> None:
    page.goto(f"{server.url}/#network")
    view = page.locator("svg.network-view > g")
    expect(view).to_be_attached()
    page.get_by_role("button", name="Zoom in").first.click()
    assert "scale(1.25)" in (view.get_attribute("transform") or "")
    page.focus("svg.network-view")
    page.keyboard.press("0")
    assert "scale(1)" in (view.get_attribute("transform") or "")


def test_timeline_shows_the_may_2025_exchanges(page: Page, server: RunningServer) -> None:
    page.goto(f"{server.url}/#timeline")
    page.select_option("#timeline-actor", "https://w3id.org/swapgraph/id/state/ukraine")
    for day in ("2025-05-23", "2025-05-24", "2025-05-25"):
        expect(page.locator(f'svg.timeline-view a.exchange[data-date="{day}"]')).to_have_count(1)
    stage = page.locator('a.exchange[data-date="2025-05-23"]')
    # Both directions of the first stage: 390 each way, drawn above and below the axis.
    up = stage.locator("rect.bar.up")
    down = stage.locator("rect.bar.down")
    assert float(up.get_attribute("height") or 0) > 0
    assert up.get_attribute("height") == down.get_attribute("height")
    # Zoomed in on May 2025, hovering shows the date, the counts and the sources.
    for _ in range(6):
        page.get_by_role("button", name="Zoom in").last.click()
    stage.focus()
    tooltip = page.locator("#timeline-panel .tooltip")
    expect(tooltip).to_be_visible()
    expect(tooltip).to_contain_text("2025-05-23")
    expect(tooltip).to_contain_text("Russia → Ukraine: 390")
    expect(tooltip).to_contain_text("Ukraine → Russia: 390")
    expect(tooltip).to_contain_text("Ukrainska Pravda")
    page.mouse.move(5, 5)
    stage.locator("rect.bar.up").hover()
    expect(tooltip).to_contain_text("Source:")


def test_tabs_work_from_the_keyboard(page: Page, server: RunningServer) -> None:
    page.goto(f"{server.url}/")
    page.focus("#tab-query")
    page.keyboard.press("ArrowRight")
    expect(page.locator("#tab-network")).to_have_attribute("aria-selected", "true")
    expect(page.locator("#tab-network")).to_be_focused()
    expect(page.locator("#network-panel")).to_be_visible()
    page.keyboard.press("End")
    expect(page.locator("#timeline-panel")).to_be_visible()
    assert page.url.endswith("#timeline")
