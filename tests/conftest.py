"""Shared fixtures: the real project at the repository root."""

from __future__ import annotations

from pathlib import Path

import pytest

from swapgraph.paths import Project

REPO_ROOT = Path(__file__).resolve().parent.parent
TEST_DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def project() -> Project:
    """The repository's own graph project."""
    return Project.open(REPO_ROOT)
