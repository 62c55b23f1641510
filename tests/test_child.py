"""Work done in a child process (``swapgraph.child``): its memory, its errors, its death.

The server validates, dumps the dataset and builds its on-disk store in child processes, so
that what they cost is returned to the system when they end. The memory tests run the
server's start in a fresh interpreter and read its peak resident size from the kernel
(``VmHWM``), which a test process that has run other tests could not give.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from swapgraph import child
from swapgraph.errors import ProjectError, RDFSyntaxError, SettingError
from swapgraph.paths import Project
from swapgraph.server.service import GraphService
from swapgraph.settings import Settings
from tests.serving import ended

pytestmark = pytest.mark.slow  # each test starts processes


# Run in the child: module-level, so that a spawned interpreter can import them.
def add(a: int, b: int) -> int:
    return a + b


def fail_with_os_error(path: str) -> None:
    raise OSError(errno.ENOSPC, "No space left on device", path)


def fail_with_syntax(path: str) -> None:
    raise RDFSyntaxError(Path(path), "expected '.'", 3, 7)


def fail_with_setting() -> None:
    raise SettingError("--store disk is for the oxigraph engine only")


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def sleep_and_record(path: str) -> None:
    Path(path).write_text(str(os.getpid()), encoding="utf-8")
    time.sleep(120)


def test_the_answer_comes_back() -> None:
    assert child.run("adding", add, 2, 3) == 5


def niceness() -> int:
    return os.nice(0)


def test_the_child_gives_way_when_asked() -> None:
    assert child.run("measuring", niceness) == os.nice(0)
    assert child.run("measuring", niceness, nice=5) == min(os.nice(0) + 5, 19)


def test_an_os_error_keeps_its_errno_and_file() -> None:
    # A full disk in the child must reach the code that falls back to another folder.
    with pytest.raises(OSError) as raised:
        child.run("writing", fail_with_os_error, "/cache/dataset.nq")
    assert raised.value.errno == errno.ENOSPC
    assert raised.value.filename == "/cache/dataset.nq"


def test_a_syntax_error_names_the_file_line_and_column() -> None:
    with pytest.raises(RDFSyntaxError) as raised:
        child.run("parsing", fail_with_syntax, "graph/bad.ttl")
    assert (raised.value.path, raised.value.line, raised.value.column) == (
        Path("graph/bad.ttl"),
        3,
        7,
    )


def test_a_project_error_keeps_its_message() -> None:
    with pytest.raises(ProjectError, match="--store disk is for the oxigraph engine only"):
        child.run("starting", fail_with_setting)


def test_a_child_that_dies_is_reported_with_its_signal() -> None:
    with pytest.raises(ProjectError, match=r"building stopped unexpectedly \(exit code -9\)"):
        child.run("building", die)


def test_the_child_dies_with_its_parent(tmp_path: Path) -> None:
    # A server killed during a first start must not leave a build running for minutes.
    recorded = tmp_path / "pid"
    script = (
        "import sys\n"
        "from swapgraph import child\n"
        "from tests.test_child import sleep_and_record\n"
        "child.run('sleeping', sleep_and_record, sys.argv[1])\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", script, str(recorded)], cwd=Path.cwd())
    deadline = time.monotonic() + 60
    while not recorded.exists() or not recorded.read_text(encoding="utf-8"):
        assert time.monotonic() < deadline, "the child never started"
        time.sleep(0.05)
    pid = int(recorded.read_text(encoding="utf-8"))
    parent.kill()
    parent.wait()
    deadline = time.monotonic() + 30
    while not ended(pid):
        assert time.monotonic() < deadline, "the child outlived its killed parent"
        time.sleep(0.05)


def _started(recorded: Path) -> int:
    deadline = time.monotonic() + 60
    while not recorded.exists() or not recorded.read_text(encoding="utf-8"):
        assert time.monotonic() < deadline, "the child never started"
        time.sleep(0.05)
    return int(recorded.read_text(encoding="utf-8"))


def test_a_stopped_group_stops_its_work_at_once_and_starts_no_more(tmp_path: Path) -> None:
    group = child.Group()
    raised: list[BaseException] = []

    def work() -> None:
        try:
            group.run("sleeping", sleep_and_record, str(tmp_path / "pid"))
        except BaseException as error:
            raised.append(error)

    thread = threading.Thread(target=work)
    thread.start()
    pid = _started(tmp_path / "pid")
    group.stop()
    thread.join(60)  # a bound, not a timing: the child sleeps for two minutes
    assert not thread.is_alive(), "the caller was still waiting for its child"
    assert [type(error) for error in raised] == [child.Cancelled]
    assert ended(pid)
    with pytest.raises(child.Cancelled):
        group.run("adding", add, 2, 3)
    assert child.run("adding", add, 2, 3) == 5, "other groups go on"


def test_children_ignore_a_stop_meant_for_their_parent(tmp_path: Path) -> None:
    # A terminal's Ctrl-C and a supervisor's stop reach the whole process group; the parent
    # decides (see test_serve_cli for a server's queries in flight).
    group = child.Group()

    def work() -> None:
        with contextlib.suppress(child.Cancelled):
            group.run("sleeping", sleep_and_record, str(tmp_path / "pid"))

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    pid = _started(tmp_path / "pid")
    for stop in (signal.SIGTERM, signal.SIGINT):
        os.kill(pid, stop)
    time.sleep(0.5)  # a child that obeyed would be gone by now
    assert not ended(pid)
    group.stop()
    thread.join(60)


@pytest.mark.parametrize("store", ["memory", "disk"])
def test_a_malformed_file_is_reported_from_the_child(project_copy: Project, store: str) -> None:
    (project_copy.graph_dir / "broken.ttl").write_text(
        "<urn:x:a> <urn:x:b> <urn:x:c> .\n<urn:x:a> <urn:x:b> .\n", encoding="utf-8"
    )
    with pytest.raises(RDFSyntaxError) as raised:
        GraphService(Settings(project_copy, workers=1, store=store))
    assert raised.value.path.name == "broken.ttl"
    assert raised.value.line == 2


# A start of the service in a fresh interpreter: its peak resident size grows by what the
# start held in this process (the dump's or the store's parsing, if not in a child).
START_SCRIPT = """\
import sys
from pathlib import Path
import pyoxigraph, rdflib
from swapgraph.paths import Project
from swapgraph.server.service import GraphService
from swapgraph.settings import Settings

def peak():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024

project = Project.open(Path(sys.argv[1]))
before = peak()
GraphService(Settings(project, workers=1, store=sys.argv[2])).close()
print(peak() - before)
"""

#: Triples in the added file: enough that parsing them shows, tens of MiB.
BULK_TRIPLES = 300_000


@pytest.mark.parametrize("store", ["memory", "disk"])
def test_the_server_process_holds_none_of_the_parsing(project_copy: Project, store: str) -> None:
    # Parsed in the server, a dump or a store of 300k triples raised its peak by 210-260
    # MiB, which a long-lived server kept in part for its whole life; in a child, by 14.
    with (project_copy.graph_dir / "bulk.nt").open("w", encoding="utf-8") as out:
        for index in range(BULK_TRIPLES):
            out.write(f'<urn:x:s{index}> <urn:x:p> "value {index}" .\n')
    done = subprocess.run(
        [sys.executable, "-c", START_SCRIPT, str(project_copy.root), store],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path.cwd(),
    )
    growth = int(done.stdout.split()[-1])
    assert growth < 48 * 2**20, f"the server's peak grew by {growth / 2**20:.0f} MiB"
