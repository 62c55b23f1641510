"""SIGKILL from outside, at random moments inside the write window of import-csv, fmt, release.

:mod:`tests.test_journal_kill` kills the writer at each of its steps from inside
(``SWAPGRAPH_KILL_AT_STEP``). Here the kill comes from another process, as the OOM killer
or an impatient operator would send it, at a random time: the test watches the project
for the first staged file (``.NAME.sg….tmp``, the start of the write window), waits a
random fraction of the window's length (measured on an undisturbed run, with a margin on
both sides), and sends SIGKILL. Then the next command (``fmt --check``) runs, and:

* every RDF file parses;
* the project is the old one or the new one as a whole;
* no staged file, backup, journal or lock remains;
* the killed command, run again, completes and gives the new project (``release`` too).

The RNG is seeded (``SWAPGRAPH_KILL_SEED``, default: random, printed) and the number of
trials per command is ``SWAPGRAPH_KILL_TRIALS`` (default 8, which keeps the suite quick: the
kill at every step in :mod:`tests.test_journal_kill` is the exhaustive part; set 100 for a
deep run).
"""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT
from tests.test_journal_kill import (
    base,
    check_whole,
    files,
    fresh_project,
    prepare_fmt,
    prepare_import,
    prepare_release,
    swapgraph_here,
)

__all__ = ["base"]  # the fixture, shared with the deterministic kill loop

pytestmark = pytest.mark.slow

TRIALS = int(os.environ.get("SWAPGRAPH_KILL_TRIALS", "8"))
SEED = int(os.environ.get("SWAPGRAPH_KILL_SEED", str(random.SystemRandom().randrange(10**6))))
# A staged file or backup of the journal (journal._stage, journal._backup), or the journal.
_WRITING = re.compile(r"^\..+\.sg[^.]*\.(tmp|bak)$|^\.swapgraph-journal")


def _writing(root: Path) -> bool:
    """True once the command has staged a file or written its journal."""
    for directory in (root, *(p for p in root.iterdir() if p.is_dir())):
        try:
            with os.scandir(directory) as entries:
                if any(_WRITING.match(entry.name) for entry in entries):
                    return True
        except FileNotFoundError:  # a folder replaced under us
            continue
    return False


def _start(root: Path, args: list[str]) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT / "src")}
    env.pop("SWAPGRAPH_KILL_AT_STEP", None)
    command = [sys.executable, "-m", "swapgraph", "--project", str(root), *args]
    return subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )


def _window(root: Path, args: list[str]) -> float:
    """Run the command undisturbed; return seconds from its first staged file to its last.

    The window ends when no staged file, backup or journal is left: the transaction is
    over (what follows is the process exiting, where a kill proves nothing).
    """
    process = _start(root, args)
    while process.poll() is None and not _writing(root):
        time.sleep(0.0002)
    began = time.perf_counter()
    while process.poll() is None and _writing(root):
        time.sleep(0.0002)
    ended = time.perf_counter()
    _, err = process.communicate(timeout=300)
    assert process.returncode == 0, err
    return ended - began


def _kill_in_window(root: Path, args: list[str], delay: float) -> str:
    """Start the command, SIGKILL it ``delay`` seconds into its write window.

    Returns:
        ``killed``, or ``finished`` if it exited before the kill.
    """
    process = _start(root, args)
    deadline = time.monotonic() + 300
    while process.poll() is None and not _writing(root):
        assert time.monotonic() < deadline, "the command never started writing"
        time.sleep(0.0002)
    if process.poll() is None:
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
    _, err = process.communicate(timeout=300)
    if process.returncode == -signal.SIGKILL:
        return "killed"
    assert process.returncode == 0, err
    return "finished"


@pytest.mark.parametrize(
    "prepare", [prepare_import, prepare_fmt, prepare_release], ids=["import-csv", "fmt", "release"]
)
def test_random_kills_in_the_write_window(
    base: Path, tmp_path: Path, prepare: Callable[[Path], list[str]]
) -> None:
    rng = random.Random(f"{SEED}-{prepare.__name__}")
    print(f"seed {SEED} (SWAPGRAPH_KILL_SEED={SEED} repeats this run)")

    def fresh(name: str) -> tuple[Path, list[str]]:
        return fresh_project(base, tmp_path / name, prepare)

    reference, args = fresh("reference")
    old = files(reference)
    window = _window(reference, args)
    new = files(reference)
    assert new != old

    counts: Counter[str] = Counter()
    for trial in range(TRIALS):
        root, args = fresh(f"trial-{trial}")
        # Up to 1.2 times the measured window: the machine's load varies from run to run.
        delay = rng.uniform(0, 1.2 * window)
        how = _kill_in_window(root, args, delay)
        after = swapgraph_here(root, "fmt", "--check")
        assert "Traceback" not in after.stderr, after.stderr
        state = check_whole(root, old, new)
        counts[f"{how}->{state}"] += 1
        if how == "finished":
            assert state == "new"
        again = swapgraph_here(root, *args)
        assert again.returncode == 0, f"trial {trial} (delay {delay:.4f} s): {again.stderr}"
        assert files(root) == new, f"re-running after trial {trial} did not complete"
        shutil.rmtree(root.parent)
    print(
        f"{args[0]}: window {window * 1000:.1f} ms, {TRIALS} trials, seed {SEED}: "
        + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    )
    # The kills must mostly land inside the window, or the test proves little.
    assert counts["killed->old"] + counts["killed->new"] >= TRIALS // 2, counts
