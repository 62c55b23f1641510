"""/export/{format}: every format as a download, filters from the query string, 400s."""

from __future__ import annotations

import httpx
import pytest
from rdflib import Graph

from swapgraph.exports import export
from swapgraph.formats import EXPORT_FORMATS
from swapgraph.paths import Project
from swapgraph.views import Filters
from tests.graphs import isomorphic
from tests.serving import RunningServer


@pytest.fixture(scope="module")
def server(shared_server: RunningServer) -> RunningServer:
    return shared_server  # the default settings: the session's server serves them


@pytest.mark.parametrize("name", list(EXPORT_FORMATS))
def test_every_format_downloads_with_its_media_type_and_file_name(
    server: RunningServer, project: Project, name: str
) -> None:
    response = httpx.get(f"{server.url}/export/{name}", params={"view": "exchanges"})
    assert response.status_code == 200, response.text
    content, media_type, file_name = export(project, name, "exchanges")
    assert response.headers["content-type"].split(";")[0] == media_type.split(";")[0]
    assert response.headers["content-disposition"] == f'attachment; filename="{file_name}"'
    if EXPORT_FORMATS[name].rdf:  # blank node labels differ between two writes of one graph
        rdf_format = {"turtle": "turtle", "ntriples": "nt", "jsonld": "json-ld"}[name]
        served = Graph().parse(data=response.content, format=rdf_format)
        assert isomorphic(served, Graph().parse(data=content, format=rdf_format))
    else:
        assert response.content == content


def test_filters_come_from_the_query_string(server: RunningServer, project: Project) -> None:
    params = {"from": "2024-01-01", "to": "2024-12-31", "state": ["Russia", "Ukraine"]}
    response = httpx.get(f"{server.url}/export/edges-csv", params=params)
    assert response.status_code == 200, response.text
    filters = Filters.parse("2024-01-01", "2024-12-31", ["Russia", "Ukraine"])
    filtered, _, _ = export(project, "edges-csv", filters=filters)
    everything, _, _ = export(project, "edges-csv")
    assert response.content == filtered != everything


def test_an_unknown_state_is_400_with_close_matches(server: RunningServer) -> None:
    response = httpx.get(f"{server.url}/export/graphml", params={"state": "Rusia"})
    assert response.status_code == 400
    assert "'Rusia'" in response.text
    assert "Russia" in response.text


@pytest.mark.parametrize(
    ("path", "params", "named"),
    [
        ("/export/xlsx", {}, "graphml"),
        ("/export/gexf", {"view": "map"}, "actors"),
        ("/export/gexf", {"from": "May 2025"}, "YYYY-MM-DD"),
    ],
)
def test_bad_format_view_or_date_is_400_naming_what_is_expected(
    server: RunningServer, path: str, params: dict[str, str], named: str
) -> None:
    response = httpx.get(f"{server.url}{path}", params=params)
    assert response.status_code == 400
    assert named in response.text


def test_openapi_lists_the_formats_and_views(server: RunningServer) -> None:
    operation = httpx.get(f"{server.url}/openapi.json").json()["paths"]["/export/{format}"]["get"]
    schemas = {p["name"]: p["schema"] for p in operation["parameters"]}
    assert schemas["format"]["enum"] == list(EXPORT_FORMATS)
    assert schemas["view"]["enum"] == ["actors", "exchanges", "rdf"]
    assert {"from", "to", "state", "mediator"} <= set(schemas)
