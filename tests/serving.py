"""Real servers for the HTTP tests: swapgraph under uvicorn, and Oxigraph server."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from swapgraph.engine import OxigraphEngine
from swapgraph.server import Settings, create_app
from swapgraph.server.http11 import uvicorn_options
from swapgraph.server.pool import InlinePool
from swapgraph.server.service import GraphService
from swapgraph.worker import WorkerEngine

W3C_PROTOCOL = Path(__file__).resolve().parent / "data" / "w3c-sparql11-protocol"
#: The named graphs the W3C protocol manifest expects, by IRI.
W3C_GRAPHS = {
    f"http://kasei.us/2009/09/sparql/data/data{n}.rdf": W3C_PROTOCOL / f"data{n}.nt"
    for n in (1, 2, 3)
}


class RunningServer:
    """A swapgraph app served by uvicorn on 127.0.0.1 in a background thread."""

    def __init__(self, app: FastAPI, url: str) -> None:
        self.app = app
        self.url = url
        self.sparql = f"{url}/sparql"


@contextmanager
def swapgraph_server(settings: Settings) -> Iterator[RunningServer]:
    """Serve ``settings`` on a free port of 127.0.0.1 until the block ends."""
    app = create_app(settings)
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=0,
        log_level="warning",
        access_log=False,
        **uvicorn_options(settings.read_timeout, settings.keep_alive),
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 120
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError("uvicorn did not start")
        thread.join(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield RunningServer(app, f"http://127.0.0.1:{port}")
    finally:
        server.should_exit = True
        thread.join()


@contextmanager
def in_process(settings: Settings) -> Iterator[TestClient]:
    """The whole app over ``settings`` in this process: no port, no worker process.

    Queries run in the calling thread, on the engine the workers would open, so nothing
    here is under the time limit: for HTTP behaviour that is not about processes.
    """

    def inline_pool(service: GraphService, spec: WorkerEngine, workers: int) -> InlinePool:
        return InlinePool(spec.open(), service.settings.max_pending)

    original = GraphService._worker_pool
    GraphService._worker_pool = inline_pool  # type: ignore[method-assign,assignment]
    try:
        app = create_app(settings)
    finally:
        GraphService._worker_pool = original  # type: ignore[method-assign]
    with TestClient(app, base_url="http://127.0.0.1:8000") as client:
        yield client


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def oxigraph_server(files: list[Path], workdir: Path) -> Iterator[str]:
    """Load ``files`` into a store and serve it read-only with Oxigraph server.

    Yields:
        The URL of its SPARQL query endpoint.
    """
    binary = shutil.which("oxigraph")
    if binary is None:
        import pytest

        pytest.skip("the oxigraph server (PyPI package 'oxigraph') is not installed")
    store = workdir / "oxigraph-store"
    loaded = OxigraphEngine.from_files(files, store)
    loaded.store.flush()
    del loaded
    port = free_port()
    process = subprocess.Popen(
        [binary, "serve-read-only", "--location", str(store), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/query"
    deadline = time.monotonic() + 60
    try:
        while True:
            if process.poll() is not None:
                raise RuntimeError("oxigraph server stopped at start")
            if time.monotonic() > deadline:
                raise RuntimeError("oxigraph server did not answer within 60 s of its start")
            try:
                httpx.get(url, params={"query": "ASK {}"}, timeout=1)
                break
            except httpx.TransportError:
                threading.Event().wait(0.05)
        yield url
    finally:
        process.terminate()
        process.wait()


def query_workers(besides: Collection[int] = ()) -> list[int]:
    """The worker processes this test process has started and not reaped (not zombies).

    Args:
        besides: Workers to leave out: those of other servers of this process (module
            fixtures of earlier tests may still run theirs).
    """
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # pid (command) state ppid ...: the command may hold spaces, so split after it.
            fields = stat.read_text().rsplit(")", 1)[1].split()
            command = (stat.parent / "cmdline").read_bytes()
        except OSError:  # it ended meanwhile
            continue
        pid = int(stat.parent.name)
        mine = int(fields[1]) == os.getpid() and fields[0] != "Z" and b"spawn_main" in command
        if mine and pid not in besides:
            found.append(pid)
    return found


def wait_for_workers(count: int, besides: Collection[int]) -> list[int]:
    """Wait (at most a minute: a bound, not a timing) for ``count`` new query workers."""
    deadline = time.monotonic() + 60
    while len(query_workers(besides)) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    return query_workers(besides)


def ended(pid: int) -> bool:
    """Whether the process has exited: gone, or a zombie its parent has not reaped yet."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state == "Z"
