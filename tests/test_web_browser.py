"""The web page in a real headless Chromium against a real server on the real graph.

Each test saves a screenshot under ``tests/output/``.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from swapgraph.formats import EXPORT_FORMATS as FORMATS
from swapgraph.paths import Project
from swapgraph.query_text import DEFAULT_PREFIXES, error_position
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
    """A page that fails the test on any script error or outside request.

    Laptop-sized, or as wide as the test's indirect parameter (``page``) says.
    """
    width = getattr(request, "param", 1366)
    viewport = {"width": width, "height": 844 if width < 600 else 820}
    context = browser.new_context(viewport=viewport, has_touch=width < 600)  # type: ignore[attr-defined]
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


def test_a_query_written_while_the_examples_load_is_kept(page: Page, server: RunningServer) -> None:
    # A slow network: the list of named queries arrives only after the reader has typed.
    held: list[Any] = []
    page.route("**/api/queries", lambda route: held.append(route))
    page.goto(f"{server.url}/")
    typed = "SELECT ?x WHERE {\n  ?x ?p ?o .\n}\nLIMIT 2"
    write_query(page, typed)
    for _ in range(200):
        if held:
            break
        page.wait_for_timeout(50)
    assert held, "the page asks for the named queries"
    held[0].continue_()
    expect(page.locator("#named option[value='exchanges-between']")).to_be_attached()
    assert page.locator("#sparql").input_value() == typed
    assert page.locator("#named").input_value() == ""


def test_run_waits_for_the_pages_script(page: Page, server: RunningServer) -> None:
    # Until the script has put the query in place, a click on Run was lost (or ran the
    # starter text instead of a shared link's query): the button is enabled by the script.
    held: list[Any] = []
    page.route("**/static/js/main.js", lambda route: held.append(route))
    page.goto(f"{server.url}/", wait_until="commit")
    run = page.get_by_role("button", name="Run")
    for _ in range(200):
        if held:
            break
        page.wait_for_timeout(50)
    assert held, "the page loads its script"
    expect(run).to_be_disabled()
    held[0].continue_()
    expect(run).to_be_enabled()


def test_a_shared_query_is_shown_before_the_examples_load(
    page: Page, server: RunningServer
) -> None:
    # A Run pressed while the list of named queries loads must run the shared query, not the
    # page's starter text: the shared query needs no list, so it is shown at once.
    held: list[Any] = []
    page.route("**/api/queries", lambda route: held.append(route))
    shared = "SELECT ?x WHERE {\n  ?x ?p ?o .\n}\nLIMIT 3"
    page.goto(f"{server.url}/#query?sparql={quote(shared)}")
    for _ in range(200):
        if held:
            break
        page.wait_for_timeout(50)
    assert held, "the page asks for the named queries"
    expect(page.locator("#sparql")).to_have_value(shared)
    held[0].continue_()
    expect(page.locator("#named option[value='exchanges-between']")).to_be_attached()
    assert page.locator("#sparql").input_value() == shared
    assert page.locator("#named").input_value() == ""


def test_editor_marks_the_servers_error_where_it_says(page: Page, server: RunningServer) -> None:
    page.goto(f"{server.url}/")
    page.select_option("#named", "")
    # Valid grammar, but an undeclared prefix: only the server finds it.
    write_query(page, "SELECT ?x WHERE {\n  ?x a nowhere:Thing\n}")
    expect(page.locator(".sparql-editor .cm-lintRange-error")).to_have_count(0)
    page.keyboard.press("Control+Enter")
    expect(page.locator("#status.error")).to_contain_text("400")
    message = page.locator("#status").inner_text()
    position = error_position(message)
    assert position is not None, message
    line = position[0]
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
    # The term alone: swap: is one of the server's default prefixes, no PREFIX line needed.
    assert text == "SELECT ?x WHERE {\n  ?x a swap:Exchange"
    keyword = page.locator(".sparql-editor .cm-line span", has_text="SELECT").first
    line = page.locator(".sparql-editor .cm-line", has_text="SELECT").first
    colour = "(element) => getComputedStyle(element).color"
    assert keyword.evaluate(colour) != line.evaluate(colour), "no highlighting"


def test_completion_adds_no_prefix_line_and_the_query_runs(
    page: Page, server: RunningServer
) -> None:
    page.goto(f"{server.url}/")
    page.select_option("#named", "")
    # The editor offers exactly the prefixes the server knows undeclared, from one definition.
    offered = page.evaluate("import('/static/js/sparql.js').then((module) => module.PREFIXES)")
    assert offered == DEFAULT_PREFIXES
    write_query(page, "SELECT (COUNT(?x) AS ?n) WHERE {\n  ?x a ")
    page.keyboard.type("swap:Exch")
    options = page.locator(".sparql-editor .cm-tooltip-autocomplete li")
    expect(options.first).to_contain_text("swap:Exchange")
    options.first.click()
    page.keyboard.insert_text(" ; ")
    page.keyboard.type("swap:dat")
    expect(options.first).to_contain_text("swap:date")
    options.first.click()
    page.keyboard.insert_text(" ?date }")
    text = page.locator("#sparql").input_value()
    assert text == "SELECT (COUNT(?x) AS ?n) WHERE {\n  ?x a swap:Exchange ; swap:date ?date }"
    assert "PREFIX" not in page.locator(".sparql-editor .cm-content").inner_text()
    page.keyboard.press("Control+Enter")
    expect(page.locator("table.results tbody tr")).to_have_count(1)
    expect(page.locator("#status.error")).to_have_count(0)


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


# ------------------------------------------------------------ every screen, narrow and wide

SCREENS = {
    "query": "/",
    "network": "/#network",
    "timeline": "/#timeline",
    "exchange": "/id/exchange/2024-01-31-ru-ua",
    "state": "/id/state/russia",
    "ontology": "/ontology",
    "docs": "/docs",
}
WIDTHS = [390, 1280]
SCREENSHOTS = OUTPUT / "screens"


@pytest.mark.parametrize("page", WIDTHS, indirect=True)
@pytest.mark.parametrize("screen", list(SCREENS))
def test_every_screen_fits_narrow_and_wide(page: Page, server: RunningServer, screen: str) -> None:
    width = page.viewport_size["width"]  # type: ignore[index]
    page.goto(f"{server.url}{SCREENS[screen]}")
    ready = {
        "query": "table.results tbody tr",
        "network": "svg.network-view a.node",
        "timeline": "svg.timeline-view a.exchange",
        "docs": ".swagger-ui .opblock",
    }
    expect(page.locator(ready.get(screen, "h1")).first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "wider than the screen"
    if screen != "docs":
        for name in ("Query", "Network", "Timeline", "API", "Ontology"):
            box = page.locator("header.site nav").get_by_role("link", name=name).bounding_box()
            assert box is not None and box["x"] + box["width"] <= width, f"{name} cut off"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    # The top of each page, at most 4,000 px: the whole ontology page (38,000 px high at
    # 1280 px wide) is a bitmap of about 200 MB, which Chromium sometimes fails to capture.
    height = min(int(page.evaluate("document.documentElement.scrollHeight")), 4000)
    clip = {"x": 0, "y": 0, "width": width, "height": height}
    page.screenshot(path=str(SCREENSHOTS / f"{screen}-{width}.png"), full_page=True, clip=clip)


def network_state(page: Page) -> dict[str, object]:
    """Nodes inside the view, the smallest label's height on screen, the view's transform."""
    return page.locator("svg.network-view").evaluate(
        """(svg) => {
            const box = svg.getBoundingClientRect();
            const shapes = [...svg.querySelectorAll("a.node .shape")];
            const inside = shapes.filter((shape) => {
                const r = shape.getBoundingClientRect();
                return r.left >= box.left - 1 && r.right <= box.right + 1
                    && r.top >= box.top - 1 && r.bottom <= box.bottom + 1;
            }).length;
            const labels = [...svg.querySelectorAll("a.node text")]
                .map((text) => text.getBoundingClientRect().height);
            return {
                inside, nodes: shapes.length, label: Math.min(...labels),
                view: svg.firstElementChild.getAttribute("transform"),
            };
        }"""
    )


@pytest.mark.parametrize("page", WIDTHS, indirect=True)
def test_network_labels_are_readable(page: Page, server: RunningServer) -> None:
    page.goto(f"{server.url}/#network")
    expect(page.locator("svg.network-view a.node").first).to_be_visible()
    state = network_state(page)
    assert state["inside"] == state["nodes"]
    assert float(state["label"]) >= 10  # type: ignore[arg-type]


def test_dragging_a_node_moves_it_and_not_the_view(page: Page, server: RunningServer) -> None:
    page.goto(f"{server.url}/#network")
    node = page.locator('a.node[data-iri$="/state/iran"]')
    expect(node).to_be_visible()
    before = network_state(page)
    place = node.get_attribute("transform")
    box = node.locator(".shape").bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 30, y + 20, steps=4)
    page.mouse.move(x + 60, y + 40, steps=4)
    page.mouse.up()
    assert node.get_attribute("transform") != place, "the node did not move"
    assert network_state(page)["view"] == before["view"], "the whole view moved"
    assert page.url.endswith("#network"), "the drag opened the actor's page"
    moved = node.locator(".shape").bounding_box()
    assert moved is not None and abs(moved["x"] - box["x"] - 60) < 3


def test_network_fits_again_after_a_resize(page: Page, server: RunningServer) -> None:
    page.goto(f"{server.url}/#network")
    expect(page.locator("svg.network-view a.node").first).to_be_visible()
    page.set_viewport_size({"width": 700, "height": 700})
    page.wait_for_function(
        """() => {
            const svg = document.querySelector("svg.network-view");
            const box = svg.getBoundingClientRect();
            return [...svg.querySelectorAll("a.node .shape")].every((shape) => {
                const r = shape.getBoundingClientRect();
                return r.left >= box.left - 1 && r.right <= box.right + 1;
            });
        }"""
    )
    state = network_state(page)
    assert state["inside"] == state["nodes"]


def view_scale(page: Page) -> float:
    transform = page.locator("svg.network-view > g").get_attribute("transform") or ""
    return float(transform.split("scale(")[1].rstrip(")"))


def test_network_zooms_with_the_wheel_and_a_pinch(page: Page, server: RunningServer) -> None:
    page.goto(f"{server.url}/#network")
    svg = page.locator("svg.network-view")
    expect(page.locator("svg.network-view a.node").first).to_be_visible()
    box = svg.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.wheel(0, -300)
    expect(svg.locator("> g")).not_to_have_attribute("transform", "translate(0,0) scale(1)")
    wheel = view_scale(page)
    assert wheel > 1
    # Two fingers moving apart: pointer events as a touch screen sends them.
    svg.evaluate(
        """(svg) => {
            const box = svg.getBoundingClientRect();
            const cx = box.left + box.width / 2, cy = box.top + box.height / 2;
            const send = (type, id, x) => svg.dispatchEvent(new PointerEvent(type, {
                pointerId: id, pointerType: "touch", clientX: x, clientY: cy,
                bubbles: true, isPrimary: id === 1,
            }));
            send("pointerdown", 1, cx - 20);
            send("pointerdown", 2, cx + 20);
            for (let step = 1; step <= 5; step += 1) {
                send("pointermove", 1, cx - 20 - 10 * step);
                send("pointermove", 2, cx + 20 + 10 * step);
            }
            send("pointerup", 1, cx - 70);
            send("pointerup", 2, cx + 70);
        }"""
    )
    assert view_scale(page) > wheel * 3  # 40 px apart, then 140: 3.5 times closer


@pytest.mark.parametrize("page", WIDTHS, indirect=True)
def test_export_links_show_under_the_network_and_download(
    page: Page, server: RunningServer
) -> None:
    width = page.viewport_size["width"]  # type: ignore[index]
    page.goto(f"{server.url}/#network")
    links = page.locator("nav.exports a")
    expect(links.first).to_be_visible()
    assert links.count() == len(FORMATS)
    for index in range(links.count()):
        link = links.nth(index)
        link.scroll_into_view_if_needed()
        expect(link).to_be_visible()
        box = link.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "wider than the screen"
    with page.expect_download() as download:
        page.get_by_role("link", name="GEXF (Gephi, with the timeline)").click()
    assert download.value.suggested_filename == "swapgraph-actors.gexf"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("nav.exports").screenshot(path=str(SCREENSHOTS / f"exports-{width}.png"))
