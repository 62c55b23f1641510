"""Run queries in supervised worker processes that can be stopped, replaced and shared fairly.

Neither pyoxigraph nor rdflib can interrupt a query from another thread, so a query with
a time limit runs in a worker process: past the limit the process is killed (its CPU is
released at once) and a fresh one takes its place, while the other workers keep answering.
Workers load the dataset from one N-Quads dump, so a replacement starts in well under a
second whatever the engine; rdflib workers parse the files. A remote engine needs no
process: its HTTP client has its own timeout.

What the pool guarantees, and how:

- Every worker death is noticed at once: one supervisor thread waits on the sentinels of
  all workers, reaps a dead one and starts its replacement (with a back-off if starting
  fails). A request whose worker died is answered :class:`WorkerLost` (503, retry).
- Workers die with the server: ``PR_SET_PDEATHSIG`` on Linux, and a watchdog thread on a
  pipe that only the server holds open. Each job runs under ``RLIMIT_CPU`` (its time limit
  plus a margin) and every worker under ``RLIMIT_AS``, a backstop if the server cannot kill
  it. Processes are started by the supervisor thread, which lives as long as the pool: the
  death signal follows the thread that forked, not the process.
- Waiting for a worker is not query time: the time limit starts when a worker takes the
  job; the wait has its own limit and ends in :class:`ServerBusy`, never in a time-out.
- Fair sharing, by client address: while other clients have been seen within
  :data:`_RECENT` seconds, one client may hold at most all workers but one, and may have at
  most half the queue; waiting jobs are served first come, first served among the clients
  under their share. A client alone may use every worker and the whole queue (so that one
  person's page of parallel requests is not refused). A client whose query cost its worker
  (crashed it, or ran past the time limit) is turned away for a doubling cool-down, and
  waits until the pool is whole again, while others are around. A job running past five
  seconds has its worker's priority lowered, so that it shares the CPU with quick ones on
  poorer terms.
- Bytes of finished results held by the server are bounded: a result over
  :data:`LARGE_RESULT` bytes is sent only once the server has reserved room for it, and
  the room is given back when the request ends (see :class:`PoolScope`). A worker that grew
  past its starting size by more than ``recycle_bytes`` is replaced after its job.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import math
import multiprocessing
import os
import signal
import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any

from starlette.types import Message, Receive, Scope, Send

from swapgraph.engine import Engine, Serialized
from swapgraph.errors import QueryError, QueryTimeout
from swapgraph.server.errors import ServerBusy, WorkerLost
from swapgraph.server.requests import HttpMiddleware
from swapgraph.settings import default
from swapgraph.worker import Job, WorkerEngine, WorkerLimits, worker_main

log = logging.getLogger("swapgraph.server")

#: Seconds a job may wait for a worker, at least.
_MIN_WAIT = 30.0
#: Seconds during which a client counts as present for fair sharing.
_RECENT = 10.0
#: Bytes of a response body written at a time.
_CHUNK = 256 * 1024
#: Seconds after which a running job's worker runs at a lower priority.
_DEMOTE_AFTER = 5.0
#: Longest pause, in seconds, between attempts to start a worker after failed starts.
_MAX_BACKOFF = 30.0


# ----------------------------------------------------------------------------- the server side


@dataclass(eq=False)  # identity, so that workers can be kept in sets
class _Worker:
    process: BaseProcess
    connection: Connection
    baseline: int = 0  # resident bytes once ready
    ready: bool = False
    retired: str | None = None  # why the pool stopped it, if it did


@dataclass
class RequestScope:
    """What the pool keeps about one HTTP request: who sent it, what it holds.

    Attributes:
        client: The client's address (the key for fair sharing).
        releases: Called when the request ends, to give back what it held.
    """

    client: str
    releases: list[Callable[[], None]] = field(default_factory=list)


_request: contextvars.ContextVar[RequestScope | None] = contextvars.ContextVar(
    "swapgraph_request", default=None
)


class PoolScope(HttpMiddleware):
    """ASGI middleware: names the client of each request and frees what it held at its end.

    A large body is sent in chunks, so the request ends once the client has read all but
    the last chunk, and the room reserved for a large result is kept while the result is
    still held in memory.
    """

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the request with its :class:`RequestScope`."""
        client = scope.get("client")
        held = RequestScope(client[0] if client else "-")
        token = _request.set(held)

        async def send_in_chunks(message: Message) -> None:
            # The server writes a body to its socket buffer at once and waits only before
            # the next write: in chunks, the request ends when the client has read it.
            body = message.get("body", b"")
            if message["type"] != "http.response.body" or len(body) <= _CHUNK:
                await send(message)
                return
            more = message.get("more_body", False)
            for start in range(0, len(body), _CHUNK):
                end = start + _CHUNK
                await send(
                    {
                        "type": "http.response.body",
                        "body": body[start:end],
                        "more_body": more or end < len(body),
                    }
                )

        try:
            await self.app(scope, receive, send_in_chunks)
        finally:
            _request.reset(token)
            for release in held.releases:
                release()


@dataclass(frozen=True)
class PoolState:
    """A snapshot of the pool for ``/health``.

    Attributes:
        size: Workers the pool keeps.
        live: Workers ready to work or working.
        starting: Workers being started.
        busy: Jobs running.
        waiting: Jobs waiting for a worker.
    """

    size: int
    live: int
    starting: int
    busy: int
    waiting: int


@dataclass(eq=False)
class _Ticket:
    client: str


class WorkerPool:
    """A fixed number of supervised worker processes, shared fairly among clients.

    Args:
        spec: How each worker opens its engine.
        workers: How many jobs run at once.
        timeout: Seconds a job may run once a worker has it.
        max_pending: How many jobs may run or wait at once; beyond it, :class:`ServerBusy`.
        memory_bytes: Address space of each worker; None for no limit.
        results_in_flight: Bytes of large finished results the server may hold at once.
        recycle_bytes: A worker that grew by more than this is replaced after its job.
    """

    def __init__(
        self,
        spec: WorkerEngine,
        workers: int,
        timeout: float,
        max_pending: int,
        memory_bytes: int | None = None,
        results_in_flight: int = default("results_in_flight_bytes"),
        recycle_bytes: int = 256_000_000,
    ) -> None:
        self.spec = spec
        self.timeout = timeout
        #: Seconds a job may wait for a worker: at least long enough for a replacement
        #: to start on a busy machine, whatever the time limit.
        self.wait = max(timeout, _MIN_WAIT)
        self.size = workers
        self._limits = WorkerLimits(timeout, memory_bytes)
        self._max_pending = max(max_pending, workers)
        self._results_in_flight = results_in_flight
        self._recycle_bytes = recycle_bytes
        self._context = multiprocessing.get_context("spawn")
        # Only this process holds the writing end; workers see end of file when it dies.
        self._lifeline, self._lifeline_end = self._context.Pipe(duplex=False)
        self._wake_read, self._wake_write = os.pipe()
        self._cond = threading.Condition()
        self._closed = False  # no new job: shutting down
        self._closing = threading.Lock()
        self._closed_fully = False
        self._live: set[_Worker] = set()  # started, not yet reaped
        self._idle: list[_Worker] = []
        self._waiting: deque[_Ticket] = deque()
        self._running: Counter[str] = Counter()
        self._busy: dict[_Worker, str] = {}  # worker: client whose job it runs
        self._queued: Counter[str] = Counter()  # running or waiting, by client
        self._seen: dict[str, float] = {}
        self._cooldown: dict[str, tuple[int, float]] = {}  # client: (strikes, until)
        self._held_bytes = 0
        self._start_failures = 0  # in a row, for the back-off
        self._failed_to_start = False
        self._supervisor = threading.Thread(
            target=self._supervise, daemon=True, name="swapgraph-pool"
        )
        self._supervisor.start()
        try:
            with self._cond:
                while len(self._ready()) < workers and not self._failed_to_start:
                    self._cond.wait()
                failed = self._failed_to_start
        except BaseException:  # interrupted (SIGTERM during start-up): leave nothing behind
            self.close()
            raise
        if failed:
            self.close()
            raise QueryError("the query workers could not open the dataset; see the log")

    # ------------------------------------------------------------------ supervision

    def _ready(self) -> list[_Worker]:
        return [w for w in self._live if w.ready]

    def _wake(self) -> None:
        with contextlib.suppress(OSError):
            os.write(self._wake_write, b".")

    def _spawn(self) -> None:
        parent, child = self._context.Pipe()
        process = self._context.Process(
            target=worker_main,
            args=(child, self._lifeline, os.getpid(), self.spec, self._limits),
            daemon=True,
            name="swapgraph-query",
        )
        process.start()
        child.close()
        with self._cond:
            self._live.add(_Worker(process, parent))

    def _supervise(self) -> None:
        """Start workers, notice every death at once, reap and replace."""
        retry_at = 0.0
        while True:
            with self._cond:
                if self._closed:
                    return
                missing = self.size - len(self._live)
                workers = list(self._live)
            now = time.monotonic()
            if missing > 0 and now >= retry_at:
                try:
                    for _ in range(missing):
                        self._spawn()
                except Exception as error:  # out of processes or files: try again later
                    log.error("could not start a query worker: %s", error)
                    retry_at = now + 5
                    with self._cond:
                        self._failed_to_start = True
                        self._cond.notify_all()
                with self._cond:
                    workers = list(self._live)
            watched: dict[Any, _Worker] = {w.process.sentinel: w for w in workers}
            watched.update({w.connection: w for w in workers if not w.ready})
            delay = None if missing <= 0 or now >= retry_at else retry_at - now
            fired = wait([self._wake_read, *watched], timeout=delay)
            for handle in fired:
                if handle == self._wake_read:
                    os.read(self._wake_read, 4096)
                    continue
                worker = watched[handle]
                if handle is worker.connection:
                    if self._mark_ready(worker):
                        self._start_failures = 0
                    continue
                if not worker.ready:
                    self._start_failures += 1
                    with self._cond:
                        self._failed_to_start = True
                    backoff = min(_MAX_BACKOFF, 0.5 * 2**self._start_failures)
                    retry_at = time.monotonic() + backoff
                    log.error(
                        "a query worker could not open the dataset (exit code %s); "
                        "next attempt in %.0f s",
                        worker.process.exitcode if worker.process.exitcode is not None else "?",
                        backoff,
                    )
                self._reap(worker)

    def _mark_ready(self, worker: _Worker) -> bool:
        try:
            status, baseline = worker.connection.recv()
        except (EOFError, OSError):
            return False  # it died: its sentinel says so next
        with self._cond:
            worker.ready = status == "ready"
            worker.baseline = baseline
            if worker in self._live:
                self._idle.append(worker)
            self._cond.notify_all()
        return True

    def _reap(self, worker: _Worker) -> None:
        worker.process.join(5)
        code = worker.process.exitcode
        with self._cond:
            was_live = worker in self._live
            self._live.discard(worker)
            if worker in self._idle:
                self._idle.remove(worker)
            self._cond.notify_all()
        worker.connection.close()
        if not was_live or self._closed:
            return
        # A worker the pool stopped itself is routine; one stopped by anything else (the
        # kernel's OOM killer, an operator, a crash) is worth an operator's look.
        if worker.retired is not None:
            log.info("query worker %s replaced: %s", worker.process.pid, worker.retired)
        elif worker.ready and code is not None and code < 0:
            name = signal.Signals(-code).name if -code in signal.valid_signals() else code
            log.warning("query worker %s stopped by %s; replacing it", worker.process.pid, name)

    def _retire(self, worker: _Worker, why: str | None) -> None:
        """Kill a worker; the supervisor starts its replacement.

        Args:
            worker: The worker.
            why: Why the pool stops it, for the log; None when it seems to have died
                already, so that the log says what stopped it.
        """
        worker.retired = why
        with contextlib.suppress(OSError, ValueError):  # already gone
            worker.process.kill()
            # Reaped here too, so that no zombie outlives the answer to its request.
            worker.process.join(2)

    # ------------------------------------------------------------------ sharing

    def _others(self, client: str, now: float) -> bool:
        """Whether clients other than ``client`` are waiting or were seen lately."""
        return any(
            c != client and (self._queued[c] > 0 or now - seen < _RECENT)
            for c, seen in self._seen.items()
        )

    def _share(self, client: str, now: float) -> int:
        """How many workers ``client`` may hold now, while others are around.

        All but one; none while its cool-down runs or a worker it cost is being replaced
        (else its next job takes the worker that others are left with).
        """
        if not self._others(client, now):
            return self.size
        strikes, until = self._cooldown.get(client, (0, 0.0))
        if strikes and (until > now or len(self._ready()) < self.size):
            return 0
        return max(1, self.size - 1)

    def _next(self, now: float) -> _Ticket | None:
        for ticket in self._waiting:
            if self._running[ticket.client] < self._share(ticket.client, now):
                return ticket
        return None

    def _acquire(self, client: str) -> _Worker:
        with self._cond:
            now = time.monotonic()
            if self._closed:
                raise ServerBusy("the server is shutting down")
            strikes, until = self._cooldown.get(client, (0, 0.0))
            if strikes and until > now and self._others(client, now):  # alone, it harms no one
                raise ServerBusy(
                    "a query from your address cost its worker (it crashed it or ran past the "
                    f"time limit); retry in {math.ceil(until - now)} s",
                    math.ceil(until - now),
                )
            if sum(self._queued.values()) >= self._max_pending:
                raise ServerBusy("too many queries at once; retry shortly")
            if self._queued[client] >= max(1, self._max_pending // 2) and self._others(client, now):
                raise ServerBusy("too many queries from your address at once; retry shortly")
            if not self._live and self._start_failures:  # none, and none will start soon
                raise ServerBusy("no query worker is running; retry shortly", 5)
            self._seen[client] = now
            if len(self._seen) > 4 * self._max_pending:  # forget clients long gone
                self._seen = {c: t for c, t in self._seen.items() if now - t < _RECENT}
            ticket = _Ticket(client)
            self._waiting.append(ticket)
            self._queued[client] += 1
            deadline = now + self.wait
            try:
                while True:
                    if self._closed:
                        raise ServerBusy("the server is shutting down")
                    if self._idle and self._next(now) is ticket:
                        self._waiting.remove(ticket)
                        self._running[client] += 1
                        # The last to finish: its store's caches are warm, and while one
                        # job follows another the others stay as small as they started
                        # (at 1M triples an idle worker that had answered held 88 MiB, 37
                        # before). A worker that dies idle is replaced at once all the same
                        # (the supervisor waits on every worker); one frozen idle costs the
                        # first job it is given the time limit, whenever that comes.
                        worker = self._idle.pop()
                        self._busy[worker] = client
                        return worker
                    if now >= deadline:
                        raise ServerBusy(
                            f"no query worker became free within {self.wait:g} s; retry shortly"
                        )
                    self._cond.wait(min(deadline - now, _RECENT))
                    now = time.monotonic()
            except BaseException:
                self._waiting.remove(ticket)
                self._queued[client] -= 1
                self._cond.notify_all()
                raise

    def _release(self, client: str, worker: _Worker, keep: bool) -> None:
        with self._cond:
            self._busy.pop(worker, None)
            self._running[client] -= 1
            self._queued[client] -= 1
            if self._queued[client] <= 0:
                del self._queued[client]
                del self._running[client]
            if keep and worker in self._live and not self._closed:
                self._idle.append(worker)
            self._cond.notify_all()

    def _strike(self, client: str) -> None:
        with self._cond:
            strikes, _ = self._cooldown.get(client, (0, 0.0))
            self._cooldown[client] = (strikes + 1, time.monotonic() + min(60, 2**strikes))

    def _forgive(self, client: str) -> None:
        if client in self._cooldown:
            with self._cond:
                self._cooldown.pop(client, None)

    def _reserve(self, size: int, scope: RequestScope | None) -> bool:
        if scope is None:  # not an HTTP request: nothing holds the result after it
            return True
        with self._cond:
            if self._held_bytes + size > self._results_in_flight:
                return False
            self._held_bytes += size

        def give_back() -> None:
            with self._cond:
                self._held_bytes -= size

        scope.releases.append(give_back)
        return True

    # ------------------------------------------------------------------ running

    def worker_pids(self) -> list[int]:
        """The process ids of the live workers."""
        with self._cond:
            return sorted(w.process.pid for w in self._live if w.process.pid is not None)

    def busy_pids(self, client: str | None = None) -> list[int]:
        """The process ids of the workers running a job (of ``client``, if given)."""
        with self._cond:
            return sorted(
                w.process.pid
                for w, c in self._busy.items()
                if w.process.pid is not None and client in (None, c)
            )

    def state(self) -> PoolState:
        """How many workers are alive, starting and busy, and how many jobs wait."""
        with self._cond:
            ready = len(self._ready())
            return PoolState(
                size=self.size,
                live=ready,
                starting=len(self._live) - ready,
                busy=sum(self._running.values()),
                waiting=len(self._waiting),
            )

    def run(self, job: Job) -> Serialized:
        """Run a job on a free worker, blocking the calling thread until it is done.

        Raises:
            ServerBusy: If no worker can take the job now (queue full, the client's share
                used, no worker free within the time limit, the worker died).
            QueryTimeout: If the job itself runs past the time limit.
            QueryError: If the job fails; the engine's own subclasses pass through.
        """
        scope = _request.get()
        client = scope.client if scope is not None else "-"
        for _ in range(3):  # a worker found dead before it had the job: try another
            worker = self._acquire(client)
            try:
                worker.connection.send(job)
            except (OSError, ValueError):
                self._retire(worker, None)
                self._release(client, worker, keep=False)
                continue
            keep = False
            try:
                status, answer, keep = self._await(worker, client, scope)
            finally:
                self._release(client, worker, keep)
            if status == "error":
                raise answer
            result: Serialized = answer
            self._forgive(client)
            return result
        raise WorkerLost("the query workers are being replaced; retry shortly")

    def _await(
        self, worker: _Worker, client: str, scope: RequestScope | None
    ) -> tuple[str, Any, bool]:
        """Wait for the worker's answer; return it and whether the worker can be kept."""
        try:
            return self._answer(worker, client, scope)
        except (EOFError, OSError, ValueError):
            self._retire(worker, None)
            if self._closed:
                raise ServerBusy("the server is shutting down; retry shortly", 5) from None
            if scope is not None:  # an HTTP client: it waits before its next query
                self._strike(client)
            raise WorkerLost(
                "the query's worker process stopped before it answered; it is being "
                "replaced (if this query stopped it, a retry will too)"
            ) from None

    def _answer(
        self, worker: _Worker, client: str, scope: RequestScope | None
    ) -> tuple[str, Any, bool]:
        started = time.monotonic()
        deadline = started + self.timeout
        demoted = False
        ready: list[Any] = []
        while not ready:
            now = time.monotonic()
            if now >= deadline:
                self._retire(worker, f"its job ran past the time limit of {self.timeout:g} s")
                if scope is not None:
                    self._strike(client)
                raise QueryTimeout(
                    f"the query ran past this endpoint's time limit of {self.timeout:g} s "
                    "and was stopped"
                )
            pause = deadline - now
            if not demoted:
                pause = min(pause, max(started + _DEMOTE_AFTER - now, 0))
            ready = wait([worker.connection, worker.process.sentinel], pause)
            if not ready and not demoted and time.monotonic() >= started + _DEMOTE_AFTER:
                demoted = self._demote(worker)
        message = worker.connection.recv()
        if message[0] == "large":
            _, media_type, size, resident = message
            room = self._reserve(size, scope)
            worker.connection.send(room)
            if not room:
                busy = ServerBusy("too many large results are being sent; retry shortly")
                return "error", busy, True
            body = self._receive(worker, deadline)
            message = ("ok", Serialized(media_type, body), resident)
        status, answer, resident = message
        # A worker that ran long at a lower priority (which cannot be raised back) or grew
        # (memory freed by a job is seldom given back) is replaced; after a job that
        # long, a new worker costs little.
        grown = resident - worker.baseline
        why = None
        if demoted:
            why = "its job ran long, at a lower priority that cannot be raised"
        elif grown > self._recycle_bytes:
            why = f"it grew by {grown / 1e6:.0f} MB in its job"
        if why is not None:
            self._retire(worker, why)
        return status, answer, why is None

    def _receive(self, worker: _Worker, deadline: float) -> bytes:
        if not wait([worker.connection, worker.process.sentinel], deadline - time.monotonic()):
            self._retire(worker, "its result was not sent within the time limit")
            raise QueryTimeout("the query's result was not sent within the time limit")
        return worker.connection.recv_bytes()

    def _demote(self, worker: _Worker) -> bool:
        pid = worker.process.pid
        if pid is None:
            return False
        try:
            os.setpriority(os.PRIO_PROCESS, pid, 10)
        except OSError:
            return False
        return True

    def close(self) -> None:
        """Stop every worker and the supervisor; every job waiting or running gets 503.

        Safe to call twice and from several threads: the server calls it when the grace
        period after SIGTERM ends, and again as the application shuts down.
        """
        with self._closing:
            if self._closed_fully:
                return
            with self._cond:
                self._closed = True
                self._cond.notify_all()
            self._wake()
            if self._supervisor is not threading.current_thread():
                self._supervisor.join()
            with self._cond:
                workers = list(self._live)
                self._live.clear()
                self._idle.clear()
            for worker in workers:  # a running job's thread sees its worker end
                self._retire(worker, "the server is stopping")
            self._lifeline_end.close()
            os.close(self._wake_read)
            os.close(self._wake_write)
            self._closed_fully = True


class InlinePool:
    """Runs jobs in the calling thread, for engines with their own timeout (remote ones).

    Args:
        engine: The engine.
        max_pending: How many queries may run at once; beyond it, :class:`ServerBusy`.
    """

    size = 0

    def __init__(self, engine: Engine, max_pending: int) -> None:
        self.engine = engine
        self._slots = threading.BoundedSemaphore(max_pending)

    def run(self, job: Job) -> Serialized:
        """Run a job (see :meth:`WorkerPool.run`)."""
        if not self._slots.acquire(blocking=False):
            raise ServerBusy("too many queries at once; retry shortly")
        try:
            return job.run(self.engine)
        finally:
            self._slots.release()

    def worker_pids(self) -> list[int]:
        """No worker processes."""
        return []

    def state(self) -> PoolState:
        """No workers: the remote endpoint is the pool."""
        return PoolState(size=0, live=0, starting=0, busy=0, waiting=0)

    def close(self) -> None:
        """Nothing to stop."""
