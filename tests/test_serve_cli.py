"""``swapgraph serve`` as the README starts it, ``python -m swapgraph serve``, and refusal."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from swapgraph.cli import EXIT_CANNOT_LISTEN, main
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
        # The endpoint is printed once the socket listens; the first answer may still wait.
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
    assert f"engine oxigraph, store memory, {queries} named queries" in started
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


SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def test_serve_on_a_busy_port_fails_at_once(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code = main(["serve", "--project", str(REPO_ROOT), "--port", str(port)])
    out, err = capsys.readouterr()
    assert code == EXIT_CANNOT_LISTEN == 3
    assert out == "", "nothing is validated or announced"
    assert f"cannot listen on 127.0.0.1:{port}" in err
    assert "--port" in err


def _start(
    tmp_path: Path, *options: str, session: bool = False
) -> tuple[subprocess.Popen[str], str]:
    """Start ``swapgraph serve`` on a free port with its temporary folder in ``tmp_path``.

    With ``session``, in a session of its own, so that its process group can be signalled
    as a terminal or a supervisor signals it, without this test process.
    """
    binary = shutil.which("swapgraph")
    assert binary is not None
    command = [binary, "serve", "--project", str(REPO_ROOT), "--port", "0", *options]
    environment = {**os.environ, "TMPDIR": str(tmp_path)}
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment,
        start_new_session=session,
    )
    assert process.stdout is not None
    started = ""
    while "SPARQL endpoint:" not in started:
        line = process.stdout.readline()
        if not line:
            pytest.fail(f"the server stopped before serving:\n{started}")
        started += line
    base = started.split("SPARQL endpoint: ")[1].split()[0].removesuffix("/sparql")
    try:
        httpx.get(f"{base}/health", timeout=60)
    except httpx.HTTPError:
        process.kill()  # never leave a server behind a failed test
        raise
    return process, base


def _descendants(pid: int) -> set[int]:
    """Every process below ``pid``, read from /proc."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # it ended meanwhile
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier}
        found |= frontier
    return found


def _wait_until_gone(pids: set[int]) -> set[int]:
    """Wait (up to two minutes) for ``pids`` to end; return those still there."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        left = {pid for pid in pids if Path(f"/proc/{pid}").exists()}
        if not left:
            return left
        time.sleep(0.1)
    return left


def _slow_query_in_flight(base: str) -> threading.Thread:
    def run() -> None:
        with contextlib.suppress(httpx.HTTPError):  # the server goes away under it
            httpx.get(f"{base}/sparql", params={"query": SLOW}, timeout=120)

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.mark.slow
def test_kill_9_of_the_server_leaves_no_process_and_no_folder(tmp_path: Path) -> None:
    process, base = _start(tmp_path)
    children = _descendants(process.pid)
    assert len(children) >= 2, "the query workers run"
    slow = _slow_query_in_flight(base)  # a busy worker is the one that used to stay
    while httpx.get(f"{base}/health").json()["workers"]["busy"] == 0:
        threading.Event().wait(0.05)
    process.kill()
    process.wait()
    slow.join()
    assert _wait_until_gone(children) == set(), "every worker died with the server"
    assert list(tmp_path.glob("swapgraph-store-*")) == [], "no store folder is left"


@pytest.mark.slow
def test_sigterm_stops_within_the_grace_period_exits_0_without_traceback(
    tmp_path: Path,
) -> None:
    process, base = _start(tmp_path, "--grace", "1")
    children = _descendants(process.pid)
    slow = _slow_query_in_flight(base)  # would run for the whole 30 s time limit
    while httpx.get(f"{base}/health").json()["workers"]["busy"] == 0:
        threading.Event().wait(0.05)
    quick = httpx.get(f"{base}/api/queries/{QUERY}", params={"format": "csv"})
    assert quick.status_code == 200
    process.send_signal(signal.SIGTERM)
    _, log = process.communicate(timeout=120)
    slow.join()
    assert process.returncode == 0, log
    assert "Traceback" not in log
    assert _wait_until_gone(children) == set(), "the workers are stopped"
    assert list(tmp_path.glob("swapgraph-store-*")) == []
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{base}/health")


#: Every pair of triples: seconds of work on the repository's graph, and then an answer.
PAIRS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }"


@pytest.mark.slow
@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_a_stop_sent_to_the_whole_process_group_lets_queries_in_flight_finish(
    tmp_path: Path, stop: signal.Signals
) -> None:
    # Ctrl-C in a terminal signals the whole foreground group, and systemd's default
    # KillMode signals every process of the service: the workers get the stop too.
    process, base = _start(tmp_path, "--grace", "60", session=True)
    try:
        triples = httpx.get(
            f"{base}/sparql",
            params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"},
            headers={"accept": "text/csv"},
        ).text.split()[1]
        answers: list[httpx.Response] = []
        pairs = threading.Thread(
            target=lambda: answers.append(
                httpx.get(
                    f"{base}/sparql",
                    params={"query": PAIRS},
                    headers={"accept": "text/csv"},
                    timeout=120,
                )
            )
        )
        pairs.start()
        while httpx.get(f"{base}/health").json()["workers"]["busy"] == 0:
            threading.Event().wait(0.05)
        os.killpg(process.pid, stop)
        _, log = process.communicate(timeout=120)
        pairs.join()
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 0, log
    [answer] = answers
    assert answer.status_code == 200, answer.text
    assert answer.text.split() == ["n", str(int(triples) ** 2)], "the query ran to its end"
    assert "replacing it" not in log, log


@pytest.mark.slow
@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_a_stop_that_arrives_as_the_server_starts_is_not_lost(
    tmp_path: Path, stop: signal.Signals
) -> None:
    # A supervisor that stops a service just after it printed its address: the signal came
    # after serve handed stops to uvicorn, before uvicorn's event loop had put its own
    # handler in place, and nobody acted on it; the server then served until SIGKILL.
    # Here the stop arrives in that window every time: as uvicorn starts to run.
    script = (
        "import os, signal, sys, uvicorn\n"
        "from swapgraph.cli import main\n"
        "run = uvicorn.Server.run\n"
        "def stopped_at_start(self, *args, **kwargs):\n"
        f"    os.kill(os.getpid(), {int(stop)})\n"
        "    return run(self, *args, **kwargs)\n"
        "uvicorn.Server.run = stopped_at_start\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    command = [sys.executable, "-c", script, "serve", "--project", str(REPO_ROOT), "--port", "0"]
    environment = {**os.environ, "TMPDIR": str(tmp_path)}
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment
    )
    try:
        out, log = process.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        pytest.fail(f"{stop.name} at start-up was lost: the server kept serving")
    assert "SPARQL endpoint:" in out, log
    assert process.returncode == 0, log
    assert "Traceback" not in log


def test_the_server_imports_no_rdf_library_nor_web_framework_while_validation_runs(
    tmp_path: Path,
) -> None:
    # Validation and the store's build run in children meanwhile: the server's own process
    # is part of the start's peak (at 1M triples 73-79 MiB with those imported, now 46).
    # With --store disk nothing else is prepared ahead (in memory, the workers start then).
    script = (
        "import sys\n"
        "import swapgraph.checked as checked, swapgraph.serve as serve\n"
        "HEAVY = ('rdflib', 'pyshacl', 'httpx', 'uvicorn', 'fastapi', 'starlette')\n"
        "def validating(what, function, *args):\n"
        "    print(sorted(m for m in HEAVY if m in sys.modules), flush=True)\n"
        "    raise serve.Stopped('SIGTERM')\n"
        "checked.run_in_child = validating  # after the cache was looked up\n"
        "from swapgraph.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    project = tmp_path / "project"
    shutil.copytree(REPO_ROOT, project, ignore=shutil.ignore_patterns(".git", ".swapgraph-cache"))
    command = [sys.executable, "-c", script, "serve", "--project", str(project), "--port", "0"]
    run = subprocess.run(
        [*command, "--store", "disk"], capture_output=True, text=True, timeout=120, check=False
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"


def _serve_and_look(tmp_path: Path, paths: tuple[str, ...], look: str) -> list[str]:
    """Serve a copy of the repository twice (validating in a child, then from the cached
    report); once every path has answered, print ``look`` evaluated in the server's process.

    Returns:
        What each run printed last. A path that never answers fails the test.
    """
    port = free_port()
    script = (
        "import gc, os, sys, threading, time, urllib.request\n"
        f"BASE = 'http://127.0.0.1:{port}'\n"
        "def visit():\n"
        f"    for path in {paths!r}:\n"
        "        for _ in range(600):\n"
        "            try:\n"
        "                urllib.request.urlopen(BASE + path, timeout=60).read()\n"
        "                break\n"
        "            except OSError:\n"
        "                time.sleep(0.1)\n"
        "        else:\n"
        "            print('no answer at', path, flush=True)\n"
        "            os._exit(3)\n"
        "    gc.collect()\n"
        f"    print({look}, flush=True)\n"
        "    os._exit(0)\n"
        "threading.Thread(target=visit, daemon=True).start()\n"
        "from swapgraph.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    project = tmp_path / "project"
    shutil.copytree(REPO_ROOT, project, ignore=shutil.ignore_patterns(".git", ".swapgraph-cache"))
    command = [sys.executable, "-c", script, "serve", "--project", str(project)]
    printed = []
    for _run in ("validated in a child", "from the cached report"):
        run = subprocess.run(
            [*command, "--port", str(port), "--workers", "1"],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert run.returncode == 0, run.stdout + run.stderr
        printed.append(run.stdout.strip().splitlines()[-1])
    return printed


def test_a_server_that_serves_queries_and_pages_does_without_what_it_never_runs(
    tmp_path: Path,
) -> None:
    # The server's process holds what it imports for its whole life; networkx (11 MiB) is
    # for exports, which most servers are never asked for, httpx (5 MiB) for a remote
    # engine, and pyshacl and rdflib's SPARQL (8 MiB together) for validation and the rdflib
    # engine, which run in children and workers.
    paths = ("/api/queries/exchanges-between", "/", "/sparql?query=ASK%7B%7D")
    paths += ("/id/state/russia", "/api/queries", "/shapes", "/ontology")
    modules = ("networkx", "httpx", "pyshacl", "rdflib.plugins.sparql")
    look = f"sorted(m for m in {modules!r} if m in sys.modules)"
    assert _serve_and_look(tmp_path, paths, look) == ["[]", "[]"]


def test_a_server_keeps_no_validation_report_once_it_serves(tmp_path: Path) -> None:
    # It needs the report's verdict only; kept for its life, the report of the generated 5M
    # project (35,000 warnings) held tens of MiB. The repository's graph has warnings too.
    from swapgraph.checked import checked_report

    assert checked_report(Project.open(REPO_ROOT), use_cache=False).results, "it needs some"
    look = "sum(type(o).__name__ == 'ValidationResult' for o in gc.get_objects())"
    assert _serve_and_look(tmp_path, ("/health",), look) == ["0", "0"]
