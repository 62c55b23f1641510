"""Time every named query on the embedded engine (pyoxigraph, in memory) over a project.

The project's data (ontology and graph) is loaded once into an in-memory pyoxigraph store;
the named queries come from ``--queries`` (by default this repository's ``api/``, so that a
query being worked on is timed on generated data without regenerating it). Each query runs
with its default parameters, bound by the engine as the HTTP API binds them, and its answer
is written as SPARQL JSON results, as the API serves it. After one untimed warm-up run, each
query is run ``--repetitions`` times, or fewer once it has taken ``--budget`` seconds; the
medians of wall-clock and CPU time are printed with the number of rows.

Usage::

    python benchmarks/generate.py --triples 1M --out /tmp/swapgraph-bench/1M
    python benchmarks/named_query_times.py /tmp/swapgraph-bench/1M [--only returned-running-total]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

from swapgraph.engine import OxigraphEngine
from swapgraph.named_queries import load_named_queries
from swapgraph.paths import Project

REPO_ROOT = Path(__file__).resolve().parent.parent
JSON_RESULTS = "application/sparql-results+json"


def main() -> int:
    """Load the project, time the queries, print one line per query."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("project", type=Path, help="a graph project (e.g. generated data)")
    parser.add_argument(
        "--queries", type=Path, default=REPO_ROOT, help="project whose api/ holds the queries"
    )
    parser.add_argument("--only", default="", help="comma-separated query names (default: all)")
    parser.add_argument("--repetitions", type=int, default=5, help="timed runs per query")
    parser.add_argument("--budget", type=float, default=30.0, help="seconds per query at most")
    args = parser.parse_args()

    started = time.perf_counter()
    engine = OxigraphEngine.from_project(Project.open(args.project))
    triples = len(engine.store)
    print(f"{args.project}: {triples} triples loaded in {time.perf_counter() - started:.1f} s")
    queries = load_named_queries(Project.open(args.queries))
    only = {name for name in args.only.split(",") if name}
    unknown = only - set(queries)
    if unknown:
        parser.error(f"no named query {', '.join(sorted(unknown))}")
    print(f"{'query':<24} {'rows':>6} {'median s':>9} {'CPU s':>7} {'runs':>4}")
    for name, query in queries.items():
        if only and name not in only:
            continue
        bindings = query.bind({}, engine)
        answer = engine.query_serialized(query.text, [JSON_RESULTS], bindings)  # warm-up
        rows = len(json.loads(answer.body)["results"]["bindings"])
        walls: list[float] = []
        cpus: list[float] = []
        while len(walls) < args.repetitions and sum(walls) < args.budget:
            wall, cpu = time.perf_counter(), time.process_time()
            engine.query_serialized(query.text, [JSON_RESULTS], bindings)
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
        print(
            f"{name:<24} {rows:>6} {statistics.median(walls):>9.3f} "
            f"{statistics.median(cpus):>7.3f} {len(walls):>4}"
        )
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"load average (1, 5, 15 min): {load}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
