from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDFS

from swapgraph.cli import main
from swapgraph.diff import diff_projects
from swapgraph.load import parse_file
from swapgraph.namespaces import ID, SWAP
from swapgraph.paths import Project
from swapgraph.turtle import serialize
from tests.conftest import REPO_ROOT, TEST_DATA

FIXTURES = TEST_DATA / "curation" / "diff"
EXCHANGE = "https://w3id.org/swapgraph/id/exchange/2025-10-02-ru-ua"


def make_project(root: Path, graph: Path) -> Path:
    """A project with the repository's vocabulary and ``graph`` as its graph/."""
    for folder in ("ontology", "shapes"):
        shutil.copytree(REPO_ROOT / folder, root / folder)
    shutil.copytree(graph, root / "graph")
    return root


def copy_repo_project(root: Path) -> Path:
    for folder in ("ontology", "shapes", "graph", "api"):
        shutil.copytree(REPO_ROOT / folder, root / folder)
    return root


@pytest.fixture
def versions(tmp_path: Path) -> tuple[Path, Path]:
    return (
        make_project(tmp_path / "old", FIXTURES / "old"),
        make_project(tmp_path / "new", FIXTURES / "new"),
    )


def test_one_count_one_source_one_mediation_exactly(
    versions: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    old, new = versions
    assert main(["diff", str(old), str(new)]) == 0
    text = capsys.readouterr().out
    assert text == (
        "ontology: no changes\n"
        "data:\n"
        "  exchange 2025-10-02 Russia\u2013Ukraine: mediation removed Turkey (host)"
        "; source added <https://example.org/news/second-report>"
        "; people to Ukraine 185 \u2192 205\n"
    )


def test_json_lists_the_three_changes(
    versions: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    old, new = versions
    assert main(["diff", str(old), str(new), "--format", "json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["ontology"] == []
    [entity] = result["data"]
    assert (entity["kind"], entity["iri"], entity["status"]) == ("exchange", EXCHANGE, "changed")
    changes = {(c["field"], c["old"], c["new"]) for c in entity["changes"]}
    assert changes == {
        ("people to Ukraine", "185", "205"),
        ("source", None, "<https://example.org/news/second-report>"),
        ("mediation", "Turkey (host)", None),
    }


def test_blank_node_ids_and_order_do_not_matter(tmp_path: Path) -> None:
    # The same graph written canonically and with labelled blank nodes in another order.
    same = tmp_path / "same"
    same.mkdir()
    text = (FIXTURES / "new" / "exchanges-2025.ttl").read_text(encoding="utf-8")
    (same / "exchanges-2025.ttl").write_text(text.replace("_:to", "_:x").replace("_:uae", "_:m"))
    shutil.copy(FIXTURES / "new" / "states.ttl", same / "states.ttl")
    first = make_project(tmp_path / "a", FIXTURES / "new")
    second = make_project(tmp_path / "b", same)
    assert diff_projects(Project.open(first), Project.open(second)).empty


def test_transfers_are_matched_by_their_actors(tmp_path: Path) -> None:
    # Both transfers carry the same count; a change to one is reported for that one only.
    old = make_project(tmp_path / "old", FIXTURES / "old")
    new = make_project(tmp_path / "new", FIXTURES / "old")
    path = new / "graph" / "exchanges-2025.ttl"
    text = path.read_text(encoding="utf-8")
    marker = "swap:peopleCount 185 ;\n        swap:receivedBy state:russia"
    assert marker in text
    path.write_text(text.replace(marker, marker.replace("185", "190")), encoding="utf-8")
    [entity] = diff_projects(Project.open(old), Project.open(new)).data
    assert [str(c) for c in entity.changes] == ["people to Russia 185 \u2192 190"]


def test_mediation_role_change_is_a_removed_and_an_added_mediation(tmp_path: Path) -> None:
    old = make_project(tmp_path / "old", FIXTURES / "old")
    new = make_project(tmp_path / "new", FIXTURES / "old")
    path = new / "graph" / "exchanges-2025.ttl"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("swap:HostRole", "swap:FacilitatorRole"), encoding="utf-8")
    [entity] = diff_projects(Project.open(old), Project.open(new)).data
    assert [str(c) for c in entity.changes] == [
        "mediation removed Turkey (host)",
        "mediation added Turkey (facilitator)",
    ]


def test_claim_value_change_inside_a_transfer(tmp_path: Path) -> None:
    old = make_project(tmp_path / "old", FIXTURES / "old")
    new = make_project(tmp_path / "new", FIXTURES / "old")
    path = new / "graph" / "exchanges-2025.ttl"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("swap:claimedValue 180", "swap:claimedValue 181"), "utf-8")
    [entity] = diff_projects(Project.open(old), Project.open(new)).data
    [change] = entity.changes
    assert change.field.startswith("claimed value to Russia [claim people per")
    assert (change.old, change.new) == ("180", "181")


def test_added_and_removed_entities_and_ontology_terms(tmp_path: Path) -> None:
    old = make_project(tmp_path / "old", FIXTURES / "old")
    new = make_project(tmp_path / "new", FIXTURES / "old")
    (new / "graph" / "states.ttl").write_text(
        (new / "graph" / "states.ttl")
        .read_text(encoding="utf-8")
        .replace("state:turkey a swap:State", "state:qatar a swap:State")
        .replace('"Turkey"', '"Qatar"'),
        encoding="utf-8",
    )
    ontology = new / "ontology" / "swapgraph.ttl"
    text = ontology.read_text(encoding="utf-8")
    ontology.write_text(
        text.replace(
            'swap:Transfer a owl:Class ;\n    rdfs:label "transfer"@en',
            'swap:Transfer a owl:Class ;\n    rdfs:label "transfer of prisoners"@en',
        ),
        encoding="utf-8",
    )
    result = diff_projects(Project.open(old), Project.open(new))
    assert [str(e) for e in result.ontology] == [
        'class transfer of prisoners: label "transfer" \u2192 "transfer of prisoners"'
    ]
    statuses = {(e.kind, e.iri, e.status) for e in result.data}
    assert ("state", "https://w3id.org/swapgraph/id/state/qatar", "added") in statuses
    assert ("state", "https://w3id.org/swapgraph/id/state/turkey", "removed") in statuses


def test_since_a_git_revision(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_project(tmp_path / "repo" / "project", FIXTURES / "old")
    git = ["git", "-C", str(root.parent), "-c", "user.name=t", "-c", "user.email=t@t.invalid"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "old"], check=True)
    shutil.copy(FIXTURES / "new" / "exchanges-2025.ttl", root / "graph" / "exchanges-2025.ttl")
    assert main(["diff", "--since", "HEAD", "--project", str(root), "--format", "json"]) == 0
    [entity] = json.loads(capsys.readouterr().out)["data"]
    assert len(entity["changes"]) == 3
    assert main(["diff", "--since", "no-such-rev", "--project", str(root)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("swapgraph: error: ") and err.count("\n") == 1


def test_missing_arguments_are_one_line_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", "--project", str(REPO_ROOT)]) == 2
    assert main(["diff", str(REPO_ROOT), "--since", "HEAD"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2 and all(line.startswith("swapgraph: error: diff:") for line in err)


@pytest.mark.slow
def test_real_graph_with_one_count_one_source_one_mediation(tmp_path: Path) -> None:
    old = copy_repo_project(tmp_path / "old")
    new = copy_repo_project(tmp_path / "new")
    path = new / "graph" / "exchanges-2025.ttl"
    graph = parse_file(path)
    exchange = URIRef(EXCHANGE)
    [to_ukraine] = [
        t
        for t in graph.objects(exchange, SWAP.transfer)
        if (t, SWAP.receivedBy, ID["state/ukraine"]) in graph
    ]
    count = graph.value(to_ukraine, SWAP.peopleCount)
    graph.set((to_ukraine, SWAP.peopleCount, Literal(int(count) + 1)))
    cited = set(graph.objects(exchange, DCTERMS.source))
    # A source already in the graph, cited by another exchange.
    added = sorted(set(graph.objects(None, DCTERMS.source)) - cited)[0]
    graph.add((exchange, DCTERMS.source, added))
    mediation = sorted(graph.objects(exchange, SWAP.mediation))[0]
    actor, role = graph.value(mediation, SWAP.actor), graph.value(mediation, SWAP.role)
    graph.remove((exchange, SWAP.mediation, mediation))
    graph.remove((mediation, None, None))
    path.write_text(serialize(graph), encoding="utf-8")

    [entity] = diff_projects(Project.open(old), Project.open(new)).data
    assert entity.iri == EXCHANGE
    names = parse_file(REPO_ROOT / "graph" / "states.ttl") + parse_file(
        REPO_ROOT / "ontology" / "swapgraph.ttl"
    )
    assert sorted(str(c) for c in entity.changes) == sorted(
        [
            f"people to Ukraine {count} \u2192 {int(count) + 1}",
            f"source added <{added}>",
            f"mediation removed {names.value(actor, RDFS.label)} ({names.value(role, RDFS.label)})",
        ]
    )
