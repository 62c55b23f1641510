"""The endpoint is closed to the outside: no network request, no file read, whatever the engine."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from swapgraph.paths import Project
from swapgraph.server import Settings
from tests.serving import RunningServer, oxigraph_server, swapgraph_server

SECRET = "swapgraph-canary-secret-4711"


class Canary:
    """An HTTP listener on 127.0.0.1 that records every request it gets."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        hits = self.hits

        class Handler(http.server.BaseHTTPRequestHandler):
            def _record(self) -> None:
                hits.append(self.path)
                body = f'<a:s> <a:p> "{SECRET}" .'.encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/n-triples")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _record

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/data"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def canary() -> Iterator[Canary]:
    listener = Canary()
    yield listener
    listener.close()


@pytest.fixture(scope="module")
def secret_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("secret") / "secret.nt"
    path.write_text(f'<a:s> <a:p> "{SECRET}" .\n', encoding="utf-8")
    return path


@pytest.fixture(scope="module", params=["oxigraph", "rdflib", "remote"])
def server(
    request: pytest.FixtureRequest, project: Project, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningServer]:
    if request.param == "remote":
        workdir = tmp_path_factory.mktemp("remote")
        with (
            oxigraph_server(project.data_files(), workdir) as url,
            swapgraph_server(Settings(project, engine=url)) as running,
        ):
            yield running
    else:
        with swapgraph_server(Settings(project, engine=request.param, workers=1)) as running:
            yield running


def _attempts(canary: str, secret: str) -> list[tuple[dict[str, object], str]]:
    """Requests that would make a careless endpoint fetch ``canary`` or read ``secret``."""
    return [
        ({"query": f"SELECT * WHERE {{ SERVICE <{canary}> {{ ?s ?p ?o }} }}"}, "SERVICE"),
        ({"query": f"SELECT * WHERE {{ SERVICE SILENT <{canary}> {{ ?s ?p ?o }} }}"}, "SERVICE"),
        ({"query": f"SELECT * WHERE {{ \\u0053ERVICE <{canary}> {{ ?s ?p ?o }} }}"}, "SERVICE"),
        ({"query": f"SELECT * FROM <{canary}> WHERE {{ ?s ?p ?o }}"}, "FROM"),
        ({"query": f"SELECT * FROM <{secret}> WHERE {{ ?s ?p ?o }}"}, "FROM file"),
        ({"query": f"SELECT * FROM NAMED <{canary}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"}, "NAMED"),
        (
            {"query": "SELECT * WHERE { ?s ?p ?o }", "default-graph-uri": canary},
            "default-graph-uri",
        ),
        (
            {"query": "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }", "named-graph-uri": secret},
            "named-graph-uri",
        ),
        ({"update": f"LOAD <{canary}>"}, "LOAD"),
        ({"update": f"LOAD <{secret}>"}, "LOAD file"),
        ({"query": f"LOAD <{canary}>"}, "LOAD as query"),
    ]


def test_nothing_is_fetched_or_read(
    server: RunningServer, canary: Canary, secret_file: Path
) -> None:
    for params, what in _attempts(canary.url, secret_file.as_uri()):
        for response in (
            httpx.get(server.sparql, params=params),  # type: ignore[arg-type]
            httpx.post(server.sparql, data=params),  # type: ignore[arg-type]
        ):
            assert response.status_code < 500, (what, response.text)
            assert SECRET not in response.text, what
    assert canary.hits == []


def test_service_is_refused_with_a_reason(server: RunningServer, canary: Canary) -> None:
    response = httpx.get(
        server.sparql, params={"query": f"ASK {{ SERVICE <{canary.url}> {{ ?s ?p ?o }} }}"}
    )
    assert response.status_code == 403
    assert "SERVICE" in response.text


def test_a_string_mentioning_service_is_an_ordinary_query(server: RunningServer) -> None:
    response = httpx.get(
        server.sparql, params={"query": 'ASK { FILTER("SERVICE <http://x> {}" != "") }'}
    )
    assert response.status_code == 200
    assert response.json()["boolean"] is True
