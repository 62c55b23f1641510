"""The web page for people: the explorer at ``/``, its assets, and entity pages in HTML.

The explorer is a static page with small ES modules (no build step, nothing fetched from
elsewhere): a query editor over ``/sparql`` and the named queries (listed by
``/api/queries``), a network of the actors and a timeline of the exchanges. Entity pages are
rendered here for the Linked Data route (:func:`entity_html`).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from string import Template

from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse, Response
from rdflib import Graph, URIRef

from swapgraph.schema_org import entity_head
from swapgraph.server.entity_page import describe_entity, render_entity
from swapgraph.server.service import GraphService

STATIC_DIR = Path(__file__).resolve().parent / "static"
_TEMPLATES = Path(__file__).resolve().parent / "templates"
_MEDIA_TYPES = {
    ".css": "text/css",
    ".js": "text/javascript",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}

router = APIRouter()


def render_page(title: str, main: str, head: str = "") -> str:
    """Wrap a page's ``<main>`` element in the site's frame (header, styles, footer)."""
    return _template("page.html").substitute(title=title, main=main, head=head)


@cache
def _template(name: str) -> Template:
    # Read once: every page and entity view is rendered through it.
    return Template((_TEMPLATES / name).read_text(encoding="utf-8"))


def entity_html(service: GraphService, iri: URIRef, graph: Graph) -> str:
    """The HTML page of an entity.

    Args:
        service: The served dataset, asked for labels and for what points at ``iri``.
        iri: The entity.
        graph: Its triples and those of the blank nodes nested under it.

    Blocks while its queries run: call it off the event loop.
    """
    title, main = render_entity(describe_entity(service.engine, iri, graph))
    return render_page(f"{title} · swapgraph", main, entity_head(service.engine, iri, graph))


@router.get("/", include_in_schema=False, response_class=HTMLResponse)
async def home() -> HTMLResponse:
    """The explorer: query editor, network of actors, timeline."""
    main = _template("home.html").template
    head = '  <script type="module" src="/static/js/main.js"></script>'
    return HTMLResponse(render_page("swapgraph: state-to-state prisoner exchanges", main, head))


@router.get("/static/{path:path}", include_in_schema=False)
async def static_file(path: str) -> Response:
    """The page's scripts, styles and images (only files of ``static/``)."""
    file = (STATIC_DIR / path).resolve()
    media_type = _MEDIA_TYPES.get(file.suffix)
    if media_type is None or not file.is_relative_to(STATIC_DIR) or not file.is_file():
        return Response(f"{path}: no such file\n", status_code=404, media_type="text/plain")
    return FileResponse(file, media_type=media_type, headers={"Cache-Control": "no-cache"})
