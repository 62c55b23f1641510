"""The notebook API: the README's example runs as written, and answers match the CLI's."""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import swapgraph
from swapgraph.errors import ParameterError, SwapgraphError, UnknownNameError
from swapgraph.named_queries import load_named_queries
from swapgraph.notebook import Results
from swapgraph.paths import Project

ROOT = Path(__file__).resolve().parent.parent


def readme_block(heading: str, language: str) -> str:
    """Return the first ``language`` code block under a README heading."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split(f"\n{heading}\n", 1)[1]
    section = re.split(r"\n## ", section, maxsplit=1)[0]
    match = re.search(rf"```{language}\n(.*?)```", section, re.S)
    assert match, f"no {language} block under {heading!r}"
    return match.group(1)


@pytest.fixture(scope="module")
def graph() -> swapgraph.notebook.SwapGraph:
    return swapgraph.open(ROOT)


def test_readme_example_runs_as_written(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("pandas")
    monkeypatch.chdir(ROOT)
    code = readme_block("## From Python (notebooks)", "python")
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code, "README.md", "exec"), {"__name__": "__readme__"})
    # The example prints what it promises: the columns, the rows, the report.
    assert "['exchange', 'date', 'state_a', 'state_b']" in printed.getvalue()
    assert "released_by_a" in printed.getvalue()


def test_import_stays_cheap() -> None:
    heavy = "('rdflib', 'pyoxigraph')"
    code = f"import sys, swapgraph; print(sorted(m for m in {heavy} if m in sys.modules))"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert out.stdout.strip() == "[]", out.stderr
    assert swapgraph.__version__


def test_named_query_rows_match_the_engine(graph: swapgraph.notebook.SwapGraph) -> None:
    named = load_named_queries(Project.open(ROOT))["exchanges-between"]
    expected = named.run(graph.engine, {"state_b": "state:ukraine"})
    rows = graph.query("exchanges-between", state_b="Ukraine")
    assert isinstance(rows, Results)
    assert rows.columns == expected.variables  # type: ignore[union-attr]
    assert len(rows) == len(expected.rows) > 0  # type: ignore[union-attr]
    first = next(iter(rows))
    assert set(first) == set(rows.columns)
    assert isinstance(first["exchange"], str)
    assert first["date"] == expected.rows[0]["date"].toPython()  # type: ignore[union-attr]


def test_unknown_name_raises_with_close_matches(graph: swapgraph.notebook.SwapGraph) -> None:
    with pytest.raises(UnknownNameError, match="Ukraine"):
        graph.query("exchanges-between", state_b="ukrane")
    with pytest.raises(ParameterError):
        graph.query("PREFIX s: <urn:x#> SELECT * WHERE { ?a ?b ?c }", state_b="Ukraine")


def test_ask_and_construct(graph: swapgraph.notebook.SwapGraph) -> None:
    prefix = "PREFIX swap: <https://w3id.org/swapgraph/ontology#> "
    assert graph.query(prefix + "ASK { ?e a swap:Exchange }") is True
    built = graph.query(prefix + "CONSTRUCT { ?e a swap:Exchange } WHERE { ?e a swap:Exchange }")
    assert len(built) > 0  # type: ignore[arg-type]


def test_export_is_the_cli_export(graph: swapgraph.notebook.SwapGraph, tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    args = ["export", "nodes-csv", "--from", "2025-01-01", "--state", "Ukraine"]
    cli = subprocess.run(
        [sys.executable, "-m", "swapgraph", "--project", str(ROOT), *args],
        capture_output=True, env=env, check=True,
    ).stdout  # fmt: skip
    import datetime as dt

    ours = graph.export("nodes-csv", start=dt.date(2025, 1, 1), state="Ukraine")
    assert ours == cli
    written = graph.export("nodes-csv", tmp_path / "n.csv", start="2025-01-01", state=["UA"])
    assert Path(written).read_bytes() == cli
    with pytest.raises(SwapgraphError):
        graph.export("nodes-csv", start="2025-02-01", end="2025-01-01")


def test_validate_is_the_cli_report(graph: swapgraph.notebook.SwapGraph) -> None:
    from swapgraph.checked import checked_report

    assert graph.validate() == checked_report(Project.open(ROOT))


def test_to_pandas_without_pandas_says_what_to_install(
    graph: swapgraph.notebook.SwapGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    # None in sys.modules makes `import pandas` raise ImportError, as if not installed.
    monkeypatch.setitem(sys.modules, "pandas", None)
    rows = graph.query("exchanges-between")
    with pytest.raises(ImportError, match=r"swapgraph\[notebook\]"):
        rows.to_pandas()  # type: ignore[union-attr]


def test_endpoint_needs_a_project_for_named_queries() -> None:
    remote = swapgraph.open("http://127.0.0.1:9/sparql")
    with pytest.raises(SwapgraphError, match="project"):
        remote.query("exchanges-between")
    with pytest.raises(SwapgraphError, match="project"):
        remote.validate()


# --------------------------------------------------------------------------- client recipes

README_SERVER = "http://127.0.0.1:8000"


def recipe(language: str) -> str:
    return readme_block("### Client recipes", language)


@pytest.mark.slow
def test_pandas_recipe_reads_every_row(shared_server: Any, graph: Any) -> None:
    pytest.importorskip("pandas")
    code = recipe("python").replace(README_SERVER, shared_server.url)
    assert code != recipe("python"), "the recipe names no server address"
    names: dict[str, Any] = {}
    exec(compile(code, "README.md", "exec"), names)
    expected = graph.query("exchanges-between", state_a="Russia", state_b="UA")
    assert list(names["by_name"].columns) == expected.columns
    assert len(names["by_name"]) == len(expected) > 0
    every = graph.query(
        "PREFIX swap: <https://w3id.org/swapgraph/ontology#> "
        "SELECT ?exchange WHERE { ?exchange a swap:Exchange }"
    )
    assert len(names["exchanges"]) == len(names["with_accept"]) == len(every) > 0
    assert list(names["exchanges"].columns) == ["exchange", "date"]


@pytest.mark.slow
def test_curl_recipe_runs_as_written(shared_server: Any, tmp_path: Path) -> None:
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed")
    script = recipe("sh").replace(README_SERVER, shared_server.url)
    done = subprocess.run(
        ["bash", "-e", "-c", script.replace("curl ", "curl -sSf ")],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("exchange,date,state_a,state_b")
    assert "exchange,date" in lines
    assert (tmp_path / "actors.gexf").read_bytes().startswith(b"<?xml")


@pytest.mark.slow
def test_endpoint_answers_as_the_folder(shared_server: Any, graph: Any) -> None:
    remote = swapgraph.open(shared_server.sparql, project=ROOT)
    here = graph.query("exchanges-between", state_b="Ukraine", **{"from": "2025-01-01"})
    there = remote.query("exchanges-between", state_b="Ukraine", **{"from": "2025-01-01"})
    assert there.columns == here.columns
    # Same rows; a GROUP_CONCAT's order (the mediators) is the engine's to choose.
    key = [(r["exchange"], r["released_by_a"], r["released_by_b"]) for r in here]
    assert [(r["exchange"], r["released_by_a"], r["released_by_b"]) for r in there] == key
    assert remote.export("nodes-csv", state="UA") == graph.export("nodes-csv", state="UA")
