"""The supervised worker pool: deaths at any moment, fair sharing, results in flight, /health.

The server runs under real uvicorn; workers are killed and stopped as the kernel, the OOM
killer or an operator would. Clients are told apart by address: Linux routes the whole of
127.0.0.0/8 to the loopback, so a client bound to 127.0.0.2 is another client.

Every test that starts worker processes is marked slow: each start and each replacement
costs seconds of CPU, which the quick loop (``-m "not slow and not browser"``) skips.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from swapgraph.engine import Engine, OxigraphEngine, Serialized
from swapgraph.paths import Project
from swapgraph.server import Settings
from swapgraph.server import pool as pool_module
from swapgraph.server.pool import WorkerLost, WorkerPool
from swapgraph.server.service import GraphService, remove_stale_stores
from swapgraph.worker import QueryJob, WorkerEngine
from tests.conftest import REPO_ROOT
from tests.serving import RunningServer, swapgraph_server

SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
FAST = "ASK { ?s ?p ?o }"
#: Enough rows for a result of tens of megabytes from the repository's small graph.
BIG = "SELECT * WHERE { ?s ?p ?o . ?a ?b ?c } LIMIT 60000"
PATIENCE = 120  # seconds a condition may take to come true on a loaded machine
#: The time limit of the shared server: queries here either answer at once or run forever.
LIMIT = 3.0


def client(address: str) -> httpx.Client:
    """An HTTP client whose connections come from ``address`` (a 127.x.y.z)."""
    return httpx.Client(transport=httpx.HTTPTransport(local_address=address), timeout=120)


def eventually(condition: Callable[[], bool], what: str) -> None:
    """Wait until ``condition`` holds (no timing is asserted, only an upper bound)."""
    deadline = time.monotonic() + PATIENCE
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"still not true after {PATIENCE} s: {what}")
        time.sleep(0.05)


def gone(pid: int) -> bool:
    """Whether the process has exited and been reaped (a zombie is not gone)."""
    return not Path(f"/proc/{pid}").exists()


def health(server: RunningServer) -> httpx.Response:
    return httpx.get(f"{server.url}/health", timeout=60)


@pytest.fixture(scope="module")
def server(project: Project) -> Iterator[RunningServer]:
    # A short time limit, and a wait for a worker as short: tests run queries up to both
    # limits and wait for them, and what they show does not depend on the values.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pool_module, "_MIN_WAIT", LIMIT)
        with swapgraph_server(Settings(project, timeout=LIMIT, workers=2)) as running:
            yield running


class Traffic:
    """Cheap queries sent in a loop from one client, their statuses kept."""

    def __init__(self, server: RunningServer, address: str = "127.0.0.3") -> None:
        self.statuses: list[int] = []
        self.bad: list[httpx.Response] = []
        self._stop = threading.Event()
        self._client = client(address)
        self._url = server.sparql
        self._thread = threading.Thread(target=self._loop)

    def _loop(self) -> None:
        while not self._stop.is_set():
            response = self._client.get(self._url, params={"query": FAST})
            self.statuses.append(response.status_code)
            if response.status_code != 200 and "retry-after" not in response.headers:
                self.bad.append(response)

    def __enter__(self) -> Traffic:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        self._client.close()

    def answered(self) -> int:
        return self.statuses.count(200)


def back_to_full_size(server: RunningServer, without: set[int]) -> None:
    pool = server.app.state.service.pool
    eventually(
        lambda: len(pool.worker_pids()) == 2 and not without & set(pool.worker_pids()),
        "the pool has two workers again, none of them the lost ones",
    )
    eventually(lambda: health(server).json()["status"] == "ok", "/health says ok")
    body = health(server).json()
    assert body["workers"]["live"] == body["workers"]["size"] == 2
    assert all(gone(pid) for pid in without), "the dead workers were reaped"


@pytest.mark.slow
def test_chaos_kill_idle_kill_busy_stop_one(server: RunningServer) -> None:
    pool = server.app.state.service.pool
    with Traffic(server) as traffic:
        # 1. SIGKILL an idle worker: no request fails, the pool replaces it.
        victim = pool.worker_pids()[0]
        os.kill(victim, signal.SIGKILL)
        back_to_full_size(server, {victim})
        seen = traffic.answered()
        eventually(lambda: traffic.answered() > seen, "cheap queries are answered")

        # 2. SIGKILL a busy worker: its request is told to retry, the others go on.
        slow: list[httpx.Response] = []
        hostile = threading.Thread(
            target=lambda: slow.append(
                client("127.0.0.2").get(server.sparql, params={"query": SLOW})
            )
        )
        hostile.start()
        eventually(lambda: bool(pool.busy_pids("127.0.0.2")), "a worker is busy")
        [busy] = pool.busy_pids("127.0.0.2")
        os.kill(busy, signal.SIGKILL)
        hostile.join()
        assert slow[0].status_code == 503, slow[0].text
        assert slow[0].headers.get("retry-after", "").isdigit(), slow[0].text
        assert "worker" in slow[0].text
        back_to_full_size(server, {busy})

        # 3. SIGSTOP a busy worker past the time limit: its request is answered at the
        # limit, the worker killed and replaced; the other worker answers meanwhile.
        slow.clear()
        hostile = threading.Thread(
            target=lambda: slow.append(
                client("127.0.0.8").get(server.sparql, params={"query": SLOW})
            )
        )
        hostile.start()
        eventually(lambda: bool(pool.busy_pids("127.0.0.8")), "a worker is busy")
        [stopped] = pool.busy_pids("127.0.0.8")
        os.kill(stopped, signal.SIGSTOP)
        seen = traffic.answered()
        hostile.join()
        assert slow[0].status_code == 503
        assert "time limit" in slow[0].text
        back_to_full_size(server, {stopped})
        assert traffic.answered() > seen
    assert set(traffic.statuses) <= {200, 503}
    assert not traffic.bad, [r.text for r in traffic.bad]


@pytest.mark.slow
def test_a_query_that_crashes_its_worker_is_answered_and_the_worker_replaced(
    server: RunningServer,
) -> None:
    pool = server.app.state.service.pool
    before = set(pool.worker_pids())
    # Deeper than pyoxigraph's parser survives; a lexical check may refuse it first (400).
    nested = "SELECT * WHERE " + "{" * 3000 + "}" * 3000
    # Another client is around: a crasher alone would harm only itself and is not held back.
    assert client("127.0.0.9").get(server.sparql, params={"query": FAST}).status_code == 200
    with client("127.0.0.4") as crasher:
        response = crasher.get(server.sparql, params={"query": nested})
        assert response.status_code in (400, 503)
        if response.status_code == 503:
            assert "retry-after" in response.headers
            again = crasher.get(server.sparql, params={"query": FAST})
            assert again.status_code == 503, "a client whose query killed a worker waits"
            assert int(again.headers["retry-after"]) >= 1
    assert httpx.get(server.sparql, params={"query": FAST}).status_code == 200
    back_to_full_size(server, before - set(pool.worker_pids()))


class Crash:
    """A job that kills the worker running it, as a stack overflow in the engine does."""

    def run(self, engine: Engine) -> Serialized:
        os.kill(os.getpid(), signal.SIGSEGV)
        raise AssertionError("unreachable")


@pytest.mark.slow
def test_a_crashing_job_raises_worker_lost_and_the_pool_recovers(project: Project) -> None:
    service = GraphService(Settings(project, workers=1, timeout=30))
    try:
        with pytest.raises(WorkerLost):
            service.pool.run(Crash())
        answer = service.run(FAST, ("application/sparql-results+json",))
        assert b"true" in answer.body
        assert service.pool.state().live == 1
    finally:
        service.close()


@pytest.mark.slow
def test_a_hostile_client_cannot_hold_every_worker(server: RunningServer) -> None:
    cheap = client("127.0.0.5")
    assert cheap.get(server.sparql, params={"query": FAST}).status_code == 200
    hostile: list[httpx.Response] = []
    stop = threading.Event()

    def attack() -> None:
        with client("127.0.0.6") as attacker:
            while not stop.is_set():
                hostile.append(attacker.get(server.sparql, params={"query": SLOW}))

    attackers = [threading.Thread(target=attack) for _ in range(3)]
    for thread in attackers:
        thread.start()
    pool = server.app.state.service.pool
    answered: list[httpx.Response] = []
    try:
        eventually(lambda: pool.state().busy >= 1, "the hostile client holds a worker")
        # Cheap queries are answered while the cross joins hold a worker and wait for more.
        while len(answered) < 20 or not hostile:
            response = cheap.get(server.sparql, params={"query": FAST})
            assert response.status_code == 200, response.text
            answered.append(response)
    finally:
        stop.set()
        for thread in attackers:
            thread.join()
        cheap.close()
    assert {r.status_code for r in hostile} == {503}
    assert any("time limit" in r.text for r in hostile), "the cross joins ran to the limit"
    waited = [r for r in hostile if "time limit" not in r.text]
    assert all("retry-after" in r.headers for r in waited), "a wait is not a time-out"


@pytest.mark.slow
def test_a_full_queue_is_refused_at_once_with_retry_after(project: Project) -> None:
    # The slow queries hold the queue until the time limit, then let the server stop.
    settings = Settings(project, timeout=5, workers=1, max_pending=2)
    with swapgraph_server(settings) as running:
        pool = running.app.state.service.pool

        def run_slow() -> None:
            with contextlib.suppress(httpx.HTTPError):  # cut short when the server stops
                httpx.get(running.sparql, params={"query": SLOW}, timeout=60)

        slow = [threading.Thread(target=run_slow) for _ in range(2)]
        for thread in slow:
            thread.start()
        eventually(lambda: pool.state().busy + pool.state().waiting == 2, "the queue is full")
        refused = httpx.get(running.sparql, params={"query": FAST}, timeout=60)
        assert refused.status_code == 503
        assert refused.headers["retry-after"].isdigit()
        assert "time limit" not in refused.text
        # Let the slow ones go: stopping the server stops their worker.
    for thread in slow:
        thread.join()


@pytest.mark.slow
def test_health_fails_when_no_worker_can_serve(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for folder in ("ontology", "shapes", "api"):
        shutil.copytree(REPO_ROOT / folder, tmp_path / folder)
    # One data file: the rdflib workers parse it at each start, and they start often here.
    source = sorted((REPO_ROOT / "graph").glob("*.ttl"))[0]
    data = tmp_path / "graph" / source.name
    data.parent.mkdir()
    shutil.copy(source, data)
    good = data.read_bytes()
    # Failed starts are retried with a doubling pause; capped short, the recovery below is
    # seen within a second of the repair instead of up to 30 s later. The query sent while
    # no worker can serve waits for one as long as the time limit, here a short one.
    monkeypatch.setattr(pool_module, "_MAX_BACKOFF", 1.0)
    monkeypatch.setattr(pool_module, "_MIN_WAIT", LIMIT)
    settings = Settings(Project.open(tmp_path), engine="rdflib", workers=2, timeout=LIMIT)
    with swapgraph_server(settings) as running:
        pool = running.app.state.service.pool
        data.write_text("this is not Turtle")  # replacements cannot start
        first, second = pool.worker_pids()
        os.kill(first, signal.SIGKILL)
        eventually(lambda: health(running).json()["workers"]["live"] == 1, "one worker left")
        assert health(running).status_code == 200
        assert health(running).json()["status"] == "degraded"
        os.kill(second, signal.SIGKILL)
        eventually(lambda: health(running).status_code == 503, "/health fails")
        down = health(running)
        assert down.json()["status"] == "down"
        assert "retry-after" in down.headers
        query = httpx.get(running.sparql, params={"query": FAST}, timeout=60)
        assert query.status_code == 503
        assert "retry-after" in query.headers
        data.write_bytes(good)  # the supervisor keeps trying, with a back-off
        eventually(lambda: health(running).json()["status"] == "ok", "the pool recovers")
        assert httpx.get(running.sparql, params={"query": FAST}).status_code == 200


@pytest.mark.slow
def test_large_results_in_flight_are_bounded(project: Project) -> None:
    settings = Settings(project, workers=2, results_in_flight_bytes=40_000_000)
    with swapgraph_server(settings) as running:
        headers = {"Accept": "application/sparql-results+xml"}  # the most bytes per row
        with httpx.Client(timeout=120) as reader:
            # The first client asks for a large result and does not read it.
            with reader.stream(
                "GET", running.sparql, params={"query": BIG}, headers=headers
            ) as unread:
                assert unread.status_code == 200
                size = int(unread.headers.get("content-length", 0))
                assert size > 20_000_000, "the result is larger than half the room"
                second = httpx.get(
                    running.sparql, params={"query": BIG}, headers=headers, timeout=120
                )
                assert second.status_code == 503
                assert "retry-after" in second.headers
            # Once the first is done with, the room is free again.
            third = httpx.get(running.sparql, params={"query": BIG}, headers=headers, timeout=120)
            assert third.status_code == 200


@pytest.fixture
def dump_spec(project: Project, tmp_path: Path) -> WorkerEngine:
    """Workers on the project's data, dumped as the server dumps it for them."""
    dump = tmp_path / "dataset.nq"
    OxigraphEngine.from_files(project.data_files()).dump_nquads(dump)
    return WorkerEngine("oxigraph", dataset=dump)


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def said(self, text: str, level: int) -> bool:
        return any(r.levelno == level and text in r.getMessage() for r in self.records)


@contextlib.contextmanager
def pool_log() -> Iterator[_Records]:
    """The pool's log records while the block runs (its own handler: whatever other tests
    did to logging, and from whichever thread the pool logs)."""
    logger = logging.getLogger("swapgraph.server")
    handler, level = _Records(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


@pytest.mark.slow
def test_a_worker_that_grew_is_replaced_after_its_job(dump_spec: WorkerEngine) -> None:
    pool = WorkerPool(dump_spec, 1, timeout=60, max_pending=2, recycle_bytes=20_000_000)
    try:
        with pool_log() as log:
            media = ("application/sparql-results+xml",)
            [first] = pool.worker_pids()
            pool.run(QueryJob(FAST, media))
            assert pool.worker_pids() == [first], "a small job keeps its worker"
            assert len(pool.run(QueryJob(BIG, media)).body) > 20_000_000
            eventually(lambda: first not in pool.worker_pids(), "the grown worker is replaced")
            eventually(lambda: pool.state().live == 1, "its replacement is ready")
            # Routine, and said so: not reported as if something had killed it.
            eventually(
                lambda: log.said(f"query worker {first} replaced: it grew by", logging.INFO),
                "the replacement is logged with its reason",
            )
            assert not log.said("stopped by", logging.WARNING)
            # A worker killed from outside is still a warning.
            [second] = pool.worker_pids()
            os.kill(second, signal.SIGKILL)
            eventually(
                lambda: log.said(f"query worker {second} stopped by SIGKILL", logging.WARNING),
                "a kill from outside is logged as a warning",
            )
    finally:
        pool.close()


#: A million groups: about 170 MiB of small blocks that the query frees when it ends.
GROUPS = (
    "SELECT ?i (COUNT(*) AS ?c) WHERE {{ VALUES ?a {{ {n} }} VALUES ?b {{ {n} }} "
    "BIND(?a * 1000 + ?b AS ?i) }} GROUP BY ?i LIMIT 1"
).format(n=" ".join(str(i) for i in range(1000)))


def resident(pid: int) -> int:
    with open(f"/proc/{pid}/statm", "rb") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@pytest.mark.slow
def test_memory_a_job_only_used_for_a_while_is_given_back(dump_spec: WorkerEngine) -> None:
    # Recycling at 100 MB of growth: a worker that kept the freed groups (the C allocator
    # keeps freed blocks) would be counted as grown, and replaced for memory it does not use.
    pool = WorkerPool(dump_spec, 1, timeout=60, max_pending=2, recycle_bytes=100_000_000)
    try:
        media = ("application/sparql-results+json",)
        [worker] = pool.worker_pids()
        before = resident(worker)
        for _ in range(2):
            assert b'"c"' in pool.run(QueryJob(GROUPS, media)).body
        assert pool.worker_pids() == [worker], "the worker was not replaced"
        assert resident(worker) - before < 50_000_000
    finally:
        pool.close()


@pytest.mark.slow
def test_the_memory_limit_is_room_above_the_loaded_data(dump_spec: WorkerEngine) -> None:
    # 50 MB: far less than a worker holds once Python, rdflib and the data are loaded, so a
    # limit on the whole address space would stop the worker before its first query.
    pool = WorkerPool(dump_spec, 1, timeout=60, max_pending=2, memory_bytes=50_000_000)
    try:
        media = ("application/sparql-results+xml",)
        assert b"true" in pool.run(QueryJob(FAST, media)).body
        [worker] = pool.worker_pids()
        limit = int(
            Path(f"/proc/{worker}/limits").read_text().split("Max address space")[1].split()[0]
        )
        with open(f"/proc/{worker}/statm", "rb") as statm:
            size = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        assert size < limit <= size + 50_000_000
    finally:
        pool.close()


def test_stale_store_folders_of_dead_servers_are_removed(tmp_path: Path) -> None:
    dead = subprocess.Popen(["true"])
    dead.wait()
    stale = tmp_path / f"swapgraph-store-{dead.pid}-abc"
    mine = tmp_path / f"swapgraph-store-{os.getpid()}-abc"
    other = tmp_path / "swapgraph-store-xyz"
    for folder in (stale, mine, other):
        folder.mkdir()
        (folder / "dataset.nq").write_text("")
    assert remove_stale_stores(tmp_path) == [stale]
    assert not stale.exists()
    assert mine.exists(), "a running server's store is kept"
    assert other.exists(), "a folder not named by a pid is not ours to judge"


@pytest.mark.slow
def test_validate_runs_in_a_worker_under_the_time_limit(server: RunningServer) -> None:
    # Within every input limit (one prefix, 20,000 triples, 0.7 MB), yet 10,000 exchanges
    # that each break several shapes cost pyshacl far more than the time limit (about
    # 4 ms of CPU per exchange measured here): it must end at the limit, in a worker.
    body = "@prefix swap: <https://w3id.org/swapgraph/ontology#> .\n" + "".join(
        f'<http://example.org/e{n}> a swap:Exchange ; swap:date "2020-01-01" .\n'
        for n in range(10_000)
    )
    pool = server.app.state.service.pool
    answers: list[httpx.Response] = []

    def post() -> None:
        with client("127.0.0.7") as poster:
            answers.append(
                poster.post(
                    f"{server.url}/validate",
                    content=body,
                    headers={"Content-Type": "text/turtle"},
                )
            )

    thread = threading.Thread(target=post)
    thread.start()
    eventually(lambda: bool(pool.busy_pids("127.0.0.7")) or not thread.is_alive(), "it runs")
    [worker] = pool.busy_pids("127.0.0.7")
    assert httpx.get(server.sparql, params={"query": FAST}).status_code == 200
    thread.join()
    assert answers[0].status_code == 503
    assert "time limit" in answers[0].text
    back_to_full_size(server, {worker})


def test_a_query_worker_on_an_oxigraph_store_does_without_rdflib(tmp_path: Path) -> None:
    # Every worker holds what it imports for its whole life: rdflib (with its SPARQL plugin,
    # and httpx) took 23 MiB of each. A named query's parameters reach the worker as terms,
    # so the job is sent as the service sends it, with rdflib terms bound.
    import pickle
    import sys

    from rdflib import Literal, URIRef
    from rdflib.namespace import XSD

    job = QueryJob(
        "SELECT ?state ?limit WHERE {}",
        ("application/sparql-results+json",),
        {"state": URIRef("https://w3id.org/swapgraph/id/state/russia"), "limit": Literal(5)},
    )
    sent = tmp_path / "job.pickle"
    sent.write_bytes(pickle.dumps((WorkerEngine("empty"), job)))
    # What a child of multiprocessing's spawn imports: its bootstrap, the server's main
    # module, then what it unpickles (the worker's engine and its jobs).
    script = (
        "import sys, pickle, multiprocessing.spawn, swapgraph.cli\n"
        f"spec, job = pickle.loads(open({str(sent)!r}, 'rb').read())\n"
        "answer = job.run(spec.open())\n"
        "print(sorted(m for m in ('rdflib', 'httpx', 'pyshacl') if m in sys.modules))\n"
        "sys.stdout.buffer.write(answer.body)\n"
    )
    output = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, check=True, cwd=REPO_ROOT
    ).stdout.decode()
    imported, _, body = output.partition("\n")
    assert imported == "[]"
    assert '"value":"https://w3id.org/swapgraph/id/state/russia"' in body.replace(" ", "")
    assert f'"datatype":"{XSD.integer}"' in body.replace(" ", "")


class Pid:
    """A job that answers with the process ID of the worker running it, after ``pause`` s."""

    def __init__(self, pause: float = 0.0) -> None:
        self.pause = pause

    def run(self, engine: Engine) -> Serialized:
        time.sleep(self.pause)
        return Serialized("text/plain", str(os.getpid()).encode())


@pytest.mark.slow
def test_one_client_at_a_time_is_served_by_one_worker_and_a_crowd_by_all(
    dump_spec: WorkerEngine,
) -> None:
    # A worker's store keeps what its queries read (at 1M triples an idle worker that had
    # answered held 88 MiB, 37 before): one after another, jobs go to the worker that ran the
    # last, whose caches are warm, and the others stay as small as they started.
    pool = WorkerPool(dump_spec, 3, timeout=60, max_pending=8)
    try:
        eventually(lambda: pool.state().live == 3, "three workers are ready")
        one_by_one = {int(pool.run(Pid()).body) for _ in range(8)}
        assert len(one_by_one) == 1
        # Together, every worker takes a job.
        answers: list[int] = []
        threads = [
            threading.Thread(target=lambda: answers.append(int(pool.run(Pid(1.0)).body)))
            for _ in range(3)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(answers) == sorted(pool.worker_pids())
    finally:
        pool.close()
