from __future__ import annotations

import datetime as dt
import hashlib
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import OWL

from swapgraph import jsonld_context
from swapgraph.cli import main
from swapgraph.errors import ProjectError, SwapgraphError
from swapgraph.load import parse_file
from swapgraph.new import new_exchange
from swapgraph.paths import Project
from swapgraph.release import release
from tests.conftest import REPO_ROOT, DiskFull, snapshot
from tests.versions import CURRENT, NEXT, bump

ONTOLOGY = URIRef("https://w3id.org/swapgraph/ontology")
DAY = dt.date(2026, 11, 26)
STEM = f"swapgraph-{NEXT}-2026-11-26"


def git(root: Path, *args: str) -> None:
    base = ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@t.invalid"]
    subprocess.run([*base, *args], check=True, capture_output=True)


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """A copy of the repository's project, committed in a git repository of its own."""
    for folder in ("ontology", "shapes", "graph", "api"):
        shutil.copytree(REPO_ROOT / folder, tmp_path / folder)
    shutil.copy(REPO_ROOT / "CHANGELOG.md", tmp_path / "CHANGELOG.md")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-qm", CURRENT)
    return Project.open(tmp_path)


def version_triples(project: Project) -> tuple[object, object, object]:
    graph = parse_file(project.ontology_file)
    return (
        graph.value(ONTOLOGY, OWL.versionInfo),
        graph.value(ONTOLOGY, OWL.versionIRI),
        graph.value(ONTOLOGY, OWL.priorVersion),
    )


def test_release_since_the_previous_tag(project: Project) -> None:
    git(project.root, "tag", f"v{CURRENT}")
    new_exchange(project, DAY, ["Russia", "Ukraine"], [], ["https://example.org/a"])
    done = release(project, NEXT, DAY)
    assert done.baseline == f"refs/tags/v{CURRENT}"
    assert version_triples(project) == (
        Literal(NEXT),
        URIRef(f"{ONTOLOGY}/{NEXT}"),
        URIRef(f"{ONTOLOGY}/{CURRENT}"),
    )
    text = project.changelog.read_text(encoding="utf-8")
    entry = text[text.index(f"## {NEXT} \u2014 2026-11-26") : text.index(f"## {CURRENT}")]
    assert "### Ontology\n- No changes." in entry
    assert "### Data\n- exchange 2026-11-26 Russia\u2013Ukraine: added" in entry
    assert "- source <https://example.org/a>: added" in entry


def test_unreleased_notes_open_the_release_entry(project: Project) -> None:
    text = project.changelog.read_text(encoding="utf-8")
    text = re.sub(r"^## Unreleased\n.*?(?=^## )", "", text, flags=re.MULTILINE | re.DOTALL)
    first = text.index("\n## ") + 1
    notes = "### Engine\n- A hand-written note on the engine.\n"
    text = text[:first] + "## Unreleased\n\n" + notes + "\n" + text[first:]
    project.changelog.write_text(text, encoding="utf-8")
    release(project, NEXT, DAY)
    after = project.changelog.read_text(encoding="utf-8")
    assert "## Unreleased" not in after
    entry = after[after.index(f"## {NEXT} \u2014 2026-11-26") : after.index(f"## {CURRENT}")]
    assert entry.startswith(f"## {NEXT} \u2014 2026-11-26\n\n{notes}\n### Ontology\n")
    assert after.count("A hand-written note on the engine.") == 1


def test_dumps_hold_ontology_and_graph_with_checksums(project: Project) -> None:
    release(project, NEXT, DAY)
    dist = project.dist_dir
    sums = (dist / f"{STEM}.sha256").read_text(encoding="utf-8").splitlines()
    assert len(sums) == 3
    for line in sums:
        digest, name = line.split("  ")
        assert hashlib.sha256((dist / name).read_bytes()).hexdigest() == digest
    nt = Graph().parse(dist / f"{STEM}.nt", format="nt")
    jsonld = Graph().parse(dist / f"{STEM}.jsonld", format="json-ld")
    trig = Dataset().parse(dist / f"{STEM}.trig", format="trig")
    assert len(nt) == len(jsonld) > 1000
    graphs = {str(g.identifier): len(g) for g in trig.graphs() if len(g)}
    assert set(graphs) == {f"{ONTOLOGY}/{NEXT}", f"https://w3id.org/swapgraph/graph/{NEXT}"}
    assert sum(graphs.values()) == len(nt)
    assert (ONTOLOGY, OWL.versionInfo, Literal(NEXT)) in nt


def test_first_release_without_tag_summarises(project: Project) -> None:
    done = release(project, NEXT, DAY)
    assert done.baseline is None
    text = project.changelog.read_text(encoding="utf-8")
    entry = text[text.index(f"## {NEXT}") : text.index(f"## {CURRENT}")]
    assert f"no release v{CURRENT} to compare with" in entry
    assert "\u00d7 exchange" in entry


def test_second_release_replaces_prior_version(project: Project) -> None:
    release(project, NEXT, DAY)
    release(project, bump(NEXT, "patch"), DAY)
    assert version_triples(project)[2] == URIRef(f"{ONTOLOGY}/{NEXT}")
    assert project.ontology_file.read_text(encoding="utf-8").count("owl:priorVersion") == 1


@pytest.mark.parametrize(
    ("version", "message"),
    [("0.2", "is not MAJOR.MINOR.PATCH"), (CURRENT, "not greater"), ("0.0.9", "not greater")],
)
def test_bad_versions_are_refused(
    project: Project, capsys: pytest.CaptureFixture[str], version: str, message: str
) -> None:
    before = snapshot(project.root)
    assert main(["release", version, "--project", str(project.root)]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert snapshot(project.root) == before


def test_ontology_edit_that_would_change_more_is_refused(project: Project) -> None:
    # The same value written twice: editing the first leaves the old version in the file.
    path = project.ontology_file
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace(
            f'owl:versionInfo "{CURRENT}" ;', f'owl:versionInfo "{CURRENT}" , "{CURRENT}" ;'
        ),
        encoding="utf-8",
    )
    before = snapshot(project.root)
    with pytest.raises(SwapgraphError, match="changed more than the version"):
        release(project, NEXT, DAY)
    assert snapshot(project.root) == before
    assert not project.dist_dir.exists()


def test_unknown_baseline_revision_writes_nothing(project: Project) -> None:
    before = snapshot(project.root)
    with pytest.raises(SwapgraphError, match="git archive failed"):
        release(project, NEXT, DAY, since="no-such-revision")
    assert snapshot(project.root) == before
    assert not project.dist_dir.exists()


def test_failure_mid_write_leaves_every_file_untouched(
    project: Project, disk_full_on_replace: Callable[[int], DiskFull]
) -> None:
    before = snapshot(project.root)
    disk_full_on_replace(3)  # two files are already in place
    with pytest.raises(SwapgraphError) as caught:
        release(project, NEXT, DAY)
    if isinstance(caught.value, ProjectError):
        raise caught.value
    assert "could not write" in str(caught.value)
    assert snapshot(project.root) == before
    assert not project.dist_dir.exists()


@pytest.mark.parametrize(
    ("fault", "error"),
    [("not-json", "invalid dump"), ("one-short", "statements, not")],
)
def test_a_dump_the_serialiser_got_wrong_is_not_written(
    project: Project, monkeypatch: pytest.MonkeyPatch, fault: str, error: str
) -> None:
    # The dumps are checked before anything is written: one that does not parse back, or
    # that lost a statement, stops the release.
    real = jsonld_context.to_text

    def to_text(graph: Graph, terms: dict[str, object]) -> str:
        if fault == "not-json":
            return real(graph, terms)[:-10]
        smaller = Graph()
        for triple in list(graph)[1:]:
            smaller.add(triple)
        return real(smaller, terms)

    monkeypatch.setattr(jsonld_context, "to_text", to_text)
    before = snapshot(project.root)
    with pytest.raises(SwapgraphError, match=error):
        release(project, NEXT, DAY)
    assert snapshot(project.root) == before
    assert not project.dist_dir.exists()


def test_the_shapes_carry_the_released_version(project: Project) -> None:
    # The shapes are the data contract of a release: the version they state follows the
    # ontology's, and the repository's own files agree with the package.
    from rdflib.namespace import RDF

    import swapgraph

    def shapes_versions() -> list[object]:
        graph = Graph()
        for path in project.shape_files():
            graph += parse_file(path)
        return [
            graph.value(node, OWL.versionInfo) for node in graph.subjects(RDF.type, OWL.Ontology)
        ]

    assert shapes_versions() == [Literal(CURRENT)] and swapgraph.__version__ == CURRENT
    release(project, NEXT, DAY, since="HEAD")
    assert shapes_versions() == [Literal(NEXT)]
