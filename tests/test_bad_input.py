"""Hostile and broken requests against a real server: 4xx with a reason, never 5xx, never down.

The battery is data (``tests/data/bad-requests.json``); each request goes out on a raw socket,
byte for byte as written there, since HTTP clients normalise paths and refuse odd headers.
"""

from __future__ import annotations

import contextlib
import json
import socket
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from swapgraph.paths import Project
from swapgraph.server import Settings
from tests.conftest import TEST_DATA
from tests.serving import RunningServer, swapgraph_server

BATTERY: list[dict[str, Any]] = json.loads(
    (TEST_DATA / "bad-requests.json").read_text(encoding="utf-8")
)["requests"]
#: Seconds the test server gives a client to send one whole request: short, since the
#: deadline tests wait for it, yet ample for a request sent in one piece on the loopback.
READ_TIMEOUT = 1.0
BASE_URL = "https://swapgraph.example.org/public"


@pytest.fixture(scope="module")
def server(project: Project) -> Iterator[RunningServer]:
    settings = Settings(project, read_timeout=READ_TIMEOUT, base_url=BASE_URL, workers=1)
    with swapgraph_server(settings) as running:
        yield running


def build(spec: Any) -> str:
    """A text of the battery: a string, a repeat, or a list of those joined."""
    if isinstance(spec, str):
        return spec
    if isinstance(spec, list):
        return "".join(build(part) for part in spec)
    return str(spec.get("prefix", "") + spec["repeat"] * spec["times"] + spec.get("suffix", ""))


def raw_request(url: str, entry: dict[str, Any]) -> tuple[int, bytes]:
    """Send one battery entry as raw bytes; return the status (0: closed unanswered) and body."""
    host, port = url.removeprefix("http://").split(":")
    body = bytes.fromhex(entry["body_hex"]) if "body_hex" in entry else b""
    if "body" in entry:
        body = build(entry["body"]).encode("utf-8")
    lines = [f"{entry['method']} {build(entry['target'])} HTTP/1.1", f"Host: {host}:{port}"]
    lines += [f"{name}: {build(value)}" for name, value in entry.get("headers", {}).items()]
    if not entry.get("no_body_length") and (body or entry["method"] == "POST"):
        lines.append(f"Content-Length: {len(body)}")
    lines.append("Connection: close")
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8")
    with socket.create_connection((host, int(port)), timeout=60) as connection:
        # Refused before it read everything, the server may still have answered.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            connection.sendall(head + body)
        answer = b""
        with contextlib.suppress(ConnectionResetError):
            while chunk := connection.recv(65536):
                answer += chunk
    if not answer:
        return 0, b""
    status_line, _, rest = answer.partition(b"\r\n")
    return int(status_line.split()[1]), rest.partition(b"\r\n\r\n")[2]


def _matches(status: int, expected: int | str) -> bool:
    if isinstance(expected, int):
        return status == expected
    return str(status)[0] == expected[0]


@pytest.mark.slow
def test_every_bad_request_is_answered_4xx_and_the_service_stays_up(
    server: RunningServer,
) -> None:
    workers = set(server.app.state.service.pool.worker_pids())
    wrong = []
    for entry in BATTERY:
        status, body = raw_request(server.url, entry)
        text = body.decode("utf-8", "replace")
        if not _matches(status, entry["expect"]) or entry.get("says", "") not in text:
            wrong.append(f"{entry['name']}: {status} {text[:160]!r}")
        health = httpx.get(f"{server.url}/health", timeout=60)
        assert health.status_code == 200, f"after {entry['name']}: {health.status_code}"
    assert wrong == []
    assert set(server.app.state.service.pool.worker_pids()) == workers, "no worker died"


def test_a_request_that_stops_half_way_is_cut_off(server: RunningServer) -> None:
    host, port = server.url.removeprefix("http://").split(":")
    partial_headers = b"GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: "
    short_body = (
        b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
        b"Content-Length: 100\r\n\r\nASK {"
    )
    requests = (b"", partial_headers, short_body)
    # All three stall at once, so that their deadlines run together.
    with contextlib.ExitStack() as stack:
        clients = [
            stack.enter_context(
                socket.create_connection((host, int(port)), timeout=READ_TIMEOUT * 10)
            )
            for _ in requests
        ]
        for client, request in zip(clients, requests, strict=True):
            client.sendall(request)
        for client, request in zip(clients, requests, strict=True):
            answer = b""
            try:
                while chunk := client.recv(65536):  # b"" once the server has closed
                    answer += chunk
            except TimeoutError:
                pytest.fail(f"the server kept a stalled connection open: {request[:40]!r}")
            if request is not short_body:
                assert answer.startswith(b"HTTP/1.1 408"), answer[:80]


def test_trickling_bytes_does_not_extend_the_deadline(server: RunningServer) -> None:
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=READ_TIMEOUT * 10) as client:
        client.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")
        closed = False
        for _ in range(int(READ_TIMEOUT * 20)):
            time.sleep(READ_TIMEOUT / 4)
            try:
                client.sendall(b"X-Slow: 1\r\n")
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
        closed = closed or client.recv(65536).startswith(b"HTTP/1.1 408")
    assert closed, "a client trickling header lines was cut off at its deadline"


KEEP_ALIVE_GET = b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n"


def read_response(client: socket.socket) -> bytes:
    """One whole response (head and ``Content-Length`` body) from a kept-alive connection."""
    answer = b""
    while b"\r\n\r\n" not in answer:
        chunk = client.recv(65536)
        if not chunk:
            return answer  # closed: whatever came before, maybe nothing
        answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    while len(body) < length:
        body += client.recv(65536)
    return head + b"\r\n\r\n" + body


@pytest.mark.slow
def test_an_idle_connection_is_reused_after_the_read_timeout(server: RunningServer) -> None:
    # Idle for longer than a request may take to arrive, and longer than uvicorn's own
    # keep-alive default (5 s): a proxy or a pooled client sends its next request then.
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=READ_TIMEOUT * 30) as client:
        client.sendall(KEEP_ALIVE_GET)
        assert read_response(client).startswith(b"HTTP/1.1 200")
        time.sleep(6)
        client.sendall(KEEP_ALIVE_GET)
        assert read_response(client).startswith(b"HTTP/1.1 200"), "the idle connection was kept"
        # A request begun on it is timed again.
        client.sendall(b"GET /health HTTP/1.1\r\n")
        assert read_response(client).startswith(b"HTTP/1.1 408")


def test_an_idle_connection_is_closed_after_the_keep_alive_without_an_answer(
    project: Project,
) -> None:
    settings = Settings(project, read_timeout=30, keep_alive=0.5, workers=1)
    with swapgraph_server(settings) as running:
        host, port = running.url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=20) as client:
            client.sendall(KEEP_ALIVE_GET)
            assert read_response(client).startswith(b"HTTP/1.1 200")
            # No request was made, so none is answered: the connection just ends.
            assert client.recv(65536) == b""


def test_absolute_urls_come_from_the_base_url_not_the_host_header(server: RunningServer) -> None:
    forged = {"Host": "attacker.example", "Accept": "text/turtle"}
    description = httpx.get(server.sparql, headers=forged).text
    assert f"<{BASE_URL}/sparql>" in description
    assert "attacker" not in description
    stats = httpx.get(f"{server.url}/stats", headers=forged).text
    assert f"{BASE_URL}/sparql" in stats and "attacker" not in stats
    listed = httpx.get(f"{server.url}/api/queries", headers=forged).json()
    assert all(query["url"].startswith(f"{BASE_URL}/api/queries/") for query in listed)


def test_a_repeated_named_query_parameter_is_refused_not_guessed(server: RunningServer) -> None:
    response = httpx.get(
        f"{server.url}/api/queries/exchanges-between",
        params=[("state_b", "state:ukraine"), ("state_b", "state:russia")],
    )
    assert response.status_code == 422
    assert "state_b" in response.text
