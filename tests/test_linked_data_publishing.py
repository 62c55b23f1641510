"""Publishing as Linked Data users and data catalogues expect: VoID, DCAT, releases.

Checked from outside, over HTTP against real servers: one serving the repository's own
project, one serving a copy that has been released twice (so that it has dumps to describe).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import subprocess
from collections.abc import Iterator

import httpx
import pytest
import yaml
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, VOID, XSD

from swapgraph import __version__
from swapgraph.dcat import SPDX, W3ID, find_releases
from swapgraph.engine import OxigraphEngine, select
from swapgraph.load import data_graph
from swapgraph.namespaces import ID, SWAP
from swapgraph.paths import Project
from swapgraph.release import release
from swapgraph.server import Settings
from swapgraph.void import addresses
from tests.conftest import REPO_ROOT
from tests.serving import RunningServer, in_process, swapgraph_server
from tests.versions import AFTER_NEXT, CURRENT, NEXT

DATASET = URIRef(W3ID)
CC_BY = URIRef("https://creativecommons.org/licenses/by/4.0/")
FIRST_DAY = dt.date(2026, 12, 1)
SECOND_DAY = dt.date(2026, 12, 8)


@pytest.fixture(scope="module")
def server(shared_server: RunningServer) -> RunningServer:
    return shared_server


@pytest.fixture(scope="module")
def released(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """A copy of the project released as the next minor version, then the one after a week later."""
    root = tmp_path_factory.mktemp("released")
    for folder in ("ontology", "shapes", "graph", "api"):
        shutil.copytree(REPO_ROOT / folder, root / folder)
    for name in ("CHANGELOG.md", "CITATION.cff"):
        shutil.copy(REPO_ROOT / name, root / name)
    project = Project.open(root)
    release(project, NEXT, FIRST_DAY)
    release(project, AFTER_NEXT, SECOND_DAY)
    return project


@pytest.fixture(scope="module")
def released_server(released: Project) -> Iterator[RunningServer]:
    with swapgraph_server(Settings(released, workers=1)) as running:
        yield running


def get_graph(url: str, accept: str = "text/turtle") -> Graph:
    answer = httpx.get(url, headers={"Accept": accept}, timeout=60)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith(accept)
    return Graph().parse(data=answer.text, format="turtle" if "turtle" in accept else "json-ld")


# --------------------------------------------------------------------------- VoID


def test_void_describes_the_dataset_for_crawlers(server: RunningServer) -> None:
    void = get_graph(f"{server.url}/.well-known/void")
    assert (DATASET, RDF.type, VOID.Dataset) in void
    assert void.value(DATASET, DCTERMS.license) == CC_BY
    assert void.value(DATASET, DCTERMS.title) is not None
    assert void.value(void.value(DATASET, DCTERMS.publisher), FOAF.name) is not None
    assert void.value(DATASET, VOID.uriSpace) == Literal(str(ID))
    # Addresses are the server's own, the dataset's name is the persistent one.
    endpoint = void.value(DATASET, VOID.sparqlEndpoint)
    assert endpoint == URIRef(f"{server.url}/sparql")
    assert httpx.get(str(endpoint), params={"query": "ASK {}"}).status_code == 200
    for dump in void.objects(DATASET, VOID.dataDump):
        answer = httpx.get(str(dump), timeout=60)
        assert answer.status_code == 200
        # The live N-Triples dump, and once the project is released its release dumps too.
        syntax = {"trig": "trig", "jsonld": "json-ld"}.get(str(dump).rsplit(".", 1)[-1], "nt")
        assert len(Dataset().parse(data=answer.text, format=syntax)) > 1000
    examples = list(void.objects(DATASET, VOID.exampleResource))
    assert len(examples) >= 3
    for example in examples:
        path = str(example).removeprefix(str(ID))
        page = httpx.get(f"{server.url}/id/{path}", headers={"Accept": "text/turtle"})
        assert page.status_code == 200


def test_void_partitions_and_counts_match_the_data(server: RunningServer, project: Project) -> None:
    void = get_graph(f"{server.url}/.well-known/void", "application/ld+json")
    engine = OxigraphEngine.from_project(project)
    [row] = select(engine, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert void.value(DATASET, VOID.triples) == Literal(int(row["n"]), datatype=XSD.integer)

    classes = {
        void.value(p, VOID["class"]): int(void.value(p, VOID.entities))
        for p in void.objects(DATASET, VOID.classPartition)
    }
    exchanges = select(
        engine,
        "SELECT DISTINCT ?e WHERE { ?e a swap:Exchange }".replace(
            "swap:Exchange", SWAP.Exchange.n3()
        ),
    )
    assert classes[SWAP.Exchange] == len(exchanges)
    assert int(void.value(DATASET, VOID.classes)) == len(classes)

    properties = {
        void.value(p, VOID.property): int(void.value(p, VOID.triples))
        for p in void.objects(DATASET, VOID.propertyPartition)
    }
    graph = Graph()
    for path in project.data_files():
        graph.parse(path)
    assert properties[SWAP.date] == len(list(graph.triples((None, SWAP.date, None))))
    assert sum(properties.values()) == len(graph)


def test_void_modified_is_the_newest_source_not_the_clock(
    server: RunningServer, project: Project
) -> None:
    void = get_graph(f"{server.url}/.well-known/void")
    # The newest source's publication, or the latest release once the project has one.
    newest = max(
        [
            o.toPython()
            for s, o in data_graph(project).subject_objects(DCTERMS.issued)
            if isinstance(o, Literal)
        ]
        + [found.issued for found in find_releases(project)]
    )
    assert void.value(DATASET, DCTERMS.modified) == Literal(newest.isoformat(), datatype=XSD.date)


def test_stats_is_the_void_description(server: RunningServer) -> None:
    assert isomorphic(get_graph(f"{server.url}/stats"), get_graph(f"{server.url}/.well-known/void"))


def test_void_lists_release_dumps_and_dates(released_server: RunningServer) -> None:
    void = get_graph(f"{released_server.url}/.well-known/void")
    dumps = {str(d) for d in void.objects(DATASET, VOID.dataDump)}
    base = f"{released_server.url}/releases/{AFTER_NEXT}/swapgraph-{AFTER_NEXT}-{SECOND_DAY}"
    assert {f"{base}.nt", f"{base}.trig", f"{base}.jsonld"} <= dumps
    assert void.value(DATASET, DCTERMS.modified) == Literal(
        SECOND_DAY.isoformat(), datatype=XSD.date
    )


def test_an_older_version_iri_resolves_from_its_release_dump(
    released_server: RunningServer, released: Project
) -> None:
    dump = Dataset()
    dump.parse(released.dist_dir / f"swapgraph-{NEXT}-{FIRST_DAY}.trig", format="trig")
    kept = dump.graph(URIRef(f"https://w3id.org/swapgraph/ontology/{NEXT}"))
    assert len(kept) > 100
    answer = httpx.get(
        f"{released_server.url}/ontology/{NEXT}", headers={"Accept": "application/n-triples"}
    )
    assert answer.status_code == 200
    served = Graph().parse(data=answer.text, format="nt")
    assert isomorphic(served, kept)
    assert next(served.objects(None, OWL.versionInfo)) == Literal(NEXT)
    current = httpx.get(
        f"{released_server.url}/ontology/{AFTER_NEXT}", headers={"Accept": "text/turtle"}
    )
    current_graph = Graph().parse(data=current.text, format="turtle")
    assert next(current_graph.objects(None, OWL.versionInfo)) == Literal(AFTER_NEXT)
    # The version the copy started from was never released in it: nothing keeps it.
    assert httpx.get(f"{released_server.url}/ontology/{CURRENT}").status_code == 404


# --------------------------------------------------------------------------- DCAT, releases


def distributions(graph: Graph) -> list[URIRef]:
    found = [d for d in graph.subjects(RDF.type, DCAT.Distribution) if isinstance(d, URIRef)]
    assert found
    return found


def checksum_of(graph: Graph, distribution: URIRef) -> tuple[str, str]:
    checksum = graph.value(distribution, SPDX.checksum)
    algorithm = graph.value(checksum, SPDX.algorithm)
    return str(algorithm), str(graph.value(checksum, SPDX.checksumValue))


def test_release_writes_dcat_describing_its_real_dumps(released: Project) -> None:
    for version, day in ((NEXT, FIRST_DAY), (AFTER_NEXT, SECOND_DAY)):
        stem = f"swapgraph-{version}-{day}"
        dcat = Graph().parse(released.dist_dir / f"{stem}.dcat.ttl", format="turtle")
        dataset = URIRef(f"{W3ID}releases/{version}")
        assert (dataset, RDF.type, DCAT.Dataset) in dcat
        assert dcat.value(dataset, DCTERMS.license) == CC_BY
        names = set()
        for distribution in distributions(dcat):
            assert (dataset, DCAT.distribution, distribution) in dcat
            url = str(dcat.value(distribution, DCAT.downloadURL))
            assert url.startswith(f"{W3ID}releases/{version}/")
            name = url.rsplit("/", 1)[1]
            names.add(name)
            content = (released.dist_dir / name).read_bytes()
            assert int(dcat.value(distribution, DCAT.byteSize)) == len(content)
            assert checksum_of(dcat, distribution) == (
                str(SPDX.checksumAlgorithm_sha256),
                hashlib.sha256(content).hexdigest(),
            )
            assert dcat.value(distribution, DCTERMS.license) == CC_BY
            assert dcat.value(distribution, DCTERMS.issued) == Literal(
                day.isoformat(), datatype=XSD.date
            )
            media_type = str(dcat.value(distribution, DCAT.mediaType))
            assert media_type.startswith("https://www.iana.org/assignments/media-types/")
        assert names == {f"{stem}.nt", f"{stem}.trig", f"{stem}.jsonld"}


def test_releases_are_served_with_their_dumps(released_server: RunningServer) -> None:
    catalog = get_graph(f"{released_server.url}/releases")
    datasets = set(catalog.objects(URIRef(f"{W3ID}releases/"), DCAT.dataset))
    assert datasets == {URIRef(f"{W3ID}releases/{NEXT}"), URIRef(f"{W3ID}releases/{AFTER_NEXT}")}
    for distribution in distributions(catalog):
        url = str(catalog.value(distribution, DCAT.downloadURL))
        assert url.startswith(f"{released_server.url}/releases/")
        answer = httpx.get(url, timeout=60)
        assert answer.status_code == 200
        assert len(answer.content) == int(catalog.value(distribution, DCAT.byteSize))
        _, digest = checksum_of(catalog, distribution)
        assert hashlib.sha256(answer.content).hexdigest() == digest
        media_type = str(catalog.value(distribution, DCAT.mediaType)).rsplit("/", 2)
        assert answer.headers["content-type"].startswith("/".join(media_type[-2:]))
    sums = httpx.get(f"{released_server.url}/releases/{NEXT}/swapgraph-{NEXT}-{FIRST_DAY}.sha256")
    assert sums.status_code == 200 and f"swapgraph-{NEXT}-{FIRST_DAY}.nt" in sums.text
    page = httpx.get(f"{released_server.url}/releases", headers={"Accept": "text/html"})
    assert page.status_code == 200 and f"swapgraph-{AFTER_NEXT}-{SECOND_DAY}.trig" in page.text


@pytest.mark.parametrize(
    "path",
    [
        f"/releases/{AFTER_NEXT}/CHANGELOG.md",
        f"/releases/{AFTER_NEXT}/..%2F..%2FCHANGELOG.md",
        f"/releases/{AFTER_NEXT}/%2e%2e",
        "/releases/../CHANGELOG.md",
        f"/releases/{NEXT}/swapgraph-{AFTER_NEXT}-{SECOND_DAY}.nt",
        "/releases/9.9.9/anything",
    ],
)
def test_release_files_cannot_reach_other_files(released_server: RunningServer, path: str) -> None:
    answer = httpx.get(f"{released_server.url}{path}")
    assert answer.status_code == 404
    assert "Changelog" not in answer.text


def test_release_updates_the_citation(released: Project) -> None:
    citation = yaml.safe_load((released.root / "CITATION.cff").read_text())
    assert citation["version"] == AFTER_NEXT
    assert str(citation["date-released"]) == SECOND_DAY.isoformat()


def test_repository_citation_and_data_licence() -> None:
    citation = yaml.safe_load((REPO_ROOT / "CITATION.cff").read_text())
    assert citation["version"] == __version__
    assert citation["license"] == "CC-BY-4.0"
    for key in ("cff-version", "message", "title", "authors"):
        assert citation[key]
    licence = (REPO_ROOT / "LICENSE-DATA").read_text()
    assert str(CC_BY) in licence
    assert (REPO_ROOT / "LICENSE").is_file()


def test_citation_passes_cffconvert() -> None:
    binary = shutil.which("cffconvert")
    if binary is None:
        pytest.skip("cffconvert is not installed (pip install cffconvert, in a venv of its own)")
    checked = subprocess.run(
        [binary, "--validate", "-i", str(REPO_ROOT / "CITATION.cff")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_a_configured_public_base_names_the_dataset_and_its_addresses() -> None:
    configured = addresses("http://127.0.0.1:8000/", "https://swapgraph.example.org")
    assert configured.dataset == URIRef("https://swapgraph.example.org/")
    assert configured.site == "https://swapgraph.example.org/"
    local = addresses("http://127.0.0.1:8000/", None)
    assert local.dataset == DATASET
    assert local.site == "http://127.0.0.1:8000/"


def test_addresses_never_come_from_the_host_header(server: RunningServer) -> None:
    forged = {"Host": "attacker.example", "Accept": "text/turtle"}
    void = Graph().parse(
        data=httpx.get(f"{server.url}/.well-known/void", headers=forged).text, format="turtle"
    )
    assert void.value(DATASET, VOID.sparqlEndpoint) == URIRef(f"{server.url}/sparql")
    robots = httpx.get(f"{server.url}/robots.txt", headers=forged).text
    assert "attacker.example" not in robots


def test_a_configured_public_base_names_the_served_dataset(project: Project) -> None:
    public = "https://swapgraph.example.org/data"
    # The addresses are the app's work, not the server's: in-process suffices.
    with in_process(Settings(project, base_url=public)) as client:
        answer = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/turtle")
    void = Graph().parse(data=answer.text, format="turtle")
    dataset = URIRef(f"{public}/")
    assert (dataset, RDF.type, VOID.Dataset) in void
    assert void.value(dataset, VOID.sparqlEndpoint) == URIRef(f"{public}/sparql")
