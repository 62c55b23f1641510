"""The ``/sparql`` route's OpenAPI description names the prefixes a query may leave undeclared."""

from __future__ import annotations

from typing import Any

import pytest

from swapgraph.paths import Project
from swapgraph.query_text import DEFAULT_PREFIXES
from swapgraph.server import Settings
from tests.serving import in_process


@pytest.fixture(scope="module")
def openapi(project: Project) -> dict[str, Any]:
    with in_process(Settings(project)) as client:
        document: dict[str, Any] = client.get("/openapi.json").json()
    return document


@pytest.mark.parametrize("method", ["get", "post"])
def test_sparql_description_lists_every_default_prefix(
    openapi: dict[str, Any], method: str
) -> None:
    description = openapi["paths"]["/sparql"][method]["description"]
    assert "SPARQL 1.1 Protocol" in description, "the route's own text is kept"
    assert len(DEFAULT_PREFIXES) > 5
    for name, namespace in DEFAULT_PREFIXES.items():
        assert f"| `{name}:` | `{namespace}` |" in description, name
