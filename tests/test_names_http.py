"""Over HTTP too, a named-query value that names nothing, or a reversed range, is a 422."""

from __future__ import annotations

import httpx
import pytest

from tests.serving import RunningServer

pytestmark = pytest.mark.slow  # a real server with its query workers

QUERY = "exchanges-between"


def test_an_unknown_name_is_422_with_close_matches(shared_server: RunningServer) -> None:
    url = f"{shared_server.url}/api/queries/{QUERY}"
    response = httpx.get(url, params={"state_b": "state:ukrane"})
    assert response.status_code == 422
    assert "state:ukrane" in response.text and "Ukraine (state:ukraine)" in response.text


def test_a_state_by_name_gives_the_same_answer_as_by_iri(shared_server: RunningServer) -> None:
    url = f"{shared_server.url}/api/queries/{QUERY}"
    by_iri = httpx.get(url, params={"state_a": "state:russia", "state_b": "state:ukraine"})
    by_name = httpx.get(url, params={"state_a": "Russia", "state_b": "UA"})
    assert by_iri.status_code == by_name.status_code == 200
    assert by_iri.json()["results"]["bindings"]
    assert by_name.json() == by_iri.json()


def test_a_reversed_date_range_is_422(shared_server: RunningServer) -> None:
    url = f"{shared_server.url}/api/queries/{QUERY}"
    response = httpx.get(url, params={"from": "2025-06-01", "to": "2025-05-31"})
    assert response.status_code == 422
    assert "'from' (2025-06-01) is after 'to' (2025-05-31)" in response.text
