"""``serve --store disk``: every worker reads one on-disk store kept in the cache folder.

Each test that starts workers runs a real worker pool over a copy of the project, as
``swapgraph serve`` does; the lease tests need no process but the test's own.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyoxigraph
import pytest

import swapgraph.child
import swapgraph.dataset_cache
import swapgraph.settings
from swapgraph.dataset_cache import cached_store
from swapgraph.engine import OxigraphEngine, SelectResult
from swapgraph.errors import SettingError
from swapgraph.named_queries import NamedQuery, load_named_queries
from swapgraph.paths import Project
from swapgraph.server.service import GraphService
from swapgraph.settings import Settings
from swapgraph.worker import WorkerEngine

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
EXTRA = "<urn:x:a> <urn:x:b> <urn:x:c> .\n"


@contextmanager
def serving(project: Project, store: str, workers: int = 1) -> Iterator[GraphService]:
    service = GraphService(Settings(project, workers=workers, store=store))
    try:
        yield service
    finally:
        service.close()


def rows(service: GraphService, sparql: str | NamedQuery) -> list[tuple[str, ...]]:
    # A named query runs with its parameters' defaults, as its route runs it.
    engine = service.engine
    result = engine.query(sparql) if isinstance(sparql, str) else sparql.run(engine)
    assert isinstance(result, SelectResult)
    return sorted(
        tuple("" if row[v] is None else str(row[v]) for v in result.variables)
        for row in result.rows
    )


def count(engine: OxigraphEngine) -> int:
    result = engine.query(COUNT)
    assert isinstance(result, SelectResult)
    return int(str(result.rows[0]["n"]))


def stores(project: Project) -> list[Path]:
    return sorted(project.cache_dir.glob("store-*"))


@pytest.mark.slow  # starts worker processes
def test_every_named_query_answers_as_from_memory(project_copy: Project) -> None:
    queries = load_named_queries(project_copy)
    with serving(project_copy, "disk") as on_disk:
        answers = {name: rows(on_disk, query) for name, query in queries.items()}
    assert not list(project_copy.cache_dir.glob("dataset-*.nq")), "no dump in disk mode"
    with serving(project_copy, "memory") as in_memory:
        for name, query in queries.items():
            assert answers[name] == rows(in_memory, query), name
    assert all(answers.values()), "every named query has rows on the real graph"


@pytest.mark.slow  # starts worker processes
def test_the_workers_share_the_cached_store_and_a_restart_builds_nothing(
    project_copy: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    with serving(project_copy, "disk", workers=2) as first:
        triples = rows(first, COUNT)
        [store] = stores(project_copy)
        for pid in first.pool.worker_pids():
            opened = {os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")}
            assert any(name.startswith(f"{store}/") for name in opened), pid

    def no_building(*_: object, **__: object) -> None:
        raise AssertionError("the store was built again although the files are unchanged")

    monkeypatch.setattr(swapgraph.dataset_cache, "write_store", no_building)
    with serving(project_copy, "disk") as again:
        assert rows(again, COUNT) == triples
    assert stores(project_copy) == [store]


@pytest.mark.slow  # starts worker processes
def test_a_store_in_use_survives_a_build_for_changed_files(project_copy: Project) -> None:
    with serving(project_copy, "disk") as server:
        before = rows(server, COUNT)
        [old] = stores(project_copy)
        (project_copy.graph_dir / "extra.ttl").write_text(EXTRA, "utf-8")
        # A curator's `swapgraph query` on the changed files builds the new store...
        assert count(OxigraphEngine.from_project_cache(project_copy)) > 0
        # ...and the server's workers, and any replacement, still open the old one.
        assert old.is_dir()
        killed = set(server.pool.worker_pids())
        for pid in killed:
            os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 120
        while killed & set(server.pool.worker_pids()) or not server.pool.state().live:
            assert time.monotonic() < deadline, "the killed workers were not replaced"
            time.sleep(0.05)
        assert rows(server, COUNT) == before
    with serving(project_copy, "disk") as again:  # the old store is unused now: removed
        assert int(rows(again, COUNT)[0][0]) == int(before[0][0]) + 1
    assert len(stores(project_copy)) == 1 and not old.exists()


def test_a_lease_keeps_the_store_and_its_release_lets_it_go(project_copy: Project) -> None:
    old, lease = cached_store(project_copy)
    (project_copy.graph_dir / "extra.ttl").write_text(EXTRA, "utf-8")
    new, other = cached_store(project_copy)
    assert new != old and old.is_dir(), "a leased store is kept"
    lease.close()
    (project_copy.graph_dir / "extra.ttl").write_text(EXTRA + EXTRA.replace("c>", "d>"), "utf-8")
    other.close()
    newest, _ = cached_store(project_copy)
    assert stores(project_copy) == [newest], "stores nobody leases are removed"


def test_a_killed_leaseholder_leaves_no_lock(project_copy: Project) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from pathlib import Path\n"
            "from swapgraph.dataset_cache import cached_store\n"
            "from swapgraph.paths import Project\n"
            "path, lease = cached_store(Project.open(Path(sys.argv[1])))\n"
            "print(path, flush=True)\n"
            "time.sleep(600)\n",
            str(project_copy.root),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        old = Path(holder.stdout.readline().strip())
        assert old.parent == project_copy.cache_dir and old.name.startswith("store-"), old
        (project_copy.graph_dir / "extra.ttl").write_text(EXTRA, "utf-8")
        cached_store(project_copy)
        assert old.is_dir(), "kept while its holder lives"
    finally:
        holder.kill()
        holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()
    (project_copy.graph_dir / "extra.ttl").write_text(EXTRA + EXTRA, "utf-8")
    cached_store(project_copy)
    assert not old.exists(), "removed once its holder was killed"


def test_a_read_only_cache_folder_serves_from_a_store_of_its_own(
    project_copy: Project, caplog: pytest.LogCaptureFixture
) -> None:
    project_copy.cache_dir.write_text("a file where the folder should be", encoding="utf-8")
    specs: list[WorkerEngine] = []
    with pytest.MonkeyPatch.context() as patch:
        # No worker needed to see where the store went: the pool is not started.
        patch.setattr(GraphService, "_worker_pool", lambda self, spec, workers: specs.append(spec))
        service = GraphService(Settings(project_copy, store="disk"))
    [spec] = specs
    assert spec.kind == "oxigraph-disk" and spec.dataset is not None
    assert project_copy.cache_dir not in spec.dataset.parents
    assert count(OxigraphEngine(pyoxigraph.Store.read_only(str(spec.dataset)))) > 0
    service._remove_store()
    assert not spec.dataset.exists(), "a store of its own is removed with the server"
    assert "cannot keep the store in the cache folder" in caplog.text


def test_disk_needs_the_oxigraph_engine(project_copy: Project) -> None:
    with pytest.raises(SettingError, match="oxigraph engine"):
        Settings(project_copy, engine="rdflib", store="disk")
    command = [sys.executable, "-m", "swapgraph", "serve", "--project", str(project_copy.root)]
    refused = subprocess.run(
        [*command, "--store", "disk", "--engine", "rdflib"], capture_output=True, text=True
    )
    assert refused.returncode == 2
    assert "--store disk is for the oxigraph engine only" in refused.stderr
    assert "Traceback" not in refused.stderr
    unknown = subprocess.run([*command, "--store", "ram"], capture_output=True, text=True)
    assert unknown.returncode == 2 and "'ram' is not one of auto, memory, disk" in unknown.stderr


def test_auto_takes_disk_for_large_data_and_memory_for_small(
    project_copy: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The repository's graph is small: a copy per worker costs little, and answers fastest.
    assert Settings(project_copy).store == "memory"
    size = sum(path.stat().st_size for path in project_copy.data_files())
    monkeypatch.setattr(swapgraph.settings, "AUTO_DISK_BYTES", size)  # as if it were large
    assert Settings(project_copy).store == "disk"
    assert Settings(project_copy, store="memory").store == "memory", "a choice is kept"
    # Only the oxigraph engine has a store to choose; auto never refuses another engine.
    assert Settings(project_copy, engine="rdflib").store == "memory"
    monkeypatch.setattr(swapgraph.settings, "AUTO_DISK_BYTES", size + 1)
    assert Settings(project_copy).store == "memory"


def test_a_store_is_built_in_a_child_that_imports_pyoxigraph_alone(
    project_copy: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The build runs beside validation during a first start: every MiB its interpreter
    # imports adds to the server's peak (rdflib, its SPARQL plugin and httpx took 27).
    ran: list[str] = []
    run = swapgraph.child.Group.run

    def recorded(
        self: swapgraph.child.Group, what: str, function: Any, *args: Any, **kw: Any
    ) -> Any:
        ran.append(f"{function.__module__}.{function.__qualname__}")
        return run(self, what, function, *args, **kw)

    monkeypatch.setattr(swapgraph.child.Group, "run", recorded)
    path, lease = cached_store(project_copy, swapgraph.child.Group())
    lease.close()
    [built] = ran
    module = built.rpartition(".")[0]
    # What a child of multiprocessing's spawn imports: its bootstrap, then the function's module.
    script = (
        "import sys, multiprocessing.spawn, swapgraph.child, swapgraph.cli, "
        f"{module}\n"
        "print(sorted(m for m in ('rdflib', 'httpx', 'pyshacl') if m in sys.modules))\n"
    )
    imported = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout
    assert imported.strip() == "[]", built
    assert count(OxigraphEngine(pyoxigraph.Store.read_only(str(path)))) > 0
