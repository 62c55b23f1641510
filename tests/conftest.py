"""Shared fixtures: the real project at the repository root."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from swapgraph.paths import Project

if TYPE_CHECKING:
    from tests.serving import RunningServer

REPO_ROOT = Path(__file__).resolve().parent.parent
TEST_DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def project() -> Project:
    """The repository's own graph project."""
    return Project.open(REPO_ROOT)


@pytest.fixture
def project_copy(tmp_path: Path) -> Project:
    """A copy of the repository's project (ontology, shapes, graph, queries) to change freely."""
    root = tmp_path / "project"
    for folder in ("ontology", "shapes", "graph", "api"):
        shutil.copytree(REPO_ROOT / folder, root / folder)
    return Project.open(root)


def snapshot(root: Path) -> dict[Path, bytes]:
    """Every file below ``root`` (outside ``.git``) with its bytes, to compare before and after."""
    return {
        path: path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and ".git" not in path.relative_to(root).parts
    }


class DiskFull:
    """Counts ``os.replace`` calls and makes the n-th fail as a full disk would."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, failing_call: int) -> None:
        self.calls = 0
        real_replace = os.replace

        def replace(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
            self.calls += 1
            if self.calls == failing_call:
                raise OSError(28, "No space left on device", str(dst))
            real_replace(src, dst)

        monkeypatch.setattr(os, "replace", replace)


@pytest.fixture
def disk_full_on_replace(monkeypatch: pytest.MonkeyPatch) -> Callable[[int], DiskFull]:
    """Arm a failure of the n-th file replacement: a write that fails part-way through."""
    return lambda failing_call: DiskFull(monkeypatch, failing_call)


@pytest.fixture(scope="session")
def shared_server(project: Project) -> Iterator[RunningServer]:
    """One real server (uvicorn, query workers) over the project for the whole session.

    For HTTP tests that only read: starting a server with its workers costs seconds, so
    tests that need no settings of their own share this one.
    """
    from swapgraph.server import Settings
    from tests.serving import swapgraph_server

    with swapgraph_server(Settings(project)) as running:
        yield running


# Tests in files that other work is editing, marked slow here rather than in their files; each
# runs for more than a few seconds, or the module starts real servers and worker processes.
# (`python3 -m pytest -m "not slow and not browser"` is the quick loop.)
_SLOW_MODULES = {
    "test_server_api.py",
    "test_server_export.py",
    "test_server_limits.py",
    "test_server_openapi_fuzz.py",
    "test_server_security.py",
    "test_server_sparql.py",
    "test_server_w3c_protocol.py",
    "test_serve_cli.py",
    "test_web_pages.py",
    "test_curator_journey.py",
    "test_release.py",
    "test_new.py",
}
_SLOW_TESTS = {
    # Commands run as processes of their own: a cold start of Python and rdflib each.
    "test_cache_store.py::test_query_command_uses_the_cache",
    "test_cache_validation.py::test_validate_command_reuses_the_cached_report",
    "test_cache_validation.py::test_serve_reuses_the_cached_report",
    # Graphviz on the whole graph.
    "test_exports.py::test_dot_renders_with_graphviz",
    "test_exports.py::test_real_graph_picture_command",
    # Two releases of a copy of the project (dumps, checksums, DCAT) and a server over them.
    "test_linked_data_publishing.py::test_void_lists_release_dumps_and_dates",
    "test_linked_data_publishing.py::test_an_older_version_iri_resolves_from_its_release_dump",
    "test_linked_data_publishing.py::test_release_writes_dcat_describing_its_real_dumps",
    "test_linked_data_publishing.py::test_releases_are_served_with_their_dumps",
    "test_linked_data_publishing.py::test_release_files_cannot_reach_other_files",
    "test_linked_data_publishing.py::test_release_updates_the_citation",
    "test_named_queries.py::test_asymmetric_exchanges",
    # pyshacl, the reference validator, in two processes of their own / on a generated project.
    "test_fast_validate.py::test_report_is_the_same_whatever_the_hash_seed",
    "test_fast_validate.py::test_generated_project_gives_pyshacls_report",
    # Two real servers with their workers, one per engine (in-process would do: see
    # tests.serving.in_process).
    "test_sparql_csv_injection.py::test_csv_from_the_engine_is_neutralised",
    "test_sparql_csv_injection.py::test_tsv_from_the_engine_is_neutralised",
    "test_benchmark_generator.py::test_same_seed_gives_the_same_files_and_another_seed_does_not",
    "test_importer.py::test_default_validation_uses_the_project_shapes",
    "test_named_queries.py::test_every_query_gives_the_same_answer_on_both_engines",
    "test_named_queries.py::test_running_totals",
    "test_named_queries.py::test_exchanges_between_russia_and_ukraine",
    "test_named_queries.py::test_istanbul_stages_delivered_what_was_promised",
    "test_named_queries.py::test_every_parameter_is_projected",
    "test_ontology.py::test_owl_rl_closure_of_ontology_and_graph_is_consistent",
    "test_shapes.py::test_shapes_pass_shacl_shacl",
    "test_validate_cli.py::test_the_repository_graph_conforms",
    # The rdflib engine, seconds per query on the whole graph (Oxigraph's case stays quick).
    "test_named_query_lists.py::test_list_cells_are_in_alphabetical_order"
    "[asymmetric-exchanges-rdflib]",
    "test_named_query_lists.py::test_list_cells_are_in_alphabetical_order"
    "[exchanges-between-rdflib]",
    "test_query_cli.py::test_csv_and_tsv[rdflib]",
    "test_daily_totals.py::test_view_and_direct_sums_agree_on_generated_data[rdflib]",
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the slow tests listed above."""
    for item in items:
        module = item.path.name
        test = f"{module}::{item.originalname if isinstance(item, pytest.Function) else item.name}"
        case = f"{module}::{item.name}"  # one case of a parametrised test
        if module in _SLOW_MODULES or test in _SLOW_TESTS or case in _SLOW_TESTS:
            item.add_marker(pytest.mark.slow)
