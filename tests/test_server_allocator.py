"""``serve --allocator``: the query workers run on mimalloc where it is installed.

The workers are real processes started by ``swapgraph serve`` (in this process, with
validation replaced by a stand-in that waits for them); what they run on is read from the
kernel (``/proc/PID/maps``: the libraries a process has loaded).
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from swapgraph import child, memory
from swapgraph import serve as serve_module
from swapgraph.errors import SettingError
from swapgraph.paths import Project
from swapgraph.report import ValidationReport
from swapgraph.settings import Settings
from tests.serving import query_workers, wait_for_workers

pytestmark = pytest.mark.slow  # each test starts worker processes

MIMALLOC = memory.mimalloc_library()
needs_mimalloc = pytest.mark.skipif(
    MIMALLOC is None, reason="cmeel-mimalloc is not installed (it is on Linux x86_64/aarch64)"
)


def loads_mimalloc(pid: int) -> bool:
    return "libmimalloc" in Path(f"/proc/{pid}/maps").read_text()


def workers_seen_by_validation(
    project: Project, allocator: str, monkeypatch: pytest.MonkeyPatch
) -> list[bool]:
    """Start serve; while it validates, say which of its workers loaded mimalloc."""
    seen: list[bool] = []
    others = query_workers()

    def validating(project: Project, child: bool) -> ValidationReport:
        seen.extend(loads_mimalloc(pid) for pid in wait_for_workers(2, others))
        raise serve_module.Stopped("SIGTERM")

    monkeypatch.setattr(serve_module, "checked_report", validating)
    with pytest.raises(serve_module.Stopped):
        settings = Settings(project, workers=2, allocator=allocator)
        serve_module.serve(settings, port=0, out=io.StringIO())
    return seen


@needs_mimalloc
def test_workers_run_on_mimalloc_by_default(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = dict(os.environ)
    assert workers_seen_by_validation(project, "auto", monkeypatch) == [True, True]
    assert not loads_mimalloc(os.getpid()), "the server itself keeps its allocator"
    assert dict(os.environ) == before, "the environment is restored once serve returns"


def test_system_allocator_when_asked(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    assert workers_seen_by_validation(project, "system", monkeypatch) == [False, False]


def test_mimalloc_asked_for_but_missing_is_a_setting_error(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(memory, "mimalloc_library", lambda: None)
    with pytest.raises(SettingError, match="cmeel-mimalloc"):
        serve_module.serve(Settings(project, allocator="mimalloc"), port=0, out=io.StringIO())
    # Where it is optional, its absence only means the system's allocator.
    assert workers_seen_by_validation(project, "auto", monkeypatch) == [False, False]


#: A million groups: about 170 MiB of small blocks that the query frees when it ends.
GROUPS_SCRIPT = """
import pyoxigraph as ox
from swapgraph import memory
numbers = " ".join(str(i) for i in range(1000))
query = (
    f"SELECT ?i (COUNT(*) AS ?c) WHERE {{ VALUES ?a {{ {numbers} }} VALUES ?b {{ {numbers} }}"
    " BIND(?a * 1000 + ?b AS ?i) } GROUP BY ?i LIMIT 1"
)
before = memory.resident_bytes()
ox.Store().query(query).serialize(format=ox.QueryResultsFormat.JSON)
memory.give_back()
print(memory.resident_bytes() - before)
"""


@needs_mimalloc
def test_memory_is_given_back_on_mimalloc_too() -> None:
    with memory.children_allocator("mimalloc"):
        done = subprocess.run(
            [sys.executable, "-c", GROUPS_SCRIPT], capture_output=True, text=True, check=True
        )
    assert int(done.stdout) < 50_000_000


IDLE_SCRIPT = """\
import multiprocessing.resource_tracker
for line in open("/proc/self/status"):
    if line.startswith("RssAnon:"):
        print(int(line.split()[1]) * 1024)
"""


def idle_child_bytes(allocator: str) -> int:
    """The private memory of an idle interpreter started under ``children_allocator``."""
    with memory.children_allocator(allocator):
        done = subprocess.run(
            [sys.executable, "-c", IDLE_SCRIPT], capture_output=True, text=True, check=True
        )
    return int(done.stdout)


@needs_mimalloc
def test_children_on_mimalloc_start_no_larger_than_on_the_system_allocator(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Each process serve starts idles like this one (the resource tracker does for its
    # whole life); with transparent huge pages, mimalloc's first arena made it 26 MiB
    # where the system allocator's was 8.
    monkeypatch.delenv("MIMALLOC_ALLOW_THP", raising=False)
    assert idle_child_bytes("mimalloc") < idle_child_bytes("system") + 4 * 2**20


@needs_mimalloc
def test_an_operators_own_mimalloc_setting_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MIMALLOC_ALLOW_THP", "1")
    with memory.children_allocator("mimalloc"):
        assert os.environ["MIMALLOC_ALLOW_THP"] == "1"
    assert os.environ["MIMALLOC_ALLOW_THP"] == "1"


def allocate_and_free() -> tuple[int, int]:
    """Run in a child: private memory grown by 1.5M small blocks, and kept once freed."""

    def private() -> int:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("RssAnon:"):
                    return int(line.split()[1]) * 1024
        raise AssertionError("no RssAnon")

    before = private()
    blocks = [bytes(100) + bytes([i % 256]) for i in range(1_500_000)]
    grown = private() - before
    del blocks
    return grown, private() - before


@needs_mimalloc
def test_work_in_a_child_returns_what_it_frees_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The store's build peaks lower so (187 MiB, not 235, at 1M triples), beside validation.
    monkeypatch.delenv("MIMALLOC_PURGE_DELAY", raising=False)
    with memory.children_allocator("mimalloc"):
        grown, kept = child.run("allocating", allocate_and_free)
    assert grown > 100 * 2**20
    assert kept < 10 * 2**20  # with mimalloc's own delay, 41 MiB of 248 were still held


@needs_mimalloc
def test_an_operators_purge_delay_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MIMALLOC_PURGE_DELAY", "60000")
    with memory.children_allocator("mimalloc"):
        _, kept = child.run("allocating", allocate_and_free)
    assert kept > 20 * 2**20, "the operator's minute of delay was kept"
