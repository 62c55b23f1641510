"""``swapgraph serve`` as the README starts it, ``python -m swapgraph serve``, and refusal."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest

from swapgraph.cli import main
from swapgraph.named_queries import load_named_queries
from swapgraph.paths import Project
from tests.conftest import REPO_ROOT, TEST_DATA
from tests.serving import free_port

QUERY = sorted(load_named_queries(Project.open(REPO_ROOT)))[0]


def _serve(command: list[str], cwd: Path) -> tuple[str, str, list[str]]:
    """Start a server, ask it for its health and the named query ``QUERY``, stop it.

    Returns:
        What it printed before serving, its request log (stderr), and the answers' statuses.
    """
    process = subprocess.Popen(
        command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    started = ""
    try:
        while "SPARQL endpoint:" not in started:
            line = process.stdout.readline()
            if not line:
                pytest.fail(f"the server stopped before serving:\n{started}")
            started += line
        base = started.split("SPARQL endpoint: ")[1].split()[0].removesuffix("/sparql")
        # The endpoint is printed just before uvicorn binds: wait until it accepts.
        while True:
            try:
                health = httpx.get(f"{base}/health")
                break
            except httpx.ConnectError:
                if process.poll() is not None:
                    pytest.fail("the server stopped after printing its address")
                threading.Event().wait(0.05)
        query = httpx.get(f"{base}/api/queries/{QUERY}", params={"format": "csv"})
        statuses = [f"{health.status_code} {health.json()['status']}", str(query.status_code)]
    finally:
        process.send_signal(signal.SIGINT)
        try:
            _, log = process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            _, log = process.communicate()
    return started, log, statuses


def test_swapgraph_serve_with_defaults_in_the_repository(project: Project) -> None:
    binary = shutil.which("swapgraph")
    assert binary is not None, "the package's console script is installed"
    port = free_port()
    started, log, statuses = _serve([binary, "serve", "--port", str(port)], REPO_ROOT)
    queries = len(load_named_queries(project))
    assert f"engine oxigraph, {queries} named queries" in started
    assert f"SPARQL endpoint: http://127.0.0.1:{port}/sparql" in started
    assert statuses == ["200 ok", "200"]
    request_lines = [line for line in log.splitlines() if f"/api/queries/{QUERY} " in line]
    assert len(request_lines) == 1
    assert " 200 " in request_lines[0]
    assert "query=-" not in request_lines[0], "the log line carries the query's hash"


def test_python_m_swapgraph_serve(tmp_path: Path) -> None:
    port = free_port()
    command = [sys.executable, "-m", "swapgraph", "serve", "--project", str(REPO_ROOT)]
    started, _, statuses = _serve([*command, "--engine", "rdflib", "--port", str(port)], tmp_path)
    assert f"serving {REPO_ROOT}" in started
    assert "engine rdflib" in started
    assert statuses == ["200 ok", "200"]


def test_serve_refuses_a_project_with_violations(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for folder in ("ontology", "shapes"):
        shutil.copytree(REPO_ROOT / folder, tmp_path / folder)
    (tmp_path / "graph").mkdir()
    shutil.copy(TEST_DATA / "shapes" / "cli" / "broken.ttl", tmp_path / "graph")
    code = main(["serve", "--project", str(tmp_path), "--port", str(free_port())])
    out, err = capsys.readouterr()
    assert code == 1  # violations, as `swapgraph validate` reports them
    assert "Violation  swapsh:ExchangeDate" in out
    assert err.count("\n") == 1
    assert "--allow-invalid" in err
