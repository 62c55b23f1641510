"""A scratch graph project holding tests/data/exports/exchanges.ttl beside the real ontology."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from swapgraph.engine import Engine, OxigraphEngine
from swapgraph.paths import Project
from swapgraph.rdflib_engine import RdflibEngine
from tests.conftest import REPO_ROOT, TEST_DATA

FIXTURE_GRAPH = TEST_DATA / "exports" / "exchanges.ttl"


def make_project(root: Path) -> Project:
    """Lay out a project at ``root`` whose graph is the exports fixture."""
    shutil.copytree(REPO_ROOT / "ontology", root / "ontology")
    (root / "shapes").mkdir()
    (root / "graph").mkdir()
    shutil.copy(FIXTURE_GRAPH, root / "graph" / FIXTURE_GRAPH.name)
    return Project.open(root)


@pytest.fixture(scope="module")
def small_project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """The fixture graph as a project."""
    return make_project(tmp_path_factory.mktemp("exports-project"))


@pytest.fixture(scope="module")
def small_engine(small_project: Project) -> Engine:
    """An Oxigraph engine over the fixture graph."""
    return OxigraphEngine.from_project(small_project)


@pytest.fixture(scope="module")
def reference_engine(small_project: Project) -> Engine:
    """The rdflib engine over the fixture graph, for answers computed independently."""
    return RdflibEngine.from_project(small_project)


@pytest.fixture(scope="module")
def real_engine(project: Project) -> Engine:
    """An Oxigraph engine over the repository's own graph."""
    return OxigraphEngine.from_project(project)
