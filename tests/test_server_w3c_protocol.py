"""The W3C SPARQL 1.1 Protocol test suite, replayed against a real server.

Every query test and every negative update test of the manifest runs; the positive update
tests expect a store that accepts updates, which a read-only service is not, so they are
not collected.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest
from rdflib import Graph, Namespace
from rdflib.collection import Collection
from rdflib.namespace import RDF

from swapgraph.paths import Project
from swapgraph.server import Settings
from tests.serving import W3C_GRAPHS, W3C_PROTOCOL, RunningServer, swapgraph_server

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
HTS = "http://www.w3.org/2011/http-statusCodes#StatusCode"
MANIFEST = W3C_PROTOCOL / "manifest.ttl"

# What each expected format may be sent as.
_FORMATS = {
    "boolean": {"application/sparql-results+json", "application/sparql-results+xml"},
    "tabular": {
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/csv",
        "text/tab-separated-values",
    },
    "RDF": {"application/rdf+xml", "text/turtle", "application/n-triples"},
}


@dataclass
class ProtocolRequest:
    method: str
    path: str
    body: bytes | None
    headers: dict[str, str]
    statuses: set[str]
    expected_format: str | None
    expected_boolean: bool | None


@dataclass
class ProtocolTest:
    name: str
    requests: list[ProtocolRequest] = field(default_factory=list)


def _load_tests() -> list[ProtocolTest]:
    manifest = Graph().parse(MANIFEST, format="turtle")
    root = next(manifest.subjects(RDF.type, MF.Manifest))
    entries = Collection(manifest, manifest.value(root, MF.entries))
    tests = []
    for entry in entries:
        local = str(entry).rsplit("#", 1)[-1]
        if local.startswith("update_"):
            continue  # positive update tests: not applicable to a read-only service
        test = ProtocolTest(local)
        action = manifest.value(entry, MF.action)
        for request in Collection(manifest, manifest.value(action, HT.requests)):
            body_node = manifest.value(request, HT.body)
            body = None
            if body_node is not None:
                encoding = str(manifest.value(body_node, CNT.characterEncoding) or "UTF-8")
                body = str(manifest.value(body_node, CNT.chars)).encode(encoding.lower())
            headers = {}
            headers_list = manifest.value(request, HT.headers)
            if headers_list is not None:
                for header in Collection(manifest, headers_list):
                    name = str(manifest.value(header, HT.fieldName))
                    headers[name] = str(manifest.value(header, HT.fieldValue))
            response = manifest.value(request, HT.resp)
            statuses = {
                str(s).removeprefix(HTS) for s in manifest.objects(response, MF.expectedStatus)
            }
            expected_format = manifest.value(response, MF.expectedFormat)
            expected_boolean = manifest.value(response, MF.expectedBoolean)
            test.requests.append(
                ProtocolRequest(
                    method=str(manifest.value(request, HT.methodName)),
                    path=str(manifest.value(request, HT.absolutePath)),
                    body=body,
                    headers=headers,
                    statuses=statuses,
                    expected_format=None if expected_format is None else str(expected_format),
                    expected_boolean=None
                    if expected_boolean is None
                    else bool(expected_boolean.toPython()),
                )
            )
        tests.append(test)
    return tests


TESTS = _load_tests()


def test_the_manifest_has_every_query_and_negative_update_test() -> None:
    names = {test.name for test in TESTS}
    assert sum(name.startswith("query_") for name in names) == 13
    assert sum(name.startswith("bad_") for name in names) == 14
    assert len(names) == 27


@pytest.fixture(scope="module", params=["oxigraph", "rdflib"])
def server(request: pytest.FixtureRequest, project: Project) -> Iterator[RunningServer]:
    settings = Settings(project, engine=request.param, named_graphs=W3C_GRAPHS, workers=1)
    with swapgraph_server(settings) as running:
        yield running


def _boolean(response: httpx.Response) -> bool:
    media_type = response.headers["content-type"].split(";")[0]
    if media_type == "application/sparql-results+json":
        value: bool = json.loads(response.text)["boolean"]
        return value
    element = ET.fromstring(response.content).find(
        "{http://www.w3.org/2005/sparql-results#}boolean"
    )
    assert element is not None
    return element.text == "true"


@pytest.mark.parametrize("test", TESTS, ids=[t.name for t in TESTS])
def test_protocol(server: RunningServer, test: ProtocolTest) -> None:
    for step in test.requests:
        url = server.url + step.path.replace("/sparql/", "/sparql", 1)
        # A header the manifest does not give must not be invented by the client either.
        headers = dict(step.headers)
        response = httpx.request(step.method, url, content=step.body, headers=headers)
        if step.body is not None and "content-type" not in step.headers:
            assert response.request.headers.get("content-type") is None
        status_class = f"{str(response.status_code)[0]}xx"
        assert status_class in step.statuses, (response.status_code, response.text)
        if status_class == "4xx":
            assert response.text.strip(), "an error says what is wrong"
        if step.expected_format is not None:
            media_type = response.headers["content-type"].split(";")[0]
            assert media_type in _FORMATS[step.expected_format]
        if step.expected_boolean is not None:
            assert _boolean(response) is step.expected_boolean
