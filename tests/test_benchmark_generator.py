"""The benchmark's data generator writes a valid graph project of the size asked for."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from swapgraph.load import dataset_graph
from swapgraph.paths import Project
from swapgraph.validate import validate_project
from tests.conftest import REPO_ROOT

GENERATOR = REPO_ROOT / "benchmarks" / "generate.py"


def _generate(out: Path, triples: str, seed: int = 0) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            str(GENERATOR),
            "--triples",
            triples,
            "--out",
            str(out),
            "--seed",
            str(seed),
        ],
        capture_output=True,
        text=True,
        check=False,
    )


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


@pytest.mark.slow
def test_small_project_parses_validates_and_has_the_requested_size(tmp_path: Path) -> None:
    out = tmp_path / "project"
    run = _generate(out, "12k")
    assert run.returncode == 0, run.stderr
    project = Project.open(out)
    assert [p.name for p in project.query_files()] == [
        p.name for p in Project.open(REPO_ROOT).query_files()
    ]
    triples = len(dataset_graph(project))
    assert run.stdout.strip() == f"{out}: {triples} triples"
    assert abs(triples - 12_000) <= 1_200
    report = validate_project(project)
    assert report.conforms, [r for r in report.results if r.severity == "Violation"][:3]


def test_same_seed_gives_the_same_files_and_another_seed_does_not(tmp_path: Path) -> None:
    for name, seed in (("a", 1), ("b", 1), ("c", 2)):
        assert _generate(tmp_path / name, "8k", seed).returncode == 0
    first = _files(tmp_path / "a" / "graph")
    assert first == _files(tmp_path / "b" / "graph")
    assert first != _files(tmp_path / "c" / "graph")


def test_existing_output_directory_is_refused(tmp_path: Path) -> None:
    run = _generate(tmp_path, "8k")
    assert run.returncode == 2
    assert str(tmp_path) in run.stderr
    assert "Traceback" not in run.stderr
