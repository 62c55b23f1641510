"""The import's fast validation finds what pyshacl finds on the whole resulting graph.

An import validates the graph it makes with :mod:`swapgraph.fast_validate`, reading the
existing graph and the new triples where they are
(:func:`swapgraph.validate.validate_additions`); these tests hold it to pyshacl's answer on
the whole resulting graph, for rows breaking every rule the shapes check beyond what the row
parser already refuses, and check the hand-over to pyshacl when the shapes use something
the fast validator does not evaluate.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from swapgraph import fast_validate
from swapgraph import validate as validate_module
from swapgraph.importer import full_validator, import_csv
from swapgraph.load import parse_files
from swapgraph.paths import Project
from swapgraph.validate import validate_additions, validate_graph
from tests.conftest import REPO_ROOT
from tests.test_importer import REFERENCE_FILES, ROWS, scratch_project, snapshot, write_csv


@pytest.fixture
def scratch(tmp_path: Path) -> Project:
    """The real actors, places, agreements and sources (so it conforms), no exchanges."""
    return scratch_project(tmp_path, (*REFERENCE_FILES, "sources"))


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


def test_project_shapes_are_evaluated_by_the_fast_validator(scratch: Project) -> None:
    # Otherwise every import silently falls back to pyshacl and these tests prove nothing.
    data = parse_files(scratch.graph_files())
    assert fast_validate.validate_graphs(scratch, [data]) is not None


def test_fast_path_reports_what_full_validation_reports(
    scratch: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    csv_path = write_csv(tmp_path / "in.csv", BAD_ROWS)
    before = snapshot(scratch)
    full = import_csv(scratch, csv_path, validator=full_validator(scratch))
    assert not full.errors, full.errors

    # The default path must not run pyshacl at all.
    def no_pyshacl(*args: object) -> object:
        raise AssertionError("fell back to pyshacl")

    monkeypatch.setattr(validate_module, "_validate", no_pyshacl)
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


def test_a_project_that_does_not_conform_is_reported_whole(
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
    """Adding a year of the real graph: every finding, Warnings too, as pyshacl's."""
    root = tmp_path / "project"
    for name in ("ontology", "shapes", "graph"):
        shutil.copytree(REPO_ROOT / name, root / name)
    project = Project.open(root)
    files = project.graph_files()
    added_file = root / "graph" / "exchanges-2024.ttl"
    existing = parse_files([f for f in files if f != added_file])
    additions = parse_files([added_file])
    fast = validate_additions(project, existing, additions)
    assert fast == validate_graph(project, existing + additions, engine="pyshacl")
    assert fast.counts()["Warning"]  # the year's exchanges have warnings (no handover place)
    violations = validate_additions(project, existing, additions, violations_only=True)
    assert violations.results == tuple(r for r in fast.results if r.severity == "Violation")


def test_a_source_that_retypes_an_existing_node_is_found_as_pyshacl_finds_it(
    scratch: Project, tmp_path: Path
) -> None:
    # A state's IRI given as a source: the state becomes a swap:Source too, which changes
    # what other nodes' class checks see.
    row = {**ROWS["RU-UA-2024-01-31"], "source": "https://w3id.org/swapgraph/id/state/russia"}
    csv_path = write_csv(tmp_path / "in.csv", [row])
    full = import_csv(scratch, csv_path, dry_run=True, validator=full_validator(scratch))
    fast = import_csv(scratch, csv_path, dry_run=True)
    assert fast.violations == full.violations


#: Shapes that fast_validate does not evaluate, each refusing the exchange of 2024-01-31.
UNSUPPORTED_SHAPES = {
    "sparql-constraint": """
        swapsh:NoJanuary31 a sh:NodeShape ; sh:targetClass swap:Exchange ;
            sh:sparql [ sh:message "no exchange on 31 January 2024" ; sh:select \"\"\"
                SELECT $this WHERE {
                    $this <https://w3id.org/swapgraph/ontology#date> ?d .
                    FILTER (STR(?d) = "2024-01-31") }\"\"\" ] .
    """,
    "qualified-value-shape": """
        swapsh:NoJanuary31 a sh:NodeShape ; sh:targetClass swap:Exchange ;
            sh:property [ sh:path swap:date ;
                sh:qualifiedValueShape [ sh:hasValue "2024-01-31"^^xsd:date ] ;
                sh:qualifiedMaxCount 0 ; sh:message "no exchange on 31 January 2024" ] .
    """,
}


@pytest.mark.parametrize("kind", sorted(UNSUPPORTED_SHAPES))
def test_shapes_the_fast_validator_lacks_hand_over_to_pyshacl(
    scratch: Project, tmp_path: Path, kind: str
) -> None:
    prefixes = (REPO_ROOT / "shapes" / "swapgraph-shapes.ttl").read_text(encoding="utf-8")
    header = "".join(line + "\n" for line in prefixes.splitlines() if line.startswith("@prefix"))
    (scratch.shapes_dir / "extra.ttl").write_text(header + UNSUPPORTED_SHAPES[kind])
    data = parse_files(scratch.graph_files())
    assert fast_validate.validate_graphs(scratch, [data]) is None

    csv_path = write_csv(tmp_path / "in.csv", [ROWS["RU-UA-2024-01-31"], ROWS["RU-US-2022-12-08"]])
    report = import_csv(scratch, csv_path, dry_run=True)
    full = import_csv(scratch, csv_path, dry_run=True, validator=full_validator(scratch))
    assert report.violations == full.violations
    assert [v for v in report.violations if "31 January 2024" in v] != []
