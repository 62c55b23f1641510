"""Run queries in worker processes that can be stopped when a query runs too long.

Neither pyoxigraph nor rdflib can interrupt a query from another thread, so a query with
a time limit runs in a worker process: past the limit the process is killed (its CPU is
released at once) and a fresh one takes its place, while the other workers keep answering.
Workers share one on-disk Oxigraph store that they open read-only, so a replacement starts
in well under a second whatever the size of the data; rdflib workers parse the files.
A remote engine needs no process: its HTTP client has its own timeout.
"""

from __future__ import annotations

import logging
import multiprocessing
import queue
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from rdflib.term import Node

from swapgraph.engine import Engine, OxigraphEngine, QueryDataset, RdflibEngine, Serialized
from swapgraph.errors import QueryError, QueryTimeout, SwapgraphError

log = logging.getLogger("swapgraph.server")


class ServerBusy(QueryError):
    """Every query slot is taken; the client should retry later."""


@dataclass(frozen=True)
class QueryJob:
    """One query to run, with everything a worker needs (it crosses a process boundary)."""

    sparql: str
    accepted: tuple[str, ...]
    bindings: Mapping[str, Node] = field(default_factory=dict)
    dataset: QueryDataset | None = None
    max_bytes: int | None = None
    base_iri: str | None = None


@dataclass(frozen=True)
class WorkerEngine:
    """How a worker process opens its engine.

    Attributes:
        kind: ``oxigraph`` (an in-memory store loaded from ``dataset``) or ``rdflib``.
        dataset: For Oxigraph: the whole dataset as one N-Quads file, quick to load.
        files: For rdflib: the files of the default graph.
        named_graphs: For rdflib: graph IRI to file.
    """

    kind: str
    dataset: Path | None = None
    files: tuple[Path, ...] = ()
    named_graphs: tuple[tuple[str, Path], ...] = ()

    def open(self) -> Engine:
        """Open the engine (in the worker process)."""
        if self.kind == "oxigraph":
            assert self.dataset is not None
            # In memory: queries run 1.3-4x faster than on a shared read-only on-disk store,
            # at the price of one copy of the data per worker.
            return OxigraphEngine.from_nquads(self.dataset)
        return RdflibEngine.from_files(self.files, dict(self.named_graphs))


def _worker_main(connection: Connection, spec: WorkerEngine) -> None:
    engine = spec.open()
    connection.send(("ready", None))
    while True:
        try:
            job: QueryJob = connection.recv()
        except (EOFError, OSError):
            return
        try:
            answer: Any = engine.query_serialized(
                job.sparql, job.accepted, job.bindings, job.dataset, job.max_bytes, job.base_iri
            )
            connection.send(("ok", answer))
        except SwapgraphError as error:
            connection.send(("error", error))
        except Exception as error:  # never let one bad query take the worker down
            connection.send(("error", QueryError(f"query failed: {error}")))


@dataclass(eq=False)  # identity, so that workers can be kept in a set
class _Worker:
    process: BaseProcess
    connection: Connection


class WorkerPool:
    """A fixed number of worker processes, with a time limit and a cap on waiting queries.

    Args:
        spec: How each worker opens its engine.
        workers: How many queries run at once.
        timeout: Seconds a query may take, waiting for a worker included.
        max_pending: How many queries may run or wait at once; beyond it, :class:`ServerBusy`.
    """

    def __init__(self, spec: WorkerEngine, workers: int, timeout: float, max_pending: int) -> None:
        self.spec = spec
        self.timeout = timeout
        self.size = workers
        self._context = multiprocessing.get_context("spawn")
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._slots = threading.BoundedSemaphore(max(max_pending, workers))
        self._closed = False
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        starters = [threading.Thread(target=self._start_worker) for _ in range(workers)]
        for starter in starters:
            starter.start()
        for starter in starters:
            starter.join()
        if len(self._all) < workers:
            self.close()
            raise QueryError("the query workers could not open the dataset; see the log")

    def _start_worker(self) -> None:
        parent, child = self._context.Pipe()
        process = self._context.Process(
            target=_worker_main, args=(child, self.spec), daemon=True, name="swapgraph-query"
        )
        process.start()
        child.close()
        try:
            parent.recv()  # "ready": the engine is open
        except (EOFError, OSError):
            process.join()
            parent.close()
            log.error("a query worker could not open the dataset (exit code %s)", process.exitcode)
            return
        worker = _Worker(process, parent)
        with self._lock:
            if self._closed:
                process.kill()
                return
            self._all.add(worker)
        self._idle.put(worker)

    def _retire(self, worker: _Worker) -> None:
        worker.process.kill()
        worker.process.join()
        worker.connection.close()
        with self._lock:
            self._all.discard(worker)
        if not self._closed:
            threading.Thread(target=self._start_worker, daemon=True).start()

    def worker_pids(self) -> list[int]:
        """The process ids of the live workers."""
        with self._lock:
            return sorted(w.process.pid for w in self._all if w.process.pid is not None)

    def run(self, job: QueryJob) -> Serialized:
        """Run a job on a free worker, blocking the calling thread until it is done.

        Raises:
            ServerBusy: If ``max_pending`` queries are already running or waiting.
            QueryTimeout: If the query (with its wait for a worker) passes the time limit.
            QueryError: If the query fails; the engine's own subclasses pass through.
        """
        if not self._slots.acquire(blocking=False):
            raise ServerBusy("too many queries at once; retry shortly")
        deadline = time.monotonic() + self.timeout
        try:
            try:
                worker = self._idle.get(timeout=self.timeout)
            except queue.Empty:
                raise self._timed_out() from None
            worker.connection.send(job)
            if not worker.connection.poll(max(deadline - time.monotonic(), 0)):
                self._retire(worker)
                raise self._timed_out()
            try:
                status, answer = worker.connection.recv()
            except (EOFError, OSError):
                self._retire(worker)
                raise QueryError("the query's worker process stopped unexpectedly") from None
            self._idle.put(worker)
        finally:
            self._slots.release()
        if status == "error":
            raise answer
        result: Serialized = answer
        return result

    def _timed_out(self) -> QueryTimeout:
        return QueryTimeout(
            f"the query ran past this endpoint's time limit of {self.timeout:g} s and was stopped"
        )

    def close(self) -> None:
        """Stop every worker."""
        with self._lock:
            self._closed = True
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            worker.process.kill()
            worker.process.join()
            worker.connection.close()


class InlinePool:
    """Runs jobs in the calling thread, for engines with their own timeout (remote ones).

    Args:
        engine: The engine.
        max_pending: How many queries may run at once; beyond it, :class:`ServerBusy`.
    """

    def __init__(self, engine: Engine, max_pending: int) -> None:
        self.engine = engine
        self._slots = threading.BoundedSemaphore(max_pending)

    def run(self, job: QueryJob) -> Serialized:
        """Run a job (see :meth:`WorkerPool.run`)."""
        if not self._slots.acquire(blocking=False):
            raise ServerBusy("too many queries at once; retry shortly")
        try:
            return self.engine.query_serialized(
                job.sparql, job.accepted, job.bindings, job.dataset, job.max_bytes, job.base_iri
            )
        finally:
            self._slots.release()

    def worker_pids(self) -> list[int]:
        """No worker processes."""
        return []

    def close(self) -> None:
        """Nothing to stop."""
