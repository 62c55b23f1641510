"""The import's fast validation (only what the import adds) finds what a full one finds.

An import into a project known to conform checks only the new nodes
(:func:`swapgraph.validate.validate_additions`, evaluated by :mod:`swapgraph.shapecheck`);
these tests hold it to pyshacl's answer on the whole resulting graph, for rows breaking
every rule the shapes check beyond what the row parser already refuses.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rdflib import Graph

from swapgraph import validate as validate_module
from swapgraph.importer import full_validator, import_csv
from swapgraph.load import parse_files, shapes_graph
from swapgraph.paths import Project
from swapgraph.shapecheck import compile_shapes
from swapgraph.validate import validate_additions, validate_graph
from tests.conftest import REPO_ROOT
from tests.test_importer import REFERENCE_FILES, ROWS, snapshot, write_csv


@pytest.fixture
def scratch(tmp_path: Path) -> Project:
    """The real actors, places, agreements and sources (so it conforms), no exchanges."""
    root = tmp_path / "project"
    shutil.copytree(REPO_ROOT / "ontology", root / "ontology")
    shutil.copytree(REPO_ROOT / "shapes", root / "shapes")
    (root / "graph").mkdir()
    for name in (*REFERENCE_FILES, "sources"):
        shutil.copy(REPO_ROOT / "graph" / f"{name}.ttl", root / "graph" / f"{name}.ttl")
    return Project.open(root)


#: Rows the parser accepts but the shapes refuse, one per rule, plus valid ones around them.
BAD_ROWS = [
    ROWS["RU-UA-2024-01-31"],
    # swapsh:PeopleCount: more than 1,000,000 people.
    {**ROWS["RU-UA-2024-02-08"], "released_by_a": "1000001", "a_military": "", "a_civilians": ""},
    # swapsh:MilitaryCount and swapsh:TransferTotalVsCategories: categories above the total.
    {**ROWS["RU-UA-2024-05-31"], "released_by_a": "10", "a_military": "2000000"},
    # swapsh:TransferTotalVsCategories: 8 + 5 people of a total of 10.
    {**ROWS["RU-UA-2024-06-25"], "released_by_b": "10", "b_military": "8", "b_civilians": "5"},
    # swapsh:MediatorIsParty: a party as its own mediator.
    {
        **ROWS["RU-UA-2024-01-31"],
        "id": "RU-UA-2024-03-01",
        "date": "2024-03-01",
        "mediators": "Russia",
    },
    # swapsh:StageDate: carried out before the agreement it implements was made.
    {**ROWS["RU-UA-2025-05-23"], "id": "RU-UA-2025-05-10", "date": "2025-05-10"},
    # swapsh:CivilianCount: civilians past the maximum.
    {
        **ROWS["RU-UA-2024-01-31"],
        "id": "RU-UA-2024-03-02",
        "date": "2024-03-02",
        "released_by_b": "",
        "b_military": "",
        "b_civilians": "99999999999999999999999999",
    },
    ROWS["RU-US-2022-12-08"],
]


def test_project_shapes_are_evaluated_by_the_fast_checker() -> None:
    # Otherwise every import silently falls back to pyshacl and these tests prove nothing.
    assert compile_shapes(shapes_graph(Project.open(REPO_ROOT))) is not None


def test_fast_path_reports_what_full_validation_reports(
    scratch: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    csv_path = write_csv(tmp_path / "in.csv", BAD_ROWS)
    before = snapshot(scratch)
    full = import_csv(scratch, csv_path, validator=full_validator(scratch))
    assert not full.errors, full.errors

    # The default path must not run pyshacl at all on a project known to conform.
    from swapgraph.checked import checked_report

    assert checked_report(scratch).conforms

    def no_full_validation(project: Project, data: Graph) -> object:
        raise AssertionError("fell back to a full validation")

    monkeypatch.setattr(validate_module, "validate_graph", no_full_validation)
    import swapgraph.importer as importer_module

    monkeypatch.setattr(importer_module, "validate_graph", no_full_validation)
    fast = import_csv(scratch, csv_path)

    assert sorted(fast.violations) == sorted(full.violations)
    shapes = {v.rsplit("(", 1)[1].rstrip(")") for v in full.violations}
    assert {
        "swapsh:PeopleCount",
        "swapsh:MilitaryCount",
        "swapsh:CivilianCount",
        "swapsh:TransferTotalVsCategories",
        "swapsh:MediatorIsParty",
        "swapsh:StageDate",
    } <= shapes
    assert fast.written == [] and snapshot(scratch) == before


def test_valid_rows_pass_both_ways(scratch: Project, tmp_path: Path) -> None:
    rows = [r for r in ROWS.values() if r["date"] < "2023"][:15]
    csv_path = write_csv(tmp_path / "in.csv", rows)
    full = import_csv(scratch, csv_path, dry_run=True, validator=full_validator(scratch))
    fast = import_csv(scratch, csv_path, dry_run=True)
    assert full.ok and fast.ok and full.violations == fast.violations == []
    assert len(fast.added) == len(rows)


def test_a_project_not_known_to_conform_is_validated_whole(
    scratch: Project, tmp_path: Path
) -> None:
    # An existing problem is reported by the import, as a full validation does.
    states = scratch.graph_dir / "states.ttl"
    states.write_text(
        states.read_text(encoding="utf-8").replace('"RU"', '"Russia"', 1), encoding="utf-8"
    )
    report = import_csv(scratch, write_csv(tmp_path / "in.csv", [ROWS["RU-UA-2024-01-31"]]))
    assert any("swapsh:StateAlpha2" in v for v in report.violations), report.violations


def test_every_severity_matches_on_the_real_graph(tmp_path: Path) -> None:
    """Adding a year of the real graph: every new finding, Warnings too, as pyshacl's."""
    root = tmp_path / "project"
    for name in ("ontology", "shapes", "graph"):
        shutil.copytree(REPO_ROOT / name, root / name)
    project = Project.open(root)
    files = project.graph_files()
    added_file = root / "graph" / "exchanges-2024.ttl"
    existing = parse_files([f for f in files if f != added_file])
    additions = parse_files([added_file])
    before = validate_graph(project, existing)
    assert before.conforms
    after = validate_graph(project, existing + additions)
    fast = validate_additions(project, existing, additions)
    new_findings = set(after.results) - set(before.results)
    assert set(fast.results) == new_findings
    assert new_findings  # the year's exchanges have warnings (no handover place, ...)


def test_a_source_that_retypes_an_existing_node_is_validated_whole(
    scratch: Project, tmp_path: Path
) -> None:
    # A state's IRI given as a source: the state becomes a swap:Source too, which can change
    # what other nodes' class checks see, so the fast path hands over to pyshacl.
    row = {**ROWS["RU-UA-2024-01-31"], "source": "https://w3id.org/swapgraph/id/state/russia"}
    csv_path = write_csv(tmp_path / "in.csv", [row])
    full = import_csv(scratch, csv_path, dry_run=True, validator=full_validator(scratch))
    fast = import_csv(scratch, csv_path, dry_run=True)
    assert fast.violations == full.violations
