"""The engine is chosen in one place: the CLI, the server and the notebook name it alike."""

from __future__ import annotations

import pytest

from swapgraph.errors import QueryError
from swapgraph.settings import engine_kind


def test_engine_names_and_urls_are_told_apart() -> None:
    assert engine_kind("oxigraph") == "oxigraph"
    assert engine_kind("rdflib") == "rdflib"
    assert engine_kind("https://example.org/sparql") == "remote"


def test_an_unknown_engine_is_named_with_the_choices() -> None:
    with pytest.raises(QueryError, match=r"unknown engine 'blazegraph' \(expected oxigraph"):
        engine_kind("blazegraph")
