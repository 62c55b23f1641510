"""The validation cache: a report reused only for the same content, and validation in a child.

A cache hit is observed by what the caller gets, never by timing: pyshacl is made to fail
in the test process (a reuse cannot call it), or a report planted under the content's key
is what the command prints.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import swapgraph.fast_validate
import swapgraph.validate
from swapgraph.checked import checked_report, content_key
from swapgraph.errors import RDFSyntaxError
from swapgraph.paths import Project
from swapgraph.validate import validate_project
from tests.conftest import TEST_DATA
from tests.test_validate_cli import scratch_project  # noqa: F401  (a fixture)

BROKEN = TEST_DATA / "shapes" / "cli" / "broken.ttl"


@pytest.fixture
def scratch(scratch_project: Path) -> Project:  # noqa: F811
    """The repository's ontology and shapes, and a small graph with violations."""
    shutil.copy(BROKEN, scratch_project / "graph" / "broken.ttl")
    return Project.open(scratch_project)


def _no_pyshacl(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("pyshacl ran although the content is unchanged")

    monkeypatch.setattr(swapgraph.validate, "run_shacl", refuse)
    # The default validator is swapgraph.fast_validate: it must not run either.
    monkeypatch.setattr(swapgraph.fast_validate, "validate_files", refuse)


def test_unchanged_content_reuses_the_report(
    scratch: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = checked_report(scratch)
    assert first == validate_project(scratch)
    assert not first.conforms
    assert scratch.validation_cache_file.is_file()
    _no_pyshacl(monkeypatch)
    assert checked_report(scratch) == first


def test_a_changed_file_validates_again(scratch: Project) -> None:
    before = checked_report(scratch)
    # Fix the graph by removing the broken file's content and writing a valid one.
    (scratch.graph_dir / "broken.ttl").unlink()
    shutil.copy(TEST_DATA / "shapes" / "valid" / "exchanges.ttl", scratch.graph_dir)
    shutil.copy(TEST_DATA / "shapes" / "background.ttl", scratch.graph_dir)
    after = checked_report(scratch)
    assert after != before
    assert after == validate_project(scratch)
    assert after.conforms


def test_a_changed_shape_validates_again(scratch: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    checked_report(scratch)
    with (scratch.shapes_dir / "swapgraph-shapes.ttl").open("a", encoding="utf-8") as out:
        out.write("\n# an edit\n")
    _no_pyshacl(monkeypatch)
    with pytest.raises(AssertionError, match="pyshacl ran"):
        checked_report(scratch)


def test_another_pyshacl_version_validates_again(
    scratch: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = content_key(scratch)
    monkeypatch.setattr("swapgraph.checked._package_version", lambda name: "0.0-other")
    assert content_key(scratch) != key


@pytest.mark.parametrize(
    "garbage",
    ["", '{"key": ', "[]", '{"key": "KEY", "results": [{"nope": 1}], "shapes": []}'],
    ids=["empty", "truncated", "not-an-object", "wrong-fields"],
)
def test_a_corrupted_cache_file_is_ignored_and_rewritten(scratch: Project, garbage: str) -> None:
    expected = validate_project(scratch)
    scratch.cache_dir.mkdir()
    scratch.validation_cache_file.write_text(
        garbage.replace("KEY", content_key(scratch)), encoding="utf-8"
    )
    assert checked_report(scratch) == expected
    assert json.loads(scratch.validation_cache_file.read_text())["key"] == content_key(scratch)


def test_no_cache_leaves_the_folder_alone(scratch: Project) -> None:
    checked_report(scratch, use_cache=False)
    assert not scratch.cache_dir.exists()


def test_a_read_only_cache_folder_does_not_stop_validation(scratch: Project) -> None:
    scratch.cache_dir.write_text("a file where the folder should be", encoding="utf-8")
    assert checked_report(scratch) == validate_project(scratch)


def test_validation_in_a_child_process(scratch: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = validate_project(scratch)
    # The child is spawned, so it does not inherit this patch: only it can have validated.
    _no_pyshacl(monkeypatch)
    assert checked_report(scratch, child=True) == expected


def test_a_syntax_error_in_the_child_names_file_and_line(scratch: Project) -> None:
    bad = TEST_DATA / "shapes" / "cli" / "not-turtle.ttl"
    shutil.copy(bad, scratch.graph_dir / "bad.ttl")
    with pytest.raises(RDFSyntaxError) as raised:
        checked_report(scratch, child=True)
    assert raised.value.path == scratch.graph_dir / "bad.ttl"
    assert raised.value.line == 3
    assert not scratch.validation_cache_file.exists()


def _plant(project: Project, message: str) -> None:
    """Store a report with one made-up Violation under the project's real content key."""
    planted = {
        "key": content_key(project),
        "results": [
            {
                "severity": "Violation",
                "focus": "exchange:planted",
                "path": None,
                "value": None,
                "shape": "swapsh:Planted",
                "message": message,
                "file": "graph/planted.ttl",
                "line": 1,
            }
        ],
        "shapes": ["swapsh:Planted"],
    }
    project.cache_dir.mkdir(exist_ok=True)
    project.validation_cache_file.write_text(json.dumps(planted), encoding="utf-8")


def _swapgraph(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "swapgraph", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_validate_command_reuses_the_cached_report(scratch: Project) -> None:
    (scratch.graph_dir / "broken.ttl").unlink()  # an empty graph conforms
    _plant(scratch, "planted in the cache")
    cached = _swapgraph("validate", "--project", str(scratch.root))
    assert cached.returncode == 1
    assert "planted in the cache" in cached.stdout
    fresh = _swapgraph("validate", "--no-cache", "--project", str(scratch.root))
    assert fresh.returncode == 0, fresh.stdout


def test_serve_reuses_the_cached_report(scratch: Project) -> None:
    (scratch.graph_dir / "broken.ttl").unlink()
    _plant(scratch, "planted for serve")
    served = _swapgraph("serve", "--project", str(scratch.root), "--port", "9")
    # The planted Violation stops serve before it binds a port, as a real one would.
    assert served.returncode == 1
    assert "planted for serve" in served.stdout


def test_files_are_hashed_a_piece_at_a_time_to_the_same_key(tmp_path: Path) -> None:
    # A server hashes its data files on every start: reading the 5M project's whole files
    # (up to 28 MB each) left a process 27 MiB larger. The key is the one they gave, so that
    # caches written before stay valid.
    import hashlib
    import tracemalloc

    from swapgraph import __version__
    from swapgraph.checked import _FORMAT, files_key

    project = Project(tmp_path)
    (tmp_path / "graph").mkdir()
    big = tmp_path / "graph" / "big.ttl"
    big.write_bytes(b"# filler\n" * 1_000_000)  # 9 MB
    small = tmp_path / "graph" / "small.ttl"
    small.write_bytes(b"<urn:a> <urn:b> <urn:c> .\n")
    tracemalloc.start()
    try:
        key = files_key(project, [big, small], ())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 3_000_000, f"{peak} bytes at once to hash a 9 MB file"
    expected = hashlib.sha256(f"format {_FORMAT}\nswapgraph {__version__}\n".encode())
    for path in (big, small):
        data = path.read_bytes()
        expected.update(f"graph/{path.name}\0{len(data)}\0".encode() + data)
    assert key == expected.hexdigest()
