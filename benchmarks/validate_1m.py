"""Time `swapgraph validate` on a generated project, with each validator, as whole processes.

```sh
python benchmarks/generate.py --triples 1M --out /tmp/swapgraph-bench/1M
python benchmarks/validate_1m.py /tmp/swapgraph-bench/1M [--engines fast,pyshacl]
```

Each run is ``python -m swapgraph --project DIR validate --no-cache --engine E`` under
``/usr/bin/time -v`` (the cache is bypassed, so each run validates), and prints wall time, CPU
time (user + system), peak RSS, the machine's load before and after, and whether the reports
of the engines are identical (the text report, byte for byte). Not run by CI.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path


def _run(project: Path, engine: str) -> tuple[dict[str, float], str]:
    with tempfile.NamedTemporaryFile("r", suffix=".time") as timing:
        done = subprocess.run(
            ["/usr/bin/time", "-v", "-o", timing.name, sys.executable, "-m", "swapgraph",
             "--project", str(project), "validate", "--no-cache", "--engine", engine],
            capture_output=True,
            text=True,
            check=False,
        )  # fmt: skip
        if done.returncode not in (0, 1):
            raise SystemExit(f"{engine}: exit {done.returncode}: {done.stderr}")
        text = Path(timing.name).read_text(encoding="utf-8")
    figures = {
        "user": float(_field(text, r"User time \(seconds\): ([\d.]+)")),
        "system": float(_field(text, r"System time \(seconds\): ([\d.]+)")),
        "rss_mib": int(_field(text, r"Maximum resident set size \(kbytes\): (\d+)")) / 1024,
        "wall": _wall(_field(text, r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)")),
    }
    return figures, done.stdout


def _field(text: str, pattern: str) -> str:
    match = re.search(pattern, text)
    if match is None:
        raise SystemExit(f"/usr/bin/time gave no {pattern!r}")
    return match.group(1)


def _wall(text: str) -> float:
    seconds = 0.0
    for part in text.split(":"):
        seconds = seconds * 60 + float(part)
    return seconds


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    """Run each engine once on the project and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("project", type=Path)
    parser.add_argument("--engines", default="fast,pyshacl")
    args = parser.parse_args()
    reports = {}
    print(f"project {args.project}, {os.cpu_count()} CPUs")
    print(f"{'engine':<8} {'wall s':>8} {'CPU s':>8} {'peak RSS MiB':>13}  load before -> after")
    for engine in args.engines.split(","):
        before = _load()
        figures, reports[engine] = _run(args.project, engine)
        cpu = figures["user"] + figures["system"]
        print(
            f"{engine:<8} {figures['wall']:>8.1f} {cpu:>8.1f} {figures['rss_mib']:>13.0f}"
            f"  {before} -> {_load()}",
            flush=True,
        )
    if len(reports) > 1:
        same = len(set(reports.values())) == 1
        print("reports identical" if same else "REPORTS DIFFER")


if __name__ == "__main__":
    main()
