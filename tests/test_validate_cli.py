"""``swapgraph validate``: exit codes, report formats, locations, and no file touched."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from swapgraph.cli import main
from tests.conftest import REPO_ROOT, TEST_DATA

CLI_DATA = TEST_DATA / "shapes" / "cli"
BROKEN = CLI_DATA / "broken.ttl"

#: Each mistake of broken.ttl: the exchange that holds it, the shape and a word of its message.
MISTAKES = [
    ("exchange:example-negative-count", "swapsh:PeopleCount", "0 to 1,000,000"),
    ("exchange:example-categories-off", "swapsh:TransferTotalVsCategories", "exceed"),
    ("exchange:example-self-exchange", "swapsh:TransferActorsDiffer", "with itself"),
    ("exchange:example-unsourced", "swapsh:ExchangeSource", "dct:source"),
    ("exchange:example-impossible-date", "swapsh:ExchangeDate", "valid xsd:date"),
]


@pytest.fixture
def scratch_project(tmp_path: Path) -> Path:
    """A project with the repository's ontology and shapes and an empty graph."""
    root = tmp_path / "project"
    for folder in ("ontology", "shapes"):
        shutil.copytree(REPO_ROOT / folder, root / folder)
    (root / "graph").mkdir()
    return root


def _line_of(path: Path, subject: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, start=1) if line.startswith(f"{subject} "))


def _hashes(*roots: Path) -> dict[Path, str]:
    return {
        path: hashlib.sha256(path.read_bytes()).hexdigest()
        for root in roots
        for path in ([root] if root.is_file() else sorted(root.rglob("*")))
        if path.is_file()
    }


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["validate", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_broken_file_names_file_line_shape_and_message(
    scratch_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _hashes(scratch_project, BROKEN)
    code, out, _ = _run(capsys, str(BROKEN), "--project", str(scratch_project))
    assert code == 1
    for subject, shape, words in MISTAKES:
        line = _line_of(BROKEN, subject)
        pattern = rf"^  {re.escape(str(BROKEN))}:{line}  Violation  {shape}  .*{words}.*$"
        assert re.search(pattern, out, re.MULTILINE), f"{shape} at line {line} not in:\n{out}"
    assert "does not conform: 5 violations" in out
    assert _hashes(scratch_project, BROKEN) == before


def test_json_report(scratch_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, str(BROKEN), "--project", str(scratch_project), "--format", "json")
    assert code == 1
    document = json.loads(out)
    assert document["conforms"] is False
    assert document["counts"]["violations"] == len(MISTAKES)
    violations = [r for r in document["results"] if r["severity"] == "Violation"]
    assert {r["shape"] for r in violations} == {shape for _, shape, _ in MISTAKES}
    date = next(r for r in violations if r["shape"] == "swapsh:ExchangeDate")
    assert date == {
        "file": str(BROKEN),
        "line": _line_of(BROKEN, "exchange:example-impossible-date"),
        "severity": "Violation",
        "focus": "exchange:example-impossible-date",
        "path": "swap:date",
        "value": '"2025-02-30"^^xsd:date',
        "shape": "swapsh:ExchangeDate",
        "message": date["message"],
    }
    count = next(r for r in violations if r["shape"] == "swapsh:PeopleCount")
    assert count["focus"] == (
        "exchange:example-negative-count swap:transfer "
        "[ swap:releasedBy state:russia ; swap:receivedBy state:ukraine ]"
    )
    assert count["value"] == '"-5"^^xsd:integer'


def test_junit_report_fails_one_case_per_violated_shape(
    scratch_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _run(capsys, str(BROKEN), "--project", str(scratch_project), "--format", "junit")
    assert code == 1
    suite = ET.fromstring(out).find("testsuite")
    assert suite is not None
    cases = suite.findall("testcase")
    failed = {case.get("name") for case in cases if case.find("failure") is not None}
    assert failed == {shape for _, shape, _ in MISTAKES}
    assert int(suite.get("failures", "-1")) == len(failed)
    assert int(suite.get("tests", "-1")) == len(cases) > len(failed)


def test_github_report(scratch_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(
        capsys, str(BROKEN), "--project", str(scratch_project), "--format", "github"
    )
    assert code == 1
    errors = [line for line in out.splitlines() if line.startswith("::error ")]
    assert len(errors) == len(MISTAKES)
    line = _line_of(BROKEN, "exchange:example-self-exchange")
    assert f"::error file={BROKEN},line={line},title=swapsh%3ATransferActorsDiffer::" in out
    assert any(line.startswith("::warning ") for line in out.splitlines())


def test_warnings_alone_conform(scratch_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    valid = TEST_DATA / "shapes" / "valid" / "exchanges.ttl"
    background = TEST_DATA / "shapes" / "background.ttl"
    code, out, _ = _run(capsys, str(background), str(valid), "--project", str(scratch_project))
    assert code == 0
    assert "  Warning  " in out
    assert out.splitlines()[-1].startswith("conforms: 0 violations")


def test_malformed_turtle_exits_2_with_line_and_column(
    scratch_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = CLI_DATA / "not-turtle.ttl"
    code, out, err = _run(capsys, str(bad), "--project", str(scratch_project))
    assert code == 2
    assert out == ""
    assert re.fullmatch(rf"swapgraph: error: {re.escape(str(bad))}:3:\d+: not valid RDF: .+\n", err)


def test_missing_file_exits_2(scratch_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = scratch_project / "graph" / "nope.ttl"
    code, _, err = _run(capsys, str(missing), "--project", str(scratch_project))
    assert code == 2
    assert err == f"swapgraph: error: {missing}: no such file\n"


def test_project_without_shapes_exits_2(
    scratch_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for shape_file in (scratch_project / "shapes").iterdir():
        shape_file.unlink()
    code, _, err = _run(capsys, "--project", str(scratch_project))
    assert code == 2
    assert str(scratch_project / "shapes") in err
    assert "Traceback" not in err


def test_the_repository_graph_conforms(capsys: pytest.CaptureFixture[str]) -> None:
    before = _hashes(REPO_ROOT / "graph", REPO_ROOT / "ontology", REPO_ROOT / "shapes")
    code, out, _ = _run(capsys, "--project", str(REPO_ROOT))
    assert code == 0, out
    assert _hashes(REPO_ROOT / "graph", REPO_ROOT / "ontology", REPO_ROOT / "shapes") == before


def test_full_iri_subjects_are_located(
    scratch_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    examples = TEST_DATA / "shapes" / "invalid" / "exchanges.ttl"
    code, out, _ = _run(
        capsys, str(examples), "--project", str(scratch_project), "--format", "json"
    )
    assert code == 1
    (result,) = [r for r in json.loads(out)["results"] if r["shape"] == "swapsh:ExchangeShape"]
    assert (result["file"], result["line"]) == (
        str(examples),
        _line_of(examples, "<https://example.org/exchange/1>"),
    )
