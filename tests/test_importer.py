from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import networkx as nx
import pytest
from rdflib import Graph, Literal
from rdflib.namespace import DCTERMS, RDF, RDFS

from swapgraph.csvsafe import neutralise
from swapgraph.engine import SelectResult, open_engine
from swapgraph.errors import SwapgraphError
from swapgraph.exports import write_edges_csv, write_nodes_csv
from swapgraph.importer import COLUMNS, exchange_slug, import_csv, url_date
from swapgraph.load import parse_file
from swapgraph.namespaces import ID, SWAP
from swapgraph.paths import Project
from swapgraph.results import render
from swapgraph.turtle import check_canonical
from tests.conftest import REPO_ROOT, TEST_DATA

ROWS = {r["id"]: r for r in csv.DictReader((TEST_DATA / "exchanges.csv").open(encoding="utf-8"))}
REFERENCE_FILES = ("states", "armed-groups", "organisations", "persons", "places", "agreements")


def no_shapes(graph: Graph) -> list[str]:
    return []


def scratch_project(tmp_path: Path, graph_files: tuple[str, ...] = REFERENCE_FILES) -> Project:
    """A project with the ontology, the shapes and the given files of the real graph."""
    root = tmp_path / "project"
    shutil.copytree(REPO_ROOT / "ontology", root / "ontology")
    shutil.copytree(REPO_ROOT / "shapes", root / "shapes")
    (root / "graph").mkdir()
    for name in graph_files:
        shutil.copy(REPO_ROOT / "graph" / f"{name}.ttl", root / "graph" / f"{name}.ttl")
    return Project.open(root)


@pytest.fixture
def scratch(tmp_path: Path) -> Project:
    """A project with the real actors, places and agreements but no exchanges."""
    return scratch_project(tmp_path)


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(COLUMNS), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: row.get(c, "") for c in COLUMNS})
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def snapshot(project: Project) -> dict[str, str]:
    return {p.name: p.read_text() for p in project.graph_files()}


@pytest.mark.parametrize(
    ("row_id", "slug"),
    [
        ("RU-UA-2025-05-23", "2025-05-23-ru-ua"),
        ("RU-UA-2022-09-21b", "2022-09-21-ru-ua-b"),
        ("RU-BY-US-DE-2024-08-01", "2024-08-01-ru-by-us-de"),
    ],
)
def test_exchange_slug(row_id: str, slug: str) -> None:
    assert exchange_slug(row_id) == slug


@pytest.mark.parametrize(
    ("url", "date"),
    [
        ("https://www.pravda.com.ua/eng/news/2022/04/1/7336376/", "2022-04-01"),
        ("http://en.people.cn/n3/2022/0325/c90000-9975754.html", "2022-03-25"),
        ("https://www.spokesman.com/stories/2024/jul/17/russia-and-ukraine/", "2024-07-17"),
        ("https://www.nprillinois.org/2022-03-24/snake-island", "2022-03-24"),
        ("https://sputnikglobe.com/20250620/russia-ukraine-1122299014.html", "2025-06-20"),
        ("https://www.trtworld.com/article/18254131", None),
    ],
)
def test_url_date(url: str, date: str | None) -> None:
    found = url_date(url)
    assert (found.isoformat() if found else None) == date


def test_imports_rows_into_the_year_files(scratch: Project, tmp_path: Path) -> None:
    rows = [ROWS["RU-UA-2025-05-23"], ROWS["RU-BY-US-DE-2024-08-01"], ROWS["RU-US-2022-12-08"]]
    report = import_csv(scratch, write_csv(tmp_path / "in.csv", rows), validator=no_shapes)
    assert report.ok, report.errors
    names = sorted(p.name for p in report.written)
    assert names == [
        "exchanges-2022.ttl",
        "exchanges-2024.ttl",
        "exchanges-2025.ttl",
        "sources.ttl",
    ]
    assert all(check_canonical(p) for p in report.written)
    graph = parse_file(scratch.graph_dir / "exchanges-2025.ttl")
    ex = ID["exchange/2025-05-23-ru-ua"]
    assert graph.value(ex, DCTERMS.identifier) == Literal("RU-UA-2025-05-23")
    assert str(graph.value(ex, RDFS.label)) == "Russia\u2013Ukraine exchange of 23 May 2025"
    counts = {
        str(graph.value(t, SWAP.releasedBy)).rsplit("/", 1)[1]: (
            graph.value(t, SWAP.peopleCount),
            graph.value(t, SWAP.militaryCount),
            graph.value(t, SWAP.civilianCount),
        )
        for t in graph.objects(ex, SWAP.transfer)
    }
    assert counts == {
        "russia": (Literal(390), Literal(270), Literal(120)),
        "ukraine": (Literal(390), Literal(270), Literal(120)),
    }
    # Matched by date and venue to the agreement already in the graph.
    assert graph.value(ex, SWAP.implements) == ID["agreement/2025-05-16-istanbul"]
    sources = parse_file(scratch.graph_dir / "sources.ttl")
    assert (next(graph.objects(ex, DCTERMS.source)), RDF.type, SWAP.Source) in sources


def test_multi_party_transfer_is_not_split(scratch: Project, tmp_path: Path) -> None:
    report = import_csv(
        scratch,
        write_csv(tmp_path / "in.csv", [ROWS["RU-BY-US-DE-2024-08-01"]]),
        validator=no_shapes,
    )
    assert report.ok
    graph = parse_file(scratch.graph_dir / "exchanges-2024.ttl")
    ex = ID["exchange/2024-08-01-ru-by-us-de"]
    transfers = list(graph.objects(ex, SWAP.transfer))
    assert len(transfers) == 2
    sizes = sorted(
        (len(set(graph.objects(t, SWAP.releasedBy))), int(graph.value(t, SWAP.peopleCount)))  # type: ignore[arg-type]
        for t in transfers
    )
    assert sizes == [(2, 16), (5, 10)]


def test_malformed_rows_are_rejected_with_line_numbers(scratch: Project, tmp_path: Path) -> None:
    good = ROWS["RU-UA-2024-01-31"]
    bad_date = {**ROWS["RU-UA-2024-02-08"], "date": "2024-02-30"}
    bad_count = {**ROWS["RU-UA-2024-05-31"], "released_by_a": "about 75"}
    no_party = {**ROWS["RU-UA-2024-06-25"], "party_b": ""}
    before = snapshot(scratch)
    report = import_csv(
        scratch,
        write_csv(tmp_path / "in.csv", [good, bad_date, bad_count, no_party]),
        validator=no_shapes,
    )
    assert not report.ok
    assert {(e.line, e.row_id) for e in report.errors} == {
        (3, "RU-UA-2024-02-08"),
        (4, "RU-UA-2024-05-31"),
        (5, "RU-UA-2024-06-25"),
    }
    messages = " ".join(str(e) for e in report.errors)
    assert "not a date" in messages and "not a non-negative integer" in messages
    assert "party_b is empty" in messages
    assert report.written == []
    assert snapshot(scratch) == before  # all or nothing: the good row is not written


def test_line_numbers_count_multiline_cells(scratch: Project, tmp_path: Path) -> None:
    first = {**ROWS["RU-UA-2024-01-31"], "notes": "two\nlines"}
    bad = {**ROWS["RU-UA-2024-02-08"], "released_by_b": "-1"}
    report = import_csv(scratch, write_csv(tmp_path / "in.csv", [first, bad]), validator=no_shapes)
    assert [e.line for e in report.errors] == [4]


def test_unknown_state_is_reported_with_close_matches(scratch: Project, tmp_path: Path) -> None:
    row = {**ROWS["RU-UA-2024-01-31"], "party_b": "Ukrain"}
    report = import_csv(scratch, write_csv(tmp_path / "in.csv", [row]), validator=no_shapes)
    assert len(report.errors) == 1
    assert "unknown actor 'Ukrain'" in report.errors[0].message
    assert "Ukraine" in report.errors[0].message


def test_states_match_by_code_and_alternative_name(scratch: Project, tmp_path: Path) -> None:
    row = {**ROWS["RU-UA-2024-01-31"], "party_a": "RUS", "party_b": "UA", "mediators": "UAE"}
    report = import_csv(scratch, write_csv(tmp_path / "in.csv", [row]), validator=no_shapes)
    assert report.ok, report.errors
    graph = parse_file(scratch.graph_dir / "exchanges-2024.ttl")
    mediation = graph.value(ID["exchange/2024-01-31-ru-ua"], SWAP.mediation)
    assert graph.value(mediation, SWAP.actor) == ID["state/united-arab-emirates"]


def test_unmapped_text_is_kept_and_reported(scratch: Project, tmp_path: Path) -> None:
    row = ROWS["VE-US-2022-10-01"]
    report = import_csv(scratch, write_csv(tmp_path / "in.csv", [row]), validator=no_shapes)
    assert report.ok
    columns = {u.column for u in report.unmapped}
    assert {"transit", "location", "agreement"} <= columns
    graph = parse_file(scratch.graph_dir / "exchanges-2022.ttl")
    comments = {str(c) for c in graph.objects(ID["exchange/2022-10-01-ve-us"], RDFS.comment)}
    assert "Transit: unspecified third country" in comments
    assert row["notes"] in comments
    assert (ID["exchange/2022-10-01-ve-us"], SWAP.directNegotiation, Literal(True)) in graph


def test_existing_exchange_is_reported_never_overwritten(scratch: Project, tmp_path: Path) -> None:
    row = ROWS["RU-UA-2024-12-30"]
    assert import_csv(scratch, write_csv(tmp_path / "a.csv", [row]), validator=no_shapes).ok
    before = snapshot(scratch)

    same = import_csv(scratch, write_csv(tmp_path / "b.csv", [row]), validator=no_shapes)
    assert same.added == [] and len(same.duplicates) == 1
    assert same.duplicates[0].differences == ()

    changed = {**row, "released_by_b": "151", "id": "RU-UA-2024-12-30"}
    report = import_csv(scratch, write_csv(tmp_path / "c.csv", [changed]), validator=no_shapes)
    assert report.added == []
    (duplicate,) = report.duplicates
    assert duplicate.existing == ID["exchange/2024-12-30-ru-ua"]
    assert any("150" in d and "151" in d for d in duplicate.differences)
    assert snapshot(scratch) == before


def test_same_date_and_parties_under_another_id_is_a_duplicate(
    scratch: Project, tmp_path: Path
) -> None:
    row = ROWS["RU-UA-2024-12-30"]
    assert import_csv(scratch, write_csv(tmp_path / "a.csv", [row]), validator=no_shapes).ok
    renamed = {**row, "id": "UA-RU-2024-12-30"}
    report = import_csv(scratch, write_csv(tmp_path / "b.csv", [renamed]), validator=no_shapes)
    assert report.added == [] and report.duplicates[0].existing == ID["exchange/2024-12-30-ru-ua"]


def test_new_rows_added_beside_existing_ones(scratch: Project, tmp_path: Path) -> None:
    first = ROWS["RU-UA-2024-12-30"]
    second = ROWS["RU-UA-2024-10-18"]
    assert import_csv(scratch, write_csv(tmp_path / "a.csv", [first]), validator=no_shapes).ok
    report = import_csv(
        scratch, write_csv(tmp_path / "b.csv", [first, second]), validator=no_shapes
    )
    assert report.added == [ID["exchange/2024-10-18-ru-ua"]]
    graph = parse_file(scratch.graph_dir / "exchanges-2024.ttl")
    assert len(set(graph.subjects(RDF.type, SWAP.Exchange))) == 2


def test_validation_failure_writes_nothing(scratch: Project, tmp_path: Path) -> None:
    before = snapshot(scratch)
    report = import_csv(
        scratch,
        write_csv(tmp_path / "in.csv", [ROWS["RU-UA-2024-12-30"]]),
        validator=lambda graph: ["exchange:x: something is wrong"],
    )
    assert not report.ok and report.violations == ["exchange:x: something is wrong"]
    assert report.written == [] and snapshot(scratch) == before


def test_dry_run_writes_nothing(scratch: Project, tmp_path: Path) -> None:
    before = snapshot(scratch)
    report = import_csv(
        scratch,
        write_csv(tmp_path / "in.csv", [ROWS["RU-UA-2024-12-30"]]),
        dry_run=True,
        validator=no_shapes,
    )
    assert report.ok and report.added and report.written == []
    assert snapshot(scratch) == before


@pytest.mark.slow
def test_default_validation_uses_the_project_shapes(scratch: Project, tmp_path: Path) -> None:
    shutil.copy(REPO_ROOT / "graph" / "sources.ttl", scratch.graph_dir / "sources.ttl")
    report = import_csv(scratch, write_csv(tmp_path / "in.csv", [ROWS["RU-UA-2024-12-30"]]))
    assert report.violations == [] and report.written


def test_a_byte_order_mark_is_accepted(scratch: Project, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "excel.csv", [ROWS["RU-UA-2025-05-23"]])
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())  # Excel's "CSV UTF-8"
    report = import_csv(scratch, path, validator=no_shapes)
    assert report.ok and report.added == [ID["exchange/2025-05-23-ru-ua"]]


def test_an_undecodable_byte_names_its_line(scratch: Project, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "latin1.csv", [ROWS["RU-UA-2025-05-23"], ROWS["RU-UA-2025-05-23"]])
    lines = path.read_bytes().split(b"\n")
    lines[2] = lines[2].replace(b"Russia", b"Russ\xe9a", 1)
    path.write_bytes(b"\n".join(lines))
    with pytest.raises(SwapgraphError, match=r"latin1\.csv:3: not UTF-8 \(byte 0xe9\)"):
        import_csv(scratch, path, validator=no_shapes)


@pytest.mark.parametrize("cell", ['=HYPERLINK("http://x")', "+1+2", "-2+3", "@SUM(A1)"])
def test_formula_like_cells_are_neutralised_in_every_csv_we_write(
    scratch: Project, tmp_path: Path, cell: str
) -> None:
    row = {**ROWS["RU-UA-2025-05-23"], "quote": cell, "notes": cell}
    assert import_csv(scratch, write_csv(tmp_path / "in.csv", [row]), validator=no_shapes).ok
    engine = open_engine(scratch, "rdflib")
    result = engine.query(
        # The imported exchange's own quote: the reference files hold quotes of their own.
        "SELECT ?q WHERE { <https://w3id.org/swapgraph/id/exchange/2025-05-23-ru-ua> "
        "<https://w3id.org/swapgraph/ontology#supportingQuote> ?q }",
        {},
    )
    assert isinstance(result, SelectResult)
    [value] = [row[0] for row in csv.reader(io.StringIO(render(result, "csv")))][1:]
    assert value == "'" + cell
    view = nx.MultiDiGraph(view="actors")
    view.add_node("n1", label=cell)
    view.add_edge("n1", "n1", key="e1", label=cell)
    for written in (write_nodes_csv(view), write_edges_csv(view)):
        labels = [r["Label"] for r in csv.DictReader(io.StringIO(written.decode()))]
        assert labels == ["'" + cell]
    assert neutralise("-12") == "-12" and neutralise("+1.5e3") == "+1.5e3"
    assert neutralise("\tx") == "'\tx" and neutralise("\rx") == "'\rx"
