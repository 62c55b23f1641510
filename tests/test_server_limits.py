"""Limits: a slow query is stopped and never blocks others; bodies, concurrency, result size."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from swapgraph.paths import Project
from swapgraph.server import Settings
from swapgraph.server import pool as pool_module
from tests.serving import RunningServer, swapgraph_server

# A cross product of every triple with itself three times: it never ends on any engine.
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
FAST = "ASK { ?s ?p ?o }"


@pytest.fixture(scope="module")
def server(project: Project) -> Iterator[RunningServer]:
    settings = Settings(
        project,
        timeout=3,
        workers=2,
        max_pending=3,
        max_body_bytes=2_000,
        max_result_bytes=5_000,
    )
    # A query waits for a worker as long as the time limit, not the default half minute:
    # the queries left waiting behind the slow ones here give up sooner, and end the test.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pool_module, "_MIN_WAIT", settings.timeout)
        with swapgraph_server(settings) as running:
            yield running


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_slow_query_is_stopped_while_others_are_answered(server: RunningServer) -> None:
    pool = server.app.state.service.pool
    workers_before = set(pool.worker_pids())
    events: list[str] = []
    slow_response: list[httpx.Response] = []

    def run_slow() -> None:
        slow_response.append(httpx.get(server.sparql, params={"query": SLOW}, timeout=60))
        events.append("slow")

    slow = threading.Thread(target=run_slow)
    slow.start()
    while slow.is_alive():
        response = httpx.get(server.sparql, params={"query": FAST}, timeout=60)
        assert response.status_code in (200, 503)
        if response.status_code == 200 and slow.is_alive():
            events.append("fast")
    slow.join()
    assert events[0] == "fast", "a fast query was answered while the slow one ran"
    assert events[-1] == "slow"
    assert slow_response[0].status_code == 503
    assert "time limit" in slow_response[0].text
    stopped = [pid for pid in workers_before if not _alive(pid)]
    assert stopped, "the process running the slow query was stopped, releasing its CPU"


def test_too_many_queries_at_once_get_503_with_retry_after(server: RunningServer) -> None:
    # Four slow queries against a cap of three: whichever arrives last is turned away.
    responses: list[httpx.Response] = []

    def run_slow() -> None:
        responses.append(httpx.get(server.sparql, params={"query": SLOW}, timeout=60))

    slow = [threading.Thread(target=run_slow) for _ in range(4)]
    for thread in slow:
        thread.start()
    for thread in slow:
        thread.join()
    busy = [r for r in responses if "retry-after" in r.headers]
    assert busy, "a query beyond the cap was turned away"
    assert busy[0].status_code == 503
    assert busy[0].headers["retry-after"].isdigit()
    assert "retry" in busy[0].text


def test_body_over_the_limit_is_413(server: RunningServer) -> None:
    query = "ASK {}" + " " * 3_000
    response = httpx.post(
        server.sparql, content=query.encode(), headers={"Content-Type": "application/sparql-query"}
    )
    assert response.status_code == 413
    assert "2000 bytes" in response.text


def _wait_for_full_pool(server: RunningServer) -> None:
    # The tests before this one stop workers past the time limit; their replacements start
    # in the background (slowly on a loaded machine). This test is about the result cap, so
    # it waits for a full pool instead of racing the replacements.
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        health = httpx.get(server.url + "/health", timeout=30)
        if health.status_code == 200 and health.json()["status"] == "ok":
            return
        time.sleep(0.2)
    raise AssertionError("the pool did not come back to full strength")


def test_result_over_the_limit_is_reported_not_cut(server: RunningServer) -> None:
    _wait_for_full_pool(server)
    response = httpx.get(server.sparql, params={"query": "SELECT * WHERE { ?s ?p ?o }"}, timeout=60)
    assert response.status_code == 507
    assert "LIMIT" in response.text
    small = httpx.get(server.sparql, params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 3"})
    assert small.status_code == 200
    assert len(small.json()["results"]["bindings"]) == 3
