from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS

from swapgraph.cli import main
from swapgraph.diff import diff_projects
from swapgraph.errors import SwapgraphError
from swapgraph.load import parse_file
from swapgraph.namespaces import ID, SWAP
from swapgraph.new import new_exchange
from swapgraph.paths import Project
from swapgraph.turtle import check_canonical
from tests.conftest import REPO_ROOT, DiskFull, snapshot

SOURCE = "https://example.org/news/2026-12-01-exchange"
EXCHANGE = ID["exchange/2026-12-01-ru-ua"]


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """A copy of the repository's project, free to be written."""
    for folder in ("ontology", "shapes", "graph", "api"):
        shutil.copytree(REPO_ROOT / folder, tmp_path / folder)
    return Project.open(tmp_path)


def test_skeleton_holds_what_is_known(project: Project) -> None:
    made = new_exchange(project, dt.date(2026, 12, 1), ["Russia", "Ukraine"], ["UAE"], [SOURCE])
    assert made.iri == EXCHANGE
    assert made.label == "Russia\u2013Ukraine exchange of 1 December 2026"
    target = project.graph_dir / "exchanges-2026.ttl"
    assert made.written == (target, project.graph_dir / "sources.ttl")
    graph = parse_file(target)
    assert (EXCHANGE, RDF.type, SWAP.Exchange) in graph
    assert graph.value(EXCHANGE, DCTERMS.identifier) == Literal("RU-UA-2026-12-01")
    assert str(graph.value(EXCHANGE, SWAP.date)) == "2026-12-01"
    assert set(graph.objects(EXCHANGE, DCTERMS.source)) == {URIRef(SOURCE)}
    russia, ukraine = ID["state/russia"], ID["state/ukraine"]
    directions = {
        (graph.value(t, SWAP.releasedBy), graph.value(t, SWAP.receivedBy))
        for t in graph.objects(EXCHANGE, SWAP.transfer)
    }
    assert directions == {(russia, ukraine), (ukraine, russia)}
    # Counts are missing, not zero: the shapes warn about them.
    for transfer in graph.objects(EXCHANGE, SWAP.transfer):
        assert graph.value(transfer, SWAP.peopleCount) is None
    [mediation] = graph.objects(EXCHANGE, SWAP.mediation)
    assert graph.value(mediation, SWAP.actor) == ID["state/united-arab-emirates"]
    assert graph.value(mediation, SWAP.role) == SWAP.MediatorRole
    assert (URIRef(SOURCE), RDF.type, SWAP.Source) in parse_file(project.graph_dir / "sources.ttl")
    assert check_canonical(target) and check_canonical(project.graph_dir / "sources.ttl")
    assert any("Russia released to Ukraine" in item for item in made.to_fill)


def test_nothing_else_changes(project: Project) -> None:
    new_exchange(project, dt.date(2026, 12, 1), ["Russia", "Ukraine"], [], [SOURCE])
    result = diff_projects(Project.open(REPO_ROOT), project)
    assert result.ontology == ()
    assert {(e.iri, e.status) for e in result.data} == {
        (str(EXCHANGE), "added"),
        (SOURCE, "added"),
    }


def test_new_year_file_is_created(project: Project) -> None:
    made = new_exchange(project, dt.date(2027, 1, 9), ["RU", "US"], [], [SOURCE])
    assert made.iri == ID["exchange/2027-01-09-ru-us"]
    assert (project.graph_dir / "exchanges-2027.ttl") in made.written
    assert check_canonical(project.graph_dir / "exchanges-2027.ttl")


@pytest.mark.parametrize(
    "names",
    [
        ("Russia", "Ukraine"),
        ("RU", "UA"),
        ("RUS", "UKR"),
        ("russia", "UKRAINE"),
        ("Russian Federation", "Ukraine"),
        ("Q159", "Q212"),
    ],
)
def test_states_by_label_code_or_wikidata_id(project: Project, names: tuple[str, str]) -> None:
    assert new_exchange(project, dt.date(2026, 12, 1), names).iri == EXCHANGE


def test_organisation_as_mediator_by_alt_label(project: Project) -> None:
    made = new_exchange(project, dt.date(2026, 12, 1), ["Russia", "Ukraine"], ["ICRC"])
    graph = parse_file(project.graph_dir / "exchanges-2026.ttl")
    [mediation] = graph.objects(made.iri, SWAP.mediation)
    assert graph.value(mediation, SWAP.actor) == ID["organisation/icrc"]


def test_second_exchange_the_same_day_gets_a_suffix(project: Project) -> None:
    first = new_exchange(project, dt.date(2026, 12, 1), ["Russia", "Ukraine"])
    second = new_exchange(project, dt.date(2026, 12, 1), ["Russia", "Ukraine"])
    assert second.iri == ID["exchange/2026-12-01-ru-ua-b"]
    assert second.same_day == (first.iri,)
    assert second.label.endswith("(part b)")
    graph = parse_file(project.graph_dir / "exchanges-2026.ttl")
    assert graph.value(second.iri, DCTERMS.identifier) == Literal("RU-UA-2026-12-01b")
    assert graph.value(first.iri, RDFS.label) == Literal(first.label)


def test_unknown_state_lists_close_matches_and_writes_nothing(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot(project.root)
    argv = ["new", "exchange", "--project", str(project.root), "--date", "2026-12-01"]
    assert main([*argv, "--between", "Rusia", "Ukraine"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "unknown state 'Rusia'" in err and "did you mean: Russia (state:russia)" in err
    assert main([*argv, "--between", "Russia", "Ukraine", "--mediator", "Katar"]) == 2
    assert "unknown mediator 'Katar'" in capsys.readouterr().err
    assert snapshot(project.root) == before


@pytest.mark.parametrize(
    ("between", "mediators", "sources", "message"),
    [
        (["Russia", "RU"], [], [], "same state twice"),
        (["Russia", "Ukraine"], ["Ukraine"], [], "is one of the two states"),
        (["Russia", "Ukraine"], [], ["not a url"], "is not a web address"),
        (["Russia", "ICRC"], [], [], "unknown state 'ICRC'"),
    ],
)
def test_bad_input_is_refused(
    project: Project, between: list[str], mediators: list[str], sources: list[str], message: str
) -> None:
    before = snapshot(project.root)
    with pytest.raises(SwapgraphError, match=message):
        new_exchange(project, dt.date(2026, 12, 1), between, mediators, sources)
    assert snapshot(project.root) == before


def test_failure_mid_write_leaves_every_file_untouched(
    project: Project, disk_full_on_replace: Callable[[int], DiskFull]
) -> None:
    before = snapshot(project.root)
    disk_full = disk_full_on_replace(2)  # the first file is already in place
    with pytest.raises(SwapgraphError, match="could not write"):
        new_exchange(project, dt.date(2026, 12, 1), ["Russia", "Ukraine"], [], [SOURCE])
    assert disk_full.calls >= 2
    assert snapshot(project.root) == before


@pytest.mark.parametrize(
    ("fault", "error"),
    [("cut", "new wrote invalid Turtle"), ("one-short", "new would write")],
)
def test_text_the_serialiser_got_wrong_is_not_written(
    project: Project, monkeypatch: pytest.MonkeyPatch, fault: str, error: str
) -> None:
    # What new writes is checked before anything is written: a text that does not parse
    # back, or that lost a triple, stops it.
    import swapgraph.new

    def serialize(graph: Graph) -> str:
        if fault == "cut":
            return real(graph)[:-3]
        smaller = Graph()
        for triple in sorted(graph)[1:]:
            smaller.add(triple)
        return real(smaller)

    real = swapgraph.new.serialize
    monkeypatch.setattr(swapgraph.new, "serialize", serialize)
    before = snapshot(project.root)
    with pytest.raises(SwapgraphError, match=error):
        new_exchange(project, dt.date(2026, 12, 1), ["Russia", "Ukraine"], [], [SOURCE])
    assert snapshot(project.root) == before


def test_cli_prints_what_is_still_to_fill_in(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["new", "exchange", "--project", str(project.root), "--date", "2026-12-01"]
    assert main([*argv, "--between", "Russia", "Ukraine"]) == 0
    out = capsys.readouterr().out
    assert f"added <{EXCHANGE}>" in out and "graph/exchanges-2026.ttl" in out
    assert "a source (required)" in out
    assert "how many people Russia released to Ukraine" in out
    assert "who mediated" in out


@pytest.mark.slow
@pytest.mark.parametrize("pairs", ["same", "different"])
def test_two_curators_at_once_lose_nothing(project: Project, pairs: str) -> None:
    # Real processes started together: both exchanges are written, or one is refused
    # with a clear message; never does one exit 0 and vanish.
    between = [("Russia", "Ukraine"), ("Russia", "Ukraine" if pairs == "same" else "USA")]
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT / "src")}
    year = project.graph_dir / "exchanges-2026.ttl"
    before = len(set(parse_file(year).subjects(RDF.type, SWAP.Exchange)))
    runs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "swapgraph",
                "--project",
                str(project.root),
                "new",
                "exchange",
                "--date",
                "2026-12-01",
                "--between",
                *states,
                "--source",
                f"https://example.org/news/{n}",
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n, states in enumerate(between)
    ]
    outcomes = [(run.wait(timeout=300), *run.communicate()) for run in runs]
    graph = parse_file(project.graph_dir / "exchanges-2026.ttl")
    sources = parse_file(project.graph_dir / "sources.ttl")
    added = 0
    for n, (code, out, err) in enumerate(outcomes):
        assert "Traceback" not in err
        if code == 0:
            iri = URIRef(out.split("added <", 1)[1].split(">", 1)[0])
            assert (iri, RDF.type, SWAP.Exchange) in graph
            assert (URIRef(f"https://example.org/news/{n}"), RDF.type, SWAP.Source) in sources
            added += 1
        else:
            assert code == 2 and "another swapgraph command is writing" in err
    assert len(set(graph.subjects(RDF.type, SWAP.Exchange))) - before == added >= 1
