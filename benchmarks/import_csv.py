"""Time ``swapgraph import-csv`` on a valid CSV of generated rows.

The rows name the repository's real states (by ISO code, English name or Wikidata id), its
places and mediators, with counts that add up, so that every row is imported: the whole
import runs, validation and writing included. The import goes into a temporary copy of the
project (``ontology/``, ``shapes/``, ``graph/``), never into the repository.

Issue 10 measured 31 s for 2,000 rows (about 15 ms a row) with the 0.1.0-era importer.

Usage::

    python benchmarks/import_csv.py [--rows 2000] [--seed 0] [--profile 30] [--project .]

``--profile N`` runs the import under cProfile and prints the N most costly functions
(cumulative time); profiling slows the run down, so time without it.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import datetime as dt
import io
import os
import pstats
import random
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

from rdflib import Graph
from rdflib.namespace import RDF, RDFS, SKOS

from swapgraph.importer import COLUMNS, import_csv
from swapgraph.load import data_graph
from swapgraph.namespaces import SWAP, WD
from swapgraph.paths import Project

#: The figure issue 10 gives for 2,000 valid rows with the 0.1.0-era importer.
BASELINE_SECONDS = 31.0


def _names(graph: Graph) -> tuple[list[list[str]], list[str]]:
    """Return, per state with an ISO code, the ways a row may name it; and place labels."""
    states = []
    for state in sorted(graph.subjects(RDF.type, SWAP.State), key=str):
        code = graph.value(state, SWAP.iso3166Alpha2)
        label = graph.value(state, RDFS.label)
        if code is None or label is None:
            continue
        ways = [str(code), str(label)]
        ways += [
            str(m)[len(str(WD)) :]
            for m in graph.objects(state, SKOS.exactMatch)
            if str(m).startswith(str(WD))
        ]
        states.append(ways)
    places = sorted(str(graph.value(p, RDFS.label)) for p in graph.subjects(RDF.type, SWAP.Place))
    return states, [p for p in places if p != "None"]


def make_csv(project: Project, rows: int, seed: int) -> str:
    """Return a CSV of ``rows`` valid, distinct exchanges between the project's states."""
    rng = random.Random(seed)
    states, places = _names(data_graph(project))
    existing_days = {
        str(d) for d in data_graph(project).objects(None, SWAP.date) if str(d)[:4] >= "1950"
    }
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS), lineterminator="\n")
    writer.writeheader()
    day = dt.date(1950, 1, 1)
    for n in range(rows):
        day += dt.timedelta(days=rng.randint(1, 3))
        while day.isoformat() in existing_days:
            day += dt.timedelta(days=1)
        a, b = rng.sample(states, 2)
        military_a, civilians_a = rng.randint(0, 300), rng.randint(0, 50)
        military_b, civilians_b = rng.randint(0, 300), rng.randint(0, 50)
        mediator = rng.choice([s for s in states if s not in (a, b)])
        row = {
            "id": f"{a[0]}-{b[0]}-{day.isoformat()}",
            "date": day.isoformat(),
            "party_a": rng.choice(a),
            "party_b": rng.choice(b),
            "released_by_a": str(military_a + civilians_a),
            "released_by_b": str(military_b + civilians_b),
            "a_military": str(military_a),
            "a_civilians": str(civilians_a),
            "b_military": str(military_b),
            "b_civilians": str(civilians_b),
            "mediators": f"{mediator[1]} (host)" if n % 3 else "none (direct talks)",
            "location": rng.choice(places) if places and n % 2 else "",
            "source": f"https://example.org/{day.year}/{day.month:02d}/{day.day:02d}/bench-{n}/",
            "quote": f"Synthetic benchmark row {n}.",
            "confidence": rng.choice(["high", "low"]),
            "notes": "Synthetic row for benchmarks/import_csv.py.",
        }
        writer.writerow({c: row.get(c, "") for c in COLUMNS})
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--project", type=Path, default=Path(__file__).resolve().parents[1])
    parser.add_argument("--profile", type=int, default=0, metavar="N")
    args = parser.parse_args(argv)

    source = Project.open(args.project)
    with tempfile.TemporaryDirectory(prefix="swapgraph-import-bench-") as tmp:
        root = Path(tmp) / "project"
        for name in ("ontology", "shapes", "graph"):
            shutil.copytree(source.root / name, root / name)
        project = Project.open(root)
        csv_path = Path(tmp) / "rows.csv"
        csv_path.write_text(make_csv(project, args.rows, args.seed), encoding="utf-8")
        profiler = cProfile.Profile() if args.profile else None
        cpu0, wall0 = time.process_time(), time.perf_counter()
        if profiler is not None:
            profiler.enable()
        report = import_csv(project, csv_path)
        if profiler is not None:
            profiler.disable()
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
        if not report.ok:
            for problem in [*map(str, report.errors), *report.violations][:20]:
                print(problem, file=sys.stderr)
            print(f"import failed: {len(report.errors)} errors, {len(report.violations)} "
                  "violations", file=sys.stderr)  # fmt: skip
            return 1
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        load = os.getloadavg()
        print(
            f"{len(report.added)} rows imported into {len(report.written)} files: "
            f"wall {wall:.2f} s, CPU {cpu:.2f} s ({1000 * wall / args.rows:.2f} ms a row), "
            f"peak RSS {peak:.0f} MiB, load {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
        )
        print(
            f"issue 10's 0.1.0-era figure: {BASELINE_SECONDS:.0f} s for 2,000 rows "
            f"({BASELINE_SECONDS / max(wall, 1e-9) * args.rows / 2000:.1f}x this run)"
        )
        if profiler is not None:
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.profile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
