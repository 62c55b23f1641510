from __future__ import annotations

from pathlib import Path

import pytest

from swapgraph.cli import main
from tests.conftest import REPO_ROOT


def test_info_reports_ontology_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["info", "--project", str(REPO_ROOT)]) == 0
    out = capsys.readouterr().out
    from swapgraph import __version__

    assert f"ontology version: {__version__}" in out


def test_project_option_before_and_after_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--project", str(tmp_path), "info"]) == 2
    assert main(["info", "--project", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count(f"{tmp_path}") == 2
    assert "Traceback" not in err


def test_missing_project_is_one_line_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["info", "--project", "/nonexistent/swapgraph"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == "swapgraph: error: /nonexistent/swapgraph: no such project directory"


def test_info_counts_entities_of_the_real_graph(capsys: pytest.CaptureFixture[str]) -> None:
    import csv

    from tests.conftest import TEST_DATA

    with (TEST_DATA / "exchanges.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert main(["info", "--project", str(REPO_ROOT)]) == 0
    out = capsys.readouterr().out
    counts = {
        line.split()[0]: int(line.split()[1]) for line in out.splitlines() if line.startswith("  ")
    }
    # The researched rows, and the exchanges the 2026 edition added beyond them.
    assert counts["Exchange"] >= len(rows)
    # Blank-node entities (transfers, mediations, claims) are counted too.
    assert counts["Transfer"] >= len(rows)
    assert counts["Mediation"] > 0
    assert counts["Claim"] > 0
    # The latest exchange is the Russia-Ukraine exchange of 15 May 2026 (205 each way).
    assert f"exchanges from:   {min(r['date'] for r in rows)} to 2026-05-15" in out


def test_readme_documents_every_exit_code() -> None:
    import re

    from uvicorn.main import STARTUP_FAILURE

    from swapgraph import cli

    readme = (REPO_ROOT / "README.md").read_text()
    documented = {int(code) for code in re.findall(r"^\| (\d) \| ", readme, re.MULTILINE)}
    constants = {value for name, value in vars(cli).items() if name.startswith("EXIT_")}
    # uvicorn's own exit code when `serve` cannot listen (a busy port).
    assert documented == constants | {STARTUP_FAILURE}


def _loaded(script: str, modules: tuple[str, ...]) -> list[str]:
    """Which of ``modules`` a fresh interpreter has loaded after running ``script``."""
    import subprocess
    import sys

    script += f"\nimport json, sys\nprint(json.dumps([m for m in {modules!r} if m in sys.modules]))"
    env = {"PYTHONPATH": str(REPO_ROOT / "src")}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, env=env
    )
    import json

    return list(json.loads(done.stdout))


def test_a_query_worker_loads_no_web_framework() -> None:
    # The server starts its query workers as fresh processes (and replaces one that died):
    # each imports swapgraph.worker to run its jobs, and the web framework and the pages
    # would double its start-up and cost it about 37 MiB.
    script = "import swapgraph.worker"
    web = ("fastapi", "starlette", "uvicorn", "jinja2", "swapgraph.server")
    assert _loaded(script, web) == []


def test_serve_loads_the_web_framework_once_the_project_validates() -> None:
    # A project that does not parse or validate is refused before FastAPI is loaded.
    assert _loaded("import swapgraph.serve", ("fastapi", "swapgraph.server.app")) == []


def test_release_and_fmt_load_no_query_engine() -> None:
    # Every command builds the whole parser, and a release or fmt is a process of its own:
    # the SPARQL engines, the HTTP client and the network analysis are for the commands that
    # query, and loading them would double the start-up of the others.
    script = "from swapgraph.cli import build_parser\nimport swapgraph.fmt, swapgraph.release\n"
    script += "build_parser()"
    heavy = ("swapgraph.engine", "httpx", "networkx", "rdflib.plugins.sparql")
    assert _loaded(script, heavy) == []
