"""The web page for people: the explorer at ``/`` and its assets.

The explorer is a static page with small ES modules (no build step, nothing fetched from
elsewhere): a query editor over ``/sparql`` and the named queries (listed by
``/api/queries``), a network of the actors and a timeline of the exchanges.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse, Response

from swapgraph import formats
from swapgraph.server.pages import render

STATIC_DIR = Path(__file__).resolve().parent / "static"

router = APIRouter()


@router.get("/", include_in_schema=False, response_class=HTMLResponse)
async def home() -> HTMLResponse:
    """The explorer: query editor, network of actors, timeline."""
    return HTMLResponse(render("home.html", title="swapgraph: state-to-state prisoner exchanges"))


@router.get("/static/{path:path}", include_in_schema=False)
async def static_file(path: str) -> Response:
    """The page's scripts, styles and images (only files of ``static/``)."""
    missing = Response(
        f"{path[:200]}: no such file\n", status_code=404, media_type=formats.PLAIN_TEXT
    )
    try:
        file = (STATIC_DIR / path).resolve()
        media_type = formats.STATIC_TYPES.get(file.suffix)
        if media_type is None or not file.is_relative_to(STATIC_DIR) or not file.is_file():
            return missing
    except (OSError, ValueError):  # a name too long for the file system, a NUL byte
        return missing
    return FileResponse(file, media_type=media_type, headers={"Cache-Control": "no-cache"})
