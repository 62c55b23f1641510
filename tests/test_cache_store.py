"""The cached Oxigraph store of ``swapgraph query``: reused while the files are unchanged."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import swapgraph.engine
from swapgraph.engine import OxigraphEngine, SelectResult, open_engine
from swapgraph.paths import Project

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def _count(engine: OxigraphEngine | swapgraph.engine.Engine) -> int:
    result = engine.query(COUNT)
    assert isinstance(result, SelectResult)
    value = result.rows[0]["n"]
    assert value is not None
    return int(value.toPython())


def _stores(project: Project) -> list[Path]:
    return sorted(project.cache_dir.glob("store-*"))


def test_the_cached_store_answers_as_the_files_do(project_copy: Project) -> None:
    assert _count(open_engine(project_copy, cached=True)) == _count(open_engine(project_copy))
    assert len(_stores(project_copy)) == 1


def test_unchanged_files_reuse_the_store(
    project_copy: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _count(open_engine(project_copy, cached=True))

    def no_parsing(*_: object, **__: object) -> None:
        raise AssertionError("the files were parsed although they are unchanged")

    monkeypatch.setattr(OxigraphEngine, "from_files", no_parsing)
    assert _count(open_engine(project_copy, cached=True)) == first


def test_a_changed_file_builds_a_new_store_and_drops_the_old(project_copy: Project) -> None:
    before = _count(open_engine(project_copy, cached=True))
    old_store = _stores(project_copy)
    with (project_copy.graph_dir / "extra.ttl").open("w", encoding="utf-8") as out:
        out.write("<urn:x:a> <urn:x:b> <urn:x:c> .\n")
    assert _count(open_engine(project_copy, cached=True)) == before + 1
    assert _stores(project_copy) != old_store and len(_stores(project_copy)) == 1


def test_an_unwritable_cache_folder_falls_back_to_memory(project_copy: Project) -> None:
    project_copy.cache_dir.write_text("a file where the folder should be", encoding="utf-8")
    assert _count(open_engine(project_copy, cached=True)) == _count(open_engine(project_copy))


def test_query_command_uses_the_cache(project_copy: Project) -> None:
    command = [sys.executable, "-m", "swapgraph", "query", "--project", str(project_copy.root)]
    first = subprocess.run([*command, COUNT, "--format", "csv"], capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    assert len(_stores(project_copy)) == 1
    again = subprocess.run([*command, COUNT, "--format", "csv"], capture_output=True, text=True)
    assert again.stdout == first.stdout
