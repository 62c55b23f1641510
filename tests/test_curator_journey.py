"""A new curator adds the exchange of the day: each step of the journey is a test.

The steps run in order on one copy of the repository's project; each test asserts what
the curator sees at that step.
"""

from __future__ import annotations

import json
import shutil

import pytest

from swapgraph.cli import main
from swapgraph.paths import Project
from swapgraph.validate import validate_project
from tests.conftest import REPO_ROOT

EXCHANGE = "https://w3id.org/swapgraph/id/exchange/2026-11-27-ru-ua"
SOURCE = "https://example.org/news/2026-11-27-prisoner-exchange"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Project:
    root = tmp_path_factory.mktemp("curator")
    for folder in ("ontology", "shapes", "graph", "api"):
        shutil.copytree(REPO_ROOT / folder, root / folder)
    return Project.open(root)


def warnings_about(project: Project) -> list[str]:
    report = validate_project(project)
    return [
        f"{r.severity} {r.path} {r.message}"
        for r in report.results
        if r.focus.startswith("exchange:2026-11-27-ru-ua")
    ]


def test_1_new_exchange(workspace: Project, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["new", "exchange", "--project", str(workspace.root), "--date", "2026-11-27"]
    argv += ["--between", "Russia", "Ukraine", "--mediator", "UAE", "--source", SOURCE]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert f"added <{EXCHANGE}>" in out
    assert "how many people Russia released to Ukraine" in out


def test_2_missing_counts_are_warnings(workspace: Project) -> None:
    found = warnings_about(workspace)
    assert validate_project(workspace).conforms
    counts = [w for w in found if "swap:peopleCount" in w]
    # Both transfers lack a count, and the report tells them apart by their direction.
    assert len(counts) == 2 and all(w.startswith("Warning") for w in counts)


def test_3_fill_in_the_counts_by_hand(workspace: Project) -> None:
    path = workspace.graph_dir / "exchanges-2026.ttl"
    text = path.read_text(encoding="utf-8")
    start = text.index("exchange:2026-11-27-ru-ua a swap:Exchange")
    block = text[start:]
    # As a curator types them: a new line after each receivedBy, not in canonical order.
    for receiver, count in (("state:russia", 120), ("state:ukraine", 121)):
        line = f"swap:receivedBy {receiver} ;"
        assert block.count(line) == 1
        block = block.replace(line, f"{line} swap:peopleCount {count} ;")
    handover = "swap:date "
    block = block.replace(handover, "swap:handoverPlace place:abu-dhabi ;\n    " + handover, 1)
    if "@prefix place:" not in text:
        text = "@prefix place: <https://w3id.org/swapgraph/id/place/> .\n" + text
        start += len("@prefix place: <https://w3id.org/swapgraph/id/place/> .\n")
    path.write_text(text[:start] + block, encoding="utf-8")
    assert not [w for w in warnings_about(workspace) if "swap:peopleCount" in w]


def test_4_validate_conforms(workspace: Project, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--format", "json", "--project", str(workspace.root)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["conforms"] is True
    mine = [r for r in report["results"] if r["focus"].startswith("exchange:2026-11-27")]
    # What the sources did not give (a breakdown by category) stays visible as a Warning.
    assert mine and {r["severity"] for r in mine} == {"Warning"}


def test_5_fmt_check(workspace: Project, capsys: pytest.CaptureFixture[str]) -> None:
    project = ["--project", str(workspace.root)]
    assert main(["fmt", "--check", *project]) == 1
    assert capsys.readouterr().out.splitlines() == [
        f"would reformat: {workspace.graph_dir / 'exchanges-2026.ttl'}"
    ]
    assert main(["fmt", *project]) == 0
    assert main(["fmt", "--check", *project]) == 0


def test_6_query_sees_the_exchange(workspace: Project, capsys: pytest.CaptureFixture[str]) -> None:
    query = f"""
        PREFIX swap: <https://w3id.org/swapgraph/ontology#>
        SELECT ?count WHERE {{
          <{EXCHANGE}> swap:transfer [ swap:receivedBy ?to ; swap:peopleCount ?count ] .
        }} ORDER BY ?count
    """
    assert main(["query", query, "--format", "json", "--project", str(workspace.root)]) == 0
    out = json.loads(capsys.readouterr().out)
    counts = [int(b["count"]["value"]) for b in out["results"]["bindings"]]
    assert counts == [120, 121]


def test_7_diff_shows_the_new_exchange(
    workspace: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["diff", str(REPO_ROOT), str(workspace.root)]) == 0
    out = capsys.readouterr().out
    assert "exchange 2026-11-27 Russia\u2013Ukraine: added" in out
    assert f"source <{SOURCE}>: added" in out
