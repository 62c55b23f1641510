"""Soak test: mixed load on ``swapgraph serve`` with and without one hostile client.

Starts ``swapgraph serve`` on 127.0.0.1, then runs rounds of ``--duration`` seconds:
cheap clients only, cheap clients plus one hostile client, cheap clients only again. Each
cheap client has its own address (127.0.0.10, .11, ...) and asks the named queries of
``api/`` with their defaults, one after the other. The hostile client (127.0.0.2, several
connections) cycles through a query that crashes the engine (3,000 nested ``{``), a 4-way
cross join that runs to the time limit, and a ``/validate`` body that costs rdflib minutes
(20,000 ``@prefix`` lines). It ignores ``Retry-After`` but pauses briefly after a refusal,
so that it tests the pool rather than the HTTP stack's speed at refusing.

Prints, per round: requests by status for cheap and hostile clients, the cheap queries'
throughput, p50 and p99, and the resident memory of the server's process tree at the end
of the round. No figure is asserted; run it, read it.

    python benchmarks/soak.py --clients 4 --duration 20
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil

REPO = Path(__file__).resolve().parent.parent
CROSS_JOIN = "SELECT (COUNT(*) AS ?n) WHERE {?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l}"
CRASH = "SELECT * WHERE " + "{" * 3000 + "}" * 3000
SLOW_VALIDATE = "".join(f"@prefix p{n}: <http://example.org/{n}#> .\n" for n in range(20_000))


@dataclass
class Tally:
    """What one kind of client got in one round."""

    statuses: Counter[str] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, status: str, seconds: float) -> None:
        with self.lock:
            self.statuses[status] += 1
            if status == "200":
                self.latencies.append(seconds)


def start_server(project: Path, workers: int, timeout: float) -> tuple[subprocess.Popen[str], str]:
    binary = shutil.which("swapgraph") or sys.exit("the swapgraph command is not installed")
    command = [binary, "serve", "--project", str(project), "--port", "0", "--allow-invalid"]
    command += ["--workers", str(workers), "--timeout", str(timeout)]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert server.stdout is not None
    for line in server.stdout:
        if line.startswith("SPARQL endpoint: "):
            return server, line.split()[-1].removesuffix("/sparql")
    sys.exit(f"the server stopped at start (exit {server.wait()})")


def tree_rss(pid: int) -> int:
    root = psutil.Process(pid)
    total = 0
    for process in [root, *root.children(recursive=True)]:
        with contextlib.suppress(psutil.NoSuchProcess):  # it ended meanwhile
            total += process.memory_info().rss
    return total


def cheap_client(
    base: str, address: str, names: list[str], stop: threading.Event, tally: Tally
) -> None:
    transport = httpx.HTTPTransport(local_address=address)
    with httpx.Client(base_url=base, transport=transport, timeout=120) as http:
        n = 0
        while not stop.is_set():
            started = time.perf_counter()
            try:
                status = str(http.get(f"/api/queries/{names[n % len(names)]}").status_code)
            except httpx.HTTPError as error:
                status = type(error).__name__
            tally.add(status, time.perf_counter() - started)
            n += 1


def hostile_client(base: str, stop: threading.Event, tally: Tally) -> None:
    transport = httpx.HTTPTransport(local_address="127.0.0.2")
    turtle = {"Content-Type": "text/turtle"}
    with httpx.Client(base_url=base, transport=transport, timeout=120) as http:
        n = 0
        while not stop.is_set():
            kind = n % 3
            n += 1
            started = time.perf_counter()
            try:
                if kind == 0:
                    response = http.get("/sparql", params={"query": CRASH})
                elif kind == 1:
                    response = http.get("/sparql", params={"query": CROSS_JOIN})
                else:
                    response = http.post("/validate", content=SLOW_VALIDATE, headers=turtle)
                status = str(response.status_code)
                refused = "retry-after" in response.headers
            except httpx.HTTPError as error:
                status, refused = type(error).__name__, False
            tally.add(
                f"{('crash', 'join', 'validate')[kind]} {status}", time.perf_counter() - started
            )
            if refused:
                stop.wait(0.2)


def run_round(
    base: str, names: list[str], clients: int, hostile: int, seconds: float
) -> tuple[Tally, Tally]:
    cheap, bad = Tally(), Tally()
    stop = threading.Event()
    threads = [
        threading.Thread(target=cheap_client, args=(base, f"127.0.0.{10 + i}", names, stop, cheap))
        for i in range(clients)
    ]
    threads += [
        threading.Thread(target=hostile_client, args=(base, stop, bad)) for _ in range(hostile)
    ]
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    return cheap, bad


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--project", type=Path, default=REPO)
    parser.add_argument("--clients", type=int, default=4, help="cheap clients (default: 4)")
    parser.add_argument("--hostile", type=int, default=3, help="hostile connections (default: 3)")
    parser.add_argument("--duration", type=float, default=20, help="seconds per round")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=30)
    args = parser.parse_args()
    names = sorted(p.stem for p in (args.project / "api").glob("*.rq"))
    server, base = start_server(args.project, args.workers, args.timeout)
    rows = []
    try:
        httpx.get(f"{base}/health", timeout=120)
        for label, hostile in (("cheap only", 0), ("+ hostile", args.hostile), ("cheap only", 0)):
            cheap, bad = run_round(base, names, args.clients, hostile, args.duration)
            health = httpx.get(f"{base}/health", timeout=120).json()
            rows.append((label, cheap, bad, tree_rss(server.pid), health))
    finally:
        server.send_signal(signal.SIGTERM)
        code = server.wait(timeout=120)
    print(
        f"{args.clients} cheap clients, {args.hostile} hostile connections, "
        f"{args.duration:g} s rounds, {args.workers} workers, time limit {args.timeout:g} s"
    )
    print(
        f"{'round':<11} {'cheap/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'RSS MB':>7} "
        f"{'workers':>8}  cheap statuses | hostile statuses"
    )
    for label, cheap, bad, rss, health in rows:
        workers = health.get("workers", {})
        print(
            f"{label:<11} {cheap.statuses['200'] / args.duration:>8.1f} "
            f"{percentile(cheap.latencies, 0.5) * 1000:>8.1f} "
            f"{percentile(cheap.latencies, 0.99) * 1000:>8.1f} {rss / 1e6:>7.0f} "
            f"{workers.get('live', '?')}/{workers.get('size', '?'):<6}  "
            f"{dict(cheap.statuses)} | {dict(bad.statuses)}"
        )
    base_rate = rows[0][1].statuses["200"]
    hostile_rate = rows[1][1].statuses["200"]
    if base_rate:
        print(
            f"cheap throughput with the hostile client: {hostile_rate / base_rate:.0%} of without"
        )
    print(f"server exit code after SIGTERM: {code}")


if __name__ == "__main__":
    main()
