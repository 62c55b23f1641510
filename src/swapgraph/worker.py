"""The query worker process: what it runs, how it opens its data, what it is allowed.

Everything here crosses a process boundary or runs in the worker, and it lives outside
:mod:`swapgraph.server` on purpose: a worker imports this module and the engine, not the web
framework (about 37 MiB less per worker, and a quicker start). A worker on an Oxigraph store
does not load rdflib either (23 MiB less): a query's parameters cross as pyoxigraph terms, and
only a worker of the rdflib engine imports it.
"""

from __future__ import annotations

import math
import resource
from collections.abc import Mapping
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import pyoxigraph

from swapgraph import memory
from swapgraph.answer import Binding, QueryDataset, Serialized
from swapgraph.child import die_with_parent, leave_stops_to_parent
from swapgraph.errors import QueryError, SwapgraphError
from swapgraph.oxigraph_engine import OxigraphEngine, to_oxigraph

if TYPE_CHECKING:
    from swapgraph.engine import Engine

#: Results over this many bytes wait for room among the results in flight.
LARGE_RESULT = 1_000_000
#: Seconds of CPU a job may use beyond its time limit before the kernel stops its worker.
_CPU_MARGIN = 5


class Job(Protocol):
    """Work for a worker process; it crosses a process boundary, so it must pickle."""

    def run(self, engine: Engine) -> Serialized:
        """Do the work with the worker's engine."""
        ...


@dataclass(frozen=True)
class QueryJob:
    """One query to run, with everything a worker needs (it crosses a process boundary)."""

    sparql: str
    accepted: tuple[str, ...]
    bindings: Mapping[str, Binding] = field(default_factory=dict)
    dataset: QueryDataset | None = None
    max_bytes: int | None = None
    base_iri: str | None = None

    def __post_init__(self) -> None:
        # As pyoxigraph terms, which the worker reads without loading rdflib.
        terms = {name: to_oxigraph(term) for name, term in self.bindings.items()}
        object.__setattr__(self, "bindings", terms)

    def run(self, engine: Engine) -> Serialized:
        """Run the query, its answer serialised."""
        return engine.query_serialized(
            self.sparql, self.accepted, self.bindings, self.dataset, self.max_bytes, self.base_iri
        )


@dataclass(frozen=True)
class WorkerEngine:
    """How a worker process opens its engine.

    Attributes:
        kind: ``oxigraph`` (an in-memory store loaded from ``dataset``), ``oxigraph-disk``
            (the on-disk store at ``dataset``, opened read-only and shared by every worker),
            ``rdflib``, or ``empty`` (no data: for jobs that bring their own).
        dataset: For Oxigraph in memory: the whole dataset as one N-Quads file, quick to
            load; on disk: the store's folder.
        files: For rdflib: the files of the default graph.
        named_graphs: For rdflib: graph IRI to file.
    """

    kind: str
    dataset: Path | None = None
    files: tuple[Path, ...] = ()
    named_graphs: tuple[tuple[str, Path], ...] = ()

    def open(self) -> Engine:
        """Open the engine (in the worker process)."""
        if self.kind == "empty":  # for jobs that need no data, such as validation
            return OxigraphEngine(pyoxigraph.Store())
        if self.kind == "oxigraph":
            assert self.dataset is not None
            # In memory: at 1M triples the named queries ran 1.7-2.9x faster over HTTP than
            # on the shared read-only on-disk store, at the price of one copy per worker.
            return OxigraphEngine.from_nquads(self.dataset)
        if self.kind == "oxigraph-disk":
            assert self.dataset is not None
            # Opened in milliseconds, and the data stays in the kernel's page cache, shared:
            # a worker holds only what its queries use (see --store in the README).
            return OxigraphEngine(pyoxigraph.Store.read_only(str(self.dataset)))
        from swapgraph.rdflib_engine import RdflibEngine  # rdflib, for its workers alone

        return RdflibEngine.from_files(self.files, dict(self.named_graphs))


@dataclass(frozen=True)
class WorkerLimits:
    """What each worker process is allowed.

    Attributes:
        cpu_seconds: CPU seconds one job may use before the kernel stops the worker.
        memory_bytes: Address space a worker may add to what it holds once its data is
            loaded (``RLIMIT_AS``); None for no limit.
    """

    cpu_seconds: float
    memory_bytes: int | None = None


# ----------------------------------------------------------------------------- the worker


def _arm_cpu_limit(seconds: float) -> None:
    # RLIMIT_CPU counts the process's whole life: the soft limit moves with each job.
    usage = resource.getrusage(resource.RUSAGE_SELF)
    soft = math.ceil(usage.ru_utime + usage.ru_stime + seconds + _CPU_MARGIN)
    hard = resource.getrlimit(resource.RLIMIT_CPU)[1]
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def worker_main(
    connection: Connection,
    lifeline: Connection,
    parent: int,
    spec: WorkerEngine,
    limits: WorkerLimits,
) -> None:
    """Open the engine, say ready, then run jobs from ``connection`` until it closes.

    Args:
        connection: This worker's end of its pipe to the pool.
        lifeline: A pipe only the parent holds open; end of file means the parent died.
        parent: The parent's process id.
        spec: How to open the engine.
        limits: What each job and the worker may use.
    """
    leave_stops_to_parent()
    die_with_parent(lifeline, parent)
    engine = spec.open()
    # Loading left its parser's buffers freed but resident: the worker's baseline (and the
    # growth that recycles it) should count the data, not those.
    memory.give_back()
    if limits.memory_bytes is not None:
        # Room for queries above the loaded data, not a fixed total: the data counts in the
        # address space, and a total that suits 1M triples starved every query at 5M.
        limit = memory.address_space_bytes() + limits.memory_bytes
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    _arm_cpu_limit(limits.cpu_seconds)
    connection.send(("ready", memory.resident_bytes()))
    while True:
        try:
            job: Job = connection.recv()
        except (EOFError, OSError):
            return
        _arm_cpu_limit(limits.cpu_seconds)
        failure: SwapgraphError | None = None
        answer: Serialized | None = None
        try:
            answer = job.run(engine)
        except SwapgraphError as error:
            failure = error
        except MemoryError:
            failure = QueryError("the query needed more memory than a worker may use")
        except Exception as error:  # never let one bad query take the worker down
            failure = QueryError(f"query failed: {error}")
        # What the query built and freed (hash tables, groups: 170 MiB for a million groups)
        # stays resident otherwise, counted as growth by the pool, which would recycle the
        # worker (a reload) for memory it no longer uses.
        memory.give_back()
        if answer is None:
            connection.send(("error", failure, memory.resident_bytes()))
        elif len(answer.body) > LARGE_RESULT:
            # Ask for room first: the server holds a bounded number of result bytes.
            connection.send(("large", answer.media_type, len(answer.body), memory.resident_bytes()))
            if connection.recv():
                connection.send_bytes(answer.body)
            del answer
            memory.give_back()  # the large result's memory, before the next job
        else:
            connection.send(("ok", answer, memory.resident_bytes()))
