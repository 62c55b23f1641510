"""What the HTTP API serves, without HTTP: the loaded dataset, its query pool, its vocabulary.

The routers parse requests and write responses; everything they answer comes from a
:class:`GraphService`, which tests and other front ends can use directly.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from rdflib import Graph, URIRef

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
    Binding,
    QueryDataset,
    QueryResult,
    RemoteEngine,
    Serialized,
    parse_serialized,
)
from swapgraph.load import ontology_graph
from swapgraph.named_queries import NamedQuery, load_named_queries
from swapgraph.server.pool import InlinePool, WorkerPool
from swapgraph.settings import Settings, engine_kind
from swapgraph.worker import QueryJob, WorkerEngine


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
        bindings: Mapping[str, Binding] | None = None,
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
        bindings: Mapping[str, Binding] | None = None,
        dataset: QueryDataset | None = None,
    ) -> QueryResult:
        """Run a query and read its answer into rdflib terms (see ``Engine.query``)."""
        answer = self.service.run(sparql, TERM_MEDIA_TYPES, bindings, dataset)
        return parse_serialized(answer, "the query workers")

    def query_serialized(
        self,
        sparql: str,
        accepted: Sequence[str],
        bindings: Mapping[str, Binding] | None = None,
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
