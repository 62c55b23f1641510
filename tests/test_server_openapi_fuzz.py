"""A bounded schemathesis run against the served OpenAPI document.

Every documented operation is called with generated input; each answer must be no 5xx and
must match what the document says of its status code, content type and body. Input is
generated both to fit the document and to break it. No operation is left out: generated
query text is almost always a syntax error, and a query that did run long would meet the
server's time limit (10 s here) like any other.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import BaseSchema, Case
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from swapgraph.paths import Project
from swapgraph.server import Settings
from tests.serving import RunningServer, swapgraph_server

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def fuzzed_server(project: Project) -> Iterator[RunningServer]:
    with swapgraph_server(Settings(project, workers=1, timeout=10)) as running:
        yield running


@pytest.fixture
def api_schema(fuzzed_server: RunningServer) -> BaseSchema:
    schema = schemathesis.openapi.from_url(f"{fuzzed_server.url}/openapi.json")
    schema.config.generation.update(modes=list(schemathesis.GenerationMode))
    return schema


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=10,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_documented(case: Case) -> None:
    case.call_and_validate(checks=CHECKS)
