"""The routes in-process: FastAPI's TestClient over the routers, the service overridden.

No worker process and no server start: the service is an in-memory stand-in given to the
handlers through :data:`swapgraph.server.deps.ServiceDep`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from swapgraph.engine import ALL_MEDIA_TYPES, OxigraphEngine, QueryDataset, Serialized
from swapgraph.errors import SwapgraphError
from swapgraph.server import deps, linked_data, routes_ld, sparql, web
from swapgraph.server.errors import status_of

_CLASS = URIRef("https://w3id.org/swapgraph/ontology#Exchange")
_TRIPLE = "<https://example.org/a> <https://example.org/p> <https://example.org/b> .\n"


@dataclass
class _Settings:
    max_body_bytes: int = 10_000
    base_url: str | None = "https://example.org/swapgraph"
    named_graphs: dict[str, Path] = field(default_factory=dict)


class _InProcessService:
    """What the handlers use of a service, over an in-memory Oxigraph store."""

    def __init__(self) -> None:
        store = ox.Store()
        store.load(_TRIPLE, ox.RdfFormat.N_TRIPLES)
        self.engine = OxigraphEngine(store)
        self.settings = _Settings()
        self.ontology = Graph()
        self.ontology.add((_CLASS, RDF.type, OWL.Class))
        self.ontology.add((_CLASS, RDFS.label, Literal("stand-in exchange")))

    def run(
        self,
        sparql: str,
        accepted: tuple[str, ...] = ALL_MEDIA_TYPES,
        bindings: object = None,
        dataset: QueryDataset | None = None,
        base_iri: str | None = None,
    ) -> Serialized:
        return self.engine.query_serialized(sparql, accepted, None, dataset, None, base_iri)

    def graph_names(self) -> list[str]:
        return []


@pytest.fixture
def client() -> Iterator[TestClient]:
    app = FastAPI()

    @app.exception_handler(SwapgraphError)
    async def refuse(_: Request, error: SwapgraphError) -> PlainTextResponse:
        return PlainTextResponse(str(error), status_code=status_of(error))

    app.include_router(sparql.router)
    app.include_router(linked_data.router)
    app.include_router(routes_ld.router)
    app.include_router(web.router)
    app.dependency_overrides[deps.get_service] = _InProcessService
    with TestClient(app) as test_client:
        yield test_client


def test_the_overridden_service_answers_sparql(client: TestClient) -> None:
    response = client.get(
        "/sparql",
        params={"query": "SELECT ?o WHERE { ?s ?p ?o }"},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert response.status_code == 200
    [row] = response.json()["results"]["bindings"]
    assert row["o"]["value"] == "https://example.org/b"
    assert response.headers["vary"] == "Accept"


def test_the_overridden_service_serves_its_ontology_in_each_offered_syntax(
    client: TestClient,
) -> None:
    for media_type, rdflib_format in (
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/rdf+xml", "xml"),
    ):
        response = client.get("/ontology", headers={"Accept": media_type})
        assert response.status_code == 200
        assert response.headers["content-type"].startswith(media_type)
        graph = Graph().parse(data=response.text, format=rdflib_format)
        assert (_CLASS, RDFS.label, Literal("stand-in exchange")) in graph


def test_an_unoffered_media_type_is_406(client: TestClient) -> None:
    response = client.get("/ontology", headers={"Accept": "image/png"})
    assert response.status_code == 406


def test_the_linked_data_routes_take_the_overridden_service(client: TestClient) -> None:
    robots = client.get("/robots.txt")
    assert robots.status_code == 200
    assert "Sitemap: https://example.org/swapgraph/sitemap.xml" in robots.text
    context = client.get("/context.jsonld")
    assert context.status_code == 200
    assert "@context" in context.json()
