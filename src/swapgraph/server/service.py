"""What the HTTP API serves, without HTTP: the loaded dataset, its query pool, its vocabulary.

The routers parse requests and write responses; everything they answer comes from a
:class:`GraphService`, which tests and other front ends can use directly.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.term import Node

from swapgraph.child import Group
from swapgraph.dataset_cache import (
    StoreLease,
    cached_dump,
    cached_store,
    remove_left_by_dead,
    write_dump,
    write_store,
)
from swapgraph.engine import (
    ALL_MEDIA_TYPES,
    TERM_MEDIA_TYPES,
    QueryDataset,
    QueryResult,
    RemoteEngine,
    Serialized,
    engine_kind,
    parse_serialized,
)
from swapgraph.errors import SettingError
from swapgraph.load import ontology_graph
from swapgraph.named_queries import NamedQuery, load_named_queries
from swapgraph.paths import Project
from swapgraph.server.pool import InlinePool, WorkerPool
from swapgraph.settings import default
from swapgraph.worker import QueryJob, WorkerEngine


@dataclass(frozen=True)
class Settings:
    """How the server runs.

    Attributes:
        project: The graph project served.
        engine: ``oxigraph``, ``rdflib`` or the URL of a SPARQL endpoint holding the data.
        timeout: Seconds a query may run before it is stopped.
        cors_origins: Origins allowed to call the API from a browser; none by default.
        named_graphs: Extra files served as named graphs, by graph IRI (the project's own
            data is the default graph).
        workers: Queries that run at once (worker processes for a local engine).
        store: Where the Oxigraph workers hold the data: ``memory`` (a copy each) or
            ``disk`` (one read-only on-disk store shared by all); ``auto`` is replaced by
            one of them (:func:`auto_store`).
        allocator: The C allocator of the processes ``swapgraph serve`` starts (see
            :func:`swapgraph.memory.children_allocator`).
        max_pending: Queries that may run or wait at once; more get 503.
        max_body_bytes: Largest request body accepted (413 beyond).
        max_result_bytes: Largest serialised result sent (an error beyond, never a cut).
        worker_memory_bytes: Address space each worker process may add to what it holds
            once its data is loaded (``RLIMIT_AS``); a job that needs more fails, or its
            worker dies and is replaced. None: no limit.
        results_in_flight_bytes: Bytes of large finished results the server holds at once;
            a result that finds no room is answered 503 (retry).
        base_url: The service's public URL (``https://example.org/swapgraph``), used for
            every absolute URL it writes; without it, the address it listens on is used,
            never the client's ``Host`` header.
        read_timeout: Seconds a client has to send one whole request, headers and body;
            the connection is answered 408 and closed after.
        keep_alive: Seconds an idle connection waits for its next request before it is
            closed, without an answer since no request was made.
    """

    project: Project
    engine: str = default("engine")
    timeout: float = default("timeout")
    cors_origins: tuple[str, ...] = default("cors_origins")
    named_graphs: Mapping[str, Path] = field(default_factory=dict)
    workers: int = default("workers")
    store: str = default("store")
    allocator: str = default("allocator")
    max_pending: int = default("max_pending")
    max_body_bytes: int = default("max_body_bytes")
    max_result_bytes: int = default("max_result_bytes")
    worker_memory_bytes: int | None = default("worker_memory_bytes")
    results_in_flight_bytes: int = default("results_in_flight_bytes")
    base_url: str | None = default("base_url")
    read_timeout: float = default("read_timeout")
    keep_alive: float = default("keep_alive")

    def __post_init__(self) -> None:
        if self.store == "disk" and engine_kind(self.engine) != "oxigraph":
            raise SettingError("--store disk is for the oxigraph engine only")
        if self.store == "auto":  # frozen: the choice is made once, here
            object.__setattr__(self, "store", auto_store(self.project, self.engine))

    @property
    def loads_cached_dump(self) -> bool:
        """Whether the workers load the dataset's dump from the project's cache folder."""
        return (
            self.store == "memory"
            and not self.named_graphs
            and engine_kind(self.engine) == "oxigraph"
        )


#: Data files of at least this many bytes are served from disk under ``--store auto``.
AUTO_DISK_BYTES = 16 * 2**20


def auto_store(project: Project, engine: str) -> str:
    """What ``--store auto`` means for a project: ``disk`` for large data, else ``memory``.

    Each in-memory worker holds a copy of the data: at 1M triples (48 MB of Turtle) about
    430 MiB, and ``serve`` with two workers peaked at 1,341-1,349 MiB, 3.7 times one
    pyoxigraph ``Store`` of the files; on the on-disk store it peaked at 544-668 MiB
    (1.5-1.85 times), restarted in 1.4-1.9 s instead of 5.4-5.7 and answered the named
    queries in 0.77-1.05 times Oxigraph server's time (0.31-0.55 in memory). From 16 MiB
    of files (scaled from those two measures, not measured: about 350k triples of Turtle,
    some 150 MiB a copy) the memory is worth more than the speed; below, a copy is small
    and memory's queries are twice as fast.

    Args:
        project: The project served.
        engine: The ``--engine`` setting: only the oxigraph engine has a store to choose.
    """
    if engine_kind(engine) != "oxigraph":
        return "memory"
    size = sum(path.stat().st_size for path in project.data_files())
    return "disk" if size >= AUTO_DISK_BYTES else "memory"


class GraphService:
    """The served dataset: queries run through a pool, plus what is read once at start."""

    def __init__(
        self,
        settings: Settings,
        cached: tuple[Path, StoreLease] | None = None,
        children: Group | None = None,
    ) -> None:
        """Start the service's workers on its data.

        Args:
            settings: How it runs.
            cached: The project's cached on-disk store and a lease on it, already taken
                (:class:`Ahead`), for ``--store disk``; the service keeps the lease.
            children: Where the dump or the store is made (in child processes of this
                group, which :class:`Ahead` may stop); a group of its own if None.
        """
        self.settings = settings
        project = settings.project
        self.named_queries: dict[str, NamedQuery] = load_named_queries(project)
        self.ontology: Graph = ontology_graph(project)
        self.data_files = project.data_files()
        self._store_dir: Path | None = None
        self._store_fd: int | None = None
        self._lease: StoreLease | None = None
        self._cached = cached
        self._children = children or Group()
        self.pool: WorkerPool | InlinePool
        #: Where ``/validate`` runs: the query workers, or its own for a remote engine.
        self.validation_pool: WorkerPool
        self.engine_name = engine_kind(settings.engine)
        if self.engine_name == "remote":
            self.pool = InlinePool(
                RemoteEngine(settings.engine, settings.timeout), settings.max_pending
            )
            # Queries go to the remote endpoint, but validation is work done here: it
            # runs in a worker, under the same limits, as it does beside a local engine.
            self.validation_pool = self._worker_pool(WorkerEngine("empty"), workers=1)
        else:
            spec = self._worker_engine()
            try:
                self.pool = self.validation_pool = self._worker_pool(spec, settings.workers)
            except BaseException:
                self._remove_store()
                raise
        self._stats: dict[str, object] | None = None
        #: The dataset as an :class:`~swapgraph.engine.Engine` for code that queries it
        #: (views, exports, pages), under the same limits as every other query.
        self.engine = ServiceEngine(self)

    def _worker_pool(self, spec: WorkerEngine, workers: int) -> WorkerPool:
        settings = self.settings
        return WorkerPool(
            spec,
            workers,
            settings.timeout,
            settings.max_pending,
            memory_bytes=settings.worker_memory_bytes,
            results_in_flight=settings.results_in_flight_bytes,
        )

    def _worker_engine(self) -> WorkerEngine:
        named = tuple(self.settings.named_graphs.items())
        if self.settings.engine == "rdflib":
            return WorkerEngine("rdflib", files=tuple(self.data_files), named_graphs=named)
        remove_stale_stores()
        if self.settings.store == "disk":
            return self._disk_store(named)
        dataset = None
        if self.settings.loads_cached_dump:
            try:
                # Kept in the project's cache folder: a restart on unchanged files parses
                # nothing (at 1M triples, 8 s less before the first answer).
                dataset = cached_dump(self.settings.project, self._children)
                self._store_fd = os.open(dataset, os.O_RDONLY)
            except OSError as error:  # a read-only or full disk: a dump of our own, below
                log.warning("cannot keep the dataset in the cache folder (%s)", error)
                dataset = None
        if dataset is None:
            dataset = self._own_dump(named)
        # On Linux the open file outlives its name: workers reopen it through /proc, and
        # nothing is left on disk even if this process is killed with SIGKILL (or the cached
        # dump is replaced by a later start on changed files).
        assert self._store_fd is not None
        reopened = Path(f"/proc/{os.getpid()}/fd/{self._store_fd}")
        if reopened.exists():
            if self._store_dir is not None:
                shutil.rmtree(self._store_dir, ignore_errors=True)
                self._store_dir = None
            return WorkerEngine("oxigraph", dataset=reopened)
        return WorkerEngine("oxigraph", dataset=dataset)

    def _disk_store(self, named: tuple[tuple[str, Path], ...]) -> WorkerEngine:
        """One on-disk store for every worker: the cached one, or one of this server's."""
        if self._cached is not None:
            path, self._lease = self._cached
            return WorkerEngine("oxigraph-disk", dataset=path)
        if not named:
            try:
                # Leased for the server's life: a later build for changed files (another
                # server, `swapgraph query`) leaves it in place for this one's workers.
                path, self._lease = cached_store(self.settings.project, self._children)
                return WorkerEngine("oxigraph-disk", dataset=path)
            except OSError as error:  # a read-only or full disk: a store of our own, below
                log.warning("cannot keep the store in the cache folder (%s)", error)
        path = self._own_folder() / "store"
        try:
            write_store(self.data_files, path, dict(named), children=self._children)
        except BaseException:
            self._remove_store()
            raise
        return WorkerEngine("oxigraph-disk", dataset=path)

    def _own_folder(self) -> Path:
        """A temporary folder of this server's, removed with it (see remove_stale_stores)."""
        # The owner's pid in the name lets a later start remove the folder of a killed run.
        self._store_dir = Path(tempfile.mkdtemp(prefix=f"{_STORE_PREFIX}{os.getpid()}-"))
        return self._store_dir

    def _own_dump(self, named: tuple[tuple[str, Path], ...]) -> Path:
        """Dump the dataset (with the named graphs) to a temporary file of this server's."""
        dataset = self._own_folder() / "dataset.nq"
        try:
            # Parsed once, so that a malformed file is reported before any worker starts;
            # workers (and their replacements) load the N-Quads dump.
            write_dump(self.data_files, dataset, dict(named), children=self._children)
            self._store_fd = os.open(dataset, os.O_RDONLY)
        except BaseException:
            self._remove_store()
            raise
        return dataset

    def _remove_store(self) -> None:
        if self._store_fd is not None:
            os.close(self._store_fd)
            self._store_fd = None
        if self._store_dir is not None:
            shutil.rmtree(self._store_dir, ignore_errors=True)
            self._store_dir = None
        if self._lease is not None:
            self._lease.close()
            self._lease = None

    def graph_names(self) -> list[str]:
        """The IRIs of the named graphs served beside the default graph."""
        return list(self.settings.named_graphs)

    def run(
        self,
        sparql: str,
        accepted: tuple[str, ...] = ALL_MEDIA_TYPES,
        bindings: Mapping[str, Node] | None = None,
        dataset: QueryDataset | None = None,
        base_iri: str | None = None,
        max_bytes: int | None = None,
    ) -> Serialized:
        """Run a query under the server's limits (time, concurrency, result size).

        Blocks the calling thread; never call it from the event loop. ``base_iri``
        resolves relative IRIs in the query; ``max_bytes`` lowers the result size limit.
        """
        limit = self.settings.max_result_bytes
        job = QueryJob(
            sparql,
            accepted,
            dict(bindings or {}),
            dataset,
            min(max_bytes, limit) if max_bytes is not None else limit,
            base_iri,
        )
        return self.pool.run(job)

    def describe(self, iri: URIRef, accepted: tuple[str, ...]) -> Serialized:
        """Everything said about ``iri``: its triples and those of its blank nodes.

        A transfer or a mediation is a blank node nested in its exchange, so two levels of
        blank nodes are followed.
        """
        return self.run(_DESCRIBE, accepted, {"entity": iri})

    def close(self) -> None:
        """Stop the workers and remove the store."""
        self.pool.close()
        self.validation_pool.close()
        self._remove_store()


class Ahead:
    """The service, started in a thread while validation runs, where that is worth it.

    ``swapgraph serve`` validates in a child process; meanwhile this writes the cached dump
    and starts the workers, which load it (or builds the on-disk store the workers open),
    so that a first start takes the longer of the two rather than their sum. The dump and
    the store are made in a child process of their own (:mod:`swapgraph.child`): built in
    this thread, they left the server 80 MiB larger for its whole life. At 1M
    triples, validation takes about 11 s, the dump 5 s and each worker 3.5 s: a first start
    took 14.2 s instead of 22.5 s; with ``--store disk`` 15.8 s instead of 21.2 s.
    Workers on the on-disk store open it in milliseconds: they start after validation, so
    that their memory (60 MiB each before any query) is not added to validation's.
    Nothing answers before validation has passed: the service is only handed over by
    :meth:`take`. Only for the embedded Oxigraph engine: rdflib's workers parse every file
    themselves, and a remote engine has nothing to prepare.
    """

    def __init__(self, settings: Settings) -> None:
        """Start building the service, if the settings are worth it."""
        self._settings = settings
        self._service: GraphService | None = None
        self._store: tuple[Path, StoreLease] | None = None
        self._error: BaseException | None = None
        self._children = Group()
        self._thread: threading.Thread | None = None
        if engine_kind(settings.engine) == "oxigraph":
            self._thread = threading.Thread(target=self._build, daemon=True, name="swapgraph-ahead")
            self._thread.start()

    def _build(self) -> None:
        settings = self._settings
        try:
            if settings.store == "disk" and not settings.named_graphs:
                # On OSError (a read-only or full disk) the service says why, and builds a
                # store of its own. Leased until the service takes it over (see take):
                # hashing the files again to find it took 0.16 s at 1M triples.
                with contextlib.suppress(OSError):
                    self._store = cached_store(settings.project, self._children)
            else:
                self._service = GraphService(settings, children=self._children)
        except BaseException as error:  # handed to take(): reported after validation
            self._error = error

    def take(self) -> GraphService | None:
        """The service, once ready; None if nothing was prepared (start it now).

        With ``--store disk`` its workers start here, on the store built ahead: call it
        once validation has passed.

        Raises:
            BaseException: What starting the service raised.
        """
        if self._thread is None:
            return None
        self._thread.join()
        if self._error is not None:
            raise self._error
        if self._store is not None:
            store, self._store = self._store, None
            try:
                return GraphService(self._settings, store)
            except BaseException:
                store[1].close()
                raise
        service, self._service = self._service, None
        return service

    def discard(self) -> None:
        """Stop what was started ahead (validation failed, or a stop was asked for).

        The build or the dump under way is stopped, not awaited; workers already
        starting are awaited, then stopped.
        """
        self._children.stop()
        if self._thread is not None:
            self._thread.join()
        if self._service is not None:
            self._service.close()
            self._service = None
        if self._store is not None:
            self._store[1].close()
            self._store = None


_STORE_PREFIX = "swapgraph-store-"
_STORE_NAME = re.compile(re.escape(_STORE_PREFIX) + r"(\d+)-")
log = logging.getLogger("swapgraph.server")


def remove_stale_stores(folder: Path | None = None) -> list[Path]:
    """Remove the store folders that servers killed before their clean-up left behind.

    A folder is removed only if its name carries the id of a process that no longer exists
    and it belongs to this user: a running server's store is never touched.

    Args:
        folder: Where the stores are made (default: the temporary folder).

    Returns:
        The folders removed.
    """
    removed = remove_left_by_dead(Path(folder or tempfile.gettempdir()), _STORE_NAME)
    for path in removed:
        log.info("removed %s, left by a server that was killed", path)
    return removed


class ServiceEngine:
    """A :class:`GraphService` seen as an :class:`~swapgraph.engine.Engine`.

    Every query goes through the service's pool, so the server's time limit and concurrency
    cap hold for views, exports and pages as they do for ``/sparql``; answers are read back
    into rdflib terms. Blocks the calling thread: never call it from the event loop.
    """

    def __init__(self, service: GraphService) -> None:
        self.service = service
        self.name = service.engine_name

    def query(
        self,
        sparql: str,
        bindings: Mapping[str, Node] | None = None,
        dataset: QueryDataset | None = None,
    ) -> QueryResult:
        """Run a query and read its answer into rdflib terms (see ``Engine.query``)."""
        answer = self.service.run(sparql, TERM_MEDIA_TYPES, bindings, dataset)
        return parse_serialized(answer, "the query workers")

    def query_serialized(
        self,
        sparql: str,
        accepted: Sequence[str],
        bindings: Mapping[str, Node] | None = None,
        dataset: QueryDataset | None = None,
        max_bytes: int | None = None,
        base_iri: str | None = None,
    ) -> Serialized:
        """Run a query, its answer serialised (see ``Engine.query_serialized``)."""
        return self.service.run(sparql, tuple(accepted), bindings, dataset, base_iri, max_bytes)


_DESCRIBE = """
CONSTRUCT {
  ?entity ?p ?o . ?o ?p2 ?o2 . ?o2 ?p3 ?o3 .
} WHERE {
  ?entity ?p ?o .
  OPTIONAL {
    FILTER(isBlank(?o))
    ?o ?p2 ?o2 .
    OPTIONAL { FILTER(isBlank(?o2)) ?o2 ?p3 ?o3 . }
  }
}
"""
