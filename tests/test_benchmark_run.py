"""The benchmark's runner cleans up after the peers it starts (a real Oxigraph server)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import httpx
import pytest

from swapgraph.paths import Project
from tests.conftest import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "benchmarks"))
import bench  # the benchmarks folder holds scripts, not a package


@pytest.mark.skipif(shutil.which("oxigraph") is None, reason="the oxigraph CLI is not installed")
def test_the_peers_store_is_removed_and_its_log_kept(project: Project, tmp_path: Path) -> None:
    server = bench.oxigraph_server(project, tmp_path, timeout=30)
    store = tmp_path / "oxigraph-store"
    assert store.is_dir()
    with httpx.Client() as client, bench._running([server], client, limit=60):
        answer = bench._post(client, server.endpoint, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", 30)
        assert answer.status_code == 200
    assert not store.exists()  # a 5M store is 650 MB, left by every run before
    assert (tmp_path / "oxigraph.log").is_file()
    assert server.peak_bytes > 0
