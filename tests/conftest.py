"""Shared fixtures: the real project at the repository root."""

from __future__ import annotations

import os
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
