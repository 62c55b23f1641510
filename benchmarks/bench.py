"""Time the named queries over HTTP on swapgraph, Oxigraph server and rdflib-endpoint.

For each size, one synthetic project (see ``generate.py``, cached under ``--cache``) is
served by each server from the same files: ``swapgraph serve``, ``oxigraph load`` then
``oxigraph serve-read-only``, and ``rdflib-endpoint serve``, all on 127.0.0.1. Every named
query of ``api/*.rq``, with its default parameters written into its text as a ``VALUES``
block (the peers know nothing of named queries), is sent as a SPARQL 1.1 Protocol POST
(``application/sparql-query``, JSON results) through one ``httpx`` client: one warm-up run,
then ``--repetitions`` timed runs. swapgraph and Oxigraph run side by side and are timed in
alternation, so that load from other processes falls on both alike; rdflib-endpoint runs on
its own afterwards, with ``--slow-repetitions`` runs, and a query past ``--timeout`` is
reported as such and its server restarted (rdflib-endpoint has no time limit of its own, and
a runaway query would keep a core busy). swapgraph's own route for the query,
``/api/queries/{name}`` with its defaults, is timed too.

Reported per size and query: the median latency of each server, the row count (the servers
must agree), swapgraph/Oxigraph and rdflib-endpoint/swapgraph; per server, the time from
launch to the first answer (loading, and for swapgraph validation unless skipped) and the
peak resident memory of its process tree (sampled every 100 ms; pages shared between
processes count once per process), with the phase it fell in and each process's share then,
and the peak of the tree's proportional set size (shared pages divided among processes).

Usage::

    python benchmarks/bench.py --sizes 100k,1M
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil
from generate import REPO_ROOT, generate_project, parse_size

from swapgraph.named_queries import NamedQuery, load_named_queries
from swapgraph.paths import Project
from swapgraph.query_text import add_values_block

SPARQL_JSON = "application/sparql-results+json"
POLL_SECONDS = 0.1
#: Timed runs every query gets on swapgraph and Oxigraph, however slow it is.
MIN_REPETITIONS = 3


# --------------------------------------------------------------------------- queries


def inline_defaults(query: NamedQuery) -> str:
    """Return the query's text with its default parameters bound by a ``VALUES`` block.

    The block opens the outermost ``WHERE`` group, as swapgraph writes it for a remote
    engine, so that the peers, which know nothing of named queries, run the same text.
    """
    return add_values_block(query.text, {name: term.n3() for name, term in query.bind({}).items()})


# --------------------------------------------------------------------------- processes


#: What the benchmark is doing now ("start", "load", a query's name), read by the monitors
#: so that each can say where its peak fell.
PHASE = ["start"]


def _pss(pid: int) -> int:
    """Proportional set size: the process's resident bytes, its shared pages divided among
    the processes that map them (0 where ``/proc/PID/smaps_rollup`` is missing)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _role(process: psutil.Process) -> str:
    """A short name for a process of a server's tree."""
    argv = process.cmdline()
    command = " ".join(argv)
    if "resource_tracker" in command:
        return "resource tracker"
    if "spawn_main" in command or "forkserver" in command:
        return "child"
    return Path(argv[0]).name if argv else "?"


class MemoryMonitor(threading.Thread):
    """Samples the resident memory of process trees and keeps the peak of their sum.

    Two sums are kept: of RSS (pages shared between processes, such as the interpreter's
    and the libraries', count once per process: the figure the report's target is set
    in) and of PSS (shared pages divided among the processes that share them: what the
    tree costs the machine). For the RSS peak it also keeps when it fell (:data:`PHASE`)
    and what each process held then.
    """

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.roots: list[psutil.Process] = []
        self.peak = 0
        self.peak_pss = 0
        self.peak_phase = ""
        self.peak_parts: list[tuple[str, int]] = []
        self._done = threading.Event()

    def watch(self, pid: int) -> None:
        self.roots.append(psutil.Process(pid))

    def run(self) -> None:
        while not self._done.wait(POLL_SECONDS):
            phase = PHASE[0]
            parts: list[tuple[str, int]] = []
            pss = 0
            for root in self.roots:
                for process in self._tree(root):
                    try:
                        parts.append((_role(process), process.memory_info().rss))
                    except psutil.Error:  # it ended between listing and reading
                        continue
                    pss += _pss(process.pid)
            total = sum(rss for _, rss in parts)
            if total > self.peak:
                self.peak, self.peak_phase, self.peak_parts = total, phase, parts
            self.peak_pss = max(self.peak_pss, pss)

    def stop(self) -> int:
        self._done.set()
        self.join()
        return self.peak

    @staticmethod
    def _tree(root: psutil.Process) -> list[psutil.Process]:
        try:
            return [root, *root.children(recursive=True)]
        except psutil.Error:  # the root has ended
            return []


@dataclass
class Server:
    """A server started for the benchmark, and what it cost to start."""

    name: str
    endpoint: str
    command: list[str]
    log: Path
    prepare_seconds: float = 0.0
    load_seconds: float = 0.0
    peak_bytes: int = 0
    peak_pss_bytes: int = 0
    #: Where the peak fell: the phase, and each process's resident bytes then.
    peak_where: str = ""
    #: A folder the server alone uses (a peer's store), removed when it finishes: a 5M
    #: Oxigraph store is 650 MB, and the logs beside it are what a reader looks at.
    scratch: Path | None = None
    process: subprocess.Popen[bytes] | None = None
    monitor: MemoryMonitor = field(default_factory=MemoryMonitor)

    def start(self, client: httpx.Client, limit: float) -> None:
        """Launch the server and wait for its first answer; the wait is its load time."""
        begun = time.perf_counter()
        with self.log.open("ab") as log:
            # A session of its own, so that stopping it reaches its worker processes too.
            self.process = subprocess.Popen(
                self.command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        if not self.monitor.is_alive():
            self.monitor.start()
        self.monitor.watch(self.process.pid)
        deadline = begun + limit
        while time.perf_counter() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(
                    f"{self.name} exited with {self.process.returncode}; see {self.log}"
                )
            try:
                status = _post(client, self.endpoint, "ASK {}", 5.0).status_code
            except httpx.TransportError:
                status = None
            if status == 200:
                self.load_seconds = self.prepare_seconds + time.perf_counter() - begun
                return
            if status is not None and 400 <= status < 500:
                self.stop()
                raise SystemExit(f"{self.name}: {self.endpoint} answers {status} to ASK {{}}")
            time.sleep(POLL_SECONDS)
        self.stop()
        raise SystemExit(f"{self.name} did not answer within {limit:.0f} s; see {self.log}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def finish(self) -> None:
        self.stop()
        self.monitor.stop()
        self.take_peak(self.monitor)
        if self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)

    def take_peak(self, monitor: MemoryMonitor) -> None:
        """Keep a monitor's peak where it is above this server's."""
        self.peak_pss_bytes = max(self.peak_pss_bytes, monitor.peak_pss)
        if monitor.peak > self.peak_bytes:
            self.peak_bytes = monitor.peak
            parts = ", ".join(f"{name} {rss / 2**20:.0f}" for name, rss in monitor.peak_parts)
            self.peak_where = f"{monitor.peak_phase}: {parts}"


def _free_port() -> int:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        return int(listener.getsockname()[1])


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise SystemExit(f"{name}: not found on PATH (pip install -e '.[bench]')")
    return path


def swapgraph_server(project: Project, work: Path, timeout: float, store: str) -> Server:
    port = _free_port()
    command = [sys.executable, "-m", "swapgraph", "serve", "--project", str(project.root)]
    command += ["--host", "127.0.0.1", "--port", str(port), "--timeout", str(int(timeout))]
    command += ["--store", store]
    # serve validates in any case (or reuses the cached report); the flag only lets it
    # serve generated data that need not conform.
    command.append("--allow-invalid")
    return Server("swapgraph", f"http://127.0.0.1:{port}/sparql", command, work / "swapgraph.log")


def oxigraph_server(project: Project, work: Path, timeout: float) -> Server:
    """Load the files into an on-disk store (timed, memory watched), then serve it."""
    store = work / "oxigraph-store"
    shutil.rmtree(store, ignore_errors=True)
    log = work / "oxigraph.log"
    monitor = MemoryMonitor()
    begun = time.perf_counter()
    files = [str(path) for path in project.data_files()]
    PHASE[0] = "oxigraph load"
    with log.open("ab") as out:
        loader = subprocess.Popen(
            [_tool("oxigraph"), "load", "--location", str(store), "--file", *files],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        monitor.watch(loader.pid)
        monitor.start()
        if loader.wait() != 0:
            raise SystemExit(f"oxigraph load failed; see {log}")
        # As Oxigraph advises for a read-only endpoint: compact the store before serving.
        PHASE[0] = "oxigraph optimize"
        optimizer = subprocess.run(
            [_tool("oxigraph"), "optimize", "--location", str(store)], stdout=out, stderr=out
        )
        if optimizer.returncode != 0:
            raise SystemExit(f"oxigraph optimize failed; see {log}")
    port = _free_port()
    command = [_tool("oxigraph"), "serve-read-only", "--location", str(store)]
    command += ["--bind", f"127.0.0.1:{port}", "--timeout-s", str(int(timeout))]
    server = Server("oxigraph", f"http://127.0.0.1:{port}/query", command, log, scratch=store)
    server.prepare_seconds = time.perf_counter() - begun
    monitor.stop()
    server.take_peak(monitor)
    PHASE[0] = "start"
    return server


def in_memory_copy(project: Project) -> Server:
    """Measure one pyoxigraph in-memory ``Store`` of the same files: the memory floor."""
    script = (
        "import resource, sys, time, pyoxigraph as ox\n"
        "begun = time.perf_counter()\n"
        "store = ox.Store()\n"
        "for path in sys.argv[1:]:\n"
        "    store.bulk_load(path=path, format=ox.RdfFormat.TURTLE)\n"
        "print(time.perf_counter() - begun, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    )
    files = [str(path) for path in project.data_files()]
    output = subprocess.run(
        [sys.executable, "-c", script, *files], capture_output=True, text=True, check=True
    ).stdout.split()
    copy = Server("pyoxigraph Store", "", [], Path(os.devnull))
    copy.load_seconds = float(output[0])
    copy.peak_bytes = int(output[1]) * 1024  # ru_maxrss is in KiB on Linux
    return copy


def rdflib_endpoint_server(project: Project, work: Path) -> Server:
    port = _free_port()
    command = [_tool("rdflib-endpoint"), "serve", "--host", "127.0.0.1", "--port", str(port)]
    command += [str(path) for path in project.data_files()]
    # rdflib-endpoint's command line serves SPARQL at the root path.
    return Server("rdflib-endpoint", f"http://127.0.0.1:{port}/", command, work / "rdflib.log")


# --------------------------------------------------------------------------- timing


@dataclass
class Timings:
    """The runs of one query on one server."""

    seconds: list[float] = field(default_factory=list)
    rows: int | None = None
    failure: str | None = None

    def median(self) -> float | None:
        return statistics.median(self.seconds) if self.seconds and not self.failure else None


def _post(client: httpx.Client, url: str, sparql: str, timeout: float) -> httpx.Response:
    return client.post(
        url,
        content=sparql.encode(),
        headers={"Content-Type": "application/sparql-query", "Accept": SPARQL_JSON},
        timeout=timeout,
    )


def _rows(response: httpx.Response) -> int:
    body = response.json()
    if isinstance(body, dict) and "results" in body:
        return len(body["results"]["bindings"])
    if isinstance(body, dict) and isinstance(body.get("rows"), list):
        return len(body["rows"])
    return len(body) if isinstance(body, list) else -1


def time_once(timings: Timings, send: Callable[[float], httpx.Response], cap: float) -> bool:
    """Run one request and add its duration; return False once the query has failed."""
    begun = time.perf_counter()
    try:
        try:
            response = send(cap)
        except httpx.RemoteProtocolError:
            # A kept-alive connection that the server closed, idle, as the request went out
            # (swapgraph keeps idle ones 75 s, longer than httpx's pool does, but the other
            # servers have their own keep-alive): the request never reached it. Browsers
            # send it again on a new connection; so do we.
            begun = time.perf_counter()
            response = send(cap)
    except httpx.TimeoutException:
        timings.failure = f"> {cap:.0f} s"
        return False
    elapsed = time.perf_counter() - begun
    if response.status_code != 200:
        first_line = response.text.strip().splitlines()[:1]
        timings.failure = f"HTTP {response.status_code} {' '.join(first_line)[:60]}"
        return False
    try:
        rows = _rows(response)
    except ValueError:  # Oxigraph server cuts a streamed answer off at its time limit
        timings.failure = "invalid JSON (cut off?)"
        return False
    timings.seconds.append(elapsed)
    timings.rows = rows
    return True


# --------------------------------------------------------------------------- one size


@dataclass
class SizeResult:
    """Everything measured at one size."""

    label: str
    triples: int
    queries: list[str]
    timings: dict[str, dict[str, Timings]]
    servers: list[Server]


def _project(size: int, seed: int, cache: Path) -> tuple[Project, int]:
    """Return the cached project for a size, generating it when its inputs changed."""
    digest = hashlib.sha256(Path(__file__).with_name("generate.py").read_bytes())
    source = Project.open(REPO_ROOT)
    for path in [
        *source.ontology_files(),
        *source.shape_files(),
        *source.graph_files(),
        *source.query_files(),
    ]:
        digest.update(path.read_bytes())
    root = cache / f"{size}-seed{seed}-{digest.hexdigest()[:12]}"
    stamp = root / "TRIPLES"
    if not stamp.is_file():
        shutil.rmtree(root, ignore_errors=True)
        print(f"generating {size} triples in {root} ...", flush=True)
        count = generate_project(root, size, seed)
        stamp.write_text(str(count))
    return Project.open(root), int(stamp.read_text())


@contextmanager
def _running(servers: list[Server], client: httpx.Client, limit: float) -> Iterator[None]:
    try:
        for server in servers:
            server.start(client, limit)
        yield
    finally:
        for server in servers:
            server.finish()


def measure_size(args: argparse.Namespace, size: int, client: httpx.Client) -> SizeResult:
    project, triples = _project(size, args.seed, args.cache)
    queries = {name: inline_defaults(q) for name, q in load_named_queries(project).items()}
    if args.only:
        queries = {name: text for name, text in queries.items() if name in args.only}
    work = Path(tempfile.mkdtemp(prefix="bench-", dir=args.cache))
    PHASE[0] = "start"
    label = _size_label(size)
    print(f"\n{label}: {triples} triples, {len(queries)} queries; logs in {work}", flush=True)
    timings: dict[str, dict[str, Timings]] = {}
    servers: list[Server] = []

    fast: list[Server] = []
    if "swapgraph" in args.servers:
        # The first start validates: no report of an earlier run is reused.
        shutil.rmtree(project.cache_dir, ignore_errors=True)
        fast.append(swapgraph_server(project, work, args.timeout, args.store))
    if "oxigraph" in args.servers:
        fast.append(oxigraph_server(project, work, args.timeout))
    with _running(fast, client, args.load_limit):
        senders: dict[str, Callable[[str, str], Callable[[float], httpx.Response]]] = {}
        for server in fast:
            senders[server.name] = _sparql_sender(client, server.endpoint)
            if server.name == "swapgraph":
                senders["swapgraph /api"] = _api_sender(client, server.endpoint)
        _time_alternating(
            senders, queries, args.repetitions, args.timeout, args.query_budget, timings
        )
    servers += fast
    if "swapgraph" in args.servers:
        # A restart on unchanged data reuses the cached validation report.
        restart = swapgraph_server(project, work, args.timeout, args.store)
        restart.name = "swapgraph restart"
        PHASE[0] = "restart"
        with _running([restart], client, args.load_limit):
            pass
        servers.append(restart)
    servers.append(in_memory_copy(project))

    # rdflib-endpoint holds the data in an rdflib graph: past 100k triples it spends the
    # whole budget on loading and timeouts, which measures nothing.
    if "rdflib-endpoint" in args.servers and size <= args.rdflib_endpoint_up_to:
        slow = rdflib_endpoint_server(project, work)
        _time_restarting(slow, client, queries, args, timings)
        servers.append(slow)
    return SizeResult(label, triples, list(queries), timings, servers)


def _sparql_sender(
    client: httpx.Client, endpoint: str
) -> Callable[[str, str], Callable[[float], httpx.Response]]:
    return lambda _name, text: lambda cap: _post(client, endpoint, text, cap)


def _api_sender(
    client: httpx.Client, endpoint: str
) -> Callable[[str, str], Callable[[float], httpx.Response]]:
    base = endpoint.removesuffix("/sparql")
    return lambda name, _text: (
        lambda cap: client.get(
            f"{base}/api/queries/{name}", headers={"Accept": SPARQL_JSON}, timeout=cap
        )
    )


def _time_alternating(
    senders: dict[str, Callable[[str, str], Callable[[float], httpx.Response]]],
    queries: dict[str, str],
    repetitions: int,
    cap: float,
    budget: float,
    timings: dict[str, dict[str, Timings]],
) -> None:
    for name, text in queries.items():
        PHASE[0] = name
        runs = {server: Timings() for server in senders}
        for server, send in senders.items():  # the warm-up run is not kept
            warm_up = Timings()
            if not time_once(warm_up, send(name, text), cap):
                runs[server].failure = warm_up.failure
        order = list(senders)
        begun = time.perf_counter()
        for repetition in range(repetitions):
            if repetition >= MIN_REPETITIONS and time.perf_counter() - begun > budget:
                break  # a slow query gets fewer runs, so that a run stays bounded
            shift = repetition % len(order)
            for server in order[shift:] + order[:shift]:
                if runs[server].failure is None:
                    time_once(runs[server], senders[server](name, text), cap)
        for server, run in runs.items():
            timings.setdefault(server, {})[name] = run
        print(f"  {name}: " + ", ".join(_cell(r) for r in runs.values()), flush=True)


def _time_restarting(
    server: Server,
    client: httpx.Client,
    queries: dict[str, str],
    args: argparse.Namespace,
    timings: dict[str, dict[str, Timings]],
) -> None:
    """Time each query on a server without a time limit; restart it after a timeout."""
    try:
        server.start(client, args.load_limit)
        for name, text in queries.items():
            run, warm_up = Timings(), Timings()
            send = _sparql_sender(client, server.endpoint)(name, text)
            if time_once(warm_up, send, args.timeout):
                for _ in range(args.slow_repetitions):
                    if not time_once(run, send, args.timeout):
                        break
            else:
                run.failure = warm_up.failure
            timings.setdefault(server.name, {})[name] = run
            print(f"  {name}: {server.name} {_cell(run)}", flush=True)
            if run.failure and run.failure.startswith(">") and name != list(queries)[-1]:
                server.stop()  # its query would run on and hold a core
                server.start(client, args.load_limit)
    finally:
        server.finish()


# --------------------------------------------------------------------------- report


def _size_label(size: int) -> str:
    for unit, scale in (("M", 1_000_000), ("k", 1_000)):
        if size % scale == 0:
            return f"{size // scale}{unit}"
    return str(size)


def _cell(timings: Timings) -> str:
    median = timings.median()
    if median is None:
        return timings.failure or "-"
    return f"{median * 1000:.1f}"


def _ratio(numerator: Timings | None, denominator: Timings | None) -> str:
    if numerator is None or denominator is None:
        return "-"
    top, bottom = numerator.median(), denominator.median()
    if bottom is None:
        return "-"
    if top is None:
        if numerator.failure and numerator.failure.startswith(">"):
            cap = float(numerator.failure.strip("> s"))
            return f"> {cap / bottom:.0f}"
        return "-"
    return f"{top / bottom:.2f}"


def print_report(results: list[SizeResult]) -> None:
    columns = [
        s
        for s in ("swapgraph", "swapgraph /api", "oxigraph", "rdflib-endpoint")
        if any(s in r.timings for r in results)
    ]
    header = ["size", "query", "rows", *(f"{c} ms" for c in columns), "sg/ox", "rdflib/sg"]
    lines = [header]
    for result in results:
        for query in result.queries:
            runs = {c: result.timings.get(c, {}).get(query) for c in columns}
            counts = {r.rows for r in runs.values() if r is not None and r.rows is not None}
            if len(counts) > 1:
                rows = "differ: " + "/".join(
                    str(r.rows) if r and r.rows is not None else "?" for r in runs.values()
                )
            else:
                rows = str(counts.pop()) if counts else "-"
            lines.append(
                [
                    result.label,
                    query,
                    rows,
                    *(_cell(r) if r else "-" for r in runs.values()),
                    _ratio(runs.get("swapgraph"), runs.get("oxigraph")),
                    _ratio(runs.get("rdflib-endpoint"), runs.get("swapgraph")),
                ]
            )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    for number, line in enumerate(lines):
        print(
            "  ".join(
                cell.rjust(w) if i > 1 else cell.ljust(w)
                for i, (cell, w) in enumerate(zip(line, widths, strict=True))
            )
        )
        if number == 0:
            print("  ".join("-" * w for w in widths))
    load = " ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"\nmachine load (1, 5, 15 min) at the end: {load}")
    print("\nserver             size  triples    ready after s  peak RSS MiB  peak PSS MiB")
    for result in results:
        for server in result.servers:
            pss = f"{server.peak_pss_bytes / 2**20:.0f}" if server.peak_pss_bytes else "-"
            print(
                f"{server.name:<17} {result.label:>5} {result.triples:>8} "
                f"{server.load_seconds:>15.1f} {server.peak_bytes / 2**20:>13.0f} {pss:>13}"
            )
    print("\nwhere each peak RSS fell (phase: process MiB, ...)")
    for result in results:
        for server in result.servers:
            if server.peak_where:
                print(f"{server.name:<17} {result.label:>5}  {server.peak_where}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100k,1M", help="comma-separated: 100k,1M,5M")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--cache", type=Path, default=Path(tempfile.gettempdir()) / "swapgraph-bench"
    )
    parser.add_argument("--servers", default="swapgraph,oxigraph,rdflib-endpoint")
    parser.add_argument(
        "--store",
        choices=("auto", "memory", "disk"),
        default="auto",
        help="swapgraph serve's --store (where its workers hold the data; auto, its "
        "default, takes disk from 16 MiB of data files: the 1M and 5M sizes)",
    )
    parser.add_argument("--only", default="", help="comma-separated query names (default: all)")
    parser.add_argument("--repetitions", type=int, default=20, help="timed runs per query")
    parser.add_argument(
        "--query-budget",
        type=float,
        default=120.0,
        help="seconds after which a query stops being repeated (after 3 runs)",
    )
    parser.add_argument("--slow-repetitions", type=int, default=3, help="for rdflib-endpoint")
    parser.add_argument(
        "--rdflib-endpoint-up-to",
        type=parse_size,
        default=parse_size("100k"),
        help="largest size rdflib-endpoint runs at (default 100k)",
    )
    parser.add_argument("--timeout", type=float, default=60.0, help="cap per query, seconds")
    parser.add_argument("--load-limit", type=float, default=1800.0, help="cap on start-up, s")
    args = parser.parse_args()
    args.servers = [s for s in args.servers.split(",") if s]
    args.only = [s for s in args.only.split(",") if s]
    args.cache.mkdir(parents=True, exist_ok=True)
    sizes = [parse_size(s) for s in args.sizes.split(",")]
    results = []
    with httpx.Client() as client:
        for size in sizes:
            results.append(measure_size(args, size, client))
    print()
    print_report(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
