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
from hypothesis import HealthCheck, given, settings
from schemathesis import Case
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


def test_every_operation_answers_as_documented(fuzzed_server: RunningServer) -> None:
    schema = schemathesis.openapi.from_url(f"{fuzzed_server.url}/openapi.json")
    schema.config.generation.update(modes=list(schemathesis.GenerationMode))
    # Each operation gets its own bounded Hypothesis run, driven here rather than through
    # schemathesis' pytest plugin, whose hooks follow pytest's internals release by release.
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10
    calls: list[str] = []
    for operation in operations:

        @settings(
            max_examples=10,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def answers_as_documented(case: Case) -> None:
            calls.append(case.operation.label)
            case.call_and_validate(base_url=fuzzed_server.url, checks=CHECKS)

        answers_as_documented()
    assert set(calls) == {operation.label for operation in operations}
