"""The page's export links, in-process: each resolves to the export with its media type.

The page routes and the export route run under FastAPI's TestClient over the exports
fixture graph, without worker processes; the browser tests check that the links show.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from swapgraph.engine import Engine
from swapgraph.formats import EXPORT_FORMATS as FORMATS
from swapgraph.server import deps, routes_export, web
from tests.exports_fixture import small_engine, small_project

__all__ = ["small_engine", "small_project"]


class ExportLinks(HTMLParser):
    """Collects the links inside the page's ``nav.exports``: href, type and text."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[dict[str, str]] = []
        self._depth = 0  # inside nav.exports: the nesting of open nav elements
        self._link: dict[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        if tag == "nav" and "exports" in attributes.get("class", "").split():
            self._depth = 1
        elif tag == "nav" and self._depth:
            self._depth += 1
        elif tag == "a" and self._depth:
            self._link = {**attributes, "text": ""}
            self.links.append(self._link)

    def handle_endtag(self, tag: str) -> None:
        if tag == "nav" and self._depth:
            self._depth -= 1
        if tag == "a":
            self._link = None

    def handle_data(self, data: str) -> None:
        if self._link is not None:
            self._link["text"] += data


@dataclass
class _Service:
    """What the export route uses of a service: its engine."""

    engine: Engine


@pytest.fixture(scope="module")
def client(small_engine: Engine) -> Iterator[TestClient]:
    app = FastAPI()
    app.include_router(routes_export.router)
    app.include_router(web.router)
    app.dependency_overrides[deps.get_service] = lambda: _Service(small_engine)
    with TestClient(app) as opened:
        yield opened


def _links(client: TestClient) -> list[dict[str, str]]:
    page = client.get("/")
    assert page.status_code == 200
    parser = ExportLinks()
    parser.feed(page.text)
    return parser.links


def test_page_links_to_every_export(client: TestClient) -> None:
    links = _links(client)
    assert [link["href"].split("?")[0] for link in links] == [f"/export/{f}" for f in FORMATS]
    assert all("download" in link for link in links), "a click saves the file"
    names = [link["text"].strip() for link in links]
    assert "GEXF (Gephi, with the timeline)" in names and "Cytoscape .cyjs" in names
    graph_links = [
        link["href"] for link in links if not FORMATS[link["href"][8:].split("?")[0]].rdf
    ]
    assert all(href.endswith("?view=actors") for href in graph_links), "the network shown"


def test_every_export_link_resolves_with_its_media_type(client: TestClient) -> None:
    links = _links(client)
    assert len(links) == len(FORMATS)
    for link in links:
        answer = client.get(link["href"])
        assert answer.status_code == 200, (link["href"], answer.text)
        media_type = answer.headers["content-type"].split(";")[0]
        assert media_type == link["type"], link["href"]
        name = link["href"].removeprefix("/export/").split("?")[0]
        assert media_type == FORMATS[name].media_type.split(";")[0]
        assert answer.headers["content-disposition"].startswith("attachment")
        assert answer.content, f"{link['href']} is empty"
