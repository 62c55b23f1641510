"""One IRI shortener for the whole package: prefixed names that read back, else ``<iri>``."""

from __future__ import annotations

import pytest

from swapgraph.namespaces import compact

ID = "https://w3id.org/swapgraph/id/"


@pytest.mark.parametrize(
    ("iri", "written"),
    [
        (f"{ID}state/russia", "state:russia"),
        (f"{ID}exchange/2025-05-23-ru-ua", "exchange:2025-05-23-ru-ua"),
        ("https://w3id.org/swapgraph/ontology#Exchange", "swap:Exchange"),
        ("https://w3id.org/swapgraph/shapes#ExchangeShape", "swapsh:ExchangeShape"),
        ("http://www.w3.org/2001/XMLSchema#date", "xsd:date"),
        (f"{ID}state/t%C3%BCrkiye", "state:t%C3%BCrkiye"),
        # No legal local name: written in full.
        (f"{ID}source/a/b", f"<{ID}source/a/b>"),
        (f"{ID}state/a.", f"<{ID}state/a.>"),
        (f"{ID}state/-a", f"<{ID}state/-a>"),
        (f"{ID}state/", f"<{ID}state/>"),
        (f"{ID}state/a:b", f"<{ID}state/a:b>"),
        # No prefix.
        ("http://example.org/x", "<http://example.org/x>"),
        (f"{ID}other/x", f"<{ID}other/x>"),
    ],
)
def test_compact(iri: str, written: str) -> None:
    assert compact(iri) == written
