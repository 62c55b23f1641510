"""The server's dataset dump, kept in the cache folder: a restart on unchanged files parses
nothing.

Each test starts a real worker pool over a project_copy of the project, as ``swapgraph serve`` does.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

import pytest

import swapgraph.dataset_cache
from swapgraph import serve as serve_module
from swapgraph import server as server_module
from swapgraph.child import Group
from swapgraph.engine import OxigraphEngine, SelectResult
from swapgraph.errors import InvalidProject
from swapgraph.paths import Project
from swapgraph.report import ValidationReport, ValidationResult
from swapgraph.server import service as service_module
from swapgraph.server.service import GraphService
from swapgraph.settings import Settings
from tests.serving import ended, query_workers, wait_for_workers

pytestmark = pytest.mark.slow  # each test starts worker processes

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


@contextmanager
def serving(project: Project) -> Iterator[GraphService]:
    service = GraphService(Settings(project, workers=1))
    try:
        yield service
    finally:
        service.close()


def count(service: GraphService) -> int:
    result = service.engine.query(COUNT)
    assert isinstance(result, SelectResult)
    value = result.rows[0]["n"]
    assert value is not None
    return int(str(value))


def stores(project: Project) -> list[Path]:
    return sorted(project.cache_dir.glob("store-*"))


def dumps(project: Project) -> list[Path]:
    return sorted(project.cache_dir.glob("dataset-*.nq"))


def test_a_restart_on_unchanged_files_parses_nothing(
    project_copy: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    with serving(project_copy) as first:
        triples = count(first)
    assert len(dumps(project_copy)) == 1

    def no_parsing(*_: object, **__: object) -> None:
        raise AssertionError("the files were parsed although they are unchanged")

    # The server parses in a child process, which this patch cannot reach: what starts it
    # is patched instead.
    monkeypatch.setattr(swapgraph.dataset_cache, "write_dump", no_parsing)
    monkeypatch.setattr(OxigraphEngine, "from_files", no_parsing)
    with serving(project_copy) as again:
        assert count(again) == triples


def test_a_changed_file_is_served_and_the_old_dump_removed(project_copy: Project) -> None:
    with serving(project_copy) as first:
        before = count(first)
    old = dumps(project_copy)
    (project_copy.graph_dir / "extra.ttl").write_text("<urn:x:a> <urn:x:b> <urn:x:c> .\n", "utf-8")
    with serving(project_copy) as again:
        assert count(again) == before + 1
    assert dumps(project_copy) != old and len(dumps(project_copy)) == 1


def test_a_cache_folder_that_cannot_be_written_serves_from_a_dump_of_its_own(
    project_copy: Project, caplog: pytest.LogCaptureFixture
) -> None:
    with serving(project_copy) as first:
        triples = count(first)
    shutil.rmtree(project_copy.cache_dir)
    project_copy.cache_dir.write_text("a file where the folder should be", encoding="utf-8")
    with serving(project_copy) as service:
        assert count(service) == triples
    assert "cannot keep the dataset in the cache folder" in caplog.text


def test_a_killed_writer_leaves_no_dump_under_its_name(project_copy: Project) -> None:
    # Killed while writing: only a temporary file may be left, never a dump that a later
    # start would take for whole.
    script = (
        "import os, signal, sys\n"
        "from pathlib import Path\n"
        "from swapgraph import oxigraph_load\n"
        "from swapgraph.dataset_cache import cached_dump\n"
        "from swapgraph.paths import Project\n"
        "def killed(files, path, named_graphs):\n"
        "    Path(path).write_text('<urn:x:half', encoding='utf-8')\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
        "oxigraph_load.write_dump = killed\n"
        "cached_dump(Project.open(Path(sys.argv[1])))\n"
    )
    run = subprocess.run([sys.executable, "-c", script, str(project_copy.root)], check=False)
    assert run.returncode == -9
    assert dumps(project_copy) == []
    [left] = project_copy.cache_dir.glob(".building-*")
    with serving(project_copy) as service:
        assert count(service) > 0
    assert not left.exists(), "what the killed writer left is removed by the next one"


def test_a_first_start_writes_the_dump_while_validation_runs(
    project_copy: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The two take seconds each at 1M triples: a first start should take the longer, not
    # the sum. Validation here waits for the dump (a bound, not a timing) and then stops.
    seen: list[bool] = []

    def validating(project: Project, child: bool) -> None:
        deadline = time.monotonic() + 60
        while not dumps(project) and time.monotonic() < deadline:
            time.sleep(0.05)
        seen.append(bool(dumps(project)))
        raise serve_module.Stopped("SIGTERM")

    monkeypatch.setattr(serve_module, "checked_report", validating)
    with pytest.raises(serve_module.Stopped):
        serve_module.serve(Settings(project_copy), port=0, out=io.StringIO())
    assert seen == [True], "the dump was written while validation ran"


def serve_until_started(
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    validating: Callable[[Project, bool], ValidationReport],
    started: Callable[[GraphService | None], None],
) -> None:
    """Run ``serve`` with validation replaced, and stop it once its app would be made.

    ``started`` is given the service ``serve`` hands to the app (None: the app starts one).
    """

    def creating_app(settings: Settings, service: GraphService | None = None) -> NoReturn:
        started(service)
        raise serve_module.Stopped("SIGTERM")

    monkeypatch.setattr(serve_module, "checked_report", validating)
    monkeypatch.setattr(server_module, "create_app", creating_app)
    with pytest.raises(serve_module.Stopped):
        serve_module.serve(settings, port=0, out=io.StringIO())


def test_a_first_start_starts_the_workers_while_validation_runs(
    project_copy: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each worker loads the dump (3.5 s at 1M triples): during validation, not after it.
    # Validation here waits for the workers (a bound, not a timing) and then passes.
    seen: list[int] = []
    others = query_workers()

    def validating(project: Project, child: bool) -> ValidationReport:
        seen.append(len(wait_for_workers(2, others)))
        return ValidationReport(results=(), shapes=())

    def started(service: GraphService | None) -> None:
        assert service is not None, "the service started during validation is used"
        service.close()

    settings = Settings(project_copy, workers=2, store="memory")
    serve_until_started(settings, monkeypatch, validating, started)
    assert seen == [2], "the workers started while validation ran"


def test_a_first_start_on_disk_builds_the_store_while_validation_runs_and_then_the_workers(
    project_copy: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The build is the long part (10 s at 1M triples); a worker opens the store in
    # milliseconds, so workers started during validation would only add their memory to it.
    seen: list[tuple[bool, int]] = []
    others = query_workers()

    def validating(project: Project, child: bool) -> ValidationReport:
        deadline = time.monotonic() + 60
        while not stores(project) and time.monotonic() < deadline:
            time.sleep(0.05)
        seen.append((bool(stores(project)), len(query_workers(others))))
        return ValidationReport(results=(), shapes=())

    def started(service: GraphService | None) -> None:
        assert service is not None, "the service is started on the store built ahead"
        try:
            assert count(service) > 0
        finally:
            service.close()

    settings = Settings(project_copy, workers=2, store="disk")
    serve_until_started(settings, monkeypatch, validating, started)
    assert seen == [(True, 0)], "the store was built while validation ran, no worker started"


@pytest.mark.parametrize("ending", ["invalid", "stopped"])
def test_workers_started_during_a_validation_that_fails_are_stopped(
    project_copy: Project, monkeypatch: pytest.MonkeyPatch, ending: str
) -> None:
    others = query_workers()

    def validating(project: Project, child: bool) -> ValidationReport:
        wait_for_workers(1, others)
        if ending == "stopped":
            raise serve_module.Stopped("SIGTERM")
        wrong = ValidationResult("Violation", "ex:x", None, None, "ex:S", "wrong", None, None)
        return ValidationReport(results=(wrong,), shapes=("ex:S",))

    monkeypatch.setattr(serve_module, "checked_report", validating)
    expected = InvalidProject if ending == "invalid" else serve_module.Stopped
    with pytest.raises(expected):
        serve_module.serve(Settings(project_copy), port=0, out=io.StringIO())
    assert query_workers(others) == [], "no worker outlives a start that failed"


def build_slowly(folder: str) -> None:
    """A build of two minutes, in a child: it says when it starts, and if it ends."""
    Path(folder, "pid").write_text(str(os.getpid()), encoding="utf-8")
    time.sleep(120)
    Path(folder, "finished").touch()


@pytest.mark.parametrize("store", ["memory", "disk"])
def test_a_start_that_is_stopped_stops_the_build_under_way(
    project_copy: Project, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, store: str
) -> None:
    # A stop during a first start waited for the build or the dump to end: 7-8 s at 1M
    # triples, a minute at 5M, for a result nobody would use.
    def building(project: Project, children: Group | None = None) -> NoReturn:
        assert children is not None, "the work started ahead runs in a group it can stop"
        children.run("building", build_slowly, str(tmp_path))
        raise AssertionError("the build was not stopped")

    def validating(project: Project, child: bool) -> NoReturn:
        deadline = time.monotonic() + 60
        while not (tmp_path / "pid").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        raise serve_module.Stopped("SIGTERM")

    monkeypatch.setattr(serve_module, "cached_store", building)  # the disk store's build
    monkeypatch.setattr(service_module, "cached_dump", building)  # the dump, for memory
    monkeypatch.setattr(serve_module, "checked_report", validating)
    with pytest.raises(serve_module.Stopped):
        serve_module.serve(Settings(project_copy, store=store), port=0, out=io.StringIO())
    assert (tmp_path / "pid").exists(), "the build had started"
    assert not (tmp_path / "finished").exists(), "the stop did not wait for the build"
    pid = int((tmp_path / "pid").read_text(encoding="utf-8"))
    assert ended(pid), "the build's child is gone"
