"""The journaled writer: recovery, leftovers, the project lock and the content check."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from swapgraph.cli import main
from swapgraph.errors import ConcurrentChange, LockBusy
from swapgraph.journal import (
    JOURNAL_NAME,
    LOCK_NAME,
    fingerprint,
    leftovers,
    project_lock,
    recover,
)
from swapgraph.turtle import write_files
from tests.conftest import REPO_ROOT

OLD = "@prefix ex: <https://example.org/> .\n\nex:a ex:p 1 .\n"
NEW = "@prefix ex: <https://example.org/> .\n\nex:a ex:p 2 .\n"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    for folder in ("ontology", "shapes", "api"):
        shutil.copytree(REPO_ROOT / folder, tmp_path / folder)
    (tmp_path / "graph").mkdir()
    shutil.copy(REPO_ROOT / "graph" / "states.ttl", tmp_path / "graph" / "states.ttl")
    return tmp_path


def staged_transaction(root: Path, state: str, replaced: bool) -> tuple[Path, Path]:
    """Leave the files a writer killed after its commit point leaves: a journal and more."""
    a, b = root / "graph" / "a.ttl", root / "graph" / "b.ttl"
    a.write_text(OLD)
    b.write_text(OLD)
    entries = []
    for target in (a, b):
        staged = target.with_name(f".{target.name}.sgabcdefgh.tmp")
        staged.write_text(NEW)
        backup = target.with_name(f".{target.name}.sgabcdefgh.bak")
        os.link(target, backup)
        entries.append(
            {
                "target": target.relative_to(root).as_posix(),
                "staged": staged.relative_to(root).as_posix(),
                "backup": backup.relative_to(root).as_posix(),
                "old": fingerprint(target),
                "new": fingerprint(staged),
            }
        )
    if replaced:  # the first file is already in place
        os.replace(root / entries[0]["staged"], a)
    (root / JOURNAL_NAME).write_text(json.dumps({"state": state, "files": entries}))
    return a, b


@pytest.mark.parametrize("replaced", [False, True])
def test_a_committed_journal_is_rolled_forward(root: Path, replaced: bool) -> None:
    a, b = staged_transaction(root, "forward", replaced)
    recover(root)
    assert a.read_text() == NEW and b.read_text() == NEW
    assert leftovers(root) == [] and not (root / JOURNAL_NAME).exists()


def test_a_journal_marked_back_is_rolled_back(root: Path) -> None:
    a, b = staged_transaction(root, "back", replaced=True)
    recover(root)
    assert a.read_text() == OLD and b.read_text() == OLD
    assert leftovers(root) == [] and not (root / JOURNAL_NAME).exists()


def test_a_staged_file_that_does_not_match_its_hash_rolls_back(root: Path) -> None:
    a, b = staged_transaction(root, "forward", replaced=True)
    b.with_name(f".{b.name}.sgabcdefgh.tmp").write_text("truncated")
    recover(root)
    assert a.read_text() == OLD and b.read_text() == OLD


def test_staged_files_without_a_journal_are_removed(root: Path) -> None:
    a, b = staged_transaction(root, "forward", replaced=False)
    (root / JOURNAL_NAME).unlink()  # killed before the commit point
    recover(root)
    assert a.read_text() == OLD and b.read_text() == OLD
    assert leftovers(root) == []


def test_validate_and_fmt_report_foreign_leftovers(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    debris = root / "graph" / ".states.ttl.x1y2z3.bak"
    debris.write_text(OLD)
    main(["fmt", "--check", "--project", str(root)])
    main(["validate", "--project", str(root)])
    err = capsys.readouterr().err
    assert err.count(f"warning: {debris}: left by an interrupted write") == 2
    assert debris.exists()  # not ours: reported, never removed


def test_every_command_recovers_first(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a, _ = staged_transaction(root, "forward", replaced=True)
    assert main(["query", "--project", str(root), "ASK { ?s ?p ?o }"]) == 0
    assert a.read_text() == NEW and not (root / JOURNAL_NAME).exists()


def test_a_file_changed_since_it_was_read_is_not_overwritten(tmp_path: Path) -> None:
    target = tmp_path / "a.ttl"
    target.write_text(OLD)
    seen = fingerprint(target)
    target.write_text(OLD + "ex:b ex:p 3 .\n")  # another editor saves in between
    with pytest.raises(ConcurrentChange, match="changed on disk since this command read it"):
        write_files({target: NEW}, expected={target: seen})
    assert "ex:b" in target.read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.ttl"]


def test_a_file_created_since_the_read_is_not_overwritten(tmp_path: Path) -> None:
    target = tmp_path / "a.ttl"
    target.write_text(OLD)
    with pytest.raises(ConcurrentChange):
        write_files({target: NEW}, expected={target: None})


def test_a_busy_lock_names_the_writer(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time, pathlib\n"
            "from swapgraph.journal import project_lock\n"
            "with project_lock(pathlib.Path(sys.argv[1])):\n"
            "    print('locked', flush=True); time.sleep(60)\n",
            str(root),
        ],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT / "src")},
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        with pytest.raises(LockBusy, match=rf"\(pid {holder.pid}\)"), project_lock(root, 0.2):
            pass
        os.environ["SWAPGRAPH_LOCK_WAIT"] = "0.2"
        try:
            code = main(["fmt", "--project", str(root)])
        finally:
            del os.environ["SWAPGRAPH_LOCK_WAIT"]
        assert code == 2
        err = capsys.readouterr().err
        assert f"another swapgraph command is writing to this project (pid {holder.pid})" in err
    finally:
        holder.kill()
        holder.wait()
    # The lock of a killed writer is stale: the next command takes it and removes it.
    assert (root / LOCK_NAME).exists()
    assert main(["fmt", "--check", "--project", str(root)]) == 0
    assert not (root / LOCK_NAME).exists()


def test_the_lock_is_reentrant_and_removed(tmp_path: Path) -> None:
    with project_lock(tmp_path), project_lock(tmp_path):
        assert (tmp_path / LOCK_NAME).read_text().strip() == str(os.getpid())
    assert not (tmp_path / LOCK_NAME).exists()
